"""CSV import: the dialects it reads, every error with its line number, class
labels, streaming with progress, cancel and caps, and property tests (any text
gives CsvData or one CsvError; random tables come back equal)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsim.core.network import Network
from nnsim.core.project import ImportedData, Project
from nnsim.io import dumps, loads
from nnsim.io.csv_import import (MAX_CLASSES, MAX_LISTED, CsvCancelled, CsvData, CsvError,
                                 CsvFormat, preview, preview_lines, read_csv, sniff,
                                 suggest_classes, to_imported)

IRIS = """sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.3,3.3,6.0,2.5,virginica
4.9,3.0,1.4,0.2,setosa
6.4,3.2,4.5,1.5,versicolor
5.8,2.7,5.1,1.9,virginica
"""


def write(tmp_path, text: str | bytes, name: str = "data.csv"):
    p = tmp_path / name
    if isinstance(text, str):
        p.write_bytes(text.encode("utf-8"))
    else:
        p.write_bytes(text)
    return p


def read(path, inputs=None, targets=None, **kw) -> CsvData:
    fmt = kw.pop("fmt", None) or sniff(path)
    names, _ = preview(path, fmt)
    if inputs is None:
        inputs = list(range(len(names) - 1))
    if targets is None:
        targets = [len(names) - 1]
    return read_csv(path, fmt, inputs, targets, **kw)


def error_of(path, *args, **kw) -> CsvError:
    with pytest.raises(CsvError) as info:
        read(path, *args, **kw)
    e = info.value
    assert "\n" not in str(e) and str(e).startswith(path.name + ": ")
    return e


# ===================================================================== dialects

@pytest.mark.parametrize("text, fmt", [
    ("x1,x2,y\n1.5,2.25,1\n-3,4e-1,0\n",
     CsvFormat(",", False, True, "utf-8")),
    ("x1;x2;y\n1,5;2,25;1\n-3;0,4;0\n",
     CsvFormat(";", True, True, "utf-8")),
    ("x1;x2;y\n1.5;2.25;1\n-3;0.4;0\n",
     CsvFormat(";", False, True, "utf-8")),
    ("x1\tx2\ty\n1.5\t2.25\t1\n-3\t0.4\t0\n",
     CsvFormat("\t", False, True, "utf-8")),
    ("x1\tx2\ty\n1,5\t2,25\t1\n-3\t0,4\t0\n",
     CsvFormat("\t", True, True, "utf-8")),
    ("1.5,2.25,1\n-3,0.4,0\n",
     CsvFormat(",", False, False, "utf-8")),
    ("\ufeffx1,x2,y\r\n1.5,2.25,1\r\n-3,0.4,0\r\n",
     CsvFormat(",", False, True, "utf-8-sig")),
])
def test_sniff_and_read_each_dialect(tmp_path, text, fmt):
    p = write(tmp_path, text)
    assert sniff(p) == fmt
    assert sniff(text.lstrip("\ufeff")).separator == fmt.separator  # text works too
    d = read(p)
    assert d.X.tolist() == [[1.5, 2.25], [-3.0, 0.4]]
    assert d.Y.tolist() == [[1.0], [0.0]]
    assert d.input_names == (["x1", "x2"] if fmt.has_header else ["x1", "x2"])
    assert d.target_names == ["y"]
    assert d.skipped == [] and d.kind is None and d.source == "data.csv"


def test_format_is_described_for_people():
    assert CsvFormat(";", True, True, "utf-8-sig").describe() == \
        "semicolon-separated, decimal comma, header row, UTF-8 with BOM"


def test_quotes_blank_lines_trailing_separators_and_old_mac_line_ends(tmp_path):
    text = ('"height, cm","weight",class\n'
            '"1.5",2,0\n'
            '\n'
            '  3 , 4 ,1,\n'
            ',,,\n'
            '5,6,1\n\n\n')
    p = write(tmp_path, text)
    fmt = sniff(p)
    assert fmt == CsvFormat(",", False, True, "utf-8")
    names, rows = preview(p, fmt)
    assert names == ["height, cm", "weight", "class"]
    assert rows == [["1.5", "2", "0"], ["3", "4", "1"], ["5", "6", "1"]]
    d = read(p)
    assert d.X.tolist() == [[1.5, 2], [3, 4], [5, 6]] and d.Y.ravel().tolist() == [0, 1, 1]
    assert d.input_names == ["height, cm", "weight"]
    mac = write(tmp_path, "a,b\r1,2\r3,4\r", "mac.csv")
    assert read(mac).X.ravel().tolist() == [1, 3]


def test_columns_by_name_and_ignored_columns_are_never_read(tmp_path):
    p = write(tmp_path, "id,name,a,b,y\n1,anna,0.5,1,0\n2,bob,1.5,2,1\n")
    d = read_csv(p, sniff(p), ["b", "a"], ["y"])
    assert d.X.tolist() == [[1, 0.5], [2, 1.5]] and d.input_names == ["b", "a"]


def test_no_header_names_inputs_like_the_builtin_sets(tmp_path):
    p = write(tmp_path, "1,2,3,4\n5,6,7,8\n")
    names, _ = preview(p, sniff(p))
    assert names == ["column 1", "column 2", "column 3", "column 4"]
    d = read_csv(p, sniff(p), [0, 1], [2, 3])
    assert d.input_names == ["x1", "x2"] and d.target_names == ["y1", "y2"]
    assert d.Y.tolist() == [[3, 4], [7, 8]]


def test_preview_reads_only_the_head(tmp_path):
    good = "".join(f"{i},{i * 2}\n" for i in range(30))
    p = write(tmp_path, b"a,b\n" + good.encode() + b"caf\xe9,1\n")  # latin-1 at line 32
    assert sniff(p) == CsvFormat(",", False, True, "utf-8")  # sniff looks past it
    names, rows = preview(p, sniff(p), rows=20)
    assert names == ["a", "b"] and len(rows) == 20 and rows[0] == ["0", "0"]
    e = error_of(p)
    assert e.line == 32 and "0xE9 is not UTF-8" in str(e)
    _, numbered = preview_lines(p, sniff(p), rows=30)
    assert numbered[0] == (2, ["0", "0"]) and numbered[-1][0] == 31  # stops before 32


# ======================================================================= errors

@pytest.mark.parametrize("text, message", [
    ("a,b,c,y\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3\n",
     "data.csv: line 7: expected 4 values, got 3"),
    ("a,x2,y\n" + "1,2,3\n" * 10 + "1,abc,3\n",
     "data.csv: line 12, column 'x2': 'abc' is not a number"),
    ("a,b,y\n1,2,3\n1,,3\n", "data.csv: line 3, column 'b': the value is missing (empty cell)"),
    ("a,b,y\n1,2,3\n1,NaN,3\n", "data.csv: line 3, column 'b': 'NaN' is not a finite number"),
    ("a,b,y\n1,2,3\n1,2,-inf\n", "data.csv: line 3, column 'y': '-inf' is not a finite number"),
    ("a,b,y\n1,2,3\n1,1e999,3\n", "data.csv: line 3, column 'b': '1e999' is not a finite number"),
    ("a,b,y\n1,2,3\n1,1_000,3\n", "data.csv: line 3, column 'b': '1_000' is not a number"),
    ("1,2,3\n1,x,3\n", "data.csv: line 2, column 2: 'x' is not a number"),
    ("a,b,y\n1,2,3\n1,\"2,5\",3\n",
     "data.csv: line 3, column 'b': '2,5' is not a number (for a decimal comma, "
     "use ';' or tab between values)"),
])
def test_bad_rows_are_named_by_line_and_column(tmp_path, text, message):
    e = error_of(write(tmp_path, text))
    assert str(e) == message
    assert e.bad_count == 1 and e.bad_rows == [message.split(": ", 1)[1]]


def test_every_bad_row_is_reported_and_skipping_them_imports_the_rest(tmp_path):
    lines = ["a,b,y"]
    for i in range(2, 62):  # line numbers 2..61; every third row is bad
        lines.append(f"{i},oops,1" if i % 3 == 0 else f"{i},{i},1")
    p = write(tmp_path, "\n".join(lines) + "\n")
    bad = [i for i in range(2, 62) if i % 3 == 0]
    e = error_of(p)
    assert e.line == 3 and e.bad_count == len(bad) == 20
    assert len(e.bad_rows) == MAX_LISTED and e.bad_lines == bad
    assert e.bad_rows[1] == "line 6, column 'b': 'oops' is not a number"
    assert str(e) == ("data.csv: line 3, column 'b': 'oops' is not a number "
                      "(and 19 more bad rows, on lines 6, 9, 12, 15, 18, ...)")
    d = read(p, on_bad_row="skip")
    assert d.skipped == bad and len(d.X) == 60 - len(bad)
    assert d.problems[0] == "line 3, column 'b': 'oops' is not a number"
    assert 3 not in d.X[:, 0] and 4 in d.X[:, 0]


def test_more_bad_rows_than_listed(tmp_path):
    p = write(tmp_path, "a,y\n" + "x,1\n" * 50 + "1,1\n")
    e = error_of(p)
    assert e.bad_count == 50 and len(e.bad_rows) == MAX_LISTED
    assert "(and 49 more bad rows, on lines 3, 4, 5, 6, 7, ...)" in str(e)
    assert read(p, on_bad_row="skip").X.tolist() == [[1.0]]


def test_all_rows_bad_leaves_nothing_to_import(tmp_path):
    e = error_of(write(tmp_path, "a,y\nx,1\n"), on_bad_row="skip")
    assert str(e) == ("data.csv: no rows are left after skipping 1 bad row; the first: "
                      "line 2, column 'a': 'x' is not a number")


@pytest.mark.parametrize("content, message", [
    (b"", "data.csv: the file is empty"),
    (b"\n  \n,,\n", "data.csv: the file is empty"),
    (b"a,b,y\n", "data.csv: the file has a header but no data rows"),
    (b"a,b,y\n\n", "data.csv: the file has a header but no data rows"),
    (b"\xff\xfea\x00,\x00b\x00", "data.csv: the file is UTF-16 text; save it as UTF-8 "
                                 "(in Excel: \"CSV UTF-8\")"),
    (b"a,b\n1,2\nna\xefve,3\n", "data.csv: line 3: byte 0xEF is not UTF-8 text; save the "
                               "file as UTF-8 (in Excel: \"CSV UTF-8\")"),
    (b"a,b\n1,2\n1\x00,3\n", "data.csv: line 3: the line holds NUL characters; is this a "
                            "CSV text file (UTF-8)?"),
])
def test_whole_file_errors(tmp_path, content, message):
    p = write(tmp_path, content)
    fmt = CsvFormat(",", False, True, "utf-8")
    with pytest.raises(CsvError) as info:
        read_csv(p, fmt, [0], [1])
    assert str(info.value) == message


def test_sniff_reports_bad_files_as_csv_errors(tmp_path):
    for content, part in [(b"", "the file is empty"), (b"\xfe\xff\x00a", "UTF-16")]:
        with pytest.raises(CsvError, match=part):
            sniff(write(tmp_path, content))
    with pytest.raises(CsvError, match="missing.csv: the file does not exist"):
        read_csv(tmp_path / "missing.csv", CsvFormat(), [0], [1])
    with pytest.raises(CsvError, match="is a folder"):
        preview(tmp_path, CsvFormat())


@pytest.mark.parametrize("inputs, targets, message", [
    ([0, 2], [2], "data.csv: column 'b' is chosen both as an input and as a target; "
                  "a target cannot also be an input"),
    ([], [2], "data.csv: no input column is chosen; choose at least one"),
    ([0, 1], [], "data.csv: no target column is chosen; choose at least one"),
    ([0, 5], [2], "data.csv: column 6 does not exist; the file has 3 columns"),
    (["a", "zz"], ["b"], "data.csv: there is no column named 'zz'; the columns are a, y, b"),
    ([0, 0], [2], "data.csv: column 'a' is chosen twice as an input"),
])
def test_wrong_choice_of_columns(tmp_path, inputs, targets, message):
    p = write(tmp_path, "a,y,b\n1,2,3\n")
    with pytest.raises(CsvError) as info:
        read_csv(p, sniff(p), inputs, targets)
    assert str(info.value) == message


def test_unsupported_formats_are_refused_clearly(tmp_path):
    p = write(tmp_path, "a,b\n1,2\n")
    for fmt, part in [(CsvFormat("|"), "separator '|' is not supported"),
                      (CsvFormat(",", True), "a decimal comma needs ';' or tab"),
                      (CsvFormat(",", encoding="latin-1"), "encoding 'latin-1' is not")]:
        with pytest.raises(CsvError, match=part):
            read_csv(p, fmt, [0], [1])
    with pytest.raises(ValueError, match="on_bad_row"):
        read_csv(p, CsvFormat(), [0], [1], on_bad_row="ignore")


def test_size_cap_is_checked_before_reading(tmp_path):
    p = write(tmp_path, "a,b\n" + "1,2\n" * 1000)
    with pytest.raises(CsvError) as info:
        read(p, max_bytes=1024)
    assert str(info.value) == ("data.csv: the file is 4,004 bytes; nnsim imports CSV "
                               "files of up to 1,024 bytes")


# ================================================================ class labels

def test_text_labels_become_sorted_one_hot_columns(tmp_path):
    p = write(tmp_path, IRIS, "iris.csv")
    fmt = sniff(p)
    names, rows = preview(p, fmt)
    s = suggest_classes([r[4] for r in rows])
    assert s.labels == ["setosa", "versicolor", "virginica"] and s.recommended
    d = read_csv(p, fmt, [0, 1, 2, 3], [4], encode_classes=True)
    assert d.kind == "multiclass"
    assert d.target_names == d.class_labels == ["setosa", "versicolor", "virginica"]
    assert d.Y.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]] * 2
    assert d.input_names == names[:4]
    e = error_of(p)  # without encoding the labels are not numbers
    assert str(e).startswith("iris.csv: line 2, column 'species': 'setosa' is not a number")


def test_two_labels_give_one_binary_column_named_after_the_second(tmp_path):
    p = write(tmp_path, "a,answer\n1,yes\n2,no\n3, yes \n")
    d = read(p, encode_classes=True)
    assert d.kind == "binary" and d.target_names == ["yes"]
    assert d.Y.ravel().tolist() == [1, 0, 1] and d.class_labels == ["no", "yes"]


def test_numeric_labels_sort_numerically_and_merge_spellings(tmp_path):
    p = write(tmp_path, "a,c\n1,10\n2,2\n3,2.0\n4,0\n")
    d = read(p, encode_classes=True)
    assert d.target_names == ["class 0", "class 2", "class 10"]
    assert d.Y.tolist() == [[0, 0, 1], [0, 1, 0], [0, 1, 0], [1, 0, 0]]
    zero_one = read(write(tmp_path, "a,alive\n1,0\n2,1\n", "b.csv"), encode_classes=True)
    assert zero_one.target_names == ["alive"] and zero_one.kind == "binary"


def test_class_label_errors(tmp_path):
    e = error_of(write(tmp_path, "a,c\n1,x\n2,x\n"), encode_classes=True)
    assert str(e) == ("data.csv: column 'c' holds only one label ('x'); classes need at "
                      "least two different labels")
    many = "a,c\n" + "".join(f"1,label{i}\n" for i in range(MAX_CLASSES + 1))
    e = error_of(write(tmp_path, many), encode_classes=True)
    assert f"holds {MAX_CLASSES + 1} different labels" in str(e)
    huge = "a,c\n" + "".join(f"1,label{i}\n" for i in range(MAX_CLASSES * 5))
    e = error_of(write(tmp_path, huge), encode_classes=True)
    assert e.line == MAX_CLASSES * 4 + 2 and "is it really a class column?" in str(e)
    e = error_of(write(tmp_path, "a,c\n1,x\n2,\n3,y\n"), encode_classes=True)
    assert str(e) == "data.csv: line 3, column 'c': the value is missing (empty cell)"
    p = write(tmp_path, "a,b,c\n1,2,3\n")
    with pytest.raises(CsvError, match="one target column, but 2 are chosen"):
        read_csv(p, sniff(p), [0], [1, 2], encode_classes=True)


def test_suggest_classes():
    assert suggest_classes(["0", "1", "2", "1"]).recommended
    assert suggest_classes(["1", "2", "3"]) == suggest_classes(["1", "2", "3"])
    assert not suggest_classes(["1", "2", "3"]).recommended
    assert suggest_classes(["0", "1"]) is None            # already binary
    assert suggest_classes(["0.5", "1.5", "2"]) is None   # regression targets
    assert suggest_classes([str(i) for i in range(30)]) is None
    assert suggest_classes(["", " "]) is None
    assert suggest_classes(["1,5", "2"], decimal_comma=True) is None


# ================================================================== to_imported

def test_to_imported_splits_reproducibly_and_saves_as_points(tmp_path):
    p = write(tmp_path, IRIS, "iris.csv")
    d = read(p, encode_classes=True)
    a = to_imported(d, test_fraction=0.5, seed=3)
    b = to_imported(d, test_fraction=0.5, seed=3)
    assert isinstance(a, ImportedData) and a.kind == "multiclass" and a.source == "iris.csv"
    assert len(a.X_train) == 3 and len(a.X_test) == 3
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.Y_test, b.Y_test)
    rows = sorted(map(tuple, np.hstack([np.vstack([a.X_train, a.X_test]),
                                        np.vstack([a.Y_train, a.Y_test])])))
    assert rows == sorted(map(tuple, np.hstack([d.X, d.Y])))
    net = Network.build(4, [3, 3], ["tanh", "softmax"], loss="cross_entropy",
                        rng=np.random.default_rng(0))
    back = loads(dumps(Project(net, data=a)))
    assert back.data.target_names == ["setosa", "versicolor", "virginica"]
    assert np.array_equal(back.data.X_train, a.X_train) and back.data.source == "iris.csv"
    binary = to_imported(read(write(tmp_path, "a,y\n1,0\n2,1\n3,1\n", "b.csv")), 0.0, 0,
                         source="mine")
    assert binary.kind == "binary" and binary.source == "mine" and len(binary.X_test) == 0
    assert to_imported(read(write(tmp_path, "a,y\n1,0.5\n", "r.csv"))).kind == "regression"
    with pytest.raises(ValueError, match="test_fraction"):
        to_imported(d, test_fraction=1.0)


# ==================================================================== streaming

ROWS = 200_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    p = tmp_path_factory.mktemp("big") / "big.csv"
    i = np.arange(ROWS)
    table = np.column_stack([i, i % 7 * 0.5, i % 2])
    with open(p, "w", encoding="utf-8", newline="") as f:
        f.write("n,half,y\n")
        f.write("\n".join(f"{a},{b},{c}" for a, b, c in table.astype(int).tolist()))
        f.write("\n")
    return p


def test_big_file_streams_with_progress(big_csv):
    seen = []
    d = read_csv(big_csv, CsvFormat(), [0, 1], [2], progress=seen.append)
    assert d.X.shape == (ROWS, 2) and d.Y.shape == (ROWS, 1)
    assert d.X[-1, 0] == ROWS - 1 and d.Y[:4].ravel().tolist() == [0, 1, 0, 1]
    assert len(seen) > 10 and seen == sorted(seen) and seen[-1] == 1.0
    assert 0 < seen[0] < 0.1


def test_progress_returning_false_cancels(big_csv):
    calls = []

    def progress(f):
        calls.append(f)
        return len(calls) < 3
    with pytest.raises(CsvCancelled):
        read_csv(big_csv, CsvFormat(), [0, 1], [2], progress=progress)
    assert len(calls) == 3


def test_rows_beyond_the_cap_are_refused_with_the_limit(big_csv):
    with pytest.raises(CsvError) as info:
        read_csv(big_csv, CsvFormat(), [0, 1], [2], max_rows=50_000)
    assert str(info.value) == ("big.csv: line 50002: the file has more than 50,000 data "
                               "rows; nnsim imports at most 50,000")


def test_values_beyond_what_a_file_can_hold_are_refused(tmp_path):
    p = write(tmp_path, "a,b,y\n" + "1,2,0\n" * 40)
    with pytest.raises(CsvError) as info:
        read(p, max_values=60)
    assert str(info.value) == ("data.csv: line 22: the file has more than 20 data rows; "
                               "nnsim imports at most 60 values, so 20 rows of 3 chosen "
                               "columns")
    q = write(tmp_path, "a,c\n" + "".join(f"1,{i % 5}\n" for i in range(10)), "c.csv")
    with pytest.raises(CsvError, match="would hold 60 values \\(5 one-hot columns\\); "
                                       "nnsim imports at most 59"):
        read(q, encode_classes=True, max_values=59)


def test_the_importer_imports_no_qt():
    code = ("import sys, nnsim.io.csv_import; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6', 'pyqtgraph')]; sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# ============================================================= property tests

EXAMPLES = int(os.environ.get("NNSIM_HYPOTHESIS_EXAMPLES", "100"))
FAST = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _tmpfile(content: bytes) -> str:
    fd, name = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    return name


def _format_value(v: float, decimal_comma: bool) -> str:
    s = repr(float(v))
    return s.replace(".", ",") if decimal_comma else s


@st.composite
def tables(draw):
    cols = draw(st.integers(2, 5))
    rows = draw(st.integers(1, 12))
    values = draw(st.lists(st.lists(
        st.floats(allow_nan=False, allow_infinity=False) | st.integers(-1000, 1000),
        min_size=cols, max_size=cols), min_size=rows, max_size=rows))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    dc = sep != "," and draw(st.booleans())
    header = draw(st.booleans())
    names = draw(st.lists(st.from_regex(r"[a-z][a-z0-9 ]{0,6}", fullmatch=True),
                          min_size=cols, max_size=cols, unique=True))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    lines = [sep.join(names)] if header else []
    lines += [sep.join(_format_value(v, dc) for v in r) for r in values]
    text = ("\ufeff" if bom else "") + eol.join(lines) + draw(st.sampled_from(["", eol]))
    return np.array(values, dtype=float), sep, dc, header, names, text


@FAST
@given(tables())
def test_random_tables_in_random_dialects_read_back_equal(t):
    values, sep, dc, header, names, text = t
    path = _tmpfile(text.encode("utf-8"))
    try:
        fmt = sniff(path)
        assert (fmt.separator, fmt.has_header) == (sep, header)
        n = values.shape[1]
        d = read_csv(path, fmt, list(range(n - 1)), [n - 1])
    finally:
        os.unlink(path)
    assert np.array_equal(d.X, values[:, :-1]) and np.array_equal(d.Y, values[:, -1:])
    if header:
        assert d.input_names == [s.strip() for s in names[:-1]]


def _check_any(content: bytes, encode: bool, skip: bool) -> None:
    path = _tmpfile(content)
    try:
        try:
            fmt = sniff(path)
            names, _ = preview(path, fmt)
            d = read_csv(path, fmt, list(range(len(names) - 1)), [len(names) - 1],
                         encode_classes=encode, on_bad_row="skip" if skip else "error")
        except CsvError as e:
            msg = str(e)
            assert msg.startswith(os.path.basename(path) + ": ") and "\n" not in msg
            return
    finally:
        os.unlink(path)
    assert isinstance(d, CsvData)
    assert d.X.dtype == d.Y.dtype == np.float64 and len(d.X) == len(d.Y) > 0
    assert np.all(np.isfinite(d.X)) and np.all(np.isfinite(d.Y))
    to_imported(d, 0.2, 0)  # whatever reads can be split


CSV_ALPHABET = st.sampled_from(list("0123456789.,;\t\"\n\r -+eE_xaé") + ["nan", "inf", "\x00"])


@FAST
@given(st.lists(CSV_ALPHABET, max_size=80).map("".join), st.booleans(), st.booleans())
def test_garbage_text_gives_data_or_one_csv_error(text, encode, skip):
    _check_any(text.encode("utf-8"), encode, skip)


@FAST
@given(st.binary(max_size=200), st.booleans(), st.booleans())
def test_random_bytes_give_data_or_one_csv_error(content, encode, skip):
    _check_any(content, encode, skip)


@FAST
@given(st.data(), st.booleans(), st.booleans())
def test_mutated_csv_gives_data_or_one_csv_error(data, encode, skip):
    text = bytearray(IRIS.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(text)))
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        b = data.draw(st.sampled_from(list(b"0123456789.,;\t\"\n\r x") + [0xE9, 0]))
        if op == "insert":
            text.insert(i, b)
        elif i < len(text):
            if op == "delete":
                del text[i]
            else:
                text[i] = b
    _check_any(bytes(text), encode, skip)


@FAST
@given(st.text(max_size=60))
def test_sniff_of_any_text_gives_a_format_or_one_csv_error(text):
    try:
        fmt = sniff(text + "\n")
    except CsvError as e:
        assert "\n" not in str(e)
        return
    assert fmt.separator in (",", ";", "\t")
