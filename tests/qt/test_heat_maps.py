"""Heat maps in the neurons: every neuron of a two-input network shows its
activation over the input plane in its circle (View > Heat Maps in Neurons)."""
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from nnsim.document import Document
from nnsim.qt.canvas.heat_maps import heat_rgb, value_ranges
from nnsim.qt.decision_map import data_bounds
from nnsim.qt.canvas.items import NEURON_RADIUS
from nnsim.qt.preferences import Preferences

from window_helpers import open_window

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def _window(qtbot, prefs, name, size=(1280, 720)):
    return open_window(qtbot, prefs, size, Document.from_example(EXAMPLES / f"{name}.nnsim"))


def _pixel(image: QImage, row: int, col: int) -> tuple:
    c = image.pixelColor(col, row)
    return c.red(), c.green(), c.blue()


def _images(scene) -> list:
    return [item.heat_image for row in scene.neurons for item in row]


@pytest.fixture
def spiral(qtbot, tmp_path):
    w = _window(qtbot, tmp_path / "prefs.ini", "spiral-deep")
    w.document.step_epochs(20)  # trained a little: the maps have shapes
    w.scene.heat_maps.refresh_now()
    return w


def test_each_neurons_image_is_its_activation_at_that_points_input(spiral):
    scene, net = spiral.scene, spiral.document.network
    heat = scene.heat_maps
    assert heat.showing
    rng = np.random.default_rng(0)
    # the inputs, a neuron of each hidden layer and the output
    picks = [(0, 0), (0, 1), (1, 3), (2, 7), (3, 11), (len(net.sizes) - 1, 0)]
    for k, j in picks:
        item = scene.neurons[k][j]
        image = item.heat_image
        assert image is not None and image.width() == image.height() == heat.resolution
        for row, col in rng.integers(0, heat.resolution, size=(6, 2)):
            x1, x2 = heat.pixel_point(row, col)
            _, acts = net.forward(np.array([[x1, x2]]))  # one point, on its own
            value = acts[k][0, j]
            expected = tuple(heat_rgb(np.array([[value]]), *item.heat_range)[0, 0])
            assert _pixel(image, row, col) == expected, (k, j, row, col)
    # what the colours mean: the output's P(class 1) above 0.5 is blue, below orange
    out = scene.neurons[-1][0]
    assert out.heat_range == (0.0, 1.0)
    xs = [heat.pixel_point(r, c) for r in range(0, 32, 4) for c in range(0, 32, 4)]
    P = net.predict(np.array(xs))[:, 0]
    for (r, c), p in zip([(r, c) for r in range(0, 32, 4) for c in range(0, 32, 4)], P):
        red, _, blue = _pixel(out.heat_image, r, c)
        if p > 0.6:
            assert blue > red
        elif p < 0.4:
            assert red > blue


