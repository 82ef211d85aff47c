"""Regularisation as a user sets and reads it: the training panel's penalty and
rate, the canvas's dL/dw with the penalty in it, and the inspector's chain
rule with the extra term, its numbers and the sum."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnsim.core import naming as labels
from nnsim.document import Document, Runner, check_gradient
from nnsim.qt.canvas.scene import NetworkScene
from nnsim.qt.inspector import InspectorPanel
from nnsim.qt.selection import EdgeRef, NeuronRef
from nnsim.qt.training_panel import TrainingPanel

from window_helpers import type_into


@pytest.fixture
def doc(qtbot):
    return Document()  # the lecture's network on xor


@pytest.fixture
def panel(qtbot, doc):
    p = TrainingPanel(doc, Runner(doc))
    qtbot.addWidget(p)
    p.resize(320, 700)
    p.show()
    p.errors = []
    p.show_error = p.errors.append
    return p


@pytest.fixture
def inspector(qtbot, doc):
    p = InspectorPanel(doc)
    qtbot.addWidget(p)
    p.resize(380, 900)
    p.show()
    return p


def choose(combo, data):
    combo.setCurrentIndex(combo.findData(data))


def test_choosing_a_penalty_and_typing_its_rate(qtbot, panel, doc):
    assert not panel.penalty_rate_edit.isEnabled()
    choose(panel.penalty_combo, "l2")
    cfg = doc.project.training
    assert (cfg.regularization, cfg.regularization_rate) == ("l2", 0.001)
    assert panel.penalty_rate_edit.isEnabled() and panel.penalty_rate_edit.text() == "0.001"
    type_into(qtbot, panel.penalty_rate_edit, "0,03")
    assert doc.project.training.regularization_rate == 0.03
    type_into(qtbot, panel.penalty_rate_edit, "-1")
    assert doc.project.training.regularization_rate == 0.03
    assert panel.errors and "regularisation rate" in panel.errors[-1]
    assert "0.03" in panel.errors[-1]
    choose(panel.penalty_combo, "none")
    assert doc.project.training.penalty.active is False
    doc.undo_stack.undo()
    assert panel.penalty_combo.currentData() == "l2"
    assert panel.penalty_rate_edit.text() == "0.03"


def steps(doc, n):
    for _ in range(n):
        doc.micro_step()
    return doc.snapshot


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_the_edge_and_the_inspector_show_dL_dw_with_the_penalty(qtbot, doc, inspector, kind):
    doc.set_training(regularization=kind, regularization_rate=0.1)
    w_before = [l.W.copy() for l in doc.network.layers]
    snap = steps(doc, 5)  # forward, forward, loss, backward, backward
    for ref, (k, i, j) in ((EdgeRef(2, 0, 0), (1, 0, 0)), (EdgeRef(1, 1, 0), (0, 1, 0))):
        g = float(snap.dW[k][i, j])
        w = float(w_before[k][i, j])
        term = 0.1 * (w if kind == "l2" else np.sign(w))
        scene = NetworkScene(doc)
        assert scene.item_for(ref).label.text.endswith(labels.fmt(g))  # what the edge shows
        inspector.show_selection(ref)
        e = inspector.explanation
        assert e.total == pytest.approx(g, rel=1e-9)
        assert e.data_total == pytest.approx(g - term, rel=1e-9, abs=1e-15)
        text = " ".join(inspector.browser.toPlainText().split())
        title = "L2" if kind == "l2" else "L1"
        assert f"Plus the {title} penalty's term" in text
        assert f"= {labels.fmt(term)}" in text
        assert (f"= {labels.fmt(e.data_total)} + {labels.fmt(term).join('()') if term < 0 else labels.fmt(term)}"
                f" = {labels.fmt(g)}") in text
        # backprop with the penalty agrees with central differences of the regularised loss
        assert check_gradient(doc, ref).passed


def test_biases_carry_no_penalty(qtbot, doc, inspector):
    doc.set_training(regularization="l2", regularization_rate=0.5)
    snap = steps(doc, 5)
    inspector.show_selection(NeuronRef(2, 0))
    assert "penalty" not in inspector.browser.toPlainText()
    assert check_gradient(doc, NeuronRef(2, 0)).passed
    net = doc.network.copy()
    net.set_parameters([np.array(p) for pair in snap.weights_before for p in pair])
    plain = net.gradients(np.array(snap.X), np.array(snap.Y))
    for k in range(2):
        np.testing.assert_allclose(snap.db[k], plain.dbs[k], rtol=1e-12)
