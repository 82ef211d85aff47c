"""The decision map's boundary line, traced with NumPy.

pyqtgraph's IsocurveItem traces its line with ``functions.isocurve``, a
marching-squares loop in Python over every cell (~30 ms for the map's
100 x 100 grid, in every run-mode frame). ``segments`` is the same
marching squares (the same table, the same interpolation, extended to the
edges) on whole arrays; ``BoundaryItem`` draws its segments as pairs.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg  # after PySide6 (nnsim.qt sets PYQTGRAPH_QT_LIB)
from PySide6.QtGui import QPainterPath

# For each cell's corner pattern (bit 1: (i, j) below the level, 2: (i+1, j),
# 4: (i, j+1), 8: (i+1, j+1)): up to two line pieces, each from one cell side
# to another (sides by number, -1: none). pyqtgraph's sideTable.
_SIDES = [[], [0, 1], [1, 2], [0, 2], [0, 3], [1, 3], [0, 1, 2, 3], [2, 3], [2, 3],
          [0, 1, 2, 3], [1, 3], [0, 3], [0, 2], [1, 2], [0, 1], []]
_TABLE = np.full((16, 2, 2), -1, dtype=int)
for _k, _s in enumerate(_SIDES):
    for _f in range(len(_s) // 2):
        _TABLE[_k, _f] = _s[2 * _f:2 * _f + 2]
# each side's two corners, as (di, dj) offsets in the cell
_CORNERS = np.array([[(0, 1), (0, 0)], [(0, 0), (1, 0)], [(1, 0), (1, 1)], [(1, 1), (0, 1)]])


def _extended(data: np.ndarray) -> np.ndarray:
    """``data`` with a copy of its border around it (the line reaches the edges)."""
    d = np.empty((data.shape[0] + 2, data.shape[1] + 2), dtype=data.dtype)
    d[1:-1, 1:-1] = data
    d[0, 1:-1], d[-1, 1:-1] = data[0], data[-1]
    d[1:-1, 0], d[1:-1, -1] = data[:, 0], data[:, -1]
    d[0, 0], d[0, -1], d[-1, 0], d[-1, -1] = d[0, 1], d[1, -1], d[-1, 1], d[-1, -2]
    return d


def segments(data: np.ndarray, level: float) -> np.ndarray:
    """The line where ``data`` crosses ``level``: segments (n, 2 ends, 2),
    each end (i, j) in data's index units (cell centres at index + 0.5), as
    ``pyqtgraph.functions.isocurve(data, level, extendToEdge=True)`` gives
    them (the same points, in another order)."""
    d = _extended(np.asarray(data, dtype=float))
    below = d < level
    index = (below[:-1, :-1] * 1 + below[1:, :-1] * 2 + below[:-1, 1:] * 4
             + below[1:, 1:] * 8)
    hi0, hi1 = d.shape[0] - 2, d.shape[1] - 2
    out = []
    for face in (0, 1):
        sides = _TABLE[index, face]  # (cells, cells, 2)
        i, j = np.nonzero(sides[..., 0] >= 0)
        sides = sides[i, j]
        ends = []
        for m in (0, 1):
            p1, p2 = _CORNERS[sides[:, m], 0], _CORNERS[sides[:, m], 1]
            v1 = d[i + p1[:, 0], j + p1[:, 1]]
            v2 = d[i + p2[:, 0], j + p2[:, 1]]
            f = (level - v1) / (v2 - v1)
            fi = 1.0 - f
            x = p1[:, 0] * fi + p2[:, 0] * f + i + 0.5
            y = p1[:, 1] * fi + p2[:, 1] * f + j + 0.5
            ends.append(np.stack([np.minimum(hi0, np.maximum(0, x - 1)),
                                  np.minimum(hi1, np.maximum(0, y - 1))], axis=1))
        out.append(np.stack(ends, axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2, 2))


class BoundaryItem(pg.IsocurveItem):
    """pyqtgraph's IsocurveItem with its line traced by ``segments``."""

    def generatePath(self):
        if self.data is None:
            self.path = None
            return
        data = self.data.T if self.axisOrder == "row-major" else self.data
        seg = segments(data, self.level)
        if not len(seg):
            self.path = QPainterPath()
            return
        self.path = pg.arrayToQPath(seg[:, :, 0].ravel(), seg[:, :, 1].ravel(),
                                    connect="pairs")
