"""The version-1 history: a list of epoch objects. Version 2 stores the
history as columns (``history_columns``); a version-1 file is read with this
and migrated (``migrations``), so its messages stay those it always had."""
from __future__ import annotations

import math

import numpy as np

from ..core.history_log import EpochLog
from ..core.project import History
from ..core.training import EpochResult
from .errors import Invalid
from .format_rules import EPOCH_KEYS, _NONFINITE_TEXT
from .validators import _MISSING, _NUMBER_TYPES, _describe, _list, _number, _object


def _loss_number(v, path: str, nullable: bool) -> float | None:
    if v is None and nullable:
        return None
    if isinstance(v, str) and v in _NONFINITE_TEXT:
        return _NONFINITE_TEXT[v]
    return _number(v, path, "a number (or \"NaN\", \"Infinity\" for a loss that blew up)"
                   + (", or null" if nullable else ""))


def _accuracy(v, path: str) -> float | None:
    if v is None:
        return None
    if v == "NaN" and isinstance(v, str):
        return math.nan
    return _number(v, path, "a number from 0 to 1, or null", lambda f: 0.0 <= f <= 1.0)


def _history_in_bulk(raw: list) -> EpochLog | None:
    """The usual history, checked column by column (several times faster than
    entry by entry, which matters for runs of a million epochs): every entry
    an object with only the known keys, epochs numbered 1, 2, 3 ..., finite
    numbers (accuracies from 0 to 1) or null where allowed. None when
    anything differs: ``_history`` then finds and words the first problem."""
    known = frozenset(EPOCH_KEYS)
    if not all(isinstance(e, dict) and getattr(e, "duplicate", None) is None
               and e.keys() <= known for e in raw):
        return None
    n = len(raw)
    numbers = [e.get("epoch") for e in raw]
    if not (all(type(x) is int for x in numbers) and numbers == list(range(1, n + 1))):
        return None
    out = np.empty((n, EpochLog.NCOLS))
    out[:, 0] = numbers
    # (column, key, may be null, is an accuracy); a null's flag is column + 3
    for c, key, nullable, fraction in ((1, "train_loss", False, False),
                                       (2, "test_loss", True, False),
                                       (3, "train_accuracy", True, True),
                                       (4, "test_accuracy", True, True)):
        values = [e.get(key) for e in raw]
        if not all(type(x) in _NUMBER_TYPES or (x is None and nullable) for x in values):
            return None
        missing = np.array([x is None for x in values], dtype=bool)
        try:
            col = np.array([math.nan if x is None else x for x in values], dtype=np.float64)
        except OverflowError:
            return None
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(col) & ((col >= 0) & (col <= 1) if fraction else True)
        if not (ok | missing).all():
            return None
        out[:, c] = col
        if nullable:
            out[:, c + 3] = missing
    log = EpochLog()
    log.extend_columns(out)
    return log


def read_history_v1(v) -> History:
    """A version-1 history (one object per epoch), checked entry by entry
    with the messages version 1 always gave; the migration to version 2
    (``history_columns.v1_to_v2``) reads it with this."""
    h = _object(v, "history", ("epochs",))
    raw = _list(h.get("epochs", []), "history.epochs", "a list of epoch results")
    bulk = _history_in_bulk(raw)
    if bulk is not None:
        return History(bulk)
    epochs = []
    for k, item in enumerate(raw):
        path = f"history.epochs[{k}]"
        e = _object(item, path, EPOCH_KEYS)
        number = e.get("epoch", _MISSING)
        if not (type(number) is int and number == k + 1):
            raise Invalid(path + ".epoch", f"expected {k + 1} (epochs are numbered 1, 2, "
                                           f"3, ... in order), got {_describe(number)}")
        epochs.append(EpochResult(
            number,
            _loss_number(e.get("train_loss", _MISSING), path + ".train_loss", False),
            _loss_number(e.get("test_loss", None), path + ".test_loss", True),
            _accuracy(e.get("train_accuracy", None), path + ".train_accuracy"),
            _accuracy(e.get("test_accuracy", None), path + ".test_accuracy")))
    return History(epochs)
