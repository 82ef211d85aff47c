"""The small checkers the reader is built from, and the words they use.

Each checker takes a parsed JSON value and the path of its field (such as
``network.layers[0].units``), returns the value as nnsim holds it (a float, a
NumPy array, ...), or raises :class:`~nnsim.io.errors.Invalid` with that path
and one sentence: what was expected, and what the file has instead. The
describing helpers (``_describe``, ``_plural``, ``_param_note``, ...) word
those sentences; the writer uses a few of them too.

The names keep their leading underscore: they are private to ``nnsim.io``,
shared only between its modules.
"""
from __future__ import annotations

import difflib
import math
from typing import Callable

import numpy as np

from .errors import Invalid
from .jsontext import BadNumber

_MISSING = object()  # stands for a key the object leaves out: d.get(key, _MISSING)
_NUMBER_TYPES = frozenset({int, float})
_BOOL_TYPES = frozenset({bool})


# ============================================================ describing values

def _n(x: int) -> str:
    return f"{x:,}"


def _plural(n: int, word: str) -> str:
    return f"{_n(n)} {word}" + ("" if n == 1 else "s")


def _describe(v) -> str:
    """A short, safe description of any value (never recursive)."""
    if v is _MISSING:
        return "nothing (the key is missing)"
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, BadNumber):
        return v.text
    if type(v) is int:
        s = str(v) if abs(v) < 10**30 else f"a number with {len(str(abs(v)))} digits"
        return s
    if type(v) is float:
        return repr(v)
    if isinstance(v, str):
        return "the text " + repr(v if len(v) <= 40 else v[:40] + "...")
    if isinstance(v, list):
        return "an empty list" if not v else f"a list of {_plural(len(v), 'item')}"
    if isinstance(v, dict):
        return "an object {...}"
    return f"a {type(v).__name__}"


def _key(path: str, key) -> str:
    if isinstance(key, str) and key.isidentifier() and len(key) <= 60:
        return f"{path}.{key}" if path else key
    s = key if isinstance(key, str) else str(key)
    s = s if len(s) <= 40 else s[:40] + "..."
    return f"{path}[{s!r}]"


def _hint(word, choices) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _param_note(p: int) -> str:
    k, what = p // 2 + 1, "weights" if p % 2 == 0 else "biases"
    return f"the {what} of layer {k}"


# ============================================================== typed getters

def _object(v, path: str, keys: tuple[str, ...]) -> dict:
    if not isinstance(v, dict):
        where = "" if path else " at the top of the file"
        raise Invalid(path, f"expected an object {{...}}{where}, got {_describe(v)}")
    dup = getattr(v, "duplicate", None)
    if dup is not None:
        raise Invalid(_key(path, dup), "expected each key once in an object, got this "
                                       "key twice")
    for k in v:
        if k not in keys:
            if not keys:
                raise Invalid(_key(path, k), "expected no keys here, got an unknown key")
            raise Invalid(_key(path, k), f"expected one of the keys {', '.join(keys)}, "
                                         f"got an unknown key{_hint(k, keys)}")
    return v


def _int(v, path: str, lo: int, hi: int, why: str = "") -> int:
    if type(v) is int and lo <= v <= hi:
        return v
    hint = ""
    if type(v) is float and v.is_integer():
        hint = " (write whole numbers without a decimal point)"
    raise Invalid(path, f"expected a whole number from {_n(lo)} to {_n(hi)}{why}, "
                        f"got {_describe(v)}{hint}")


def _number(v, path: str, expected: str = "a finite number",
            ok: Callable[[float], bool] = lambda f: True) -> float:
    if type(v) in _NUMBER_TYPES:
        f = float(v)
        if math.isfinite(f) and ok(f):
            return f
    hint = ""
    if isinstance(v, BadNumber) or (type(v) is float and not math.isfinite(v)):
        hint = " (only finite numbers are allowed)"
    elif isinstance(v, str):
        hint = " (write numbers without quotes)"
    raise Invalid(path, f"expected {expected}, got {_describe(v)}{hint}")


def _string(v, path: str) -> str:
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise Invalid(path, "expected text, got text with an unpaired surrogate "
                                "escape such as \\ud800") from None
        return v
    raise Invalid(path, f"expected text in double quotes, got {_describe(v)}")


def _choice(v, path: str, choices) -> str:
    choices = list(choices)
    if isinstance(v, str) and v in choices:
        return v
    raise Invalid(path, f"expected one of {', '.join(choices)}, got "
                        f"{_describe(v)}{_hint(v, choices)}")


def _bool(v, path: str, why: str = "") -> bool:
    if v is True or v is False:
        return v
    hint = ""
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        hint = " (write true or false without quotes)"
    raise Invalid(path, f"expected true or false{why}, got {_describe(v)}{hint}")


def _list(v, path: str, expected: str) -> list:
    if isinstance(v, list):
        return v
    raise Invalid(path, f"expected {expected}, got {_describe(v)}")


