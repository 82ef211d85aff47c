"""The computational graph dock, used as a user uses it: steps from the
step bar's actions, clicks on the graph's boxes, selections on the canvas."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


from nnsim.core.naming import fmt
from nnsim.examples import example_path
from nnsim.examples import Example
from nnsim.qt.selection import EdgeRef, NeuronRef

from window_helpers import open_window


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.ini", (1280, 720))
    assert w.open_example(Example(example_path("lecture-xor"), "lecture", ""))
    assert w.document.network.sizes == [2, 2, 2]
    w.graph_dock.show()
    w.graph_dock.raise_()
    qtbot.waitUntil(lambda: w.graph_view.on_screen())
    return w


def graph(window):
    window.graph_view.refresh_now()  # what the ~30 Hz timer does
    return window.graph_view


def box(view, label):
    return next(b for b in view.boxes.values() if b.node.label == label)


def click_box(view, label):
    b = box(view, label)
    view.canvas.ensureVisible(b)
    pos = view.canvas.mapFromScene(b.sceneBoundingRect().center())
    QTest.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, pos)


def choose_scope(view, text):
    combo = view.scope_box
    index = combo.findText(text)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_the_dock_is_tabbed_with_the_decision_map_and_in_the_view_menu(window):
    assert window.graph_dock in window.tabifiedDockWidgets(window.map_dock)
    assert window.graph_dock.toggleViewAction() in window.view_menu.actions()
    assert window.graph_dock.windowTitle() == "Computational graph"


def test_layer_2_fills_in_with_its_forward_step_and_gradients_with_backward(window):
    view = graph(window)
    choose_scope(view, "Whole network and loss")
    view = graph(window)
    assert view.graph.scope == "network"
    assert box(view, "z(out1)").texts()[0] == "z(out1) = –"
    window.act_forward.trigger()  # forward layer 1
    view = graph(window)
    assert box(view, "z(h1)").texts()[0] == f"z(h1) = {fmt(window.document.snapshot.z[0][0, 0])}"
    for label in ("h1·w", "z(out1)", "a(out1)", "z(out2)", "a(out2)", "L"):
        assert box(view, label).texts()[0].endswith("= –"), label
    window.act_forward.trigger()  # forward layer 2
    view = graph(window)
    snap = window.document.snapshot
    assert box(view, "a(out1)").texts()[0] == f"a(out1) = {fmt(snap.a[2][0, 0])}"
    assert box(view, "L").texts()[0] == "L = –"
    window.act_forward.trigger()  # the loss
    assert box(graph(window), "L").texts()[0] == f"L = {fmt(window.document.snapshot.loss)}"
    assert box(view, "w(h1 → out1)").texts()[1] == "grad –"
    window.act_backward.trigger()  # backward layer 2
    window.act_backward.trigger()  # backward layer 1
    view = graph(window)
    dW = window.document.snapshot.dW
    canvas_label = window.scene.item_for(EdgeRef(2, 0, 0)).label.texts
    assert box(view, "w(h1 → out1)").texts()[1] == f"grad {fmt(dW[1][0, 0])}"
    assert any(fmt(dW[1][0, 0]) in t for t in canvas_label)  # as the canvas shows it
    assert box(view, "w(x1 → h2)").texts()[1] == f"grad {fmt(dW[0][0, 1])}"


def test_clicking_a_box_selects_its_edge_or_neuron_on_the_canvas(window):
    view = graph(window)
    choose_scope(view, "Whole network and loss")
    view = graph(window)
    click_box(view, "w(h1 → out1)")
    assert window.scene.selection == EdgeRef(2, 0, 0)
    assert window.selection == EdgeRef(2, 0, 0)
    click_box(graph(window), "z(h2)")
    assert window.scene.selection == NeuronRef(1, 1)
    click_box(graph(window), "b(out2)")
    assert window.scene.selection == NeuronRef(2, 1)


def test_a_canvas_selection_highlights_its_nodes(window, qtbot):
    view = graph(window)
    choose_scope(view, "Whole network and loss")
    item = window.scene.item_for(EdgeRef(2, 1, 0))
    pos = window.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, pos)
    assert window.selection == EdgeRef(2, 1, 0)
    assert sorted(graph(window).highlighted_labels()) == ["h2·w", "w(h2 → out1)"]
    window.scene.select(NeuronRef(1, 0))
    assert sorted(graph(window).highlighted_labels()) == ["a(h1)", "b(h1)", "z(h1)"]


def test_neuron_scope_shows_the_selected_neuron_and_walks_back_by_clicks(window):
    view = graph(window)
    assert view.graph.scope == "neuron"  # nothing selected: the first output
    assert {b.node.label for b in view.boxes.values()} == {
        "a(h1)", "a(h2)", "w(h1 → out1)", "w(h2 → out1)", "h1·w", "h2·w", "b(out1)",
        "z(out1)", "a(out1)"}
    window.scene.select(EdgeRef(2, 1, 1))  # an edge: its target's graph, the edge lit
    view = graph(window)
    assert "Neuron out2" in view.note.text()
    assert sorted(view.highlighted_labels()) == ["h2·w", "w(h2 → out2)"]
    click_box(view, "a(h2)")  # an input of out2: go back to h2
    assert window.scene.selection == NeuronRef(1, 1)
    view = graph(window)
    assert {"x1", "x2", "w(x1 → h2)", "z(h2)", "a(h2)"} <= {b.node.label for b in view.boxes.values()}
    window.scene.select(NeuronRef(0, 0))
    view = graph(window)
    assert not view.boxes and "input" in view.note.text()


def test_text_is_at_least_11_px_on_screen(window):
    view = graph(window)
    for scope in ("Selected neuron", "Whole network and loss"):
        choose_scope(view, scope)
        view = graph(window)
        assert view.canvas.zoom * 12 >= 11  # FONT_PX 12 in scene units


def test_whole_network_is_not_offered_above_30_parameters(window):
    doc = window.document
    for n in range(4):  # 2-6-2: 18 + 14 = 32 parameters
        window.scene.select(NeuronRef(1, n))
        window.act_add_neuron.trigger()
    assert doc.network.n_parameters > 30
    view = graph(window)
    texts = [view.scope_box.itemText(i) for i in range(view.scope_box.count())]
    assert texts == ["Selected neuron"]


def test_follows_a_mini_batch_sample_by_sample(window):
    window.document.set_training(batch_size=2)
    for _ in range(5):
        window.act_next.trigger()
    view = graph(window)
    assert view.sample_box.isVisibleTo(view)
    snap = window.document.snapshot
    view.sample_box.setValue(2)  # the second sample, as the box counts
    view = graph(window)
    assert box(view, "z(out1)").texts()[0] == f"z(out1) = {fmt(snap.z[1][1, 0])}"
    # a weight is shared by the batch: its leaf shows the batch's dL/dw
    assert box(view, "w(h1 → out1)").texts()[1] == f"batch grad {fmt(snap.dW[1][0, 0])}"
    assert box(view, "h1·w").texts()[1] == f"grad {fmt(snap.delta[1][1, 0])}"


def test_redraws_only_while_visible(window, qtbot):
    view = graph(window)
    window.map_dock.raise_()
    qtbot.waitUntil(lambda: not view.on_screen())
    before = view.redraw_count
    for _ in range(3):
        window.act_next.trigger()
    qtbot.waitUntil(lambda: not view.redraw_timer.isActive())  # its redraw came due
    assert view.redraw_count == before
    window.graph_dock.raise_()
    qtbot.waitUntil(lambda: view.redraw_count > before)
    assert box(view, "z(out1)").texts()[0] == \
        f"z(out1) = {fmt(window.document.snapshot.z[1][0, 0])}"


def test_local_derivatives_on_the_arrows_after_the_backward_pass(window):
    for _ in range(3):  # forward, forward, loss
        window.act_next.trigger()
    window.scene.select(EdgeRef(2, 0, 0))
    view = graph(window)
    assert view.local_texts("h1·w") == {"a(h1)": None, "w(h1 → out1)": None}  # not yet
    assert not any(label.isVisible() for label in view.local_labels.values())
    window.act_backward.trigger()  # backward layer 2 reaches out1's nodes
    view = graph(window)
    snap = window.document.snapshot
    a_h1, w = snap.a[1][0, 0], snap.weights_before[1][0][0, 0]
    # ∂(a·w)/∂a = w on the arrow from a(h1), ∂(a·w)/∂w = a on the arrow from w
    assert view.local_texts("h1·w") == {"a(h1)": f"×{fmt(w)}", "w(h1 → out1)": f"×{fmt(a_h1)}"}
    assert view.local_texts("z(out1)") == {"h1·w": "×1", "h2·w": "×1", "b(out1)": "×1"}
    a_out = snap.a[2][0, 0]
    assert view.local_texts("a(out1)") == {"z(out1)": f"×a(1−a) = {fmt(a_out * (1 - a_out))}"}
    # the chain rule off the picture: local × grad(node) is the input's grad as shown
    node_grad = float(box(view, "h1·w").texts()[1].split()[-1])
    local = float(view.local_texts("h1·w")["w(h1 → out1)"][1:])
    shown = float(box(view, "w(h1 → out1)").texts()[1].split()[-1])
    assert local * node_grad == pytest.approx(shown, rel=2e-3)
    assert shown == pytest.approx(snap.dW[1][0, 0], rel=1e-3)
    # readable and apart: labels at the text floor, none over another or over a box
    assert sum(lb.isVisible() for lb in view.local_labels.values()) == 2 + 2 + 3 + 1
    assert view.canvas.zoom * 12 >= 11
    _no_overlaps(view)


def _no_overlaps(view):
    """No label over another label, a box or an operation's circle."""
    items = [lb for lb in view.local_labels.values() if lb.isVisible()] + \
        list(view.boxes.values()) + list(view.circles.values())
    rects = [(it, it.sceneBoundingRect().adjusted(3, 3, -3, -3)) for it in items]
    for n, (a, r) in enumerate(rects):
        for b, other in rects[n + 1:]:
            assert not r.intersects(other), (getattr(a, "_text", a.node.label),
                                             getattr(b, "_text", b.node.label))


