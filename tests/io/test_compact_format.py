"""Format version 2: long histories and big arrays stored compactly, small
things still readable, everything back bit for bit, version 1 migrated."""
import base64
import json
import math
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import nnsim.io.history_columns as history_columns
import nnsim.io.project_writer as project_writer
from iohelpers import (EXAMPLES, FIXTURES, MINIMAL, arrays_identical, assert_same_project,
                       projects, small_project)
from nnsim.core.history_log import EpochLog
from nnsim.core.network import Layer, Network
from nnsim.core.project import History, ImportedData, Project
from nnsim.core.training import EpochResult
from nnsim.io import FORMAT_VERSION, FileFormatError, dumps, load_project, loads, save_project
from nnsim.io.packed import PACK_ABOVE, pack


def long_history(n: int) -> EpochLog:
    """n epochs like a real run: a falling loss, accuracies in steps, no test
    values for the first 1,200 epochs (the data had no test set then), and a
    run that blew up at the end (NaN, then infinity)."""
    k = np.arange(1, n + 1, dtype=float)
    c = np.zeros((n, EpochLog.NCOLS))
    c[:, 0] = k
    c[:, 1] = 0.7 / np.sqrt(k) + 1e-3 * np.sin(k)
    c[:, 2] = c[:, 1] * 1.1
    c[:, 3] = np.minimum(1.0, np.floor(k / (n / 8)) / 8)
    c[:, 4] = 0.75
    c[:1200, [2, 4]] = math.nan
    c[:1200, [5, 7]] = 1.0
    c[-2, 1], c[-1, 1] = math.nan, math.inf
    log = EpochLog()
    log.extend_columns(c)
    return log


def test_the_format_version_is_2():
    assert FORMAT_VERSION == 2
    assert json.loads(dumps(small_project()))["version"] == 2


def test_a_long_history_is_packed_and_comes_back_bit_for_bit():
    n = 200_000
    p = small_project(history=History(long_history(n)))
    text = dumps(p)
    q = loads(text)
    assert arrays_identical(q.history.epochs.columns, p.history.epochs.columns)
    assert dumps(q) == text  # save -> load -> save: the same bytes
    last, blew_up = q.history.epochs[-1], q.history.epochs[-2]
    assert last.train_loss == math.inf and math.isnan(blew_up.train_loss)
    assert q.history.epochs[1199].test_loss is None and q.history.epochs[1200].test_loss > 0
    h = json.loads(text)["history"]
    assert h["epochs"] == n and h["train_loss"]["shape"] == [n]
    assert h["missing"] == {"test_loss": [[1, 1200]], "test_accuracy": [[1, 1200]]}
    # version 1 wrote about 140 bytes an epoch; a small fraction of that now
    assert len(text) < 20 * n


def test_a_nan_payload_in_a_packed_history_comes_back_bit_for_bit():
    log = long_history(PACK_ABOVE + 5)
    odd_nan = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_DEAD_BEEF))[0]
    c = log.columns.copy()
    c[3, 1], c[4, 1] = odd_nan, -0.0
    again = EpochLog()
    again.extend_columns(c)
    q = loads(dumps(small_project(history=History(again))))
    assert q.history.epochs.columns[3:5, 1].tobytes() == c[3:5, 1].tobytes()


def test_a_short_history_stays_readable_text():
    rows = [EpochResult(1, 0.5, None, 0.5, None), EpochResult(2, math.nan, None, 0.75, None),
            EpochResult(3, math.inf, None, None, None)]
    text = dumps(small_project(history=History(EpochLog(rows))))
    h = json.loads(text)["history"]
    assert h == {"epochs": 3, "train_loss": [0.5, "NaN", "Infinity"], "test_loss": None,
                 "train_accuracy": [0.5, 0.75, None], "test_accuracy": None}
    assert loads(text).history.epochs == EpochLog(rows)  # (NaN == NaN here)


def test_teaching_weights_stay_readable_and_big_arrays_are_packed():
    text = dumps(small_project())
    assert "[0.5, -0.25]" in text and '"dtype"' not in text
    W = np.random.default_rng(0).normal(size=(101, 100))  # 10,100 weights
    p = Project(Network(101, [Layer(W, np.zeros(100), "tanh")]))
    obj = json.loads(dumps(p))
    assert obj["network"]["layers"][0]["weights"]["shape"] == [101, 100]
    assert obj["network"]["layers"][0]["bias"] == [0.0] * 100
    assert arrays_identical(loads(dumps(p)).network.layers[0].W, W)


