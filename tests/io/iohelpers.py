"""Shared pieces of the tests/io suite: sample projects and comparisons."""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from nnsim.core.limits import MAX_COORDINATE, MAX_SEED
from nnsim.core import activations as actmod
from nnsim.core import losses as lossmod
from nnsim.core.datasets import BUILTIN, DataSpec
from nnsim.core.network import Layer, Network
from nnsim.core.optimizers import DEFAULT_PARAMS, OPTIMIZERS
from nnsim.core.project import History, ImportedData, Project, placeholder_data
from nnsim.core.training import EpochResult, TrainingConfig

FIXTURES = Path(__file__).parent / "fixtures"

# Property tests run this many examples (raise it for a deep run, e.g. 5000).
EXAMPLES = int(os.environ.get("NNSIM_HYPOTHESIS_EXAMPLES", "200"))

# The minimal hand-written file of the brief and of docs/file-format.md.
MINIMAL = """{"format": "nnsim", "version": 1,
 "network": {"inputs": 3, "loss": "mse",
   "layers": [{"units": 2, "activation": "tanh", "weights": [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], "bias": [0.0, 0.1]},
              {"units": 1, "activation": "sigmoid"}]},
 "training": {"learning_rate": 0.1, "seed": 7}}
"""


def arrays_identical(a, b) -> bool:
    """Same shape, dtype and bits (so -0.0 != 0.0 and NaN == NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def floats_identical(x, y) -> bool:
    if x is None or y is None:
        return x is None and y is None
    return (math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) == math.copysign(1, y))


def assert_same_project(p: Project, q: Project) -> None:
    """Field by field, arrays bit for bit."""
    assert (p.title, p.description) == (q.title, q.description)
    assert p.network.n_inputs == q.network.n_inputs and p.network.loss == q.network.loss
    assert len(p.network.layers) == len(q.network.layers)
    for a, b in zip(p.network.layers, q.network.layers):
        assert a.activation == b.activation and a.train_bias == b.train_bias
        assert arrays_identical(a.W, b.W) and arrays_identical(a.b, b.b)
        ma = None if a.mask is None or a.mask.all() else a.mask
        mb = None if b.mask is None or b.mask.all() else b.mask
        assert (ma is None and mb is None) or arrays_identical(ma, mb)
    assert p.training == q.training
    if isinstance(p.data, DataSpec):
        assert p.data == q.data
    else:
        for f in ("X_train", "Y_train", "X_test", "Y_test"):
            assert arrays_identical(getattr(p.data, f), getattr(q.data, f)), f
        for f in ("input_names", "target_names", "kind", "source"):
            assert getattr(p.data, f) == getattr(q.data, f), f
    if p.layout is None or all(pos is None for row in p.layout for pos in row):
        assert q.layout is None  # all automatic is no layout
    else:
        assert [[None if xy is None else tuple(map(float, xy)) for xy in l]
                for l in p.layout] == q.layout
    assert len(p.history.epochs) == len(q.history.epochs)
    for e, f in zip(p.history.epochs, q.history.epochs):
        assert e.epoch == f.epoch
        for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
            assert floats_identical(getattr(e, name), getattr(f, name)), name
    if p.optimizer_state is None:
        assert q.optimizer_state is None
    else:
        assert p.optimizer_state["t"] == q.optimizer_state["t"]
        assert len(p.optimizer_state["slots"]) == len(q.optimizer_state["slots"])
        for ka, kb in zip(p.optimizer_state["slots"], q.optimizer_state["slots"]):
            assert all(arrays_identical(x, y) for x, y in zip(ka, kb))


def small_project(**changes) -> Project:
    """A 2-2-1 XOR project with everything filled in."""
    net = Network(2, [Layer(np.array([[0.5, -0.25], [0.125, 1.0]]), np.array([0.0, 0.1]), "tanh"),
                      Layer(np.array([[0.75], [-0.5]]), np.array([0.2]), "sigmoid")], "mse")
    p = Project(net, TrainingConfig(seed=3), DataSpec("xor_table"), title="XOR",
                layout=[[(0.0, 0.0), (0.0, 1.0)], [(1.0, 0.0), (1.0, 1.0)], [(2.0, 0.5)]])
    for k, v in changes.items():
        setattr(p, k, v)
    return p


# ------------------------------------------------------------ hypothesis

finite = st.floats(allow_nan=False, allow_infinity=False)
HIDDEN = [a for a in actmod.ACTIVATIONS if a not in actmod.OUTPUT_ONLY]
SAFE_TEXT = st.text(max_size=12)


def _matrix(draw, rows, cols, elements=finite):
    return np.array(draw(st.lists(st.lists(elements, min_size=cols, max_size=cols),
                                  min_size=rows, max_size=rows)),
                    dtype=np.float64).reshape(rows, cols)


def _history_number(nullable):
    choices = [finite, st.sampled_from([math.nan, math.inf, -math.inf])]
    if nullable:
        choices.append(st.none())
    return st.one_of(*choices)


@st.composite
def projects(draw) -> Project:
    n_inputs = draw(st.integers(1, 3))
    n_layers = draw(st.integers(1, 3))
    loss = draw(st.sampled_from(list(lossmod.LOSSES)))
    allowed_out = sorted(actmod.ACTIVATIONS)  # any loss with any output
    sizes = [n_inputs] + [draw(st.integers(1, 3)) for _ in range(n_layers)]
    layers = []
    for k in range(n_layers):
        n_in, units = sizes[k], sizes[k + 1]
        act = draw(st.sampled_from(allowed_out if k == n_layers - 1 else HIDDEN))
        mask = None
        if draw(st.booleans()):
            mask = np.array(draw(st.lists(st.lists(st.booleans(), min_size=units, max_size=units),
                                          min_size=n_in, max_size=n_in)), dtype=bool)
        layers.append(Layer(_matrix(draw, n_in, units), _matrix(draw, 1, units)[0], act, mask,
                            train_bias=draw(st.booleans())))
    net = Network(n_inputs, layers, loss)
    optimizer = draw(st.sampled_from(OPTIMIZERS))
    params = {}
    for name in DEFAULT_PARAMS[optimizer]:
        if draw(st.booleans()):
            params[name] = draw(st.floats(1e-9, 0.999)) if name != "epsilon" else draw(st.floats(1e-12, 1.0))
    cfg = TrainingConfig(
        learning_rate=draw(st.floats(1e-12, 1e9)), batch_size=draw(st.integers(1, 10**9)),
        optimizer=optimizer, optimizer_params=params, epochs=draw(st.integers(0, 10**9)),
        seed=draw(st.integers(0, MAX_SEED)), initializer=draw(st.sampled_from(["xavier", "he", "uniform"])),
        shuffle=draw(st.booleans()), stop_loss=draw(st.none() | st.floats(0, 1e6)))
    n_out = sizes[-1]
    fitting = [n for n, i in BUILTIN.items() if (i.n_inputs, i.n_outputs) == (n_inputs, n_out)]
    choice = draw(st.sampled_from(["default", "builtin", "points"] if fitting else ["default", "points"]))
    if choice == "default":  # no data chosen: the file leaves it out
        data = placeholder_data(n_inputs, n_out, loss)
    elif choice == "builtin":
        data = DataSpec(draw(st.sampled_from(fitting)), draw(st.integers(4, 10**6)),
                        draw(st.floats(0, 1e3)), draw(st.floats(0, 0.99)), draw(st.integers(0, MAX_SEED)))
    else:
        n_train, n_test = draw(st.integers(1, 4)), draw(st.integers(0, 3))
        data = ImportedData(_matrix(draw, n_train, n_inputs), _matrix(draw, n_train, n_out),
                            _matrix(draw, n_test, n_inputs), _matrix(draw, n_test, n_out),
                            draw(st.lists(SAFE_TEXT, min_size=n_inputs, max_size=n_inputs)),
                            draw(st.lists(SAFE_TEXT, min_size=n_out, max_size=n_out)),
                            "regression", draw(SAFE_TEXT))
    layout = None
    if draw(st.booleans()):
        coord = st.floats(-MAX_COORDINATE, MAX_COORDINATE)
        position = st.none() | st.tuples(coord, coord)  # None: placed automatically
        layout = [[draw(position) for _ in range(n)] for n in sizes]
    history = History([EpochResult(k + 1, draw(_history_number(False)), draw(_history_number(True)),
                                   draw(st.none() | st.floats(0, 1)), draw(st.none() | st.floats(0, 1)))
                       for k in range(draw(st.integers(0, 3)))])
    state = None
    if draw(st.booleans()):
        kinds = {"sgd": 0, "momentum": 1, "adam": 2}[optimizer]
        slots = []
        for s in range(kinds if draw(st.booleans()) else 0):
            elements = st.floats(0, 1e300) if s == 1 else finite
            arrays = []
            for l in layers:
                arrays += [_matrix(draw, *l.W.shape, elements), _matrix(draw, 1, l.units, elements)[0]]
            slots.append(arrays)
        state = {"t": draw(st.integers(0, 2**53)), "slots": slots}
    return Project(net, cfg, data, title=draw(st.text(max_size=20)),
                   description=draw(st.text(max_size=20)), layout=layout, history=history,
                   optimizer_state=state)
