"""The data set's points as an editable table (for the Data panel).

One row per point: the training rows first, numbered 1, 2, ... as the step
bar numbers the samples, then the test rows ("test 1", ...). The columns are
the data set's inputs and targets and a "test" check box. The model holds no
points: it reads the document's data set and changes it through
``Document.set_points``, one undoable command per typed cell, paste, added
row, deleted rows or moved row. A refused edit leaves the document as it was
and is reported through ``problem`` (the panel shows it).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QTableView, QWidget

from ..core.naming import fmt
from ..core.points import row_name
from ..document import Document, EditError
from ..document.points_text import format_rows, parse_cell, parse_rows

TARGET_TINT = QColor("#f3f6fb")  # target columns, so inputs and targets read apart
SHOWN_DIGITS = 6


class PointsModel(QAbstractTableModel):
    """The document's points; edits go to the document."""

    problem = Signal(str)  # why an edit was refused, for the user

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self._shape = self._current_shape()
        document.changed.connect(self._on_document_changed)

    # -- reading the document --------------------------------------------------------
    def _current_shape(self) -> tuple[int, int]:
        ds = self.document.dataset
        return len(ds.X_train) + len(ds.X_test), ds.n_inputs + ds.n_outputs + 1

    @property
    def n_train(self) -> int:
        return len(self.document.dataset.X_train)

    @property
    def n_values(self) -> int:
        """Number columns (inputs and targets); the last column is "test"."""
        ds = self.document.dataset
        return ds.n_inputs + ds.n_outputs

    def column_names(self) -> list[str]:
        ds = self.document.dataset
        return list(ds.input_names) + list(ds.target_names)

    def table(self) -> np.ndarray:
        """All rows (training, then test) as one (rows, inputs + targets) array."""
        ds = self.document.dataset
        return np.vstack([np.hstack([ds.X_train, ds.Y_train]),
                          np.hstack([ds.X_test, ds.Y_test])])

    def _on_document_changed(self, change) -> None:
        if change.data:
            self._on_data_changed()

    def _on_data_changed(self) -> None:
        shape = self._current_shape()
        if shape == self._shape:  # same rows and columns: keep the selection
            if shape[0]:
                self.dataChanged.emit(self.index(0, 0), self.index(shape[0] - 1, shape[1] - 1))
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, shape[1] - 1)
            return
        self.beginResetModel()
        self._shape = shape
        self.endResetModel()

    # -- Qt model interface -------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._shape[1]

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        n_in = self.document.dataset.n_inputs
        if orientation == Qt.Orientation.Horizontal:
            names = self.column_names() + ["test"]
            if role == Qt.ItemDataRole.DisplayRole:
                return names[section] if section < len(names) else None
            if role == Qt.ItemDataRole.ToolTipRole:
                return ("input" if section < n_in else "target" if section < len(names) - 1
                        else "Ticked: a test row (measured, never trained on)")
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            n = self.n_train
            return str(section + 1) if section < n else f"test {section - n + 1}"
        return None

    def flags(self, index):
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.n_values:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def _value(self, row: int, col: int) -> float:
        ds, n = self.document.dataset, self.n_train
        X, Y, r = (ds.X_train, ds.Y_train, row) if row < n else (ds.X_test, ds.Y_test, row - n)
        return float(X[r, col] if col < ds.n_inputs else Y[r, col - ds.n_inputs])

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if col == self.n_values:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if row >= self.n_train else Qt.CheckState.Unchecked
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return fmt(self._value(row, col), SHOWN_DIGITS)
        if role in (Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            return repr(self._value(row, col))  # every digit: editing loses nothing
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and col >= self.document.dataset.n_inputs:
            return QBrush(TARGET_TINT)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row, col = index.row(), index.column()
        if col == self.n_values and role == Qt.ItemDataRole.CheckStateRole:
            return self.set_test(row, Qt.CheckState(value) == Qt.CheckState.Checked)
        if role != Qt.ItemDataRole.EditRole:
            return False
        try:
            number = parse_cell(str(value))
        except ValueError as e:
            self.problem.emit(f"{row_name(row, self.n_train)}, {self.column_names()[col]}: {e}")
            return False
        if number == self._value(row, col):
            return False
        table = self.table()
        table[row, col] = number
        return self._commit(table, self.n_train, f"Set {self.column_names()[col]} of "
                                                 f"{row_name(row, self.n_train)} to {number:g}")

    # -- edits ------------------------------------------------------------------------------
    def _commit(self, table: np.ndarray, n_train: int, text: str) -> bool:
        """Send the whole new table to the document (one undoable command)."""
        n_in = self.document.dataset.n_inputs
        train, test = table[:n_train], table[n_train:]
        try:
            self.document.set_points(train[:, :n_in], train[:, n_in:], test[:, :n_in],
                                     test[:, n_in:], text)
        except EditError as e:
            self.problem.emit(str(e))
            return False
        return True

    def _new_row(self) -> np.ndarray:
        """A row of zeros (one-hot on the first class for a class set)."""
        ds = self.document.dataset
        row = np.zeros(self.n_values)
        if ds.kind == "multiclass":
            row[ds.n_inputs] = 1.0
        return row

    def add_row(self, after: int | None) -> int:
        """A new row after row ``after`` (None: at the end of the training
        rows), in the same set; returns its row or -1 when refused."""
        n = self.n_train
        at = n if after is None else after + 1
        test = after is not None and after >= n
        table = np.insert(self.table(), at, self._new_row(), axis=0)
        n_train = n if test else n + 1
        ok = self._commit(table, n_train, f"Add {row_name(at, n_train)}")
        return at if ok else -1

    def remove_rows(self, rows) -> bool:
        rows = sorted(set(rows))
        if not rows:
            return False
        n = self.n_train
        text = (f"Delete {row_name(rows[0], n)}" if len(rows) == 1
                else f"Delete {len(rows)} rows")
        table = np.delete(self.table(), rows, axis=0)
        return self._commit(table, n - sum(r < n for r in rows), text)

    def set_test(self, row: int, test: bool) -> bool:
        """Move a row into the test rows (first of them) or back into the
        training rows (last of them)."""
        n = self.n_train
        if (row >= n) == test:
            return False
        table = self.table()
        moved = table[row]
        table = np.delete(table, row, axis=0)
        n_train = n - 1 if test else n + 1
        table = np.insert(table, n_train - (0 if test else 1), moved, axis=0)
        where = "the test rows" if test else "the training rows"
        return self._commit(table, n_train, f"Move {row_name(row, n)} to {where}")

    def paste(self, text: str, row: int, col: int) -> tuple[int, int] | None:
        """Write pasted rows from (row, col) down, over existing rows of that
        set and on as new rows; returns the pasted block's (rows, columns)."""
        col = min(col, self.n_values - 1)
        try:
            block = parse_rows(text, self.n_values - col)
        except ValueError as e:
            self.problem.emit(f"Nothing pasted: {e}")
            return None
        table, n = self.table(), self.n_train
        in_test = n <= row < len(table)  # an empty table takes training rows
        end_of_set = len(table) if in_test else n
        extra = max(row + len(block) - end_of_set, 0)
        if extra and (col != 0 or block.shape[1] != self.n_values):
            self.problem.emit(
                f"Nothing pasted: {len(block)} rows from {row_name(row, n)} go past the last "
                f"{'test' if in_test else 'training'} row, and new rows need all "
                f"{self.n_values} values ({', '.join(self.column_names())}); paste them into "
                f"the first column")
            return None
        if extra:
            table = np.insert(table, end_of_set, np.zeros((extra, self.n_values)), axis=0)
        table[row:row + len(block), col:col + block.shape[1]] = block
        n_train = n if in_test else n + extra
        what = "1 row" if len(block) == 1 else f"{len(block)} rows"
        ok = self._commit(table, n_train, f"Paste {what} at {row_name(row, n)}")
        return block.shape if ok else None

    def copy_text(self, indexes) -> str:
        """The number cells of ``indexes`` (their bounding block), tab-separated."""
        cells = [(i.row(), i.column()) for i in indexes if i.column() < self.n_values]
        if not cells:
            return ""
        rows = sorted({r for r, _ in cells})
        cols = sorted({c for _, c in cells})
        table = self.table()
        return format_rows(table[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])


class PointsView(QTableView):
    """The points table: type into a cell, Ctrl+C / Ctrl+V, Delete removes the
    selected rows."""

    def __init__(self, model: PointsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("points_table")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setAlternatingRowColors(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        model.modelReset.connect(self._after_reset)
        self._keep: tuple[int, int] | None = None

    @property
    def points(self) -> PointsModel:
        return self.model()

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.selectionModel().selectedIndexes()}
                      | ({self.currentIndex().row()} if self.currentIndex().isValid()
                         and not self.selectionModel().hasSelection() else set()))

    def go_to(self, row: int, col: int) -> None:
        """Make (row, col) the current cell (clamped to the table)."""
        m = self.points
        if m.rowCount() == 0:
            return
        index = m.index(min(max(row, 0), m.rowCount() - 1), min(max(col, 0), m.columnCount() - 1))
        self.setCurrentIndex(index)
        self.scrollTo(index)

    def _after_reset(self) -> None:
        if self._keep is not None:
            self.go_to(*self._keep)

    def _keeping(self, row: int, col: int):
        self._keep = (row, col)

    # -- actions -------------------------------------------------------------------------
    def add_row(self) -> None:
        cur = self.currentIndex()
        after = cur.row() if cur.isValid() else None
        self._keeping(-1, 0)
        row = self.points.add_row(after)
        if row >= 0:
            self.go_to(row, 0)

    def delete_rows(self) -> None:
        rows = self.selected_rows()
        if not rows:
            self.points.problem.emit("Select the rows to delete first.")
            return
        self._keeping(rows[0], max(self.currentIndex().column(), 0))
        self.points.remove_rows(rows)

    def copy(self) -> None:
        text = self.points.copy_text(self.selectionModel().selectedIndexes()
                                     or [self.currentIndex()])
        if text:
            QApplication.clipboard().setText(text)

    def paste(self) -> None:
        cur = self.currentIndex()
        row, col = (cur.row(), cur.column()) if cur.isValid() else (0, 0)
        if self.points.rowCount() == 0:
            row, col = 0, 0
        self._keeping(row, col)
        shape = self.points.paste(QApplication.clipboard().text(), row, col)
        if shape is not None:
            self.go_to(row, col)
            last = self.points.index(row + shape[0] - 1, col + shape[1] - 1)
            self.selectionModel().select(
                type(self.selectionModel().selection())(self.points.index(row, col), last),
                QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif event.key() == Qt.Key.Key_Delete and self.state() != self.State.EditingState:
            self.delete_rows()
        else:
            super().keyPressEvent(event)
