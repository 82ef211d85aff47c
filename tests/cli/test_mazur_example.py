"""resources/examples/mazur-2-2-2.nnsim reproduces Matt Mazur's "A Step by
Step Backpropagation Example" (2015): `nnsim trace` prints his published
figures, and one update gives his error after the first round.

The expected numbers are the ones printed in his post, to the digits it
prints them (so the tolerance is half a unit of its last digit); the exact
error after one update (his post rounds intermediate values) is checked to
1e-10.
"""
import json
import subprocess
import sys

import numpy as np
import pytest

from nnsim.examples import example_path
from nnsim.io import load_project

MAZUR = example_path("mazur-2-2-2")


def nnsim(*args):
    return subprocess.run([sys.executable, "-m", "nnsim", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def published(value: float, text: str) -> None:
    """``value`` rounds to the figure printed as ``text`` (half a unit of its last digit)."""
    decimals = len(text.split(".")[1])
    assert value == pytest.approx(float(text), abs=0.5 * 10.0 ** -decimals), (value, text)


@pytest.fixture(scope="module")
def trace():
    run = nnsim("trace", MAZUR, "--sample", "0", "--json")
    assert run.returncode == 0 and run.stderr == "", run.stderr
    return json.loads(run.stdout)


def test_the_forward_pass_and_the_total_error_are_his(trace):
    hidden, out = trace["layers"]
    published(hidden["a"][0], "0.593269992")  # out_h1
    published(hidden["a"][1], "0.596884378")  # out_h2
    published(out["a"][0], "0.75136507")  # out_o1
    published(out["a"][1], "0.772928465")  # out_o2
    # his E_total = sum 1/2 (target - out)^2 equals nnsim's mse, (1/t) sum (y - a)^2, for t = 2
    published(trace["loss"], "0.298371109")


def test_the_gradient_and_the_new_weights_are_his(trace):
    hidden, out = trace["layers"]
    # W[i][j] is from neuron i into neuron j: w5 = h1 -> o1, w1 = i1 -> h1
    published(out["grad_weights"][0][0], "0.082167041")  # dE_total/dw5
    published(out["new_weights"][0][0], "0.35891648")  # w5+
    published(out["new_weights"][1][0], "0.408666186")  # w6+
    published(out["new_weights"][0][1], "0.511301270")  # w7+
    published(out["new_weights"][1][1], "0.561370121")  # w8+
    published(hidden["grad_weights"][0][0], "0.000438568")  # dE_total/dw1
    published(hidden["new_weights"][0][0], "0.149780716")  # w1+
    published(hidden["new_weights"][1][0], "0.19956143")  # w2+
    published(hidden["new_weights"][0][1], "0.24975114")  # w3+
    published(hidden["new_weights"][1][1], "0.29950229")  # w4+


def test_the_biases_are_frozen_as_in_his_post(trace):
    hidden, out = trace["layers"]
    assert hidden["new_bias"] == [0.35, 0.35] and out["new_bias"] == [0.6, 0.6]
    assert all(g != 0.0 for g in hidden["grad_bias"] + out["grad_bias"])  # still computed


def test_the_error_after_the_update_is_his(trace):
    project = load_project(MAZUR)
    net = project.network
    for layer, traced in zip(net.layers, trace["layers"]):
        layer.W, layer.b = np.array(traced["new_weights"]), np.array(traced["new_bias"])
    data = project.dataset()
    error = net.loss_value(data.X_train, data.Y_train)
    assert error == pytest.approx(0.2910277737, abs=1e-10)
    assert error == pytest.approx(0.291027924, abs=2e-7)  # the post, with its rounding


def test_one_epoch_of_nnsim_train_gives_the_same_error(tmp_path):
    out = tmp_path / "one.nnsim"
    run = nnsim("train", MAZUR, "--epochs", "1", "--out", out)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert "train loss: 0.291028\n" in run.stdout
    trained = load_project(out)
    assert trained.history.epochs[0].train_loss == pytest.approx(0.2910277737, abs=1e-10)
    assert [l.b.tolist() for l in trained.network.layers] == [[0.35, 0.35], [0.6, 0.6]]
    published(trained.network.layers[1].W[0, 0], "0.35891648")  # w5+


def test_the_printed_trace_shows_his_digits_and_names_the_loss():
    run = nnsim("trace", MAZUR, "--sample", "0")
    assert run.returncode == 0 and run.stderr == "", run.stderr
    rows = {line.split()[0]: line.split()[1:] for line in run.stdout.splitlines()
            if "->" in line}
    assert rows["h1->out1"] == ["0.4", "0.0821670406", "0.35891648"]  # w5, dE/dw5, w5+
    assert rows["x1->h1"] == ["0.15", "0.000438567734", "0.149780716"]  # w1, dE/dw1, w1+
    assert "new b (frozen)" in run.stdout
    assert ("loss (mse, the lecture's mean squared error L = 1/t sum_j (y_j - a_j)^2, "
            "t = 2 outputs): 0.2983711088\n") in run.stdout
    assert "loss after this update, same sample: 0.2910277737\n" in run.stdout
