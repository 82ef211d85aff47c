"""What nnsim can read safely: the memory a file's JSON would take, bounded
before any of it is parsed.

``json.loads`` turns three bytes ``{},`` into a 96-byte dict: a 199 MB file of
``[{},{},...]`` took 7.2 GB. So before parsing, :func:`check_loadable` counts
the characters that open lists, objects, members, items and strings (a few
``str.count`` passes, about 0.1 s per 100 MB) and estimates from them, from
above, the memory the parsed value takes (CPython 64-bit, measured by
``bench/load_memory.py``). A file whose estimate exceeds
``MEMORY_PER_BYTE`` times its size (or ``SMALL_FILE_MEMORY``, whichever is
more) is refused with one line naming the problem, before parsing.

``MAX_FILE_BYTES`` follows from it: the text itself plus at most
``MEMORY_PER_BYTE`` bytes of parsed values per byte must fit in
``LOAD_MEMORY_BUDGET``. The writer runs the same check on the text it is
about to write (``project_file.save_project``), so nnsim never writes a file
it would refuse to read.
"""
from __future__ import annotations

import sys

from ..core.limits import FILE_MAX_BYTES as MAX_FILE_BYTES
from .errors import Invalid

# Memory a load may take, at most (the figures behind it: docs/reliability.md).
LOAD_MEMORY_BUDGET = 3_000_000_000
# Parsed values may take this many bytes per byte of JSON text ...
MEMORY_PER_BYTE = 16  # files nnsim writes take up to 14 by this estimate
# ... or this many in all, whichever is more: small files load whatever their shape.
SMALL_FILE_MEMORY = 256_000_000
# The text (held while parsing), its bytes while decoding, and the parsed values
# must fit the budget: MAX_FILE_BYTES (nnsim.core.limits, with the other limits)
# is 3 GB / 18 = 166 MB, rounded down to leave room for the arrays the reader
# builds from the parsed values.
assert MAX_FILE_BYTES * (MEMORY_PER_BYTE + 2) <= LOAD_MEMORY_BUDGET

# What one parsed piece costs, from above (object header, GC header, the
# pointer that holds it, a dict's or list's spare room):
_OBJECT = 216  # a dict with up to five members (an empty one: 96)
_MEMBER = 128  # one more member of a dict: its entry and index share, and the
               # (key, value) tuple json builds it from
_LIST = 64     # a list
_ITEM = 36     # a list item or member value: a float (24) or int (28) and its pointer
_STRING = 64   # a str's header; its characters are counted with the text


def parse_memory(text: str) -> int:
    """An upper estimate of the bytes ``json.loads(text)`` allocates (with
    nnsim's hooks), for any text: counted characters times their cost, plus
    the characters themselves (strings, long numbers)."""
    objects, lists = text.count("{"), text.count("[")
    items = text.count(",") + objects + lists + 1
    chars = sys.getsizeof(text) - sys.getsizeof("")  # 1, 2 or 4 bytes a character
    return (_OBJECT * objects + _MEMBER * text.count(":") + _LIST * lists
            + _ITEM * items + _STRING * (text.count('"') // 2) + chars)


def utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8, without a copy when it is ASCII."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def allowed_memory(n_bytes: int) -> int:
    return max(MEMORY_PER_BYTE * n_bytes, SMALL_FILE_MEMORY)


def check_size(n_bytes: int) -> None:
    """:class:`Invalid` if a file of ``n_bytes`` is over the limit."""
    if n_bytes > MAX_FILE_BYTES:
        raise Invalid("", f"expected a file of at most {MAX_FILE_BYTES / 1e6:g} MB "
                          f"(what nnsim reads in {LOAD_MEMORY_BUDGET / 1e9:g} GB of "
                          f"memory), got {n_bytes / 1e6:.1f} MB")


def check_loadable(text: str, n_bytes: int) -> None:
    """:class:`Invalid` unless nnsim reads ``text`` (``n_bytes`` of UTF-8)
    within its memory budget: the one check the reader makes before parsing
    and the writer before writing."""
    check_size(n_bytes)
    need, allowed = parse_memory(text), allowed_memory(n_bytes)
    if need > allowed:
        raise Invalid("", f"expected JSON that nnsim reads in at most {allowed / 1e6:,.0f} MB "
                          f"of memory ({MEMORY_PER_BYTE} bytes per byte of file), got "
                          f"{text.count('{') + text.count('['):,} lists and objects and "
                          f"{text.count(','):,} commas in {n_bytes / 1e6:.1f} MB, which "
                          f"would take about {need / 1e6:,.0f} MB")
