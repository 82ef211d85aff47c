"""The loss plot's curves (pyqtgraph items): ``PeakCurve`` draws a series that
may hold a million points from its min/max pyramid, ``KeptRun`` the dimmed
curves of a run kept for comparison, and the pen rules for dense and lone
points.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt

import pyqtgraph as pg  # after PySide6 (and nnsim.qt sets PYQTGRAPH_QT_LIB)

from .loss_series import finite_or_nan
from .peak_pyramid import PeakPyramid

KEPT_ALPHA = 130  # kept runs are drawn translucent

# Beyond this many points a curve is drawn 1 px wide: Qt strokes wider lines
# (dashed ones above all) segment by segment, and a dashed 2 px curve of 100k
# epochs took 80 ms to paint against 1 ms at 1 px. Dense curves look the same.
DENSE_POINTS = 2000
# Beyond this many points a series is drawn from its min/max pyramid (below,
# pyqtgraph gets the raw data and clips and downsamples them itself)...
RAW_POINTS = 5000
# ...as at most this many buckets per pixel in view, and at least half as many
# (two points each: max, min). Two a pixel would do for solid lines, but a
# dense dashed curve then shows its dash gaps (looked at, 1M epochs).
BUCKETS_PER_PX = 4
# over the view widened by this share of its width on each side, so a pan
# shows a curve before the next (throttled) redraw picks a new slice.
PAN_MARGIN = 0.25


def thin_when_dense(item: "PeakCurve", width: float = 2) -> None:
    """Give ``item`` a pen ``width`` wide, or 1 px when its series has many
    points (zoomed in or not: a few thousand wide segments cost as much)."""
    n = item.series_length
    want = 1 if n > DENSE_POINTS else width
    pen = item.opts["pen"]
    if pen is not None and pen.widthF() != want:
        pen = pg.mkPen(pen)
        pen.setWidthF(want)
        item.setPen(pen)


def dot_when_alone(item: "PeakCurve") -> None:
    """A curve of one point draws no line: show that point as a dot."""
    # a lone NaN (no test rows) is no point: a dot of it would warn "All-NaN slice"
    alone = item.series_length == 1 and bool(np.isfinite(item.series[1][:1]).all())
    if alone != (item.opts["symbol"] is not None):
        if alone:
            pen = item.opts["pen"]
            item.setSymbol("o")
            item.setSymbolSize(7)
            item.setSymbolPen(pen)
            item.setSymbolBrush(pen.color() if pen is not None else None)
        else:
            item.setSymbol(None)


class PeakCurve(pg.PlotDataItem):
    """A curve of a series that may be long: up to ``RAW_POINTS`` points it
    gets them all (pyqtgraph clips and downsamples them as usual); beyond, it
    gets from a ``PeakPyramid`` the buckets in view, about ``BUCKETS_PER_PX``
    a pixel, with pyqtgraph's own clipping and downsampling off. Its bounds
    (for the auto-range) stay those of the whole series.

    ``set_series`` hands it the series (the same arrays, grown or shortened,
    and the first changed point); ``redraw`` picks what to draw for a view.
    """

    def __init__(self, *args, scale: float = 1.0, x_view: pg.ViewBox | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pyramid = PeakPyramid()
        self.scale = scale  # drawn: scale * y (accuracy in %)
        self.x_view = x_view  # the view whose x auto-range counts (plots share x)
        self.kept = False  # a kept run's (static) curve
        self._x = self._y = np.empty(0)
        # the selection on show: (x from, x to, level, x auto-range); None: raw data
        self._shown = None
        self._level = 0

    @property
    def series_length(self) -> int:
        return self.pyramid.n

    @property
    def series(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of the whole series, as handed in (``y`` unscaled)."""
        return self._x, self._y

    def set_series(self, x: np.ndarray, y: np.ndarray, dirty_from: int) -> None:
        """``y`` at ``x`` (increasing; both may be views of the document's
        history: the curve keeps no copy); only points from ``dirty_from`` on
        changed since the last call (and any new ones). Infinities are drawn
        as gaps."""
        self.pyramid.update(y, dirty_from)
        self._x, self._y = x, y

    @property
    def decimated(self) -> bool:
        return self.pyramid.n > RAW_POINTS

    def _pyqtgraph_reduces(self, on: bool) -> None:
        if self.opts["clipToView"] != on:
            self.setClipToView(on)
        if self.opts["autoDownsample"] != on or (not on and self.opts["downsample"] != 1):
            self.setDownsampling(ds=1, auto=on, method="peak")

    @staticmethod
    def view_of(vb: pg.ViewBox, x_view: pg.ViewBox) -> tuple[float, float, float, bool]:
        """(x from, x to, width in px, x auto-range) of a view."""
        (x0, x1), _ = vb.viewRange()
        width = vb.width()
        return x0, x1, (width if width > 1 else 1000.0), bool(x_view.autoRangeEnabled()[0])

    def _want(self, view) -> tuple[float, float, int, bool]:
        """The selection ``view`` needs: (x from, x to, max buckets, auto)."""
        x0, x1, width, auto = view
        if auto:  # the view will fit the whole series: all of it
            return -math.inf, math.inf, int(BUCKETS_PER_PX * width), True
        return x0, x1, int(BUCKETS_PER_PX * width), False

    def stale(self, view) -> bool:
        """Whether ``view`` needs another slice or level than the one on show."""
        if self._shown is None:
            return False
        x0, x1, max_buckets, auto = self._want(view)
        lo, hi, level, was_auto = self._shown
        return (auto != was_auto or x0 < lo or x1 > hi
                or self.pyramid.level_for(self._x, x0, x1, max_buckets) != level)

    def redraw(self, view) -> None:
        """Give pyqtgraph what to draw of the series for ``view`` (see ``view_of``)."""
        n = self.pyramid.n
        if not self.decimated:
            self._pyqtgraph_reduces(True)
            self._shown = None
            y = finite_or_nan(self._y[:n])  # (a copy: a few thousand points at most)
            self.setData(np.array(self._x[:n], dtype=float), y * self.scale)
            return
        self._pyqtgraph_reduces(False)
        x0, x1, max_buckets, auto = self._want(view)
        margin = 0.0 if auto else PAN_MARGIN
        xs, ys, level = self.pyramid.select(self._x, self._y, x0, x1, max_buckets, margin)
        if not auto:
            span = x1 - x0
            x0, x1 = x0 - margin * span, x1 + margin * span
        self._shown = (x0, x1, level, auto)
        self._level = level
        self.setData(xs, ys * self.scale)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        """With the x auto-range on, the bounds of the whole series (from the
        pyramid's top level: cheap); else, as pyqtgraph's clipped curve did,
        those of what is drawn in view."""
        if self._shown is None or not self.decimated or orthoRange is not None:
            return super().dataBounds(ax, frac, orthoRange)
        if ax == 0:
            return float(self._x[0]), float(self._x[self.pyramid.n - 1])
        log = self.opts["logMode"][1]
        auto = self.x_view is None or bool(self.x_view.autoRangeEnabled()[0])
        if auto:
            lo, hi = (self.scale * v for v in self.pyramid.bounds())
            if not log or lo > 0:
                return self._mapped(lo, hi, log)
            # log scale with losses <= 0: the smallest positive one drawn
        xs, ys = self.xData, self.yData  # what is drawn (unmapped), in view
        if xs is None or len(xs) == 0:
            return None, None
        if auto:
            i0, i1 = 0, len(xs)
        else:
            (v0, v1), _ = self.getViewBox().viewRange()
            step = 1 if self._level == 0 else 2  # one point or bucket more each side
            i0 = max(0, int(np.searchsorted(xs, v0, "right")) - step)
            i1 = int(np.searchsorted(xs, v1, "right")) + (1 if step == 1 else 0)
        ys = ys[i0:i1]
        if log:
            ys = ys[ys > 0]
        ys = ys[np.isfinite(ys)]
        if len(ys) == 0:
            return None, None
        return self._mapped(float(ys.min()), float(ys.max()), log)

    @staticmethod
    def _mapped(lo: float, hi: float, log: bool):
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return None, None
        if log:
            if hi <= 0:
                return None, None
            return math.log10(lo) if lo > 0 else math.log10(hi), math.log10(hi)
        return lo, hi


class KeptRun:
    def __init__(self, label: str, color: str, epoch_rows: np.ndarray,
                 step_x: np.ndarray, step_mean: np.ndarray):
        c = pg.mkColor(color)
        c.setAlpha(KEPT_ALPHA)
        self.label, self.color = label, color
        # static: each pyramid is built once, here
        self.train = PeakCurve([], [], pen=pg.mkPen(c, width=2), connect="finite")
        self.test = PeakCurve([], [], pen=pg.mkPen(c, width=2, style=Qt.DashLine),
                               connect="finite")
        self.step = PeakCurve([], [], pen=pg.mkPen(c, width=2), connect="finite")
        x = epoch_rows[:, 0]
        self.train.set_series(x, finite_or_nan(epoch_rows[:, 1]), 0)
        self.test.set_series(x, finite_or_nan(epoch_rows[:, 2]), 0)
        self.step.set_series(step_x, finite_or_nan(step_mean), 0)
        for item in self.items:
            item.kept = True
            item.setZValue(-10)  # under the live curves

    @property
    def items(self):
        return (self.train, self.test, self.step)
