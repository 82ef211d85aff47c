"""Files dropped anywhere on the window, as a file manager drops them: a drag
enters a widget, moves, and drops. A network file opens, a CSV file opens the
import dialog, anything else is refused in one line."""
import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from nnsim.examples import example_path

from window_helpers import open_window


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path / "prefs.ini")


def _mime(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    mime.setText("\n".join(str(p) for p in paths))  # file managers send the path as text too
    return mime


def drop_on(widget, *paths) -> bool:
    """Drag ``paths`` into ``widget`` and drop them; True if the drag was accepted."""
    mime = _mime(*paths)
    pos = QPoint(widget.width() // 2, widget.height() // 2)
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, move)
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, drop)
    return enter.isAccepted() and drop.isAccepted()


def test_a_network_dropped_on_the_canvas_opens(window, tmp_path):
    path = tmp_path / "dropped.nnsim"
    path.write_bytes(example_path("circle-tanh").read_bytes())
    assert drop_on(window.view.viewport(), path)
    assert window.document.path == path
    assert window.windowTitle().startswith("dropped.nnsim")
    assert window.errors == []


def test_a_dropped_network_asks_about_unsaved_changes_first(window, tmp_path):
    path = tmp_path / "dropped.nnsim"
    path.write_bytes(example_path("circle-tanh").read_bytes())
    window.document.set_weight(1, 0, 0, 0.25)
    before = window.document
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Cancel
    drop_on(window.view.viewport(), path)
    assert window.document is before and before.network.layers[0].W[0, 0] == 0.25


def test_a_csv_dropped_anywhere_opens_the_import_dialog(window, tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    # on the canvas, and on a text field that would otherwise paste the path
    for target in (window.view.viewport(), window.data_panel.noise_box.lineEdit()):
        text_before = window.data_panel.noise_box.lineEdit().text()
        assert drop_on(target, csv)
        dialog = window.data_panel.csv_dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.path == csv
        assert window.data_panel.noise_box.lineEdit().text() == text_before
        assert window.errors == []  # no "not a JSON file" for a CSV any more
        dialog.reject()


def test_other_files_are_refused_in_one_line(window, tmp_path):
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    before = window.document
    drop_on(window.view.viewport(), picture)
    assert window.document is before
    assert len(window.errors) == 1
    message = window.errors[0]
    assert "photo.png" in message and ".nnsim" in message and ".csv" in message
    assert "\n" not in message


def test_of_several_files_the_first_is_used_and_the_rest_are_named(window, tmp_path):
    first, second = tmp_path / "a.nnsim", tmp_path / "b.nnsim"
    for p in (first, second):
        p.write_bytes(example_path("circle-tanh").read_bytes())
    drop_on(window.view.viewport(), first, second)
    assert window.document.path == first
    assert "only a.nnsim" in window.statusBar().currentMessage()
