"""The loss landscape dock, used as a user uses it: select a connection on the
canvas, step with the step bar, choose in the dock's boxes; every number is
checked against the network's own loss and gradients."""
import warnings

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnsim.core import landscape
from nnsim.core.landscape import Param
from nnsim.document import Document
from nnsim.examples import example_path
from nnsim.qt.selection import EdgeRef, NeuronRef

from window_helpers import open_window as open_helper_window


def open_window(qtbot, tmp_path, example=None):
    doc = Document.from_example(example_path(example)) if example else None
    w = open_helper_window(qtbot, tmp_path / "prefs.ini", document=doc)
    # tabbed behind the decision map once the window has shown
    qtbot.waitUntil(lambda: w.landscape_dock in w.tabifiedDockWidgets(w.map_dock))
    w.landscape_dock.raise_()  # the user clicks the "Loss landscape" tab
    qtbot.waitUntil(w.landscape.on_screen)
    return w


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path)


def click_on(window, ref):
    """Click a neuron, or a connection near its target (crossing connections
    meet in the middle)."""
    target = window.scene.item_for(ref).sceneBoundingRect().center()
    if isinstance(ref, EdgeRef):
        a = window.scene.item_for(NeuronRef(ref.layer - 1, ref.source)).sceneBoundingRect()
        b = window.scene.item_for(NeuronRef(ref.layer, ref.target)).sceneBoundingRect()
        target = a.center() + (b.center() - a.center()) * 0.72
    pos = window.view.mapFromScene(target)
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, pos)


def choose(box, index):
    """Pick an entry of a combo box, as a click in its list does."""
    box.setCurrentIndex(index)
    box.activated.emit(index)


def shown(window):
    window.landscape.refresh_now()  # what the next frame draws
    return window.landscape


def with_value(net, param, value):
    net = net.copy()
    layer = net.layers[param.layer - 1]
    if param.is_bias:
        layer.b[param.target] = value
    else:
        layer.W[param.source, param.target] = value
    return net


def test_after_backward_the_tangent_has_the_edge_labels_slope(window):
    doc = window.document
    click_on(window, EdgeRef(1, 1, 0))
    assert window.landscape.param == Param(1, 0, 1)
    L = len(doc.network.layers)
    for _ in range(L + 1):  # forward and the loss
        window.act_next.trigger()
    before_backward = shown(window).tangent_slope  # computed on the pass's rows
    for _ in range(L):  # backward down to layer 1
        window.act_next.trigger()
    snap = doc.snapshot
    assert snap.step.kind == "backward" and snap.step.layer == 1
    view = shown(window)
    g = snap.dW[0][1, 0]
    assert before_backward == pytest.approx(g, rel=1e-12)
    assert view.param == Param(1, 0, 1)
    assert view.tangent_slope == pytest.approx(g, rel=1e-12)
    w = doc.network.layers[0].W[1, 0]
    eta = doc.project.training.learning_rate
    end_w, end_loss = view.arrow_end
    assert end_w == pytest.approx(w - eta * g, rel=1e-12)
    moved = with_value(doc.network, view.param, w - eta * g)
    assert end_loss == pytest.approx(moved.loss_value(snap.X, snap.Y), rel=1e-12)
    # the curve is the loss on this pass's rows, value by value
    for v, loss in list(zip(view.values, view.losses))[::37]:
        assert loss == pytest.approx(with_value(doc.network, view.param, v)
                                     .loss_value(snap.X, snap.Y), rel=1e-12)
    assert view.plot.getAxis("bottom").labelText == "w(x2 \u2192 h1)"
    assert f"{g:.4g}" in view.readout.text()


def test_an_update_moves_the_point_to_the_arrows_end(window):
    doc = window.document
    click_on(window, EdgeRef(2, 0, 1))
    assert window.landscape.param == Param(2, 1, 0)
    while doc.next_step.kind != "update":
        window.act_next.trigger()
    view = shown(window)
    before, arrow = view.point, view.arrow_end
    window.act_update.trigger()
    view = shown(window)
    assert view.point[0] == pytest.approx(arrow[0], rel=1e-12) != before[0]
    assert view.point[0] == doc.network.layers[1].W[0, 1]
    snap = doc.snapshot  # the same rows: the point walks along the same curve
    assert view.point[1] == pytest.approx(doc.network.loss_value(snap.X, snap.Y), rel=1e-12)


def test_the_switch_shows_the_whole_training_set(window):
    doc = window.document
    click_on(window, NeuronRef(2, 0))  # a neuron: its bias
    view = shown(window)
    assert view.param == Param(2, 0)
    batch_curve = view.losses.copy()
    choose(view.rows_box, 1)
    view = shown(window)
    assert view.rows_mode == "all"
    X, Y = doc.dataset.X_train, doc.dataset.Y_train
    assert not np.allclose(view.losses, batch_curve)
    for v, loss in list(zip(view.values, view.losses))[::41]:
        assert loss == pytest.approx(with_value(doc.network, view.param, v)
                                     .loss_value(X, Y), rel=1e-12)
    grads = doc.network.gradients(X, Y)
    assert view.tangent_slope == pytest.approx(grads.dbs[1][0], rel=1e-12)
    assert "training set" in view.readout.text()


