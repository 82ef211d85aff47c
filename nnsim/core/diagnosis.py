"""Why training is not working, read from the numbers: pure NumPy.

Overflow has its own report (``run_mode/divergence.py``). This module looks
at a network that is still finite, at its training data and at its loss
history, and names the failures a learner meets most often:

- dead ReLUs: units that output 0 for every training point (their gradient
  is 0 there, so they never learn again);
- saturated sigmoid/tanh units: |z| so large for nearly every point that
  the derivative is about 0 (checked only while the network fits badly: a
  trained network may use a saturated unit as a clean on/off switch);
- a loss stuck at the constant-prediction value (what predicting the same
  for every input gives: the targets' variance for MSE, the entropy of the
  class frequencies for (binary) cross-entropy, ln 2 for two balanced
  classes) while the gradient can no longer move the weights;
- a loss that jumps up and down or climbs: a learning rate too large.

Each :class:`Finding` says what, which neurons ((layer, index) pairs, layer
1 = the first after the inputs), and what to try, with :class:`Remedy`
records for the suggestions that are a setting. The window runs
:func:`diagnose` on the adopted state when a run pauses and a few times a
second during it, never in the epoch loop.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import losses as lossmod
from .naming import fmt, fmt_setting, neuron_name
from .network import Network

DEAD_RELU = "dead relu"
SATURATED = "saturated"
STUCK = "stuck"
LEARNING_RATE = "learning rate"

MAX_ROWS = 10_000  # rows checked (evenly spaced) on a big data set
GRADIENT_ROWS = 1_000  # of which the stuck check's gradient reads about this many
# Saturated: the derivative below 1 % of its peak (sigmoid |z| > 5.99, tanh |z| > 2.99)...
SATURATION_DERIVATIVE = 0.01
SATURATED_SHARE = 0.95  # ... for at least this share of the training points
# Saturated units, and some dead ones, are named only while the network fits
# badly: its loss above this share of the constant-prediction loss.
FITS_BADLY_SHARE = 0.25
DEAD_SHARE = 0.5  # some dead ReLUs of a layer: named from half of the layer up
STUCK_EPOCHS = 100  # the loss at the constant-prediction value for at least this long
STUCK_TOLERANCE = 0.01  # within 1 % of it
STUCK_HORIZON = 1000  # that many more epochs would move the weights by less than ...
STUCK_MOVE = 1e-3  # ... this share of their size
CURVE_EPOCHS = 50  # epochs of the loss curve read for jumps and climbs
MIN_CURVE_EPOCHS = 10
JUMPY_TURNS = 0.5  # at least half of the steps turn back
JUMPY_SIZE = 0.3  # and the typical step is 30 % of the typical loss
ABOVE_CONSTANT_SHARE = 0.2  # jumps matter when this share of epochs is above that loss
CLIMB_FACTOR = 1.5  # the latest losses 1.5 times the lowest of the window

# Learning rates a lower one is rounded down to: 1, 2, 5 times a power of ten.
_SERIES = (1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Remedy:
    """A suggestion that is a setting, for a button: ``setting`` is
    "learning_rate" (``value`` the rate), "activation" (``value`` the
    activation of ``layer``), "standardize" (standardise the inputs, then
    reinitialise) or "reinitialize"."""

    label: str  # the button's text, e.g. "Use learning rate 5"
    setting: str
    value: float | str | None = None
    layer: int | None = None


@dataclass(frozen=True)
class Finding:
    kind: str  # DEAD_RELU, SATURATED, STUCK or LEARNING_RATE
    message: str  # what was found, with its numbers
    suggestion: str  # what to try, e.g. "Use leaky ReLU or a smaller learning rate."
    neurons: tuple = ()  # (layer, index) pairs (the document gives NeuronRefs)
    remedies: tuple[Remedy, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.message} {self.suggestion}"


def lower_learning_rate(lr: float) -> float:
    """About a tenth of ``lr``, rounded down to 1, 2 or 5 times a power of ten
    (50 -> 5, 0.3 -> 0.02)."""
    x = lr / 10.0
    e = math.floor(math.log10(x))
    best = 10.0 ** e
    for m in _SERIES:
        if m * 10.0 ** e <= x * (1 + 1e-9):
            best = m * 10.0 ** e
    return float(f"{best:.3g}")


_BLOCK_ROWS = 1 << 14  # rows a pass over all targets takes at a time


def constant_loss(loss: str, Y: np.ndarray) -> float:
    """The loss of the best constant prediction (the same output for every
    input) on targets ``Y``: the targets' variance for MSE, the entropy of
    the class frequencies for bce and cross-entropy."""
    Y = np.asarray(Y, dtype=float)
    if not Y.size:
        return math.nan
    mean = Y.mean(axis=0)
    if loss == "mse":  # the variance, a block of rows at a time: Y.var held a copy
        # of Y (7.7 MB for 960,000 rows) on every diagnosis, in run mode's window
        total = np.zeros(Y.shape[1:])
        with np.errstate(over="ignore", invalid="ignore"):  # 1e200 targets: inf, not a warning
            for a in range(0, len(Y), _BLOCK_ROWS):
                d = Y[a:a + _BLOCK_ROWS] - mean
                total += (d * d).sum(axis=0)
        return float((total / len(Y)).mean())
    if loss == "bce":
        p = np.clip(mean, lossmod.EPS, 1 - lossmod.EPS)
        return float(np.mean(-(mean * np.log(p) + (1 - mean) * np.log1p(-p))))
    total = mean.sum()
    if total <= 0:
        return math.nan
    q = np.clip(mean / total, lossmod.EPS, 1.0)
    return float(-(mean * np.log(q)).sum())


def _rows(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """At most MAX_ROWS rows, evenly spaced; True when that is all of them."""
    n = len(X)
    if n <= MAX_ROWS:
        return X, Y, True
    idx = np.linspace(0, n - 1, MAX_ROWS).astype(np.intp)
    return X[idx], Y[idx], False


def _names(sizes, k: int, js) -> str:
    names = [neuron_name(sizes, k, int(j)) for j in js]
    return ", ".join(names[:6]) + (", \u2026" if len(names) > 6 else "")


def _points(n: int, every: bool) -> str:
    return "every training point" if every else f"each of {n:,} training points checked"


def _share(share: float, n: int, every: bool) -> str:
    if share >= 1.0:
        return _points(n, every)
    return f"{fmt(100 * share, 3)} % or more of the training points"


def _saturation_limit(activation: str) -> float:
    """|z| beyond which the derivative is below SATURATION_DERIVATIVE of its peak."""
    if activation == "tanh":  # 1 - tanh^2 < d
        return float(np.arctanh(math.sqrt(1 - SATURATION_DERIVATIVE)))
    # sigmoid: s (1 - s) < d / 4
    s = (1 + math.sqrt(1 - SATURATION_DERIVATIVE)) / 2
    return float(math.log(s / (1 - s)))


def _dead_relus(net: Network, zs, n: int, every: bool, fits_badly: bool) -> list[Finding]:
    """Dead ReLU neurons: a whole dead layer always; at least half of a layer
    only while the network fits badly (a network that trains well often has a
    few dead units for good, and loses nothing by them)."""
    found = []
    sizes = net.sizes
    for k, (layer, z) in enumerate(zip(net.layers, zs), start=1):
        if layer.activation != "relu":
            continue
        dead = np.flatnonzero(np.all(z <= 0, axis=0))
        if not len(dead) or (len(dead) < layer.units and not (
                fits_badly and len(dead) >= DEAD_SHARE * layer.units)):
            continue
        neurons = tuple((k, int(j)) for j in dead)
        where = "the output layer" if k == len(net.layers) else f"layer {k}"
        if len(dead) == layer.units:
            what = (f"Every ReLU neuron of {where} ({_names(sizes, k, dead)}) outputs 0 for "
                    f"{_points(n, every)}: nothing passes the layer, so the network gives the "
                    "same output for every input, and with a gradient of 0 they never "
                    "learn again.")
        else:
            what = (f"{len(dead)} of {layer.units} ReLU neurons of {where} "
                    f"({_names(sizes, k, dead)}) output 0 for {_points(n, every)}: they are "
                    "dead (their gradient is 0, so they never learn again).")
        found.append(Finding(
            DEAD_RELU, what,
            "Use leaky ReLU or a smaller learning rate, and reinitialise.", neurons,
            (Remedy(f"Use leaky ReLU in {where}", "activation", "leaky_relu", k),
             Remedy("Reinitialise", "reinitialize"))))
    return found


def _saturated(net: Network, X, zs, n: int, every: bool, fits_badly: bool) -> list[Finding]:
    if not fits_badly:
        return []
    found = []
    sizes = net.sizes
    fused = {"bce": "sigmoid", "cross_entropy": "softmax"}.get(net.loss)
    for k, (layer, z) in enumerate(zip(net.layers, zs), start=1):
        if layer.activation not in ("sigmoid", "tanh"):
            continue
        if k == len(net.layers) and layer.activation == fused:
            continue  # with its own loss the output's gradient is a - y: it never saturates
        limit = _saturation_limit(layer.activation)
        share = np.mean(np.abs(z) > limit, axis=0)
        hit = np.flatnonzero(share >= SATURATED_SHARE)
        if not len(hit):
            continue
        neurons = tuple((k, int(j)) for j in hit)
        unit = "neuron" if len(hit) == 1 else "neurons"
        where = "the output layer" if k == len(net.layers) else f"layer {k}"
        what = (f"The {layer.activation} {unit} {_names(sizes, k, hit)} of {where} "
                f"{'is' if len(hit) == 1 else 'are'} saturated: |z| is above "
                f"{fmt(limit, 3)} for {_share(float(share[hit].min()), n, every)}, where the "
                "derivative is below "
                f"{fmt(100 * SATURATION_DERIVATIVE, 2)} % of its peak, so almost no gradient "
                "passes.")
        scale = float(np.max(np.abs(X))) if X.size else 0.0
        if scale > 10:
            suggestion = (f"Standardise the inputs (they reach {fmt(scale, 3)}; "
                          "about -1 to 1 suits these units), then reinitialise.")
        else:
            suggestion = "Reinitialise (smaller weights), or lower the learning rate."
        remedies = ((Remedy("Standardise the inputs and reinitialise", "standardize"),)
                    if scale > 10 else ()) + (Remedy("Reinitialise", "reinitialize"),)
        found.append(Finding(SATURATED, what, suggestion, neurons, remedies))
    return found


def _stuck(net: Network, X, Y, losses: np.ndarray, baseline: float, lr: float,
           updates_per_epoch: int, others: list[Finding]) -> list[Finding]:
    if len(losses) < STUCK_EPOCHS or not baseline > 0:
        return []
    window = losses[-STUCK_EPOCHS:]
    tol = STUCK_TOLERANCE * baseline
    if not np.all(np.abs(window - baseline) <= tol):
        return []
    # still moving (xor's plateau: it escapes)? the gradient says where it goes
    step = max(1, len(X) // GRADIENT_ROWS)  # an estimate of the gradient is enough
    with np.errstate(all="ignore"):
        g = net.gradients(X[::step], Y[::step])
    grads = np.sqrt(sum(float(np.sum(d * d)) for d in g.dWs + g.dbs[:-1]))
    size = np.sqrt(sum(float(np.sum(p * p)) for p in net.parameters()))
    move = lr * grads * max(updates_per_epoch, 1) * STUCK_HORIZON
    if not move < STUCK_MOVE * (size + 1.0):
        return []
    last = len(net.layers)
    outputs = tuple((last, j) for j in range(net.n_outputs))
    what, note = {"mse": ("their mean", " (the targets' variance)"),
                  "bce": ("the class frequencies", " (ln 2 for two balanced classes)"),
                  "cross_entropy": ("the class frequencies", " (their entropy)")}[net.loss]
    message = (f"The loss has stayed at {fmt(window[-1])} for the last {len(window):,} epochs: "
               f"about {fmt(baseline)}, what predicting {what} for every input gives{note}. "
               "The network ignores its inputs, and its gradient is too small to move it.")
    causes = {f.kind for f in others}
    if DEAD_RELU in causes:
        suggestion = "Its ReLU neurons are dead (see above): reinitialise, with leaky ReLU."
    elif SATURATED in causes:
        suggestion = "Its neurons are saturated (see above): reinitialise."
    else:
        suggestion = "Reinitialise (another draw of weights)."
    neurons = tuple(n for f in others if f.kind in (DEAD_RELU, SATURATED)
                    for n in f.neurons) or outputs
    return [Finding(STUCK, message, suggestion, neurons, (Remedy("Reinitialise", "reinitialize"),))]


def _learning_rate(losses: np.ndarray, lr: float, baseline: float) -> list[Finding]:
    """Jumps or a climb that matter: the loss is often above the constant-prediction
    loss, or mostly above a quarter of it (the small wobble of stochastic
    training near a minimum is no failure)."""
    w = losses[-CURVE_EPOCHS:]
    if len(w) < MIN_CURVE_EPOCHS or not np.all(np.isfinite(w)):
        return []
    d = np.diff(w)
    moving = d[d != 0]
    turns = np.mean(np.sign(moving[1:]) != np.sign(moving[:-1])) if len(moving) > 2 else 0.0
    typical = float(np.median(w))
    jumpy = turns >= JUMPY_TURNS and float(np.median(np.abs(d))) >= JUMPY_SIZE * max(
        typical, 1e-12)
    half = len(w) // 2
    low = float(w.min())
    late = float(np.median(w[-max(3, len(w) // 5):]))
    climbing = (int(np.argmin(w)) < half and late >= CLIMB_FACTOR * low and late > low + 1e-12
                and np.mean(d[half:] > 0) >= 0.6)
    matters = not baseline > 0 or (float(np.mean(w > baseline)) >= ABOVE_CONSTANT_SHARE
                                    or typical >= FITS_BADLY_SHARE * baseline)
    if not (jumpy or climbing) or not matters:
        return []
    new = lower_learning_rate(lr)
    if jumpy:
        what = (f"The loss jumps up and down (between {fmt(low)} and {fmt(float(w.max()))} "
                f"in the last {len(w)} epochs): each update overshoots the minimum.")
    else:
        what = (f"The loss is climbing (from {fmt(low)} to {fmt(float(w[-1]))} in the last "
                f"{len(w)} epochs): each update overshoots the minimum by more than the last.")
    return [Finding(LEARNING_RATE, f"{what} The learning rate {fmt_setting(lr)} is too large.",
                    f"Lower the learning rate to {fmt_setting(new)}.", (),
                    (Remedy(f"Use learning rate {fmt_setting(new)}", "learning_rate", new),))]


def diagnose(network: Network, X: np.ndarray, Y: np.ndarray, losses, learning_rate: float,
             updates_per_epoch: int = 1) -> list[Finding]:
    """What is going wrong with ``network`` trained on ``X``, ``Y`` (the
    training rows), given ``losses``: the training loss of each epoch since
    the settings last changed (oldest first). Empty when nothing is wrong,
    and when a weight or the loss is not finite (divergence.py says why)."""
    losses = np.asarray(losses, dtype=float).reshape(-1)
    if not len(X) or not network.all_finite() or (len(losses) and not np.isfinite(losses[-1])):
        return []
    Xs, Ys, every = _rows(np.asarray(X, dtype=float), np.asarray(Y, dtype=float))
    with np.errstate(all="ignore"):
        zs, activations = network.forward(Xs)
        loss_now = lossmod.get(network.loss).value(activations[-1], Ys, zs[-1],
                                                   network.layers[-1].activation)
    if not all(np.all(np.isfinite(z)) for z in zs):
        return []
    baseline = constant_loss(network.loss, Y)
    lr = float(learning_rate)
    fits_badly = bool(loss_now >= FITS_BADLY_SHARE * baseline)  # False without a baseline
    found = _dead_relus(network, zs, len(Xs), every, fits_badly)
    found += _saturated(network, Xs, zs, len(Xs), every, fits_badly)
    found += _stuck(network, Xs, Ys, losses, baseline, lr, updates_per_epoch, found)
    # a learning rate too large comes first: it may be what killed or saturated the units
    return _learning_rate(losses, lr, baseline) + found
