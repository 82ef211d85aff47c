"""File > Export Network > ONNX… / PyTorch Script… and File > Open of an
ONNX model, as a user does them (the file dialogs answer as the user would)."""
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from window_helpers import open_window

onnx = pytest.importorskip("onnx", reason="onnx is not installed (the test extra has it)")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (the test extra has it)")

LECTURE = "resources/examples/lecture-xor.nnsim"


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.ini")
    assert w.open_path(LECTURE)
    return w


def answer_save(monkeypatch, path, chosen=""):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), chosen)))


def answer_open(monkeypatch, path, seen=None):
    def fake(parent, title, start, filter_):
        if seen is not None:
            seen.append(filter_)
        return str(path), ""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake))


def export_menu(window):
    file_menu = window.menuBar().actions()[0].menu()
    sub = next(a.menu() for a in file_menu.actions() if a.menu() is not None
               and a.menu().objectName() == "export_network_menu")
    return [a.text() for a in sub.actions()]


def test_the_file_menu_has_export_network_with_onnx_and_pytorch(window):
    assert export_menu(window) == ["&ONNX\u2026", "&PyTorch Script\u2026"]


@pytest.mark.parametrize("chosen,dtype", [("ONNX model, float32 (*.onnx)", np.float32),
                                          ("ONNX model, float64 (*.onnx)", np.float64)])
def test_onnx_export_runs_as_the_documents_network(window, monkeypatch, tmp_path, chosen, dtype):
    out = tmp_path / "xor.onnx"
    answer_save(monkeypatch, out, chosen)
    window.act_export_onnx.trigger()
    assert window.errors == [] and out.exists()
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
    got = ort.InferenceSession(str(out)).run(None, {"input": X})[0]
    assert got.dtype == dtype
    want = window.document.network.predict(X.astype(float))
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_pytorch_export_writes_what_nnsim_export_writes(window, monkeypatch, tmp_path):
    (tmp_path / "gui").mkdir()
    (tmp_path / "cli").mkdir()
    answer_save(monkeypatch, tmp_path / "gui" / "xor.py")
    window.act_export_pytorch.trigger()
    assert window.errors == []
    r = subprocess.run([sys.executable, "-m", "nnsim", "export", LECTURE, "--to", "pytorch",
                        tmp_path / "cli" / "xor.py"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "gui" / "xor.py").read_bytes() == (tmp_path / "cli" / "xor.py").read_bytes()


def test_export_to_a_missing_folder_says_so_and_changes_nothing(window, monkeypatch, tmp_path):
    answer_save(monkeypatch, tmp_path / "missing" / "x.py")
    window.act_export_pytorch.trigger()
    assert len(window.errors) == 1 and "\n" not in window.errors[0]
    assert not window.document.modified


def test_open_an_onnx_model_steps_and_save_asks_for_a_new_file(window, monkeypatch, tmp_path):
    from nnsim.core.network import Network
    from nnsim.io.onnx_export import export_onnx
    net = Network.build(2, [3, 3], ["tanh", "softmax"], loss="cross_entropy",
                        rng=np.random.default_rng(5))
    path = tmp_path / "model.onnx"
    export_onnx(net, path, "float64")
    model_bytes = path.read_bytes()
    filters = []
    answer_open(monkeypatch, path, filters)
    window.act_open.trigger()
    assert "*.onnx" in filters[0] and window.errors == []
    doc = window.document
    assert doc.network.sizes == [2, 3, 3] and doc.path is None and doc.modified
    assert "model (from ONNX)" in window.windowTitle()
    for a, b in zip(net.layers, doc.network.layers):
        assert np.array_equal(a.W, b.W)
    for _ in doc.plan:
        window.act_next.trigger()
    assert doc.updates == 1 and not np.array_equal(net.layers[0].W, doc.network.layers[0].W)
    saved = tmp_path / "model.nnsim"
    answer_save(monkeypatch, saved)
    window.act_save.trigger()
    window.saver.wait()  # the file is written in the background
    assert saved.exists() and not doc.modified and doc.path == saved
    assert path.read_bytes() == model_bytes  # the model itself is never overwritten


def test_an_onnx_model_nnsim_cannot_take_is_refused_and_the_document_stays(window, monkeypatch,
                                                                           tmp_path):
    from onnx import TensorProto, helper, numpy_helper
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "W"], ["y"], name="conv1")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[numpy_helper.from_array(np.ones((1, 1, 1), np.float32), "W")])
    path = tmp_path / "conv.onnx"
    path.write_bytes(helper.make_model(graph).SerializeToString())
    before = window.document
    answer_open(monkeypatch, path)
    window.act_open.trigger()
    assert window.document is before
    assert len(window.errors) == 1 and "operator Conv (node 'conv1')" in window.errors[0]
