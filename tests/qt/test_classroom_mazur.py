"""The lecture in front of a class, end to end through the window: a
lecturer builds Matt Mazur's worked example ("A Step by Step
Backpropagation Example") by hand — File > New, one more output neuron, his
eight weights and four biases typed in the inspector, the biases frozen, his
sample typed into the Data table, his learning rate — steps it, and reads his
published figures off the canvas and the inspector. And the lecture network
at 1280x720 shows every delta and every gradient after the backward pass."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from nnsim.core.naming import DELTA, PARTIAL, fmt
from nnsim.qt.canvas.items import ValueLabelItem
from nnsim.qt.selection import EdgeRef, NeuronRef

from window_helpers import open_window

MIN_TEXT_PX = 11

# Mazur's weights as (layer, from, into, value), 0-based neurons: w1..w8
MAZUR_WEIGHTS = [(1, 0, 0, "0.15"), (1, 1, 0, "0.2"), (1, 0, 1, "0.25"), (1, 1, 1, "0.3"),
                 (2, 0, 0, "0.4"), (2, 1, 0, "0.45"), (2, 0, 1, "0.5"), (2, 1, 1, "0.55")]
MAZUR_BIASES = [(1, 0, "0.35"), (1, 1, "0.35"), (2, 0, "0.6"), (2, 1, "0.6")]


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.ini", (1280, 720))
    return w


def type_in(qtbot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def type_cell(qtbot, view, row: int, col: int, text: str) -> None:
    """Pick the cell, open its editor (F2), type and press Enter."""
    view.setFocus()
    view.setCurrentIndex(view.model().index(row, col))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = next(e for e in view.viewport().findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.state() != view.State.EditingState)


def tooltip_number(window, ref, label: str) -> float:
    """A number the canvas's tooltip shows for ``ref`` (ten digits)."""
    text = window.scene.tooltip_text(ref)
    m = re.search(re.escape(label) + r"\s*(?:=\s*)?(-?[0-9.e+-]+)", text)
    assert m, f"{label} not in the tooltip:\n{text}"
    return float(m.group(1))


def step(qtbot, window, times: int = 1) -> None:
    for _ in range(times):
        window.act_next.trigger()
    QApplication.processEvents()


def build_mazur_through_the_window(qtbot, window) -> None:
    window.act_new.trigger()
    doc = window.document
    assert doc.network.sizes == [2, 2, 1]
    # one more output neuron: its data column comes with it
    window.scene.select(NeuronRef(2, 0))
    window.act_add_neuron.trigger()
    doc = window.document
    assert doc.network.sizes == [2, 2, 2] and window.errors == []
    inspector = window.inspector
    for k, i, j, value in MAZUR_WEIGHTS:
        window.scene.select(EdgeRef(k, i, j))
        type_in(qtbot, inspector.value_edit, value)
    for k, j, value in MAZUR_BIASES:
        window.scene.select(NeuronRef(k, j))
        type_in(qtbot, inspector.value_edit, value)
    for k in (1, 2):  # his biases stay fixed
        window.scene.select(NeuronRef(k, 0))
        qtbot.mouseClick(inspector.train_bias_box, Qt.MouseButton.LeftButton)
    type_in(qtbot, window.training_panel.lr_edit, "0.5")
    # his one sample, typed into the Data table: every row out, one row in
    window.data_dock.raise_()
    panel = window.data_panel
    view = panel.points_view
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(panel.delete_rows_button, Qt.MouseButton.LeftButton)
    assert view.model().rowCount() == 0
    qtbot.mouseClick(panel.add_row_button, Qt.MouseButton.LeftButton)
    assert view.model().rowCount() == 1
    for col, text in enumerate(["0.05", "0.1", "0.01", "0.99"]):
        type_cell(qtbot, view, 0, col, text)
    assert window.errors == []


