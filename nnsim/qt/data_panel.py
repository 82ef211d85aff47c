"""The data panel (for a dock): which data set the network learns.

A built-in set with its number of points, noise, test fraction and seed, or
points imported from a CSV file; below, the points themselves as a table to
type into, paste into and pick the sample to step (``points_table``). Every
change is one undoable ``document.set_data`` (or ``set_points``) command; when
the data does not fit the network's input or output layer, the panel asks
first (``confirm_resize``). Activations and the loss never change by
themselves: when the data calls for another output
(``document.output_proposal``) the panel asks (``confirm_output``: Change or
Keep), and a change goes into the same undoable command as the data. The panel shows
the document's data and refreshes on a change of it (``changed`` with the
``data`` flag, after undo too).
"""
from __future__ import annotations

import html
import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QMessageBox, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from .live_gesture import LiveGesture
from ..core.limits import MAX_SEED
from ..core.datasets import BUILTIN, DataSpec, from_arrays
from ..core.project import ImportedData
from ..document import Document, EditError
from .csv_dialog import CSV_FILTER, CsvImportDialog
from .input_options import InputOptionsWidget
from .plain_text import plain_label
from .points_table import PointsModel, PointsView

MUTED = "#5f6368"
ERROR_COLOR = "#b00020"
IMPORTED = "__imported__"  # the combo entry of imported points
KEEP, AFRESH = "keep", "afresh"  # the answers of ask_keep_or_afresh


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def data_summary(data: DataSpec | ImportedData, dataset) -> str:
    """"circle: 160 training / 40 test points, 2 inputs, 1 target, binary"."""
    if isinstance(data, DataSpec):
        name = data.name
    else:
        name = f"imported from {data.source}" if data.source else "imported points"
    n_train, n_test = len(dataset.X_train), len(dataset.X_test)
    points = (f"{n_train:,} training / {_count(n_test, 'test point')}" if n_test
              else f"{_count(n_train, 'training point')}, no test points")
    if isinstance(data, DataSpec) and data.name == "xor_table":
        points = f"{n_train} rows, also used as the test set"
    targets = _count(dataset.n_outputs, "target")
    if dataset.kind == "multiclass":
        targets = f"{dataset.n_outputs} classes"
    return f"{name}: {points}, {_count(dataset.n_inputs, 'input')}, {targets}, {dataset.kind}"


def _sizes(data: DataSpec | ImportedData) -> tuple[int, int, str]:
    """(inputs, outputs, kind) without generating the points."""
    if isinstance(data, DataSpec):
        info = BUILTIN[data.name]
        return info.n_inputs, info.n_outputs, info.kind
    return data.X_train.shape[1], data.Y_train.shape[1], data.kind


def resize_message(data: DataSpec | ImportedData, n_inputs: int, n_outputs: int) -> str:
    """The question asked before the network is resized to fit ``data``."""
    d_in, d_out, kind = _sizes(data)
    targets = f"{d_out} classes" if kind == "multiclass" else _count(d_out, "target")
    which = [w for w, change in (("input", d_in != n_inputs), ("output", d_out != n_outputs))
             if change]
    layers = (f"{which[0]} layer" if len(which) == 1 else "input and output layers")
    return (f"The data has {_count(d_in, 'input')} and {targets}; the network has "
            f"{_count(n_inputs, 'input')} and {_count(n_outputs, 'output')}. "
            f"Resize the network's {layers}? The weights connected to "
            f"{'it' if len(which) == 1 else 'them'} will be drawn afresh.")


