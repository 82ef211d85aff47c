"""The decision map's boundary, traced with NumPy, is pyqtgraph's line."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from nnsim.qt.isocurve import BoundaryItem, segments


def _pyqtgraph_segments(data, level):
    lines = pg.functions.isocurve(data, level, connected=False, extendToEdge=True)
    return sorted(tuple(map(float, a)) + tuple(map(float, b)) for a, b in lines)


@pytest.mark.parametrize("shape,level", [((100, 100), 0.1), ((7, 13), 0.0), ((2, 2), 0.3),
                                         ((1, 5), 0.0), ((30, 20), 5.0)])
def test_segments_are_pyqtgraphs_isocurve(shape, level):
    rng = np.random.default_rng(sum(shape))
    x = np.linspace(-3, 3, shape[0])[:, None]
    y = np.linspace(-2, 2, shape[1])[None, :]
    data = np.sin(2 * x) * np.cos(3 * y) + 0.1 * rng.standard_normal(shape)
    got = sorted(tuple(s.ravel().tolist()) for s in segments(data, level))
    assert got == _pyqtgraph_segments(data, level)
    if shape == (100, 100):
        assert len(got) > 100  # a long line, as on the map
    if level == 5.0:
        assert got == []  # above every value: no line


def test_the_boundary_item_draws_those_segments(qapp):
    data = np.add.outer(np.arange(6.0), np.arange(4.0))  # a diagonal boundary at 4.5
    item = BoundaryItem(level=4.5)
    item.setData(data)
    reference = pg.IsocurveItem(level=4.5)
    reference.setData(data)
    assert item.boundingRect() == reference.boundingRect()
    assert not item.boundingRect().isEmpty()
