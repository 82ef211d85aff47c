"""The document answers the inspector's questions: the chain rule of a
connection, a bias or a neuron on the snapshot on show, and the gradient
check's verdict (nnsim.document.explanations)."""
from collections import namedtuple

import numpy as np
import pytest

from nnsim.core import chainrule
from nnsim.core.network import Network
from nnsim.document import Document, check_gradient, explain, explain_bias
from nnsim.document.explanations import ON_CYCLE, ON_NEXT_BATCH

# any reference with these fields will do (the canvas's EdgeRef and NeuronRef have them)
Edge = namedtuple("Edge", "layer source target")
Neuron = namedtuple("Neuron", "layer neuron")


@pytest.fixture
def doc(qtbot):
    d = Document()  # the lecture's 2-2-1 sigmoid network on xor
    d.set_training(batch_size=2)
    return d


def cycle_to_backward(doc):
    for _ in range(5):  # forward 1, forward 2, loss, backward 2, backward 1
        snap = doc.micro_step()
    return snap


def test_explain_a_connection_is_the_core_chain_rule_on_the_snapshot(doc):
    snap = cycle_to_backward(doc)
    e = explain(doc, Edge(1, 1, 0))
    assert e == chainrule.explain_weight(doc.network, snap, 1, 1, 0)
    assert e.parameter_id == ("weight", 1, 1, 0) and e.total == pytest.approx(snap.dW[0][1, 0])


def test_explain_a_neuron_clamps_the_sample_to_the_batch(doc):
    snap = cycle_to_backward(doc)
    n = explain(doc, Neuron(2, 0), sample=7)
    assert n.sample_position == 1 and n.delta.value == snap.delta[1][1, 0]
    assert explain_bias(doc, Neuron(0, 1)) is None  # an input has no bias
    b = explain_bias(doc, Neuron(1, 1))
    assert b.parameter_id == ("bias", 1, None, 1) and b.total == pytest.approx(snap.db[0][1])


def test_a_snapshot_of_another_shape_is_never_explained(doc, qtbot):
    other = Document(project=None)
    other.add_neuron(1)
    other.micro_step()
    doc.snapshot = other.snapshot  # stale: belongs to a 2-3-1 network
    e = explain(doc, Edge(2, 0, 0))
    assert e.status == "pending" and e.n_samples == 0


def test_check_gradient_on_the_cycle_uses_backprops_own_number(doc):
    snap = cycle_to_backward(doc)
    v = check_gradient(doc, Edge(2, 1, 0))
    assert v.analytic == snap.dW[1][1, 0] and v.on == ON_CYCLE
    assert v.passed and v.numeric == pytest.approx(v.analytic, abs=1e-8)
    doc.micro_step()  # the update: the check still uses the weights the cycle started from
    assert check_gradient(doc, Edge(2, 1, 0)).analytic == v.analytic


def test_check_gradient_without_a_cycle_uses_the_next_batch(doc):
    X, Y = (np.array(v, dtype=float) for v in doc.gradient_check_values())
    v = check_gradient(doc, Neuron(1, 0))
    assert v.on == ON_NEXT_BATCH and v.passed
    assert v.analytic == doc.network.copy().gradients(X, Y).dbs[0][0]


def test_check_gradient_at_a_relu_kink_fails_and_says_why(doc):
    doc.set_training(batch_size=1)
    doc.set_activation(1, "relu")
    doc.pin_sample(0)  # x = (0, 0) and biases 0: z of every hidden neuron is exactly 0
    snap = cycle_to_backward(doc)
    assert snap.z[0][0, 0] == 0.0
    v = check_gradient(doc, Neuron(1, 0))  # relu's slope at 0 is taken as 0, the loss's is not
    assert not v.passed and v.analytic == 0.0 and abs(v.numeric) > v.threshold
    assert "kink" in v.reason
