"""The document's queries for predict-then-reveal: the question is about the
next micro-step, the reveal is the number the step's snapshot shows."""
import numpy as np
import pytest

from nnsim.document import Document
from nnsim.examples import example_path


def test_question_then_step_then_reveal(qtbot):
    doc = Document.from_example(example_path("lecture-xor"))
    assert doc.next_step.label == "Forward layer 1"
    q = doc.prediction_question(np.random.default_rng(0), neuron=(1, 1))
    assert q.symbol in ("z(h2)", "a(h2)") and q.step == doc.next_step
    with pytest.raises(ValueError, match="Forward layer 1 has not just run"):
        doc.prediction_reveal(q)
    doc.micro_step()
    value, text = doc.prediction_reveal(q)
    snap = doc.snapshot
    assert value == (snap.z[0][0, 1] if q.symbol == "z(h2)" else snap.a[1][0, 1])
    assert text.startswith(q.symbol)
    assert ("0.25·1 + 0.3·0 + 0.35 = 0.6" if q.symbol == "z(h2)" else "1/(1 + e^(-0.6))") in text
    assert doc.next_step.label == "Forward layer 2"
