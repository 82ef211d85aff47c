"""How a message between the app and the training process travels: a JSON
header plus raw NumPy arrays, framed by length on a byte stream (a pipe).
What the messages say is ``protocol.py``.

No pickle: a message can only ever become dicts, lists, numbers, strings and
arrays of a few plain dtypes. Floats in the header survive exactly (JSON
writes the shortest repr that reads back to the same double, and NaN and
infinities as NaN/Infinity); arrays travel as their bytes.

Layout of one message: 8 bytes little-endian length of the rest, 4 bytes
length of the header, the header (UTF-8 JSON), then the arrays' bytes one
after another in the order the header's ``"arrays"`` list names them.
"""
from __future__ import annotations

import json
import struct
from typing import BinaryIO

import numpy as np

DTYPES = ("float64", "float32", "int64", "bool")
MAX_MESSAGE = 1 << 34  # 16 GiB: a length beyond this is a broken stream, not data


class FramingError(ValueError):
    """A message that cannot be read (a broken or truncated stream)."""


def parts(header: dict, arrays: dict[str, np.ndarray] | None = None,
          borrow: frozenset[str] | set[str] = frozenset()) -> list:
    """One framed message as a list of buffers to write one after another.
    Arrays are copied, except those named in ``borrow``, which are only
    viewed: their owner promises not to change them until they are written
    (a big data set then goes out without a copy of its own)."""
    arrays = arrays or {}
    specs, blobs = [], []
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        if a.dtype.name not in DTYPES:
            raise TypeError(f"{name}: cannot send arrays of dtype {a.dtype}")
        specs.append([name, a.dtype.name, list(a.shape)])
        blobs.append(memoryview(a).cast("B") if name in borrow and a.size else a.tobytes())
    head = json.dumps({**header, "arrays": specs}, separators=(",", ":")).encode()
    body_len = 4 + len(head) + sum(len(b) for b in blobs)
    return [struct.pack("<QI", body_len, len(head)) + head, *blobs]


def pack(header: dict, arrays: dict[str, np.ndarray] | None = None) -> bytes:
    """One framed message."""
    return b"".join(parts(header, arrays))


def unpack(body: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """(header, arrays) of one message body (without its 8-byte length)."""
    if len(body) < 4:
        raise FramingError("message too short")
    (head_len,) = struct.unpack_from("<I", body, 0)
    try:
        header = json.loads(body[4:4 + head_len].decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FramingError(f"bad message header: {e}") from None
    if not isinstance(header, dict):
        raise FramingError("bad message header: not an object")
    arrays, offset = {}, 4 + head_len
    for spec in header.pop("arrays", []):
        try:
            name, dtype, shape = spec
            shape = tuple(int(s) for s in shape)
        except (TypeError, ValueError):
            raise FramingError(f"bad array description {spec!r}") from None
        if dtype not in DTYPES or any(s < 0 for s in shape):
            raise FramingError(f"bad array description {spec!r}")
        n = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        if offset + n > len(body):
            raise FramingError(f"array {name!r} runs past the end of the message")
        # a copy: the array owns its memory and is writeable
        arrays[name] = np.frombuffer(body, dtype=dtype, count=n // np.dtype(dtype).itemsize,
                                     offset=offset).reshape(shape).copy()
        offset += n
    if offset != len(body):
        raise FramingError("message has bytes left over")
    return header, arrays


def write(stream: BinaryIO, header: dict, arrays: dict[str, np.ndarray] | None = None) -> None:
    write_parts(stream, parts(header, arrays))


def write_parts(stream: BinaryIO, buffers: list) -> None:
    """Write a message made by :func:`parts` (no joined copy of it)."""
    for b in buffers:
        stream.write(b)
    stream.flush()


def read(stream: BinaryIO) -> tuple[dict, dict[str, np.ndarray]] | None:
    """The next message, or None at the end of the stream."""
    prefix = _read_exactly(stream, 8)
    if prefix is None:
        return None
    (n,) = struct.unpack("<Q", prefix)
    if n > MAX_MESSAGE:
        raise FramingError(f"message length {n} is not believable")
    body = _read_exactly(stream, n)
    if body is None:
        raise FramingError("stream ended inside a message")
    return unpack(body)


def _read_exactly(stream: BinaryIO, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            if left == n:
                return None
            raise FramingError("stream ended inside a message")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
