"""The loss landscape: the loss as a function of one or two parameters, every
other parameter held where it is (the lecture's first slide: gradient descent
on one weight).

A parameter is a :class:`Param`: weight ``W[i, j]`` or bias ``b[j]`` of layer
``k`` (1-based, as ``EdgeRef.layer``). All values are computed at once: the
layers below the lowest varied parameter run once, shared; from there on the
batch carries a leading axis of variants, and the net input of the varied
parameter's layer changes by ``(p - p0) * a_i`` (a bias: by ``p - p0``). A
removed connection (mask False) has no effect, so its curve is flat. The loss
is the network's own (``losses.Loss.elementwise``, as ``Network.loss_value``).

Large requests (variants x rows x neurons) are cut into chunks of at most
``CHUNK_ELEMENTS`` numbers per array, so memory stays bounded.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations as act
from . import losses as lossmod
from .naming import neuron_name, weight_name
from .network import Network

Array = np.ndarray

CHUNK_ELEMENTS = 1 << 16  # numbers per (variants, rows, neurons) array: 512 kB, stays in cache (measured: 5x faster than 8 MB chunks on spiral-deep)


@dataclass(frozen=True)
class Param:
    """Weight W[source, target] of layer ``layer`` (1-based), or its bias
    b[target] when ``source`` is None."""

    layer: int
    target: int
    source: int | None = None

    @property
    def is_bias(self) -> bool:
        return self.source is None

    def value(self, network: Network) -> float:
        layer = network.layers[self.layer - 1]
        return float(layer.b[self.target] if self.is_bias else layer.W[self.source, self.target])

    def gradient(self, dWs, dbs) -> float:
        """This parameter's entry of per-layer gradients (0-based lists)."""
        k = self.layer - 1
        return float(dbs[k][self.target] if self.is_bias else dWs[k][self.source, self.target])

    def name(self, sizes: list[int]) -> str:
        """"w(x1 → h1)" or "b(h1)"."""
        if self.is_bias:
            return f"b({neuron_name(sizes, self.layer, self.target)})"
        return weight_name(sizes, self.layer, self.source, self.target)

    def is_active(self, network: Network) -> bool:
        """False for a removed connection (changing it changes nothing)."""
        mask = network.layers[self.layer - 1].mask
        return self.is_bias or mask is None or bool(mask[self.source, self.target])

    def check(self, sizes: list[int]) -> None:
        """Raise ValueError when the parameter does not exist in a network of
        layer ``sizes`` (inputs first)."""
        if not 1 <= self.layer < len(sizes):
            raise ValueError(f"layer {self.layer} has no parameters (layers 1 to "
                             f"{len(sizes) - 1} do)")
        if not 0 <= self.target < sizes[self.layer]:
            raise ValueError(f"layer {self.layer} has no neuron {self.target + 1}")
        if not self.is_bias and not 0 <= self.source < sizes[self.layer - 1]:
            raise ValueError(f"layer {self.layer - 1} has no neuron {self.source + 1}")


def loss_curve(network: Network, param: Param, values, X: Array, Y: Array) -> Array:
    """L(p) for every p in ``values`` (M,), on rows X, Y: shape (M,)."""
    values = np.asarray(values, dtype=float).reshape(-1)
    return _in_chunks(network, [param], [values], X, Y)


def loss_grid(network: Network, p: Param, p_values, q: Param, q_values,
              X: Array, Y: Array) -> Array:
    """L(p, q) over the grid, shape (M1, M2): [a, b] belongs to
    (p_values[a], q_values[b])."""
    pv = np.asarray(p_values, dtype=float).reshape(-1)
    qv = np.asarray(q_values, dtype=float).reshape(-1)
    if p == q:
        raise ValueError("choose two different parameters for a grid")
    # expand the lower layer's parameter first: the variants then grow only
    # from the layer where they start to differ
    if (q.layer, q.source is not None) < (p.layer, p.source is not None):
        return _in_chunks(network, [q, p], [qv, pv], X, Y).T
    return _in_chunks(network, [p, q], [pv, qv], X, Y)


def slope(network: Network, param: Param, X: Array, Y: Array) -> float:
    """dL/dp on rows X, Y (the backward pass's own number)."""
    g = network.gradients(np.asarray(X, dtype=float), np.asarray(Y, dtype=float))
    return param.gradient(g.dWs, g.dbs)


