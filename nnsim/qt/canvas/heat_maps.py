"""Heat maps inside the neurons, as in TensorFlow Playground.

For a network over a 2-D input plane (the data's two input columns), each
neuron can show its activation over that plane inside its circle: the
inputs show x1 and x2 themselves, hidden and output neurons their a. One
batched ``network.forward`` over a small grid gives every neuron's map at
once (a pure read-only computation on the document's network, like the
decision map's); each map is coloured into a QImage and cached on its
NeuronItem, which paints it as the circle's fill.

Updates are throttled (at most one every REFRESH_MS) and made only when
what the maps show changed: the weights, the structure, the activations or
the plane's bounds. A relabel that comes REFRESH_MS or more after the last
update updates the maps at once, so they are painted in the same repaint as
the labels (no second repaint of the canvas); one sooner starts a timer in
the canvas, so the last state is always shown. With the maps off, the
scene's hooks return at once.

Colours are the decision map's diverging map (negative orange, white
middle, positive blue, as the weights are drawn), stronger than the map's
(which is pale so its points stand out; a neuron's circle is small and has
no points), over a range that follows the neuron's activation (see
``value_range``); "not a number" is grey.
"""
from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage

from ..decision_map import (MIDDLE, NAN_GREY, NEGATIVE, POSITIVE, _mix, data_bounds,
                            grid_points)

Array = np.ndarray

RESOLUTION = 32  # grid cells per side: 1,024 points, one forward pass
REFRESH_MS = 50  # at most ~20 updates a second, at least ~12 while frames arrive at 30 Hz
SQUASHING = {"sigmoid", "softmax"}  # values in [0, 1]: the middle colour at 0.5
ZERO_CENTRED = {"tanh"}  # values in [-1, 1]
# The built-in two-input classification sets that TensorFlow Playground also
# offers: a network trained on one of them shows its heat maps by default.
# (xor_table, the four-row truth table, is studied by hand: no heat maps.)
STRENGTH = 0.9  # of the decision map's end colours (its own maps use MAP_STRENGTH)
PLAYGROUND_SETS = frozenset({"xor", "circle", "gaussians", "spiral", "moons", "three_class"})


# -- pure helpers (no widgets) ------------------------------------------------------------
def has_input_plane(document) -> bool:
    """Whether the document's network reads a 2-D input plane: the data's
    two input columns (and any feature inputs made from them)."""
    return (document.dataset.n_inputs == 2
            and document.network.sizes[0] == document.network_data.n_inputs)


def playground_style(document) -> bool:
    """Whether heat maps are on by default: the data is one of the built-in
    two-input classification sets (PLAYGROUND_SETS) and the network reads it."""
    return has_input_plane(document) and document.dataset.name in PLAYGROUND_SETS


def plane_activations(network, bounds, resolution: int = RESOLUTION,
                      transform=None) -> list[Array]:
    """Every neuron's value over a grid on the input plane, from one batched
    forward pass: one array (ny, nx, units) per layer, index 0 the network's
    inputs (``transform``, the document's input_transform: the grid's raw
    points become what the network reads, features and standardisation).
    Row i of the grid is y = ys[i] (decision_map.grid_points)."""
    _, _, P = grid_points(bounds, resolution)
    if transform is not None:
        P = transform.apply(P)
    with np.errstate(all="ignore"):
        _, acts = network.forward(P)
    n = int(resolution)
    return [a.reshape(n, n, -1) for a in acts]


def value_ranges(activations: list, A: Array) -> tuple[Array, Array]:
    """The colour map's low and high end for each neuron's map (the last axis
    of ``A``; ``activations`` names each neuron's activation, None for an
    input): [0, 1] for sigmoid and softmax, [-1, 1] for tanh (as the decision
    map shows them), else symmetric around 0 up to the largest finite |value|
    on the grid (inputs, relu, linear: zero is white, whatever the scale)."""
    with np.errstate(invalid="ignore"):
        m = np.where(np.isfinite(A), np.abs(A), 0.0).max(axis=(0, 1))
    m[m <= 0] = 1.0
    lo, hi = -m, m.copy()
    squash = np.array([a in SQUASHING for a in activations])
    lo[squash], hi[squash] = 0.0, 1.0
    centred = np.array([a in ZERO_CENTRED for a in activations])
    lo[centred], hi[centred] = -1.0, 1.0
    return lo, hi


_LUT: Array | None = None


def _lut() -> Array:
    global _LUT
    if _LUT is None:
        t = np.linspace(-1.0, 1.0, 256)[:, None]
        neg = np.array(_mix(NEGATIVE, STRENGTH, MIDDLE), dtype=float)
        pos = np.array(_mix(POSITIVE, STRENGTH, MIDDLE), dtype=float)
        mid = np.array(MIDDLE, dtype=float)
        lut = np.where(t < 0, mid + (neg - mid) * -t, mid + (pos - mid) * t)
        _LUT = np.round(lut).astype(np.uint8)
    return _LUT


