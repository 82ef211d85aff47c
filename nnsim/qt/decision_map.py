"""The decision map: the network's output (or one neuron's activation) over
the plane of two inputs, with the training points (filled) and test points
(hollow) on top, like TensorFlow Playground.

The math is one batched ``network.forward`` on a grid of points; the pure
helpers ``grid_points``, ``grid_activations`` and ``grid_values`` hold it and
import no Qt. The widget recomputes at most ~14 times a second, and only when
the weights, the structure, the data or the neuron on show changed.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QTransform
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

import pyqtgraph as pg  # after PySide6 (and nnsim.qt sets PYQTGRAPH_QT_LIB)

from ..core.naming import fmt, fmt_percent, neuron_name
from ..core.network import Network
from ..document import Document
from .isocurve import BoundaryItem
from .selection import NeuronRef
from .plain_text import html_text, plain_label
from .redraw_throttle import RedrawThrottle

Array = np.ndarray
Bounds = tuple[float, float, float, float]  # (x_min, x_max, y_min, y_max)

RESOLUTION = 100
MARGIN = 0.1  # of the data's extent, on each side
MAX_POINTS = 3000  # per set drawn on the map (a larger set is thinned evenly)
REDRAW_MS = 70  # ~14 recomputations a second at most
TITLE_MIN_HEIGHT = 200  # px of the widget below which the title is left out


# -- pure helpers (no Qt) ---------------------------------------------------------
def _resolution(resolution) -> tuple[int, int]:
    if isinstance(resolution, (tuple, list)):
        nx, ny = (int(r) for r in resolution)
    else:
        nx = ny = int(resolution)
    if nx < 1 or ny < 1:
        raise ValueError(f"resolution: expected at least 1 cell per side, got {resolution!r}")
    return nx, ny


def grid_points(bounds: Bounds, resolution) -> tuple[Array, Array, Array]:
    """Cell centres of a grid over ``bounds``: ``(xs, ys, P)`` with ``xs`` of
    shape (nx,), ``ys`` (ny,) and the points ``P`` (ny*nx, 2), row by row
    (row i is y = ys[i]), so ``values.reshape(ny, nx)[i, j]`` belongs to
    (xs[j], ys[i]). ``resolution``: cells per side, or (nx, ny)."""
    x0, x1, y0, y1 = (float(b) for b in bounds)
    nx, ny = _resolution(resolution)
    xs = x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx
    ys = y0 + (np.arange(ny) + 0.5) * (y1 - y0) / ny
    XX, YY = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([XX.ravel(), YY.ravel()])


def grid_activations(network: Network, bounds: Bounds, resolution,
                     layer: int | None = None, transform=None) -> Array:
    """Activations of every neuron of ``layer`` (0 = the inputs, None = the
    output layer) over the grid: shape (ny, nx, units), from one batched
    forward pass. The grid is in the data's units; ``transform`` (the
    document's ``input_transform``, core/input_transform.py) turns its points
    into the network's inputs (feature inputs, standardisation)."""
    n_net = network.sizes[0]
    if transform is None and n_net != 2:
        raise ValueError(f"the map needs two inputs; the network has {n_net}")
    L = len(network.layers)
    k = L if layer is None else int(layer)
    if not 0 <= k <= L:
        raise ValueError(f"layer: expected 0 to {L}, got {layer!r}")
    nx, ny = _resolution(resolution)
    _, _, P = grid_points(bounds, (nx, ny))
    if transform is not None:
        P = transform.apply(P)
        if P.shape[1] != n_net:
            raise ValueError(f"the network has {n_net} inputs; the plane gives {P.shape[1]}")
    with np.errstate(all="ignore"):
        _, acts = network.forward(P)
    return acts[k].reshape(ny, nx, -1)


