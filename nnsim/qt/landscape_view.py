"""The loss landscape: the loss as a function of the selected weight or bias,
every other parameter where it is (the lecture's gradient descent on one
weight), with the current point, the tangent whose slope is dL/dp (the same
number as the edge label after Backward) and the gradient step p − η·dL/dp as
an arrow to the loss it leads to. With a second parameter ("against") it is a
contour map of L over both. Both show the path of recent updates (the
parameters' earlier values; on the curve at their loss on today's curve).

The numbers come from ``core/landscape.py``; this widget reads the document
(network, snapshot, training settings, data) and redraws at most ~30 times a
second, only while visible.
"""
from __future__ import annotations

import time
from collections import deque

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QComboBox, QDockWidget, QHBoxLayout, QLabel, QSizePolicy, QStackedWidget,
                               QVBoxLayout, QWidget)

import pyqtgraph as pg  # after PySide6 (and nnsim.qt sets PYQTGRAPH_QT_LIB)

from ..core import landscape
from ..core.landscape import Param
from ..core.naming import PARTIAL, fmt
from ..document import Document
from .plot_grid import PlotGrid
from .selection import EdgeRef, NeuronRef
from .redraw_throttle import RedrawThrottle, on_screen

Array = np.ndarray

REDRAW_MS = 33  # at most ~30 redraws a second...
# ...and at most a third of the time: a big network on the whole training set
# can take tens of ms a curve (bench: --only landscape), and training or run
# mode keeps the rest
REDRAW_SHARE = 1 / 3
CURVE_POINTS = 200
GRID_POINTS = 60  # per side of the contour map
CONTOUR_LEVELS = 12
SIDE_WIDTH = 185  # px of the column with the choices and the numbers
TRAIL_LENGTH = 100  # parameter states kept for the path
AXIS_TEXT = "#3c4043"
CURVE_COLOR = "#1f5fa8"
POINT_COLOR = "#d95f02"
TANGENT_COLOR = "#7b3294"
STEP_COLOR = "#1b7837"
ROWS = {"batch": "Loss on the mini-batch", "all": "Loss on the training set"}


def all_params(sizes: list[int]) -> list[Param]:
    """Every weight and bias, layer by layer (the "against" choices)."""
    out = []
    for k in range(1, len(sizes)):
        for j in range(sizes[k]):
            out += [Param(k, j, i) for i in range(sizes[k - 1])]
        out += [Param(k, j) for j in range(sizes[k])]
    return out


def param_of(selection) -> Param | None:
    """The parameter a canvas selection stands for: a connection its weight,
    a neuron its bias (an input neuron has none)."""
    if isinstance(selection, EdgeRef):
        return Param(selection.layer, selection.target, selection.source)
    if isinstance(selection, NeuronRef) and selection.layer > 0:
        return Param(selection.layer, selection.neuron)
    return None


