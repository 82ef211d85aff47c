"""Predict, then reveal: the question's true value is the number the step
then shows, and typed answers are judged as a teacher would."""
import math

import numpy as np
import pytest

from nnsim.core import prediction as P
from nnsim.examples import example_path
from nnsim.io import load_project

SIG = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731


def lecture_stepper(batch_size=1, optimizer="sgd", change=None):
    project = load_project(example_path("lecture-xor"))
    project.training.batch_size = batch_size
    project.training.optimizer = optimizer
    if change:
        change(project.network)
    return project.make_stepper(project.dataset())


def shown_by(snap, step):
    """What the snapshot after ``step`` shows, by symbol (read off the
    snapshot's arrays here, not through the quiz code). Lecture net: 2-2-2."""
    names = {1: ("h1", "h2"), 2: ("out1", "out2")}
    below = {1: ("x1", "x2"), 2: ("h1", "h2")}
    out = {}
    if step.kind == "forward":
        k = step.layer
        for j, n in enumerate(names[k]):
            out[f"z({n})"] = snap.z[k - 1][0, j]
            out[f"a({n})"] = snap.a[k][0, j]
    elif step.kind == "loss":
        out["L"] = snap.loss
    elif step.kind == "backward":
        k = step.layer
        for j, n in enumerate(names[k]):
            out[f"δ({n})"] = snap.delta[k - 1][0, j]
            out[f"∂L/∂b({n})"] = snap.db[k - 1][j]
            for i, m in enumerate(below[k]):
                out[f"∂L/∂w({m} → {n})"] = snap.dW[k - 1][i, j]
    else:
        for k in (1, 2):
            W, b = snap.weights_after[k - 1]
            for j, n in enumerate(names[k]):
                out[f"b({n}) after the update"] = b[j]
                for i, m in enumerate(below[k]):
                    out[f"w({m} → {n}) after the update"] = W[i, j]
    return out


def test_every_question_of_every_step_is_what_the_step_then_shows():
    st = lecture_stepper()
    counts = {}
    for _ in range(len(st.plan)):
        step = st.next_step
        questions = P.questions_for(st.network, step, st.next_indices())
        snap = st.micro_step()
        shown = shown_by(snap, step)
        assert sorted(q.symbol for q in questions) == sorted(shown)  # every number, no other
        for q in questions:
            assert P.true_value(q, snap) == shown[q.symbol]
            assert q.sample_index == 0
        counts[step.label] = len(questions)
    assert counts == {"Forward layer 1": 4, "Forward layer 2": 4, "Loss": 1,
                      "Backward layer 2": 8, "Backward layer 1": 8, "Update": 12}


def test_the_lecture_numbers_by_hand():
    """Sample #0 is x = (1, 0), y = (1, 0); the lecture's weights."""
    st = lecture_stepper()
    step = st.next_step
    z_h1 = next(q for q in P.questions_for(st.network, step, (0,)) if q.symbol == "z(h1)")
    snap = st.micro_step()
    assert P.true_value(z_h1, snap) == pytest.approx(0.15 * 1 + 0.2 * 0 + 0.35)
    text = P.explain(z_h1, st.network, snap)
    assert text == "z(h1) = w(x1 → h1)·x1 + w(x2 → h1)·x2 + b(h1) = 0.15·1 + 0.2·0 + 0.35 = 0.5"
    st.micro_step()
    loss_q = P.questions_for(st.network, st.next_step, (0,))[0]
    snap = st.micro_step()
    h = [SIG(0.5), SIG(0.6)]
    o = [SIG(0.4 * h[0] + 0.45 * h[1] + 0.6), SIG(0.5 * h[0] + 0.55 * h[1] + 0.6)]
    expected_loss = ((1 - o[0]) ** 2 + (0 - o[1]) ** 2) / 2
    assert P.true_value(loss_q, snap) == pytest.approx(expected_loss)
    assert P.explain(loss_q, st.network, snap).endswith(f"= {expected_loss:.4g}")


def test_the_explanation_shows_the_numbers_and_ends_with_the_true_value():
    st = lecture_stepper()
    for _ in range(len(st.plan)):
        step = st.next_step
        questions = P.questions_for(st.network, step, st.next_indices())
        snap = st.micro_step()
        for q in questions:
            text = P.explain(q, st.network, snap)
            if q.kind in ("w_new", "b_new"):
                assert text.startswith("new " + q.symbol.replace(" after the update", ""))
            else:
                assert text.startswith(q.symbol)
            assert text.endswith(f"= {P.fmt(shown_by(snap, step)[q.symbol])}")
    # an update reads old − η·gradient
    q = next(q for q in questions if q.symbol == "w(x1 → h1) after the update")
    grad = snap.dW[0][0, 0]
    assert f"0.15 − 0.7·{P.fmt(grad)} = " in P.explain(q, st.network, snap)


def run_to(st, kind):
    while st.next_step.kind != kind:
        st.micro_step()