class DataPanel(QWidget):
    """Choose, regenerate or import the data set of a document."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("data_panel")
        self.document = document
        self.csv_dialog: CsvImportDialog | None = None
        self._csv_dir = ""

        self.set_box = QComboBox(self)
        self.set_box.setObjectName("set_box")
        for name, info in BUILTIN.items():
            self.set_box.addItem(name, name)
            self.set_box.setItemData(self.set_box.count() - 1, info.description,
                                     Qt.ItemDataRole.ToolTipRole)
        self.set_box.currentIndexChanged.connect(self._on_set_chosen)
        self.description_label = plain_label(QLabel(self))  # column names as typed
        self.description_label.setObjectName("description_label")
        self.description_label.setWordWrap(True)
        self.description_label.setStyleSheet(f"color: {MUTED};")

        self.n_box = QSpinBox(self)
        self.n_box.setObjectName("n_box")
        self.n_box.setRange(4, 1_000_000)
        self.n_box.setSingleStep(50)
        self.n_box.setGroupSeparatorShown(True)
        self.n_box.setToolTip("Points in total, training and test together")
        self.noise_box = QDoubleSpinBox(self)
        self.noise_box.setObjectName("noise_box")
        self.noise_box.setRange(0.0, 2.0)
        self.noise_box.setSingleStep(0.05)
        self.noise_box.setDecimals(3)
        self.noise_box.setToolTip("Standard deviation of the jitter added to each input")
        self.test_box = QDoubleSpinBox(self)
        self.test_box.setObjectName("test_box")
        self.test_box.setRange(0.0, 0.9)
        self.test_box.setSingleStep(0.05)
        self.test_box.setDecimals(2)
        self.test_box.setToolTip("Share of the points held out for testing")
        self.seed_box = QSpinBox(self)
        self.seed_box.setObjectName("seed_box")
        self.seed_box.setRange(0, MAX_SEED)
        self.seed_box.setToolTip("Seeds the points and the split: the same seed gives "
                                 "the same points")
        self.new_seed_button = QPushButton("New seed", self)
        self.new_seed_button.setObjectName("new_seed_button")
        self.new_seed_button.setToolTip("Draw new points: the next seed, applied at once")
        self.new_seed_button.clicked.connect(self.new_seed)
        # noise, points and test fraction apply while they change (one undo step
        # per gesture), as Playground's sliders do
        self.live = LiveGesture(self._apply_live, self)
        self.n_box.valueChanged.connect(lambda _v: self.live.changed("points"))
        self.noise_box.valueChanged.connect(lambda _v: self.live.changed("noise"))
        self.test_box.valueChanged.connect(lambda _v: self.live.changed("test fraction"))
        self.regenerate_button = QPushButton("Regenerate", self)
        self.regenerate_button.setObjectName("regenerate_button")
        self.regenerate_button.setToolTip("Make the points again with the values above")
        self.regenerate_button.clicked.connect(self.regenerate)
        self.import_button = QPushButton("Import CSV…", self)
        self.import_button.setObjectName("import_button")
        self.import_button.setToolTip("Use your own points from a CSV file")
        self.import_button.clicked.connect(self.import_csv)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("summary_label")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("message_label")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message_label.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Data set:", self.set_box)
        form.addRow("", self.description_label)
        form.addRow("Points:", self.n_box)
        form.addRow("Noise:", self.noise_box)
        form.addRow("Test fraction:", self.test_box)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed_box, 1)
        seed_row.addWidget(self.new_seed_button)
        form.addRow("Seed:", seed_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.regenerate_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.message_label)
        # feature inputs and standardisation: their own widget (qt/input_options.py)
        self.input_options = InputOptionsWidget(document, self)
        layout.addWidget(self.input_options)
        layout.addWidget(self._build_points(), 1)

        document.changed.connect(self._on_document_changed)
        self.refresh()

    def _build_points(self) -> QWidget:
        box = QWidget(self)
        self.points_model = PointsModel(self.document, self)
        self.points_model.problem.connect(self.show_message)
        self.points_view = PointsView(self.points_model, box)
        self.points_view.verticalHeader().sectionDoubleClicked.connect(self._on_row_double_clicked)
        self.points_view.selectionModel().currentChanged.connect(self._enable_points)
        self.points_model.modelReset.connect(self._enable_points)
        buttons = QHBoxLayout()
        for name, text, tip, slot in (
                ("add_row_button", "Add row", "A new row after the current one (zeros)",
                 self.points_view.add_row),
                ("delete_rows_button", "Delete rows", "Delete the selected rows (Del)",
                 self.points_view.delete_rows),
                ("copy_button", "Copy", "Copy the selected cells, tab-separated (Ctrl+C)",
                 self.points_view.copy),
                ("paste_button", "Paste", "Paste rows from a spreadsheet or text at the "
                 "current cell (Ctrl+V); a header line is skipped", self.points_view.paste),
                ("step_row_button", "Step this sample", "Trace the current training row "
                 "(or double-click its number): the step bar's Trace box picks it and "
                 "its forward pass starts",
                 self.step_current_row)):
            button = QPushButton(text, box)
            button.setObjectName(name)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            setattr(self, name, button)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.points_label = QLabel(box)
        self.points_label.setObjectName("points_label")
        self.points_label.setStyleSheet(f"color: {MUTED};")
        self.points_label.setWordWrap(True)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.points_label)
        layout.addWidget(self.points_view, 1)
        layout.addLayout(buttons)
        return box

    def sizeHint(self) -> QSize:
        return QSize(360, 560)

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()

    # -- hooks (one place, so tests can patch them) ------------------------------
    def confirm_resize(self, message: str) -> bool:
        answer = QMessageBox.question(
            self, "Resize the network?", message,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def confirm_output(self, question: str) -> bool:
        """True: change the output as proposed; False: keep it."""
        box = QMessageBox(QMessageBox.Icon.Question, "Change the output?", question,
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("output_question")
        change = box.addButton("Change", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("Keep", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(change)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is change

    def ask_keep_or_afresh(self) -> str | None:
        """Another data set of the same shape, after training: KEEP the
        trained weights (the curve goes on, the change marked on it), start
        AFRESH (new weights, new history), or None (cancel)."""
        box = QMessageBox(QMessageBox.Icon.Question, "Keep the trained weights?",
                          "The network has been trained on the current data. Keep its "
                          "weights and go on training on the new data (the loss plot marks "
                          "the change), or start afresh with new random weights and a new "
                          "history?", QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("keep_or_afresh_question")
        afresh = box.addButton("Start afresh", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("Keep the weights", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(afresh)
        box.exec()
        clicked = box.clickedButton()
        return AFRESH if clicked is afresh else KEEP if clicked is keep else None

    def ask_csv_path(self) -> str:
        start = self._csv_dir or (str(self.document.path.parent) if self.document.path else "")
        return QFileDialog.getOpenFileName(self, "Import CSV data", start, CSV_FILTER)[0]

    # -- showing the document ---------------------------------------------------
    def _on_document_changed(self, change) -> None:
        if change.data:
            self.refresh()

    def refresh(self) -> None:
        """Show the document's data in the widgets (without applying anything)."""
        data, ds = self.document.project.data, self.document.dataset
        widgets = (self.set_box, self.n_box, self.noise_box, self.test_box, self.seed_box)
        for w in widgets:
            w.blockSignals(True)
        i = self.set_box.findData(IMPORTED)
        if i >= 0:
            self.set_box.removeItem(i)
        if isinstance(data, DataSpec):
            self.set_box.setCurrentIndex(self.set_box.findData(data.name))
            self.n_box.setMinimum(4)
            self.n_box.setValue(data.n)
            self.noise_box.setValue(data.noise)
            self.test_box.setValue(data.test_fraction)
            self.seed_box.setValue(min(data.seed, MAX_SEED))
            self.description_label.setText(BUILTIN[data.name].description)
        else:
            label = f"imported: {data.source}" if data.source else "imported points"
            self.set_box.insertItem(0, label, IMPORTED)
            self.set_box.setItemData(0, "Points imported from a CSV file, saved in the "
                                        "network's file", Qt.ItemDataRole.ToolTipRole)
            self.set_box.setCurrentIndex(0)
            n = len(ds.X_train) + len(ds.X_test)
            self.n_box.setMinimum(0)  # typed points may be fewer than a built-in's 4
            self.n_box.setValue(n)  # shown, not editable: the file decides
            self.test_box.setValue(round(len(ds.X_test) / n, 2) if n else 0.0)
            self.description_label.setText(
                f"Inputs: {', '.join(data.input_names)}. "
                f"Targets: {', '.join(data.target_names)}.")
        for w in widgets:
            w.blockSignals(False)
        self._enable()
        name, _, rest = data_summary(data, ds).partition(": ")
        self.summary_label.setText(f"<b>{html.escape(name)}:</b> {html.escape(rest)}")
        self.message_label.hide()
        self._enable_points()

    def _enable_points(self, *_args) -> None:
        ds = self.document.dataset
        edited = "" if isinstance(self.document.project.data, ImportedData) else (
            " Editing them makes them your own points, saved with the file.")
        self.points_label.setText(
            f"Points ({_count(len(ds.X_train), 'training row')}, "
            f"{_count(len(ds.X_test), 'test row')}): type into a cell, or paste rows."
            f"{edited}")
        row = self.points_view.currentIndex().row()
        self.step_row_button.setEnabled(0 <= row < len(ds.X_train))
        has_rows = self.points_model.rowCount() > 0
        self.delete_rows_button.setEnabled(has_rows)
        self.copy_button.setEnabled(has_rows)

    def _enable(self) -> None:
        name = self.set_box.currentData()
        builtin = name != IMPORTED
        table = name == "xor_table"  # four fixed rows: nothing to vary
        self.n_box.setEnabled(builtin and not table)
        self.noise_box.setEnabled(builtin and not table)
        self.test_box.setEnabled(not table)
        self.seed_box.setEnabled(not table)
        self.new_seed_button.setEnabled(not table)
        self.regenerate_button.setEnabled(not table)
        tip = ("Shuffle and split the imported points again with this test fraction "
               "and seed" if not builtin else "Make the points again with the values above")
        self.regenerate_button.setToolTip(tip)

    # -- changes ------------------------------------------------------------------
    def spec(self, name: str | None = None) -> DataSpec:
        """The built-in data the widgets describe."""
        return DataSpec(name or self.set_box.currentData(), int(self.n_box.value()),
                        round(float(self.noise_box.value()), 6),
                        round(float(self.test_box.value()), 6), int(self.seed_box.value()))

    def _on_set_chosen(self, index: int) -> None:
        name = self.set_box.itemData(index)
        if name == IMPORTED:
            return
        self._enable()
        self.description_label.setText(BUILTIN[name].description)
        self.apply(self.spec(name), f"Use data set {name}")

    def regenerate(self) -> None:
        """Apply the current values (built-in: make the points; imported: split again)."""
        data = self.document.project.data
        if isinstance(data, ImportedData):
            self.apply(self._resplit(data), "Split imported data again")
        else:
            spec = self.spec()
            self.apply(spec, f"Regenerate {spec.name}")

    def _apply_live(self, key: tuple) -> None:
        """A live control changed: the data again with the widgets' values,
        merged into the gesture's one undo step."""
        control, _gesture = key
        data = self.document.project.data
        if isinstance(data, ImportedData):
            if control != "test fraction":
                return
            self.apply(self._resplit(data), "Set the test fraction of imported data to "
                       f"{self.test_box.value():g}", merge_key=("live data", key))
            return
        spec = self.spec()
        value = {"points": f"{spec.n:,}", "noise": f"{spec.noise:g}",
                 "test fraction": f"{spec.test_fraction:g}"}[control]
        self.apply(spec, f"Set {control} of {spec.name} to {value}",
                   merge_key=("live data", key))

    def new_seed(self) -> None:
        self.seed_box.setValue((self.seed_box.value() + 1) % (MAX_SEED + 1))
        data = self.document.project.data
        if isinstance(data, ImportedData):
            self.apply(self._resplit(data), "New split of imported data")
        else:
            spec = self.spec()
            self.apply(spec, f"New seed for {spec.name}")

    def _resplit(self, data: ImportedData) -> ImportedData:
        X = np.vstack([data.X_train, data.X_test])
        Y = np.vstack([data.Y_train, data.Y_test])
        ds = from_arrays(X, Y, test_fraction=round(float(self.test_box.value()), 6),
                         seed=int(self.seed_box.value()), input_names=data.input_names,
                         target_names=data.target_names, kind=data.kind)
        return ImportedData(ds.X_train, ds.Y_train, ds.X_test, ds.Y_test,
                            list(ds.input_names), list(ds.target_names), ds.kind,
                            data.source)

    def apply(self, data: DataSpec | ImportedData, text: str, merge_key=None) -> bool:
        """Use ``data`` (one undoable command, merged with the previous one of
        the same ``merge_key``), asking first when the network must be
        resized. False when nothing changed (declined, same data, error)."""
        if isinstance(data, DataSpec) and data == self.document.project.data:
            self.refresh()
            return False
        net = self.document.network
        try:
            if not self.document.data_fits(data):
                if not self.confirm_resize(resize_message(data, net.n_inputs,
                                                          net.n_outputs)):
                    self.refresh()
                    return False
            afresh = False
            if self.document.asks_keep_or_afresh(data):
                answer = self.ask_keep_or_afresh()
                if answer is None:
                    self.refresh()
                    return False
                afresh = answer == AFRESH
            output = None
            proposal = self.document.output_proposal(data)
            if proposal is not None and self.confirm_output(proposal.question):
                output = (proposal.activation, proposal.loss)
            self.document.set_data(data, text, output=output, afresh=afresh,
                                   merge_key=merge_key)
        except (EditError, ValueError) as e:
            self.refresh()
            self.message_label.setText(str(e))
            self.message_label.show()
            return False
        return True

    # -- the points table ------------------------------------------------------------
    def step_current_row(self) -> None:
        """Trace the current training row: pin it and, between passes, take
        the first forward step so the canvas shows it."""
        row = self.points_view.currentIndex().row()
        doc = self.document
        if not 0 <= row < len(doc.dataset.X_train):
            self.show_message("Pick a training row first (test rows are not trained on).")
            return
        try:
            doc.pin_sample(row)
            if not doc.in_cycle:
                doc.micro_step()
        except EditError as e:
            self.show_message(str(e))

    def _on_row_double_clicked(self, row: int) -> None:
        # a double-click on a cell edits it; on the row's number it steps the row
        self.points_view.go_to(row, 0)
        self.step_current_row()

    # -- CSV import -------------------------------------------------------------------
    def import_csv(self) -> None:
        """Ask for a file and open the import dialog (window-modal, not blocking)."""
        path = self.ask_csv_path()
        if path:
            self.import_csv_path(path)

    def import_csv_path(self, path: str | os.PathLike) -> None:
        """Open the import dialog on this file (also for a file dropped on the window)."""
        self._csv_dir = os.path.dirname(os.fspath(path))
        if self.csv_dialog is not None:
            self.csv_dialog.deleteLater()
        dialog = CsvImportDialog(path, self)
        self.csv_dialog = dialog
        dialog.accepted.connect(lambda: self._on_import_accepted(dialog))
        dialog.open()

    def _on_import_accepted(self, dialog: CsvImportDialog) -> None:
        if dialog.imported is not None:
            self.apply(dialog.imported, f"Import {Path(dialog.path).name}")
