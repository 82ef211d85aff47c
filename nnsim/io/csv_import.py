"""Reading a user's CSV file as training data (standard library and NumPy, no Qt).

Three steps, each usable on its own:

- ``sniff(path)`` guesses the format from the head of the file: the separator
  (comma, semicolon or tab), whether numbers use a decimal comma (``1,5`` with
  ``;`` or tab between values), whether the first row is a header (it holds a
  text where the rows below hold numbers), and the encoding (UTF-8, with or
  without a byte-order mark; other bytes that are not UTF-8 are reported by
  ``preview`` and ``read_csv`` with their line number).
- ``preview(path, fmt)`` returns the column names and the first rows as texts,
  reading only the head of the file.
- ``read_csv(path, fmt, inputs, targets)`` reads the chosen columns line by line
  into float64 arrays, with progress callbacks, a cancel path and caps on the
  file size (MAX_FILE_BYTES), the rows (MAX_ROWS) and the values (MAX_VALUES:
  the points are saved inside the .nnsim file), defined in ``nnsim.core.limits``.
  ``to_imported`` shuffles and splits the result into the ``ImportedData``
  that a .nnsim file saves as ``"points"``.

What is read, and how problems are reported
-------------------------------------------
- Line numbers are the file's physical lines, counted from 1; the header is
  line 1. Blank lines, and lines whose cells are all empty (``,,,`` as
  spreadsheets write them), are skipped silently wherever they are.
- Every row must have as many values as the header (or, without a header, as
  the first row). Empty cells after the last column are ignored (``1,2,3,``).
- Input and target cells must be finite numbers: ``1``, ``-0.5``, ``2e-3``;
  with a decimal comma ``1,5``. No thousands separators, no ``NaN``, ``inf`` or
  empty cells. Columns set to be ignored are never looked at, so they may hold
  names or dates.
- A *bad row* is a row with the wrong number of values or a cell that is not
  a finite number. ``on_bad_row="error"`` (the default) reads on to the end and
  then raises one ``CsvError`` whose message names the first bad row and how
  many more there are; ``e.bad_rows`` lists the first ``MAX_LISTED`` of them
  with line numbers, so a dialog can show them and offer to skip them.
  ``on_bad_row="skip"`` leaves them out and returns their line numbers in
  ``CsvData.skipped``. Everything else (empty file, only a header, bytes that
  are not UTF-8, too many rows, too big a file, a wrong choice of columns)
  stops the import at once.
- Every ``CsvError`` is one sentence that starts with the file name, e.g.
  ``iris.csv: line 7: expected 5 values, got 4``.

Class labels
------------
A target column may hold class labels rather than numbers: texts such as
``setosa`` or whole numbers ``0, 1, 2``. With ``encode_classes=True`` (and
exactly one target column) the labels are collected while reading and sorted
(numerically when all of them are numbers, else as texts). Two labels give one
0/1 column, the second label being 1 (kind ``"binary"``); K > 2 labels give K
one-hot columns, one per label in sorted order (kind ``"multiclass"``). The
columns are named after the labels (``setosa``; numbers as ``class 2``); a 0/1
column keeps its own name. ``suggest_classes`` tells a dialog when to offer
this. At most ``MAX_CLASSES`` labels are accepted.
"""
from __future__ import annotations

import csv
import io
import math
import os
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np

from ..core import naming
from ..core.datasets import from_arrays
from ..core.limits import (CSV_MAX_BYTES, CSV_MAX_CLASSES, CSV_MAX_COLUMNS, CSV_MAX_LINE_CHARS,
                           CSV_MAX_VALUES, DATA_MAX_N)
from ..core.project import ImportedData
from .regular_files import NotARegularFile, open_regular_file

__all__ = [
    "MAX_FILE_BYTES", "MAX_ROWS", "MAX_COLUMNS", "MAX_VALUES", "MAX_CLASSES", "MAX_LISTED",
    "SEPARATORS", "CsvFormat", "CsvData", "CsvError", "CsvCancelled",
    "ClassSuggestion", "sniff", "preview", "preview_lines", "read_csv", "suggest_classes",
    "to_imported",
]

