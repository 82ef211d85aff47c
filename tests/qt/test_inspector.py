"""The inspector explains the selection with the live numbers, checks
gradients and edits weights, biases and activations through the document."""
import html
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document, check_gradient
from nnsim.core import naming as labels
from nnsim.qt.canvas.scene import NetworkScene
from nnsim.qt.inspector import InspectorPanel, rich
from nnsim.qt.selection import EdgeRef, NeuronRef


@pytest.fixture
def doc(qtbot):
    return Document()  # the lecture's 2-2-1 sigmoid network on xor


@pytest.fixture
def panel(qtbot, doc):
    p = InspectorPanel(doc)
    qtbot.addWidget(p)
    p.resize(380, 800)
    p.show()
    return p


def steps(doc, n):
    for _ in range(n):
        doc.micro_step()
    return doc.snapshot


def forward_backward(doc):
    """Forward 1, forward 2, loss, backward 2, backward 1."""
    return steps(doc, 5)


def shown(panel) -> str:
    return panel.browser.toPlainText()


def flat(panel) -> str:
    """The explanation as one line (table cells are separate lines in plain text)."""
    return " ".join(shown(panel).split())


def canvas_label(doc, ref) -> str:
    scene = NetworkScene(doc)
    return scene.item_for(ref).label.text


def two_hidden_paths_doc():
    """A 2-3-3 softmax network: every hidden neuron feeds three outputs."""
    net = Network.build(2, [3, 3], ["tanh", "softmax"], loss="cross_entropy",
                        rng=np.random.default_rng(4))
    return Document(Project(net, TrainingConfig(learning_rate=0.2, batch_size=3),
                            DataSpec("three_class")))


def test_output_weight_product_equals_the_edge_label(qtbot, doc, panel):
    snap = forward_backward(doc)
    ref = EdgeRef(2, 0, 0)
    panel.show_selection(ref)
    g = float(snap.dW[1][0, 0])
    text = labels.fmt(g)
    assert canvas_label(doc, ref).endswith(text)  # what the edge shows
    assert panel.title.text() == "Weight h1 \u2192 out1"
    # the product line: dL/dw = f1 · f2 · f3 = g
    product = [line for line in shown(panel).splitlines() if line.startswith("\u2202L/\u2202w")]
    assert product and product[-1].endswith(f"= {text}")
    factors = panel.explanation.samples[0].paths[0].factors
    assert product[-1].count("\u00b7") == 2
    assert f" {labels.fmt(factors[0].value)} " in f" {product[-1]}".replace("= ", " ")
    assert panel.explanation.total == pytest.approx(g, abs=1e-12)
    assert f"= {text}" in panel.summary.text().replace("</span>", "").split(">")[-1] or \
        text in panel.summary.text()
    # the lecture's exact constants, with the numbers filled in
    assert "2/(1\u00b71)" in shown(panel)


def test_hidden_weight_sum_over_paths_equals_dW(qtbot, panel, doc):
    snap = forward_backward(doc)
    ref = EdgeRef(1, 1, 0)
    panel.show_selection(ref)
    g = float(snap.dW[0][1, 0])
    assert canvas_label(doc, ref).endswith(labels.fmt(g))
    text = shown(panel)
    assert "The one path from h1 to the loss" in text
    assert "x2 \u2192 h1 \u2192 out1 \u2192 L" in text
    assert labels.fmt(g) in text
    assert panel.explanation.total == pytest.approx(g, abs=1e-12)


def test_hidden_weight_with_several_paths_shows_their_sum(qtbot):
    doc = two_hidden_paths_doc()
    panel = InspectorPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    snap = steps(doc, 5)  # F1 F2 loss B2 B1
    panel.show_selection(EdgeRef(1, 0, 2))
    g = float(snap.dW[0][0, 2])
    text = shown(panel)
    assert "Sum over the 3 paths from h3 to the loss" in text
    first = panel.explanation.samples[0]
    for path in first.paths:
        assert " \u2192 ".join(path.route) + " " in flat(panel)
    assert f"sum = {labels.fmt(first.total)}" in flat(panel)  # this sample's paths
    # and the mini-batch's samples add up to the edge's gradient
    assert "Sum over the mini-batch" in text
    assert f"\u2202L/\u2202wx1\u2192h3 = {labels.fmt(g)} The update" in flat(panel)
    assert panel.explanation.total == pytest.approx(g, abs=1e-12)
    # the sample chooser breaks down another sample of the batch
    assert panel.sample_box.isVisible()
    panel.sample_box.setValue(2)
    assert f"Sample #{snap.sample_indices[1] + 1}" in shown(panel)  # numbered from 1


