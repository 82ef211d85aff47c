"""Models exported by scikit-learn (skl2onnx) and PyTorch (torch.onnx, both
exporters) open in nnsim, compute what onnxruntime computes, and step. These
need the bench environment's packages: they skip elsewhere and run in
`make check-export`."""
from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="onnx is not installed (the test extra has it)")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (the test extra has it)")

from nnsim.io.onnx_import import project_from_onnx  # noqa: E402

BENCH = "runs in `make check-export` (.venv-bench)"


def opens_computes_and_steps(path, X, input_name=None, output=None, columns=slice(None)):
    project = project_from_onnx(path)
    net = project.network
    session = ort.InferenceSession(str(path))
    name = input_name or session.get_inputs()[0].name
    outs = {o.name: v for o, v in zip(session.get_outputs(), session.run(None, {name: X}))}
    want = (outs[output] if output else next(iter(outs.values())))[:, columns]
    got = net.predict(X.astype(np.float64))
    np.testing.assert_allclose(got, want.reshape(got.shape), rtol=1e-5, atol=1e-6)
    st = project.make_stepper()
    before = [p.copy() for p in st.network.parameters()]
    for _ in st.plan:
        st.micro_step()
    assert st.updates == 1
    assert any(not np.array_equal(a, b) for a, b in zip(before, st.network.parameters()))
    return project


@pytest.mark.parametrize("activation,classes", [("relu", 2), ("tanh", 3), ("logistic", 4),
                                                ("identity", 2)])
def test_a_scikit_learn_mlp_classifier_opens_and_steps(activation, classes, tmp_path):
    pytest.importorskip("skl2onnx", reason=f"skl2onnx is not installed; {BENCH}")
    from sklearn.neural_network import MLPClassifier
    from skl2onnx import to_onnx
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = rng.integers(0, classes, size=80)
    clf = MLPClassifier(hidden_layer_sizes=(5, 4), activation=activation, max_iter=30,
                        random_state=0).fit(X, y)
    path = tmp_path / "clf.onnx"
    path.write_bytes(to_onnx(clf, X[:1].astype(np.float32),
                             options={id(clf): {"zipmap": False}}).SerializeToString())
    # a binary classifier's one output is P(class 1), the probabilities' second column
    columns = slice(1, None) if classes == 2 else slice(None)
    project = opens_computes_and_steps(path, X.astype(np.float32), "X", "probabilities", columns)
    assert project.network.layers[-1].activation == ("sigmoid" if classes == 2 else "softmax")
    fresh = project_from_onnx(path).network  # (project's network has been stepped)
    np.testing.assert_allclose(fresh.predict(X), clf.predict_proba(X)[:, columns],
                               rtol=1e-4, atol=1e-5)  # the model holds float32 weights
    assert "Left out" in project.description


def test_a_scikit_learn_mlp_regressor_opens_and_steps(tmp_path):
    pytest.importorskip("skl2onnx", reason=f"skl2onnx is not installed; {BENCH}")
    from sklearn.neural_network import MLPRegressor
    from skl2onnx import to_onnx
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    reg = MLPRegressor(hidden_layer_sizes=(6,), max_iter=50, random_state=0).fit(X, X[:, 0] - X[:, 1])
    path = tmp_path / "reg.onnx"
    path.write_bytes(to_onnx(reg, X[:1].astype(np.float32)).SerializeToString())
    project = opens_computes_and_steps(path, X.astype(np.float32))
    assert [l.activation for l in project.network.layers] == ["relu", "linear"]
    assert project.network.loss == "mse"


@pytest.mark.parametrize("dynamo", [False, True], ids=["torchscript", "dynamo"])
@pytest.mark.parametrize("last", ["sigmoid", "softmax", "none"])
def test_a_torch_onnx_export_opens_and_steps(dynamo, last, tmp_path):
    torch = pytest.importorskip("torch", reason=f"torch is not installed; {BENCH}")
    if dynamo:
        pytest.importorskip("onnxscript", reason=f"onnxscript is not installed; {BENCH}")
    nn = torch.nn
    torch.manual_seed(0)
    layers = [nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.LeakyReLU(), nn.Linear(4, 2)]
    layers += {"sigmoid": [nn.Sigmoid()], "softmax": [nn.Softmax(dim=1)], "none": []}[last]
    model = nn.Sequential(*layers)
    path = tmp_path / "torch.onnx"
    torch.onnx.export(model, (torch.zeros(4, 3),), str(path), dynamo=dynamo,
                      input_names=["x"], output_names=["y"])
    X = np.random.default_rng(2).normal(size=(4, 3)).astype(np.float32)  # the exported batch
    project = opens_computes_and_steps(path, X, "x", "y")
    assert [l.activation for l in project.network.layers] == [
        "tanh", "leaky_relu", {"none": "linear"}.get(last, last)]
    with torch.no_grad():
        want = model(torch.tensor(X)).numpy()
    np.testing.assert_allclose(project_from_onnx(path).network.predict(X.astype(float)), want,
                               rtol=1e-5, atol=1e-6)