# the limits (defined in nnsim.core.limits), under this module's names
MAX_FILE_BYTES = CSV_MAX_BYTES       # bigger files are refused before reading
MAX_ROWS = DATA_MAX_N                # data rows (the built-in sets' limit too)
MAX_COLUMNS = CSV_MAX_COLUMNS
MAX_VALUES = CSV_MAX_VALUES
MAX_CLASSES = CSV_MAX_CLASSES
MAX_LINE_CHARS = CSV_MAX_LINE_CHARS
MAX_LISTED = 20                      # bad rows listed in a CsvError / CsvData
SNIFF_BYTES = 64 * 1024              # how much of the head sniff() looks at
SNIFF_LINES = 100

SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
ENCODINGS = ("utf-8", "utf-8-sig")
_PROGRESS_EVERY = 4096               # rows between progress callbacks


# ====================================================================== types

@dataclass(frozen=True)
class CsvFormat:
    separator: str = ","          # ",", ";" or "\t"
    decimal_comma: bool = False   # "1,5" means 1.5 (only with ";" or tab)
    has_header: bool = True       # the first row names the columns
    encoding: str = "utf-8"       # "utf-8" or "utf-8-sig" (with byte-order mark)

    def describe(self) -> str:
        """For people: "semicolon-separated, decimal comma, header row, UTF-8"."""
        return ", ".join([
            f"{SEPARATORS.get(self.separator, repr(self.separator))}-separated",
            "decimal comma" if self.decimal_comma else "decimal point",
            "header row" if self.has_header else "no header",
            "UTF-8 with BOM" if self.encoding == "utf-8-sig" else "UTF-8"])


@dataclass
class CsvData:
    """The chosen columns of a CSV file, as float64 arrays."""
    X: np.ndarray                      # (rows, inputs)
    Y: np.ndarray                      # (rows, targets)
    input_names: list[str]
    target_names: list[str]
    skipped: list[int] = field(default_factory=list)   # line numbers of skipped rows
    kind: str | None = None            # set when classes were encoded; None = infer
    source: str = ""                   # the file's name
    problems: list[str] = field(default_factory=list)  # why (first MAX_LISTED skipped rows)
    class_labels: list[str] | None = None               # sorted labels, when encoded


class CsvError(ValueError):
    """A CSV file (or a choice of its columns) that cannot be imported.

    ``str(e)`` is one sentence starting with the file name, e.g.
    ``iris.csv: line 12, column 'x2': 'abc' is not a number``. The parts are
    kept: ``source`` (file name), ``line`` (1-based, or None for the whole
    file), ``column`` (as shown: ``'x2'`` or ``3``, or None) and ``detail``; for
    bad rows also ``bad_rows`` (the first ``MAX_LISTED``, each a text such as
    ``"line 7: expected 4 values, got 3"``), ``bad_lines`` (their line
    numbers) and ``bad_count`` (all of them).
    """

    def __init__(self, source: str, detail: str, line: int | None = None,
                 column: str | None = None, bad_rows: Sequence[str] = (),
                 bad_count: int = 0, bad_lines: Sequence[int] = ()):
        self.source, self.detail, self.line, self.column = source, detail, line, column
        self.bad_rows, self.bad_count = list(bad_rows), bad_count
        self.bad_lines = list(bad_lines)
        super().__init__(f"{source}: {_where(line, column)}{detail}")

    def __reduce__(self):
        return type(self), (self.source, self.detail, self.line, self.column,
                            self.bad_rows, self.bad_count, self.bad_lines)


def _where(line: int | None, column: str | None) -> str:
    if line is None:
        return ""
    return f"line {line}, column {column}: " if column else f"line {line}: "


class CsvCancelled(Exception):
    """The progress callback returned False: the import was cancelled."""


@dataclass(frozen=True)
class ClassSuggestion:
    labels: list[str]     # the label texts found, sorted as encoding would sort them
    recommended: bool     # texts, or exactly 0..K-1 with K > 2: tick the box by default


# ================================================================== cell rules