# ====================================================================== arrays

def _index_path(path: str, idx) -> str:
    return path + "".join(f"[{int(i)}]" for i in idx)


def _rows_to_array(rows: list, path: str, cols: int, kind: str) -> np.ndarray:
    """A checked 2-D array from a list of lists of equal length ``cols``."""
    if kind == "bool":
        for i, row in enumerate(rows):
            if not set(map(type, row)) <= _BOOL_TYPES:
                j = next(j for j, x in enumerate(row) if type(x) is not bool)
                raise Invalid(f"{path}[{i}][{j}]",
                              f"expected true or false, got {_describe(row[j])}")
        return np.array(rows, dtype=bool).reshape(len(rows), cols)
    for i, row in enumerate(rows):
        if not set(map(type, row)) <= _NUMBER_TYPES:
            j = next(j for j, x in enumerate(row) if type(x) not in _NUMBER_TYPES)
            _number(row[j], f"{path}[{i}][{j}]")  # raises with the right words
    try:
        a = np.array(rows, dtype=np.float64).reshape(len(rows), cols)
    except OverflowError:
        a = None
    if a is None or not np.isfinite(a).all():
        for i, row in enumerate(rows):
            for j, x in enumerate(row):
                _number(x, f"{path}[{i}][{j}]")
    return a


def _shape_words(n_rows: int, row_lengths: set) -> str:
    if n_rows == 0:
        return "an empty list"
    return f"{n_rows}x{next(iter(row_lengths))}"


def _check_rows(v, path: str, cols: int, expected: str, kind: str) -> list:
    """v must be a list of lists (rows); returns it. Checks row types only."""
    noun = "true/false value" if kind == "bool" else "number"
    if not isinstance(v, list):
        raise Invalid(path, f"{expected}, got {_describe(v)}")
    if v and not any(isinstance(r, list) for r in v):
        raise Invalid(path, f"{expected}, got a flat list of {_plural(len(v), 'item')} "
                            "(write each row as a list: [[...], [...]])")
    for i, r in enumerate(v):
        if not isinstance(r, list):
            raise Invalid(f"{path}[{i}]", f"expected a row (a list of {_plural(cols, noun)}), "
                                          f"got {_describe(r)}")
    return v


def _matrix(v, path: str, rows: int, cols: int, note: str = "",
            kind: str = "number") -> np.ndarray:
    expected = f"expected {rows}x{cols}{note}"
    v = _check_rows(v, path, cols, expected, kind)
    lengths = {len(r) for r in v}
    if len(lengths) > 1:
        ref = cols if cols in lengths else len(v[0])
        i = next(i for i, r in enumerate(v) if len(r) != ref)
        noun = "true/false value" if kind == "bool" else "number"
        raise Invalid(f"{path}[{i}]", f"expected a row of {_plural(ref, noun)} like the "
                                      f"others ({rows}x{cols} in all), got {_n(len(v[i]))}")
    if len(v) != rows or lengths != {cols}:
        raise Invalid(path, f"{expected}, got {_shape_words(len(v), lengths)}")
    return _rows_to_array(v, path, cols, kind)


def _vector(v, path: str, n: int, note: str = "") -> np.ndarray:
    expected = f"expected a list of {_plural(n, 'number')}{note}"
    if not isinstance(v, list):
        raise Invalid(path, f"{expected}, got {_describe(v)}")
    if len(v) != n:
        raise Invalid(path, f"{expected}, got {_plural(len(v), 'item')}")
    if not set(map(type, v)) <= _NUMBER_TYPES:
        for j, x in enumerate(v):
            _number(x, f"{path}[{j}]")
    a = np.array(v, dtype=np.float64)
    if not np.isfinite(a).all():
        j = int(np.argwhere(~np.isfinite(a))[0][0])
        _number(v[j], f"{path}[{j}]")
    return a


def _table(v, path: str, cols: int, note: str, rows: int | None = None,
           rows_note: str = "", min_rows: int = 0) -> np.ndarray:
    """Rows of ``cols`` numbers (data points); ``rows`` fixed or free."""
    expected = f"expected rows of {_plural(cols, 'number')}{note}"
    v = _check_rows(v, path, cols, expected, "number")
    if rows is not None and len(v) != rows:
        raise Invalid(path, f"expected {_plural(rows, 'row')}{rows_note}, got {_n(len(v))}")
    if len(v) < min_rows:
        raise Invalid(path, f"expected at least {_plural(min_rows, 'row')}, got an empty list")
    for i, r in enumerate(v):
        if len(r) != cols and i == 0:
            raise Invalid(path, f"{expected}, got rows of {_n(len(r))}")
        if len(r) != cols:
            raise Invalid(f"{path}[{i}]", f"expected a row of {_plural(cols, 'number')} "
                                          f"like the others, got {_n(len(r))}")
    if not v:
        return np.zeros((0, cols))
    return _rows_to_array(v, path, cols, "number")
