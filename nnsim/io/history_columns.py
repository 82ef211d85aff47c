"""The loss history in a ``.nnsim`` file of version 2: one column per value.

Version 1 wrote one object per epoch (about 140 bytes an epoch: 140 MB for a
million epochs, seconds to write and read). Version 2 writes the count and
one column per value::

    "history": {"epochs": 3,
                "train_loss": [0.25, 0.125, "NaN"],
                "test_loss": null,
                "train_accuracy": [0.5, 0.75, 1.0],
                "test_accuracy": null}

A column is ``null`` when no epoch has that value, a list (numbers, the texts
``"NaN"``, ``"Infinity"``, ``"-Infinity"`` and ``null`` for one missing value)
up to ``packed.PACK_ABOVE`` epochs, and a packed array beyond (16 bytes an
epoch or less for each column). Missing values of a packed column are listed
in ``missing``: ``{"test_loss": [[1, 1200]]}`` (epochs 1 to 1200, inclusive).

``v1_to_v2`` is the migration of a version-1 history (checked with the
version-1 reader, so its messages still name ``history.epochs[k]``).
"""
from __future__ import annotations

import math

import numpy as np

from ..core.history_log import EpochLog
from ..core.limits import MAX_HISTORY_EPOCHS
from ..core.project import History
from .errors import Invalid
from .history_v1 import read_history_v1
from .packed import PACK_ABOVE, is_packed, pack, unpack
from .validators import _NUMBER_TYPES, _describe, _int, _list, _n, _object, _plural

# (key, column of EpochLog, may be missing, is an accuracy); a missing value's
# flag is in column + 3 of the log.
COLUMNS = (("train_loss", 1, False, False), ("test_loss", 2, True, False),
           ("train_accuracy", 3, True, True), ("test_accuracy", 4, True, True))
HISTORY_KEYS = ("epochs",) + tuple(c[0] for c in COLUMNS) + ("missing",)
MAX_EPOCHS = MAX_HISTORY_EPOCHS  # (why this many: nnsim.core.limits)

_TEXT_OUT = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_TEXT_IN = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


# ===================================================================== writing

def _ranges(flags: np.ndarray) -> list[list[int]]:
    """[[first, last], ...] epochs (1-based, inclusive) where ``flags`` is set."""
    f = np.concatenate(([False], flags.astype(bool), [False]))
    edges = np.flatnonzero(f[1:] != f[:-1])
    return [[int(a) + 1, int(b)] for a, b in zip(edges[::2], edges[1::2])]


def _text_column(values: np.ndarray, missing: np.ndarray | None) -> list:
    out = values.tolist()
    bad = np.flatnonzero(~np.isfinite(values))
    for i in bad.tolist():
        out[i] = _TEXT_OUT[repr(out[i])]
    if missing is not None:
        for i in np.flatnonzero(missing).tolist():
            out[i] = None
    return out


def history_out(epochs) -> dict:
    """The version-2 ``history`` object of an EpochLog (or a list of EpochResult)."""
    log = epochs if isinstance(epochs, EpochLog) else EpochLog(epochs)
    c = log.columns
    n = len(c)
    obj: dict = {"epochs": n}
    missing: dict = {}
    for key, col, nullable, _ in COLUMNS:
        flags = c[:, col + 3] != 0 if nullable else None
        if n == 0 or (flags is not None and flags.all()):
            obj[key] = None
            continue
        values = c[:, col]
        if flags is not None and not flags.any():
            flags = None
        if n > PACK_ABOVE:
            if flags is not None:
                values = np.where(flags, math.nan, values)  # one canonical filler
                missing[key] = _ranges(flags)
            obj[key] = pack(values)
        else:
            obj[key] = _text_column(values, flags)
    if missing:
        obj["missing"] = missing
    return obj


# ===================================================================== reading

