"""Files dropped anywhere on the main window.

A widget that accepts drops itself (the canvas's viewport, a spin box's text
field) would take a dropped file before the window saw it: the canvas
ignored it, a text field pasted its path. So the window watches the drag and
drop events of all its widgets (an event filter on the application, limited
to widgets inside this window) and takes every drag that carries local files.

What a dropped file does is decided by its name (``drop_action``): a network
file opens, a CSV file opens the import dialog, anything else gets one line
saying what nnsim can open.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

NETWORK_SUFFIXES = (".nnsim",)
DATA_SUFFIXES = (".csv", ".tsv", ".txt")

OPEN, IMPORT, REFUSE = "open", "import", "refuse"

_DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


def drop_action(path: str | Path, network_suffixes=NETWORK_SUFFIXES) -> str:
    """OPEN, IMPORT or REFUSE for a dropped file, by its suffix (any case)."""
    suffix = Path(path).suffix.lower()
    if suffix in network_suffixes:
        return OPEN
    if suffix in DATA_SUFFIXES:
        return IMPORT
    return REFUSE


def refusal(path: str | Path, network_suffixes=NETWORK_SUFFIXES) -> str:
    kinds = ", ".join(network_suffixes)
    return (f"nnsim cannot open {Path(path).name}: drop a network file ({kinds}) to "
            f"open it, or a data file ({', '.join(DATA_SUFFIXES)}) to import its points.")


def local_files(event) -> list[str]:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]


class FileDropFilter(QObject):
    """Sends every file dropped on ``window`` (or any widget in it) to
    ``on_drop(paths)``."""

    def __init__(self, window: QWidget, on_drop):
        super().__init__(window)
        self._window, self._on_drop = window, on_drop
        QApplication.instance().installEventFilter(self)
        window.destroyed.connect(self._detach)

    def _detach(self, *_args) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in _DRAG_EVENTS or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self._window:
            return False
        files = local_files(event)
        if not files:
            return False  # text and other drags: the widget's own business
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            self._on_drop(files)
        return True