def grid_values(network: Network, bounds: Bounds, resolution, layer: int | None = None,
                neuron: int | None = None, transform=None) -> Array:
    """One neuron's activation over the grid, shape (ny, nx) (see
    ``grid_points`` for which cell is where). ``layer`` as in NeuronRef
    (0 = inputs, None = the output layer); ``neuron`` may be left out when the
    layer has a single neuron."""
    A = grid_activations(network, bounds, resolution, layer, transform)
    units = A.shape[2]
    if neuron is None:
        if units != 1:
            raise ValueError(f"the layer has {units} neurons; say which one (neuron=0..{units - 1})")
        neuron = 0
    if not 0 <= neuron < units:
        raise ValueError(f"neuron: expected 0 to {units - 1}, got {neuron!r}")
    return A[:, :, neuron]


def data_bounds(X: Array, margin: float = MARGIN) -> Bounds:
    """The bounding box of the points in ``X`` (n, 2), widened by ``margin``
    of its extent on each side (a flat or empty extent gets ±1)."""
    X = np.asarray(X, dtype=float)
    X = X[np.all(np.isfinite(X), axis=1)] if len(X) else X
    if len(X) == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    lo, hi = X.min(axis=0), X.max(axis=0)
    out = []
    for a, b in zip(lo, hi):
        span = b - a
        if span <= 0:
            pad = max(1.0, abs(a) * 0.1)
        else:
            pad = margin * span
        out += [a - pad, b + pad]
    return tuple(float(v) for v in out)


def _mix(color: tuple, t: float, base=(255, 255, 255)) -> tuple:
    """``color`` blended toward ``base`` (t = 1: the colour, 0: the base)."""
    return tuple(round(b + (c - b) * t) for c, b in zip(color, base))


def _hex(c: str) -> tuple:
    return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))


# Class colours, shared by the map and the points: class 1 (and positive
# values) blue, class 0 (and negative values) orange, as on the canvas and in
# TensorFlow Playground; further classes from a colour-blind-safe palette.
CLASS_COLORS = ["#e66101", "#2166ac", "#1b9e77", "#7570b3", "#e7298a", "#66a61e",
                "#a6761d", "#666666"]
POSITIVE = _hex("#2166ac")
NEGATIVE = _hex("#e66101")
MIDDLE = (247, 247, 247)
NAN_GREY = (150, 150, 150)
MAP_STRENGTH = 0.6  # map colours are paler than the points, so the points stand out


def class_colors(n: int) -> list[tuple]:
    """RGB of classes 0..n-1 (at least two)."""
    return [_hex(CLASS_COLORS[k % len(CLASS_COLORS)]) for k in range(max(2, n))]


def multiclass_image(P: Array) -> Array:
    """RGB (ny, nx, 3) uint8: each cell the colour of its most likely class,
    paler the less sure the network is (white at a uniform guess)."""
    ny, nx, K = P.shape
    nan = np.isnan(P).any(axis=2)
    P = np.nan_to_num(P, nan=1.0 / K)
    cls = np.argmax(P, axis=2)
    conf = (np.max(P, axis=2) - 1.0 / K) / (1.0 - 1.0 / K)
    conf = np.clip(conf, 0.0, 1.0)[..., None] * MAP_STRENGTH
    colors = np.array(class_colors(K), dtype=float)[cls]
    white = np.array(MIDDLE, dtype=float)
    rgb = np.round(white + (colors - white) * conf).astype(np.uint8)
    rgb[nan] = NAN_GREY  # not a number (a diverged network)
    return rgb


# -- the widget ---------------------------------------------------------------------------
AXIS_TEXT = "#3c4043"
SQUASHING = {"sigmoid", "softmax"}  # activations with values in [0, 1]


def _diverging() -> pg.ColorMap:
    return pg.ColorMap([0.0, 0.5, 1.0], [_mix(NEGATIVE, MAP_STRENGTH, MIDDLE), MIDDLE,
                                         _mix(POSITIVE, MAP_STRENGTH, MIDDLE)])


def _sequential() -> pg.ColorMap:
    return pg.colormap.get("viridis")


def _toward(color: tuple) -> pg.ColorMap:
    return pg.ColorMap([0.0, 1.0], [MIDDLE, _mix(color, MAP_STRENGTH, MIDDLE)])


