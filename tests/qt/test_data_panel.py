"""The data panel and the CSV import dialog, used as a user would: pick a set,
change values and regenerate, undo, import a CSV file through the dialog,
see bad rows with their line numbers, decline a resize."""
from __future__ import annotations

import html
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog

from nnsim.core.datasets import DataSpec
from nnsim.core.project import ImportedData
from nnsim.document import Document
from nnsim.qt.csv_dialog import CsvImportDialog
from nnsim.qt.data_panel import DataPanel

SPECIES = ["setosa", "versicolor", "virginica"]


def iris_text(rows: int = 30) -> str:
    rng = np.random.default_rng(1)
    lines = ["id,sepal_length,sepal_width,petal_length,petal_width,species"]
    for i in range(rows):
        v = rng.uniform(0.1, 7.9, size=4).round(1)
        lines.append(f"{i + 1},{v[0]},{v[1]},{v[2]},{v[3]},{SPECIES[i % 3]}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def doc(qtbot):
    return Document()  # the lecture's 2-2-1 sigmoid network on the xor truth table


@pytest.fixture
def panel(qtbot, doc):
    p = DataPanel(doc)
    qtbot.addWidget(p)
    p.asked = []
    p.answer = True

    def confirm(message):
        p.asked.append(message)
        return p.answer
    p.confirm_resize = confirm
    p.proposed = []  # output questions (tests/qt/test_output_proposal.py): answered Change

    def change_output(question):
        p.proposed.append(question)
        return True
    p.confirm_output = change_output
    p.show()
    return p


def shown(label) -> str:
    """A label's text as the user reads it (rich text without its tags)."""
    return html.unescape(re.sub(r"<[^>]+>", "", label.text()))


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def pick(panel, name):
    panel.set_box.setCurrentIndex(panel.set_box.findData(name))


def open_import(qtbot, panel, path) -> CsvImportDialog:
    panel.ask_csv_path = lambda: str(path)
    click(qtbot, panel.import_button)
    dialog = panel.csv_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


# ==================================================================== built-in sets

def test_panel_shows_the_documents_data(panel):
    assert panel.set_box.currentData() == "xor_table"
    assert shown(panel.summary_label) == ("xor_table: 4 rows, also used as the test set, "
                                          "2 inputs, 1 target, binary")
    assert not panel.n_box.isEnabled() and not panel.regenerate_button.isEnabled()
    i = panel.set_box.findData("spiral")
    assert "spirals" in panel.set_box.itemData(i, Qt.ItemDataRole.ToolTipRole)


def test_picking_a_builtin_set_changes_the_data(qtbot, panel, doc):
    with qtbot.waitSignal(doc.changed, check_params_cb=lambda c: c.data):
        pick(panel, "circle")
    assert doc.project.data == DataSpec("circle", 200, 0.1, 0.2, 0)
    assert doc.dataset.name == "circle" and doc.dataset.X_train.shape == (160, 2)
    assert shown(panel.summary_label) == ("circle: 160 training / 40 test points, "
                                          "2 inputs, 1 target, binary")
    assert "circle" in panel.description_label.text()
    assert panel.n_box.isEnabled() and panel.asked == []  # it fits: nothing to ask
    assert doc.undo_stack.count() == 1


def test_new_values_apply_as_they_change_then_undo(qtbot, panel, doc):
    """Points, noise and test fraction apply live (tests/qt/test_live_data_controls.py
    has the gestures); Regenerate with the same values changes nothing."""
    pick(panel, "moons")
    panel.n_box.setValue(100)
    panel.noise_box.setValue(0.3)
    panel.test_box.setValue(0.1)
    panel.live.finish()
    assert doc.project.data == DataSpec("moons", 100, 0.3, 0.1, 0)
    assert doc.dataset.X_train.shape == (90, 2) and doc.dataset.X_test.shape == (10, 2)
    first = doc.dataset.X_train.copy()
    click(qtbot, panel.new_seed_button)
    assert panel.seed_box.value() == 1 and doc.project.data.seed == 1
    assert not np.array_equal(doc.dataset.X_train, first)
    click(qtbot, panel.regenerate_button)  # same values: no new command
    assert doc.undo_stack.count() == 5  # the set, three values, the seed

    doc.undo_stack.undo()
    assert doc.project.data.seed == 0 and panel.seed_box.value() == 0
    assert np.array_equal(doc.dataset.X_train, first)
    for _ in range(3):
        doc.undo_stack.undo()
    assert doc.project.data == DataSpec("moons", 200, 0.1, 0.2, 0)
    assert panel.n_box.value() == 200 and panel.noise_box.value() == pytest.approx(0.1)
    doc.undo_stack.undo()
    assert doc.project.data == DataSpec("xor_table")
    assert panel.set_box.currentData() == "xor_table"
    assert shown(panel.summary_label).startswith("xor_table: 4 rows")


def test_a_set_that_does_not_fit_asks_before_resizing(qtbot, panel, doc):
    pick(panel, "three_class")
    assert panel.asked == ["The data has 2 inputs and 3 classes; the network has 2 inputs "
                           "and 1 output. Resize the network's output layer? The weights "
                           "connected to it will be drawn afresh."]
    assert doc.network.sizes == [2, 2, 3] and doc.network.layers[-1].activation == "softmax"
    assert shown(panel.summary_label) == ("three_class: 160 training / 40 test points, "
                                          "2 inputs, 3 classes, multiclass")
    doc.undo_stack.undo()
    assert doc.network.sizes == [2, 2, 1] and doc.project.data == DataSpec("xor_table")


def test_declining_the_resize_changes_nothing(qtbot, panel, doc):
    panel.answer = False
    before = [p.copy() for p in doc.network.parameters()]
    pick(panel, "three_class")
    assert len(panel.asked) == 1
    assert doc.project.data == DataSpec("xor_table") and doc.undo_stack.count() == 0
    assert doc.network.sizes == [2, 2, 1]
    assert all(np.array_equal(a, b) for a, b in zip(before, doc.network.parameters()))
    assert panel.set_box.currentData() == "xor_table"  # the widget shows the truth again


# ====================================================================== CSV import

def test_import_a_csv_through_the_dialog(qtbot, panel, doc, tmp_path):
    path = tmp_path / "iris.csv"
    path.write_text(iris_text(30), encoding="utf-8")
    dialog = open_import(qtbot, panel, path)
    assert dialog.format_label.text().startswith("Detected: comma-separated, decimal point, "
                                                 "header row")
    assert dialog.column_names[-1] == "species"
    assert dialog.roles() == ["input"] * 5 + ["target"]  # default: the last is the target
    assert dialog.table.item(1, 5).text() == "setosa"
    assert dialog.table.verticalHeaderItem(1).text() == "line 2"
    assert dialog.classes_box.isVisible() and dialog.classes_box.isChecked()
    # the user: the id is no input; a quarter for testing
    dialog.role_boxes[0].setCurrentText("ignore")
    dialog.test_box.setValue(0.25)
    dialog.seed_box.setValue(5)
    assert "4 inputs" in dialog.summary_label.text()
    with qtbot.waitSignal(doc.changed, check_params_cb=lambda c: c.data):
        click(qtbot, dialog.import_button)
    assert not dialog.isVisible()

    assert panel.asked == ["The data has 4 inputs and 3 classes; the network has 2 inputs "
                           "and 1 output. Resize the network's input and output layers? "
                           "The weights connected to them will be drawn afresh."]
    data = doc.project.data
    assert isinstance(data, ImportedData) and data.source == "iris.csv"
    ds = doc.dataset
    assert ds.kind == "multiclass" and ds.target_names == SPECIES
    assert ds.input_names == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert len(ds.X_train) == 22 and len(ds.X_test) == 8
    # every row of the file is there once, with its one-hot class
    rows = np.array([[float(v) for v in line.split(",")[1:5]]
                     + list(np.eye(3)[SPECIES.index(line.split(",")[5])])
                     for line in iris_text(30).splitlines()[1:]])
    got = np.hstack([np.vstack([ds.X_train, ds.X_test]), np.vstack([ds.Y_train, ds.Y_test])])
    assert sorted(map(tuple, got)) == sorted(map(tuple, rows))
    assert doc.network.sizes == [4, 2, 3] and doc.network.loss == "cross_entropy"
    assert panel.set_box.currentText() == "imported: iris.csv"
    assert shown(panel.summary_label) == ("imported from iris.csv: 22 training / 8 test "
                                          "points, 4 inputs, 3 classes, multiclass")
    assert not panel.n_box.isEnabled() and panel.regenerate_button.isEnabled()

    doc.undo_stack.undo()  # one command: data and network together
    assert doc.project.data == DataSpec("xor_table") and doc.network.sizes == [2, 2, 1]
    assert panel.set_box.findData("__imported__") == -1


def test_a_bad_csv_shows_its_line_numbers_and_changes_nothing(qtbot, panel, doc, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,zero,1\n1,1,0\n0.5,0.5\n0.2,0.3,1\n",
                    encoding="utf-8")
    dialog = open_import(qtbot, panel, path)
    click(qtbot, dialog.import_button)
    assert dialog.isVisible() and dialog.imported is None
    assert dialog.message_label.text() == "2 rows of bad.csv cannot be read:"
    assert dialog.bad_rows_view.toPlainText() == (
        "line 4, column 'x2': 'zero' is not a number\nline 6: expected 3 values, got 2")
    assert dialog.skip_box.isVisible() and dialog.skip_box.text() == \
        "Skip these 2 rows and import the rest"
    assert doc.undo_stack.count() == 0 and doc.project.data == DataSpec("xor_table")
    assert panel.asked == []

    dialog.skip_box.setChecked(True)  # the user chooses to skip them
    with qtbot.waitSignal(doc.changed, check_params_cb=lambda c: c.data):
        click(qtbot, dialog.import_button)
    assert dialog.csv_data.skipped == [4, 6]
    ds = doc.dataset
    assert len(ds.X_train) + len(ds.X_test) == 4 and ds.kind == "binary"
    assert doc.network.sizes == [2, 2, 1] and panel.asked == []  # it fits: no question


def test_declining_the_resize_after_import_changes_nothing(qtbot, panel, doc, tmp_path):
    panel.answer = False
    path = tmp_path / "iris.csv"
    path.write_text(iris_text(9), encoding="utf-8")
    dialog = open_import(qtbot, panel, path)
    click(qtbot, dialog.import_button)
    assert len(panel.asked) == 1 and dialog.imported is not None
    assert doc.undo_stack.count() == 0 and doc.project.data == DataSpec("xor_table")
    assert doc.network.sizes == [2, 2, 1] and panel.set_box.currentData() == "xor_table"


def test_regenerate_splits_imported_points_again(qtbot, panel, doc, tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20)),
                    encoding="utf-8")
    dialog = open_import(qtbot, panel, path)
    click(qtbot, dialog.import_button)
    assert len(doc.dataset.X_test) == 4
    panel.test_box.setValue(0.5)  # applies at once
    panel.live.finish()
    assert len(doc.dataset.X_train) == len(doc.dataset.X_test) == 10
    assert doc.project.data.source == "pts.csv" and doc.undo_stack.count() == 2
    first = doc.dataset.X_train.copy()
    click(qtbot, panel.regenerate_button)  # the same fraction, shuffled again
    assert len(doc.dataset.X_train) == len(doc.dataset.X_test) == 10
    assert not np.array_equal(doc.dataset.X_train, first)
    assert doc.undo_stack.count() == 3


