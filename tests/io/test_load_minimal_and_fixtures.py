"""The hand-written minimal file and the frozen fixtures of format version 1."""
import math

import numpy as np

from iohelpers import FIXTURES, MINIMAL, assert_same_project
from nnsim.core.datasets import DataSpec
from nnsim.core.initializers import init_weights
from nnsim.core.project import ImportedData
from nnsim.core.training import TrainingConfig
from nnsim.io import load_project, loads


def test_minimal_file_loads_with_the_given_weights():
    p = loads(MINIMAL, "min.nnsim")
    l1, l2 = p.network.layers
    assert p.network.n_inputs == 3 and p.network.loss == "mse"
    assert (l1.activation, l2.activation) == ("tanh", "sigmoid")
    # weights[i][j] is the weight from neuron i of the previous layer into neuron j
    np.testing.assert_array_equal(l1.W, [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]])
    assert l1.W.dtype == np.float64 and l1.W.shape == (3, 2)
    assert l1.W[2, 1] == 0.6 and l1.W[0, 1] == -0.2
    np.testing.assert_array_equal(l1.b, [0.0, 0.1])
    assert l1.mask is None and l2.mask is None
    x = np.array([[1.0, 2.0, 3.0]])
    z = [1 * 0.1 + 2 * 0.3 + 3 * -0.5 + 0.0, 1 * -0.2 + 2 * 0.4 + 3 * 0.6 + 0.1]
    np.testing.assert_allclose(p.network.forward(x)[0][0], [z], rtol=0, atol=1e-15)


def test_minimal_file_missing_weights_come_from_the_seed():
    p = loads(MINIMAL)
    l2 = p.network.layers[1]
    # layer 1 has its weights in the file and draws nothing: layer 2 is the first draw
    expected = init_weights("xavier", 2, 1, np.random.default_rng(7))
    assert l2.W.shape == (2, 1)
    np.testing.assert_array_equal(l2.W, expected)
    np.testing.assert_array_equal(l2.b, [0.0])
    again = loads(MINIMAL)
    assert again.network.layers[1].W.tobytes() == l2.W.tobytes()
    other_seed = loads(MINIMAL.replace('"seed": 7', '"seed": 8'))
    assert not np.array_equal(other_seed.network.layers[1].W, l2.W)


def test_minimal_file_defaults():
    p = loads(MINIMAL)
    assert p.training == TrainingConfig(learning_rate=0.1, seed=7)
    # no data and a 3-input network: no points, in the network's shape (the
    # 2-input XOR table crashed Forward, Play and `nnsim train`: issue 16 item 5)
    assert p.dataset().X_train.shape == (0, 3) and p.dataset().Y_train.shape == (0, 1)
    two_inputs = loads(MINIMAL.replace('"inputs": 3', '"inputs": 2').replace(
        '[[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]', '[[0.1, -0.2], [0.3, 0.4]]'))
    assert two_inputs.data == DataSpec("xor_table")  # the placeholder where it fits
    assert (p.title, p.description, p.layout, p.optimizer_state) == ("", "", None, None)
    assert p.history.epochs == []


def test_layers_without_weights_draw_in_order():
    text = MINIMAL.replace('"weights": [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], ', "")
    p = loads(text)
    rng = np.random.default_rng(7)
    np.testing.assert_array_equal(p.network.layers[0].W, init_weights("xavier", 3, 2, rng))
    np.testing.assert_array_equal(p.network.layers[1].W, init_weights("xavier", 2, 1, rng))
    he = loads(text.replace('"seed": 7', '"seed": 7, "initializer": "he"'))
    rng = np.random.default_rng(7)
    np.testing.assert_array_equal(he.network.layers[0].W, init_weights("he", 3, 2, rng))


def test_minimal_fixture_file_is_the_documented_example():
    assert (FIXTURES / "v1_minimal.nnsim").read_text(encoding="utf-8") == MINIMAL
    assert_same_project(load_project(FIXTURES / "v1_minimal.nnsim"), loads(MINIMAL))


def test_minimal_example_is_in_the_docs():
    docs = (FIXTURES.parents[2] / "docs" / "file-format.md").read_text(encoding="utf-8")
    assert MINIMAL.strip() in docs


def test_full_fixture_loads_every_key():
    p = load_project(FIXTURES / "v1_full.nnsim")
    assert p.title == "Three classes" and "never regenerate" in p.description
    net = p.network
    assert net.sizes == [2, 3, 3] and net.loss == "cross_entropy"
    assert [l.activation for l in net.layers] == ["relu", "softmax"]
    assert net.layers[0].mask.tolist() == [[True, True, False], [True, False, True]]
    assert net.layers[0].W[0, 0] == -1.0522014812143818
    assert net.layers[1].b[2] == -0.15493208474307596
    assert net.layers[1].mask is None
    t = p.training
    assert (t.learning_rate, t.batch_size, t.optimizer, t.epochs, t.seed, t.initializer,
            t.shuffle, t.stop_loss) == (0.05, 2, "adam", 50, 11, "he", False, 0.01)
    assert t.optimizer_params == {"beta1": 0.85, "beta2": 0.995, "epsilon": 1e-07}
    d = p.data
    assert isinstance(d, ImportedData)
    assert d.X_train.shape == (6, 2) and d.Y_train.shape == (6, 3)
    assert d.X_test.shape == (2, 2) and d.Y_test.tolist() == [[1, 0, 0], [0, 0, 1]]
    assert (d.input_names, d.target_names) == (["x", "y"], ["red", "green", "blue"])
    assert (d.kind, d.source) == ("multiclass", "three_points.csv")
    assert p.layout[2][1] == (360.0, 150.25) and [len(l) for l in p.layout] == [2, 3, 3]
    assert [e.epoch for e in p.history.epochs] == [1, 2, 3]
    assert p.history.epochs[2].train_loss == 1.1548601136598309
    assert p.history.epochs[0].test_accuracy == 0.5
    s = p.optimizer_state
    assert s["t"] == 9 and len(s["slots"]) == 2
    assert [a.shape for a in s["slots"][1]] == [(2, 3), (3,), (3, 3), (3,)]
    assert s["slots"][1][2][1, 0] == 4.486486831900698e-12
    # and training continues from it
    st = p.make_stepper()
    assert st.epoch == 4 and st.optimizer.t == 9
    (r,) = st.step_epochs(1)
    assert r.epoch == 4 and math.isfinite(r.train_loss)


def test_builtin_fixture_loads():
    p = load_project(FIXTURES / "v1_builtin.nnsim")
    assert p.data == DataSpec("circle", n=24, noise=0.05, test_fraction=0.25, seed=5)
    assert p.network.loss == "bce" and p.training.optimizer == "momentum"
    assert p.training.optimizer_params == {"momentum": 0.8}
    last = p.history.epochs[-1]
    assert last.train_loss == math.inf and math.isnan(last.test_loss)
    assert (last.train_accuracy, last.test_accuracy) == (0.5, None)
    assert p.optimizer_state["t"] == 10 and len(p.optimizer_state["slots"]) == 1
    assert p.layout is None
    p.make_stepper().step_epochs(1)

# (The version-1 fixtures were canonical version-1 text; version 2 writes other
# text. Their version-2 re-save: tests/io/test_compact_format.py.)
