"""The number formats and names every text of the app uses (core/naming.py)."""
import math

from nnsim.core.naming import (edge_name, edge_name_ascii, fmt, fmt_epoch_rate, fmt_operand,
                               fmt_percent, fmt_setting, fmt_worked, input_names, neuron_name,
                               target_names, weight_name)


def test_each_format_shows_what_its_purpose_needs():
    assert fmt(0.152349) == "0.1523" and fmt(-0.0) == "0" and fmt(math.nan) == "NaN"
    assert fmt(math.inf) == "\u221e" and fmt(-math.inf) == "-\u221e"
    assert fmt_worked(0.0821670406123) == "0.0821670406"  # as worked examples print
    assert fmt_operand(-0.5) == "(-0.5)" and fmt_operand(0.5) == "0.5"
    assert fmt_setting(0.123456789) == f"{0.123456789:g}" and fmt_setting(1e-8) == "1e-08"
    assert fmt_percent(0.975) == "97.5%" and fmt_percent(0.975, 0) == "98%"
    assert fmt_epoch_rate(None) == "measuring\u2026"
    assert fmt_epoch_rate(1234.4) == "1,234 epochs/s" and fmt_epoch_rate(2.54) == "2.5 epochs/s"


def test_one_naming_scheme_with_an_ascii_arrow_for_plain_text():
    sizes = [2, 3, 1]
    assert [neuron_name(sizes, k, 0) for k in range(3)] == ["x1", "h1", "out1"]
    assert neuron_name([2, 3, 3, 1], 2, 1) == "h2_2"
    assert edge_name(sizes, 2, 1, 0) == "h2 \u2192 out1"
    assert weight_name(sizes, 2, 1, 0) == "w(h2 \u2192 out1)"
    assert edge_name_ascii(sizes, 2, 1, 0) == "h2->out1"


def test_data_columns_without_names_are_named_alike_everywhere():
    assert input_names(2) == ["x1", "x2"]
    assert target_names("binary", 1) == ["y"] and target_names("regression", 2) == ["y1", "y2"]
    assert target_names("multiclass", 3) == ["class 0", "class 1", "class 2"]