def heat_rgb(values: Array, lo, hi) -> Array:
    """RGB uint8 of maps as drawn, shape ``values.shape + (3,)``: the
    colour of each value between ``lo`` and ``hi`` (per map when arrays over
    the last axis), not-a-number grey, and row 0 at the top (the plane's
    largest y)."""
    with np.errstate(all="ignore"):
        t = (values - lo) / (hi - lo)
    nan = np.isnan(t)
    t[nan] = 0.5
    np.clip(t, 0.0, 1.0, out=t)
    t *= 255
    t += 0.5
    rgb = np.take(_lut(), t.astype(np.intp), axis=0)
    if nan.any():
        rgb[nan] = NAN_GREY
    return rgb[::-1]


def to_qimage(rgb: Array) -> QImage:
    h, w, _ = rgb.shape
    # QImage does not own the buffer: copy() gives it its own
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


# -- the scene's part ---------------------------------------------------------------------------
class HeatMaps(QObject):
    """The heat maps of one NetworkScene's neurons.

    The scene calls ``items_built()`` after it made its neuron items and
    ``schedule()`` after every relabel; the main window calls
    ``set_enabled``. ``refresh_now()`` draws at once (tests, export)."""

    def __init__(self, scene, resolution: int = RESOLUTION, clock=time.monotonic):
        super().__init__(scene)
        self.scene = scene
        self.resolution = resolution
        self.clock = clock  # seconds; tests drive a fake one
        self._last = -math.inf  # the clock at the last update
        self.enabled = False
        self.render_count = 0  # how many times the maps were computed (tests, bench)
        self.bounds = (-1.0, 1.0, -1.0, 1.0)
        self._bounds_of: tuple = ()  # the (X_train, X_test) the bounds are of (held, so
        # a new data set is never taken for the old one)
        self._shown: tuple | None = None  # what the maps on the items show (see _key)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh_now)

    @property
    def available(self) -> bool:
        return has_input_plane(self.scene.document)

    @property
    def showing(self) -> bool:
        """Whether the neurons show heat maps now."""
        return self.enabled and self.available

    def set_enabled(self, on: bool) -> None:
        if on == self.enabled:
            return
        self.enabled = on
        if on:
            self.refresh_now()
        else:
            self._timer.stop()
            self._clear()

    def items_built(self) -> None:
        """New neuron items: they get their maps now (no blank frame)."""
        self._shown = None
        if self.enabled:
            self.refresh_now()

    def schedule(self) -> None:
        """Something may have changed (a relabel): update now if the last
        update is REFRESH_MS old, else when it will be."""
        if not self.enabled or self._timer.isActive():
            return
        wait_ms = (self._last - self.clock()) * 1000 + REFRESH_MS
        if wait_ms <= 0:
            self.refresh_now()
        else:
            self._timer.start(math.ceil(wait_ms))

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    # -- computing --------------------------------------------------------------------------
    def _plane_bounds(self) -> tuple:
        ds = self.scene.document.dataset
        of = self._bounds_of
        if not of or of[0] is not ds.X_train or of[1] is not ds.X_test:
            self.bounds = data_bounds(np.vstack([ds.X_train, ds.X_test]))
            self._bounds_of = (ds.X_train, ds.X_test)
        return self.bounds

    def _key(self, net, bounds, transform) -> tuple:
        params = b"".join(np.ascontiguousarray(p).tobytes()
                          for l in net.layers for p in (l.effective_W, l.b))
        scaling = b"" if transform.mean is None else (transform.mean.tobytes()
                                                     + transform.std.tobytes())
        return (tuple(net.sizes), tuple(l.activation for l in net.layers), bounds,
                self.resolution, params, transform.features, scaling)

    def refresh_now(self) -> None:
        """Compute and paint the maps if what they show changed."""
        self._timer.stop()
        scene = self.scene
        if not self.enabled or not scene.neurons:
            return
        if not self.available:
            self._clear()
            return
        net = scene.document.network
        if [len(row) for row in scene.neurons] != list(net.sizes):
            return  # the scene rebuilds first (and calls items_built)
        bounds = self._plane_bounds()
        transform = scene.document.input_transform
        key = self._key(net, bounds, transform)
        if key == self._shown:
            return
        self._shown = key
        self._last = self.clock()
        self.render_count += 1
        # every neuron at once: (n, n, neurons), coloured in one pass
        A = np.concatenate(plane_activations(net, bounds, self.resolution, transform), axis=2)
        activations = [None] * net.sizes[0] + [l.activation for l in net.layers
                                               for _ in range(l.units)]
        lo, hi = value_ranges(activations, A)
        rgb = np.ascontiguousarray(heat_rgb(A, lo, hi).transpose(2, 0, 1, 3))
        items = [item for row in scene.neurons for item in row]
        for i, item in enumerate(items):
            item.set_heat_map(to_qimage(rgb[i]), (float(lo[i]), float(hi[i])))

    def _clear(self) -> None:
        self._shown = None
        for row in self.scene.neurons:
            for item in row:
                item.set_heat_map(None)

    # -- where a pixel is ---------------------------------------------------------------------
    def pixel_point(self, row: int, col: int) -> tuple[float, float]:
        """The plane point (x1, x2) whose value pixel (row, col) of a neuron's
        image shows (row 0 at the top)."""
        xs, ys, _ = grid_points(self.bounds, self.resolution)
        return float(xs[col]), float(ys[len(ys) - 1 - row])

