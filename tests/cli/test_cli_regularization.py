"""--l1 / --l2 on the command line: train saves the penalty, trace's dL/dw
includes it, and the numbers are the core's."""
import json
import subprocess
import sys

import numpy as np
import pytest

from nnsim.core.gradcheck import numeric_gradient
from nnsim.core.regularization import Penalty
from nnsim.io import load_project


def nnsim(*args):
    return subprocess.run([sys.executable, "-m", "nnsim", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def lecture(tmp_path):
    from nnsim.examples import example_path
    path = tmp_path / "xor.nnsim"
    path.write_bytes(example_path("lecture-xor").read_bytes())
    return path


def test_train_with_l2_saves_it_and_shrinks_the_weights(lecture, tmp_path):
    plain, reg = tmp_path / "plain.nnsim", tmp_path / "reg.nnsim"
    assert nnsim("train", lecture, "--epochs", "300", "--quiet", "--out", plain).returncode == 0
    run = nnsim("train", lecture, "--epochs", "300", "--quiet", "--l2", "0.05", "--out", reg)
    assert run.returncode == 0 and run.stderr == ""
    p, r = load_project(plain), load_project(reg)
    assert r.training.penalty == Penalty("l2", 0.05)
    size = lambda project: sum(float(np.sum(l.W ** 2)) for l in project.network.layers)
    assert size(r) < size(p)


def test_trace_with_l1_adds_lambda_sign_w_to_each_gradient(lecture):
    run = nnsim("trace", lecture, "--sample", "1", "--l1", "0.2", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    project = load_project(lecture)
    net, data = project.network, project.dataset()
    X, Y = data.X_train[1:2], data.Y_train[1:2]
    for k, layer in enumerate(out["layers"]):
        for i, row in enumerate(layer["grad_weights"]):
            for j, g in enumerate(row):
                numeric = numeric_gradient(net, X, Y, k, i, j, penalty=Penalty("l1", 0.2))
                assert g == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    text = nnsim("trace", lecture, "--sample", "1", "--l1", "0.2").stdout
    assert "L1 penalty rate 0.2" in text.splitlines()[0]


def test_l1_and_l2_together_are_refused_in_one_line(lecture):
    run = nnsim("train", lecture, "--l1", "0.1", "--l2", "0.1")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "--l2" in run.stderr