def _number(cell: str, decimal_comma: bool) -> float | None:
    """The cell's value, or None when it is not a number (NaN/inf are numbers here)."""
    if decimal_comma:
        cell = cell.replace(",", ".")
    if "_" in cell:  # float() takes 1_000; a CSV file means something else
        return None
    try:
        return float(cell)
    except ValueError:
        return None


def _short(text: str, limit: int = 24) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit - 1] + "\u2026")


def _cell_problem(cell: str, decimal_comma: bool) -> str:
    s = cell.strip()
    if not s:
        return "the value is missing (empty cell)"
    v = _number(s, decimal_comma)
    if v is None:
        hint = ""
        if not decimal_comma and re.fullmatch(r"[+-]?\d+,\d+", s):
            hint = " (for a decimal comma, use ';' or tab between values)"
        return f"{_short(s)} is not a number{hint}"
    return f"{_short(s)} is not a finite number"


def _is_blank(row: list[str]) -> bool:
    return all(not c.strip() for c in row)


def _trim(row: list[str], n: int) -> list[str]:
    """Drop empty cells after column n (``1,2,3,`` has three values)."""
    while len(row) > n and not row[-1].strip():
        row.pop()
    return row


# ================================================================ reading lines

_BAD_BYTE = re.compile("[\udc80-\udcff]")


def _source(path) -> str:
    return os.path.basename(os.fsdecode(os.fspath(path))) or os.fsdecode(os.fspath(path))


class _Lines:
    """Decoded lines of a binary stream, counted, with clear errors.

    Universal newlines (\\n, \\r\\n and \\r all end a line). Bytes that are not
    UTF-8 are reported with their line number; so are NUL characters and
    lines too long to be a CSV row.
    """

    def __init__(self, raw: io.BufferedIOBase, encoding: str, source: str):
        self.raw, self.source, self.lineno = raw, source, 0
        head = raw.peek(4)[:4] if hasattr(raw, "peek") else b""
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise CsvError(source, "the file is UTF-16 text; save it as UTF-8 "
                                   "(in Excel: \"CSV UTF-8\")")
        if head.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-sig"
        self.text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape",
                                     newline=None)

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_LINE_CHARS + 1)
        if not line:
            raise StopIteration
        self.lineno += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            raise CsvError(self.source, f"the line is longer than {MAX_LINE_CHARS:,} "
                                        "characters; is this a CSV text file?", self.lineno)
        bad = _BAD_BYTE.search(line)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            raise CsvError(self.source, f"byte 0x{byte:02X} is not UTF-8 text; save the "
                                        "file as UTF-8 (in Excel: \"CSV UTF-8\")", self.lineno)
        if "\x00" in line:
            raise CsvError(self.source, "the line holds NUL characters; is this a CSV "
                                        "text file (UTF-8)?", self.lineno)
        return line


class _Rows:
    """Non-blank CSV rows with the line each one starts on."""

    def __init__(self, lines: _Lines, fmt: CsvFormat):
        self.lines = lines
        self.reader = csv.reader(lines, delimiter=fmt.separator, quotechar='"')

    def __iter__(self):
        return self

    def __next__(self) -> tuple[int, list[str]]:
        while True:
            start = self.lines.lineno + 1
            try:
                row = next(self.reader)
            except csv.Error as e:
                if "field larger" in str(e):
                    detail = (f"a value is longer than {csv.field_size_limit():,} "
                              "characters (is a quote \" missing its partner?)")
                else:
                    detail = f"the CSV text cannot be read ({e})"
                raise CsvError(self.lines.source, detail, start) from None
            if not _is_blank(row):
                return start, row


def _check_format(fmt: CsvFormat, source: str) -> None:
    if not isinstance(fmt, CsvFormat):
        raise TypeError(f"expected a CsvFormat, got {type(fmt).__name__}")
    if fmt.separator not in SEPARATORS:
        raise CsvError(source, f"the separator {fmt.separator!r} is not supported; "
                               "use comma, semicolon or tab")
    if fmt.encoding.lower().replace("_", "-") not in ENCODINGS:
        raise CsvError(source, f"the encoding {fmt.encoding!r} is not supported; "
                               "save the file as UTF-8")
    if fmt.decimal_comma and fmt.separator == ",":
        raise CsvError(source, "a decimal comma needs ';' or tab between values, "
                               "not ','")