class LandscapeView(QWidget):
    """Call ``show_parameter(selection)`` when the canvas selection changes and
    ``set_document`` when another document opens."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document: Document | None = None
        self.render_count = 0  # for tests: how many evaluations ran
        self.rows_mode = "batch"
        self.chosen: Param | None = None  # the selection's parameter (None: the first weight)
        self.param: Param | None = None  # the one on show
        self.against: Param | None = None
        # What is on show, for tests and the read-out
        self.values: Array | None = None  # p values of the curve or the grid's x axis
        self.losses: Array | None = None  # L over values (one parameter)
        self.q_values: Array | None = None
        self.grid: Array | None = None  # L[p, q] (two parameters)
        self.point: tuple | None = None  # (p0, L0) or (p0, q0)
        self.gradient: float | None = None
        self.step_end: tuple | None = None  # (p1, L1) or (p1, q1)
        self._range: dict = {}  # (param, rows) -> (lo, hi) kept while the point stays inside
        # The path of recent updates. Kept here, not in the document, because
        # the document's history keeps losses, not parameters, and the
        # document is being reworked to own all state (issue "One owner of
        # state"); a copy of the parameters per training change is cheap.
        self.trail: deque[list[Array]] = deque(maxlen=TRAIL_LENGTH)
        self.redraw = RedrawThrottle(self, self.refresh_now, REDRAW_MS)
        self._timer = self.redraw.timer
        self._build_ui()
        self.set_document(document)

    # -- construction -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.rows_box = QComboBox()
        self.rows_box.setObjectName("landscape_rows")
        for key, text in ROWS.items():
            self.rows_box.addItem(text, key)
        self.rows_box.setToolTip("The rows the loss and its slope are computed on")
        self.rows_box.activated.connect(lambda _i: self.set_rows(self.rows_box.currentData()))
        self.against_box = QComboBox()
        self.against_box.setObjectName("landscape_against")
        self.against_box.setToolTip("A second parameter: the loss over both, as a contour map")
        self.against_box.activated.connect(
            lambda _i: self.set_against(self.against_box.currentData()))
        self.plot_widget = pg.PlotWidget(background="w")
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        tick_font = QFont()
        tick_font.setPointSize(10)
        for side in ("left", "bottom"):
            ax = self.plot.getAxis(side)
            ax.setPen(pg.mkPen(AXIS_TEXT))
            ax.setTextPen(pg.mkPen(AXIS_TEXT))
            ax.setTickFont(tick_font)
            ax.enableAutoSIPrefix(False)
        self.plot.addItem(PlotGrid(self.plot), ignoreBounds=True)
        # one parameter
        self.curve = pg.PlotDataItem(pen=pg.mkPen(CURVE_COLOR, width=2.5))
        self.tangent = pg.PlotDataItem(pen=pg.mkPen(TANGENT_COLOR, width=2,
                                                    style=Qt.PenStyle.DashLine))
        # both views
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setZValue(-10)
        self.isocurves: list[pg.IsocurveItem] = []
        self.path = pg.PlotDataItem(pen=pg.mkPen(AXIS_TEXT, width=1.5), symbol="o",
                                    symbolSize=5, symbolBrush=AXIS_TEXT, symbolPen=None)
        self.step_line = pg.PlotDataItem(pen=pg.mkPen(STEP_COLOR, width=2.5))
        self.step_head = pg.ArrowItem(pen=pg.mkPen(STEP_COLOR), brush=STEP_COLOR, headLen=14,
                                      tipAngle=35)
        self.step_end_dot = pg.ScatterPlotItem(size=9, brush=pg.mkBrush("w"),
                                               pen=pg.mkPen(STEP_COLOR, width=2))
        self.point_item = pg.ScatterPlotItem(size=13, brush=pg.mkBrush(POINT_COLOR),
                                             pen=pg.mkPen("w", width=1.5))
        for item in (self.image, self.curve, self.tangent, self.path, self.step_line,
                     self.step_end_dot, self.point_item):
            self.plot.addItem(item)
        self.plot.addItem(self.step_head, ignoreBounds=True)
        self.point_item.setZValue(20)

        self.readout = QLabel(" ")
        self.readout.setObjectName("landscape_readout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # it may be cut in a low strip, but never makes the strip taller
        self.readout.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.readout.setStyleSheet(f"color: {AXIS_TEXT}; font-size: 12px; padding: 4px 0 0 0;")
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {AXIS_TEXT}; font-size: 13px; padding: 16px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot_widget)
        self.stack.addWidget(self.message)

        # the controls and the numbers in a side column: the plot keeps the
        # strip's whole height, which is small at 1280x720
        side = QWidget()
        side.setFixedWidth(SIDE_WIDTH)
        column = QVBoxLayout(side)
        column.setContentsMargins(6, 4, 4, 4)
        column.setSpacing(2)
        column.addWidget(self.rows_box)
        column.addWidget(self.against_box)
        column.addWidget(self.readout, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)

    def sizeHint(self) -> QSize:
        return QSize(600, 170)

    # -- the document -------------------------------------------------------------------------
    def set_document(self, document: Document) -> None:
        if self.document is not None:
            self._connect(self.document, False)
        self.document = document
        self._connect(document, True)
        self.chosen = None
        self.against = None
        self.trail.clear()
        self._range.clear()
        self._on_document_changed()

    def _connect(self, doc: Document, on: bool) -> None:
        # the one place this view listens to the document
        if on:
            doc.changed.connect(self._on_document_changed)
        else:
            doc.changed.disconnect(self._on_document_changed)

    def _on_document_changed(self, change=None) -> None:
        if change is not None and not (change.numbers or change.settings or change.history):
            return  # a save, a layout move: the landscape stays
        self._record_trail()
        self.redraw.mark()

    def on_screen(self) -> bool:
        return on_screen(self)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._on_exposed()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ParentChange:
            dock = self.parentWidget()
            if isinstance(dock, QDockWidget):  # its tab coming to the front
                dock.visibilityChanged.connect(self._on_exposed)
        return super().event(event)

    def _on_exposed(self, *_args) -> None:
        self.redraw.exposed()

    def _record_trail(self) -> None:
        """Append the parameters when training (or an edit) changed them; a
        step back to the state before the last one takes that one off."""
        params = self.document.network.parameters()
        if self.trail and [p.shape for p in self.trail[-1]] != [p.shape for p in params]:
            self.trail.clear()  # another structure: the old path means nothing
        if self.trail and all(np.array_equal(a, b) for a, b in zip(self.trail[-1], params)):
            return
        if len(self.trail) > 1 and all(np.array_equal(a, b)
                                       for a, b in zip(self.trail[-2], params)):
            self.trail.pop()
            return
        self.trail.append([p.copy() for p in params])

    # -- what to show -------------------------------------------------------------------------
    def show_parameter(self, selection) -> None:
        """Show the parameter of a canvas selection (None: the first weight)."""
        self.chosen = param_of(selection)
        self._mark_dirty_now()

    def set_rows(self, mode: str) -> None:
        """"batch": the current mini-batch's rows; "all": the whole training set."""
        if mode not in ROWS:
            raise ValueError(f"rows: expected one of {', '.join(ROWS)}, got {mode!r}")
        self.rows_mode = mode
        self.rows_box.setCurrentIndex(list(ROWS).index(mode))
        self._mark_dirty_now()

    def set_against(self, param: Param | None) -> None:
        """A second parameter for the contour map (None: the curve of one)."""
        self.against = param
        self._mark_dirty_now()

    def _mark_dirty_now(self) -> None:
        self.redraw.dirty = True
        if self.on_screen():
            self.refresh_now()

    def rows(self) -> tuple[Array, Array]:
        doc = self.document
        if self.rows_mode == "all":
            return doc.network_data.X_train, doc.network_data.Y_train
        return doc.gradient_check_values()

    def _shown_param(self) -> Param | None:
        net = self.document.network
        p = self.chosen
        if p is not None and _exists(p, net.sizes):
            return p
        return Param(1, 0, 0)  # nothing (valid) selected: the first weight

    def _gradient(self, p: Param, X: Array, Y: Array) -> float:
        """dL/dp on the rows: after Backward (and before Update) the
        snapshot's own number, the one the edge label shows."""
        snap = self.document.snapshot
        k = p.layer - 1
        if (self.rows_mode == "batch" and snap is not None and snap.weights_after is None
                and k < len(snap.dW) and snap.dW[k] is not None):
            return p.gradient(snap.dW, snap.db)
        return landscape.slope(self.document.network, p, X, Y)

    # -- drawing ------------------------------------------------------------------------------
    def refresh_now(self) -> None:
        start = time.perf_counter()
        try:
            self._refresh()
        finally:
            self.redraw.pace((time.perf_counter() - start) * 1000, REDRAW_SHARE, REDRAW_MS)

    def _refresh(self) -> None:
        self.redraw.done()
        doc = self.document
        net = doc.network
        self.param = self._shown_param()
        self._fill_against(net.sizes)
        X, Y = self.rows()
        if len(X) == 0:
            self._show_message("The training set is empty: there is no loss to show.")
            return
        self.stack.setCurrentWidget(self.plot_widget)
        self.render_count += 1
        with np.errstate(all="ignore"):
            if self.against is None:
                self._draw_curve(net, X, Y)
            else:
                self._draw_grid(net, X, Y)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self.readout.setText(" ")

    def _fill_against(self, sizes: list[int]) -> None:
        box = self.against_box
        choices = [None] + [q for q in all_params(sizes) if q != self.param]
        if self.against not in choices:
            self.against = None
        if [box.itemData(i) for i in range(box.count())] != choices:
            box.clear()
            for q in choices:
                box.addItem("against: none" if q is None else f"against {q.name(sizes)}", q)
        box.setCurrentIndex(choices.index(self.against))

    def _axis_range(self, p: Param, p0: float, g: float, X: Array, Y: Array) -> tuple:
        """The range shown for ``p``: kept while the point and its step stay
        well inside, so the point is seen to move along a still curve."""
        net = self.document.network
        lr = self.document.project.training.learning_rate
        key = (p, self.rows_mode)
        kept = self._range.get(key)
        p1 = p0 - lr * g
        if kept is not None:
            lo, hi = kept
            inner = 0.05 * (hi - lo)
            if lo + inner <= min(p0, p1) and max(p0, p1) <= hi - inner:
                return kept
        rng = landscape.parameter_range(p0, g, lr, landscape.curvature(net, p, X, Y))
        self._range[key] = rng
        return rng

    def _draw_curve(self, net, X: Array, Y: Array) -> None:
        p, sizes = self.param, net.sizes
        lr = self.document.project.training.learning_rate
        p0 = p.value(net)
        g = self._gradient(p, X, Y)
        lo, hi = self._axis_range(p, p0, g, X, Y)
        p1 = p0 - lr * g
        values = np.linspace(lo, hi, CURVE_POINTS)
        past = np.array([_value_in(p, t) for t in self.trail])  # the walk so far
        past = past[(past >= lo) & (past <= hi)]
        L = landscape.loss_curve(net, p, np.concatenate([values, past, [p0, p1]]), X, Y)
        self.values, self.losses = values, L[:CURVE_POINTS]  # (L: then the path, p0, p1)
        _set_finite(self.path, past, L[CURVE_POINTS:-2])
        L0, L1 = float(L[-2]), float(L[-1])
        self.point, self.gradient, self.step_end = (p0, L0), g, (p1, L1)
        self.q_values = self.grid = None
        self._show_grid_items(False)
        _set_finite(self.curve, values, self.losses)
        half = 0.18 * (hi - lo)  # the tangent's length each side of the point
        _set_finite(self.tangent, [p0 - half, p0 + half], [L0 - g * half, L0 + g * half])
        _set_finite(self.point_item, [p0], [L0])
        self._draw_step((p0, L0), (p1, L1))
        self.plot.setLabel("bottom", p.name(sizes), color=AXIS_TEXT, size="11pt")
        self.plot.setLabel("left", "L", color=AXIS_TEXT, size="11pt")
        finite = self.losses[np.isfinite(self.losses)]
        bottom = min(float(finite.min()), L0, L1) if len(finite) else 0.0
        top = max(float(finite.max()), L0) if len(finite) else 1.0
        # the bowl around the point, not the far walls: at most 3 times the
        # point's (or its path's) height above the lowest loss
        walk = L[CURVE_POINTS:][np.isfinite(L[CURVE_POINTS:])]
        near = max([L0, L1, *walk]) if np.isfinite(L0) else top
        top = min(top, bottom + 3.0 * max(near - bottom, 1e-12))
        pad = 0.05 * (top - bottom or 1.0)
        self.plot.setRange(xRange=(lo, hi), yRange=(bottom - pad, top + pad), padding=0)
        d = f"{PARTIAL}L/{PARTIAL}{_symbol(p)}"
        note = "" if p.is_active(net) else "<br><small>removed: changing it changes nothing</small>"
        if p.is_bias and not net.layers[p.layer - 1].train_bias:
            note = "<br><small>frozen: the update leaves it</small>"
        self.readout.setText(
            f"<b>{p.name(sizes)}</b> = {fmt(p0)}<br>L = {fmt(L0)} <small>({self._rows_text(X)})"
            f"</small><br><span style='color:{TANGENT_COLOR}'>slope {d} = {fmt(g)}</span><br>"
            f"<span style='color:{STEP_COLOR}'>step to {fmt(p1)}: L = {fmt(L1)}</span>{note}")
        self.readout.setToolTip(
            f"Orange: {p.name(sizes)} now. Purple dashes: the tangent, its slope {d}.\n"
            f"Green arrow: the gradient step {_symbol(p)} − η·{d} with η = {fmt(lr)}"
            f"{'' if self.document.project.training.optimizer == 'sgd' else ' (the chosen optimiser steps differently)'}.\n"
            f"Grey dots: its earlier values, at their loss on this curve.")

    def _draw_grid(self, net, X: Array, Y: Array) -> None:
        p, q, sizes = self.param, self.against, net.sizes
        lr = self.document.project.training.learning_rate
        p0, q0 = p.value(net), q.value(net)
        gp, gq = self._gradient(p, X, Y), self._gradient(q, X, Y)
        plo, phi = self._with_trail(self._axis_range(p, p0, gp, X, Y), p)
        qlo, qhi = self._with_trail(self._axis_range(q, q0, gq, X, Y), q)
        pv, qv = np.linspace(plo, phi, GRID_POINTS), np.linspace(qlo, qhi, GRID_POINTS)
        self.values, self.q_values = pv, qv
        self.grid = landscape.loss_grid(net, p, pv, q, qv, X, Y)
        self.losses = None
        self.gradient = gp
        p1, q1 = p0 - lr * gp, q0 - lr * gq
        self.point, self.step_end = (p0, q0), (p1, q1)
        self._show_grid_items(True)
        G = self.grid
        finite = G[np.isfinite(G)]
        lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        hi = hi if hi > lo else lo + 1.0
        shown = np.nan_to_num(G, nan=hi, posinf=hi, neginf=lo)
        lut = pg.colormap.get("viridis").getLookupTable(nPts=256)
        self.image.setImage(shown, levels=(lo, hi), lut=lut, autoLevels=False)
        dp, dq = (phi - plo) / (GRID_POINTS - 1), (qhi - qlo) / (GRID_POINTS - 1)
        self.image.setRect(plo - dp / 2, qlo - dq / 2, phi - plo + dp, qhi - qlo + dq)
        self._draw_isocurves(shown, lo, hi)
        path = [(_value_in(p, t), _value_in(q, t)) for t in self.trail]
        _set_finite(self.path, [a for a, _ in path], [b for _, b in path])
        _set_finite(self.point_item, [p0], [q0])
        self._draw_step((p0, q0), (p1, q1))
        self.plot.setLabel("bottom", p.name(sizes), color=AXIS_TEXT, size="11pt")
        self.plot.setLabel("left", q.name(sizes), color=AXIS_TEXT, size="11pt")
        self.plot.setRange(xRange=(plo, phi), yRange=(qlo, qhi), padding=0)
        L0 = float(landscape.loss_grid(net, p, [p0], q, [q0], X, Y)[0, 0])
        self.readout.setText(
            f"L = {fmt(L0)} <small>({self._rows_text(X)})</small><br>"
            f"<small>colour: dark low, light high</small><br>"
            f"<span style='color:{STEP_COLOR}'>step to ({fmt(p1)}, {fmt(q1)})</span>")
        self.readout.setToolTip(
            f"Orange: now. Green arrow: the gradient step (both minus η times their slope, "
            f"η = {fmt(lr)}). Dots: the last {len(path)} states. White lines: equal loss.")

    def _with_trail(self, rng: tuple, p: Param) -> tuple:
        """The range widened to hold the recent path."""
        vals = [_value_in(p, t) for t in self.trail]
        vals = [v for v in vals if np.isfinite(v)]
        if not vals:
            return rng
        lo, hi = min(rng[0], min(vals)), max(rng[1], max(vals))
        pad = 0.05 * (hi - lo)
        return (lo - pad if lo < rng[0] else lo, hi + pad if hi > rng[1] else hi)

    def _draw_isocurves(self, G: Array, lo: float, hi: float) -> None:
        levels = np.quantile(G, np.linspace(0.04, 0.96, CONTOUR_LEVELS)) if hi > lo else []
        while len(self.isocurves) < len(levels):
            item = pg.IsocurveItem(pen=pg.mkPen(255, 255, 255, 150, width=1))
            item.setParentItem(self.image)  # in the image's pixels: cell centres at +0.5
            item.setPos(0.5, 0.5)
            self.isocurves.append(item)
        for item, level in zip(self.isocurves, levels):
            item.setData(G, level=float(level))
            item.show()
        for item in self.isocurves[len(levels):]:
            item.hide()

    def _draw_step(self, start: tuple, end: tuple) -> None:
        _set_finite(self.step_line, [start[0], end[0]], [start[1], end[1]])
        _set_finite(self.step_end_dot, [end[0]], [end[1]])
        self.step_head.setPos(*end)
        # the head points along the step, in screen angles (y grows upward in view)
        vb = self.plot.getViewBox()
        a = vb.mapViewToScene(pg.Point(*start))
        b = vb.mapViewToScene(pg.Point(*end))
        angle = float(np.degrees(np.arctan2(b.y() - a.y(), b.x() - a.x()))) + 180.0
        self.step_head.setStyle(angle=angle)
        self.step_head.setVisible(bool(np.all(np.isfinite([*start, *end]))) and a != b)

    def _show_grid_items(self, grid: bool) -> None:
        self.image.setVisible(grid)
        for item in self.isocurves:
            item.setVisible(grid)
        self.curve.setVisible(not grid)
        self.tangent.setVisible(not grid)

    def _rows_text(self, X: Array) -> str:
        n = len(X)
        rows = f"{n} row" + ("" if n == 1 else "s")
        return f"whole training set, {rows}" if self.rows_mode == "all" else f"mini-batch, {rows}"

    # -- for tests ---------------------------------------------------------------------------
    @property
    def tangent_slope(self) -> float:
        """The slope of the tangent as drawn."""
        x, y = self.tangent.getData()
        return float((y[1] - y[0]) / (x[1] - x[0]))

    @property
    def arrow_end(self) -> tuple[float, float]:
        x, y = self.step_line.getData()
        return float(x[1]), float(y[1])

    @property
    def message_text(self) -> str:
        return self.message.text() if self.stack.currentWidget() is self.message else ""


def _set_finite(item, xs, ys) -> None:
    """Set a plot item's points, leaving out those that are not finite (a
    diverged network): pyqtgraph warns about them."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    keep = np.isfinite(xs) & np.isfinite(ys)
    item.setData(xs[keep], ys[keep])


def _exists(p: Param, sizes: list[int]) -> bool:
    try:
        p.check(sizes)
    except ValueError:
        return False
    return True


def _value_in(p: Param, params: list[Array]) -> float:
    """The parameter's value in a [W1, b1, W2, b2, ...] list."""
    k = 2 * (p.layer - 1)
    return float(params[k + 1][p.target] if p.is_bias else params[k][p.source, p.target])


def _symbol(p: Param) -> str:
    return "b" if p.is_bias else "w"