def test_the_circle_shows_x1_growing_to_the_right_and_x2_upward(spiral):
    """What is painted: the input neurons' circles, rendered, are the plane
    the right way round (the decision map's axes)."""
    scene = spiral.scene
    x1, x2 = scene.neurons[0]
    size = 200
    r = NEURON_RADIUS

    def render(item) -> QImage:
        image = QImage(size, size, QImage.Format.Format_RGB32)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        scene.render(painter, QRectF(0, 0, size, size),
                     QRectF(item.x() - r, item.y() - r, 2 * r, 2 * r))
        painter.end()
        return image

    def colour_of(item, value) -> QColor:
        return QColor(*heat_rgb(np.array([[value]]), *item.heat_range)[0, 0])

    lo_x, hi_x, lo_y, hi_y = scene.heat_maps.bounds
    shown = render(x1)
    right, left = shown.pixelColor(int(size * 0.85), size // 2 - 30), \
        shown.pixelColor(int(size * 0.15), size // 2 - 30)
    # x1 at 85 % of the way across the plane is large and positive: blue
    want = colour_of(x1, lo_x + 0.85 * (hi_x - lo_x))
    assert abs(right.blue() - want.blue()) <= 12 and abs(right.red() - want.red()) <= 12
    assert left.red() > left.blue()  # and on the left, negative: orange
    shown = render(x2)
    top, bottom = shown.pixelColor(size // 2 + 30, int(size * 0.12)), \
        shown.pixelColor(size // 2 + 30, int(size * 0.88))
    assert top.blue() > top.red() and bottom.red() > bottom.blue()


def test_the_menu_toggle_hides_and_shows_them_and_is_remembered(spiral, qtbot, tmp_path):
    action = spiral.act_heat_maps
    assert action.isEnabled() and action.isChecked()  # on by default for the spiral
    assert spiral.view_menu.actions().count(action) == 1
    action.trigger()
    assert not action.isChecked() and not spiral.scene.heat_maps.showing
    assert all(image is None for image in _images(spiral.scene))
    assert Preferences(tmp_path / "prefs.ini").heat_maps() is False
    again = _window(qtbot, tmp_path / "prefs.ini", "circle-tanh")  # remembered: off
    assert not again.act_heat_maps.isChecked()
    assert all(image is None for image in _images(again.scene))
    action.trigger()
    assert action.isChecked() and all(image is not None for image in _images(spiral.scene))
    assert Preferences(tmp_path / "prefs.ini").heat_maps() is True


def test_on_by_default_only_for_the_playground_style_examples(qtbot, tmp_path):
    for name, on in (("spiral-deep", True), ("circle-tanh", True),
                     ("softmax-three-class", True), ("logistic-regression", True),
                     ("lecture-xor", False), ("mazur-2-2-2", False),
                     ("plane-regression", False)):
        w = _window(qtbot, tmp_path / f"{name}.ini", name)
        assert w.act_heat_maps.isEnabled(), name  # every two-input network can have them
        assert w.act_heat_maps.isChecked() == on, name
        assert all((image is not None) == on for image in _images(w.scene)), name


def test_the_default_follows_the_data_set_until_the_user_chooses(qtbot, tmp_path):
    from nnsim.core.datasets import DataSpec
    w = _window(qtbot, tmp_path / "prefs.ini", "lecture-xor")
    assert not w.act_heat_maps.isChecked()
    w.document.set_data(DataSpec("spiral", n=100))  # a Playground data set: on
    assert w.act_heat_maps.isChecked() and w.scene.heat_maps.showing
    ds = w.document.dataset  # the plane is the new data's
    assert w.scene.heat_maps.bounds == data_bounds(np.vstack([ds.X_train, ds.X_test]))
    assert w.scene.heat_maps.bounds[0] < -0.5  # (the truth table's was about 0..1)
    w.document.undo_stack.undo()  # back to the truth table: off
    assert not w.act_heat_maps.isChecked() and not w.scene.heat_maps.showing
    w.act_heat_maps.trigger()  # chosen: on whatever the data
    w.document.undo_stack.redo()
    w.document.undo_stack.undo()
    assert w.act_heat_maps.isChecked() and w.scene.heat_maps.showing


def test_absent_for_a_network_without_two_inputs(qtbot, tmp_path):
    prefs = tmp_path / "prefs.ini"
    Preferences(prefs).set_heat_maps(True)  # even when chosen
    w = _window(qtbot, prefs, "gradient-descent-one-weight")
    assert not w.act_heat_maps.isEnabled() and not w.act_heat_maps.isChecked()
    assert not w.scene.heat_maps.showing
    w.scene.heat_maps.refresh_now()
    assert all(image is None for image in _images(w.scene))


def test_updated_after_an_epoch_and_only_when_the_weights_changed(spiral):
    heat = spiral.scene.heat_maps
    now = [heat.clock() + 1.0]  # a fake clock from here on, a second after the last update
    heat.clock = lambda: now[0]
    out = spiral.scene.neurons[-1][0]
    spiral.document.step_epochs(1)  # long after the last update: drawn at once
    assert not heat.pending
    before, count = out.heat_image.copy(), heat.render_count
    now[0] += 1.0
    spiral.document.micro_step()  # a forward step: no weight changed, nothing drawn
    assert heat.render_count == count and out.heat_image == before
    spiral.document.step_epochs(1)  # new weights, long after: drawn with the labels
    assert heat.render_count == count + 1 and not heat.pending
    assert out.heat_image != before
    before = out.heat_image.copy()
    now[0] += 0.01
    spiral.document.step_epochs(1)  # 10 ms later: the canvas's timer will draw it
    assert heat.pending and heat.render_count == count + 1 and out.heat_image == before
    heat.refresh_now()  # (what the timer calls)
    assert heat.render_count == count + 2 and out.heat_image != before
    # and what it shows is the trained network's output
    net = spiral.document.network
    x1, x2 = heat.pixel_point(5, 9)
    p = net.predict(np.array([[x1, x2]]))[0, 0]
    assert _pixel(out.heat_image, 5, 9) == tuple(heat_rgb(np.array([[p]]), 0.0, 1.0)[0, 0])


def test_live_in_run_mode_and_showing_the_weights_it_stopped_at(spiral, qtbot):
    heat, doc = spiral.scene.heat_maps, spiral.document
    now = [heat.clock() + 1.0]

    def clock():  # every relabel a second after the last: each frame redraws the maps
        now[0] += 1.0
        return now[0]
    heat.clock = clock
    doc.set_training(epochs=4)
    count = heat.render_count
    with qtbot.waitSignal(spiral.runner.paused, timeout=30_000):
        spiral.runner.play()
    assert heat.render_count > count and not heat.pending
    net = doc.network
    out = spiral.scene.neurons[-1][0]
    h = spiral.scene.neurons[2][4]
    for row, col in ((3, 4), (20, 27), (31, 0)):
        x1, x2 = heat.pixel_point(row, col)
        _, acts = net.forward(np.array([[x1, x2]]))
        assert _pixel(out.heat_image, row, col) == tuple(
            heat_rgb(np.array([[acts[-1][0, 0]]]), 0.0, 1.0)[0, 0])
        assert _pixel(h.heat_image, row, col) == tuple(
            heat_rgb(np.array([[acts[2][0, 4]]]), *h.heat_range)[0, 0])


def test_a_new_neuron_has_its_map_at_once_and_undo_keeps_them(spiral):
    spiral.document.add_neuron(2)
    scene = spiral.scene
    assert len(scene.neurons[2]) == 13
    assert all(image is not None for image in _images(scene))
    spiral.document.undo_stack.undo()
    assert len(scene.neurons[2]) == 12
    assert all(image is not None for image in _images(scene))


def test_value_ranges_follow_the_activation():
    v = np.array([[-3.0, 0.5], [2.0, np.nan]])
    A = np.stack([v, v, v, np.zeros((2, 2)), v * 10], axis=2)  # five neurons' maps
    lo, hi = value_ranges(["sigmoid", "tanh", "relu", None, None], A)
    assert lo.tolist() == [0.0, -1.0, -3.0, -1.0, -30.0]
    assert hi.tolist() == [1.0, 1.0, 3.0, 1.0, 30.0]  # symmetric: zero is the white middle
    rgb = heat_rgb(v, -3.0, 3.0)
    # row 0 of the image is the top of the plane: the grid's last row
    assert tuple(rgb[0, 1]) == (150, 150, 150)  # not a number: grey
    assert rgb[1, 0, 0] > rgb[1, 0, 2]  # -3: orange
    assert tuple(rgb[0, 0]) == tuple(heat_rgb(np.array([[2.0]]), -3.0, 3.0)[0, 0])


def test_with_feature_inputs_and_standardisation_each_map_is_what_the_network_reads(spiral):
    """A feature input (x1²) is a neuron of its own with its own map; every map
    is the network's value at the grid point after the input transform."""
    doc, scene = spiral.document, spiral.scene
    doc.set_feature("x1^2", True)
    doc.set_standardize(True)
    scene = spiral.scene
    heat = scene.heat_maps
    heat.refresh_now()
    assert heat.showing and doc.network.sizes[0] == 3
    net, transform = doc.network, doc.input_transform
    rng = np.random.default_rng(1)
    for k, j in [(0, 0), (0, 2), (1, 0), (len(net.sizes) - 1, 0)]:
        item = scene.neurons[k][j]
        for row, col in rng.integers(0, heat.resolution, size=(5, 2)):
            x1, x2 = heat.pixel_point(row, col)
            inputs = transform.apply(np.array([[x1, x2]]))
            assert inputs.shape == (1, 3)
            _, acts = net.forward(inputs)
            expected = tuple(heat_rgb(np.array([[acts[k][0, j]]]), *item.heat_range)[0, 0])
            assert _pixel(item.heat_image, row, col) == expected, (k, j, row, col)
