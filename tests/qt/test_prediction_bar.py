"""Predict, then reveal, used from the keyboard as a learner would: turn the
mode on, press a step key, type a number, Enter (or Esc)."""
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


from nnsim.qt.selection import NeuronRef

from window_helpers import open_window

SIG = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
# Forward layer 1 of the lecture network on row 1 (sample #1), x = (1, 0), by hand
FORWARD_1 = {"z(h1)": 0.15 + 0.35, "a(h1)": SIG(0.5),
             "z(h2)": 0.25 + 0.35, "a(h2)": SIG(0.6)}


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.ini", (1280, 720))
    w.prediction_bar.rng = np.random.default_rng(3)
    return w


def predict_on(window):
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert window.act_predict.isChecked() and window.prediction_bar.isVisible()


def shown(window, symbol):
    """z(h1) .. a(h2) as the snapshot after Forward layer 1 shows them."""
    snap = window.document.snapshot
    j = {"h1": 0, "h2": 1}[symbol[2:4]]
    return (snap.z[0] if symbol[0] == "z" else snap.a[1])[0, j]


def test_right_answer_then_the_step_reveals_it(window, qtbot):
    bar = window.prediction_bar
    predict_on(window)
    QTest.keyClick(window, Qt.Key.Key_F)
    assert window.document.snapshot is None  # asked first: nothing computed yet
    assert bar.edit.hasFocus()
    symbol = bar.question.symbol
    assert f"Predict {symbol} for sample #1" in bar.prompt.text()  # row 1, as the window says
    qtbot.keyClicks(bar.edit, f"{FORWARD_1[symbol]:.3g}")
    QTest.keyClick(bar.edit, Qt.Key.Key_Return)
    assert window.document.snapshot.step.label == "Forward layer 1"  # the step happened
    assert shown(window, symbol) == pytest.approx(FORWARD_1[symbol])
    text = bar.result.text()
    assert "Right" in bar.prompt.text() and f"{FORWARD_1[symbol]:.4g}" in text
    assert "1/(1 + e^" in text or "0.15·1 + 0.2·0 + 0.35" in text or "0.25·1" in text
    assert bar.score == "1 of 1 right"
    assert window.status_score.text() == "Predictions: 1 of 1 right"
    assert not bar.edit.isVisible() and not bar.edit.hasFocus()


def test_wrong_answer_shows_the_true_value(window, qtbot):
    bar = window.prediction_bar
    predict_on(window)
    QTest.keyClick(window, Qt.Key.Key_Space)
    symbol = bar.question.symbol
    qtbot.keyClicks(bar.edit, f"{-FORWARD_1[symbol]:.3g}")  # the wrong sign
    QTest.keyClick(bar.edit, Qt.Key.Key_Return)
    true = shown(window, symbol)
    assert true == pytest.approx(FORWARD_1[symbol])
    assert "Wrong" in bar.prompt.text() and f"{true:.4g}" in bar.result.text()
    assert bar.score == "0 of 1 right"


def test_not_a_number_keeps_the_question(window, qtbot, capfd):
    bar = window.prediction_bar
    predict_on(window)
    QTest.keyClick(window, Qt.Key.Key_F)
    question = bar.question
    for typed in ("abc", "1e999", ""):
        bar.edit.clear()
        qtbot.keyClicks(bar.edit, typed)
        QTest.keyClick(bar.edit, Qt.Key.Key_Return)
        assert bar.question == question and bar.edit.hasFocus()  # a second try
        assert "0.593" in bar.result.text()  # says what to type
        assert window.document.snapshot is None  # no step yet
    assert "abc" not in bar.score and bar.score == "no answers yet"
    bar.edit.clear()
    qtbot.keyClicks(bar.edit, f"{FORWARD_1[question.symbol]:.3g}".replace(".", ","))
    QTest.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.score == "1 of 1 right"
    assert capfd.readouterr().err == ""


