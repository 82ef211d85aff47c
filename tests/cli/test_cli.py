"""The command-line twin, run as a user runs it: `python -m nnsim ...`."""
import json
import subprocess
import sys

import numpy as np
import pytest

from nnsim.core.gradcheck import numeric_gradient
from nnsim.io import load_project

MINIMAL = {
    "format": "nnsim", "version": 1,
    "network": {"inputs": 3, "loss": "mse",
                "layers": [{"units": 2, "activation": "tanh",
                            "weights": [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], "bias": [0.0, 0.1]},
                           {"units": 1, "activation": "sigmoid"}]},
    "training": {"learning_rate": 0.1, "seed": 7},
}


def nnsim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nnsim", *map(str, args)], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


@pytest.fixture
def minimal(tmp_path):
    path = tmp_path / "minimal.nnsim"
    path.write_text(json.dumps(MINIMAL))
    return path


def test_trace_json_has_exactly_the_promised_keys_and_shapes(minimal):
    run = nnsim("trace", minimal, "--input", "0.5,-1,2", "--target", "1", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert set(out) == {"loss", "layers"} and len(out["layers"]) == 2
    keys = {"z", "a", "delta", "grad_weights", "grad_bias", "new_weights", "new_bias"}
    for layer, (n_in, n_out) in zip(out["layers"], [(3, 2), (2, 1)]):
        assert set(layer) == keys
        assert np.shape(layer["grad_weights"]) == np.shape(layer["new_weights"]) == (n_in, n_out)
        for k in ("z", "a", "delta", "grad_bias", "new_bias"):
            assert np.shape(layer[k]) == (n_out,)


def test_trace_gradients_match_the_gradient_check(minimal):
    run = nnsim("trace", minimal, "--input", "0.5,-1,2", "--target", "1", "--json", "--lr", "0.25")
    out = json.loads(run.stdout)
    project = load_project(minimal)
    net = project.network
    x, y = np.array([[0.5, -1.0, 2.0]]), np.array([[1.0]])
    assert out["loss"] == pytest.approx(net.loss_value(x, y), rel=1e-12)
    for k, layer in enumerate(out["layers"]):
        W = net.layers[k].W
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                g = numeric_gradient(net, x, y, k, i, j)
                assert layer["grad_weights"][i][j] == pytest.approx(g, rel=1e-6, abs=1e-10)
                assert layer["new_weights"][i][j] == pytest.approx(
                    W[i, j] - 0.25 * layer["grad_weights"][i][j], rel=1e-12)
        for j in range(W.shape[1]):
            assert layer["grad_bias"][j] == pytest.approx(
                numeric_gradient(net, x, y, k, None, j), rel=1e-6, abs=1e-10)
    # the hand-written weights are the file's: weights[i][j] from i into j
    assert out["layers"][0]["z"][0] == pytest.approx(0.5 * 0.1 - 1 * 0.3 + 2 * -0.5 + 0.0)


def test_trace_plain_output_is_a_readable_table(minimal):
    run = nnsim("trace", minimal, "--input", "0.5,-1,2", "--target", "1")
    assert run.returncode == 0, run.stderr
    assert "layer 1 (hidden layer, 2 neurons, tanh)" in run.stdout
    assert "layer 2 (output layer, 1 neurons, sigmoid)" in run.stdout
    assert "x1->h1" in run.stdout and "h1->out1" in run.stdout  # the canvas's names
    # the loss says which loss it is, in the lecture's words
    assert ("loss (mse, the lecture's mean squared error L = 1/t sum_j (y_j - a_j)^2, "
            "t = 1 output): " in run.stdout)


def test_trace_a_sample_of_the_files_data_set(tmp_path):
    from nnsim.examples import example_path
    run = nnsim("trace", example_path("lecture-xor"), "--sample", "3", "--json")
    assert run.returncode == 0, run.stderr
    project = load_project(example_path("lecture-xor"))
    x, y = project.dataset().batch([3])
    assert json.loads(run.stdout)["loss"] == pytest.approx(project.network.loss_value(x, y))


@pytest.mark.parametrize("args,words", [
    (["trace", "{f}", "--input", "1,2", "--target", "1"], "3 inputs"),
    (["trace", "{f}", "--input", "1,x,2", "--target", "1"], "expected a number"),
    (["trace", "{f}", "--input", "1,nan,2", "--target", "1"], "finite"),
    (["trace", "{f}", "--input", "1,2,3"], "--target"),
    (["trace", "{f}", "--sample", "99"], "does not exist"),
    (["trace", "{f}", "--input", "1,2,3", "--target", "1", "--lr", "-1"], "argument --lr"),
    (["train", "{f}", "--epochs", "0"], "argument --epochs"),
    (["train", "{missing}"], "No such file"),
    (["train", "{bad}"], "bad.nnsim"),
    (["frobnicate"], ""),
])
def test_errors_are_one_line_with_exit_status_2(minimal, tmp_path, args, words):
    bad = tmp_path / "bad.nnsim"
    bad.write_text('{"format": "nnsim", "version": 1, "network": {"inputs": 2}}')
    args = [a.format(f=minimal, missing=tmp_path / "missing.nnsim", bad=bad) for a in args]
    run = nnsim(*args)
    if args[0] == "frobnicate":  # not a CLI command: the window's parser names the problem
        assert run.returncode == 2
        return
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnsim: error: "), run.stderr
    assert words in lines[0]
    assert "Traceback" not in run.stderr


def test_train_writes_the_trained_network_and_reports_losses(tmp_path):
    from nnsim.examples import example_path
    out = tmp_path / "trained.nnsim"
    run = nnsim("train", example_path("lecture-xor"), "--epochs", "20", "--out", out)
    assert run.returncode == 0, run.stderr
    assert "train loss:" in run.stdout and "train accuracy:" in run.stdout
    trained = load_project(out)
    assert len(trained.history.epochs) == 20
    first = load_project(example_path("lecture-xor"))
    assert not np.array_equal(trained.network.layers[0].W, first.network.layers[0].W)
    # the final loss printed is the saved network's loss on the training set
    printed = float(run.stdout.split("train loss:")[1].split()[0])
    data = trained.dataset()
    assert printed == pytest.approx(trained.network.loss_value(data.X_train, data.Y_train), rel=1e-5)


def test_train_is_reproducible_with_a_seed(tmp_path):
    from nnsim.examples import example_path
    outs = []
    for name in ("a", "b"):
        out = tmp_path / f"{name}.nnsim"
        run = nnsim("train", example_path("circle-tanh"), "--epochs", "3", "--seed", "4",
                    "--out", out)
        assert run.returncode == 0, run.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_a_diverging_run_is_reported_and_writes_nothing(tmp_path):
    from nnsim.examples import example_path
    out = tmp_path / "diverged.nnsim"
    run = nnsim("train", example_path("plane-regression"), "--lr", "1e9", "--epochs", "50",
                "--out", out)
    assert run.returncode == 2 and "diverged" in run.stderr and not out.exists()
    assert "The learning rate 1e+09 is far too large" in run.stderr
    assert "Nothing was written." in run.stderr and run.stderr.count("\n") == 1


def test_a_divergence_from_inputs_of_1e200_blames_the_inputs(tmp_path):
    # the same message as the window's (core/run_mode/divergence.py), not "the learning rate"
    from nnsim.core.datasets import from_arrays
    from nnsim.core.network import Network
    from nnsim.core.project import ImportedData, Project
    from nnsim.core.training import TrainingConfig
    from nnsim.io import save_project
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2)) * 1e200
    d = from_arrays(X, (X[:, :1] > 0).astype(float), test_fraction=0.0)
    data = ImportedData(d.X_train, d.Y_train, d.X_test, d.Y_test, ["x1", "x2"], ["y"],
                        "regression", "huge.csv")
    net = Network.build(2, [3, 1], ["relu", "linear"], loss="mse", rng=np.random.default_rng(0))
    path = tmp_path / "huge.nnsim"
    save_project(Project(net, TrainingConfig(learning_rate=0.1, batch_size=40), data), path)
    run = nnsim("train", path, "--epochs", "20", "--out", tmp_path / "out.nnsim")
    assert run.returncode == 2 and "The inputs are far too large (x" in run.stderr
    assert "standardise the inputs" in run.stderr and "learning rate 0.1 is" not in run.stderr


def test_the_cli_and_core_import_no_qt():
    code = ("import sys, nnsim.core, nnsim.io, nnsim.cli, nnsim.__main__; "
            "import nnsim.core.stepper, nnsim.core.chainrule; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_train_in_float32_is_saved_and_still_learns(tmp_path):
    from nnsim.examples import example_path
    out = tmp_path / "f32.nnsim"
    run = nnsim("train", example_path("circle-tanh"), "--dtype", "float32", "--out", out)
    assert run.returncode == 0, run.stderr
    trained = load_project(out)
    assert trained.training.dtype == "float32"
    assert '"dtype": "float32"' in out.read_text()
    assert trained.history.epochs[-1].test_accuracy >= 0.95