def _text_in(raw: list, path: str, nullable: bool, fraction: bool):
    """(values, missing flags) of a column written as a list."""
    n = len(raw)
    values = np.empty(n)
    flags = np.zeros(n, dtype=bool)
    if all(type(x) in _NUMBER_TYPES for x in raw):  # the usual case, in bulk
        try:
            values[:] = raw
        except OverflowError:
            pass
        else:
            ok = np.isfinite(values)
            if fraction:
                ok &= (values >= 0) & (values <= 1)
            if ok.all():
                return values, flags
    expected = ("a number from 0 to 1, \"NaN\"" if fraction else
                "a number, \"NaN\", \"Infinity\" or \"-Infinity\"") + \
        (" or null" if nullable else "")
    for i, x in enumerate(raw):
        if x is None and nullable:
            values[i], flags[i] = math.nan, True
            continue
        if isinstance(x, str) and x in _TEXT_IN and (not fraction or x == "NaN"):
            values[i] = _TEXT_IN[x]
            continue
        f = None
        if type(x) in _NUMBER_TYPES:
            try:
                f = float(x)
            except OverflowError:
                f = None
        if f is None or not math.isfinite(f) or (fraction and not 0.0 <= f <= 1.0):
            raise Invalid(f"{path}[{i}]", f"expected {expected}, got {_describe(x)}")
        values[i] = f
    return values, flags


def _missing_in(v, n: int, packed_keys: set) -> dict:
    out = {}
    m = _object(v, "history.missing", tuple(c[0] for c in COLUMNS if c[2]))
    for key, ranges in m.items():
        path = f"history.missing.{key}"
        if key not in packed_keys:
            raise Invalid(path, f"expected no missing list for a column written as a list or "
                                f"null (write null in the list itself), got {_describe(ranges)}")
        ranges = _list(ranges, path, "a list of [first, last] epochs")
        flags = np.zeros(n, dtype=bool)
        for i, r in enumerate(ranges):
            if not (isinstance(r, list) and len(r) == 2):
                raise Invalid(f"{path}[{i}]", f"expected [first, last] epochs, got {_describe(r)}")
            first = _int(r[0], f"{path}[{i}][0]", 1, n)
            last = _int(r[1], f"{path}[{i}][1]", first, n)
            flags[first - 1:last] = True
        out[key] = flags
    return out


def history_in(v) -> History:
    """A History from a version-2 ``history`` object."""
    h = _object(v, "history", HISTORY_KEYS)
    n = _int(h.get("epochs", 0), "history.epochs", 0, MAX_EPOCHS,
             " (how many epochs the history holds)")
    out = np.zeros((n, EpochLog.NCOLS))
    out[:, 0] = np.arange(1, n + 1)
    packed_keys = {key for key, *_ in COLUMNS if is_packed(h.get(key))}
    missing = _missing_in(h["missing"], n, packed_keys) if "missing" in h else {}
    for key, col, nullable, fraction in COLUMNS:
        path = f"history.{key}"
        raw = h.get(key, None)
        if raw is None:
            if n and not nullable:
                raise Invalid(path, f"expected the loss of each of the {_plural(n, 'epoch')}, "
                                    "got null")
            out[:, col] = math.nan
            if nullable:
                out[:, col + 3] = 1.0
            continue
        if is_packed(raw):
            values = unpack(raw, path, (n,), finite=False)
            flags = missing.get(key, np.zeros(n, dtype=bool))
            if fraction:
                bad = ~flags & ~np.isnan(values) & ~((values >= 0) & (values <= 1))
                if bad.any():
                    i = int(np.flatnonzero(bad)[0])
                    raise Invalid(f"{path}[{i}]", "expected a number from 0 to 1 or NaN, "
                                                  f"got {float(values[i])!r}")
            values = np.where(flags, math.nan, values)
        else:
            raw = _list(raw, path, f"a list of {_plural(n, 'number')}, a packed array or null")
            if len(raw) != n:
                raise Invalid(path, f"expected {_plural(n, 'value')} (one per epoch, "
                                    f"history.epochs is {_n(n)}), got {_plural(len(raw), 'item')}")
            values, flags = _text_in(raw, path, nullable, fraction)
        out[:, col] = values
        if nullable:
            out[:, col + 3] = flags
    log = EpochLog()
    log.extend_columns(out)
    return History(log)


# =================================================================== migration

def v1_to_v2(obj: dict) -> dict:
    """MIGRATIONS[0]: the version-1 history (a list of epoch objects) as
    columns; everything else is unchanged."""
    if "history" not in obj:
        return obj
    obj = dict(obj)
    obj["history"] = history_out(read_history_v1(obj["history"]).epochs)
    return obj
