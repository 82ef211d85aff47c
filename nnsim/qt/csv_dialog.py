"""The CSV import dialog: pick a file, check the guessed format, say which
columns are inputs and which are targets, then read it.

The reading is ``nnsim.io.csv_import``; this dialog only shows what it found.
Every failure (a file that cannot be read, bad rows, a wrong choice of
columns) is shown as a message inside the dialog, never as a traceback. Bad
rows are listed with their line numbers, and the user may choose to skip them.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDialog,
                               QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPlainTextEdit, QProgressDialog, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.project import ImportedData
from ..document.csv_files import (MAX_ROWS, SEPARATORS, CsvCancelled, CsvData, CsvError,
                                  CsvFormat, ClassSuggestion, preview_lines, read_csv, sniff,
                                  suggest_classes, to_imported)
from .plain_text import html_text, plain_label, tooltip

CSV_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"

INPUT, TARGET, IGNORE = "input", "target", "ignore"
ROLES = (INPUT, TARGET, IGNORE)

ERROR_COLOR = "#b00020"
MUTED = "#5f6368"
# column tints: inputs like the canvas's input side, targets warm, ignored grey
ROLE_BACKGROUND = {INPUT: QColor("#e3edf9"), TARGET: QColor("#fdebd3"),
                   IGNORE: QColor("#f1f3f4")}
ROLE_FOREGROUND = {INPUT: QColor("#202124"), TARGET: QColor("#202124"),
                   IGNORE: QColor("#9aa0a6")}
BAD_ROW_BACKGROUND = QColor("#fbe3e6")


def _is_number(text: str, decimal_comma: bool) -> bool:
    t = text.strip().replace(",", ".") if decimal_comma else text.strip()
    try:
        float(t)
    except ValueError:
        return False
    return "_" not in t


class CsvImportDialog(QDialog):
    """Import a CSV file as training data. After ``exec()``/``open()`` and
    acceptance, ``imported`` holds the ImportedData (else None) and
    ``csv_data`` the rows read."""

    PREVIEW_ROWS = 20      # rows shown in the table
    SAMPLE_ROWS = 200      # rows looked at to suggest roles and class labels
    PROGRESS_BYTES = 2_000_000  # bigger files show a progress dialog while read

    def __init__(self, path: str | os.PathLike | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("csv_import_dialog")
        self.setWindowTitle("Import CSV data")
        self.imported: ImportedData | None = None
        self.csv_data: CsvData | None = None
        self.path: Path | None = None
        self.fmt: CsvFormat | None = None
        self.column_names: list[str] = []
        self.role_boxes: list[QComboBox] = []
        self._sample: list[tuple[int, list[str]]] = []
        self._suggestion: ClassSuggestion | None = None
        self._bad_lines: set[int] = set()
        self._column_widths: list[int] = []
        self.progress_dialog: QProgressDialog | None = None

        # -- the file and its format
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("file_edit")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("No file chosen")
        self.choose_button = QPushButton("Choose…", self)
        self.choose_button.setObjectName("choose_button")
        self.choose_button.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)

        self.separator_box = QComboBox(self)
        self.separator_box.setObjectName("separator_box")
        for sep, name in SEPARATORS.items():
            shown = "Tab" if sep == "\t" else f"{name.capitalize()}  {sep}"
            self.separator_box.addItem(shown, sep)
        self.separator_box.setToolTip("The character between the values of a row")
        self.decimal_box = QCheckBox("Decimal comma (1,5)", self)
        self.decimal_box.setObjectName("decimal_box")
        self.decimal_box.setToolTip("Numbers are written with a comma: 1,5 means 1.5 "
                                    "(needs semicolon or tab between values)")
        self.header_box = QCheckBox("First row holds column names", self)
        self.header_box.setObjectName("header_box")
        self.format_label = QLabel(self)
        self.format_label.setObjectName("format_label")
        self.format_label.setStyleSheet(f"color: {MUTED};")
        for w in (self.separator_box,):
            w.currentIndexChanged.connect(self._on_format_changed)
        for w in (self.decimal_box, self.header_box):
            w.toggled.connect(self._on_format_changed)
        fmt_row = QHBoxLayout()
        fmt_row.addWidget(QLabel("Separator:", self))
        fmt_row.addWidget(self.separator_box)
        fmt_row.addSpacing(12)
        fmt_row.addWidget(self.decimal_box)
        fmt_row.addSpacing(12)
        fmt_row.addWidget(self.header_box)
        fmt_row.addStretch(1)

        # -- the preview with a role per column
        self.table = QTableWidget(self)
        self.table.setObjectName("preview_table")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setAlternatingRowColors(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        self.table.setMinimumHeight(150)
        self.preview_label = QLabel(self)
        self.preview_label.setObjectName("preview_label")
        self.preview_label.setStyleSheet(f"color: {MUTED};")
        self.preview_label.setWordWrap(True)

        # -- targets, split
        self.classes_box = QCheckBox("Encode the class labels as outputs", self)
        self.classes_box.setObjectName("classes_box")
        self.classes_box.toggled.connect(self._update_summary)
        self.classes_label = plain_label(QLabel(self))  # class labels as typed
        self.classes_label.setObjectName("classes_label")
        self.classes_label.setWordWrap(True)
        self.classes_label.setStyleSheet(f"color: {MUTED};")
        self.test_box = QDoubleSpinBox(self)
        self.test_box.setObjectName("test_box")
        self.test_box.setRange(0.0, 0.9)
        self.test_box.setSingleStep(0.05)
        self.test_box.setDecimals(2)
        self.test_box.setValue(0.2)
        self.test_box.setToolTip("Share of the rows held out for testing (0 = none)")
        self.test_box.valueChanged.connect(self._update_summary)
        self.seed_box = QSpinBox(self)
        self.seed_box.setObjectName("seed_box")
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setToolTip("Seeds the shuffle that splits training and test rows")
        split_row = QHBoxLayout()
        split_row.addWidget(self.test_box)
        split_row.addSpacing(16)
        split_row.addWidget(QLabel("Seed:", self))
        split_row.addWidget(self.seed_box)
        split_row.addStretch(1)
        options = QFormLayout()
        options.addRow("Test fraction:", split_row)
        self.summary_label = QLabel(self)  # rich text: names go in through html_text
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setObjectName("summary_label")
        self.summary_label.setWordWrap(True)

        # -- problems
        self.message_label = plain_label(QLabel(self))  # messages quote the file's text
        self.message_label.setObjectName("message_label")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message_label.hide()
        self.bad_rows_view = QPlainTextEdit(self)
        self.bad_rows_view.setObjectName("bad_rows_view")
        self.bad_rows_view.setReadOnly(True)
        self.bad_rows_view.setFixedHeight(self.bad_rows_view.fontMetrics().height() * 5 + 12)
        self.bad_rows_view.hide()
        self.skip_box = QCheckBox("Skip these rows and import the rest", self)
        self.skip_box.setObjectName("skip_box")
        self.skip_box.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.import_button.setObjectName("import_button")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        file_group = QGroupBox("File", self)
        fg = QVBoxLayout(file_group)
        fg.addLayout(file_row)
        fg.addLayout(fmt_row)
        fg.addWidget(self.format_label)
        cols_group = QGroupBox("Columns: choose what each one is", self)
        cg = QVBoxLayout(cols_group)
        cg.addWidget(self.table, 1)
        cg.addWidget(self.preview_label)
        cg.addWidget(self.classes_box)
        cg.addWidget(self.classes_label)
        layout = QVBoxLayout(self)
        layout.addWidget(file_group)
        layout.addWidget(cols_group, 1)
        layout.addLayout(options)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.bad_rows_view)
        layout.addWidget(self.skip_box)
        layout.addWidget(self.buttons)
        self.resize(780, 660)

        self._set_loaded(False)
        self.preview_label.setText("Choose a CSV file: one row per sample, one column per "
                                   "input or target, the first row may name the columns.")
        if path:
            self.set_path(path)

    # -- hooks (one place, so tests can patch them) ----------------------------
    def ask_path(self) -> str:
        start = str(self.path.parent) if self.path else ""
        return QFileDialog.getOpenFileName(self, "Import CSV data", start, CSV_FILTER)[0]

    # -- the file ------------------------------------------------------------
    def choose_file(self) -> None:
        path = self.ask_path()
        if path:
            self.set_path(path)

    def set_path(self, path: str | os.PathLike) -> None:
        """Load a file: guess its format and show the preview."""
        self.path = Path(path)
        self.file_edit.setText(str(self.path))
        self.file_edit.setToolTip(str(self.path))
        self._clear_problems()
        try:
            fmt = sniff(self.path)
        except CsvError as e:
            self._show_file_error(str(e))
            return
        self._show_format(fmt)
        self.format_label.setText(f"Detected: {fmt.describe()}. Change it above if the "
                                  "preview looks wrong.")
        self._reload(fresh=True)

    def _show_format(self, fmt: CsvFormat) -> None:
        self.fmt = fmt
        for w in (self.separator_box, self.decimal_box, self.header_box):
            w.blockSignals(True)
        self.separator_box.setCurrentIndex(self.separator_box.findData(fmt.separator))
        self.decimal_box.setChecked(fmt.decimal_comma)
        self.decimal_box.setEnabled(fmt.separator != ",")
        self.header_box.setChecked(fmt.has_header)
        for w in (self.separator_box, self.decimal_box, self.header_box):
            w.blockSignals(False)

    def format(self) -> CsvFormat:
        """The format the controls describe."""
        sep = self.separator_box.currentData()
        enc = self.fmt.encoding if self.fmt else "utf-8"
        return CsvFormat(sep, self.decimal_box.isChecked() and sep != ",",
                         self.header_box.isChecked(), enc)

    def _on_format_changed(self) -> None:
        if self.path is None:
            return
        self.decimal_box.setEnabled(self.separator_box.currentData() != ",")
        old_names = list(self.column_names)
        self.fmt = self.format()
        self._clear_problems()
        self._reload(fresh=False, old_names=old_names)

    def _show_file_error(self, message: str) -> None:
        self.column_names, self._sample = [], []
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.role_boxes = []
        self.preview_label.clear()
        self.format_label.clear()
        self._set_loaded(False)
        self._show_message(message)
        self._update_summary()

    def _set_loaded(self, ok: bool) -> None:
        self.import_button.setEnabled(ok)
        for w in (self.separator_box, self.decimal_box, self.header_box, self.test_box,
                  self.seed_box):
            w.setEnabled(ok if w is not self.decimal_box
                         else ok and self.separator_box.currentData() != ",")
        if not ok:
            self.classes_box.hide()
            self.classes_label.hide()

    # -- the preview ------------------------------------------------------------
    def _reload(self, fresh: bool, old_names: list[str] | None = None) -> None:
        old_roles = self.roles()
        try:
            names, sample = preview_lines(self.path, self.fmt, self.SAMPLE_ROWS)
        except CsvError as e:
            self._show_file_error(str(e))
            self._set_format_controls_enabled()
            return
        self.column_names, self._sample = names, sample
        if not fresh and len(old_roles) == len(names):
            roles = old_roles  # same columns: keep the user's choice
        else:
            roles = self._default_roles()
        self._fill_table(roles)
        self._set_loaded(True)
        shown = min(len(sample), self.PREVIEW_ROWS)
        more = " (and more)" if len(sample) > shown else ""
        self.preview_label.setText(
            f"The first {shown} data row{'s' * (shown != 1)}{more}. Inputs feed the "
            "network's input layer; targets are what its outputs should learn.")
        self._update_classes()
        self._update_summary()

    def _set_format_controls_enabled(self) -> None:
        # a wrong format can be corrected even when the preview failed
        for w in (self.separator_box, self.header_box):
            w.setEnabled(True)
        self.decimal_box.setEnabled(self.separator_box.currentData() != ",")

    def _column_values(self, j: int) -> list[str]:
        return [cells[j] for _, cells in self._sample if j < len(cells)]

    def _default_roles(self) -> list[str]:
        """All but the last column are inputs and the last is the target;
        other columns holding mostly text (names, dates) are ignored. (A few
        typos in a column of numbers keep it an input: they are bad rows.)"""
        n = len(self.column_names)
        dc = self.fmt.decimal_comma
        roles = []
        for j in range(n):
            values = [v for v in self._column_values(j) if v]
            texts = sum(not _is_number(v, dc) for v in values)
            if j == n - 1:
                roles.append(TARGET)
            elif values and texts > len(values) / 2:
                roles.append(IGNORE)
            else:
                roles.append(INPUT)
        return roles

    def _fill_table(self, roles: list[str]) -> None:
        names, rows = self.column_names, self._sample[:self.PREVIEW_ROWS]
        self.table.clear()
        self.table.setColumnCount(len(names))
        self.table.setRowCount(len(rows) + 1)
        self.table.setHorizontalHeaderLabels(names)
        self.table.setVerticalHeaderLabels(["role"] + [f"line {line}" for line, _ in rows])
        self.role_boxes = []
        for j, name in enumerate(names):
            box = QComboBox(self.table)
            box.setObjectName(f"role_box_{j}")
            box.addItems(ROLES)
            box.setCurrentText(roles[j])
            box.setToolTip(tooltip(f"What column {name!r} is: an input of the network, a "
                                   "target it learns, or ignored"))
            box.currentIndexChanged.connect(self._on_role_changed)
            self.table.setCellWidget(0, j, box)
            self.role_boxes.append(box)
            for i, (_, cells) in enumerate(rows):
                text = cells[j] if j < len(cells) else ""
                item = QTableWidgetItem(text)
                item.setTextAlignment(
                    (Qt.AlignmentFlag.AlignRight if _is_number(text, self.fmt.decimal_comma)
                     else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i + 1, j, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        self._column_widths = [  # room for the role combo, not too wide
            min(max(self.table.columnWidth(j), self.role_boxes[j].sizeHint().width() + 4), 260)
            for j in range(len(names))]
        self._fit_columns()
        self.table.resizeRowToContents(0)
        self._tint()

    def _fit_columns(self) -> None:
        """Few columns fill the table's width; many keep their own width and scroll."""
        widths = self._column_widths
        header = self.table.horizontalHeader()
        if widths and sum(widths) < self.table.viewport().width():
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            for j, w in enumerate(widths):
                self.table.setColumnWidth(j, w)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_columns()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def roles(self) -> list[str]:
        return [b.currentText() for b in self.role_boxes]

    def set_role(self, column: int, role: str) -> None:
        """Programmatic twin of picking a role in the column's combo box."""
        self.role_boxes[column].setCurrentText(role)

    def _on_role_changed(self) -> None:
        self._clear_problems()
        self._tint()
        self._update_classes()
        self._update_summary()

    def _tint(self) -> None:
        lines = [line for line, _ in self._sample[:self.PREVIEW_ROWS]]
        for j, role in enumerate(self.roles()):
            for i, line in enumerate(lines):
                item = self.table.item(i + 1, j)
                if item is None:
                    continue
                bad = line in self._bad_lines
                item.setBackground(QBrush(BAD_ROW_BACKGROUND if bad else ROLE_BACKGROUND[role]))
                item.setForeground(QBrush(ROLE_FOREGROUND[role]))

    # -- class labels and summary ---------------------------------------------
    def _targets(self) -> list[int]:
        return [j for j, r in enumerate(self.roles()) if r == TARGET]

    def _inputs(self) -> list[int]:
        return [j for j, r in enumerate(self.roles()) if r == INPUT]

    def _update_classes(self) -> None:
        targets = self._targets()
        s = None
        if len(targets) == 1 and self.fmt is not None:
            s = suggest_classes(self._column_values(targets[0]), self.fmt.decimal_comma)
        changed = (s is None) != (self._suggestion is None) or (
            s is not None and s.labels != self._suggestion.labels)
        self._suggestion = s
        self.classes_box.setVisible(s is not None)
        self.classes_label.setVisible(s is not None)
        if s is None:
            self.classes_box.setChecked(False)
            return
        if changed:
            self.classes_box.blockSignals(True)
            self.classes_box.setChecked(s.recommended)
            self.classes_box.blockSignals(False)
        name = self.column_names[targets[0]]
        shown = ", ".join(s.labels[:8]) + (", …" if len(s.labels) > 8 else "")
        if len(s.labels) == 2:
            how = (f"Encoded, they become one output: 0 for {s.labels[0]}, "
                   f"1 for {s.labels[1]}.")
        else:
            how = "Encoded, each class gets an output that is 1 for its rows, else 0."
        self.classes_label.setText(f"{name!r} looks like class labels ({shown}). {how}")

    def _encode_classes(self) -> bool:
        return self._suggestion is not None and self.classes_box.isChecked()

    def _update_summary(self) -> None:
        if not self.role_boxes:
            self.summary_label.setText("")
            return
        ins, outs = self._inputs(), self._targets()
        names = [html_text(n) for n in self.column_names]
        labels = [html_text(n) for n in self._suggestion.labels] if self._suggestion else []
        if not ins or not outs:
            missing = "an input" if not ins else "a target"
            self.summary_label.setText(f"Choose at least one column as {missing}.")
            return
        text = (f"<b>{len(ins)} input{'s' * (len(ins) != 1)}</b> "
                f"({', '.join(names[j] for j in ins[:6])}{', …' if len(ins) > 6 else ''})"
                " \u2192 ")
        if self._encode_classes():
            k = len(self._suggestion.labels)
            text += (f"<b>{names[outs[0]]}</b> as classes: "
                     f"{'one 0/1 output' if k == 2 else f'{k} outputs, one per class'}"
                     f" ({', '.join(labels[:6])}"
                     f"{', …' if k > 6 else ''})")
        else:
            text += (f"<b>{len(outs)} target{'s' * (len(outs) != 1)}</b> "
                     f"({', '.join(names[j] for j in outs)})")
        f = self.test_box.value()
        text += f"; {round(f * 100)}% of the rows held out for testing."
        self.summary_label.setText(text)

    # -- problems -----------------------------------------------------------------
    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()
        self._grow_to_fit()

    def _grow_to_fit(self) -> None:
        """Make room for what was just shown (never shrink what the user sized)."""
        self.layout().activate()
        # wrapped labels need their height for this width, which the plain
        # minimum size does not know
        h = max(self.minimumSizeHint().height(), self.heightForWidth(self.width()))
        if h > self.height():
            self.resize(self.width(), h)

    def _clear_problems(self) -> None:
        self.message_label.hide()
        self.message_label.clear()
        self.bad_rows_view.hide()
        self.bad_rows_view.clear()
        self.skip_box.hide()
        self.skip_box.setChecked(False)
        if self._bad_lines:
            self._bad_lines = set()
            self._tint()

    def _show_bad_rows(self, e: CsvError) -> None:
        n = e.bad_count
        listed = len(e.bad_rows)
        head = (f"{n:,} row{'s' * (n != 1)} of {e.source} cannot be read"
                + (f" (the first {listed} are listed)" if listed < n else "") + ":")
        self._show_message(head)
        self.bad_rows_view.setPlainText("\n".join(e.bad_rows))
        self.bad_rows_view.show()
        self.skip_box.setText(f"Skip {'this row' if n == 1 else f'these {n:,} rows'} "
                              "and import the rest")
        self.skip_box.show()
        self._bad_lines = set(e.bad_lines)
        self._tint()
        self._grow_to_fit()

    # -- reading ------------------------------------------------------------------
    def accept(self) -> None:
        """Import: read the file with the chosen roles; stay open on failure."""
        if self.path is None or not self.role_boxes:
            self._show_message("Choose a CSV file first.")
            return
        skip = not self.skip_box.isHidden() and self.skip_box.isChecked()
        encode = self._encode_classes()
        self.message_label.hide()
        try:
            data = self._read(encode, "skip" if skip else "error")
            imported = to_imported(data, self.test_box.value(), self.seed_box.value(),
                                   source=self.path.name)
        except CsvCancelled:
            self._show_message("Import cancelled; nothing was changed.")
            return
        except CsvError as e:
            if e.bad_rows:
                self._show_bad_rows(e)
                return
            self._clear_problems()
            self._show_message(str(e))
            return
        except (ValueError, OSError, MemoryError) as e:
            self._clear_problems()
            self._show_message(f"{self.path.name}: {e}" if str(e) else
                               f"{self.path.name}: the file is too big to import")
            return
        self.csv_data, self.imported = data, imported
        super().accept()

    def _read(self, encode: bool, on_bad_row: str) -> CsvData:
        fmt = self.format()
        args = (self.path, fmt, self._inputs(), self._targets())
        kwargs = dict(encode_classes=encode, on_bad_row=on_bad_row, max_rows=MAX_ROWS)
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        if size <= self.PROGRESS_BYTES:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                return read_csv(*args, **kwargs)
            finally:
                QApplication.restoreOverrideCursor()
        pd = QProgressDialog(f"Reading {self.path.name}…", "Cancel", 0, 1000, self)
        pd.setObjectName("csv_progress")
        pd.setWindowTitle("Import CSV data")
        pd.setWindowModality(Qt.WindowModality.WindowModal)
        pd.setMinimumDuration(300)
        pd.setAutoClose(False)
        pd.setAutoReset(False)
        self.progress_dialog = pd

        def progress(fraction: float) -> bool:
            pd.setValue(int(fraction * 1000))
            QApplication.processEvents()
            return not pd.wasCanceled()
        try:
            return read_csv(*args, progress=progress, **kwargs)
        finally:
            pd.close()
            pd.deleteLater()
            self.progress_dialog = None
