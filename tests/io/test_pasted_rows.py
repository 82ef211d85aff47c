"""Rows pasted from a spreadsheet or a text: numbers, or one clear message
naming the pasted line and column; never a traceback."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsim.io.pasted_rows import format_rows, parse_rows


@pytest.mark.parametrize("text, expected", [
    ("x1\tx2\ty\n0.05\t0.10\t0.01\n1\t2\t3\n", [[0.05, 0.10, 0.01], [1, 2, 3]]),  # header
    ("0.5", [[0.5]]),
    ("1,2\n\n3,4\n", [[1, 2], [3, 4]]),  # a blank line is skipped
    ("1;2,5\n3;4\n", [[1, 2.5], [3, 4]]),  # semicolons and a decimal comma
    ("1\t2\t\n3\t4\t\n", [[1, 2], [3, 4]]),  # a spreadsheet's trailing tab
])
def test_pasted_numbers(text, expected):
    np.testing.assert_array_equal(parse_rows(text, 3), expected)


@pytest.mark.parametrize("text, message", [
    ("1\tabc\n", "pasted line 1, column 2: 'abc' is not a number"),
    ("1\tnan", "pasted line 1, column 2: 'nan' is not a finite number"),
    ("1\t2\n3\n", "pasted line 2: expected 2 values like the first row, got 1"),
    ("1\t2\t3\t4", "the pasted rows have 4 values; there is room for 3"),
    ("x\ty\n", "the clipboard holds only a header line"),
    ("  \n", "the clipboard holds no rows"),
])
def test_bad_paste_messages(text, message):
    with pytest.raises(ValueError, match=message):
        parse_rows(text, 3)


def test_copy_text_pastes_back_exactly():
    rows = np.array([[0.1, 1e-300, -2.5], [1 / 3, 0.0, 7e12]])
    np.testing.assert_array_equal(parse_rows(format_rows(rows), 3), rows)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_numbers_or_one_message(text):
    try:
        out = parse_rows(text, 4)
    except ValueError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert out.ndim == 2 and 1 <= out.shape[1] <= 4 and np.isfinite(out).all()