def test_mazurs_example_built_through_the_window_shows_his_figures(qtbot, window):
    build_mazur_through_the_window(qtbot, window)
    doc = window.document
    net = doc.network
    assert [l.W.tolist() for l in net.layers] == [[[0.15, 0.25], [0.2, 0.3]],
                                                 [[0.4, 0.5], [0.45, 0.55]]]
    assert [l.b.tolist() for l in net.layers] == [[0.35, 0.35], [0.6, 0.6]]
    assert [l.train_bias for l in net.layers] == [False, False]
    assert doc.project.training.learning_rate == 0.5
    assert doc.dataset.X_train.tolist() == [[0.05, 0.1]]
    assert doc.dataset.Y_train.tolist() == [[0.01, 0.99]]

    step(qtbot, window, 2)  # forward through both layers: his out_h1 and out_o1
    assert tooltip_number(window, NeuronRef(1, 0), "z") == pytest.approx(0.3775, abs=1e-9)
    assert tooltip_number(window, NeuronRef(1, 0), "a = sigmoid(z)") == \
        pytest.approx(0.593269992, abs=1e-9)
    assert tooltip_number(window, NeuronRef(2, 0), "a = sigmoid(z)") == \
        pytest.approx(0.75136507, abs=1e-8)
    step(qtbot, window)  # the loss: his E_total (the lecture's mean equals his 1/2 sum: t = 2)
    assert doc.snapshot.step.kind == "loss"
    assert tooltip_number(window, NeuronRef(2, 0), "(L") == pytest.approx(0.298371109, abs=1e-9)
    assert "Loss L = 0.2984" in "\n".join(window.scene.legend.status)
    step(qtbot, window, 2)  # backward through both layers
    w5 = EdgeRef(2, 0, 0)
    assert window.scene.edges[2][0][0].label.text == f"{PARTIAL}L/{PARTIAL}w = 0.08217"
    assert tooltip_number(window, w5, f"{PARTIAL}L/{PARTIAL}w") == \
        pytest.approx(0.082167041, abs=1e-9)
    window.scene.select(w5)
    assert f"= {fmt(0.082167041)}" in window.inspector.browser.toPlainText()
    assert window.inspector.explanation.total == pytest.approx(0.082167041, abs=1e-9)
    step(qtbot, window)  # the update
    assert doc.snapshot.step.kind == "update"
    assert tooltip_number(window, w5, "weight w: 0.4 \u2192") == pytest.approx(0.35891648, abs=1e-8)
    assert tooltip_number(window, EdgeRef(1, 0, 0), "weight w: 0.15 \u2192") == \
        pytest.approx(0.149780716, abs=1e-9)
    assert tooltip_number(window, NeuronRef(1, 0), "bias b: 0.35 \u2192") == 0.35  # frozen
    step(qtbot, window, 3)  # the same sample again: forward, forward, loss
    assert tooltip_number(window, NeuronRef(2, 0), "(L") == pytest.approx(0.2910277737, abs=1e-10)
    assert round(doc.snapshot.loss, 6) == round(0.291027924, 6)  # his post rounds on the way


def test_the_lecture_network_at_1280x720_shows_every_delta_and_gradient(qtbot, window):
    assert window.size().width() == 1280 and window.size().height() == 720
    doc = window.document  # the lecture's network, opened at start
    for _ in range(2 * len(doc.network.layers) + 1):  # forward, loss, backward
        window.act_next.trigger()
    QApplication.processEvents()
    window.view.fit_to_window()
    QApplication.processEvents()
    assert doc.snapshot.step.kind == "backward" and doc.snapshot.step.layer == 1
    scene, view, snap, sizes = window.scene, window.view, doc.snapshot, doc.network.sizes
    wanted = {}
    for k in range(1, len(sizes)):
        for j in range(sizes[k]):
            wanted[scene.neurons[k][j].label] = (f"{DELTA} = {fmt(snap.delta[k - 1][0, j])}\n"
                                                 f"{PARTIAL}L/{PARTIAL}b = "
                                                 f"{fmt(snap.db[k - 1][j])}")
            for i in range(sizes[k - 1]):
                wanted[scene.edges[k][i][j].label] = \
                    f"{PARTIAL}L/{PARTIAL}w = {fmt(snap.dW[k - 1][i, j])}"
    for label, text in wanted.items():
        assert isinstance(label, ValueLabelItem)
        assert label.isVisible() and label.text == text, text
        rect = view.mapFromScene(label.sceneBoundingRect()).boundingRect()
        assert rect.height() / len(label.lines) >= MIN_TEXT_PX, text
        assert view.viewport().rect().contains(rect), f"{text} is cut off"
    assert scene.hidden_labels == 0


def test_presentation_mode_shows_every_number_larger_than_normal(qtbot, window):
    doc = window.document
    for _ in range(2 * len(doc.network.layers) + 1):  # forward, loss, backward
        window.act_next.trigger()
    QApplication.processEvents()
    window.view.fit_to_window()
    QApplication.processEvents()
    normal = {id(l): l for row in window.scene.edges[1:] for r in row for l in [e.label for e in r]}
    before = {k: window.view.mapFromScene(l.sceneBoundingRect()).boundingRect().height()
              for k, l in normal.items()}
    qtbot.keyClick(window, Qt.Key.Key_F5)
    QApplication.processEvents()
    assert window.presenting and not any(d.isVisible() for d in window.docks)
    scene, view = window.scene, window.view
    assert scene.hidden_labels == 0  # every delta and every dL/dw of the step
    for key, label in normal.items():
        rect = view.mapFromScene(label.sceneBoundingRect()).boundingRect()
        assert label.isVisible() and view.viewport().rect().contains(rect)
        assert rect.height() > before[key]  # larger than in the normal window