def test_a_csv_at_the_documented_limit_saves_and_reopens(tmp_path):
    """Issue 16: 1,000,000 rows x 10 columns (the CSV import's limits) saved as
    227.7 MB of JSON and could not be reopened."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1_000_000, 9))
    Y = (X[:, :1] > 0).astype(float)
    data = ImportedData(X, Y, np.zeros((0, 9)), np.zeros((0, 1)),
                        [f"c{i}" for i in range(9)], ["y"], "binary", "big.csv")
    net = Network.build(9, [1], ["sigmoid"], loss="bce", rng=rng)
    path = tmp_path / "big.nnsim"
    save_project(Project(net, data=data), path)
    assert path.stat().st_size < 120_000_000  # 9M random floats: 72 MB raw, then base64
    q = load_project(path)
    assert arrays_identical(q.data.X_train, X) and arrays_identical(q.data.Y_train, Y)


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_any_project_round_trips_with_every_array_packed(p):
    """The packed form of every array and history column, on any project."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(project_writer, "PACK_ABOVE", 0)
        m.setattr(history_columns, "PACK_ABOVE", 0)
        text = dumps(p)
        q = loads(text)
        assert_same_project(p, q)
        assert dumps(q) == text


# --------------------------------------------------------------- broken packs

def packed_file(change) -> str:
    W = np.arange(PACK_ABOVE + 2, dtype=float).reshape(-1, 2) / 7
    p = Project(Network(W.shape[0], [Layer(W, np.zeros(2), "tanh")]))
    obj = json.loads(dumps(p))
    change(obj["network"]["layers"][0]["weights"])
    return json.dumps(obj)


def load_error(text) -> str:
    with pytest.raises(FileFormatError) as info:
        loads(text, "net.nnsim")
    msg = str(info.value)
    assert "\n" not in msg
    return msg


W_PATH = "net.nnsim: network.layers[0].weights"


@pytest.mark.parametrize("change, words", [
    (lambda w: w.update(data="not base64!"), ".data: expected base64 text"),
    (lambda w: w.update(data=base64.b64encode(b"garbage").decode()), ".data: expected zlib"),
    (lambda w: w.update(shape=[3, 2]), ".shape: expected a shape [5001, 2]"),
    (lambda w: w.update(dtype="<f4"), ".dtype: expected \"<f8\""),
    (lambda w: w.update(encoding="base64"), ".encoding: expected \"shuffle+zlib+base64\""),
    (lambda w: w.update(extra=1), ".extra: unknown key"),
    (lambda w: w.update(data=pack(np.zeros(10)).get("data")), "got 80 bytes"),
])
def test_a_broken_packed_array_is_refused_naming_the_field(change, words):
    msg = load_error(packed_file(change))
    assert msg.startswith(W_PATH) and words in msg, msg


def test_a_pack_that_unpacks_to_more_than_its_shape_is_refused_without_unpacking_it():
    bomb = base64.b64encode(zlib.compress(bytes(10**8), 9)).decode()  # 100 MB of zeros
    msg = load_error(packed_file(lambda w: w.update(data=bomb)))
    assert msg.startswith(W_PATH + ".data") and "got more" in msg, msg


def test_a_shape_beyond_the_limit_is_refused_before_unpacking():
    big = {"dtype": "<f8", "shape": [60_000_000, 1], "encoding": "shuffle+zlib+base64",
           "data": ""}
    text = json.dumps({"format": "nnsim", "version": 2, "network": {"inputs": 1, "layers": [
        {"units": 1, "activation": "sigmoid"}]}, "data": {"points": {"inputs": big,
                                                                     "targets": big}}})
    msg = load_error(text)
    assert msg.startswith("net.nnsim: data.points.inputs.shape: expected at most "
                          "50,000,000 numbers in one array, got 60,000,000"), msg
    many = json.dumps({"format": "nnsim", "version": 2, "network": {"inputs": 1, "layers": [
        {"units": 1, "activation": "sigmoid"}]}, "history": {"epochs": 10**8}})
    assert "history.epochs: expected a whole number from 0 to 10,000,000" in load_error(many)


