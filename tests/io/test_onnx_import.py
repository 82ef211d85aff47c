"""ONNX models opened as nnsim networks: plain MLPs come in and step,
anything else is refused with one line naming the operator."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from nnsim.core.network import Network
from nnsim.io import FileFormatError, load_project

from export_helpers import COMBINATIONS, random_project

onnx = pytest.importorskip("onnx", reason="onnx is not installed (the test extra has it)")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (the test extra has it)")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from nnsim.io.onnx_export import export_onnx  # noqa: E402
from nnsim.io.onnx_import import project_from_onnx  # noqa: E402


def save(model, tmp_path, name="model.onnx"):
    path = tmp_path / name
    path.write_bytes(model.SerializeToString())
    return path


def graph_model(nodes, inits, n_in, n_out, outputs=("y",), elem=TensorProto.FLOAT):
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", elem, ["n", n_in])],
        [helper.make_tensor_value_info(o, elem, None) for o in outputs],
        initializer=[numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def steps(project):
    """A full forward, backward and update cycle runs and changes the weights."""
    st = project.make_stepper()
    before = [p.copy() for p in st.network.parameters()]
    snaps = [st.micro_step() for _ in st.plan]
    assert snaps[-1].step.kind == "update"
    assert any(not np.array_equal(a, b) for a, b in zip(before, st.network.parameters()))


@pytest.mark.parametrize("hidden,output,loss", COMBINATIONS)
def test_nnsim_to_onnx_float64_to_nnsim_is_bit_for_bit(hidden, output, loss, tmp_path):
    project = random_project(hidden, output, loss, masked=False, sizes=(3, 4, 2, 3))
    path = tmp_path / "net.onnx"
    export_onnx(project.network, path, "float64")
    back = project_from_onnx(path).network
    assert back.loss == loss and back.sizes == project.network.sizes
    for a, b in zip(project.network.layers, back.layers):
        assert a.activation == b.activation
        assert a.W.tobytes() == b.W.tobytes() and a.b.tobytes() == b.b.tobytes()


def test_removed_connections_come_back_as_zero_weights(tmp_path):
    project = random_project("tanh", "sigmoid", "bce")
    path = tmp_path / "net.onnx"
    export_onnx(project.network, path, "float64")
    back = project_from_onnx(path).network
    assert np.array_equal(back.layers[0].W, project.network.layers[0].effective_W)


def test_a_gemm_model_like_torch_onnx_opens_steps_and_computes_the_same(tmp_path):
    # torch.onnx writes nn.Linear as Gemm with transB=1 (weights as (out, in))
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = (rng.normal(size=s).astype(np.float32) for s in [(4, 2), (4,), (3, 4), (3,)])
    model = graph_model(
        [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], transB=1),
         helper.make_node("Relu", ["z1"], ["a1"]),
         helper.make_node("Gemm", ["a1", "W2", "b2"], ["z2"], transB=1, alpha=0.5),
         helper.make_node("Softmax", ["z2"], ["y"], axis=1)],
        {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, 2, 3)
    project = project_from_onnx(save(model, tmp_path))
    net = project.network
    assert net.sizes == [2, 4, 3] and [l.activation for l in net.layers] == ["relu", "softmax"]
    assert net.loss == "cross_entropy" and project.dataset().kind == "multiclass"
    X = rng.normal(size=(20, 2)).astype(np.float32)
    want = ort.InferenceSession(model.SerializeToString()).run(None, {"x": X})[0]
    np.testing.assert_allclose(net.predict(X.astype(float)), want, rtol=1e-5, atol=1e-6)
    steps(project)


def test_a_matmul_add_model_like_skl2onnx_opens_and_leaves_out_the_labels(tmp_path):
    # skl2onnx's MLPClassifier (binary): Cast, MatMul + Add, Relu, ..., Sigmoid,
    # then the probabilities' two columns and the label
    rng = np.random.default_rng(1)
    inits = {"c0": rng.normal(size=(2, 3)), "i0": rng.normal(size=(1, 3)),
             "c1": rng.normal(size=(3, 1)), "i1": rng.normal(size=(1, 1)),
             "unity": np.array(1.0), "classes": np.array([0, 1], dtype=np.int64),
             "shape": np.array([-1], dtype=np.int64)}
    inits = {k: (v.astype(np.float32) if v.dtype == np.float64 else v) for k, v in inits.items()}
    nodes = [helper.make_node("Cast", ["x"], ["xc"], to=TensorProto.FLOAT),
             helper.make_node("MatMul", ["xc", "c0"], ["m0"]),
             helper.make_node("Add", ["m0", "i0"], ["s0"]),
             helper.make_node("Relu", ["s0"], ["h"]),
             helper.make_node("MatMul", ["h", "c1"], ["m1"]),
             helper.make_node("Add", ["m1", "i1"], ["s1"]),
             helper.make_node("Sigmoid", ["s1"], ["p"]),
             helper.make_node("Sub", ["unity", "p"], ["q"]),
             helper.make_node("Concat", ["q", "p"], ["probabilities"], axis=1),
             helper.make_node("ArgMax", ["probabilities"], ["am"], axis=1),
             helper.make_node("ArrayFeatureExtractor", ["classes", "am"], ["lab"], domain="ai.onnx.ml"),
             helper.make_node("Reshape", ["lab", "shape"], ["label"])]
    graph = helper.make_graph(nodes, "skl", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
                              [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                               helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])],
                              initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("ai.onnx.ml", 1)])
    project = project_from_onnx(save(model, tmp_path))
    net = project.network
    assert net.sizes == [2, 3, 1] and [l.activation for l in net.layers] == ["relu", "sigmoid"]
    assert np.array_equal(net.layers[0].W, inits["c0"].astype(np.float64))
    assert net.loss == "bce" and "Left out" in project.description
    steps(project)


@pytest.mark.parametrize("op,extra,words", [
    ("Exp", {}, "cannot take the operator Exp (node 'odd')"),
    ("LeakyRelu", {"alpha": 0.2}, "LeakyRelu (node 'odd') has the slope 0.2"),
    ("Softmax", {"axis": 0}, "Softmax (node 'odd') over axis 0"),
])
def test_anything_else_is_refused_in_one_line_naming_the_operator(op, extra, words, tmp_path):
    W = np.ones((2, 2), np.float32)
    model = graph_model([helper.make_node("MatMul", ["x", "W"], ["z"]),
                         helper.make_node(op, ["z"], ["y"], name="odd", **extra)], {"W": W}, 2, 2)
    path = save(model, tmp_path)
    with pytest.raises(FileFormatError) as e:
        project_from_onnx(path)
    assert words in str(e.value) and "\n" not in str(e.value)
    out = tmp_path / "out.nnsim"
    r = subprocess.run([sys.executable, "-m", "nnsim", "import", path, out],
                       capture_output=True, text=True)
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and words in r.stderr
    assert not out.exists()


def test_a_convolution_is_refused_naming_it(tmp_path):
    model = graph_model([helper.make_node("Conv", ["x", "W"], ["y"], name="conv1")],
                        {"W": np.ones((1, 1, 1), np.float32)}, 2, 2)
    with pytest.raises(FileFormatError, match=r"cannot take the operator Conv \(node 'conv1'\)"):
        project_from_onnx(save(model, tmp_path))


def test_a_file_that_is_not_onnx_is_one_line(tmp_path):
    path = tmp_path / "notes.onnx"
    path.write_text("hello")
    with pytest.raises(FileFormatError, match="notes.onnx: not an ONNX model"):
        project_from_onnx(path)


def test_cli_import_writes_a_file_that_trains(tmp_path):
    net = Network.build(4, [5, 2], ["tanh", "linear"], rng=np.random.default_rng(3))
    export_onnx(net, tmp_path / "m.onnx")
    out = tmp_path / "m.nnsim"
    r = subprocess.run([sys.executable, "-m", "nnsim", "import", tmp_path / "m.onnx", out],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "4-5-2" in r.stdout, r.stderr
    project = load_project(out)
    assert project.dataset().n_inputs == 4 and "placeholder" in project.description
    r = subprocess.run([sys.executable, "-m", "nnsim", "train", out, "--epochs", "2", "--quiet",
                        "--out", tmp_path / "t.nnsim"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_branches_are_refused_in_one_line(tmp_path):
    model = graph_model([helper.make_node("MatMul", ["x", "W"], ["z"]),
                         helper.make_node("Relu", ["z"], ["y"]),
                         helper.make_node("Sigmoid", ["z"], ["y2"])],
                        {"W": np.ones((2, 2), np.float32)}, 2, 2, outputs=("y", "y2"))
    with pytest.raises(FileFormatError, match=r"'z' feeds 2 nodes \(Relu, Sigmoid\)"):
        project_from_onnx(save(model, tmp_path))