def test_an_adam_update_is_what_the_step_shows():
    st = lecture_stepper(optimizer="adam")
    run_to(st, "update")
    questions = P.questions_for(st.network, st.next_step, (0,))
    snap = st.micro_step()
    q = next(q for q in questions if q.symbol == "w(h2 → out1) after the update")
    new = snap.weights_after[1][0][1, 0]
    assert P.true_value(q, snap) == new != snap.weights_before[1][0][1, 0]
    assert P.explain(q, st.network, snap).endswith(f"= {P.fmt(new)}")


def test_frozen_biases_and_removed_connections_are_not_asked():
    def change(net):
        net.layers[0].train_bias = False
        net.layers[1].mask = np.array([[True, False], [True, True]])  # h1 → out2 removed
    st = lecture_stepper(change=change)
    run_to(st, "backward")
    backward = {q.symbol for q in P.questions_for(st.network, st.next_step, (0,))}
    assert "∂L/∂w(h1 → out2)" not in backward and "∂L/∂w(h2 → out2)" in backward
    run_to(st, "update")
    update = {q.symbol for q in P.questions_for(st.network, st.next_step, (0,))}
    assert not {"b(h1) after the update", "b(h2) after the update",
                "w(h1 → out2) after the update"} & update
    assert "b(out1) after the update" in update and len(update) == 12 - 3


def test_a_mini_batch_sums_the_gradient_over_its_samples():
    st = lecture_stepper(batch_size=4)
    while st.next_step.kind != "backward":
        st.micro_step()
    questions = P.questions_for(st.network, st.next_step, st.next_indices())
    snap = st.micro_step()
    q = next(q for q in questions if q.symbol == "∂L/∂w(h1 → out1)")
    total = sum(snap.delta[1][s, 0] * snap.a[1][s, 0] for s in range(4))
    assert P.true_value(q, snap) == pytest.approx(total)
    assert "mini-batch of 4 samples" in q.prompt
    text = P.explain(q, st.network, snap)
    assert "Σ over the 4 samples of δ(out1)·a(h1)" in text and text.endswith(P.fmt(total))


def test_the_selection_picks_its_quantity_and_randomness_is_injected():
    st = lecture_stepper()
    forward = P.questions_for(st.network, st.next_step, (0,))
    for seed in range(10):
        q = P.pick(forward, np.random.default_rng(seed), neuron=(1, 0))
        assert q.symbol in ("z(h1)", "a(h1)")
    # an edge names no quantity of a forward step: any of the step's
    picked = {P.pick(forward, np.random.default_rng(s), edge=(2, 0, 1)).symbol for s in range(30)}
    assert picked == {"z(h1)", "a(h1)", "z(h2)", "a(h2)"}
    # the same seed, the same question
    assert P.pick(forward, np.random.default_rng(7)) == P.pick(forward, np.random.default_rng(7))
    while st.next_step.kind != "backward":
        st.micro_step()
    backward = P.questions_for(st.network, st.next_step, (0,))
    assert P.pick(backward, np.random.default_rng(0), edge=(2, 0, 1)).symbol == \
        "∂L/∂w(h1 → out2)"
    assert P.pick(backward, np.random.default_rng(0), neuron=(2, 1)).symbol == "δ(out2)"


@pytest.mark.parametrize("answer, true, right", [
    ("0.593", 0.59335, True),  # rounded to 3 digits
    ("0.5934", 0.59335, True),
    ("0.59", 0.59335, False),  # 2 digits are not enough
    ("1.005", 1.0, True), ("0.995", 1.0, True),  # the tolerance's edges
    ("1.0051", 1.0, False), ("0.9949", 1.0, False),
    ("0.0445", -0.044517, False), ("-0.0445", -0.044517, True),  # the sign
    ("0.04165", 0.0833, False),  # a missing factor 2
    ("2.3e-5", 2.31e-5, True), ("0", 2.31e-5, False), ("-2.31e-05", 2.31e-5, False),
    ("0", 0.0, True), ("0.0001", 0.0, False),
    ("0,593", 0.59335, True), ("−0.0445", -0.044517, True),  # decimal comma, typographic minus
])
def test_tolerance(answer, true, right):
    q = P.Question("z", None, 1, 0, None, "z(h1)", 0, 1)
    verdict = P.check(q, answer, true)
    assert verdict.status == ("right" if right else "wrong")
    assert verdict.true_value == true
    assert P.fmt(true) in verdict.message


@pytest.mark.parametrize("text", ["", "   ", "abc", "1e999", "-1e999", "nan", "inf", "1_000",
                                  "1,000.5", "0x10", "1/2", "1.2.3", "e5"])
def test_what_is_not_a_number_gets_a_message_and_no_verdict(text):
    q = P.Question("z", None, 1, 0, None, "z(h1)", 0, 1)
    verdict = P.check(q, text, 0.5)
    assert verdict.status == "invalid" and not verdict.answered
    assert verdict.true_value is None  # nothing given away
    assert "0.593" in verdict.message  # says what to type
