"""The PyTorch script export. The text is checked everywhere (it compiles,
names the weights, holds the file's numbers exactly, read back without
evaluating anything); running it needs torch: those tests skip without it and
run in `make check-export` (.venv-bench, where torch is installed)."""
from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnsim.io import load_project, save_project
from nnsim.io.pytorch_export import pytorch_script

from export_helpers import COMBINATIONS, random_project

EXAMPLES = sorted(Path("resources/examples").glob("*.nnsim"))
NO_TORCH = "torch is not installed here; `make check-export` runs this in .venv-bench"


# -- the text -----------------------------------------------------------------------------

def literal(node):
    """A list/number literal of the script as Python values, read from its
    syntax tree (no eval of any kind)."""
    if isinstance(node, ast.List):
        return [literal(e) for e in node.elts]
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -literal(node.operand)
    if isinstance(node, ast.Attribute) and node.attr in ("inf", "nan"):
        return float(node.attr)
    raise AssertionError(f"not a number literal: {ast.dump(node)}")


def script_parts(text):
    tree = ast.parse(text)
    build = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "build_model")
    layers = [{k.arg: k.value for k in call.keywords}
              for call in ast.walk(build) if isinstance(call, ast.Call)
              and getattr(call.func, "id", "") == "Layer"]
    names = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign)
             for t in n.targets if isinstance(t, ast.Name)}
    return layers, names


def as_array(node, shape):
    return np.array(literal(node), dtype=float).reshape(shape)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_exports_a_script_that_compiles(path):
    text = pytorch_script(load_project(path), path.name, "net.py")
    compile(text, "net.py", "exec")
    assert "def build_model():" in text and "pickle" not in text and "eval(" not in text


@pytest.mark.parametrize("hidden,output,loss", COMBINATIONS[::4])
def test_the_scripts_numbers_are_the_files_bit_for_bit(hidden, output, loss):
    project = random_project(hidden, output, loss)
    layers, names = script_parts(pytorch_script(project))
    net, data = project.network, project.dataset()
    assert len(layers) == len(net.layers)
    for got, layer in zip(layers, net.layers):
        assert as_array(got["weight"], layer.W.shape).tobytes() == layer.W.tobytes()
        assert as_array(got["bias"], layer.b.shape).tobytes() == layer.b.tobytes()
        assert got["activation"].value == layer.activation
        mask = None if "mask" not in got else as_array(got["mask"], layer.W.shape) != 0
        assert (mask is None) == (layer.mask is None)
        if mask is not None:
            assert np.array_equal(mask, layer.mask)
    for name, arr in [("X_TRAIN", data.X_train), ("Y_TRAIN", data.Y_train),
                      ("X_TEST", data.X_test), ("Y_TEST", data.Y_test)]:
        assert as_array(names[name], arr.shape).tobytes() == arr.tobytes()


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_the_optimiser_state_is_in_the_script_exactly(optimizer):
    project = random_project("tanh", "sigmoid", "bce", optimizer=optimizer)
    stepper = project.make_stepper()
    stepper.step_epochs(2)  # some state to continue from
    project.optimizer_state = stepper.optimizer.state()
    _, names = script_parts(pytorch_script(project))
    state = names["OPTIMIZER_STATE"]
    keys = [k.value for k in state.keys]
    assert keys == ["t", "slots"]
    assert literal(state.values[0]) == project.optimizer_state["t"] > 0
    slots = state.values[1]
    for kind, want in zip(slots.elts, project.optimizer_state["slots"]):
        for node, arr in zip(kind.elts, want):
            assert as_array(node, arr.shape).tobytes() == np.asarray(arr, float).tobytes()


def test_the_script_names_the_neurons_of_each_weight_matrix():
    text = pytorch_script(random_project("relu", "softmax", "cross_entropy",
                                         sizes=(3, 4, 2, 3)), "net.nnsim", "net.py")
    assert "# layer 1 (hidden): x1, x2, x3 -> h1_1, h1_2, h1_3, h1_4, relu" in text
    assert "# layer 3 (output): h2_1, h2_2 -> out1, out2, out3, softmax" in text
    assert "# 0: connection removed in nnsim" in text
    assert "python net.py --epochs 100" in text
    assert "torchrun --nproc_per_node=2 net.py --ddp --epochs 100" in text


def test_a_title_cannot_break_the_script():
    project = random_project("tanh", "linear", "mse")
    project.title = 'A """quoted""" \\ title\nwith a line break'
    compile(pytorch_script(project, "x.nnsim"), "x.py", "exec")


