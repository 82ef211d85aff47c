"""The live loss plot: training and test loss per epoch (or the batch loss per
update), accuracy for classification, a hover read-out, log scale, and kept
runs to compare against.

Redraws are throttled: document signals only mark the plot dirty (and note
whether a history list shrank, after a step back); a single-shot timer redraws
at most ~30 times a second, with ``setData`` on curves that live as long as the
widget. The history lists are converted to NumPy incrementally, so a redraw
costs the new points only, even with a million updates.

A long series (more than ``RAW_POINTS``) is drawn from a min/max pyramid
(``peak_pyramid.PeakPyramid``), updated with the new points only: each curve
gets the buckets in view, two to four a pixel, each as its max and min (some
thousands of points), so pyqtgraph never works through the whole history. A
zoom or pan that needs another level or slice marks the plot dirty. The
auto-range still fits the whole curve (the pyramid's top level), and the hover
read-out, the divergence marker and ``train_data`` read the history itself.
"""
from __future__ import annotations

import html
import math
import time

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

import pyqtgraph as pg  # after PySide6 (and nnsim.qt sets PYQTGRAPH_QT_LIB)

from ..document import Document
from ..core.history_log import _ColumnLog
from ..core.naming import fmt
from .peak_pyramid import PeakPyramid
from .plot_grid import PlotGrid

REDRAW_MS = 33  # at most ~30 redraws a second...
# ...and a redraw may take at most about a third of the time: a history of a
# million epochs costs ~50 ms a redraw, which then comes every ~150 ms (the
# canvas and the clicks keep the rest).
REDRAW_SHARE = 1 / 3
MAX_REDRAW_MS = 1000
_clock = time.perf_counter  # (tests replace it)
MAX_MEAN_WINDOW = 1000
ACCURACY_MIN_HEIGHT = 300  # px of the whole widget; below it the accuracy plot hides
EXPLODED = 1000  # a loss this many times the first ones has exploded (see _fit_exploded)
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

TRAIN_COLOR = "#1f5fa8"  # dark blue
TEST_COLOR = "#d95f02"  # orange, dashed as well (colour-blind safe)
BATCH_COLOR = (130, 165, 205, 120)  # the raw per-update batch loss, faint
MEAN_COLOR = "#0b2f5e"  # its running mean, dark
DIVERGED_COLOR = "#c62828"
AXIS_TEXT = "#3c4043"
# Kept runs: muted hues that differ from the live blue/orange, drawn translucent.
KEPT_COLORS = ["#7b3294", "#1b7837", "#8c510a", "#c51b7d", "#01665e", "#636363",
               "#b2182b", "#4d4d9f"]
KEPT_ALPHA = 130


def run_label(training) -> str:
    """The settings that tell two runs apart, e.g. "η=0.5 sgd b=1"."""
    return f"\u03b7={fmt(training.learning_rate)} {training.optimizer} b={training.batch_size}"


def _nan(v) -> float:
    return math.nan if v is None else float(v)


def _epoch_rows(results) -> np.ndarray:
    return np.array([(r.epoch, _nan(r.train_loss), _nan(r.test_loss),
                      _nan(r.train_accuracy), _nan(r.test_accuracy)) for r in results],
                    dtype=float).reshape(-1, 5)


def _step_rows(step_losses) -> np.ndarray:
    return np.array([(u, _nan(v)) for u, v in step_losses], dtype=float).reshape(-1, 2)


def _finite_or_nan(y: np.ndarray) -> np.ndarray:
    """Infinities become NaN: the curve skips them (connect="finite") and the
    auto-range stays on the finite part."""
    return np.where(np.isfinite(y), y, np.nan)


def _early_max(y: np.ndarray, count: int = 10) -> float:
    """The largest of the first ``count`` finite values of ``y`` (row by row;
    0 without any), from the first rows only."""
    size = 16
    while True:
        head = np.ravel(y[:size])
        head = head[np.isfinite(head)]
        if len(head) >= count or size >= len(y):
            return float(np.max(head[:count])) if len(head) else 0.0
        size *= 4