def parameter_range(p0: float, gradient: float, learning_rate: float,
                    curvature: float | None = None) -> tuple[float, float]:
    """The values to show around the current value ``p0``: each side at least
    1, half of |p0| (a weight's size), and 3 gradient steps |η g| (the step's
    arrow and some of what lies beyond it). When the curve bends upwards
    (``curvature`` = d²L/dp² > 0), also 1.5 times the distance to the
    minimum of the local parabola |g / curvature|, capped at 10 times the rest,
    so a nearby minimum is in view without a flat curve widening it without end."""
    half = max(1.0, 0.5 * abs(p0), 3.0 * abs(learning_rate * gradient))
    if curvature is not None and np.isfinite(curvature) and curvature > 0:
        half = max(half, min(1.5 * abs(gradient / curvature), 10.0 * half))
    if not np.isfinite(half):
        half = 1.0
    if not np.isfinite(p0):
        p0 = 0.0
    return p0 - half, p0 + half


def curvature(network: Network, param: Param, X: Array, Y: Array, h: float = 1e-3) -> float:
    """d²L/dp² at the current value, by a central second difference."""
    p0 = param.value(network)
    l_minus, l_0, l_plus = loss_curve(network, param, [p0 - h, p0, p0 + h], X, Y)
    return float((l_plus - 2.0 * l_0 + l_minus) / (h * h))


# -- the vectorised evaluation --------------------------------------------------------
def _in_chunks(network: Network, params: list[Param], value_lists: list[Array],
               X: Array, Y: Array) -> Array:
    for p in params:
        p.check(network.sizes)
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    shape = tuple(len(v) for v in value_lists)
    if 0 in shape or len(X) == 0:
        return np.full(shape, np.nan)
    widest = max(network.sizes)
    rest = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    per_outer = rest * len(X) * widest  # numbers per value of the outer parameter
    step = max(1, CHUNK_ELEMENTS // max(1, per_outer))
    outer = value_lists[0]
    parts = [_losses(network, params, [outer[s:s + step]] + value_lists[1:], X, Y)
             for s in range(0, len(outer), step)]
    return np.concatenate(parts, axis=0).reshape(shape)


def _losses(network: Network, params: list[Param], value_lists: list[Array],
            X: Array, Y: Array) -> Array:
    """The loss of every combination of values (outer parameter first): (prod M,)."""
    first = min(p.layer for p in params)
    a = X
    with np.errstate(all="ignore"):
        for layer in network.layers[:first - 1]:  # shared by every variant
            a = layer.forward(a)[1]
        groups, n = 1, len(X)
        a = a[None]  # (groups, rows, neurons)
        z = None
        for k in range(first, len(network.layers) + 1):
            layer = network.layers[k - 1]
            # one 2-D product (BLAS) over all variants' rows, not a stack of small ones
            z = (a.reshape(-1, a.shape[-1]) @ layer.effective_W).reshape(groups, n, -1)
            z += layer.b  # (groups, rows, units)
            for p, values in zip(params, value_lists):
                if p.layer == k:
                    z, a, groups = _vary(z, a, groups, p, values, network)
            a = act.get(layer.activation).function(z.reshape(groups * n, -1)).reshape(z.shape)
        loss = lossmod.get(network.loss)
        t = a.shape[-1]
        shares = loss.elementwise(a.reshape(groups * n, t),
                                  np.broadcast_to(Y, (groups, n, t)).reshape(groups * n, t),
                                  z.reshape(groups * n, t), network.layers[-1].activation)
        # elementwise divides by all groups * n rows; each variant's mean is over its n
        return shares.reshape(groups, n * t).sum(axis=1) * groups


def _vary(z: Array, a_prev: Array, groups: int, p: Param, values: Array,
          network: Network) -> tuple[Array, Array, int]:
    """Add an axis of M variants of parameter ``p`` to layer p.layer's net
    input ``z`` (groups, rows, units) -> (groups * M, rows, units); ``a_prev``
    (the layer's input) is repeated alike, for a second parameter of the same layer."""
    M = len(values)
    g0, n, units = z.shape
    delta = values - p.value(network)  # (M,)
    z = np.repeat(z[:, None], M, axis=1)  # (g0, M, rows, units), a copy
    if p.is_bias:
        z[:, :, :, p.target] += delta[None, :, None]
    elif p.is_active(network):
        z[:, :, :, p.target] += delta[None, :, None] * a_prev[:, None, :, p.source]
    a_prev = np.repeat(a_prev, M, axis=0)
    return z.reshape(g0 * M, n, units), a_prev, g0 * M