# ====================================================================== the dialog

def test_dialog_format_controls_override_the_guess(qtbot, tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("a;b;y\n1,5;2,25;0\n3,0;4;1\n", encoding="utf-8")
    dialog = CsvImportDialog(path)
    qtbot.addWidget(dialog)
    assert dialog.separator_box.currentData() == ";" and dialog.decimal_box.isChecked()
    assert dialog.header_box.isChecked() and dialog.column_names == ["a", "b", "y"]
    dialog.header_box.setChecked(False)
    assert dialog.column_names == ["column 1", "column 2", "column 3"]
    assert dialog.table.item(1, 0).text() == "a"
    dialog.header_box.setChecked(True)
    dialog.separator_box.setCurrentIndex(dialog.separator_box.findData(","))
    assert not dialog.decimal_box.isEnabled()
    assert len(dialog.column_names) == 1  # "a;b;y" is one column with commas
    dialog.separator_box.setCurrentIndex(dialog.separator_box.findData(";"))
    dialog.decimal_box.setChecked(True)
    dialog.accept()
    assert dialog.imported.X_train.shape[1] == 2
    assert sorted(np.vstack([dialog.imported.X_train, dialog.imported.X_test])[:, 0]) == [1.5, 3.0]


def test_dialog_shows_file_problems_as_messages(qtbot, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"caf\xe9,prix\n1,2\n")
    dialog = CsvImportDialog(path)
    qtbot.addWidget(dialog)
    assert dialog.message_label.text() == ('latin.csv: line 1: byte 0xE9 is not UTF-8 text; '
                                           'save the file as UTF-8 (in Excel: "CSV UTF-8")')
    assert not dialog.import_button.isEnabled()
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    dialog.ask_path = lambda: str(empty)
    click(qtbot, dialog.choose_button)
    assert dialog.message_label.text() == "empty.csv: the file is empty"
    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,0\n", encoding="utf-8")
    dialog.ask_path = lambda: str(good)
    click(qtbot, dialog.choose_button)
    assert dialog.message_label.isHidden() and dialog.import_button.isEnabled()
    dialog.set_role(1, "ignore")
    assert dialog.summary_label.text() == "Choose at least one column as a target."
    dialog.accept()
    assert dialog.message_label.text() == ("good.csv: no target column is chosen; choose "
                                           "at least one")
    dialog.set_role(0, "target")
    dialog.set_role(1, "target")
    dialog.accept()
    assert "no input column" in dialog.message_label.text() and dialog.imported is None


def test_text_columns_default_to_ignore_and_labels_can_stay_numbers(qtbot, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,age,level\nann,31,0\nbob,42,2\ncid,25,1\n", encoding="utf-8")
    dialog = CsvImportDialog(path)
    qtbot.addWidget(dialog)
    assert dialog.roles() == ["ignore", "input", "target"]
    assert not dialog.classes_box.isHidden() and dialog.classes_box.isChecked()  # 0, 1, 2
    dialog.classes_box.setChecked(False)  # the user wants regression on the level
    dialog.test_box.setValue(0)
    dialog.accept()
    assert dialog.imported.kind == "regression"
    assert sorted(dialog.imported.Y_train.ravel()) == [0, 1, 2]


def test_big_files_are_read_with_a_progress_dialog(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(10_000)),
                    encoding="utf-8")
    monkeypatch.setattr(CsvImportDialog, "PROGRESS_BYTES", 1000)
    dialog = CsvImportDialog(path)
    qtbot.addWidget(dialog)
    seen = []
    monkeypatch.setattr(QProgressDialog, "wasCanceled",
                        lambda self: seen.append(self.value()) or True)
    dialog.accept()
    assert seen and dialog.message_label.text() == "Import cancelled; nothing was changed."
    assert dialog.imported is None
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: False)
    dialog.accept()
    assert len(dialog.csv_data.X) == 10_000 and dialog.progress_dialog is None