def test_a_nan_weight_in_a_pack_is_named_by_its_index():
    def nan_at(w):
        a = np.arange(PACK_ABOVE + 2, dtype=float).reshape(-1, 2) / 7
        a[7, 1] = math.nan
        w.update(pack(a))
    msg = load_error(packed_file(nan_at))
    assert msg.startswith(W_PATH + "[7][1]: expected a finite number, got nan"), msg


def test_a_packed_accuracy_outside_0_to_1_is_refused():
    obj = json.loads(dumps(small_project(history=History(long_history(PACK_ABOVE + 1)))))
    acc = np.full(PACK_ABOVE + 1, 0.5)
    acc[9] = 2.0
    obj["history"]["train_accuracy"] = pack(acc)
    msg = load_error(json.dumps(obj))
    assert "history.train_accuracy[9]: expected a number from 0 to 1" in msg, msg


@pytest.mark.parametrize("change, words", [
    (lambda h: h.update(train_loss=[0.5]), "history.train_loss: expected 3 values"),
    (lambda h: h.update(train_loss=None), "history.train_loss: expected the loss of each"),
    (lambda h: h.update(train_loss=[0.5, "nan", 0.25]), "history.train_loss[1]: expected a number"),
    (lambda h: h.update(train_accuracy=[0.5, 1.5, 1]), "history.train_accuracy[1]: expected a number from 0 to 1"),
    (lambda h: h.update(missing={"test_loss": [[1, 2]]}), "history.missing.test_loss: expected no missing list"),
    (lambda h: h.update(epochs=-1), "history.epochs: expected a whole number"),
])
def test_a_broken_text_history_is_refused_naming_the_field(change, words):
    rows = [EpochResult(k, 1 / k, None, 0.5, None) for k in (1, 2, 3)]
    obj = json.loads(dumps(small_project(history=History(EpochLog(rows)))))
    change(obj["history"])
    msg = load_error(json.dumps(obj))
    assert words in msg, msg


# ------------------------------------------------------ migration and fixtures

def test_a_version_1_history_is_migrated_to_columns():
    v1 = json.loads(MINIMAL)
    v1["history"] = {"epochs": [{"epoch": 1, "train_loss": 0.5, "train_accuracy": 0.5},
                                {"epoch": 2, "train_loss": "NaN", "test_loss": 0.25}]}
    p = loads(json.dumps(v1))
    assert p.history.epochs == EpochLog([EpochResult(1, 0.5, None, 0.5, None),
                                         EpochResult(2, math.nan, 0.25, None, None)])
    h = json.loads(dumps(p))["history"]
    assert h["train_loss"] == [0.5, "NaN"] and h["test_loss"] == [None, 0.25]


def test_version_1_fixtures_resave_as_version_2_with_the_same_project(tmp_path):
    for name in ("v1_full.nnsim", "v1_builtin.nnsim", "v1_minimal.nnsim"):
        p = load_project(FIXTURES / name)
        save_project(p, tmp_path / name)
        assert json.loads((tmp_path / name).read_text())["version"] == 2
        assert_same_project(load_project(tmp_path / name), p)


def test_the_version_2_fixture_loads_with_its_numbers():
    p = load_project(FIXTURES / "v2_packed.nnsim")
    assert p.title == "Version 2: packed arrays"
    assert p.data.X_train.shape == (5001, 2) and p.data.X_train[0, 0] == p.data.X_train[0, 0]
    epochs = p.history.epochs
    assert len(epochs) == 10_003
    assert epochs[0] == EpochResult(1, 0.7, None, 0.50005, None)
    assert epochs[1199].test_loss is None and epochs[1200].test_accuracy == 0.75
    assert math.isnan(epochs[9999].train_loss) and epochs[10_000].train_loss == math.inf
    assert p.optimizer_state["t"] == 157
    st = p.make_stepper()
    assert st.epoch == 10_004
    st.step_epochs(1)


def test_the_version_2_fixture_is_canonical_text():
    text = (FIXTURES / "v2_packed.nnsim").read_text(encoding="utf-8")
    assert dumps(loads(text)) == text


def test_saving_keeps_no_packed_text_in_memory_afterwards():
    """The writer caches the JSON form of short strings (keys); a packed
    column's megabytes of base64 must not stay in that cache after a save."""
    from nnsim.io import jsontext
    dumps(small_project(history=History(long_history(50_000))))
    assert max(map(len, jsontext._STRINGS), default=0) <= 100
