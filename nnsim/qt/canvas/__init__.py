"""The network canvas: scene, items and view.

The main window creates ``NetworkScene(document)`` and ``NetworkView(scene)``,
listens to ``scene.selection_changed(ref)`` and may call ``scene.select(ref)``,
``view.fit_to_window()``, ``scene.edit_value(ref)``, ``scene.set_text_scale(s)``,
``scene.set_label_mode(mode)``; ``export.export_canvas(scene, path)`` writes PNG/SVG.
"""
from ...core.naming import edge_name, fmt, layer_name, neuron_name, weight_name
from .scene import NetworkScene
from .view import NetworkView

__all__ = ["NetworkScene", "NetworkView", "edge_name", "fmt", "layer_name",
           "neuron_name", "weight_name"]