def test_cli_export_to_pytorch(tmp_path):
    out = tmp_path / "lecture.py"
    r = subprocess.run([sys.executable, "-m", "nnsim", "export", EXAMPLES[0], "--to", "pytorch",
                        out], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "" and out.exists()
    r = subprocess.run([sys.executable, "-m", "nnsim", "export", EXAMPLES[0], "--to", "pytorch",
                        out, "--dtype", "float32"], capture_output=True, text=True)
    assert r.returncode == 2 and "--dtype is for --to onnx" in r.stderr


# -- running it (torch) --------------------------------------------------------------------

def load_script(project, tmp_path, name="exported"):
    torch = pytest.importorskip("torch", reason=NO_TORCH)
    path = tmp_path / f"{name}.py"
    path.write_text(pytorch_script(project, "x.nnsim", path.name))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return torch, module, path


def assert_close(got, want, tol=1e-12):
    got, want = np.asarray(got, float), np.asarray(want, float)
    scale = max(1.0, float(np.abs(want).max()))
    assert np.abs(got - want).max() <= tol * scale, np.abs(got - want).max()


@pytest.mark.parametrize("hidden,output,loss", COMBINATIONS)
def test_build_model_forward_equals_nnsims(hidden, output, loss, tmp_path):
    project = random_project(hidden, output, loss, sizes=(3, 4, 5, 3))
    torch, m, _ = load_script(project, tmp_path)
    model = m.build_model()
    assert isinstance(model, torch.nn.Module)
    assert all(p.dtype == torch.float64 for p in model.parameters())
    X = np.random.default_rng(2).normal(size=(50, 3))
    with torch.no_grad():
        got = model(torch.tensor(X)).numpy()
    assert_close(got, project.network.predict(X))


@pytest.mark.parametrize("hidden,output,loss", COMBINATIONS[::2])
def test_one_full_batch_sgd_step_is_nnsim_traces_update(hidden, output, loss, tmp_path):
    pytest.importorskip("torch", reason=NO_TORCH)
    project = random_project(hidden, output, loss, n=4)
    data = project.data  # one training row: the full batch is the traced sample
    data.X_train, data.Y_train = data.X_train[:1], data.Y_train[:1]
    src = tmp_path / "one.nnsim"
    save_project(project, src)
    r = subprocess.run([sys.executable, "-m", "nnsim", "trace", src, "--sample", "0", "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    traced = json.loads(r.stdout)
    torch, m, _ = load_script(project, tmp_path)
    model = m.build_model()
    losses = m.train(model, 1, report=None)
    assert len(losses) == 1
    for layer, want in zip(model.layers, traced["layers"]):
        assert_close(layer.weight.detach().numpy(), want["new_weights"])
        assert_close(layer.bias.detach().numpy(), want["new_bias"])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("hidden,output,loss", [("tanh", "sigmoid", "bce"),
                                                ("leaky_relu", "softmax", "cross_entropy"),
                                                ("relu", "linear", "mse"),
                                                ("sigmoid", "tanh", "bce")])
def test_training_epochs_follows_nnsim_train(hidden, output, loss, optimizer, tmp_path):
    project = random_project(hidden, output, loss, optimizer=optimizer, n=23, batch_size=4)
    project.training.learning_rate = 0.01
    stepper = project.make_stepper()
    stepper.step_epochs(2)  # continue from a state the file holds
    project.optimizer_state = stepper.optimizer.state()
    project.history.epochs = stepper.epoch_results.snapshot()
    assert_trains_like_nnsim(project, tmp_path)


def assert_trains_like_nnsim(project, tmp_path, epochs=3):
    """The script's train() and nnsim's epochs: the same losses and weights."""
    torch, m, _ = load_script(project, tmp_path)
    model = m.build_model()
    losses = m.train(model, epochs, report=None)
    nnsim = project.make_stepper()
    results = nnsim.step_epochs(epochs)
    assert_close(losses, [r.train_loss for r in results], 1e-10)
    for layer, want in zip(model.layers, nnsim.network.layers):
        assert_close(layer.weight.detach().numpy(), want.W, 1e-10)
        assert_close(layer.bias.detach().numpy(), want.b, 1e-10)


def epoch_losses(stdout):
    return [float(x) for x in re.findall(r"train loss (\S+)", stdout)]


def test_torchrun_ddp_on_two_processes_trains_as_one_process_does(tmp_path):
    project = load_project(Path("resources/examples/circle-tanh.nnsim"))
    torch, m, path = load_script(project, tmp_path)
    torchrun = Path(sys.executable).with_name("torchrun")
    ddp = subprocess.run([str(torchrun), "--standalone", "--nproc_per_node=2", str(path), "--ddp",
                          "--epochs", "8"], capture_output=True, text=True, cwd=tmp_path,
                         timeout=600)
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    single = subprocess.run([sys.executable, str(path), "--epochs", "8"], capture_output=True,
                            text=True, cwd=tmp_path, timeout=600)
    got, want = epoch_losses(ddp.stdout), epoch_losses(single.stdout)
    assert len(got) == 8 and got[-1] < got[0]  # printed once (rank 0), and falling
    np.testing.assert_allclose(got, want, rtol=1e-5)  # the same run, to the printed digits


# -- regularisation and the input transform (issue 14 / 13 features in the script) --------

def regularised_standardised_project(kind="l2"):
    from dataclasses import replace
    from nnsim.core.datasets import DataSpec
    from nnsim.core.input_transform import InputOptions
    from nnsim.core.network import Network
    from nnsim.core.project import Project
    from nnsim.core.training import TrainingConfig
    net = Network.build(5, [4, 1], ["tanh", "sigmoid"], loss="bce",
                        rng=np.random.default_rng(2))
    cfg = TrainingConfig(learning_rate=0.3, batch_size=7, seed=4, regularization=kind,
                         regularization_rate=0.05)
    project = Project(net, cfg, DataSpec("circle", n=40, seed=1))
    project.inputs = replace(InputOptions(), features=("x1^2", "x1*x2", "sin(x1)"),
                             standardize=True)
    return project


def test_the_script_holds_the_inputs_nnsim_trains_on_and_the_penalty():
    project = regularised_standardised_project()
    text = pytorch_script(project, "x.nnsim", "x.py")
    _, names = script_parts(text)
    data, transform = project.network_data()
    X = np.array(literal(names["X_TRAIN"]), dtype=float).reshape(-1, 5)
    assert np.array_equal(X, data.X_train)  # standardised, with the features
    assert not transform.is_identity
    settings = {k.value: v for k, v in zip(names["SETTINGS"].keys, names["SETTINGS"].values)}
    assert settings["regularization"].value == "l2"
    assert literal(settings["regularization_rate"]) == 0.05
    assert "L2 penalty" in text and "standardised" in text


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_training_with_a_penalty_and_standardised_features_follows_nnsim(kind, tmp_path):
    assert_trains_like_nnsim(regularised_standardised_project(kind), tmp_path)
