"""A failing run is explained in the run panel, its neurons marked on the
canvas, its suggestion one click away; a healthy run shows nothing."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document, NeuronRef
from nnsim.examples import example_path

from window_helpers import open_window

TIMEOUT = 60_000


def dead_relu_document() -> Document:
    """Learning rate 8 kills every ReLU of a 2-4-1 net on circle within a few
    epochs; the loss then sits at ln 2 (tests/core/test_diagnosis.py)."""
    net = Network.build(2, [4, 1], ["relu", "sigmoid"], loss="bce", initializer="he",
                        rng=np.random.default_rng(1))
    cfg = TrainingConfig(learning_rate=8.0, batch_size=80, epochs=300, initializer="he", seed=1)
    return Document(Project(net, cfg, DataSpec("circle", n=100, seed=1)))


def jumping_document() -> Document:
    net = Network.build(2, [2, 1], ["sigmoid", "sigmoid"], loss="bce",
                        rng=np.random.default_rng(0))
    cfg = TrainingConfig(learning_rate=50.0, batch_size=80, epochs=100)
    return Document(Project(net, cfg, DataSpec("xor", n=100, seed=0)))


def play_to_the_end(qtbot, window):
    runner = window.runner
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        qtbot.mouseClick(window.training_panel.play_button, Qt.MouseButton.LeftButton)


def buttons(panel):
    return {b.text(): b for b in panel.findings_box.buttons}


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path / "prefs.ini", document=dead_relu_document())


def test_dead_relus_are_explained_marked_and_fixed_in_one_click(qtbot, window):
    panel, doc = window.training_panel, window.document
    assert not panel.findings_box.isVisible() and window.scene.flagged() == frozenset()
    play_to_the_end(qtbot, window)
    assert len(doc.epoch_results) == 300
    box = panel.findings_box
    assert box.isVisible()
    texts = box.texts()
    assert texts[0].startswith("Every ReLU neuron of layer 1 (h1, h2, h3, h4) outputs 0 for "
                               "every training point")
    assert "Use leaky ReLU or a smaller learning rate, and reinitialise." in texts[0]
    assert any(t.startswith("The loss has stayed at 0.69") for t in texts)
    assert "h1, h2, h3, h4" in box.labels[0].text()
    dead = frozenset(NeuronRef(1, j) for j in range(4))
    assert window.scene.flagged() == dead
    assert all(window.scene.item_for(r).flagged for r in dead)
    assert not window.scene.item_for(NeuronRef(2, 0)).flagged
    assert set(buttons(panel)) == {"Use leaky ReLU in layer 1", "Reinitialise"}
    qtbot.mouseClick(buttons(panel)["Use leaky ReLU in layer 1"], Qt.MouseButton.LeftButton)
    assert doc.network.layers[0].activation == "leaky_relu"
    assert doc.undo_stack.undoText() == "Set activation of Hidden to leaky_relu"
    assert not box.isVisible() and window.scene.flagged() == frozenset()
    # undo brings the dead layer back, and its explanation
    doc.undo_stack.undo()
    assert box.isVisible() and window.scene.flagged() == dead


def test_the_legend_explains_the_mark(qtbot, window):
    rows = [text for _k, _q, _c, text in window.scene.legend.rows]
    assert "named by the run panel (dead, saturated)" in rows


def test_a_jumping_loss_suggests_a_learning_rate_and_the_button_sets_it(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.ini", document=jumping_document())
    play_to_the_end(qtbot, w)
    panel, doc = w.training_panel, w.document
    texts = panel.findings_box.texts()
    assert any(t.startswith("The loss jumps up and down") and
               t.endswith("Lower the learning rate to 5.") for t in texts)
    qtbot.mouseClick(buttons(panel)["Use learning rate 5"], Qt.MouseButton.LeftButton)
    assert doc.project.training.learning_rate == 5.0
    # the curve read from now on is the new rate's: the jumps of 50 are not held against it
    assert not any("jumps" in t for t in panel.findings_box.texts())


def test_a_healthy_xor_run_shows_no_finding_at_any_time(qtbot, tmp_path):
    doc = Document.open(example_path("lecture-xor"))
    w = open_window(qtbot, tmp_path / "prefs.ini", document=doc)
    seen = []
    w.training_panel.diagnosis.updated.connect(seen.append)
    play_to_the_end(qtbot, w)
    assert len(doc.epoch_results) == doc.project.training.epochs
    assert doc.epoch_results[-1].train_loss < 0.01
    assert seen and all(found == [] for found in seen)
    assert not w.training_panel.findings_box.isVisible()
    assert w.scene.flagged() == frozenset()


def test_a_divergence_from_huge_inputs_blames_the_inputs_and_offers_no_learning_rate(
        qtbot, tmp_path):
    from nnsim.core.project import ImportedData
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2)) * 1e200
    data = ImportedData(X, (X[:, :1] > 0).astype(float), np.empty((0, 2)), np.empty((0, 1)),
                        ["x1", "x2"], ["y"], "regression", "huge.csv")
    net = Network.build(2, [3, 1], ["relu", "linear"], loss="mse",
                        rng=np.random.default_rng(0))
    doc = Document(Project(net, TrainingConfig(learning_rate=0.1, batch_size=40, epochs=50),
                           data))
    w = open_window(qtbot, tmp_path / "prefs.ini", document=doc)
    with qtbot.waitSignal(w.runner.diverged, timeout=TIMEOUT):
        qtbot.mouseClick(w.training_panel.play_button, Qt.MouseButton.LeftButton)
    panel = w.training_panel
    text = panel.divergence_label.text()
    assert "The inputs are far too large (x" in text and "standardise the inputs" in text
    assert not panel.use_lr_button.isVisible()


def test_a_saved_failing_run_is_explained_when_opened(qtbot, tmp_path):
    doc = dead_relu_document()
    doc.step_epochs(300)
    path = tmp_path / "dead.nnsim"
    doc.save(path)
    w = open_window(qtbot, tmp_path / "prefs.ini", document=Document.open(path))
    texts = w.training_panel.findings_box.texts()
    assert texts[0].startswith("Every ReLU neuron of layer 1")
    assert any(t.startswith("The loss has stayed at") for t in texts)
    assert w.scene.flagged() == frozenset(NeuronRef(1, j) for j in range(4))


def test_targets_outside_the_loss_range_are_warned_where_the_other_warnings_show(
        qtbot, tmp_path):
    from nnsim.core.project import ImportedData
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    data = ImportedData(X, np.array([[0.0], [2.0], [2.0], [0.0]]), np.empty((0, 2)),
                        np.empty((0, 1)), ["x1", "x2"], ["y"], "regression", "two.csv")
    net = Network.build(2, [2, 1], ["sigmoid", "sigmoid"], loss="bce",
                        rng=np.random.default_rng(0))
    w = open_window(qtbot, tmp_path / "prefs.ini",
                    document=Document(Project(net, TrainingConfig(), data)))
    words = "Binary cross-entropy needs targets between 0 and 1, but they run from 0 to 2"
    assert words in w.loss_box.toolTip()
    assert any("warning" in line for line in w.scene.legend.status)
    assert words in w.inspector.warning_label.text()


def test_saturation_from_raw_inputs_is_fixed_by_standardising_in_one_click(qtbot, tmp_path):
    """Inputs 100 times too large saturate tanh units; the button standardises
    the inputs and draws new weights, and the same run then trains."""
    from nnsim.core.datasets import from_arrays, make
    from nnsim.core.project import ImportedData
    base = make(DataSpec("xor", n=100, seed=0))
    big = from_arrays(np.vstack([base.X_train, base.X_test]) * 100,
                      np.vstack([base.Y_train, base.Y_test]), seed=0)
    data = ImportedData(big.X_train, big.Y_train, big.X_test, big.Y_test,
                        list(big.input_names), list(big.target_names), big.kind, "big.csv")
    net = Network.build(2, [4, 1], ["tanh", "sigmoid"], loss="bce", rng=np.random.default_rng(0))
    cfg = TrainingConfig(learning_rate=0.1, batch_size=80, epochs=200)
    window = open_window(qtbot, tmp_path / "prefs.ini", document=Document(Project(net, cfg, data)))
    panel, doc = window.training_panel, window.document
    play_to_the_end(qtbot, window)
    assert panel.findings_box.isVisible()
    assert any("saturated" in t for t in panel.findings_box.texts())
    choice = buttons(panel)["Standardise the inputs and reinitialise"]
    qtbot.mouseClick(choice, Qt.MouseButton.LeftButton)
    assert doc.project.inputs.standardize
    assert abs(float(doc.network_data.X_train.mean())) < 1e-9
    assert not any("saturated" in t for t in panel.findings_box.texts())
