"""The live loss plot: training and test loss per epoch (or the batch loss per
update), accuracy for classification, a hover read-out, log scale, kept
runs to compare against (the document's own, labelled), and the document's
events (data, learning-rate and activation changes, resets, step backs) as
small markers on the x axis with a tooltip (``event_marks``).

Redraws are throttled: document signals only mark the plot dirty (and note
whether a history list shrank, after a step back); a single-shot timer redraws
at most ~30 times a second, with ``setData`` on curves that live as long as the
widget. The history is read in place (the document's own NumPy columns: the
plot keeps no copy of it, so its memory does not grow with the epochs), and
a redraw costs the new points only, even with a million updates.

The data side is in ``loss_series.py``, the curves in ``loss_curves.py``.
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
from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

import pyqtgraph as pg  # after PySide6 (and nnsim.qt sets PYQTGRAPH_QT_LIB)

from ..document import Document
from ..core.naming import fmt, fmt_percent
from .loss_curves import KeptRun, PeakCurve, dot_when_alone, thin_when_dense
from .loss_series import (Series, TrailingMean, early_max, epoch_rows, finite_or_nan, step_rows,
                          trailing_mean)
from .peak_pyramid import search
from .plot_grid import PlotGrid
from .redraw_throttle import RedrawThrottle

REDRAW_MS = 33  # at most ~30 redraws a second...
# ...and a redraw may take at most about a third of the time: a history of a
# million epochs costs ~50 ms a redraw, which then comes every ~150 ms (the
# canvas and the clicks keep the rest).
REDRAW_SHARE = 1 / 3
MAX_REDRAW_MS = 1000
_clock = time.perf_counter  # (tests replace it)
MAX_MEAN_WINDOW = 1000
ACCURACY_MIN_HEIGHT = 300  # px of the whole widget; below it the accuracy plot hides
ACCURACY_TITLE_MARGIN = 8  # px above and below the accuracy axis's rotated title
EXPLODED = 1000  # a loss this many times the first ones has exploded (see _fit_exploded)
TRAIN_COLOR = "#1f5fa8"  # dark blue
TEST_COLOR = "#d95f02"  # orange, dashed as well (colour-blind safe)
BATCH_COLOR = (130, 165, 205, 120)  # the raw per-update batch loss, faint
MEAN_COLOR = "#0b2f5e"  # its running mean, dark
DIVERGED_COLOR = "#c62828"
AXIS_TEXT = "#3c4043"
# Kept runs: muted hues that differ from the live blue/orange, drawn translucent.
KEPT_COLORS = ["#7b3294", "#1b7837", "#8c510a", "#c51b7d", "#01665e", "#636363",
               "#b2182b", "#4d4d9f"]
# Event markers on the x axis: one colour per kind (see document/events.py).
EVENT_COLORS = {"data": "#1b7837", "learning rate": "#7b3294", "activation": "#8c510a",
                "reset": "#3c4043", "step back": "#c51b7d"}
EVENT_MARK_PX = 11  # the markers' size in px; their base sits on the x axis


class LossPlotWidget(QWidget):
    """Loss (and accuracy) of the document's training history, kept up to date.

    Call ``set_document`` when the main window opens another document; its
    own kept runs show (each document keeps its own until "Clear kept runs").
    """

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document: Document | None = None
        self.redraw_count = 0  # for tests: how many (throttled) redraws ran
        self._kept: list[KeptRun] = []
        self._epochs = Series(epoch_rows, 5)
        self._steps = Series(step_rows, 2)
        self._legend_key = None
        self._hover_point: QPointF | None = None
        self._step_mean = np.empty(0)  # the running mean on show (per update)
        self._mean = TrailingMean()
        self._exploded = False
        self._acc_shown: bool | None = None
        self._x_label = "epoch"

        # hidden, it is redrawn when shown (showEvent)
        self.redraw = RedrawThrottle(self, self.refresh_now, REDRAW_MS, behind_tabs=True)
        self._timer = self.redraw.timer

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
                                    "with the next run of this document (labelled with its "
                                    "learning rate, activations and epochs).")
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
        # the accuracy plot uses the loss plot's colours and legend; it is at
        # least as tall as its rotated title (which was clipped), and its top
        # tick ("100") gets half a line of room above the plot
        title = acc_axis.label.boundingRect().width()  # (rotated: its length is its width)
        bottom = self.acc_plot.getAxis("bottom")
        self.acc_widget.setMinimumHeight(int(math.ceil(title + bottom.height()))
                                         + 2 * ACCURACY_TITLE_MARGIN)
        self.acc_plot.setContentsMargins(0, ACCURACY_TITLE_MARGIN, 0, 0)
        self.plot_widget.setMinimumHeight(100)

        def curve(plot, color, width=2, style=Qt.SolidLine, scale=1.0):
            item = PeakCurve([], [], pen=pg.mkPen(color, width=width, style=style),
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

        # the document's events: markers just above the x axis, each with its tooltip
        self.event_dots = pg.ScatterPlotItem(size=EVENT_MARK_PX, pxMode=True, hoverable=True,
                                             tip=lambda x, y, data: data)
        self.event_dots.setZValue(25)
        self.plot.addItem(self.event_dots, ignoreBounds=True)
        self._event_spots: list[tuple[float, str, str]] = []  # (x, tooltip, kind)
        self.plot.getViewBox().sigRangeChanged.connect(self._place_event_marks)

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
        # the read-out goes when the mouse leaves (a late rate-limited move must
        # not bring it back): the scene's moves say it is in, Leave that it is out
        self._mouse_out = False
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_in)
        self.plot_widget.viewport().installEventFilter(self)

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
    def sizeHint(self) -> QSize:
        """A low strip under the canvas (the window gives the canvas the room)."""
        return QSize(600, 170)

    def set_document(self, document: Document) -> None:
        """Show another document's history, with its own kept runs (axes fit afresh)."""
        if self.document is not None:
            for sig in self._signals(self.document):
                sig.disconnect(self._on_document_changed)
        self.document = document
        for sig in self._signals(document):
            sig.connect(self._on_document_changed)
        self._show_kept_runs()
        self._hide_hover()
        for p in (self.plot, self.acc_plot):
            p.enableAutoRange()
        self._on_document_changed()

    @staticmethod
    def _signals(doc: Document):
        return (doc.changed,)

    def _on_document_changed(self, change=None) -> None:
        """The history, the data (test rows or not) or a new pass (the
        per-update curve) changed: note it, redraw at the next frame."""
        if (change is None or change.history or change.step or change.data or change.structure
                or change.settings or change.values):  # (events come with all of these)
            self._watch()
            self._mark_dirty()

    def _watch(self) -> None:
        """Note the document's history logs (a new log, or a shrink after a
        step back); cheap, so it runs on every signal."""
        doc = self.document
        self._epochs.watch(doc.epoch_results)
        self._steps.watch(doc.step_losses)

    # -- throttling ---------------------------------------------------------------
    def _mark_dirty(self) -> None:
        self.redraw.mark()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.redraw.exposed()

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
        self.redraw.done()
        self.redraw_count += 1
        self._watch()
        per_update = self.per_update
        classify = self.document.dataset.kind != "regression"
        started = _clock()
        epochs = self._epochs.rows()
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
            self.step_curve.set_series(x, y, changed)
            if window > 1:
                self._step_mean = self._mean.update(y, changed, window)
                self.step_mean_curve.set_series(x, self._step_mean, self._mean.changed_from)
            else:
                self._mean.reset()
                self._step_mean = np.empty(0)
                self.step_mean_curve.set_series(x[:0], self._step_mean, 0)
            self._show_divergence(x, self._steps.first_bad(1), "update")
            lo, hi = self.step_curve.pyramid.bounds()
            self._fit_exploded(early_max(y), lo, hi)
        else:
            x = epochs[:, 0]
            changed = self._epochs.take_dirty_from()
            for item, col in ((self.train_curve, 1), (self.test_curve, 2),
                              (self.train_acc_curve, 3), (self.test_acc_curve, 4)):
                item.set_series(x, epochs[:, col], changed)
            bad = self._epochs.first_bad(1)
            if has_test:  # without a test set its column is NaN throughout
                bad = min(bad, self._epochs.first_bad(2))
            self._show_divergence(x, bad, "epoch")
            (lo1, hi1), (lo2, hi2) = (c.pyramid.bounds() for c in (self.train_curve,
                                                                   self.test_curve))
            self._fit_exploded(early_max(epochs[:, 1:3]), float(np.fmin(lo1, lo2)),
                               float(np.fmax(hi1, hi2)))
        self._draw_curves()
        self._show_events(per_update)
        self._update_legend(per_update, has_test, classify, window)
        self.keep_button.setEnabled(len(epochs) > 0 or len(self.document.step_losses) > 0)
        self.clear_button.setEnabled(bool(self._kept))
        self._update_status(epochs, per_update)
        if self._hover_point is not None:
            self.hover_at(self._hover_point)  # follow the new data under a still mouse
        self.redraw.pace((_clock() - started) * 1000, REDRAW_SHARE, REDRAW_MS, MAX_REDRAW_MS)

    def _has_test(self) -> bool:
        return len(self.document.dataset.X_test) > 0

    # -- pieces of a redraw -------------------------------------------------------------
    def _mean_window(self) -> int:
        """Updates per epoch: the running mean in the per-update view covers one epoch."""
        n = len(self.document.dataset.X_train)
        b = max(1, self.document.project.training.batch_size)
        return int(min(MAX_MEAN_WINDOW, max(1, math.ceil(n / b))))

    def _curves_on_show(self) -> list[tuple[pg.PlotItem, list[PeakCurve]]]:
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
            view = PeakCurve.view_of(plot.getViewBox(), x_view)
            for item in curves:
                item.redraw(view)
                thin_when_dense(item, 1 if item is self.step_curve else 2)
                if not item.kept:
                    dot_when_alone(item)

    def _on_view_changed(self, *_args) -> None:
        """A zoom, pan or resize: redraw (throttled) if a long curve needs
        another level or slice of its pyramid."""
        if self.document is None:
            return
        x_view = self.plot.getViewBox()
        for plot, curves in self._curves_on_show():
            view = PeakCurve.view_of(plot.getViewBox(), x_view)
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
        steps = self.document.step_losses
        if per_update:
            n = len(steps)
            text = (f"update {n}: batch loss {fmt(steps[-1][1])}" if n
                    else "No updates yet: step or train to see the batch loss.")
        elif len(epochs):
            e, train, test = epochs[-1, 0], epochs[-1, 1], epochs[-1, 2]
            text = f"epoch {int(e)}: train {fmt(train)}"
            if self._has_test():
                text += f", test {fmt(test)}"
            acc = [fmt_percent(a) for a in epochs[-1, 3:5] if math.isfinite(a)]
            if self.document.dataset.kind != "regression" and acc:
                text += f"  \u00b7  accuracy {' / '.join(acc)}"
            if self.diverged_text:
                text += f" \u2014 {self.diverged_text}: lower the learning rate and reset"
        elif steps:
            text = (f"No epoch finished yet ({len(steps)} updates): "
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
        """Freeze the current curves as a dimmed, labelled overlay (the document keeps it)."""
        run = self.document.keep_run()
        if run is not None:
            self._add_kept(run)
            self.refresh_now()

    def _add_kept(self, data) -> None:
        color = KEPT_COLORS[len(self._kept) % len(KEPT_COLORS)]
        mean = trailing_mean(data.steps[:, 1], self._mean_window())
        run = KeptRun(data.label, color, data.epochs, data.steps[:, 0].copy(), mean)
        for item in run.items:
            item.x_view = self.plot.getViewBox()
            self.plot.addItem(item)
        self._kept.append(run)

    def _show_kept_runs(self) -> None:
        """The overlays of the document on show (another document's go)."""
        for run in self._kept:
            for item in run.items:
                self.plot.removeItem(item)
        self._kept.clear()
        for data in self.document.kept_runs:
            self._add_kept(data)

    def clear_kept_runs(self) -> None:
        self.document.clear_kept_runs()
        self._show_kept_runs()
        self.refresh_now()

    @property
    def kept_runs(self) -> list[str]:
        """The labels of the kept runs, oldest first."""
        return [r.label for r in self._kept]

    @property
    def kept_curves(self) -> list[pg.PlotDataItem]:
        """The kept runs' training-loss curves (per epoch), oldest first."""
        return [r.train for r in self._kept]

    # -- the data on show (what the tests read to check the plot) --------------------
    @staticmethod
    def _data(curve: PeakCurve) -> tuple[np.ndarray, np.ndarray]:
        """The whole series of ``curve`` as of the last redraw (the curve
        itself may hold only the buckets in view)."""
        x, y = curve.series
        n = curve.series_length
        return np.array(x[:n], dtype=float), finite_or_nan(y[:n])

    @property
    def train_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, training losses) of the live run (NaN where not finite)."""
        return self._data(self.train_curve)

    @property
    def step_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(update numbers, batch losses), filled while the per-update view shows."""
        return self._data(self.step_curve)

    @property
    def step_mean_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(update numbers, running mean of the batch loss) (empty without a mean)."""
        return self._data(self.step_mean_curve)

    def legend_labels(self) -> list[str]:
        """The legend's entries, e.g. ["train", "test", "lr 0.5, sigmoid, 3,000 epochs"]."""
        return list(self._legend)

    # -- events -------------------------------------------------------------------------
    def _show_events(self, per_update: bool) -> None:
        """A marker per document event at its epoch (or update), its tooltip
        the event's ("epoch 412: learning rate 0.5 → 0.1")."""
        marks = []
        for e in self.document.events:
            if per_update:
                marks.append((float(e.update), f"update {e.update:,}: {e.text}", e.kind))
            else:
                marks.append((float(e.epoch), e.tooltip, e.kind))
        if marks != self._event_spots:
            self._event_spots = marks
            self._place_event_marks()

    def _place_event_marks(self, *_args) -> None:
        """Put the markers just above the x axis, whatever the y range (a few
        at most a thousand: setData is cheap)."""
        vb = self.plot.getViewBox()
        (_x0, _x1), (y0, y1) = vb.viewRange()
        y = y0 + (y1 - y0) * (EVENT_MARK_PX / 2 + 1) / max(vb.height(), 1.0)
        self.event_dots.setData(
            [{"pos": (x, y), "data": tip, "symbol": "t1",
              "brush": pg.mkBrush(EVENT_COLORS.get(kind, AXIS_TEXT)),
              "pen": pg.mkPen("w", width=1)} for x, tip, kind in self._event_spots])

    @property
    def event_marks(self) -> list[tuple[float, str]]:
        """(x, tooltip) of each event marker on show, oldest first."""
        return [(x, tip) for x, tip, _kind in self._event_spots]

    def _events_at(self, x: float) -> list[str]:
        """The events at x (for the hover read-out)."""
        return [tip.split(": ", 1)[1] for ex, tip, _kind in self._event_spots if ex == x]

    # -- hover read-out -----------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._mouse_out = True
            self._hide_hover()
        return False

    def _on_mouse_in(self, _pos) -> None:
        self._mouse_out = False

    def _on_mouse_moved(self, event) -> None:
        if self._mouse_out:
            return  # a rate-limited move that arrived after the mouse left
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
        i = int(np.clip(search(xs, view_point.x()), 0, len(xs) - 1))
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
            acc = [f"{name} {fmt_percent(a)}" for a, name in ((rows[i, 3], "train"),
                                                            (rows[i, 4], "test"))
                   if math.isfinite(a)]
            if acc:
                text += "\naccuracy: " + ", ".join(acc)
        for note in self._events_at(float(x)):
            text += f"\n\u25b2 {note}"
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
