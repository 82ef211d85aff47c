"""The network canvas, driven as a user drives it: steps, clicks, drags, menus."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent, QHelpEvent, QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document
from nnsim.qt.canvas import NetworkScene, edge_name, fmt, neuron_name
from nnsim.qt.canvas import palette
from nnsim.qt.canvas import scene as scene_module
from nnsim.qt.canvas.items import (EdgeItem, HeaderItem, LegendItem, NeuronItem,
                                   ValueLabelItem)
from nnsim.qt.selection import EdgeRef, NeuronRef
from canvas_helpers import make_view

ARROW = "\u2192"


# -- helpers -------------------------------------------------------------------------


def deep_document(sizes=(8, 8, 8, 1), seed=1) -> Document:
    acts = ["tanh"] * (len(sizes) - 1) + ["sigmoid"]
    net = Network.build(2, list(sizes), acts, rng=np.random.default_rng(seed))
    return Document(Project(net, TrainingConfig(learning_rate=0.1), DataSpec("xor", n=100)))


def edge_text(scene, k, i, j) -> str:
    return scene.edges[k][i][j].label.text


def neuron_text(scene, k, j) -> str:
    return scene.neurons[k][j].label.text


def view_pos(view, scene_point) -> QPoint:
    return view.mapFromScene(scene_point)


def clickable_point(scene, item) -> QPointF:
    """A point on ``item`` where the scene finds that very item (not a crossing edge)."""
    if isinstance(item, NeuronItem):
        return item.pos()
    for t in np.linspace(0.15, 0.85, 71):
        p = item.point_at(float(t))
        if scene.interactive_item_at(p) is item:
            return p
    raise AssertionError("no clickable point on the edge")


def send_mouse(widget, kind, pos, button, buttons):
    ev = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


def drag(view, start: QPoint, end: QPoint, steps: int = 6):
    vp = view.viewport()
    left = Qt.MouseButton.LeftButton
    send_mouse(vp, QMouseEvent.Type.MouseButtonPress, start, left, left)
    for s in range(1, steps + 1):
        p = start + (end - start) * s / steps
        send_mouse(vp, QMouseEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, left)
    send_mouse(vp, QMouseEvent.Type.MouseButtonRelease, end, left, Qt.MouseButton.NoButton)


def right_click_menu(view, pos: QPoint, action_text: str):
    """Right-click at ``pos`` and choose ``action_text`` in the menu that opens."""
    chosen = []

    def choose():
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(10, choose)
            return
        for act in menu.actions():
            if act.text() == action_text:
                chosen.append(act.text())
                menu.close()
                act.trigger()
                return
        chosen.append(None)
        menu.close()

    QTimer.singleShot(0, choose)
    vp = view.viewport()
    QApplication.sendEvent(vp, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                 vp.mapToGlobal(pos)))
    assert chosen == [action_text], f"menu had no action {action_text!r}"


def visible_labels(scene):
    out = []
    for item in scene.items():
        if not item.isVisible():
            continue
        if isinstance(item, ValueLabelItem) and item.lines:
            out.append(item)
        elif isinstance(item, (HeaderItem, LegendItem)):
            out.append(item)
    return out


def overlapping_pairs(items):
    rects = [(it, it.sceneBoundingRect()) for it in items]
    pairs = []
    for a in range(len(rects)):
        for b in range(a + 1, len(rects)):
            if rects[a][1].intersects(rects[b][1]):
                pairs.append((rects[a][0], rects[b][0]))
    return pairs


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(scene_module, "show_warning",
                        lambda parent, text, title="": shown.append(text))
    return shown


# -- names and numbers -------------------------------------------------------------------
def test_names_follow_one_scheme():
    lecture = [2, 2, 1]
    assert [neuron_name(lecture, 0, j) for j in range(2)] == ["x1", "x2"]
    assert [neuron_name(lecture, 1, j) for j in range(2)] == ["h1", "h2"]
    assert neuron_name(lecture, 2, 0) == "out1"
    assert edge_name(lecture, 1, 0, 1) == f"x1 {ARROW} h2"
    deep = [2, 3, 3, 2]
    assert neuron_name(deep, 1, 2) == "h1_3"
    assert neuron_name(deep, 2, 0) == "h2_1"
    assert edge_name(deep, 3, 2, 1) == f"h2_3 {ARROW} out2"


def test_numbers_have_four_significant_digits():
    assert fmt(0.15234567) == "0.1523"
    assert fmt(-2.3104e-05) == "-2.31e-05"
    assert fmt(0.15) == "0.15"
    assert fmt(-0.0) == "0"
    assert fmt(1234.5) == "1234" or fmt(1234.5) == "1235"
    assert fmt(float("nan")) == "NaN"


# -- what the scene shows ------------------------------------------------------------------
def test_scene_has_one_item_per_neuron_and_connection_with_headers(qtbot):
    doc = Document()
    scene = NetworkScene(doc)
    assert sum(isinstance(i, NeuronItem) for i in scene.items()) == 5
    assert sum(isinstance(i, EdgeItem) for i in scene.items()) == 6
    assert [h.text for h in scene.headers] == ["Input", "Hidden \u00b7 sigmoid",
                                               "Output \u00b7 sigmoid"]
    assert [n.name for row in scene.neurons for n in row] == ["x1", "x2", "h1", "h2", "out1"]
    # positions are the document's
    pos = doc.positions()
    for k, row in enumerate(scene.neurons):
        for j, n in enumerate(row):
            assert (n.x(), n.y()) == pos[k][j]


def test_between_cycles_edges_show_weights_neurons_biases_inputs_the_next_sample(qtbot):
    doc = Document()
    scene = NetworkScene(doc)
    net = doc.network
    for k in (1, 2):
        W, b = net.layers[k - 1].W, net.layers[k - 1].b
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                assert edge_text(scene, k, i, j) == f"w = {fmt(W[i, j])}"
                pen = scene.edges[k][i][j].pen()
                assert pen.color() == palette.edge_color(W[i, j], palette.WEIGHT)
        for j in range(len(b)):
            assert neuron_text(scene, k, j) == f"b = {fmt(b[j])}"
    x = doc.dataset.X_train[doc.next_indices()[0]]
    assert [neuron_text(scene, 0, j) for j in range(2)] == [f"x = {fmt(v)}" for v in x]
    assert not scene.band.isVisible()


def test_a_full_pass_shows_the_cores_numbers_step_by_step(qtbot):
    doc = Document()
    scene = NetworkScene(doc)

    # forward layer 1: hidden neurons show z and a, the output shows nothing yet
    snap = doc.micro_step()
    assert snap.step.kind == "forward" and snap.step.layer == 1
    for j in range(2):
        assert neuron_text(scene, 1, j) == (f"z = {fmt(snap.z[0][0, j])}\n"
                                            f"a = {fmt(snap.a[1][0, j])}")
        assert neuron_text(scene, 0, j) == f"x = {fmt(snap.X[0, j])}"
    assert neuron_text(scene, 2, 0) == ""  # not computed yet: no numbers, never stale ones
    assert scene.band.isVisible()
    assert scene.band.sceneBoundingRect().contains(scene.neurons[1][0].pos())
    assert not scene.band.sceneBoundingRect().contains(scene.neurons[2][0].pos())

    # forward layer 2
    snap = doc.micro_step()
    assert neuron_text(scene, 2, 0) == f"z = {fmt(snap.z[1][0, 0])}\na = {fmt(snap.a[2][0, 0])}"

    # loss: the output also shows the target and its share of the loss
    snap = doc.micro_step()
    assert snap.step.kind == "loss"
    assert neuron_text(scene, 2, 0).splitlines()[2:] == [
        f"y = {fmt(snap.Y[0, 0])}", f"L share = {fmt(snap.loss_shares[0, 0])}"]
    assert f"Loss L = {fmt(snap.loss)}" in scene.legend.status

    # backward layer 2: output delta, gradients on the edges into it, weights elsewhere
    snap = doc.micro_step()
    assert snap.step.kind == "backward" and snap.step.layer == 2
    assert neuron_text(scene, 2, 0) == (f"\u03b4 = {fmt(snap.delta[1][0, 0])}\n"
                                        f"\u2202L/\u2202b = {fmt(snap.db[1][0])}")
    for i in range(2):
        g = snap.dW[1][i, 0]
        assert edge_text(scene, 2, i, 0) == f"\u2202L/\u2202w = {fmt(g)}"
        assert scene.edges[2][i][0].pen().color() == palette.edge_color(g, palette.GRADIENT)
        # the layer below still shows this pass's z and a, and its inputs' weights
        assert neuron_text(scene, 1, i).startswith("z = ")
    W1 = snap.weights_before[0][0]
    assert edge_text(scene, 1, 0, 1) == f"w = {fmt(W1[0, 1])}"
    assert palette.GRADIENT in scene.legend.showing and palette.WEIGHT in scene.legend.showing

    # backward layer 1
    snap = doc.micro_step()
    for i in range(2):
        for j in range(2):
            assert edge_text(scene, 1, i, j) == f"\u2202L/\u2202w = {fmt(snap.dW[0][i, j])}"
        assert neuron_text(scene, 1, i).startswith(f"\u03b4 = {fmt(snap.delta[0][0, i])}")
    assert scene.legend.showing == frozenset({palette.GRADIENT})

    # update: old -> new on every edge and bias
    snap = doc.micro_step()
    assert snap.step.kind == "update"
    for k in (1, 2):
        (W0, b0), (W1, b1) = snap.weights_before[k - 1], snap.weights_after[k - 1]
        for i in range(W0.shape[0]):
            for j in range(W0.shape[1]):
                assert edge_text(scene, k, i, j) == (f"w {fmt(W0[i, j])}\n"
                                                     f"{ARROW} {fmt(W1[i, j])}")
        for j in range(len(b0)):
            assert neuron_text(scene, k, j) == f"b {fmt(b0[j])} {ARROW} {fmt(b1[j])}"
    assert not scene.band.isVisible()

    # the next pass starts clean: layer 2 shows nothing until computed again
    doc.micro_step()
    assert neuron_text(scene, 2, 0) == ""
    assert edge_text(scene, 2, 0, 0).startswith("w = ")


def test_edge_widths_grow_with_magnitude_within_limits(qtbot):
    doc = Document()
    scene = NetworkScene(doc)
    widths = {}
    W = [l.W for l in doc.network.layers]
    for k in (1, 2):
        for i, row in enumerate(scene.edges[k]):
            for j, e in enumerate(row):
                widths[abs(W[k - 1][i, j])] = e.pen().widthF()
    ordered = [widths[m] for m in sorted(widths)]
    assert ordered == sorted(ordered)
    assert max(ordered) == pytest.approx(palette.MAX_WIDTH)
    assert min(ordered) >= palette.MIN_WIDTH


def test_mini_batch_shows_first_sample_and_says_so(qtbot):
    doc = Document()
    doc.set_training(batch_size=4)
    scene = NetworkScene(doc)
    snap = doc.micro_step()
    assert len(snap.sample_indices) == 4
    assert any("sample 1 of 4" in line for line in scene.legend.status)
    assert neuron_text(scene, 1, 0).startswith(f"z = {fmt(snap.z[0][0, 0])}")
    for _ in range(4):
        snap = doc.micro_step()
    assert edge_text(scene, 1, 1, 0) == f"\u2202L/\u2202w = {fmt(snap.dW[0][1, 0])}"
    assert "whole mini-batch" in scene.tooltip_text(EdgeRef(1, 1, 0))


def test_tooltips_tell_everything_known(qtbot):
    doc = Document()
    scene = NetworkScene(doc)
    for _ in range(4):
        snap = doc.micro_step()
    tip = scene.tooltip_text(NeuronRef(2, 0))
    for part in ("out1", f"bias b = {scene_module.fmt_full(doc.network.layers[1].b[0])}",
                 f"z = {scene_module.fmt_full(snap.z[1][0, 0])}",
                 f"= {scene_module.fmt_full(snap.a[2][0, 0])}",
                 f"\u03b4 = \u2202L/\u2202z = {scene_module.fmt_full(snap.delta[1][0, 0])}"):
        assert part in tip
    tip = scene.tooltip_text(EdgeRef(2, 1, 0))
    assert f"weight w = {scene_module.fmt_full(doc.network.layers[1].W[1, 0])}" in tip
    assert f"\u2202L/\u2202w = {scene_module.fmt_full(snap.dW[1][1, 0])}" in tip
    assert "not computed yet" not in scene.tooltip_text(NeuronRef(1, 0))


def test_hovering_an_edge_shows_its_tooltip(qtbot):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    edge = scene.edges[1][0][0]
    p = view_pos(view, clickable_point(scene, edge))
    vp = view.viewport()
    QApplication.sendEvent(vp, QHelpEvent(QHelpEvent.Type.ToolTip, p, vp.mapToGlobal(p)))
    qtbot.waitUntil(QToolTip.isVisible)
    from nnsim.qt.plain_text import tooltip
    assert QToolTip.text() == tooltip(scene.tooltip_text(EdgeRef(1, 0, 0)))  # shown as typed
    assert "w(x1 \u2192 h1)" in QToolTip.text()
    QToolTip.hideText()


def test_removed_connections_show_no_number_and_say_so(qtbot):
    doc = Document()
    doc.set_connection(2, 1, 0, False)
    scene = NetworkScene(doc)
    e = scene.edges[2][1][0]
    assert not e.present and e.label.text == "" and not e.label.isVisible()
    assert "removed connection" in scene.tooltip_text(EdgeRef(2, 1, 0))
    assert scene.edit_value(EdgeRef(2, 1, 0)) is False
    for _ in range(5):
        doc.micro_step()  # through backward layer 1: dW of a removed edge is not shown
    assert e.label.text == "" and e.pen().style() == Qt.PenStyle.DashLine


def test_structure_undo_rebuilds_and_keeps_a_valid_selection(qtbot):
    doc = Document()
    scene = NetworkScene(doc)
    scene.select(NeuronRef(2, 0))
    doc.set_activation(2, "tanh")
    assert scene.selection == NeuronRef(2, 0) and scene.neurons[2][0].selected
    doc.add_neuron(1)  # out1 is still out1: the selection stays (issue 14)
    assert len(scene.neurons[1]) == 3
    assert scene.selection == NeuronRef(2, 0) and scene.neurons[2][0].selected
    doc.undo_stack.undo()
    assert len(scene.neurons[1]) == 2 and len(scene.edges[1][0]) == 2
    assert scene.selection == NeuronRef(2, 0)
    scene.select(NeuronRef(1, 1))
    with qtbot.waitSignal(scene.selection_changed) as sig:
        doc.remove_neuron(1, 1)  # the selected neuron itself: cleared
    assert sig.args == [None] and scene.selection is None
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert scene.headers[2].text == "Output \u00b7 sigmoid"


def test_relabel_keeps_items(qtbot):
    doc = Document()
    scene = NetworkScene(doc)
    before = set(map(id, scene.items()))
    for _ in range(len(doc.plan)):
        doc.micro_step()
    doc.set_weight(1, 0, 0, 0.25)
    assert set(map(id, scene.items())) == before
    assert edge_text(scene, 1, 0, 0) == "w = 0.25"


# -- selection -------------------------------------------------------------------------------
def test_click_on_an_edge_selects_it_and_empty_space_clears(qtbot):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    edge = scene.edges[1][1][0]
    p = view_pos(view, clickable_point(scene, edge))
    with qtbot.waitSignal(scene.selection_changed) as sig:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p)
    assert sig.args == [EdgeRef(1, 1, 0)]
    assert scene.selection == EdgeRef(1, 1, 0)
    assert scene.halo.isVisible()

    # a click on the edge's label means the edge too
    other = scene.edges[2][0][0]
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view_pos(view, other.label.sceneBoundingRect().center()))
    assert scene.selection == EdgeRef(2, 0, 0)

    with qtbot.waitSignal(scene.selection_changed) as sig:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(5, 5))
    assert sig.args == [None]
    assert not scene.halo.isVisible()


def test_thin_edges_are_easy_to_hit(qtbot):
    doc = Document()
    doc.set_weight(1, 0, 0, 1e-6)  # x1 -> h1: the thinnest line
    scene = NetworkScene(doc)
    edge = scene.edges[1][0][0]
    assert edge.pen().widthF() == pytest.approx(palette.MIN_WIDTH, abs=0.01)
    p = edge.point_at(0.55)
    for dy in (-3.5, 3.5):
        assert scene.interactive_item_at(p + QPointF(0, dy)) is edge
    assert scene.interactive_item_at(p + QPointF(0, 12)) is not edge


def test_click_on_a_neuron_selects_it_and_select_works_from_outside(qtbot):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    n = scene.neurons[1][1]
    with qtbot.waitSignal(scene.selection_changed) as sig:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         view_pos(view, n.pos()))
    assert sig.args == [NeuronRef(1, 1)]
    assert n.selected
    with qtbot.waitSignal(scene.selection_changed) as sig:
        scene.select(EdgeRef(2, 1, 0))
    assert sig.args == [EdgeRef(2, 1, 0)] and not n.selected
    with qtbot.assertNotEmitted(scene.selection_changed):
        scene.select(EdgeRef(2, 1, 0))  # no echo


# -- editing -----------------------------------------------------------------------------------
def test_context_menu_removes_a_connection_and_undo_restores_it(qtbot):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    edge = scene.edges[1][0][1]
    right_click_menu(view, view_pos(view, clickable_point(scene, edge)), "Remove connection")
    layer = doc.network.layers[0]
    assert layer.mask is not None and not layer.mask[0, 1]
    edge = scene.edges[1][0][1]  # rebuilt on structure_changed
    assert not edge.present
    assert edge.pen().style() == Qt.PenStyle.DashLine
    assert not edge.label.isVisible() and edge.label.text == ""

    # the removed connection is still clickable, and its menu restores it
    right_click_menu(view, view_pos(view, clickable_point(scene, edge)), "Restore connection")
    assert doc.network.layers[0].mask is None
    doc.undo_stack.undo()
    assert not doc.network.layers[0].mask[0, 1]
    doc.undo_stack.undo()
    assert doc.network.layers[0].mask is None
    assert scene.edges[1][0][1].present


def test_neuron_menu_adds_neurons_and_layers_and_sets_activation(qtbot, warnings):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    right_click_menu(view, view_pos(view, scene.neurons[1][0].pos()), "Add neuron to this layer")
    assert doc.network.sizes == [2, 3, 1]
    assert len(scene.neurons[1]) == 3 and len(scene.edges[2]) == 3
    right_click_menu(view, view_pos(view, scene.neurons[2][0].pos()), "Add layer before")
    assert doc.network.sizes == [2, 3, 2, 1]
    assert [h.text.split(" ")[0] for h in scene.headers] == ["Input", "Hidden", "Hidden", "Output"]
    assert scene.neurons[2][0].name == "h2_1"

    menu = scene.context_menu(NeuronRef(1, 0))
    sub = next(a.menu() for a in menu.actions() if a.text() == "Activation")
    checked = [a.text() for a in sub.actions() if a.isChecked()]
    assert checked == ["sigmoid"]
    assert "softmax" not in [a.text() for a in sub.actions()]
    next(a for a in sub.actions() if a.text() == "tanh").trigger()
    assert doc.network.layers[0].activation == "tanh"
    assert scene.headers[1].text == "Hidden 1 \u00b7 tanh"
    assert warnings == []


def test_a_refused_edit_is_explained_not_raised(qtbot, warnings):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    right_click_menu(view, view_pos(view, scene.neurons[2][0].pos()), "Remove layer")
    assert len(warnings) == 1
    assert "output layer cannot be removed" in warnings[0]
    assert warnings[0][0].isupper() and "Traceback" not in warnings[0]
    assert doc.network.sizes == [2, 2, 1]
    assert doc.undo_stack.count() == 0


def test_dragging_a_neuron_pushes_one_command_on_release(qtbot):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    n = scene.neurons[1][0]
    start = view_pos(view, n.pos())
    end = start + QPoint(40, -60)
    commands = []
    doc.undo_stack.indexChanged.connect(lambda i: commands.append(i))
    drag(view, start, end)
    assert doc.undo_stack.count() == 1 and len(commands) == 1
    x, y = doc.project.layout[1][0]
    target = view.mapToScene(end)
    assert x == pytest.approx(target.x(), abs=2) and y == pytest.approx(target.y(), abs=2)
    assert (n.x(), n.y()) == (x, y)
    e = scene.edges[1][0][0]
    assert e.line().p2() == n.pos()  # edges followed
    doc.undo_stack.undo()
    assert (scene.neurons[1][0].x(), scene.neurons[1][0].y()) == doc.positions()[1][0] == (260.0, -55.0)


def test_a_plain_click_on_a_neuron_does_not_move_it(qtbot):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view_pos(view, scene.neurons[0][0].pos()))
    assert doc.undo_stack.count() == 0


def test_dragging_empty_space_pans_without_editing(qtbot):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    before = view.mapToScene(QPoint(700, 450))
    drag(view, QPoint(30, 880), QPoint(230, 780))
    after = view.mapToScene(QPoint(700, 450))
    assert (after - before).manhattanLength() > 50
    assert doc.undo_stack.count() == 0
    assert view.dragMode() == view.DragMode.NoDrag


def test_double_click_edits_a_weight_in_place(qtbot, warnings):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    edge = scene.edges[2][1][0]
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                      view_pos(view, clickable_point(scene, edge)))
    assert scene.editor is not None
    assert "w(h2 \u2192 out1)" in scene.editor.prompt.text()
    line = scene.editor.line
    line.clear()
    QTest.keyClicks(line, "0.75")
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert doc.network.layers[1].W[1, 0] == 0.75
    assert doc.undo_stack.count() == 1
    assert scene.editor is None
    assert edge_text(scene, 2, 1, 0) == "w = 0.75"


@pytest.mark.parametrize("typed", ["abc", "inf", "nan", ""])
def test_the_editor_refuses_what_is_not_a_finite_number(qtbot, typed):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    before = doc.network.layers[0].b.copy()
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                      view_pos(view, scene.neurons[1][1].pos()))
    assert scene.editor is not None and "bias of h2" in scene.editor.prompt.text()
    line = scene.editor.line
    line.clear()
    QTest.keyClicks(line, typed)
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert scene.editor is not None and not scene.editor.message.isHidden()
    assert "number" in scene.editor.message.text()
    assert np.array_equal(doc.network.layers[0].b, before)
    assert doc.undo_stack.count() == 0
    QTest.keyClick(line, Qt.Key.Key_Escape)
    assert scene.editor is None


def test_edit_bias_from_the_menu_accepts_a_decimal_comma(qtbot):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    right_click_menu(view, view_pos(view, scene.neurons[2][0].pos()), "Edit bias\u2026")
    line = scene.editor.line
    line.clear()
    QTest.keyClicks(line, "-0,5")
    QTest.keyClick(line, Qt.Key.Key_Enter)
    assert doc.network.layers[1].b[0] == -0.5
    assert neuron_text(scene, 2, 0) == "b = -0.5"


# -- view ---------------------------------------------------------------------------------------
def test_wheel_zooms_around_the_cursor(qtbot):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    z0 = view.zoom
    pos = view_pos(view, scene.neurons[1][0].pos())
    ev = QWheelEvent(QPointF(pos), QPointF(view.viewport().mapToGlobal(pos)), QPoint(0, 0),
                     QPoint(0, 240), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                     Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), ev)
    assert view.zoom > z0 * 1.2
    # the neuron under the cursor stayed under it
    assert (view_pos(view, scene.neurons[1][0].pos()) - pos).manhattanLength() <= 2
    view.fit_to_window()
    assert view.zoom == pytest.approx(z0, rel=0.05)
    assert view.mapToScene(view.viewport().rect()).boundingRect().contains(scene.content_rect())


def test_zoomed_far_out_numbers_are_hidden_and_zooming_in_brings_them_back(qtbot):
    doc = deep_document()
    scene, view = make_view(qtbot, doc)
    view.set_zoom(0.2)
    qtbot.waitUntil(lambda: not any(e.label.isVisible() for e in scene.edges[2][0]))
    assert any("zoom in" in s.lower() for s in scene.legend.status)
    view.set_zoom(1.0)
    qtbot.waitUntil(lambda: any(e.label.isVisible() for e in scene.edges[2][0]))


def test_deep_network_labels_never_overlap_at_default_zoom(qtbot):
    doc = deep_document((8, 8, 8, 1))
    scene, view = make_view(qtbot, doc)
    n_labels = sum(1 for g in scene.edges[1:] for r in g for e in r)
    for step in [None] + doc.plan:
        if step is not None:
            doc.micro_step()
        QApplication.processEvents()
        labels = visible_labels(scene)
        assert overlapping_pairs(labels) == [], f"overlap after {step}"
        shown = sum(1 for g in scene.edges[1:] for r in g for e in r if e.label.isVisible())
        # (labels are 11 px on screen at any zoom, no longer shrunk with the fit)
        if step is None or step.kind != "update":
            assert shown >= 0.85 * n_labels, f"only {shown}/{n_labels} labels after {step}"
        # every edge label sits on its own edge
        for g in scene.edges[1:]:
            for r in g:
                for e in r:
                    if e.label.isVisible():
                        c = e.label.pos()
                        assert (c - e.point_at(e.label_t)).manhattanLength() < 1e-6


def test_lecture_network_shows_every_label(qtbot):
    doc = Document()
    scene, view = make_view(qtbot, doc)
    for _ in range(len(doc.plan)):
        doc.micro_step()
        assert scene.hidden_labels == 0
        assert overlapping_pairs(visible_labels(scene)) == []


def test_an_odd_output_from_the_menu_is_kept_and_the_legend_warns(qtbot):
    doc = Document()  # the lecture's sigmoid output with mse: nothing to warn about
    scene, view = make_view(qtbot, doc)
    assert not any("\u26a0" in line for line in scene.legend.status)
    menu = scene.context_menu(NeuronRef(2, 0))
    sub = next(a.menu() for a in menu.actions() if a.text() == "Activation")
    next(a for a in sub.actions() if a.text() == "softmax").trigger()
    assert doc.network.layers[-1].activation == "softmax" and doc.network.loss == "mse"
    assert "\u26a0 1 warning: select an output" in scene.legend.status
    doc.undo_stack.undo()
    assert not any("\u26a0" in line for line in scene.legend.status)
