"""The Data panel's points table, used as a lecturer would: type Matt Mazur's
one sample into the cells, step it, paste rows from a spreadsheet, undo and
redo every edit, see a bad cell refused with its row and column, save and
reopen, work with no rows and with one."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from nnsim.core.network import Network
from nnsim.core.project import ImportedData, Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document
from nnsim.qt.data_panel import DataPanel
from nnsim.qt.main_window import MainWindow
from nnsim.qt.preferences import Preferences

# Mazur, "A Step by Step Backpropagation Example": W[i, j] is from i into j
MAZUR_W1 = np.array([[0.15, 0.25], [0.20, 0.30]])
MAZUR_W2 = np.array([[0.40, 0.50], [0.45, 0.55]])


def mazur_document() -> Document:
    """Mazur's 2-2-2 sigmoid network and weights, on three regression rows of
    other numbers (the lecturer replaces them by his sample)."""
    net = Network.build(2, [2, 2], ["sigmoid", "sigmoid"], loss="mse",
                        rng=np.random.default_rng(0))
    net.layers[0].W[:], net.layers[0].b[:] = MAZUR_W1, 0.35
    net.layers[1].W[:], net.layers[1].b[:] = MAZUR_W2, 0.60
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    Y = np.array([[0.2, 0.3], [0.4, 0.5], [0.6, 0.7]])
    data = ImportedData(X, Y, X[:0], Y[:0], ["i1", "i2"], ["o1", "o2"], "regression")
    return Document(Project(net, TrainingConfig(learning_rate=0.5, shuffle=False), data))


@pytest.fixture
def panel(qtbot):
    p = DataPanel(mazur_document())
    qtbot.addWidget(p)
    p.show()
    qtbot.waitExposed(p)
    return p


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot, view, row: int, col: int, text: str) -> None:
    """Pick the cell, open its editor (F2), type and press Enter."""
    view.setCurrentIndex(view.model().index(row, col))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editors = [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1  # the cell's editor is open
    editor = editors[0]
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # the delegate commits on its next event-loop turn
    qtbot.waitUntil(lambda: view.state() != view.State.EditingState)


def shown(view, row: int, col: int) -> str:
    return view.model().index(row, col).data()


def select_all_rows(qtbot, view) -> None:
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def test_type_mazurs_sample_and_step_it(qtbot, panel):
    doc, view = panel.document, panel.points_view
    select_all_rows(qtbot, view)
    click(qtbot, panel.delete_rows_button)
    assert view.model().rowCount() == 0 and len(doc.dataset.X_train) == 0
    assert "0 training rows" in panel.points_label.text()
    click(qtbot, panel.add_row_button)
    assert view.model().rowCount() == 1
    for col, text in enumerate(["0.05", "0.10", "0.01", "0.99"]):
        type_into(qtbot, view, 0, col, text)
    np.testing.assert_array_equal(doc.project.data.X_train, [[0.05, 0.10]])
    np.testing.assert_array_equal(doc.project.data.Y_train, [[0.01, 0.99]])
    assert [shown(view, 0, c) for c in range(4)] == ["0.05", "0.1", "0.01", "0.99"]
    assert "1 training row," in panel.points_label.text()  # not "1 training rows"

    view.setCurrentIndex(view.model().index(0, 2))
    click(qtbot, panel.step_row_button)  # pins row 1 and starts its forward pass
    snap = doc.snapshot
    assert snap.step.label == "Forward layer 1" and snap.sample_indices == (0,)
    np.testing.assert_array_equal(snap.X, [[0.05, 0.10]])
    np.testing.assert_array_equal(snap.Y, [[0.01, 0.99]])
    assert snap.z[0][0, 0] == pytest.approx(0.3775)  # Mazur's net_h1
    assert snap.z[0][0, 1] == pytest.approx(0.3925)  # net_h2


def test_each_edit_is_one_undo_step(qtbot, panel):
    doc, view = panel.document, panel.points_view
    stack = doc.undo_stack
    original = doc.project.data.X_train.copy()
    type_into(qtbot, view, 1, 0, "-7.5")
    assert stack.count() == 1 and stack.undoText() == "Set i1 of row 2 to -7.5"
    assert doc.project.data.X_train[1, 0] == -7.5 and shown(view, 1, 0) == "-7.5"
    view.setCurrentIndex(view.model().index(2, 0))
    click(qtbot, panel.add_row_button)
    assert stack.count() == 2 and len(doc.dataset.X_train) == 4
    view.setCurrentIndex(view.model().index(0, 1))
    click(qtbot, panel.delete_rows_button)
    assert stack.count() == 3 and stack.undoText() == "Delete row 1"
    assert view.model().rowCount() == 3
    stack.undo()
    assert view.model().rowCount() == 4 and shown(view, 0, 0) == "1"
    stack.undo()
    assert view.model().rowCount() == 3
    stack.undo()
    np.testing.assert_array_equal(doc.project.data.X_train, original)
    assert shown(view, 1, 0) == "3"
    stack.redo()
    assert shown(view, 1, 0) == "-7.5"


def test_paste_three_rows_from_a_spreadsheet(qtbot, panel):
    doc, view = panel.document, panel.points_view
    QApplication.clipboard().setText("i1\ti2\to1\to2\n"  # the header line is skipped
                                     "0.05\t0.10\t0.01\t0.99\n"
                                     "0.5\t0.5\t0.1\t0.9\n"
                                     "-1\t2e-3\t0\t1\n")
    view.setFocus()
    view.setCurrentIndex(view.model().index(1, 0))
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    X, Y = doc.project.data.X_train, doc.project.data.Y_train
    np.testing.assert_array_equal(X, [[1, 2], [0.05, 0.10], [0.5, 0.5], [-1, 0.002]])
    np.testing.assert_array_equal(Y, [[0.2, 0.3], [0.01, 0.99], [0.1, 0.9], [0, 1]])
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Paste 3 rows at row 2"
    assert shown(view, 3, 1) == "0.002"
    doc.undo_stack.undo()
    np.testing.assert_array_equal(doc.project.data.X_train, [[1, 2], [3, 4], [5, 6]])


def test_paste_into_an_empty_table_makes_the_rows(qtbot, panel):
    doc, view = panel.document, panel.points_view
    select_all_rows(qtbot, view)
    click(qtbot, panel.delete_rows_button)
    QApplication.clipboard().setText("i1,i2,o1,o2\n0.05,0.10,0.01,0.99\n1,2,3,4\n5,6,7,8\n")
    click(qtbot, panel.paste_button)
    assert not panel.message_label.isVisible(), panel.message_label.text()
    np.testing.assert_array_equal(doc.project.data.X_train, [[0.05, 0.10], [1, 2], [5, 6]])
    assert view.model().rowCount() == 3 and shown(view, 0, 3) == "0.99"


def test_copy_then_paste_round_trips(qtbot, panel):
    doc, view = panel.document, panel.points_view
    select_all_rows(qtbot, view)
    click(qtbot, panel.copy_button)
    text = QApplication.clipboard().text()
    assert text.splitlines()[0] == "1.0\t2.0\t0.2\t0.3"
    click(qtbot, panel.add_row_button)  # a 4th row, then paste the three over rows 2-4
    view.setCurrentIndex(view.model().index(1, 0))
    click(qtbot, panel.paste_button)
    np.testing.assert_array_equal(doc.project.data.X_train, [[1, 2], [1, 2], [3, 4], [5, 6]])


@pytest.mark.parametrize("text, problem", [
    ("abc", "row 2, i2: 'abc' is not a number"),
    ("nan", "row 2, i2: 'nan' is not a finite number"),
    ("inf", "row 2, i2: 'inf' is not a finite number"),
    ("1e999", "row 2, i2: '1e999' is not a finite number"),
])
def test_a_bad_cell_is_refused_with_its_row_and_column(qtbot, panel, text, problem):
    doc, view = panel.document, panel.points_view
    before = doc.project.data
    type_into(qtbot, view, 1, 1, text)
    assert panel.message_label.isVisible() and problem in panel.message_label.text()
    assert doc.project.data is before and doc.undo_stack.count() == 0
    assert shown(view, 1, 1) == "4"


def test_a_decimal_comma_is_read_as_one(qtbot, panel):
    type_into(qtbot, panel.points_view, 1, 1, "0,25")
    assert panel.document.project.data.X_train[1, 1] == 0.25
    assert not panel.message_label.isVisible()


def test_a_bad_paste_names_the_line_and_changes_nothing(qtbot, panel):
    doc, view = panel.document, panel.points_view
    QApplication.clipboard().setText("1\t2\t3\t4\n5\tx\t7\t8\n")
    view.setCurrentIndex(view.model().index(0, 0))
    click(qtbot, panel.paste_button)
    assert "pasted line 2, column 2: 'x' is not a number" in panel.message_label.text()
    QApplication.clipboard().setText("1\t2\t3\t4\t5\n")
    click(qtbot, panel.paste_button)
    assert "5 values; there is room for 4" in panel.message_label.text()
    assert doc.undo_stack.count() == 0


def test_a_huge_paste_is_refused_with_a_message(qtbot, panel, monkeypatch):
    import nnsim.io.pasted_rows as pasted
    monkeypatch.setattr(pasted, "MAX_POINT_VALUES", 40)  # the real limit is 10 million
    QApplication.clipboard().setText("1\t2\t3\t4\n" * 11)
    panel.points_view.setCurrentIndex(panel.points_view.model().index(0, 0))
    click(qtbot, panel.paste_button)
    assert "more than 40 numbers" in panel.message_label.text()
    assert panel.document.undo_stack.count() == 0


def test_editing_a_builtin_set_makes_it_saved_points(qtbot, tmp_path):
    doc = Document()  # the lecture's network on xor_table
    panel = DataPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.points_view
    assert "Editing them makes them your own points" in panel.points_label.text()
    type_into(qtbot, view, 0, 2, "0.25")
    data = doc.project.data
    assert isinstance(data, ImportedData) and data.source == "xor_table, edited"
    assert data.kind == "regression"  # a binary target of 0.25 is not a class any more
    assert doc.undo_stack.undoText() == \
        "Set y of row 1 to 0.25 (points of xor_table, edited; now regression)"
    assert "imported: xor_table, edited" == panel.set_box.currentText()
    path = tmp_path / "typed.nnsim"
    doc.save(path)
    again = Document.open(path)
    np.testing.assert_array_equal(again.project.data.Y_train, data.Y_train)
    assert again.project.data.Y_train[0, 0] == 0.25
    doc.undo_stack.undo()
    assert doc.project.data.name == "xor_table"


def test_the_test_box_moves_a_row_to_the_test_rows(qtbot, panel):
    doc, view = panel.document, panel.points_view
    model = view.model()
    assert model.setData(model.index(2, 4), Qt.CheckState.Checked.value,
                         Qt.ItemDataRole.CheckStateRole)
    assert len(doc.dataset.X_train) == 2 and len(doc.dataset.X_test) == 1
    np.testing.assert_array_equal(doc.dataset.X_test, [[5, 6]])
    assert model.headerData(2, Qt.Orientation.Vertical) == "test 1"
    assert doc.undo_stack.undoText() == "Move row 3 to the test rows"


def test_no_rows_stepping_says_there_is_no_sample(qtbot, tmp_path):
    window = MainWindow(mazur_document(), preferences=Preferences(tmp_path / "prefs.ini"))
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    errors = []
    window.show_error = lambda title, text: errors.append(text)
    panel, view = window.data_panel, window.data_panel.points_view
    select_all_rows(qtbot, view)
    click(qtbot, panel.delete_rows_button)
    assert window.document.dataset.X_train.shape == (0, 2)
    assert not window.act_forward.isEnabled() and not window.act_step_epoch.isEnabled()
    assert "no training rows" in window.step_bar.sample_label.text()
    assert window.status_sample.text() == "Sample: none (no training rows)"
    window.step_epoch()  # the shortcut's path, even though the action is disabled
    assert errors and "no training rows" in errors[-1]
    window.training_panel.step_button.click()
    assert "no training rows" in window.training_panel.error_label.text()
    window.training_panel.play_button.click()
    assert not window.runner.is_running
    assert not panel.step_row_button.isEnabled()
    window.document.undo_stack.undo()
    assert window.act_forward.isEnabled() and view.model().rowCount() == 3


def test_step_this_sample_pins_the_row_the_step_bar_numbers_alike(qtbot, tmp_path):
    window = MainWindow(mazur_document(), preferences=Preferences(tmp_path / "prefs.ini"))
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    doc, panel = window.document, window.data_panel
    view = panel.points_view
    view.setCurrentIndex(view.model().index(2, 1))  # the row numbered 3
    click(qtbot, panel.step_row_button)
    assert doc.pinned == 2 and doc.snapshot.sample_indices == (2,)
    np.testing.assert_array_equal(doc.snapshot.X, [[5.0, 6.0]])
    assert window.step_bar.sample_box.value() == 3
    assert window.step_bar.sample_box.text() == "sample 3"
    assert "#3: x = (5, 6)" in window.step_bar.sample_label.text()
    assert "Training sample #3" in window.scene.legend.status  # the canvas agrees
    assert window.status_sample.text() == "Sample: #3"
    for _ in range(len(doc.plan) - 1):  # finish the pass
        window.step_next()
    # a double-click on a row's number traces that row: the next pass is row 1
    header = view.verticalHeader()
    y = header.sectionViewportPosition(0) + header.sectionSize(0) // 2
    qtbot.mouseDClick(header.viewport(), Qt.MouseButton.LeftButton,
                      pos=QPoint(header.width() // 2, y))
    assert doc.snapshot.sample_indices == (0,) and window.step_bar.sample_box.value() == 1
    window.step_bar.sample_box.setValue(0)  # "next in epoch": follow the epoch again
    assert doc.pinned is None
