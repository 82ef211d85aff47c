"""ONNX export, checked against nnsim's own forward pass with onnxruntime."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from nnsim.core.network import Network
from nnsim.io import load_project, save_project

from export_helpers import COMBINATIONS, random_project

onnx = pytest.importorskip("onnx", reason="onnx is not installed (the test extra has it)")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (the test extra has it)")

from nnsim.io.onnx_export import OPSET, onnx_model  # noqa: E402

# float32 runs its own rounding (about 6e-8 per operation): outputs agree with
# nnsim's float64 forward of the same numbers (the weights as the model holds
# them) to 1e-6 of the output's scale; float64 to 1e-12
TOLERANCE = {"float32": 1e-6, "float64": 1e-12}


def run(model, X):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (name,), (out,) = [i.name for i in session.get_inputs()], session.get_outputs()
    return session.run([out.name], {name: X})[0]


def assert_close(got, want, tol):
    scale = max(1.0, float(np.abs(want).max()))
    err = np.abs(got.astype(np.float64) - want)
    assert err.max() <= tol * scale, f"max difference {err.max():.3g} above {tol:g} x {scale:g}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("hidden,output,loss", COMBINATIONS)
def test_onnxruntime_gives_nnsims_forward_pass(hidden, output, loss, dtype):
    project = random_project(hidden, output, loss, sizes=(3, 4, 5, 3))
    net = project.network
    X = np.random.default_rng(1).normal(size=(64, 3)).astype(dtype)
    got = run(onnx_model(net, dtype), X)
    assert got.dtype == np.dtype(dtype) and got.shape == (64, 3)
    # nnsim's forward on the very numbers the model holds (float32: rounded)
    rounded = net.copy()
    for layer in rounded.layers:
        layer.W, layer.b = (p.astype(dtype).astype(np.float64) for p in (layer.W, layer.b))
    assert_close(got, rounded.predict(X.astype(np.float64)), TOLERANCE[dtype])


def test_the_model_has_one_input_one_output_opset_17_and_passes_the_checker():
    net = random_project("tanh", "softmax", "cross_entropy").network
    model = onnx_model(net)  # float32 by default
    onnx.checker.check_model(model, full_check=True)
    assert max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")) >= OPSET >= 17
    (inp,), (out,) = model.graph.input, model.graph.output
    assert inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert [d.dim_value for d in inp.type.tensor_type.shape.dim][1:] == [3]
    assert [d.dim_value for d in out.type.tensor_type.shape.dim][1:] == [3]


def test_removed_connections_are_zero_weights_and_the_kept_weight_is_not_used():
    net = random_project("relu", "linear", "mse").network
    W1 = onnx.numpy_helper.to_array(
        next(t for t in onnx_model(net, "float64").graph.initializer if t.name == "W1"))
    assert W1[0, 1] == 0.0 and W1[2, 0] == 0.0 and net.layers[0].W[0, 1] != 0.0
    assert np.array_equal(W1, net.layers[0].effective_W)


def test_leaky_relu_keeps_its_slope_exactly_in_float64():
    # LeakyRelu's alpha is a 32-bit attribute: 0.01 would be 0.009999999776
    net = Network.build(1, [1], ["leaky_relu"])
    net.layers[0].W[:] = 1.0
    got = run(onnx_model(net, "float64"), np.array([[-3.0]]))
    assert got[0, 0] == -3.0 * 0.01


def test_weights_beyond_float32_are_refused_with_a_hint():
    net = Network.build(2, [1], ["linear"])
    net.layers[0].W[0, 0] = 1e300
    with pytest.raises(ValueError, match="float32.*--dtype float64"):
        onnx_model(net, "float32")
    assert np.isfinite(run(onnx_model(net, "float64"), np.ones((1, 2)))).all()


def test_cli_export_writes_a_model_and_import_reads_it_back_bit_for_bit(tmp_path):
    project = random_project("sigmoid", "softmax", "cross_entropy", masked=False)
    src = tmp_path / "net.nnsim"
    save_project(project, src)
    for dtype in ("float32", "float64"):
        out = tmp_path / f"net-{dtype}.onnx"
        r = subprocess.run([sys.executable, "-m", "nnsim", "export", src, "--to", "onnx", out,
                            "--dtype", dtype], capture_output=True, text=True)
        assert r.returncode == 0 and r.stderr == "" and out.exists(), r.stderr
    back = tmp_path / "back.nnsim"
    r = subprocess.run([sys.executable, "-m", "nnsim", "import", tmp_path / "net-float64.onnx",
                        back], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    restored = load_project(back).network
    for a, b in zip(project.network.layers, restored.layers):
        assert a.W.tobytes() == b.W.tobytes() and a.b.tobytes() == b.b.tobytes()
        assert a.activation == b.activation
    assert restored.loss == "cross_entropy"


def test_export_to_a_folder_that_does_not_exist_is_one_line(tmp_path):
    src = tmp_path / "net.nnsim"
    save_project(random_project("tanh", "sigmoid", "bce"), src)
    r = subprocess.run([sys.executable, "-m", "nnsim", "export", src, "--to", "onnx",
                        tmp_path / "no" / "such" / "x.onnx"], capture_output=True, text=True)
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1
    assert r.stderr.startswith("nnsim: error:") and "Traceback" not in r.stderr


def test_the_cli_and_the_app_start_without_importing_onnx():
    code = ("import sys, nnsim.cli, nnsim.__main__, nnsim.document, nnsim.qt.main_window; "
            "bad = [m for m in ('onnx', 'onnxruntime', 'torch') if m in sys.modules]; "
            "print(bad)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.stdout.strip() == "[]", r.stdout + r.stderr


def test_without_onnx_the_cli_says_so_in_one_line(tmp_path):
    src = tmp_path / "net.nnsim"
    save_project(random_project("tanh", "sigmoid", "bce"), src)
    # a sitecustomize-free way to hide a package: a None entry in sys.modules
    code = ("import sys; sys.modules['onnx'] = None; from nnsim.cli import main; "
            f"sys.exit(main(['export', {str(src)!r}, '--to', 'onnx', {str(tmp_path / 'x.onnx')!r}]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "nnsim: error: exporting to ONNX needs the Python package 'onnx', which is not "
        "installed (pip install onnx)"]
    assert not (tmp_path / "x.onnx").exists()
