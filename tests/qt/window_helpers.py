"""The main window as the GUI tests open it: its own preferences file, error
dialogs recorded instead of shown (``window.errors``), unsaved changes
discarded at teardown (a window left open by a dialog would stay on screen
under the next tests' mouse), shown and exposed at the given size."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nnsim.qt.main_window import MainWindow
from nnsim.qt.preferences import Preferences


def open_window(qtbot, prefs_path, size=(1280, 720), document=None) -> MainWindow:
    w = MainWindow(document, preferences=Preferences(prefs_path))
    w.errors = []
    w.show_error = lambda title, message: w.errors.append(message)
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w


def type_into(qtbot, edit, text):
    """Select a field's text, type ``text`` over it and press Enter."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