def _open(path, source: str):
    try:
        return open_regular_file(path)  # a FIFO would block the dialog
    except FileNotFoundError:
        raise CsvError(source, "the file does not exist") from None
    except IsADirectoryError:
        raise CsvError(source, "is a folder, not a file") from None
    except NotARegularFile as e:
        raise CsvError(source, f"is {e.kind}, not a regular file; nnsim imports "
                               "CSV from regular files only") from None
    except OSError as e:
        raise CsvError(source, f"the file cannot be opened ({e.strerror or e})") from None


def _column_names(header: list[str] | None, n: int) -> list[str]:
    if header is None:
        return [f"column {j + 1}" for j in range(n)]
    return [(header[j].strip() if j < len(header) else "") or f"column {j + 1}"
            for j in range(n)]


def _first_row(rows: _Rows, fmt: CsvFormat, source: str):
    """(header or None, ncols, first data row or None) of a non-empty file."""
    try:
        line, row = next(rows)
    except StopIteration:
        raise CsvError(source, "the file is empty") from None
    n = len(_trim(row, 1))
    if n > MAX_COLUMNS:
        raise CsvError(source, f"the row has {n:,} values; nnsim imports at most "
                               f"{MAX_COLUMNS:,} columns", line)
    if fmt.has_header:
        return row, n, None
    return None, n, (line, row)


# ======================================================================= sniff

def _read_head(path, source: str) -> bytes:
    with _open(path, source) as f:
        data = f.read(SNIFF_BYTES + 1)
    if len(data) > SNIFF_BYTES:  # keep whole lines only
        cut = max(data.rfind(b"\n", 0, SNIFF_BYTES), data.rfind(b"\r", 0, SNIFF_BYTES))
        if cut >= 0:
            data = data[:cut + 1]
        else:  # one long line: cut at a character boundary
            data = data[:SNIFF_BYTES]
            while data and data[-1] & 0xC0 == 0x80:
                data = data[:-1]
            if data and data[-1] >= 0xC0:
                data = data[:-1]
    return data


def _sample_rows(text: str, sep: str) -> list[list[str]]:
    lines = text.splitlines()[:SNIFF_LINES]
    try:
        rows = list(csv.reader(lines, delimiter=sep, quotechar='"'))
    except csv.Error:
        return []
    return [r for r in rows if not _is_blank(r)]


def _score(rows: list[list[str]], sep: str, decimal_comma: bool):
    """How well a separator fits: (consistent, numeric share, columns)."""
    counts = [len(_trim(list(r), 1)) for r in rows]
    if not counts:
        return (False, 0.0, 0)
    mode, hits = Counter(counts).most_common(1)[0]
    if mode < 2:
        return (False, 0.0, mode)
    data = rows[1:] or rows
    cells = [c for r in data for c in r[:mode] if c.strip()]
    numeric = sum(_number(c.strip(), decimal_comma) is not None for c in cells)
    return (hits >= 0.9 * len(counts), numeric / max(len(cells), 1), mode)


_COMMA_NUMBER = re.compile(r"\s*[+-]?\d*,\d+([eE][+-]?\d+)?\s*")
_POINT_NUMBER = re.compile(r"\s*[+-]?\d*\.\d+([eE][+-]?\d+)?\s*")


def _uses_decimal_comma(rows: list[list[str]]) -> bool:
    comma = point = 0
    for r in rows:
        for c in r:
            if _COMMA_NUMBER.fullmatch(c):
                comma += 1
            elif _POINT_NUMBER.fullmatch(c):
                point += 1
    return comma > 0 and comma >= point


def _guess_header(rows: list[list[str]], decimal_comma: bool) -> bool:
    """A header: the first row has a text where the rows below hold numbers."""
    if not rows:
        return False
    first, rest = rows[0], rows[1:]

    def text(c):
        return bool(c.strip()) and _number(c.strip(), decimal_comma) is None
    if not any(text(c) for c in first):
        return False
    if not rest:
        return True
    for j, c in enumerate(first):
        if not text(c):
            continue
        below = [r[j].strip() for r in rest if j < len(r) and r[j].strip()]
        if below and all(_number(b, decimal_comma) is not None for b in below):
            return True
    return False