def trailing_mean(y: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` finite values at each index (NaN where the
    window holds none)."""
    return _TrailingMean().update(np.asarray(y, dtype=float), 0, window).copy()


class _TrailingMean:
    """``trailing_mean``, kept up to date incrementally: an update recomputes
    only from the block of the first changed index.

    No running total is subtracted (a huge early loss would swamp tiny later
    ones): the values are cut into blocks of ``window``; a window ending at i
    is the suffix sum of the block before plus the prefix sum of i's block.
    """

    def __init__(self):
        self.window = 0
        self.n = 0
        self.buf = np.empty((5, 0))  # prefix/suffix sums and counts, and the mean
        self.changed_from = 0  # the first index the last update recomputed

    def reset(self) -> None:
        """Forget the means: the next update recomputes them all."""
        self.window = 0

    def update(self, y: np.ndarray, dirty_from: int, window: int) -> np.ndarray:
        n = len(y)
        if window != self.window:
            self.window, dirty_from = window, 0
        d = max(0, min(dirty_from, self.n, n))
        self.n = n
        self.changed_from = d
        if window <= 1:
            return _finite_or_nan(y)
        K = window
        if n > self.buf.shape[1]:
            grown = np.empty((5, max(n, 2 * self.buf.shape[1], 1024)))
            grown[:, :d] = self.buf[:, :d]
            self.buf = grown
        P, Q, PC, QC, mean = self.buf
        c0 = d // K * K  # sums restart at block starts
        seg = y[c0:n]
        m = len(seg)
        ok = np.isfinite(seg)
        pad = (-m) % K
        for pre, suf, v in ((P, Q, np.where(ok, seg, 0.0)), (PC, QC, ok.astype(float))):
            blocks = np.concatenate([v, np.zeros(pad)]).reshape(-1, K)
            pre[c0:n] = np.cumsum(blocks, axis=1).ravel()[:m]
            suf[c0:n] = np.cumsum(blocks[:, ::-1], axis=1)[:, ::-1].ravel()[:m]
        i = np.arange(d, n)
        start = i - K + 1  # the window is [start, i]
        whole = (start <= 0) | (start % K == 0)  # within i's own block
        s0 = np.maximum(start, 0)
        S = np.where(whole, P[i], Q[s0] + P[i])
        N = np.where(whole, PC[i], QC[s0] + PC[i])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean[d:n] = np.where(N > 0.5, S / np.maximum(N, 1.0), np.nan)
        return mean[:n]


_NONE = np.iinfo(np.int64).max  # no such row


class _Series:
    """NumPy rows of a history list that grows at the end and may shrink
    (step back) or be replaced (a new stepper). ``watch`` is called on every
    document signal so a shrink is never missed; ``rows`` converts only what
    is new since the last call, and notes per column the first row that is
    not finite (``first_bad``)."""

    def __init__(self, convert, ncols: int):
        self._convert, self._ncols = convert, ncols
        self._source = None
        self._valid = 0
        self._buf = np.empty((0, ncols))
        self._clean = np.empty((0, ncols))  # the same, infinities as NaN (to draw)
        self._dirty_from = 0
        self._bad = np.full(ncols, _NONE)  # per column: the first non-finite row

    def watch(self, source: list) -> None:
        if source is not self._source:
            self._source, self._valid = source, 0
        else:
            self._valid = min(self._valid, len(source))
        self._dirty_from = min(self._dirty_from, self._valid)

    def take_dirty_from(self) -> int:
        """The first row (re)written since the last call."""
        d, self._dirty_from = self._dirty_from, self._valid
        return d

    def rows(self) -> np.ndarray:
        src = self._source
        if src is None:
            return self._buf[:0]
        n = len(src)
        self._valid = min(self._valid, n)
        self._dirty_from = min(self._dirty_from, self._valid)
        self._bad[self._bad >= self._valid] = _NONE  # rows stepped back from
        if n > self._valid:
            v = self._valid
            if n > len(self._buf):
                size = (max(n, 2 * len(self._buf), 64), self._ncols)
                grown, clean = np.empty(size), np.empty(size)
                grown[:v], clean[:v] = self._buf[:v], self._clean[:v]
                self._buf, self._clean = grown, clean
            if isinstance(src, _ColumnLog):  # already numbers: copy the new rows
                self._buf[v:n] = src.columns[v:n, :self._ncols]
            else:
                self._buf[v:n] = self._convert(src[v:n])
            self._clean[v:n] = _finite_or_nan(self._buf[v:n])  # only the new rows
            bad = ~np.isfinite(self._buf[v:n])
            self._bad = np.where(bad.any(axis=0), np.minimum(self._bad, v + bad.argmax(axis=0)),
                                 self._bad)
            self._valid = n
        return self._buf[:n]

    def first_bad(self, col: int) -> int:
        """The first row whose column ``col`` is not finite, or the number of
        rows (call ``rows()`` first)."""
        return int(min(self._bad[col], self._valid))

    def clean_rows(self) -> np.ndarray:
        """``rows()`` with infinities as NaN (call ``rows()`` first)."""
        return self._clean[:self._valid]


def _thin_when_dense(item: "_PeakCurve", width: float = 2) -> None:
    """Give ``item`` a pen ``width`` wide, or 1 px when its series has many
    points (zoomed in or not: a few thousand wide segments cost as much)."""
    n = item.series_length
    want = 1 if n > DENSE_POINTS else width
    pen = item.opts["pen"]
    if pen is not None and pen.widthF() != want:
        pen = pg.mkPen(pen)
        pen.setWidthF(want)
        item.setPen(pen)


def _dot_when_alone(item: "_PeakCurve") -> None:
    """A curve of one point draws no line: show that point as a dot."""
    alone = item.series_length == 1
    if alone != (item.opts["symbol"] is not None):
        if alone:
            pen = item.opts["pen"]
            item.setSymbol("o")
            item.setSymbolSize(7)
            item.setSymbolPen(pen)
            item.setSymbolBrush(pen.color() if pen is not None else None)
        else:
            item.setSymbol(None)


class _PeakCurve(pg.PlotDataItem):
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
        """``y`` (infinities as NaN) at ``x`` (increasing); only points from
        ``dirty_from`` on changed since the last call (and any new ones)."""
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
            y = self._y[:n]
            self.setData(self._x[:n], y * self.scale if self.scale != 1 else y)
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


class _KeptRun:
    def __init__(self, label: str, color: str, epoch_rows: np.ndarray,
                 step_x: np.ndarray, step_mean: np.ndarray):
        c = pg.mkColor(color)
        c.setAlpha(KEPT_ALPHA)
        self.label, self.color = label, color
        # static: each pyramid is built once, here
        self.train = _PeakCurve([], [], pen=pg.mkPen(c, width=2), connect="finite")
        self.test = _PeakCurve([], [], pen=pg.mkPen(c, width=2, style=Qt.DashLine),
                               connect="finite")
        self.step = _PeakCurve([], [], pen=pg.mkPen(c, width=2), connect="finite")
        x = epoch_rows[:, 0]
        self.train.set_series(x, _finite_or_nan(epoch_rows[:, 1]), 0)
        self.test.set_series(x, _finite_or_nan(epoch_rows[:, 2]), 0)
        self.step.set_series(step_x, _finite_or_nan(step_mean), 0)
        for item in self.items:
            item.kept = True
            item.setZValue(-10)  # under the live curves

    @property
    def items(self):
        return (self.train, self.test, self.step)


class LossPlotWidget(QWidget):
    """Loss (and accuracy) of the document's training history, kept up to date.

    Call ``set_document`` when the main window opens another document; kept
    runs stay until "Clear kept runs".
    """

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document: Document | None = None
        self.redraw_count = 0  # for tests: how many (throttled) redraws ran
        self._dirty = False
        self._kept: list[_KeptRun] = []
        self._epochs = _Series(_epoch_rows, 5)
        self._steps = _Series(_step_rows, 2)
        self._legend_key = None
        self._hover_point: QPointF | None = None
        self._step_mean = np.empty(0)  # the running mean on show (per update)
        self._mean = _TrailingMean()
        self._exploded = False
        self._acc_shown: bool | None = None
        self._x_label = "epoch"

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_timer)

        self._build_ui()
        self.set_document(document)

    # -- construction ---------------------------------------------------------
    def _build_ui(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        self.per_update_box = QCheckBox("Per update")
        self.per_update_box.setToolTip(
            "Plot the loss of each mini-batch against the update number, instead of the "
            "loss on the whole data set after each epoch. This is what grows when you step "
            "by hand.")
        self.log_box = QCheckBox("Log scale")
        self.log_box.setToolTip("A logarithmic loss axis: small losses stay readable.")
        self.keep_button = QPushButton("Keep this run")
        self.keep_button.setToolTip("Freeze the current curves as a dimmed overlay, to compare "
                                    "with the next run (labelled with its learning rate, "
                                    "optimiser and batch size).")
        self.clear_button = QPushButton("Clear kept runs")
        self.status_label = QLabel()
        self.status_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.status_label.setStyleSheet(f"color: {AXIS_TEXT}; padding: 0 6px 3px 6px;")
        for w in (self.per_update_box, self.log_box, self.keep_button, self.clear_button):
            bar.addWidget(w)
        bar.addSpacing(8)
        self._bar = bar  # the legend joins this row (it wraps when long)

        self.plot_widget = pg.PlotWidget(background="w")
        self.plot = self.plot_widget.getPlotItem()
        self.acc_widget = pg.PlotWidget(background="w")
        self.acc_plot = self.acc_widget.getPlotItem()
        for p in (self.plot, self.acc_plot):
            p.addItem(PlotGrid(p, AXIS_TEXT, alpha=0.15), ignoreBounds=True)
            p.setClipToView(True)
            p.setDownsampling(auto=True, mode="peak")
            for side in ("left", "bottom"):
                ax = p.getAxis(side)
                ax.setPen(pg.mkPen(AXIS_TEXT))
                ax.setTextPen(pg.mkPen(AXIS_TEXT))
                ax.enableAutoSIPrefix(False)  # "loss (x0.001)" reads badly
            p.setMenuEnabled(False)
            p.hideButtons()
        self.plot.setLabel("left", "loss")
        self.plot.setLabel("bottom", "epoch")
        self.acc_plot.setLabel("left", "accuracy %")
        self.acc_plot.setLabel("bottom", "epoch")
        self.acc_plot.setXLink(self.plot)
        self.acc_plot.getViewBox().setLimits(yMin=-5, yMax=105)
        for p in (self.plot, self.acc_plot):  # no epoch or update before 0
            p.getViewBox().setLimits(xMin=0)
        # The loss axis grows with its tick texts (1e+20 needs more room than
        # 0.5); the accuracy axis takes its width, so the two plots line up.
        loss_axis, acc_axis = self.plot.getAxis("left"), self.acc_plot.getAxis("left")
        loss_axis.setStyle(autoExpandTextSpace=True)
        acc_axis.setWidth(int(loss_axis.width()))

        def align_axes():
            # (also called while the widget is deleted: then there is nothing to align)
            if shiboken6.isValid(loss_axis) and shiboken6.isValid(acc_axis):
                acc_axis.setWidth(int(math.ceil(loss_axis.width())))
        loss_axis.geometryChanged.connect(align_axes)

        # The legend is a line of text above the plot, so it never hides a curve.
        self.legend_label = QLabel()
        self.legend_label.setTextFormat(Qt.RichText)
        self.legend_label.setWordWrap(True)
        self.legend_label.setStyleSheet(f"color: {AXIS_TEXT}; padding: 0 6px;")
        self._legend: list[str] = []
        # the accuracy plot uses the loss plot's colours and legend
        self.acc_widget.setMinimumHeight(60)
        self.plot_widget.setMinimumHeight(100)

        def curve(plot, color, width=2, style=Qt.SolidLine, scale=1.0):
            item = _PeakCurve([], [], pen=pg.mkPen(color, width=width, style=style),
                              connect="finite", scale=scale, x_view=self.plot.getViewBox())
            plot.addItem(item)
            return item

        self.train_curve = curve(self.plot, TRAIN_COLOR)
        self.test_curve = curve(self.plot, TEST_COLOR, style=Qt.DashLine)
        self.step_curve = curve(self.plot, BATCH_COLOR, width=1)
        self.step_curve.setZValue(-20)  # the noisy band goes under the kept runs' means
        self.step_mean_curve = curve(self.plot, MEAN_COLOR)
        self.train_acc_curve = curve(self.acc_plot, TRAIN_COLOR, scale=100)
        self.test_acc_curve = curve(self.acc_plot, TEST_COLOR, style=Qt.DashLine, scale=100)
        # a long curve draws the buckets in view: a zoom or pan may need others
        self.plot.getViewBox().sigXRangeChanged.connect(self._on_view_changed)
        for p in (self.plot, self.acc_plot):
            p.getViewBox().sigResized.connect(self._on_view_changed)

        self.diverged_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(DIVERGED_COLOR, width=1.5, style=Qt.DashLine),
            label="", labelOpts=dict(position=0.92, color=DIVERGED_COLOR, anchors=[(1, 0), (1, 0)],
                                     fill=pg.mkBrush(255, 255, 255, 220)))
        self.diverged_line.setZValue(20)
        self.plot.addItem(self.diverged_line, ignoreBounds=True)
        self.diverged_line.hide()

        # hover read-out
        self.hover_line = pg.InfiniteLine(angle=90, movable=False,
                                          pen=pg.mkPen(0, 0, 0, 70, width=1))
        self.hover_dots = pg.PlotDataItem([], [], pen=None, symbol="o", symbolSize=9,
                                          symbolPen=pg.mkPen("w", width=1.5),
                                          symbolBrush=[])
        self.hover_text = pg.TextItem("", color=AXIS_TEXT, fill=pg.mkBrush(255, 255, 255, 230),
                                      border=pg.mkPen(0, 0, 0, 60))
        for item in (self.hover_line, self.hover_dots, self.hover_text):
            self.plot.addItem(item, ignoreBounds=True)
            item.setZValue(30)
            item.hide()
        # points that share one x: downsampling would divide by their zero spacing
        self.hover_dots.setDownsampling(ds=1, auto=False)
        self.hover_dots.setClipToView(False)
        self._mouse_proxy = pg.SignalProxy(self.plot_widget.scene().sigMouseMoved,
                                           rateLimit=60, slot=self._on_mouse_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        self._bar.addWidget(self.legend_label, 1)
        layout.addWidget(self.plot_widget, 2)
        layout.addWidget(self.acc_widget, 1)
        layout.addWidget(self.status_label)

        self.per_update_box.toggled.connect(self._on_per_update_toggled)
        self.log_box.toggled.connect(self._on_log_toggled)
        self.keep_button.clicked.connect(self.keep_run)
        self.clear_button.clicked.connect(self.clear_kept_runs)

    # -- the document -----------------------------------------------------------
    def set_document(self, document: Document) -> None:
        """Show another document's history (kept runs stay)."""
        if self.document is not None:
            for sig in self._signals(self.document):
                sig.disconnect(self._on_document_changed)
        self.document = document
        for sig in self._signals(document):
            sig.connect(self._on_document_changed)
        self._on_document_changed()

    @staticmethod
    def _signals(doc: Document):
        return (doc.trained, doc.stepped, doc.data_changed, doc.structure_changed)

    def _on_document_changed(self, *_args) -> None:
        self._watch()
        self._mark_dirty()

    def _watch(self) -> None:
        """Note the stepper's history lists (a new stepper, or a shrink after a
        step back); cheap, so it runs on every signal."""
        st = self.document.stepper
        self._epochs.watch(st.epoch_results)
        self._steps.watch(st.step_losses)

    # -- throttling ---------------------------------------------------------------
    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def _on_timer(self) -> None:
        if not self.isVisible():
            return  # redrawn when shown
        self.refresh_now()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._mark_dirty()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_accuracy()

    def _place_accuracy(self) -> bool:
        """The accuracy plot shows for classification, per epoch, when the
        widget is tall enough for it to be readable (the status line gives the
        latest accuracy in any case). Returns whether it shows."""
        show = (self.document is not None and self.document.dataset.kind != "regression"
                and not self.per_update and self.height() >= ACCURACY_MIN_HEIGHT)
        if show != self.acc_widget.isVisibleTo(self) or self._acc_shown is None:
            self._acc_shown = show
            self.acc_widget.setVisible(show)
            # with the accuracy plot below, its axis names the shared x axis
            self.plot.getAxis("bottom").showLabel(not show)
        return show

    def refresh_now(self) -> None:
        """Redraw at once (the timer calls this; tests may too)."""
        self._timer.stop()
        self._dirty = False
        self.redraw_count += 1
        self._watch()
        per_update = self.per_update
        classify = self.document.dataset.kind != "regression"
        started = _clock()
        epochs = self._epochs.rows()
        drawn = self._epochs.clean_rows()  # what the curves get: infinities as gaps
        steps = self._steps.rows() if per_update else None

        self.train_curve.setVisible(not per_update)
        self.test_curve.setVisible(not per_update)
        self.step_curve.setVisible(per_update)
        self.step_mean_curve.setVisible(per_update)
        for run in self._kept:
            run.train.setVisible(not per_update)
            run.test.setVisible(not per_update)
            run.step.setVisible(per_update)
        x_label = "update" if per_update else "epoch"
        if x_label != self._x_label:  # (setLabel relayouts: only on a change)
            self._x_label = x_label
            self.plot.setLabel("bottom", x_label)
            self._acc_shown = None
        self._place_accuracy()

        has_test = self._has_test()
        window = self._mean_window()
        # the series go to their curves' pyramids: the new points only
        if per_update:
            x, y = steps[:, 0], steps[:, 1]
            changed = self._steps.take_dirty_from()
            self.step_curve.set_series(x, self._steps.clean_rows()[:, 1], changed)
            if window > 1:
                self._step_mean = self._mean.update(y, changed, window)
                self.step_mean_curve.set_series(x, self._step_mean, self._mean.changed_from)
            else:
                self._mean.reset()
                self._step_mean = np.empty(0)
                self.step_mean_curve.set_series(x[:0], self._step_mean, 0)
            self._show_divergence(x, self._steps.first_bad(1), "update")
            lo, hi = self.step_curve.pyramid.bounds()
            self._fit_exploded(_early_max(y), lo, hi)
        else:
            x = epochs[:, 0]
            changed = self._epochs.take_dirty_from()
            for item, col in ((self.train_curve, 1), (self.test_curve, 2),
                              (self.train_acc_curve, 3), (self.test_acc_curve, 4)):
                item.set_series(x, drawn[:, col], changed)
            bad = self._epochs.first_bad(1)
            if has_test:  # without a test set its column is NaN throughout
                bad = min(bad, self._epochs.first_bad(2))
            self._show_divergence(x, bad, "epoch")
            (lo1, hi1), (lo2, hi2) = (c.pyramid.bounds() for c in (self.train_curve,
                                                                   self.test_curve))
            self._fit_exploded(_early_max(epochs[:, 1:3]), float(np.fmin(lo1, lo2)),
                               float(np.fmax(hi1, hi2)))
        self._draw_curves()
        self._update_legend(per_update, has_test, classify, window)
        self.keep_button.setEnabled(len(epochs) > 0 or len(self.document.stepper.step_losses) > 0)
        self.clear_button.setEnabled(bool(self._kept))
        self._update_status(epochs, per_update)
        if self._hover_point is not None:
            self.hover_at(self._hover_point)  # follow the new data under a still mouse
        cost_ms = (_clock() - started) * 1000
        self._timer.setInterval(int(min(MAX_REDRAW_MS, max(REDRAW_MS, cost_ms / REDRAW_SHARE))))

    def _has_test(self) -> bool:
        return len(self.document.dataset.X_test) > 0

    # -- pieces of a redraw -------------------------------------------------------------
    def _mean_window(self) -> int:
        """Updates per epoch: the running mean in the per-update view covers one epoch."""
        n = len(self.document.dataset.X_train)
        b = max(1, self.document.project.training.batch_size)
        return int(min(MAX_MEAN_WINDOW, max(1, math.ceil(n / b))))

    def _curves_on_show(self) -> list[tuple[pg.PlotItem, list[_PeakCurve]]]:
        if self.per_update:
            loss = [self.step_curve, self.step_mean_curve] + [r.step for r in self._kept]
            return [(self.plot, loss)]
        loss = [self.train_curve, self.test_curve]
        loss += [c for r in self._kept for c in (r.train, r.test)]
        shown = [(self.plot, loss)]
        if self.document.dataset.kind != "regression":
            shown.append((self.acc_plot, [self.train_acc_curve, self.test_acc_curve]))
        return shown

    def _draw_curves(self) -> None:
        """Each curve on show draws its series for the current view (the
        buckets in view, for a long one)."""
        x_view = self.plot.getViewBox()
        for plot, curves in self._curves_on_show():
            view = _PeakCurve.view_of(plot.getViewBox(), x_view)
            for item in curves:
                item.redraw(view)
                _thin_when_dense(item, 1 if item is self.step_curve else 2)
                if not item.kept:
                    _dot_when_alone(item)

    def _on_view_changed(self, *_args) -> None:
        """A zoom, pan or resize: redraw (throttled) if a long curve needs
        another level or slice of its pyramid."""
        if self.document is None:
            return
        x_view = self.plot.getViewBox()
        for plot, curves in self._curves_on_show():
            view = _PeakCurve.view_of(plot.getViewBox(), x_view)
            if any(item.stale(view) for item in curves):
                self._mark_dirty()
                return

    def _fit_exploded(self, early: float, lo: float, hi: float) -> None:
        """On a linear axis, a loss that exploded (finite but a thousand times
        the first losses, up to 1e300) would flatten everything else: then the
        range stops at three times the early losses and the curve leaves the
        top, which shows the explosion. The log scale shows it all.
        ``early``: the largest of the first ten finite losses; ``lo``, ``hi``:
        the smallest and largest finite loss (NaN without any)."""
        vb = self.plot.getViewBox()
        exploded = not self.log_box.isChecked() and early > 0 and hi > EXPLODED * early
        if exploded:
            vb.enableAutoRange(y=False)
            vb.setYRange(min(0.0, lo), 3 * early, padding=0.02)
        elif self._exploded:
            vb.enableAutoRange(y=True)
        self._exploded = exploded

    def _show_divergence(self, x: np.ndarray, bad: int, unit: str) -> None:
        """The marker at ``x[bad]``, the first point that is not finite (none
        when ``bad`` is past the end)."""
        if bad < len(x):
            at = x[bad]
            # visible first: a hidden label ignores its new text, and a TextItem
            # sets its transform on its first paint, which a culled label never gets
            self.diverged_line.setVisible(True)
            self.diverged_line.setValue(float(at))
            self.diverged_line.label.setFormat(f"diverged at {unit} {int(at)}")
            self.diverged_line.label.updateTransform(force=True)
        else:
            self.diverged_line.hide()

    @property
    def diverged_text(self) -> str:
        """The divergence marker's text, or "" when the history is finite."""
        label = self.diverged_line.label
        return label.toPlainText() if self.diverged_line.isVisible() else ""

    def _update_legend(self, per_update: bool, has_test: bool, classify: bool,
                       window: int) -> None:
        key = (per_update, has_test, classify, window, tuple(id(r) for r in self._kept))
        if key == self._legend_key:
            return
        self._legend_key = key
        entries = []  # (colour, dashed, text)
        if per_update:
            entries.append((BATCH_COLOR, False, "batch loss"))
            if window > 1:
                entries.append((MEAN_COLOR, False, f"mean of last {window}"))
        else:
            entries.append((TRAIN_COLOR, False, "train"))
            if has_test:
                entries.append((TEST_COLOR, True, "test"))
        for run in self._kept:
            entries.append((run.color, False, run.label))
        self._legend = [text for _c, _d, text in entries]

        def swatch(color, dashed):
            c = pg.mkColor(color)
            c.setAlpha(255)
            # box-drawing dashes: no line break inside them (a figure dash allows one)
            glyph = "\u254d\u254d" if dashed else "\u2501\u2501"
            return f"<span style='color:{c.name()}; font-weight:bold'>{glyph}</span>"

        self.legend_label.setText("&nbsp;&nbsp; ".join(
            # non-breaking spaces: an entry wraps as a whole, never inside
            f"{swatch(c, d)}&nbsp;{html.escape(t).replace(' ', '&nbsp;')}"
            for c, d, t in entries))

    def _update_status(self, epochs: np.ndarray, per_update: bool) -> None:
        st = self.document.stepper
        if per_update:
            n = len(st.step_losses)
            text = (f"update {n}: batch loss {fmt(st.step_losses[-1][1])}" if n
                    else "No updates yet: step or train to see the batch loss.")
        elif len(epochs):
            e, train, test = epochs[-1, 0], epochs[-1, 1], epochs[-1, 2]
            text = f"epoch {int(e)}: train {fmt(train)}"
            if self._has_test():
                text += f", test {fmt(test)}"
            acc = [f"{100 * a:.1f}%" for a in epochs[-1, 3:5] if math.isfinite(a)]
            if self.document.dataset.kind != "regression" and acc:
                text += f"  \u00b7  accuracy {' / '.join(acc)}"
            if self.diverged_text:
                text += f" \u2014 {self.diverged_text}: lower the learning rate and reset"
        elif st.step_losses:
            text = (f"No epoch finished yet ({len(st.step_losses)} updates): "
                    f"tick \u201cPer update\u201d to see them.")
        else:
            text = "No training yet: run some epochs to see the loss."
        self.status_label.setText(text)

    # -- toggles --------------------------------------------------------------------
    @property
    def per_update(self) -> bool:
        return self.per_update_box.isChecked()

    def _on_per_update_toggled(self, _checked: bool) -> None:
        self.plot.enableAutoRange()
        self.refresh_now()

    def _on_log_toggled(self, checked: bool) -> None:
        self.plot.setLogMode(x=False, y=checked)
        self.plot.setLabel("left", "loss (log scale)" if checked else "loss")
        self.plot.enableAutoRange()
        self._hide_hover()

    # -- kept runs ------------------------------------------------------------------
    def keep_run(self) -> None:
        """Freeze the current curves as a dimmed, labelled overlay."""
        self._watch()
        epochs = self._epochs.rows().copy()
        steps = self._steps.rows()
        if len(epochs) == 0 and len(steps) == 0:
            return
        label = run_label(self.document.project.training)
        labels = [r.label for r in self._kept]
        if label in labels:
            n = 2
            while f"{label} ({n})" in labels:
                n += 1
            label = f"{label} ({n})"
        color = KEPT_COLORS[len(self._kept) % len(KEPT_COLORS)]
        mean = trailing_mean(steps[:, 1], self._mean_window())
        run = _KeptRun(label, color, epochs, steps[:, 0].copy(), mean)
        for item in run.items:
            item.x_view = self.plot.getViewBox()
            self.plot.addItem(item)
        self._kept.append(run)
        self.refresh_now()

    def clear_kept_runs(self) -> None:
        for run in self._kept:
            for item in run.items:
                self.plot.removeItem(item)
        self._kept.clear()
        self.refresh_now()

    @property
    def kept_runs(self) -> list[str]:
        """The labels of the kept runs, oldest first."""
        return [r.label for r in self._kept]

    @property
    def kept_curves(self) -> list[pg.PlotDataItem]:
        """The kept runs' training-loss curves (per epoch), oldest first."""
        return [r.train for r in self._kept]

    # -- the data on show (for tests and exports) ------------------------------------
    @staticmethod
    def _data(curve: _PeakCurve) -> tuple[np.ndarray, np.ndarray]:
        """The whole series of ``curve`` as of the last redraw (the curve
        itself may hold only the buckets in view)."""
        x, y = curve.series
        n = curve.series_length
        return x[:n], y[:n]

    @property
    def train_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, training losses) of the live run (NaN where not finite)."""
        return self._data(self.train_curve)

    @property
    def test_data(self) -> tuple[np.ndarray, np.ndarray]:
        return self._data(self.test_curve)

    @property
    def step_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(update numbers, batch losses), filled while the per-update view shows."""
        return self._data(self.step_curve)

    @property
    def step_mean_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(update numbers, running mean of the batch loss) (empty without a mean)."""
        return self._data(self.step_mean_curve)

    def legend_labels(self) -> list[str]:
        """The legend's entries, e.g. ["train", "test", "η=0.5 sgd b=1"]."""
        return list(self._legend)

    # -- hover read-out -----------------------------------------------------------------
    def _on_mouse_moved(self, event) -> None:
        pos = event[0]
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            self._hide_hover()
            return
        self.hover_at(vb.mapSceneToView(pos))

    def hover_at(self, view_point: QPointF) -> str:
        """Show the read-out for the data point nearest to ``view_point`` (view
        coordinates of the loss plot); returns its text ("" when there is none)."""
        if self.per_update:
            rows = self._steps.rows()
            ys = [(rows[:, 1], "batch loss", TRAIN_COLOR)]
        else:
            rows = self._epochs.rows()
            ys = [(rows[:, 1], "train", TRAIN_COLOR), (rows[:, 2], "test", TEST_COLOR)]
        if len(rows) == 0:
            self._hide_hover()
            return ""
        xs = rows[:, 0]
        i = int(np.clip(np.searchsorted(xs, view_point.x()), 0, len(xs) - 1))
        if i > 0 and abs(xs[i - 1] - view_point.x()) < abs(xs[i] - view_point.x()):
            i -= 1
        x = xs[i]
        parts, dot_y, dot_brush = [], [], []
        for y, name, color in ys:
            v = y[i]
            if name == "test" and not self._has_test():
                continue
            parts.append(f"{name} {fmt(v)}")
            if math.isfinite(v) and (v > 0 or not self.log_box.isChecked()):
                dot_y.append(v)
                dot_brush.append(pg.mkBrush(color))
        text = f"{'update' if self.per_update else 'epoch'} {int(x)}: " + ", ".join(parts)
        if self.per_update:
            mean = self._step_mean
            if len(mean) > i and self._mean_window() > 1:
                text += f" (mean {fmt(mean[i])})"
        elif self.document.dataset.kind != "regression":
            acc = [f"{name} {100 * a:.1f}%" for a, name in ((rows[i, 3], "train"),
                                                            (rows[i, 4], "test"))
                   if math.isfinite(a)]
            if acc:
                text += "\naccuracy: " + ", ".join(acc)
        self._hover_point = QPointF(view_point)
        self.hover_line.setValue(float(x))
        self.hover_dots.setData([x] * len(dot_y), dot_y, symbolBrush=dot_brush)
        self.hover_text.setText(text)
        (x0, x1), (y0, y1) = self.plot.getViewBox().viewRange()
        right = view_point.x() > (x0 + x1) / 2
        top = view_point.y() > (y0 + y1) / 2
        self.hover_text.setAnchor((1.05 if right else -0.05, -0.1 if top else 1.1))
        self.hover_text.setPos(view_point)
        for item in (self.hover_line, self.hover_dots, self.hover_text):
            item.setVisible(True)  # not show(): TextItem updates its transform in setVisible
        return text

    def _hide_hover(self) -> None:
        self._hover_point = None
        for item in (self.hover_line, self.hover_dots, self.hover_text):
            item.hide()

    @property
    def hover_label(self) -> str:
        """The read-out's text while it shows, else ""."""
        return self.hover_text.toPlainText() if self.hover_text.isVisible() else ""