def test_not_computed_yet_then_filled_in_by_the_backward_steps(qtbot, panel, doc):
    panel.show_selection(EdgeRef(1, 0, 0))
    assert "Backward layer 1" in shown(panel)
    steps(doc, 3)  # forward 1, forward 2, loss
    assert "Not computed yet: Backward layer 1" in shown(panel)
    assert "2 steps from now" in shown(panel)
    snap = steps(doc, 1)  # backward 2: δ(out1) is known, and what it will be combined with
    assert "next step" in shown(panel)
    assert "Already known" in shown(panel)
    assert labels.fmt(snap.delta[1][0, 0]) in shown(panel)
    snap = steps(doc, 1)
    assert "Not computed" not in shown(panel)
    assert labels.fmt(snap.dW[0][0, 0]) in shown(panel)


def test_update_shows_old_and_new_weight(qtbot, panel, doc):
    forward_backward(doc)
    panel.show_selection(EdgeRef(2, 1, 0))
    assert "The update (next: Update step)" in shown(panel)
    snap = steps(doc, 1)  # the update
    old, new = snap.weights_before[1][0][1, 0], snap.weights_after[1][0][1, 0]
    g = snap.dW[1][1, 0]
    line = f"= {labels.fmt(old)} \u2212 0.5\u00b7{labels.fmt(g)} = {labels.fmt(new)}"
    assert line in shown(panel)
    assert panel.value_edit.text() == labels.fmt_full(new)


@pytest.mark.parametrize("after_update", [False, True])
def test_check_gradient_agrees_with_backprop(qtbot, panel, doc, after_update):
    snap = forward_backward(doc)
    if after_update:  # the check still uses this cycle's batch and starting weights
        snap = steps(doc, 1)
    for ref, g in ((EdgeRef(2, 0, 0), snap.dW[1][0, 0]), (EdgeRef(1, 1, 1), snap.dW[0][1, 1]),
                   (NeuronRef(1, 0), snap.db[0][0])):
        panel.show_selection(ref)
        assert panel.check_button.isEnabled()
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
        assert panel.check_label.isVisible()
        numbers = re.findall(r"<b>([-0-9.e+]+)</b>", panel.check_label.text())
        numeric, analytic = (float(v) for v in numbers)
        assert numeric == pytest.approx(g, abs=1e-6)
        assert analytic == pytest.approx(g, abs=1e-9)
        assert "they agree" in panel.check_label.text()


def test_check_gradient_without_a_cycle_uses_the_next_batch(qtbot, panel, doc):
    panel.show_selection(EdgeRef(2, 0, 0))
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    X, Y = doc.gradient_check_values()
    net = doc.network.copy()
    expected = net.gradients(np.array(X), np.array(Y)).dWs[1][0, 0]
    numeric, analytic = panel.last_check.numeric, panel.last_check.analytic
    assert analytic == pytest.approx(expected, abs=1e-12)
    assert numeric == pytest.approx(expected, abs=1e-6)
    doc.micro_step()  # the check belonged to another state: it goes away
    assert not panel.check_label.isVisible()


def test_check_gradient_shows_the_cores_verdict(qtbot, panel, doc):
    forward_backward(doc)
    ref = EdgeRef(1, 0, 1)
    panel.show_selection(ref)
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    v = check_gradient(doc, ref)
    assert panel.last_check == v and v.passed
    text = panel.check_label.text()
    assert "they agree" in text and html.escape(v.reason) in text and v.on in text


def test_check_gradient_at_a_relu_kink_says_they_differ_and_why(qtbot, panel, doc):
    doc.set_activation(1, "relu")
    doc.pin_sample(0)  # x = (0, 0) with biases 0: z(h1) is exactly 0, relu's kink
    forward_backward(doc)
    panel.show_selection(NeuronRef(1, 0))
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    v = panel.last_check
    assert not v.passed and v == check_gradient(doc, NeuronRef(1, 0))
    text = panel.check_label.text()
    assert "they differ" in text and "kink" in text and html.escape(v.reason) in text


