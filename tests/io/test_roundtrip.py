"""Save -> load -> save is byte-identical; arrays come back bit for bit."""
import json
import math

import numpy as np
from hypothesis import HealthCheck, given, settings

from iohelpers import EXAMPLES, FIXTURES, MINIMAL, assert_same_project, projects, small_project
from nnsim.core.datasets import DataSpec
from nnsim.core.network import Layer, Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.io import dumps, load_project, loads, project_from_dict, project_to_dict, save_project


def version_1_entry(e) -> dict:
    """An epoch as format version 1 wrote it (non-finite numbers as text)."""
    def out(x):
        if x is None or math.isfinite(x):
            return x
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    return {"epoch": e.epoch, "train_loss": out(e.train_loss), "test_loss": out(e.test_loss),
            "train_accuracy": out(e.train_accuracy), "test_accuracy": out(e.test_accuracy)}


def test_save_load_save_is_byte_identical(tmp_path):
    path = tmp_path / "net.nnsim"
    for p in (loads(MINIMAL), small_project(), load_project(FIXTURES / "v1_full.nnsim"),
              load_project(FIXTURES / "v1_builtin.nnsim")):
        save_project(p, path)
        first = path.read_bytes()
        q = load_project(path)
        assert_same_project(p, q)
        save_project(q, path)
        assert path.read_bytes() == first


def test_awkward_floats_come_back_bit_identical():
    values = [5e-324, -0.0, 0.1 + 0.2, 1.7976931348623157e308, 1 / 3, -2.2250738585072014e-308,
              123456789.12345679, 1e-7]
    W = np.array(values).reshape(4, 2)
    p = Project(Network(4, [Layer(W, np.array([-0.0, 1e300]), "linear")]))
    q = loads(dumps(p))
    assert q.network.layers[0].W.tobytes() == W.tobytes()
    assert q.network.layers[0].b.tobytes() == np.array([-0.0, 1e300]).tobytes()


def test_text_layout():
    text = dumps(small_project(title="Ünïcode ✓"))
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert '"title": "Ünïcode ✓"' in text  # UTF-8, not \u escapes
    lines = text.splitlines()
    assert lines[:3] == ["{", '  "format": "nnsim",', '  "version": 2,']
    assert "          [0.5, -0.25]," in lines  # one weight row per line
    assert '        "bias": [0.0, 0.1]' in lines
    assert all(len(l) - len(l.lstrip(" ")) in range(0, 40, 2) for l in lines)
    assert json.loads(text) == project_to_dict(small_project(title="Ünïcode ✓"))
    keys = list(json.loads(text))
    assert keys == ["format", "version", "title", "description", "network", "training",
                    "data", "layout", "history"]


def test_project_dict_round_trip():
    p = small_project()
    d = project_to_dict(p)
    assert d["network"]["layers"][0]["weights"] == [[0.5, -0.25], [0.125, 1.0]]
    assert d["data"] == {"builtin": "xor_table", "n": 200, "noise": 0.1,
                         "test_fraction": 0.2, "seed": 0}
    assert_same_project(p, project_from_dict(d))


def test_all_true_mask_is_left_out():
    p = small_project()
    p.network.layers[0].mask = np.ones((2, 2), dtype=bool)
    assert "mask" not in dumps(p)
    assert loads(dumps(p)).network.layers[0].mask is None
    p.network.layers[0].mask[1, 0] = False
    q = loads(dumps(p))
    assert q.network.layers[0].mask.tolist() == [[True, True], [False, True]]
    assert q.network.layers[0].mask.dtype == bool


def test_layout_positions_may_be_automatic():
    p = small_project(layout=[[None, (0.0, 1.0)], [None, None], [None]])
    d = project_to_dict(p)
    assert d["layout"] == [[None, [0.0, 1.0]], [None, None], [None]]
    assert loads(dumps(p)).layout == [[None, (0.0, 1.0)], [None, None], [None]]
    # every neuron automatic is the same as no layout at all
    p = small_project(layout=[[None, None], [None, None], [None]])
    assert "layout" not in project_to_dict(p)
    assert loads(dumps(p)).layout is None


def test_default_data_that_does_not_fit_is_left_out():
    # the minimal file's network has 3 inputs; xor_table is only a placeholder
    assert "data" not in project_to_dict(loads(MINIMAL))
    assert project_to_dict(small_project())["data"]["builtin"] == "xor_table"


def test_optimizer_state_that_no_longer_fits_is_saved_empty():
    # e.g. a neuron was added after training: the optimizer would start from zeros
    p = small_project(training=TrainingConfig(optimizer="momentum"),
                      optimizer_state={"t": 5, "slots": [[np.zeros((3, 3))]]})
    assert project_to_dict(p)["optimizer_state"] == {"t": 5, "slots": []}


def test_numpy_scalars_are_written_as_plain_numbers():
    p = small_project(training=TrainingConfig(learning_rate=np.float64(0.5),
                                              seed=np.int64(4), batch_size=np.int32(2)))
    p.data = DataSpec("xor", n=np.int64(50), noise=np.float32(0.25))
    text = dumps(p)
    assert '"seed": 4,' in text and '"learning_rate": 0.5,' in text and '"noise": 0.25,' in text


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_any_valid_project_round_trips(p):
    text = dumps(p)
    q = loads(text)
    assert_same_project(p, q)
    assert dumps(q) == text


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_a_history_read_in_bulk_equals_one_read_entry_by_entry(p):
    """Long version-1 histories are checked column by column; what comes out
    must be what the entry-by-entry check gives (which words any problem)."""
    from nnsim.io import history_v1
    raw = [version_1_entry(e) for e in p.history.epochs]
    bulk = history_v1._history_in_bulk(raw)
    # the entry-by-entry result, with the bulk path switched off
    original = history_v1._history_in_bulk
    history_v1._history_in_bulk = lambda raw: None
    try:
        slow = history_v1.read_history_v1({"epochs": raw})
    finally:
        history_v1._history_in_bulk = original
    if bulk is None:  # only non-finite losses (written as text) leave the bulk path
        assert any(isinstance(e["train_loss"], str) or isinstance(e.get("test_loss"), str)
                   for e in raw)
    else:
        assert bulk == slow.epochs


def test_a_long_history_round_trips_byte_identical():
    from nnsim.core.training import EpochResult
    p = small_project()
    p.history.epochs = [EpochResult(k, 1.0 / k, None if k % 7 else 0.5 / k,
                                    None if k % 5 == 0 else (k % 100) / 100, 1.0)
                        for k in range(1, 3001)]
    text = dumps(p)
    q = loads(text)
    assert q.history.epochs == p.history.epochs
    assert dumps(q) == text