def test_a_second_parameter_gives_the_core_grid_and_the_path(window):
    doc = window.document
    click_on(window, EdgeRef(1, 0, 0))
    for _ in range(3):
        window.act_step_sample.trigger()
    view = shown(window)
    names = [view.against_box.itemText(i) for i in range(view.against_box.count())]
    assert names[0] == "against: none"
    index = names.index("against w(h1 \u2192 out1)")
    choose(view.against_box, index)
    view = shown(window)
    p, q = Param(1, 0, 0), Param(2, 0, 0)
    assert view.against == q and view.grid.shape == (len(view.values), len(view.q_values))
    X, Y = doc.gradient_check_values()
    np.testing.assert_allclose(view.grid, landscape.loss_grid(
        doc.network, p, view.values, q, view.q_values, X, Y), rtol=1e-12)
    corner = with_value(with_value(doc.network, p, view.values[-1]), q, view.q_values[0])
    assert view.grid[-1, 0] == pytest.approx(corner.loss_value(X, Y), rel=1e-12)
    assert view.plot.getAxis("left").labelText == "w(h1 \u2192 out1)"
    assert view.point == (doc.network.layers[0].W[0, 0], doc.network.layers[1].W[0, 0])
    # the path: the states after each update, ending at the current point
    xs, ys = view.path.getData()
    assert len(xs) == 4 and (xs[-1], ys[-1]) == view.point
    window.act_step_back.trigger()
    xs, ys = shown(window).path.getData()
    assert len(xs) == 3 and (xs[-1], ys[-1]) == view.point


def test_one_weight_example_is_the_lectures_first_slide(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, "gradient-descent-one-weight")
    doc = window.document
    view = shown(window)  # nothing selected: the one weight
    assert view.param == Param(1, 0, 0)
    choose(view.rows_box, 1)
    view = shown(window)
    step = view.values[1] - view.values[0]
    assert abs(view.values[np.argmin(view.losses)] - 2.0) <= step
    w0, loss0 = view.point
    for _ in range(6):  # one epoch of single-sample updates: w walks towards 2
        window.act_step_sample.trigger()
    w1, loss1 = shown(window).point
    assert w0 < w1 < 2.0 and loss1 < loss0
    xs, ys = view.path.getData()  # the walk: each update's w, downhill all the way
    assert len(xs) == 7 and xs[0] == w0 and xs[-1] == w1
    assert np.all(np.diff(xs) > 0) and np.all(np.diff(ys) < 0)
    assert loss1 == pytest.approx(doc.network.loss_value(doc.dataset.X_train,
                                                         doc.dataset.Y_train), rel=1e-12)


def test_draws_only_while_shown_and_once_per_frame(window, qtbot):
    view = window.landscape
    view.refresh_now()
    count = view.render_count
    for _ in range(5):  # five steps before the next frame: one redraw
        window.act_next.trigger()
    qtbot.waitUntil(lambda: view.render_count > count)
    assert view.render_count == count + 1
    window.map_dock.raise_()  # the decision map's tab in front: nothing to draw
    QApplication.processEvents()
    assert not view.on_screen()
    count = view.render_count
    with qtbot.waitSignal(view._timer.timeout):  # the next frame comes...
        for _ in range(5):
            window.act_next.trigger()
    assert view.render_count == count  # ...and draws nothing
    window.landscape_dock.raise_()  # shown again: brought up to date
    qtbot.waitUntil(lambda: view.render_count == count + 1)


def test_edits_and_other_documents_never_break_it(window):
    doc = window.document
    click_on(window, NeuronRef(1, 1))
    assert shown(window).param == Param(1, 1)
    window.act_remove_selected.trigger()  # that neuron goes: back to the first weight
    assert doc.network.sizes == [2, 1, 2]
    assert shown(window).param == Param(1, 0, 0)
    click_on(window, EdgeRef(1, 1, 0))
    window.act_remove_selected.trigger()  # a removed connection: a flat curve
    view = shown(window)
    assert np.ptp(view.losses) == pytest.approx(0, abs=1e-15)
    assert "removed" in view.readout.text()
    window.act_new.trigger()
    assert shown(window).param == Param(1, 0, 0) and window.errors == []


def test_a_diverged_network_draws_without_a_word_on_stderr(window, capfd):
    doc = window.document
    capfd.readouterr()
    for layer in doc.network.layers:  # what a far too large learning rate leaves
        layer.W[0, 0] = np.nan
        layer.b[:] = np.inf
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for against in (None, Param(2, 1)):
            window.landscape.set_against(against)
            view = shown(window)
            assert view.against == against and not np.all(np.isfinite(view.point))
            for _ in range(3):
                window.act_next.trigger()
            shown(window)
    assert [str(w.message) for w in caught] == []
    out, err = capfd.readouterr()
    assert err.replace("This plugin does not support propagateSizeHints()\n", "") == ""


def test_the_decision_map_behind_the_landscape_tab_waits(window, qtbot):
    """Tabbed together, only the one in front computes."""
    dmap = window.decision_map
    count = dmap.render_count
    with qtbot.waitSignal(dmap._timer.timeout):  # the map's next frame comes...
        window.document.step_epochs(1)
    assert dmap.render_count == count  # ...and computes nothing behind the tab
    window.map_dock.raise_()  # its tab in front: brought up to date
    qtbot.waitUntil(lambda: dmap.render_count == count + 1)
    # the map of the trained network, not the one before
    out = window.document.network.predict(dmap.grid_points())
    np.testing.assert_allclose(dmap.values, out.reshape(dmap.values.shape), rtol=1e-12)
