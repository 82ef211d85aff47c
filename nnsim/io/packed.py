"""Big arrays in a ``.nnsim`` file, packed (format version 2).

An array of more than :data:`PACK_ABOVE` numbers (a long loss history, the
points of a big CSV import, the weights of a network trained from the command
line) is written as one JSON object instead of a list of lists::

    {"dtype": "<f8", "shape": [1000000, 10], "encoding": "shuffle+zlib+base64",
     "data": "eJzs..."}

``data`` is the array's float64 values, little-endian, row by row, with their
bytes *shuffled* (the first byte of every value, then the second byte of every
value, ... : the sign, exponent and leading mantissa bytes of neighbouring
values are alike, which zlib then packs well), compressed with zlib and written
as base64 (RFC 4648, one line). Every value, NaN payloads and -0.0 included,
comes back bit for bit; the text stays JSON and nothing is unpickled.

Smaller arrays stay readable lists (the weights of a teaching network, the
points of a hand-made data set). ``docs/file-format.md`` documents both forms.
"""
from __future__ import annotations

import base64
import binascii
import zlib

import numpy as np

from ..core.limits import MAX_PARAMETERS
from .errors import Invalid
from .validators import _describe, _index_path, _n, _plural

# Arrays of more numbers than this are packed; up to it they stay lists.
PACK_ABOVE = 10_000
# The most numbers one packed array may unpack to (400 MB of float64):
# checked from ``shape`` before anything is decompressed, so a small file
# cannot unpack into an absurd amount of memory.
MAX_PACKED_VALUES = MAX_PARAMETERS

DTYPE = "<f8"
ENCODING = "shuffle+zlib+base64"
PACKED_KEYS = ("dtype", "shape", "encoding", "data")
_ZLIB_LEVEL = 1  # the fastest level: shuffled floats gain little from higher ones


def is_packed(v) -> bool:
    """Whether a parsed value is a packed array (an object with ``data``)."""
    return isinstance(v, dict) and "data" in v


def pack(a: np.ndarray) -> dict:
    """The packed object of a float64 array (any shape)."""
    a = np.ascontiguousarray(a, dtype=DTYPE)
    raw = a.view(np.uint8).reshape(-1, 8).T.tobytes() if a.size else b""
    data = base64.b64encode(zlib.compress(raw, _ZLIB_LEVEL)).decode("ascii")
    return {"dtype": DTYPE, "shape": list(a.shape), "encoding": ENCODING, "data": data}


def _shape(v, path: str, want: tuple) -> tuple[int, ...]:
    """``shape`` checked against ``want`` (None where any length goes)."""
    words = "x".join("n" if w is None else str(w) for w in want)
    expected = f"expected a shape [{', '.join('n' if w is None else str(w) for w in want)}]"
    if not (isinstance(v, list) and all(type(x) is int and x >= 0 for x in v)):
        raise Invalid(path, f"{expected} (whole numbers of at least 0), got {_describe(v)}")
    if len(v) != len(want) or any(w is not None and w != x for w, x in zip(want, v)):
        got = "x".join(map(str, v)) if v else "no dimensions"
        raise Invalid(path, f"{expected} ({words}), got {got}")
    return tuple(v)


def unpack(v, path: str, want: tuple, finite: bool = True) -> np.ndarray:
    """The float64 array of a packed object, of the shape ``want`` (None for
    a length that may be anything). With ``finite``, NaN and infinities are
    refused naming the index, as in a list."""
    for key in v:
        if key not in PACKED_KEYS:
            raise Invalid(f"{path}.{key}", "unknown key in a packed array (expected "
                                           f"{', '.join(PACKED_KEYS)})")
    if v.get("dtype") != DTYPE:
        raise Invalid(path + ".dtype", f"expected \"{DTYPE}\" (little-endian 64-bit floats), "
                                       f"got {_describe(v.get('dtype'))}")
    if v.get("encoding") != ENCODING:
        raise Invalid(path + ".encoding", f"expected \"{ENCODING}\", got "
                                          f"{_describe(v.get('encoding'))}")
    shape = _shape(v.get("shape"), path + ".shape", want)
    count = int(np.prod(shape, dtype=object)) if shape else 1
    if count > MAX_PACKED_VALUES:
        raise Invalid(path + ".shape", f"expected at most {_n(MAX_PACKED_VALUES)} numbers in "
                                       f"one array, got {_n(count)}")
    text = v.get("data")
    if not isinstance(text, str):
        raise Invalid(path + ".data", f"expected base64 text, got {_describe(text)}")
    try:
        packed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(path + ".data", "expected base64 text (A-Z, a-z, 0-9, +, / and = "
                                      "padding), got other characters") from None
    size = count * 8
    try:
        d = zlib.decompressobj()
        raw = d.decompress(packed, size)  # never more than the shape promises
        complete = d.eof and not d.unconsumed_tail and not d.unused_data
    except zlib.error:
        raise Invalid(path + ".data", "expected zlib-compressed numbers, got data zlib "
                                      "cannot unpack") from None
    if len(raw) != size or not complete:
        raise Invalid(path + ".data", f"expected {_plural(count, 'number')} "
                                      f"({_n(size)} bytes unpacked) for the shape "
                                      f"{list(shape)}, got "
                                      + ("more" if len(raw) == size else f"{_n(len(raw))} bytes"))
    a = np.frombuffer(raw, np.uint8).reshape(8, count).T.copy().view(DTYPE).reshape(shape)
    a = a.astype(np.float64, copy=False)
    if finite:
        bad = ~np.isfinite(a)
        if bad.any():
            idx = np.argwhere(bad)[0]
            raise Invalid(_index_path(path, idx), "expected a finite number, got "
                                                  f"{float(a[tuple(idx)])!r}")
    return a
