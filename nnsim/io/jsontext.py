"""JSON text in and out: strict parsing with positions, canonical writing.

Parsing keeps everything a validator needs to name the field later: tokens
JSON should not hold (``NaN``, ``Infinity``, numbers beyond float64, integers
with hundreds of digits) become :class:`BadNumber` markers instead of raising
without a field, and objects remember a key that appeared twice.

Writing is deterministic: keys in the order given, two-space indentation,
floats in ``repr`` (shortest round-trip) form, a list of plain values on one
line, an object of plain values that is an item of a list on one line, a
trailing newline.
"""
from __future__ import annotations

import json
import math

from .errors import Invalid

_MAX_INT_DIGITS = 300  # beyond any float64; int() would refuse 4300+ anyway


class BadNumber:
    """A number in the text that nnsim cannot hold; ``text`` describes it."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


class JSONObject(dict):
    """A parsed JSON object; ``duplicate`` is a key that appeared twice."""

    duplicate: str | None = None


def _pairs(pairs: list) -> JSONObject:
    obj = JSONObject(pairs)
    if len(obj) != len(pairs):
        seen: set = set()
        for key, _ in pairs:
            if key in seen:
                obj.duplicate = key
                break
            seen.add(key)
    return obj


def _parse_float(s: str):
    f = float(s)
    if math.isfinite(f):
        return f
    return BadNumber(s if len(s) <= 30 else f"a number with {len(s)} characters")


def _parse_int(s: str):
    if len(s.lstrip("-")) > _MAX_INT_DIGITS:
        return BadNumber(f"a number with {len(s.lstrip('-'))} digits")
    return int(s)


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def _char(text: str, pos: int) -> str:
    if pos >= len(text):
        return "the end of the file"
    c = text[pos]
    return "a line break" if c == "\n" else repr(c)


_EXPECTING = {
    "value": "a value (a number, a string in double quotes, true, false, null, "
             "a list or an object)",
    "',' delimiter": "a comma or a closing bracket",
    "':' delimiter": "a colon after the key",
    "property name enclosed in double quotes": "a key in double quotes",
}


def _json_error(text: str, e: json.JSONDecodeError) -> Invalid:
    where, msg, got = _where(text, e.pos), e.msg, _char(text, e.pos)
    at_end = e.pos >= len(text.rstrip())
    if msg.startswith("Expecting "):
        what = _EXPECTING.get(msg[len("Expecting "):], msg[len("Expecting "):])
        if at_end:
            return Invalid(where, f"expected {what}, got the end of the file "
                                  "(is the file cut off?)")
        hint = ""
        if got in ("']'", "'}'") and text[:e.pos].rstrip().endswith(","):
            hint = " (JSON allows no comma after the last item)"
        return Invalid(where, f"expected {what}, got {got}{hint}")
    if msg.startswith("Unterminated string"):
        return Invalid(where, "expected a closing double quote for the string that "
                              "starts here, got the end of the file (is the file cut off?)")
    if msg.startswith("Extra data"):
        return Invalid(where, "expected the end of the file after the top-level "
                              f"object, got more text starting with {got}")
    if msg.startswith("Invalid control character"):
        return Invalid(where, "expected a character allowed inside a JSON string, "
                              "got a control character (write a line break as \\n)")
    if msg.startswith("Invalid \\escape") or msg.startswith("Invalid \\u"):
        return Invalid(where, "expected a JSON escape such as \\n or \\u00e9, "
                              f"got {text[e.pos:e.pos + 6]!r}")
    return Invalid(where, f"expected valid JSON, got a JSON error ({msg})")


def decode_bytes(data: bytes) -> str:
    """UTF-8 (a leading byte order mark is allowed) or :class:`Invalid`."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Invalid("", "expected UTF-8 text, got UTF-16 text (save the file as UTF-8)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise Invalid(f"line {line}, column {column}",
                      f"expected UTF-8 text, got the byte 0x{data[e.start]:02x} "
                      "(save the file as UTF-8)") from None


def parse(text: str):
    """The JSON value in ``text``, or :class:`Invalid` saying where it breaks."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise Invalid("", "expected a JSON object starting with {, got "
                          + ("an empty file" if not text else "only blank space"))
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_float=_parse_float,
                          parse_int=_parse_int, parse_constant=BadNumber)
    except json.JSONDecodeError as e:
        raise _json_error(text, e) from None
    except RecursionError:
        raise Invalid("", "expected lists and objects nested a few levels deep, "
                          "got nesting too deep to read") from None
    except MemoryError:
        raise Invalid("", "expected a file that fits in memory, got one too big "
                          "to read") from None


# -------------------------------------------------------------------- writing

def _plain(v) -> bool:
    return not isinstance(v, (list, dict))


_STRINGS: dict[str, str] = {}


def _scalar(v) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is int:
        return int.__repr__(v)
    if type(v) is float:
        if not math.isfinite(v):
            raise ValueError(f"cannot write {v!r} as JSON")  # callers check first
        return float.__repr__(v)
    if type(v) is str:
        text = _STRINGS.get(v)
        if text is None:
            text = json.dumps(v, ensure_ascii=False)
            # keys repeat (a history has five per epoch); a packed array's text
            # (megabytes, see packed.py) must not stay in memory after the save
            if len(_STRINGS) < 1000 and len(v) <= 100:
                _STRINGS[v] = text
        return text
    raise TypeError(f"cannot write a {type(v).__name__} as JSON")


# A list or object of scalars on one line, as _scalar would write each part
# (the same reprs, escapes and errors), by the json module's C encoder:
# a history of a million epochs is a million such lines.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, allow_nan=False,
                             separators=(", ", ": ")).encode


def _flat(v) -> str:
    if isinstance(v, dict) and not all(type(k) is str for k in v):
        raise TypeError("cannot write an object key that is not text")
    return _ONE_LINE(v)


def _write(v, indent: str, out: list, item_of_list: bool) -> None:
    if isinstance(v, list):
        if all(map(_plain, v)):
            out.append(_flat(v))
            return
        inner = indent + "  "
        out.append("[\n")
        for k, item in enumerate(v):
            out.append(inner)
            _write(item, inner, out, True)
            out.append(",\n" if k < len(v) - 1 else "\n")
        out.append(indent + "]")
    elif isinstance(v, dict):
        if not v:
            out.append("{}")
            return
        if item_of_list and all(map(_plain, v.values())):
            out.append(_flat(v))
            return
        inner = indent + "  "
        out.append("{\n")
        for k, (key, item) in enumerate(v.items()):
            out.append(f"{inner}{_scalar(key)}: ")
            _write(item, inner, out, False)
            out.append(",\n" if k < len(v) - 1 else "\n")
        out.append(indent + "}")
    else:
        out.append(_scalar(v))


def dump(obj) -> str:
    """Canonical text of a JSON-like value made of dict, list, str, int,
    finite float, bool and None; ends with a newline."""
    out: list[str] = []
    _write(obj, "", out, False)
    out.append("\n")
    return "".join(out)