class DecisionMapWidget(QWidget):
    """The network's output over the input plane, live. ``show_neuron(ref)``
    switches to one neuron's activation (None or an EdgeRef: back to the
    network's output). Call ``set_document`` when another document opens."""

    def __init__(self, document: Document, parent: QWidget | None = None,
                 resolution: int = RESOLUTION):
        super().__init__(parent)
        self.document: Document | None = None
        self.resolution = resolution
        self.render_count = 0  # for tests: how many grid evaluations ran
        self._target_ranges = None  # ((Y_train, Y_test, column), (lo, hi)) of the data on show
        self._ref: NeuronRef | None = None
        self._force = True
        self._rendered: tuple | None = None  # the _key() last drawn
        self.bounds: Bounds = (-1.0, 1.0, -1.0, 1.0)
        self.values: Array | None = None  # what the map shows: (ny, nx) or (ny, nx, K)
        self.shown_title = ""

        self.redraw = RedrawThrottle(self, self.refresh_now, REDRAW_MS)
        self._timer = self.redraw.timer

        self._build_ui()
        self.set_document(document)

    # -- construction --------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        # blend neighbouring cells when the image is scaled up: no stair-steps
        self.graphics.setRenderHint(QPainter.SmoothPixmapTransform, True)
        self.plot = self.graphics.addPlot(row=0, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        for side in ("left", "bottom"):
            ax = self.plot.getAxis(side)
            ax.setPen(pg.mkPen(AXIS_TEXT))
            ax.setTextPen(pg.mkPen(AXIS_TEXT))
            # ticks in the data's units: no "x2 (x0.001)" with ticks -500..500
            ax.enableAutoSIPrefix(False)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image_item)
        # (traced with NumPy: pyqtgraph's own loop costs ~30 ms a frame in run mode)
        self.boundary = BoundaryItem(level=0.5, pen=pg.mkPen(60, 60, 60, 160, width=1.5))
        self.plot.addItem(self.boundary, ignoreBounds=True)
        self.train_points = pg.ScatterPlotItem(size=8, pxMode=True)
        self.test_points = pg.ScatterPlotItem(size=8, pxMode=True)
        self.train_points.setZValue(10)
        self.test_points.setZValue(11)
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.test_points)
        self.color_bar = pg.ColorBarItem(values=(0, 1), colorMap=_diverging(), interactive=False,
                                         width=14, colorMapMenu=False, pen=AXIS_TEXT)
        self.color_bar.axis.setTextPen(pg.mkPen(AXIS_TEXT))
        self.color_bar.axis.setWidth(58)
        self.color_bar.axis.enableAutoSIPrefix(False)
        self.color_bar.axis.setStyle(maxTickLevel=0)  # major ticks only: fewer, readable labels
        self.graphics.addItem(self.color_bar, row=0, col=1)
        self.graphics.ci.setContentsMargins(4, 10, 4, 4)  # room for the bar's top label

        self.message = QLabel()
        self.message.setAlignment(Qt.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {AXIS_TEXT}; font-size: 13px; padding: 16px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.graphics)
        self.stack.addWidget(self.message)

        self.legend_label = QLabel()
        self.legend_label.setTextFormat(Qt.RichText)
        self.legend_label.setWordWrap(True)
        self.legend_label.setStyleSheet(f"color: {AXIS_TEXT}; padding: 1px 6px 3px 6px;")
        self.hover_label = plain_label(QLabel(" "))  # names as typed
        self.hover_label.setStyleSheet(f"color: {AXIS_TEXT}; padding: 0 6px 0 6px;")
        self.hover_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self._mouse_proxy = pg.SignalProxy(self.graphics.scene().sigMouseMoved, rateLimit=30,
                                           slot=self._on_mouse_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)
        row = QHBoxLayout()  # legend left, hover read-out right: one line
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.legend_label, 1)
        row.addWidget(self.hover_label)
        layout.addLayout(row)

    # -- the document ----------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        """Beside the loss plot in a low strip (the window gives the canvas the room)."""
        return QSize(600, 170)

    def set_document(self, document: Document) -> None:
        if self.document is not None:
            self._connect(self.document, False)
        self.document = document
        self._connect(document, True)
        self._ref = None
        self._on_data_changed()

    def _connect(self, doc: Document, on: bool) -> None:
        if on:
            doc.changed.connect(self._on_document_changed)
        else:
            doc.changed.disconnect(self._on_document_changed)

    def _on_document_changed(self, change) -> None:
        """A micro-step that updates nothing (forward, backward) draws nothing."""
        if change.data:
            self._on_data_changed()
        elif change.structure:
            self._on_structure_changed()
        elif change.values:
            self._mark_dirty(force=True)

    def _on_structure_changed(self) -> None:
        if self._ref is not None and not self._ref_exists(self._ref):
            self._ref = None
        self._mark_dirty(force=True)

    def _on_data_changed(self) -> None:
        self._target_ranges = None
        ds = self.document.dataset
        if ds.n_inputs == 2:
            self.bounds = data_bounds(np.vstack([ds.X_train, ds.X_test]))
            self._draw_points()
        self._mark_dirty(force=True)

    # -- the neuron on show -----------------------------------------------------------------
    def show_neuron(self, ref) -> None:
        """Show ``ref``'s activation (a NeuronRef of any layer; inputs show
        their own value); anything else (None, an EdgeRef, a neuron that no
        longer exists) shows the network's output."""
        if not (isinstance(ref, NeuronRef) and self._ref_exists(ref)) \
                or self._is_whole_output(ref):
            ref = None  # a single output neuron's map is the network's output map
        if ref == self._ref:
            return
        self._ref = ref
        self._mark_dirty(force=True)

    @property
    def shown_neuron(self) -> NeuronRef | None:
        return self._ref

    def _ref_exists(self, ref: NeuronRef) -> bool:
        return self.document.exists(ref)

    def _is_whole_output(self, ref: NeuronRef) -> bool:
        """A single output neuron: its map is the network's output map."""
        sizes = self.document.network.sizes
        return ref.layer == len(sizes) - 1 and sizes[-1] == 1

    # -- throttling --------------------------------------------------------------------------
    def _mark_dirty(self, force: bool = False) -> None:
        self._force = self._force or force
        self.redraw.mark()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.on_exposed()

    def on_exposed(self, shown: bool = True) -> None:
        """Brought up to date when shown again (e.g. its dock's tab comes to the front)."""
        self.redraw.exposed(shown)

    def _key(self) -> tuple:
        net = self.document.network
        return (id(net), tuple(net.sizes), tuple(l.activation for l in net.layers),
                id(self.document.dataset), id(self.document.network_data), self._ref,
                self.bounds, self.resolution)

    def _unchanged(self) -> bool:
        """Nothing to redraw: no change of the weights since (the document's
        flags set ``_force``) and the same neuron, bounds and resolution."""
        return not self._force and self._rendered == self._key()

    def refresh_now(self, force: bool = False) -> None:
        """Recompute and draw now if anything changed (``force``: in any case)."""
        self.redraw.done()
        if force:
            self._force = True
        if self._unchanged():
            return
        self._force = False
        net, ds = self.document.network, self.document.dataset
        self._rendered = self._key()
        if ds.n_inputs != 2 or net.sizes[0] != self.document.network_data.n_inputs:
            n = ds.n_inputs if ds.n_inputs != 2 else net.sizes[0]
            self.message.setText(f"The map needs two inputs; this data has {n}.")
            self.stack.setCurrentWidget(self.message)
            self.legend_label.hide()
            self.values = None
            return
        self.stack.setCurrentWidget(self.graphics)
        self.legend_label.show()
        self.render_count += 1
        self._render()

    # -- drawing ------------------------------------------------------------------------------
    def _render(self) -> None:
        net, ds = self.document.network, self.document.dataset
        sizes = net.sizes
        last = len(sizes) - 1
        ref = self._ref
        layer = last if ref is None else ref.layer
        A = grid_activations(net, self.bounds, self.resolution, layer,
                             self.document.input_transform)
        has_nan = bool(np.isnan(A).any())
        names = ds.input_names
        self.plot.setLabel("bottom", html_text(names[0]))  # pyqtgraph labels are HTML
        self.plot.setLabel("left", html_text(names[1]))

        if ref is None or self._is_whole_output(ref):
            if ds.kind == "multiclass" and A.shape[2] > 1:
                self.values = A
                self._show_rgb(multiclass_image(A))
                title = "most likely class over the input plane (paler: less sure)"
            elif ds.kind == "regression":
                self.values = A[:, :, 0]
                lo, hi = self._target_range()
                self._show_scalar(self.values, _sequential(), lo, hi, None)
                title = "network output over the input plane"
                if A.shape[2] > 1:
                    title = f"output {ds.target_names[0]} over the input plane"
            else:
                self.values = A[:, :, 0]
                self._show_scalar(self.values, _diverging(), 0.0, 1.0, 0.5)
                title = f"network output over the input plane (P({_target(ds, 1)}))"
        else:
            self.values = A[:, :, ref.neuron]
            name = neuron_name(sizes, ref.layer, ref.neuron)
            act = net.layers[ref.layer - 1].activation if ref.layer > 0 else None
            if ref.layer == last and ds.kind == "multiclass":
                color = class_colors(sizes[-1])[ref.neuron]
                self._show_scalar(self.values, _toward(color), 0.0, 1.0, 0.5)
                title = f"output of {name} (P({_target(ds, ref.neuron)})) over the input plane"
            elif ref.layer == last and ds.kind == "regression":
                lo, hi = self._target_range(ref.neuron)
                self._show_scalar(self.values, _sequential(), lo, hi, None)
                title = f"output of {name} over the input plane"
            elif act in SQUASHING:
                self._show_scalar(self.values, _diverging(), 0.0, 1.0, 0.5)
                title = f"output of {name} ({act}) over the input plane"
            elif act == "tanh":
                self._show_scalar(self.values, _diverging(), -1.0, 1.0, 0.0)
                title = f"output of {name} ({act}) over the input plane"
            else:
                v = self.values[np.isfinite(self.values)]
                lo = float(v.min()) if len(v) else 0.0
                m = float(np.abs(v).max()) if len(v) else 0.0
                m = m if m > 0 else 1.0
                if lo >= 0:  # relu and friends: zero (inactive) white, active blue
                    self._show_scalar(self.values, _toward(POSITIVE), 0.0, m, None)
                else:
                    self._show_scalar(self.values, _diverging(), -m, m, 0.0)
                title = (f"input {self.document.input_names()[ref.neuron]} over the input plane"
                         if ref.layer == 0
                         else f"output of {name} ({act}) over the input plane")
        if has_nan:
            title = "not a number (grey): training diverged"
        self.shown_title = title
        self.color_bar.axis.setLabel("output" if ref is None or ref.layer == last
                                     else ("value" if ref.layer == 0 else "activation"),
                                     color=AXIS_TEXT)
        self._show_title()
        self._update_legend()

    def _show_title(self) -> None:
        """The title above the map, but in a low strip (the window's default
        at 1280x720) the map gets its rows and the title is the tooltip."""
        self.graphics.setToolTip(self.shown_title)
        if self.height() >= TITLE_MIN_HEIGHT:
            self.plot.setTitle(html_text(self.shown_title), color=AXIS_TEXT, size="9pt")
        else:
            self.plot.setTitle(None)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if (event.size().height() >= TITLE_MIN_HEIGHT) != \
                (event.oldSize().height() >= TITLE_MIN_HEIGHT):
            self._show_title()

    def _target_range(self, column: int = 0) -> tuple[float, float]:
        """The finite targets' range of ``column``, worked out once per data
        set: a pass over all rows made copies of the targets (two for 960,000
        rows: 15 MB, and 15 ms) on every frame of a run."""
        ds = self.document.dataset
        key = (ds.Y_train, ds.Y_test, column)  # the arrays themselves: never changed in place
        cached = self._target_ranges
        if cached is not None and all(a is b for a, b in zip(cached[0][:2], key[:2])) \
                and cached[0][2] == column:
            return cached[1]
        lo, hi = math.inf, -math.inf
        for Y in (ds.Y_train[:, column], ds.Y_test[:, column]):
            Y = Y[np.isfinite(Y)]
            if len(Y):
                lo, hi = min(lo, float(Y.min())), max(hi, float(Y.max()))
        if lo > hi:
            found = (0.0, 1.0)
        else:
            found = (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)
        self._target_ranges = (key, found)
        return found

    def _rect(self) -> QRectF:
        x0, x1, y0, y1 = self.bounds
        return QRectF(x0, y0, x1 - x0, y1 - y0)

    def _show_scalar(self, values: Array, cmap: pg.ColorMap, lo: float, hi: float,
                     boundary: float | None) -> None:
        mid = (lo + hi) / 2
        nan = np.isnan(values)
        shown = np.nan_to_num(values, nan=mid, posinf=hi, neginf=lo)
        lut = cmap.getLookupTable(nPts=256)
        if nan.any():  # colour by hand, so "not a number" can be grey, not a value
            t = np.clip((shown - lo) / (hi - lo), 0.0, 1.0)
            rgb = lut[np.round(t * 255).astype(int)][..., :3].copy()
            rgb[nan] = NAN_GREY
            self.image_item.setImage(rgb, autoLevels=False, levels=(0, 255), lut=None)
        else:
            self.image_item.setImage(shown, levels=(lo, hi), autoLevels=False, lut=lut)
        self.image_item.setRect(self._rect())
        self.color_bar.setColorMap(cmap)
        self.color_bar.setLevels((lo, hi))
        self.color_bar.show()
        if boundary is not None and np.nanmin(shown) < boundary < np.nanmax(shown):
            # IsocurveItem traces data[i, j] at (i, j): give it (x, y)-indexed data and
            # map cell indices onto the plane (cell centres at index + 0.5).
            x0, x1, y0, y1 = self.bounds
            ny, nx = shown.shape
            t = QTransform()
            t.translate(x0, y0)
            t.scale((x1 - x0) / nx, (y1 - y0) / ny)
            t.translate(0.5, 0.5)
            self.boundary.setTransform(t)
            self.boundary.setLevel(boundary)
            self.boundary.setData(shown.T)
            self.boundary.show()
        else:
            self.boundary.hide()

    def _show_rgb(self, rgb: Array) -> None:
        self.image_item.setImage(rgb, autoLevels=False, levels=(0, 255), lut=None)
        self.image_item.setRect(self._rect())
        self.color_bar.hide()
        self.boundary.hide()

    # -- points and legend ------------------------------------------------------------------------
    def _point_style(self, Y: Array) -> tuple[list, str]:
        """Per-point colours for targets ``Y``."""
        ds = self.document.dataset
        if ds.kind == "regression":
            lo, hi = self._target_range()
            lut = _sequential().getLookupTable(nPts=256)
            t = np.clip((np.nan_to_num(Y[:, 0]) - lo) / (hi - lo), 0, 1)
            return [tuple(lut[int(round(v * 255))]) for v in t], "regression"
        if ds.kind == "multiclass":
            cls = np.argmax(Y, axis=1)
        else:
            cls = (Y[:, 0] > 0.5).astype(int)
        palette = class_colors(max(2, ds.n_outputs))
        return [palette[c] for c in cls], "classes"

    @staticmethod
    def _thin(X: Array, Y: Array) -> tuple[Array, Array]:
        if len(X) <= MAX_POINTS:
            return X, Y
        idx = np.linspace(0, len(X) - 1, MAX_POINTS).astype(int)
        return X[idx], Y[idx]

    def _draw_points(self) -> None:
        ds = self.document.dataset
        X, Y = self._thin(ds.X_train, ds.Y_train)
        colors, _ = self._point_style(Y)
        self.train_points.setData(
            pos=X, brush=[pg.mkBrush(*c) for c in colors],
            pen=pg.mkPen(255, 255, 255, 230, width=1.2), size=8)
        X, Y = self._thin(ds.X_test, ds.Y_test)
        colors, kind = self._point_style(Y)
        if kind == "regression":
            # a ring in the map's own colours would vanish where the fit is good:
            # filled with the target's colour, outlined dark (as TF Playground does)
            self.test_points.setData(pos=X, brush=[pg.mkBrush(*c) for c in colors],
                                     pen=pg.mkPen(30, 30, 30, 230, width=1.2), size=8)
        else:
            self.test_points.setData(pos=X, brush=pg.mkBrush(255, 255, 255, 150),
                                     pen=[pg.mkPen(*c, width=2.2) for c in colors], size=8)
        # The view is the data's box (with data_bounds' margin), filling the
        # panel: a locked aspect showed x from -3 to 3 for data in -1..1 in the
        # low, wide strip the map lives in.
        x0, x1, y0, y1 = self.bounds
        vb = self.plot.getViewBox()
        vb.setAspectLocked(False)
        vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _update_legend(self) -> None:
        ds = self.document.dataset

        def dot(c, hollow=False):
            c = "#%02x%02x%02x" % tuple(c[:3])
            if hollow:
                return f"<span style='color:{c}'>\u25cb</span>"
            return f"<span style='color:{c}'>\u25cf</span>"

        parts = []
        if ds.kind == "regression":
            parts.append("colour = target")
        else:
            palette = class_colors(max(2, ds.n_outputs))
            names = ds.target_names if ds.kind == "multiclass" else ["class 0", "class 1"]
            parts.append("&nbsp;&nbsp;".join(f"{dot(palette[k])} {html_text(name)}"
                                               for k, name in enumerate(names)))
        n_tr, n_te = len(ds.X_train), len(ds.X_test)
        if ds.kind == "regression":
            points = f"white edge: training ({n_tr})"
            if n_te:
                points += f", dark edge: test ({n_te})"
        else:
            points = f"\u25cf training ({n_tr})"
            if n_te:
                points += f" &nbsp;\u25cb test ({n_te})"
        if n_tr > MAX_POINTS or n_te > MAX_POINTS:
            points += f" &nbsp;(at most {MAX_POINTS} of each drawn)"
        parts.append(points)
        self.legend_label.setText(" &nbsp;&nbsp;|&nbsp;&nbsp; ".join(parts))

    # -- hover read-out ---------------------------------------------------------------------------
    def _on_mouse_moved(self, event) -> None:
        pos = event[0]
        vb = self.plot.getViewBox()
        if self.values is None or not vb.sceneBoundingRect().contains(pos):
            self.hover_label.setText(" ")
            return
        p = vb.mapSceneToView(pos)
        self.hover_label.setText(self.read_out(p.x(), p.y()))

    def read_out(self, x: float, y: float) -> str:
        """What the map shows at (x, y) of the plane, e.g. "x1 = 0.3, x2 = -0.5: 0.734"."""
        x0, x1, y0, y1 = self.bounds
        if self.values is None or not (x0 <= x <= x1 and y0 <= y <= y1):
            return " "
        ny, nx = self.values.shape[:2]
        j = min(nx - 1, int((x - x0) / (x1 - x0) * nx))
        i = min(ny - 1, int((y - y0) / (y1 - y0) * ny))
        ds = self.document.dataset
        names = ds.input_names
        where = f"{names[0]} = {fmt(x, 3)}, {names[1]} = {fmt(y, 3)}"
        v = self.values[i, j]
        if np.ndim(v) == 0:
            what = "value" if self._ref is not None else "output"
            return f"{where}: {what} {fmt(v)}"
        k = int(np.argmax(v))
        return f"{where}: {_target(ds, k)} ({fmt_percent(float(v[k]))})"

    # -- for tests and the main window ------------------------------------------------------------
    def grid_points(self) -> Array:
        """The (N, 2) points the map evaluates, in the order of ``values.reshape(-1)``."""
        return grid_points(self.bounds, self.resolution)[2]

    @property
    def message_text(self) -> str:
        """The message shown instead of the map, or "" while the map shows."""
        return self.message.text() if self.stack.currentWidget() is self.message else ""


def _target(ds, k: int) -> str:
    names = ds.target_names
    if ds.kind == "binary" and len(names) == 1:
        return f"class {k}"
    return names[k] if k < len(names) else f"class {k}"


