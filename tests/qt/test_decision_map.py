"""The decision map: grid evaluation (pure helpers) and the live widget."""
from pathlib import Path

import numpy as np
import pytest

from nnsim.core.network import Network
from nnsim.core.project import ImportedData
from nnsim.document import Document
from nnsim.qt.decision_map import (NAN_GREY, DecisionMapWidget, data_bounds, grid_activations,
                                   grid_points, grid_values, multiclass_image)
from nnsim.qt.selection import EdgeRef, NeuronRef

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
BOUNDS = (-1.0, 2.0, -0.5, 0.5)


@pytest.fixture
def net():
    return Network.build(2, [3, 1], ["tanh", "sigmoid"], loss="bce",
                         rng=np.random.default_rng(1))


# -- pure helpers ---------------------------------------------------------------------
def test_grid_points_are_cell_centres_row_by_row():
    xs, ys, P = grid_points(BOUNDS, (3, 2))
    assert np.allclose(xs, [-0.5, 0.5, 1.5]) and np.allclose(ys, [-0.25, 0.25])
    assert P.shape == (6, 2)
    assert np.allclose(P[:3], [[-0.5, -0.25], [0.5, -0.25], [1.5, -0.25]])
    assert np.allclose(P[3], [-0.5, 0.25])


def test_grid_values_equal_predict_on_the_grid(net):
    V = grid_values(net, BOUNDS, (40, 30))
    assert V.shape == (30, 40)
    xs, ys, P = grid_points(BOUNDS, (40, 30))
    assert np.allclose(V.reshape(-1), net.predict(P)[:, 0])
    i, j = 7, 33
    assert V[i, j] == pytest.approx(net.predict(np.array([[xs[j], ys[i]]]))[0, 0])


def test_grid_values_of_a_hidden_neuron(net):
    V = grid_values(net, BOUNDS, 20, layer=1, neuron=2)
    _, _, P = grid_points(BOUNDS, 20)
    _, acts = net.forward(P)
    assert np.allclose(V.reshape(-1), acts[1][:, 2])
    assert np.allclose(grid_values(net, BOUNDS, 20, layer=0, neuron=1).reshape(-1), P[:, 1])
    assert grid_activations(net, BOUNDS, 20, layer=1).shape == (20, 20, 3)


def test_grid_values_refuse_what_they_cannot_show(net):
    with pytest.raises(ValueError, match="say which one"):
        grid_values(net, BOUNDS, 10, layer=1)
    with pytest.raises(ValueError, match="neuron"):
        grid_values(net, BOUNDS, 10, layer=1, neuron=3)
    with pytest.raises(ValueError, match="layer"):
        grid_values(net, BOUNDS, 10, layer=3)
    four = Network.build(4, [1], ["sigmoid"], loss="bce", rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="two inputs"):
        grid_values(four, BOUNDS, 10)


def test_data_bounds_have_a_margin():
    assert data_bounds(np.array([[0.0, -1.0], [2.0, 1.0]])) == pytest.approx(
        (-0.2, 2.2, -1.2, 1.2))
    x0, x1, y0, y1 = data_bounds(np.array([[3.0, 3.0]]))  # a single point
    assert x0 < 3 < x1 and y0 < 3 < y1


def test_multiclass_image_colours_by_class_and_confidence():
    P = np.array([[[0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3], [0.1, 0.1, 0.8]]])
    img = multiclass_image(P)
    assert img.shape == (1, 3, 3) and img.dtype == np.uint8
    assert tuple(img[0, 1]) == (247, 247, 247)  # a uniform guess is white
    assert not np.array_equal(img[0, 0], img[0, 2])
    P[0, 1] = np.nan  # a diverged network
    assert tuple(multiclass_image(P)[0, 1]) == NAN_GREY


# -- the widget ------------------------------------------------------------------------
def make_map(qtbot, doc) -> DecisionMapWidget:
    w = DecisionMapWidget(doc)
    qtbot.addWidget(w)
    w.resize(600, 450)
    w.show()
    w.refresh_now()
    return w


@pytest.fixture
def spiral(qtbot):
    return Document.open(EXAMPLES / "spiral-deep.nnsim")


def test_the_map_shows_the_network_output(qtbot, spiral):
    w = make_map(qtbot, spiral)
    assert w.values.shape == (100, 100)
    P = w.grid_points()
    rng = np.random.default_rng(0)
    for idx in rng.integers(0, len(P), 10):
        expected = spiral.network.predict(P[idx:idx + 1])[0, 0]
        assert w.values.reshape(-1)[idx] == pytest.approx(expected, rel=1e-12)
    assert w.image_item.image.shape == (100, 100)
    x0, x1, y0, y1 = w.bounds
    X = np.vstack([spiral.dataset.X_train, spiral.dataset.X_test])
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1 and y0 < X[:, 1].min()
    assert w.plot.getAxis("bottom").labelText == "x1"
    assert w.plot.getAxis("left").labelText == "x2"
    assert "network output" in w.shown_title
    assert len(w.train_points.data) == len(spiral.dataset.X_train)
    assert len(w.test_points.data) == len(spiral.dataset.X_test)
    assert w.message_text == ""


def test_the_map_changes_after_training(qtbot, spiral):
    w = make_map(qtbot, spiral)
    before = w.image_item.image.copy()
    count = w.render_count
    spiral.step_epochs(5)
    qtbot.waitUntil(lambda: w.render_count > count)
    assert not np.array_equal(before, w.image_item.image)
    P = w.grid_points()[::997]
    assert np.allclose(w.values.reshape(-1)[::997], spiral.network.predict(P)[:, 0])