def sniff(path_or_text) -> CsvFormat:
    """Guess the format of a CSV file from its head.

    ``path_or_text``: a path (``str`` or ``os.PathLike``) of a file, the file's
    bytes, or its text. A ``str`` is taken as text when it holds a line break
    or is not the name of an existing file. Raises CsvError for an empty file,
    UTF-16 text or a file that cannot be opened; other bytes that are not
    UTF-8 are left to ``preview`` and ``read_csv``, which name their line.
    """
    if isinstance(path_or_text, (bytes, bytearray)):
        source, data = "<text>", bytes(path_or_text[:SNIFF_BYTES])
    elif isinstance(path_or_text, str) and ("\n" in path_or_text or "\r" in path_or_text
                                            or not os.path.isfile(path_or_text)):
        source, data = "<text>", None
    else:
        source = _source(path_or_text)
        data = _read_head(path_or_text, source)
    if data is not None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise CsvError(source, "the file is UTF-16 text; save it as UTF-8 "
                                   "(in Excel: \"CSV UTF-8\")")
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        # bytes that are not UTF-8 do not stop the guess: preview and read_csv
        # report them with their line number
        text = data.decode(encoding, errors="replace")
    else:
        text, encoding = path_or_text.lstrip("\ufeff"), "utf-8"
    if not text.strip():
        raise CsvError(source, "the file is empty")

    best, best_score = ",", None
    for sep in (",", ";", "\t"):
        rows = _sample_rows(text, sep)
        dc = sep != "," and _uses_decimal_comma(rows)
        score = _score(rows, sep, dc)
        if best_score is None or score > best_score:
            best, best_score = sep, score
    rows = _sample_rows(text, best)
    decimal_comma = best != "," and _uses_decimal_comma(rows)
    return CsvFormat(best, decimal_comma, _guess_header(rows, decimal_comma), encoding)


# ===================================================================== preview

def preview(path, fmt: CsvFormat, rows: int = 20) -> tuple[list[str], list[list[str]]]:
    """The column names and the first ``rows`` data rows as texts (cells stripped).

    Reads only the head of the file. Without a header the columns are called
    "column 1", "column 2", ... Rows may be ragged, as in the file.
    """
    names, numbered = preview_lines(path, fmt, rows)
    return names, [cells for _, cells in numbered]