def test_esc_skips_and_steps(window):
    bar = window.prediction_bar
    predict_on(window)
    QTest.keyClick(window, Qt.Key.Key_F)
    symbol = bar.question.symbol
    QTest.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert window.document.snapshot.step.label == "Forward layer 1"
    assert "Skipped" in bar.prompt.text() and f"{shown(window, symbol):.4g}" in bar.result.text()
    assert bar.score == "no answers yet, 1 skipped"
    # the next step key works at once: the keyboard is back on the canvas
    QTest.keyClick(window, Qt.Key.Key_F)
    assert bar.pending and bar.question.step.label == "Forward layer 2"
    QTest.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert bar.score == "no answers yet, 2 skipped"


def test_a_selected_neuron_is_asked_about(window, qtbot):
    bar = window.prediction_bar
    window.scene.select(NeuronRef(2, 1))
    predict_on(window)
    for _ in range(3):  # forward 1, forward 2, loss
        QTest.keyClick(window, Qt.Key.Key_Space)
        QTest.keyClick(bar.edit, Qt.Key.Key_Escape)
    QTest.keyClick(window, Qt.Key.Key_B)
    assert bar.question.symbol == "δ(out2)"
    QTest.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert window.document.snapshot.delta[1][0, 1] != 0


def test_mode_off_steps_at_once(window):
    bar = window.prediction_bar
    assert not window.act_predict.isChecked() and not bar.isVisible()  # off by default
    QTest.keyClick(window, Qt.Key.Key_F)
    assert window.document.snapshot.step.label == "Forward layer 1"
    predict_on(window)
    QTest.keyClick(window, Qt.Key.Key_F)
    assert bar.pending
    window.act_predict.trigger()  # off again: the question goes, no step
    assert not bar.pending and not bar.isVisible()
    assert window.document.snapshot.step.label == "Forward layer 1"
    QTest.keyClick(window, Qt.Key.Key_F)
    assert window.document.snapshot.step.label == "Forward layer 2"
    assert not window.status_score.isVisible()


def test_coarse_steps_are_not_quizzed_and_drop_an_open_question(window):
    bar = window.prediction_bar
    predict_on(window)
    QTest.keyClick(window, Qt.Key.Key_F)
    assert bar.pending
    window.act_step_epoch.trigger()  # the toolbar button, while the question is open
    assert not bar.pending and window.document.snapshot is None
    assert window.document.epoch == 2


def test_the_step_bar_button_asks_too(window, qtbot):
    bar = window.prediction_bar
    predict_on(window)
    button = window.step_bar.widgetForAction(window.act_forward)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert bar.pending and window.document.snapshot is None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # again: still the one question
    assert bar.pending and bar.edit.hasFocus() and window.document.snapshot is None
    qtbot.keyClicks(bar.edit, f"{FORWARD_1[bar.question.symbol]:.3g}")
    QTest.keyClick(bar.edit, Qt.Key.Key_Enter)  # the keypad's Enter
    assert bar.score == "1 of 1 right"
    assert window.document.snapshot.step.label == "Forward layer 1"


def test_in_predict_mode_the_inspector_keeps_the_new_weight_until_the_update(window, qtbot):
    from nnsim.core.naming import fmt
    from nnsim.document import EdgeRef
    bar = window.prediction_bar
    doc = window.document
    window.scene.select(EdgeRef(2, 0, 0))
    predict_on(window)
    while doc.next_step.kind != "update":  # forward, loss, backward: skipped with Esc
        QTest.keyClick(window, Qt.Key.Key_Space)
        QTest.keyClick(bar.edit, Qt.Key.Key_Escape)
    explanation = window.inspector.explanation
    new = explanation.update.new  # what the Update step will give
    assert fmt(new) not in window.inspector.browser.toPlainText()
    assert "Predict mode" in window.inspector.browser.toPlainText()
    QTest.keyClick(window, Qt.Key.Key_Space)
    QTest.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert doc.snapshot.step.kind == "update"
    assert fmt(new) in window.inspector.browser.toPlainText()  # revealed by the step
    window.act_predict.trigger()  # mode off: previews are back
    assert window.inspector.previews