def edit(qtbot, panel, text):
    panel.value_edit.setFocus()
    panel.value_edit.selectAll()
    qtbot.keyClick(panel.value_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(panel.value_edit, text)
    qtbot.keyClick(panel.value_edit, Qt.Key.Key_Return)


def test_editing_the_weight_is_one_undoable_command(qtbot, panel, doc):
    panel.show_selection(EdgeRef(2, 0, 0))
    before = float(doc.network.layers[1].W[0, 0])
    count = doc.undo_stack.count()
    with qtbot.waitSignal(doc.changed, check_params_cb=lambda c: c.values):
        edit(qtbot, panel, "0.25")
    assert doc.network.layers[1].W[0, 0] == 0.25
    assert doc.undo_stack.count() == count + 1
    assert not panel.edit_message.isVisible()
    assert "= 0.25" in re.sub(r"<[^>]+>", "", panel.summary.text())
    count = doc.undo_stack.count()
    edit(qtbot, panel, "0.25")  # Enter on an unchanged value adds no undo step
    assert doc.undo_stack.count() == count
    doc.undo_stack.undo()
    assert doc.network.layers[1].W[0, 0] == before
    assert panel.value_edit.text() == labels.fmt_full(before)


def test_enter_on_the_shown_value_changes_nothing(qtbot, panel, doc):
    panel.show_selection(EdgeRef(1, 1, 0))
    before = float(doc.network.layers[0].W[1, 0])
    assert labels.fmt_full(before) == panel.value_edit.text() != repr(before)
    count = doc.undo_stack.count()
    panel.value_edit.setFocus()
    qtbot.keyClick(panel.value_edit, Qt.Key.Key_Return)
    assert doc.undo_stack.count() == count and doc.network.layers[0].W[1, 0] == before


def test_editing_the_bias_of_a_neuron(qtbot, panel, doc):
    panel.show_selection(NeuronRef(1, 1))
    edit(qtbot, panel, "-1,5")  # a decimal comma is understood
    assert doc.network.layers[0].b[1] == -1.5
    doc.undo_stack.undo()
    assert doc.network.layers[0].b[1] == 0.0


@pytest.mark.parametrize("text", ["abc", "", "1.2.3", "inf", "nan"])
def test_bad_text_is_refused_and_changes_nothing(qtbot, panel, doc, text):
    panel.show_selection(EdgeRef(1, 0, 0))
    before = [p.copy() for p in doc.network.parameters()]
    count = doc.undo_stack.count()
    edit(qtbot, panel, text)
    assert panel.edit_message.isVisible() and panel.edit_message.text()
    assert doc.undo_stack.count() == count
    for a, b in zip(before, doc.network.parameters()):
        assert np.array_equal(a, b)
    edit(qtbot, panel, "0.5")  # a good number afterwards clears the message
    assert not panel.edit_message.isVisible()


def test_activation_combo_for_hidden_neurons(qtbot, panel, doc):
    panel.show_selection(NeuronRef(1, 0))
    box = panel.activation_box
    assert box.isVisible() and box.currentText() == "sigmoid"
    assert "softmax" not in [box.itemText(i) for i in range(box.count())]
    box.setCurrentText("tanh")
    with qtbot.waitSignal(doc.changed, check_params_cb=lambda c: c.structure):
        box.activated.emit(box.currentIndex())
    assert doc.network.layers[0].activation == "tanh"
    assert "activation tanh" in panel.subtitle.text()
    doc.undo_stack.undo()
    assert doc.network.layers[0].activation == "sigmoid"
    assert box.currentText() == "sigmoid"



def choose(qtbot, box, text):
    """Pick ``text`` in a combo as a user does (the popup's activated signal)."""
    box.setCurrentText(text)
    assert box.currentText() == text
    box.activated.emit(box.currentIndex())


def test_output_activation_is_chosen_in_the_inspector_and_odd_pairs_warn(qtbot, panel, doc):
    panel.show_selection(NeuronRef(2, 0))
    box = panel.activation_box
    assert box.isVisible() and box.currentText() == "sigmoid"
    assert "softmax" in [box.itemText(i) for i in range(box.count())]  # output only
    assert "loss: mse" in panel.activation_text.text()
    assert not panel.warning_label.isVisible()
    with qtbot.waitSignal(doc.changed, check_params_cb=lambda c: c.structure):
        choose(qtbot, box, "linear")
    assert doc.network.layers[-1].activation == "linear" and doc.network.loss == "mse"
    # xor is classification: the warning says how accuracy reads a linear output
    assert panel.warning_label.isVisible() and "above 0.5" in panel.warning_label.text()
    doc.set_loss("cross_entropy")  # as the toolbar's combo does: the activation stays
    assert doc.network.layers[-1].activation == "linear"
    assert "log a" in panel.warning_label.text()
    choose(qtbot, box, "softmax")
    assert doc.network.layers[-1].activation == "softmax"
    assert "always gives 1" in panel.warning_label.text()
    panel.show_selection(None)  # the overview says it too
    assert panel.warning_label.isVisible() and "always gives 1" in panel.warning_label.text()
    panel.show_selection(NeuronRef(1, 0))  # a hidden layer: no softmax, no output warning
    assert "softmax" not in [box.itemText(i) for i in range(box.count())]
    assert not panel.warning_label.isVisible()
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert (doc.network.layers[-1].activation, doc.network.loss) == ("sigmoid", "mse")


def test_neuron_shows_z_a_delta_bias_and_loss_share(qtbot, panel, doc):
    panel.show_selection(NeuronRef(2, 0))
    assert "step forward" in shown(panel).lower()
    steps(doc, 1)
    assert "Forward layer 2" in shown(panel)  # z and a of the output: not yet
    snap = steps(doc, 4)  # F2, loss, B2, B1
    text = shown(panel)
    for value in (snap.z[1][0, 0], snap.a[2][0, 0], snap.delta[1][0, 0], snap.loss_shares[0, 0],
                  snap.db[1][0]):
        assert labels.fmt(value) in text
    assert "Its share of the loss" in text
    summary = re.sub(r"<[^>]+>", "", panel.summary.text()).replace("&nbsp;", " ")
    assert f"= {labels.fmt(snap.z[1][0, 0])}" in summary
    assert f"= {labels.fmt(snap.delta[1][0, 0])}" in summary
    panel.show_selection(NeuronRef(1, 1))
    text = shown(panel)
    assert labels.fmt(snap.delta[0][0, 1]) in text and "Its share" not in text
    panel.show_selection(NeuronRef(0, 0))
    assert panel.title.text() == "Input x1" and not panel.check_button.isVisible()


def test_selection_that_disappears_falls_back_to_the_overview(qtbot):
    doc = two_hidden_paths_doc()
    panel = InspectorPanel(doc)
    qtbot.addWidget(panel)
    panel.show_selection(NeuronRef(1, 2))
    doc.remove_neuron(1, 2)
    assert panel.selection is None and panel.title.text() == "Inspector"
    assert "cross entropy" in shown(panel)


def test_removed_connection(qtbot, panel, doc):
    doc.set_connection(2, 1, 0, False)
    forward_backward(doc)
    panel.show_selection(EdgeRef(2, 1, 0))
    assert "removed" in shown(panel)
    assert not panel.check_button.isEnabled()


def test_rich_text_subscripts():
    assert rich("\u2202L/\u2202a(out1)") == "\u2202L/\u2202a<sub>out1</sub>"
    assert rich("w(x1 \u2192 h2)") == "w<sub>x1\u2192h2</sub>"
    assert rich("tanh(z(h1))") == "tanh(z<sub>h1</sub>)"
    assert rich("1 if z(h1) > 0") == "1 if z<sub>h1</sub> &gt; 0"
    assert rich("1/(1 + e^\u2212z(h1))") == "1/(1 + e<sup>\u2212z<sub>h1</sub></sup>)"


def test_freezing_a_layers_biases_from_the_inspector_keeps_them_through_an_update(qtbot, doc,
                                                                                   panel):
    panel.show_selection(NeuronRef(1, 0))
    box = panel.train_bias_box
    assert box.isVisible() and box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert doc.network.layers[0].train_bias is False and not box.isChecked()
    bias_before = doc.network.layers[0].b.copy()
    steps(doc, len(doc.plan))  # a whole cycle, the update included
    np.testing.assert_array_equal(doc.network.layers[0].b, bias_before)
    assert np.any(doc.snapshot.db[0] != 0)  # its gradient was not zero: it really stayed
    assert "stays" in flat(panel)  # the bias explanation says it keeps its value
    doc.undo_stack.undo()  # the training step
    doc.undo_stack.undo()  # the freeze
    assert doc.network.layers[0].train_bias is True and box.isChecked()


def test_the_inspector_says_how_the_lecture_loss_relates_to_mazurs(qtbot, doc, panel):
    panel.show_selection(None)
    assert "Mazur's E" in flat(panel) and "t = 2" in flat(panel)


def test_with_nothing_selected_the_inspector_shows_what_the_network_is_about(qtbot):
    from nnsim.examples import example_path
    doc = Document.from_example(example_path("mazur-2-2-2"))
    panel = InspectorPanel(doc)
    qtbot.addWidget(panel)
    panel.show_selection(None)
    assert doc.project.description and doc.project.description[:60] in flat(panel)
