"""Hypothesis strategies for whole .nnsim files, shared by the tests that
check "a file that loads trains, steps and renders" (issue 16 item 5).

The files are drawn near the edges the loader must think about: data of
another shape than the network (or none), any loss with any output, masks,
frozen biases, absurd weights, far-away layout positions, every optimiser and
number type. Some are refused at load (that is fine: the property is about
those that load)."""
from __future__ import annotations

from hypothesis import strategies as st

from nnsim.core import activations as actmod
from nnsim.core import losses as lossmod
from nnsim.core.datasets import BUILTIN
from nnsim.core.optimizers import OPTIMIZERS

HIDDEN = sorted(a for a in actmod.ACTIVATIONS if a not in actmod.OUTPUT_ONLY)
WEIGHTS = st.sampled_from([0.0, 0.5, -1.0, 3.0, 1e-300, 1e300, -1e300, 1e150, 40.0])
TARGETS = st.sampled_from([0.0, 1.0, 0.5, -4.0, 5.0, 2.0, 1e200, -1e-3])
INPUTS = st.sampled_from([0.0, 1.0, -1.0, 0.25, 1e200, -1e200, 1e-300, 7.0])
COORDS = st.sampled_from([0.0, 12.5, -80.0, 15_000.0, -15_000.0, 14_999.5, 2e4, 1e9, None])


@st.composite
def nnsim_files(draw) -> dict:
    n_in = draw(st.integers(1, 4))
    n_layers = draw(st.integers(1, 3))
    layers, fan_in = [], n_in
    for k in range(n_layers):
        last = k == n_layers - 1
        units = draw(st.integers(1, 4))
        act = draw(st.sampled_from(sorted(actmod.ACTIVATIONS) if last else HIDDEN))
        layer = {"units": units, "activation": act}
        if draw(st.booleans()):
            layer["weights"] = [[draw(WEIGHTS) for _ in range(units)] for _ in range(fan_in)]
        if draw(st.booleans()):
            layer["bias"] = [draw(WEIGHTS) for _ in range(units)]
        if draw(st.integers(0, 3)) == 0:
            layer["mask"] = [[draw(st.booleans()) for _ in range(units)] for _ in range(fan_in)]
        if draw(st.integers(0, 3)) == 0:
            layer["train_bias"] = False
        layers.append(layer)
        fan_in = units
    n_out = fan_in
    obj = {"format": "nnsim", "version": 1,
           "network": {"inputs": n_in, "loss": draw(st.sampled_from(sorted(lossmod.LOSSES))),
                       "layers": layers}}
    optimizer = draw(st.sampled_from(OPTIMIZERS))
    obj["training"] = {
        "learning_rate": draw(st.sampled_from([0.1, 1e-5, 3.0, 1e9])),
        "batch_size": draw(st.sampled_from([1, 2, 7, 1000])),
        "optimizer": optimizer, "epochs": draw(st.integers(0, 3)),
        "seed": draw(st.integers(0, 5)), "shuffle": draw(st.booleans()),
        "stop_loss": draw(st.sampled_from([None, 0.0, 0.5])),
        "dtype": draw(st.sampled_from(["float64", "float32"])),
    }
    data = draw(st.sampled_from(["none", "builtin", "points", "points", "empty"]))
    if data == "builtin":
        obj["data"] = {"builtin": draw(st.sampled_from(sorted(BUILTIN))),
                       "n": draw(st.integers(4, 40)), "seed": draw(st.integers(0, 3))}
    elif data in ("points", "empty"):
        rows = 0 if data == "empty" else draw(st.integers(1, 6))
        test_rows = draw(st.integers(0, 3))
        cols_in = draw(st.sampled_from([n_in, n_in, n_in + 1, max(1, n_in - 1)]))
        cols_out = draw(st.sampled_from([n_out, n_out, n_out + 1]))
        if draw(st.booleans()) and n_out >= 2:  # one-hot rows (a multiclass set)
            hot = [draw(st.integers(0, n_out - 1)) for _ in range(rows + test_rows)]
            ys = [[float(j == h) for j in range(cols_out)] for h in hot]
        else:
            ys = [[draw(TARGETS) for _ in range(cols_out)] for _ in range(rows + test_rows)]
        xs = [[draw(INPUTS) for _ in range(cols_in)] for _ in range(rows + test_rows)]
        obj["data"] = {"points": {"inputs": xs[:rows], "targets": ys[:rows],
                                  "test_inputs": xs[rows:], "test_targets": ys[rows:]}}
        if draw(st.booleans()):
            obj["data"]["input_names"] = [draw(st.sampled_from(
                ["x", "<b>bold</b>", "<img src='/etc/passwd'>", "a&amp;b", "long " * 20]))
                for _ in range(cols_in)]
    if draw(st.booleans()):
        sizes = [n_in] + [l["units"] for l in layers]
        obj["layout"] = [[None if (c := draw(COORDS)) is None else [c, draw(COORDS) or 0.0]
                          for _ in range(n)] for n in sizes]
    return obj
