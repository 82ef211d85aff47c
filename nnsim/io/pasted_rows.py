"""Rows of numbers pasted from a spreadsheet or a text (standard library and
NumPy, no Qt).

The separator (tab, comma or semicolon), a decimal comma and a header line
are guessed with the CSV import's rules (``csv_import.sniff``), and every
cell must be a finite number, as in a CSV file. Problems are one ValueError
naming the pasted line and column ("pasted line 2, column 3: 'abc' is not a
number"), so the table can show it.
"""
from __future__ import annotations

import csv
import io

import numpy as np

from ..core.limits import MAX_POINT_VALUES
from .csv_import import CsvError, _cell_problem, _is_blank, _number, _trim, sniff

MAX_PASTE_CHARS = 200 * 1024 * 1024  # more than MAX_POINT_VALUES numbers can take


def parse_rows(text: str, max_columns: int) -> np.ndarray:
    """The pasted numbers as a (rows, columns) float64 array, at most
    ``max_columns`` wide; blank lines and a header line are skipped."""
    if len(text) > MAX_PASTE_CHARS:
        raise ValueError(f"the pasted text is too long ({len(text):,} characters)")
    if not text.strip():
        raise ValueError("there is nothing to paste: the clipboard holds no rows")
    try:
        fmt = sniff(text.encode("utf-8"))
    except CsvError as e:
        raise ValueError(f"the pasted text cannot be read: {e.detail}") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # old Mac and Windows lines
    try:
        lines = list(csv.reader(io.StringIO(text), delimiter=fmt.separator))
    except csv.Error as e:
        raise ValueError(f"the pasted text cannot be read as rows ({e})") from None
    filled = [cells for cells in lines if not _is_blank(cells)]
    # one line alone is a header only when it holds no number at all
    header = fmt.has_header and (len(filled) > 1 or not any(
        _number(c.strip(), fmt.decimal_comma) is not None for c in filled[0]))
    rows, width, first = [], None, True
    for line_no, cells in enumerate(lines, start=1):
        if _is_blank(cells):
            continue
        if first and header:
            first = False
            continue
        first = False
        cells = _trim(cells, width or 1)  # a spreadsheet's trailing separators
        if width is None:
            width = len(cells)
            if width > max_columns:
                raise ValueError(f"the pasted rows have {width} values; there is room for "
                                 f"{max_columns} from the chosen column")
        if len(cells) != width:
            raise ValueError(f"pasted line {line_no}: expected {width} values like the "
                             f"first row, got {len(cells)}")
        values = [_number(c.strip(), fmt.decimal_comma) for c in cells]
        for j, v in enumerate(values):
            if v is None or not np.isfinite(v):
                raise ValueError(f"pasted line {line_no}, column {j + 1}: "
                                 f"{_cell_problem(cells[j], fmt.decimal_comma)}")
        rows.append(values)
        if len(rows) * width > MAX_POINT_VALUES:
            raise ValueError(f"the pasted text holds more than {MAX_POINT_VALUES:,} numbers, "
                             f"too many for the data")
    if not rows:
        raise ValueError("there is nothing to paste: the clipboard holds only a header line")
    return np.array(rows, dtype=np.float64)


def parse_cell(text: str) -> float:
    """One typed cell as a finite number ("0,25" with a decimal comma too);
    raises ValueError saying what is wrong with it."""
    text = text.strip()
    comma = "," in text and "." not in text  # "0,05" typed with a decimal comma
    number = _number(text, decimal_comma=comma)
    if number is None or not np.isfinite(number):
        raise ValueError(_cell_problem(text, comma))
    return number


def format_rows(rows) -> str:
    """Tab-separated lines of numbers in full precision (what a spreadsheet pastes)."""
    return "".join("\t".join(repr(float(v)) for v in row) + "\n" for row in rows)
