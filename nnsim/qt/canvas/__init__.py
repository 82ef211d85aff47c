"""The network canvas: scene, items and view.

The main window creates ``NetworkScene(document)`` and ``NetworkView(scene)``,
listens to ``scene.selection_changed(ref)`` and may call ``scene.select(ref)``,
``view.fit_to_window()`` and ``scene.edit_value(ref)``.
"""
from ...core.naming import edge_name, fmt, layer_name, neuron_name, weight_name
from .scene import NetworkScene
from .view import NetworkView

__all__ = ["NetworkScene", "NetworkView", "edge_name", "fmt", "layer_name",
           "neuron_name", "weight_name"]
