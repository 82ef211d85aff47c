"""Helpers shared by the canvas tests."""
from PySide6.QtWidgets import QApplication

from nnsim.qt.canvas import NetworkScene, NetworkView


def make_view(qtbot, doc, size=(1400, 900)):
    """A shown, fitted canvas view of ``doc``: (scene, view)."""
    scene = NetworkScene(doc)
    view = NetworkView(scene)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.fit_to_window()
    QApplication.processEvents()
    return scene, view
