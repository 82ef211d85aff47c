"""The data set's points as a user edits them row by row (NumPy only).

The Data panel's table shows the training rows first (numbered 1, 2, ... as
the step bar numbers the samples) and then the test rows ("test 1", ...).
``edited_points`` checks a whole new set of rows and wraps it as the
``ImportedData`` a file saves; every problem is one ValueError naming the row
and the column, as the table shows them.
"""
from __future__ import annotations

import numpy as np

from . import naming
from .datasets import Dataset, DataSpec
from .limits import MAX_POINT_VALUES, MAX_POINTS
from .project import ImportedData


def row_name(row: int, n_train: int) -> str:
    """The table's name of row ``row`` (0-based over training then test rows)."""
    return f"row {row + 1}" if row < n_train else f"test row {row - n_train + 1}"


def _is_binary_column(Y: np.ndarray) -> np.ndarray:
    """Per row: is the target 0 or 1."""
    return np.all((Y == 0) | (Y == 1), axis=1)


def _check(X: np.ndarray, Y: np.ndarray, offset: int, n_train: int,
           input_names: list[str], target_names: list[str], kind: str) -> None:
    names = list(input_names) + list(target_names)
    values = np.hstack([X, Y])
    bad = ~np.isfinite(values)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(f"{row_name(offset + r, n_train)}, {names[c]}: "
                         f"{values[r, c]} is not a finite number")
    if kind == "multiclass" and len(Y):
        ok = _is_binary_column(Y) & (Y.sum(axis=1) == 1)
        if not ok.all():
            r = int(np.argmin(ok))
            raise ValueError(f"{row_name(offset + r, n_train)}: the targets of a class set "
                             f"must be one-hot (one 1, the others 0), got "
                             f"{', '.join(f'{v:g}' for v in Y[r])}")


def edited_kind(kind: str, Y: np.ndarray) -> str:
    """The kind after an edit: binary targets other than 0 and 1 make the set
    a regression (the CSV import's rule); other kinds are kept."""
    if kind == "binary" and len(Y) and not _is_binary_column(Y).all():
        return "regression"
    return kind


def source_of(data: DataSpec | ImportedData) -> str:
    """What the edited points came from: "xor_table, edited"."""
    origin = data.name if isinstance(data, DataSpec) else data.source or "points"
    return origin if origin.endswith(", edited") else f"{origin}, edited"


def edited_points(data: DataSpec | ImportedData, dataset: Dataset, X_train, Y_train,
                  X_test, Y_test) -> ImportedData:
    """The points after an edit of ``data`` (whose arrays are ``dataset``):
    the same inputs and targets, checked. A built-in set becomes imported
    points, so the edit is saved with the file."""
    n_in, n_out = dataset.n_inputs, dataset.n_outputs
    arrays = []
    for a, cols, what in ((X_train, n_in, "inputs"), (Y_train, n_out, "targets"),
                          (X_test, n_in, "inputs"), (Y_test, n_out, "targets")):
        a = np.array(a, dtype=np.float64).reshape(-1, cols) if np.size(a) == 0 \
            else np.array(a, dtype=np.float64)
        if a.ndim != 2 or a.shape[1] != cols:
            raise ValueError(f"expected rows of {cols} {what}, got an array of shape {a.shape}")
        arrays.append(a)
    X, Y, Xt, Yt = arrays
    if len(X) != len(Y) or len(Xt) != len(Yt):
        raise ValueError("every row needs its inputs and its targets")
    n_rows = len(X) + len(Xt)
    if n_rows > MAX_POINTS or n_rows * (n_in + n_out) > MAX_POINT_VALUES:
        raise ValueError(f"{n_rows:,} rows are too many: the data holds at most "
                         f"{MAX_POINTS:,} rows and {MAX_POINT_VALUES:,} numbers")
    names = dict(input_names=list(dataset.input_names), target_names=list(dataset.target_names))
    _check(X, Y, 0, len(X), kind=dataset.kind, **names)
    _check(Xt, Yt, len(X), len(X), kind=dataset.kind, **names)
    kind = edited_kind(dataset.kind, np.vstack([Y, Yt]))
    return ImportedData(X, Y, Xt, Yt, names["input_names"], names["target_names"], kind,
                        source_of(data))


def _guessed_kind(Y: np.ndarray) -> str:
    """The CSV import's rule: one 0/1 column is binary, one-hot columns are
    classes, anything else is regression."""
    if Y.shape[1] == 1:
        return "binary" if len(Y) and _is_binary_column(Y).all() else "regression"
    one_hot = np.isin(Y, (0.0, 1.0)).all() and (Y.sum(axis=1) == 1).all()
    return "multiclass" if len(Y) and one_hot else "regression"


def with_column(data: DataSpec | ImportedData, dataset: Dataset, side: str,
                remove: int | None = None) -> ImportedData:
    """The points with one more input or target column (``side`` "input" or
    "target"), 0 in every row, or without column ``remove``: the data
    following a neuron added to or removed from the input or output layer."""
    if remove is None:
        def change(a):
            return np.hstack([a, np.zeros((len(a), 1))])
    else:
        def change(a):
            return np.delete(a, remove, axis=1)
    X, Y, Xt, Yt = dataset.X_train, dataset.Y_train, dataset.X_test, dataset.Y_test
    inputs, targets, kind = list(dataset.input_names), list(dataset.target_names), dataset.kind
    if side == "input":
        X, Xt = change(X), change(Xt)
        inputs = _names_after(inputs, naming.input_names(len(inputs)),
                              naming.input_names(X.shape[1]), remove, "x")
    else:
        Y, Yt = change(Y), change(Yt)
        old_defaults = naming.target_names(kind, len(targets))
        kind = _guessed_kind(np.vstack([Y, Yt]))
        targets = _names_after(targets, old_defaults, naming.target_names(kind, Y.shape[1]),
                               remove, "y")
    return ImportedData(X, Y, Xt, Yt, inputs, targets, kind, source_of(data))


def _names_after(names: list[str], old_defaults: list[str], new_defaults: list[str],
                 remove: int | None, prefix: str) -> list[str]:
    """Column names after one is added or removed: default names stay
    default (y becomes y1, y2); a user's own names are kept."""
    if names == old_defaults:
        return new_defaults
    if remove is not None:
        return [n for i, n in enumerate(names) if i != remove]
    n = len(names) + 1
    while f"{prefix}{n}" in names:
        n += 1
    return names + [f"{prefix}{n}"]