def _fits(view):
    """The whole graph inside the viewport (nothing to scroll to)."""
    shown = view.canvas.mapFromScene(view.scene.itemsBoundingRect()).boundingRect()
    return view.canvas.viewport().rect().contains(shown)


def test_enlarge_floats_the_graph_big_enough_to_fit_one_neuron_readably(window, qtbot):
    for _ in range(4):  # through backward layer 2: values, grads, local derivatives
        window.act_next.trigger()
    window.scene.select(EdgeRef(2, 0, 0))
    view = graph(window)
    assert view.enlarge_button.isVisibleTo(view) and view.enlarge_button.text() == "Enlarge"
    assert view.canvas.viewport().height() < 200  # the bottom strip at 1280x720
    # there the boxes go on one line each, so every row shows (it pans sideways)
    shown = view.canvas.mapFromScene(view.scene.itemsBoundingRect()).boundingRect()
    assert shown.height() <= view.canvas.viewport().height()
    assert not _fits(view)
    line = 12 * view.canvas.zoom  # one line of text on screen, >= 11 px
    assert line >= 11
    for b in view.boxes.values():
        assert b.sceneBoundingRect().height() * view.canvas.zoom < 2 * line, b.node.label
    assert box(view, "w(h1 → out1)").texts()[1] == \
        f"grad {fmt(window.document.snapshot.dW[1][0, 0])}"
    _no_overlaps(view)
    drawn = view.redraw_count
    QTest.mouseClick(view.enlarge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.graph_dock.isFloating()
                    and view.canvas.viewport().height() >= 500)
    qtbot.waitUntil(lambda: view.redraw_count > drawn and not view.redraw_timer.isActive())
    # redrawn by itself in the usual layout, two lines a box
    assert view.enlarge_button.text() == "Dock"
    assert _fits(view)
    assert view.canvas.zoom * 12 >= 11  # FONT_PX 12: the text stays readable
    assert box(view, "a(out1)").sceneBoundingRect().height() * view.canvas.zoom > 2 * 11
    _no_overlaps(view)
    w = window.document.snapshot.weights_before[1][0][0, 0]
    assert view.local_texts("h1·w")["a(h1)"] == f"×{fmt(w)}"
    QTest.mouseClick(view.enlarge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.graph_dock.isFloating())
    assert view.enlarge_button.text() == "Enlarge"
    qtbot.waitUntil(lambda: box(view, "a(out1)").sceneBoundingRect().height() * view.canvas.zoom
                    < 2 * 11)  # back in the strip: one line a box again
    assert window.graph_dock in window.tabifiedDockWidgets(window.map_dock)
