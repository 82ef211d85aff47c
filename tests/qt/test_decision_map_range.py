"""The decision map fills its panel with the data's box (issue 13 item 6),
its ticks read in the data's units (no SI prefix such as "x2 (x0.001)"), and
with feature inputs or standardisation it evaluates the network on the
transformed grid while its axes stay in the data's units."""
import numpy as np
import pytest

from nnsim.core.datasets import DataSpec
from nnsim.core.input_transform import with_features
from nnsim.document import Document
from nnsim.qt.decision_map import MARGIN, DecisionMapWidget
from nnsim.qt.selection import NeuronRef


def make_map(qtbot, doc, size=(600, 170)) -> DecisionMapWidget:
    w = DecisionMapWidget(doc)
    qtbot.addWidget(w)
    w.resize(*size)  # the low, wide strip the window gives it
    w.show()
    qtbot.waitExposed(w)
    w.refresh_now(force=True)
    return w


def data_box(doc):
    X = np.vstack([doc.dataset.X_train, doc.dataset.X_test])
    return X.min(axis=0), X.max(axis=0)


@pytest.mark.parametrize("size", [(600, 170), (900, 300), (300, 500)])
def test_the_view_is_the_data_box_with_a_small_margin(qtbot, size):
    doc = Document()
    doc.set_data(DataSpec("circle", n=200))
    w = make_map(qtbot, doc, size)
    (xr, yr) = w.plot.getViewBox().viewRange()
    lo, hi = data_box(doc)
    for (a, b), l, h in zip((xr, yr), lo, hi):
        span = h - l
        assert a <= l and b >= h  # every point is on the map
        assert l - a <= (MARGIN + 0.01) * span and b - h <= (MARGIN + 0.01) * span, (a, b, l, h)
    x0, x1, y0, y1 = w.bounds  # and the map's image covers the whole view
    rect = w.image_item.mapRectToParent(w.image_item.boundingRect())
    assert rect.left() == pytest.approx(xr[0]) and rect.right() == pytest.approx(xr[1])
    assert rect.top() == pytest.approx(yr[0]) and rect.bottom() == pytest.approx(yr[1])


def tick_values(axis, lo, hi):
    return [v for level in axis.tickValues(lo, hi, 400) for v in level[1]]


def test_the_moons_axes_read_in_data_units(qtbot):
    doc = Document()
    doc.set_data(DataSpec("moons", n=200, seed=2))  # x2 within -0.75..0.81: below 1
    w = make_map(qtbot, doc, (600, 170))
    (xr, yr) = w.plot.getViewBox().viewRange()
    for side, name, (lo, hi) in (("left", "x2", yr), ("bottom", "x1", xr)):
        axis = w.plot.getAxis(side)
        assert axis.labelString().count(name) == 1
        assert "x0.001" not in axis.labelString() and "(x" not in axis.labelString()
        assert axis.autoSIPrefixScale == 1.0
        ticks = tick_values(axis, lo, hi)
        assert ticks and all(lo <= t <= hi for t in ticks)  # -0.5 .. 1, not -500 .. 1000
        assert axis.tickStrings(ticks, axis.autoSIPrefixScale, 1)[0] == \
            axis.tickStrings(ticks, 1.0, 1)[0]


def test_features_and_standardisation_map_the_raw_plane(qtbot):
    doc = Document()
    doc.set_data(DataSpec("circle", n=200))
    doc.set_feature("x1^2", True)
    doc.set_feature("x1*x2", True)
    doc.set_standardize(True)
    w = make_map(qtbot, doc, (600, 450))
    lo, hi = data_box(doc)
    assert w.bounds[0] < lo[0] < hi[0] < w.bounds[1]  # the axes in the data's units
    P = w.grid_points()
    Z = with_features(doc.dataset.X_train, ("x1^2", "x1*x2"))
    net_in = (with_features(P, ("x1^2", "x1*x2")) - Z.mean(axis=0)) / Z.std(axis=0)
    expected = doc.network.predict(net_in)[:, 0]
    np.testing.assert_allclose(w.values.reshape(-1), expected, rtol=1e-12)
    assert w.plot.getAxis("bottom").labelText == "x1"
    w.show_neuron(NeuronRef(0, 3))  # the x1·x2 input neuron: its (standardised) value
    w.refresh_now()
    np.testing.assert_allclose(w.values.reshape(-1), net_in[:, 3], rtol=1e-12)
    assert w.shown_title == "input x1\u00b7x2 over the input plane"