def test_show_neuron_shows_its_activation(qtbot, spiral):
    w = make_map(qtbot, spiral)
    w.show_neuron(NeuronRef(2, 3))
    w.refresh_now()
    _, acts = spiral.network.forward(w.grid_points())
    assert np.allclose(w.values.reshape(-1), acts[2][:, 3])
    assert w.shown_title.startswith("output of h2_4 ")
    assert w.shown_neuron == NeuronRef(2, 3)
    w.show_neuron(EdgeRef(1, 0, 0))
    w.refresh_now()
    assert w.shown_neuron is None and "network output" in w.shown_title
    assert np.allclose(w.values.reshape(-1), spiral.network.predict(w.grid_points())[:, 0])
    w.show_neuron(NeuronRef(1, 0))
    w.show_neuron(None)
    w.refresh_now()
    assert w.shown_neuron is None


def test_one_hidden_layer_names_its_neuron_h1(qtbot):
    doc = Document()  # the lecture's 2-2-1 network
    w = make_map(qtbot, doc)
    w.show_neuron(NeuronRef(1, 0))
    w.refresh_now()
    assert w.shown_title == "output of h1 (sigmoid) over the input plane"


def test_a_removed_neuron_goes_back_to_the_output(qtbot, spiral):
    w = make_map(qtbot, spiral)
    w.show_neuron(NeuronRef(3, 11))
    spiral.remove_neuron(3, 11)
    w.refresh_now()
    assert w.shown_neuron is None


def test_multiclass_map_is_rgb(qtbot):
    doc = Document.open(EXAMPLES / "softmax-three-class.nnsim")
    w = make_map(qtbot, doc)
    assert w.values.shape == (100, 100, 3)
    assert w.image_item.image.shape == (100, 100, 3)
    assert not w.color_bar.isVisible()
    w.show_neuron(NeuronRef(len(doc.network.sizes) - 1, 2))
    w.refresh_now()
    assert "P(class 2)" in w.shown_title and w.values.shape == (100, 100)


def test_regression_map(qtbot):
    doc = Document.open(EXAMPLES / "hills-regression.nnsim")
    w = make_map(qtbot, doc)
    assert w.values.shape == (100, 100)
    lo, hi = w.color_bar.levels()
    Y = np.vstack([doc.dataset.Y_train, doc.dataset.Y_test])
    assert lo == pytest.approx(Y.min()) and hi == pytest.approx(Y.max())
    # the range is worked out once per data set (not every frame), and follows
    # an edit of the points, and its undo
    ds = doc.dataset
    doc.set_points(ds.X_train, 3 * ds.Y_train + 5, ds.X_test, ds.Y_test, "scale targets")
    w.refresh_now()
    assert w.color_bar.levels() == pytest.approx((min(3 * ds.Y_train.min() + 5, ds.Y_test.min()),
                                                 max(3 * ds.Y_train.max() + 5, ds.Y_test.max())))
    doc.undo_stack.undo()
    w.refresh_now()
    assert w.color_bar.levels() == pytest.approx((Y.min(), Y.max()))


def test_data_without_two_inputs_shows_a_message(qtbot, spiral):
    w = make_map(qtbot, spiral)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4))
    Y = (X[:, :1] > 0).astype(float)
    spiral.set_data(ImportedData(X[:16], Y[:16], X[16:], Y[16:], ["a", "b", "c", "d"], ["y"],
                                 "binary"))
    w.refresh_now()
    assert w.message_text == "The map needs two inputs; this data has 4."
    assert w.message.isVisible() and not w.graphics.isVisible()
    spiral.undo_stack.undo()
    w.refresh_now()
    assert w.message_text == "" and w.values.shape == (100, 100)


def test_redraws_only_when_the_weights_change(qtbot):
    doc = Document()
    w = make_map(qtbot, doc)
    count = w.render_count
    doc.micro_step()  # forward: stepped, but no weight changed
    doc.micro_step()
    w.refresh_now()
    assert w.render_count == count
    doc.step_batch()  # finishes the cycle: the update changes the weights
    w.refresh_now()
    assert w.render_count == count + 1


def test_many_signals_cause_one_render(qtbot):
    doc = Document()
    w = make_map(qtbot, doc)
    qtbot.waitUntil(lambda: not w._timer.isActive())
    count = w.render_count
    for _ in range(40):
        doc.step_sample()
    assert w.render_count == count
    qtbot.waitUntil(lambda: w.render_count > count)
    assert w.render_count == count + 1 and not w._timer.isActive()


def test_a_diverged_network_says_so(qtbot):
    doc = Document.open(EXAMPLES / "plane-regression.nnsim")
    doc.set_training(learning_rate=1e9)
    while np.isfinite(doc.network.layers[0].W).all():
        doc.step_epochs(1)  # each call stops at the first non-finite epoch; go on
    w = make_map(qtbot, doc)
    assert "diverged" in w.shown_title
    assert np.isnan(w.values).all()
    assert tuple(w.image_item.image[0, 0]) == NAN_GREY  # grey, not a colour of a value


def test_hover_read_out(qtbot, spiral):
    w = make_map(qtbot, spiral)
    text = w.read_out(0.0, 0.0)
    assert text.startswith("x1 = 0, x2 = 0: output ")
    assert w.read_out(99.0, 0.0).strip() == ""