def preview_lines(path, fmt: CsvFormat, rows: int = 20
                  ) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Like ``preview``, with the line number each row starts on."""
    source = _source(path)
    _check_format(fmt, source)
    out: list[tuple[int, list[str]]] = []
    with _open(path, source) as raw:
        it = _Rows(_Lines(raw, fmt.encoding, source), fmt)
        header, n, first = _first_row(it, fmt, source)
        if first is not None:
            out.append(first)
        while len(out) < rows:
            try:
                out.append(next(it))
            except StopIteration:
                break
    return (_column_names(header, n),
            [(line, [c.strip() for c in _trim(row, n)]) for line, row in out[:max(rows, 0)]])


# ============================================================== class labels

def _label_order(labels: Iterable[str], decimal_comma: bool):
    """(sorted keys, display names, numeric?) of distinct label texts."""
    labels = list(labels)
    values = [_number(s, decimal_comma) for s in labels]
    if labels and all(v is not None and math.isfinite(v) for v in values):
        distinct = sorted(set(values))
        return distinct, [f"class {v:g}" for v in distinct], True
    distinct = sorted(set(labels))
    return distinct, list(distinct), False


def suggest_classes(values: Iterable[str], decimal_comma: bool = False
                    ) -> ClassSuggestion | None:
    """Whether a target column (e.g. the preview's cells) looks like class labels.

    Yes for texts (``setosa``) with at most MAX_CLASSES different ones, and for
    whole numbers with 3 to 20 different values; recommended (tick by default)
    for texts and for exactly 0, 1, ..., K-1 with K > 2. None otherwise.
    """
    cells = {v.strip() for v in values if v.strip()}
    if not cells:
        return None
    nums = [_number(c, decimal_comma) for c in cells]
    if any(v is None for v in nums):
        keys, names, _ = _label_order(cells, decimal_comma)
        return ClassSuggestion(names, True) if len(keys) <= MAX_CLASSES else None
    if not all(math.isfinite(v) and v == int(v) for v in nums):
        return None
    distinct = sorted(set(nums))
    if not 3 <= len(distinct) <= 20:
        return None
    recommended = distinct == list(range(len(distinct)))
    return ClassSuggestion([f"class {v:g}" for v in distinct], recommended)


# ==================================================================== read_csv

def _resolve(columns, names: list[str], has_header: bool, role: str,
             source: str) -> list[int]:
    if isinstance(columns, (str, int)):
        columns = [columns]
    out: list[int] = []
    for c in columns:
        if isinstance(c, bool) or not isinstance(c, (int, np.integer, str)):
            raise CsvError(source, f"a column is chosen by its number or name, "
                                   f"got {c!r}")
        if isinstance(c, str):
            if c not in names:
                shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
                raise CsvError(source, f"there is no column named {c!r}; the columns "
                                       f"are {shown}")
            j = names.index(c)
        else:
            j = int(c)
            if not 0 <= j < len(names):
                raise CsvError(source, f"column {j + 1} does not exist; the file has "
                                       f"{len(names)} column{'s' * (len(names) != 1)}")
        if j in out:
            raise CsvError(source, f"column {_col(names, j, has_header)} is chosen "
                                   f"twice as {role}")
        out.append(j)
    return out


def _col(names: list[str], j: int, has_header: bool) -> str:
    return repr(names[j]) if has_header else str(j + 1)


def _size_text(n: int) -> str:
    return f"{n / 1024 ** 2:,.0f} MB" if n >= 1024 ** 2 else f"{n:,} bytes"


class _Chunks:
    """Rows appended one by one, stored as NumPy blocks (no list of floats)."""

    SIZE = 65536

    def __init__(self, width: int):
        self.width, self.blocks, self.rows = width, [], []

    def append(self, values) -> None:
        self.rows.append(values)
        if len(self.rows) == self.SIZE:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.blocks.append(np.array(self.rows, dtype=np.float64).reshape(-1, self.width))
            self.rows = []

    def array(self) -> np.ndarray:
        self.flush()
        if not self.blocks:
            return np.zeros((0, self.width))
        out = np.concatenate(self.blocks) if len(self.blocks) > 1 else self.blocks[0]
        self.blocks = []
        return out


def read_csv(path, fmt: CsvFormat, input_columns, target_columns, *,
             encode_classes: bool = False, on_bad_row: str = "error",
             max_rows: int = MAX_ROWS, max_bytes: int = MAX_FILE_BYTES,
             max_values: int = MAX_VALUES,
             progress: Callable[[float], object] | None = None) -> CsvData:
    """Read the chosen columns of a CSV file, line by line.

    ``input_columns``, ``target_columns``: column numbers (0-based) or header
    names. ``encode_classes``: the one target column holds class labels (see
    the module notes). ``on_bad_row``: "error" (report all bad rows in one
    CsvError) or "skip" (leave them out; their lines are in
    ``CsvData.skipped``). ``progress(fraction)`` is called every few thousand
    rows with the share of the file read; returning False cancels
    (CsvCancelled). More than ``max_rows`` data rows, more than ``max_values``
    numbers (rows x chosen columns, after class encoding; the points are saved
    inside the .nnsim file), or a file bigger than ``max_bytes``, is refused
    with a CsvError stating the limit.
    """
    source = _source(path)
    _check_format(fmt, source)
    if on_bad_row not in ("error", "skip"):
        raise ValueError(f"on_bad_row: expected 'error' or 'skip', got {on_bad_row!r}")
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise CsvError(source, "the file does not exist") from None
    except OSError as e:
        raise CsvError(source, f"the file cannot be read ({e.strerror or e})") from None
    if size > max_bytes:
        raise CsvError(source, f"the file is {_size_text(size)}; nnsim imports CSV files "
                               f"of up to {_size_text(max_bytes)}")
    dc = fmt.decimal_comma

    with _open(path, source) as raw:
        rows = _Rows(_Lines(raw, fmt.encoding, source), fmt)
        header, n, first = _first_row(rows, fmt, source)
        names = _column_names(header, n)
        has_header = header is not None
        ins = _resolve(input_columns, names, has_header, "an input", source)
        outs = _resolve(target_columns, names, has_header, "a target", source)
        both = [j for j in ins if j in outs]
        if both:
            raise CsvError(source, f"column {_col(names, both[0], has_header)} is chosen "
                                   "both as an input and as a target; a target cannot "
                                   "also be an input")
        if not ins:
            raise CsvError(source, "no input column is chosen; choose at least one")
        if not outs:
            raise CsvError(source, "no target column is chosen; choose at least one")
        if encode_classes and len(outs) != 1:
            raise CsvError(source, f"class labels can be encoded for one target column, "
                                   f"but {len(outs)} are chosen")

        X = _Chunks(len(ins))
        Y = _Chunks(len(outs))
        labels: dict[str, int] = {}
        label_idx = array("l")
        skipped: list[int] = []
        first_problem: tuple[int, str | None, str] | None = None
        problems: list[str] = []
        keep = True        # False once a bad row makes "error" mode fail anyway
        count = 0
        stream = rows if first is None else _chain(first, rows)
        tgt = outs[0]
        tgt_ref = _col(names, tgt, has_header)
        num_cols = ins if encode_classes else ins + outs
        n_in = len(ins)
        k = 0
        width = n_in + (1 if encode_classes else len(outs))
        row_cap = min(max_rows, max(max_values // width, 1))
        cap_text = (f"nnsim imports at most {row_cap:,}" if row_cap == max_rows else
                    f"nnsim imports at most {max_values:,} values, so {row_cap:,} rows "
                    f"of {width} chosen columns")

        for line, row in stream:
            count += 1
            if count > row_cap:
                raise CsvError(source, f"the file has more than {row_cap:,} data rows; "
                                       f"{cap_text}", line)
            if progress is not None and count % _PROGRESS_EVERY == 0:
                if progress(min(raw.tell() / max(size, 1), 1.0)) is False:
                    raise CsvCancelled(f"{source}: import cancelled at line {line}")
            if len(row) > n:
                _trim(row, n)
            problem = None
            if len(row) != n:
                problem = (line, None, f"expected {n} values, got {len(row)}")
            else:
                try:
                    vals = [float(row[j].replace(",", ".") if dc else row[j])
                            for j in num_cols]
                    if not all(map(math.isfinite, vals)) or any(
                            "_" in row[j] for j in num_cols):
                        raise ValueError
                except ValueError:
                    j = next(j for j in num_cols
                             if (v := _number(row[j].strip(), dc)) is None
                             or not math.isfinite(v))
                    problem = (line, _col(names, j, has_header), _cell_problem(row[j], dc))
                if problem is None and encode_classes:
                    label = row[tgt].strip()
                    if not label:
                        problem = (line, tgt_ref, "the value is missing (empty cell)")
                    else:
                        k = labels.setdefault(label, len(labels))
                        if len(labels) > MAX_CLASSES * 4:
                            # "1" and "1.0" merge later; this many never fit
                            raise CsvError(source, f"the column holds more than "
                                                   f"{MAX_CLASSES} different labels; is "
                                                   "it really a class column?", line,
                                           tgt_ref)
            if problem is not None:
                skipped.append(line)
                if first_problem is None:
                    first_problem = problem
                if len(problems) < MAX_LISTED:
                    problems.append(_where(*problem[:2]) + problem[2])
                if on_bad_row == "error" and keep:
                    keep = False  # the import fails: keep only the list of bad rows
                    X, Y, label_idx = _Chunks(n_in), _Chunks(len(outs)), array("l")
                continue
            if not keep:
                continue
            if encode_classes:
                X.append(vals)
                label_idx.append(k)
            else:
                X.append(vals[:n_in])
                Y.append(vals[n_in:])
    if progress is not None:
        progress(1.0)

    if count == 0:
        raise CsvError(source, "the file has a header but no data rows")
    if skipped and on_bad_row == "error":
        n_bad = len(skipped)
        detail = first_problem[2]
        if n_bad > 1:
            listed = ", ".join(map(str, skipped[1:6])) + (", ..." if n_bad > 6 else "")
            detail += (f" (and {n_bad - 1:,} more bad row{'s' * (n_bad > 2)}, "
                       f"on line{'s' * (n_bad > 2)} {listed})")
        raise CsvError(source, detail, first_problem[0], first_problem[1], problems, n_bad,
                       skipped[:MAX_LISTED])
    Xa = X.array()
    if len(Xa) == 0:
        raise CsvError(source, f"no rows are left after skipping {len(skipped):,} bad "
                               f"row{'s' * (len(skipped) != 1)}; the first: {problems[0]}")
    input_names = [names[j] for j in ins] if has_header else naming.input_names(n_in)
    kind, class_labels = None, None
    if encode_classes:
        Ya, target_names, kind, class_labels = _encode(
            labels, np.frombuffer(label_idx, dtype=label_idx.typecode).astype(np.intp),
            dc, names[tgt] if has_header else "y", tgt_ref, source)
    else:
        Ya = Y.array()
        target_names = ([names[j] for j in outs] if has_header
                        else naming.target_names("regression", len(outs)))
    if Xa.size + Ya.size > max_values:  # one-hot columns counted now
        raise CsvError(source, f"the data would hold {Xa.size + Ya.size:,} values "
                               f"({Ya.shape[1]} one-hot columns); nnsim imports at most "
                               f"{max_values:,}")
    return CsvData(Xa, Ya, input_names, target_names, skipped, kind, source,
                   problems, class_labels)


def _chain(first, rest):
    yield first
    yield from rest


def _encode(labels: dict[str, int], idx: np.ndarray, dc: bool, column_name: str,
            col_ref: str, source: str):
    """One label column as (Y, names, kind, sorted labels)."""
    keys, shown, numeric = _label_order(labels, dc)
    if len(keys) > MAX_CLASSES:
        raise CsvError(source, f"column {col_ref} holds {len(keys)} different labels; "
                               f"nnsim encodes at most {MAX_CLASSES} classes")
    if len(keys) < 2:
        raise CsvError(source, f"column {col_ref} holds only one label "
                               f"({next(iter(labels))!r}); classes need at least two "
                               "different labels")
    # map each label text (first-seen order) to its class in sorted order
    position = {k: i for i, k in enumerate(keys)}
    remap = np.empty(len(labels), dtype=np.intp)
    for text, first_seen in labels.items():
        remap[first_seen] = position[_number(text, dc) if numeric else text]
    cls = remap[idx]
    if len(keys) == 2:
        Y = cls.astype(np.float64)[:, None]
        name = column_name if numeric and keys == [0.0, 1.0] else shown[1]
        return Y, [name], "binary", shown
    Y = np.zeros((len(cls), len(keys)))
    Y[np.arange(len(cls)), cls] = 1.0
    return Y, shown, "multiclass", shown


# ================================================================= to_imported

def to_imported(csv_data: CsvData, test_fraction: float = 0.2, seed: int = 0,
                source: str | None = None) -> ImportedData:
    """Shuffle and split the rows (``datasets.from_arrays``) into ImportedData.

    The kind is the one the class encoding set, else inferred from the
    targets (one 0/1 column: binary; one-hot: multiclass; else regression).
    Raises ValueError for a bad test_fraction or seed.
    """
    ds = from_arrays(csv_data.X, csv_data.Y, test_fraction=test_fraction, seed=seed,
                     input_names=csv_data.input_names, target_names=csv_data.target_names,
                     kind=csv_data.kind)
    return ImportedData(ds.X_train, ds.Y_train, ds.X_test, ds.Y_test,
                        list(ds.input_names), list(ds.target_names), ds.kind,
                        csv_data.source if source is None else source)
