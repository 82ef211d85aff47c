"""Grid lines for a pyqtgraph plot, drawn cheaply.

pyqtgraph's own grid (``PlotItem.showGrid``) is drawn by the axes as long
tick lines recorded in a QPicture; replaying it cost 4-8 ms per axis and
repaint at 1600 px wide (measured), most of a live plot's redraw. This item
draws the same lines, at the axes' own tick positions, as cosmetic hairlines
in one ``drawLines`` call per tick level: about 0.1 ms.
"""
from __future__ import annotations

from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QColor, QPen

import pyqtgraph as pg


class PlotGrid(pg.GraphicsObject):
    """Lines at the major (and, fainter, minor) ticks of ``plot``'s bottom
    and left axes, under every curve. Add it with ``plot.addItem(grid,
    ignoreBounds=True)``."""

    def __init__(self, plot: pg.PlotItem, color: str = "#3c4043", alpha: float = 0.15):
        super().__init__()
        self._plot = plot
        self._pens = []
        for level_alpha in (alpha, alpha / 2):  # major ticks, minor ticks
            c = QColor(color)
            c.setAlphaF(level_alpha)
            pen = QPen(c)
            pen.setWidth(0)  # a cosmetic hairline: the fast path of the raster engine
            self._pens.append(pen)
        self.setZValue(-1000)
        plot.getViewBox().sigRangeChanged.connect(self._on_range_changed)

    def _on_range_changed(self, *_args) -> None:
        self.prepareGeometryChange()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._plot.getViewBox().viewRect()

    def lines(self) -> list[list[QLineF]]:
        """The lines to draw, in view coordinates: [major, minor]."""
        vb = self._plot.getViewBox()
        rect = vb.viewRect()
        levels: list[list[QLineF]] = [[], []]
        if rect.width() <= 0 or rect.height() <= 0:
            return levels
        x0, x1, y0, y1 = rect.left(), rect.right(), rect.top(), rect.bottom()
        for i, (_spacing, values) in enumerate(
                self._plot.getAxis("bottom").tickValues(x0, x1, vb.width())[:2]):
            levels[i] += [QLineF(v, y0, v, y1) for v in values if x0 <= v <= x1]
        for i, (_spacing, values) in enumerate(
                self._plot.getAxis("left").tickValues(y0, y1, vb.height())[:2]):
            levels[i] += [QLineF(x0, v, x1, v) for v in values if y0 <= v <= y1]
        return levels

    def paint(self, painter, *_args) -> None:
        for pen, lines in zip(self._pens, self.lines()):
            if lines:
                painter.setPen(pen)
                painter.drawLines(lines)
