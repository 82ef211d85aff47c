"""Central-difference gradient check, for the app's "check gradient" button
and for the tests.

:func:`verdict` is the one place that decides whether backprop and the
central difference agree; the inspector shows its result as it is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .naming import fmt
from .network import Network
from . import regularization
from .regularization import Penalty

Array = np.ndarray

EPS = 1e-6  # the central difference's step
# Agreement: a relative difference below RELATIVE_TOLERANCE. Central
# differences cannot resolve the relative error of a near-zero gradient, so
# below SCALE_FLOOR the difference is measured against SCALE_FLOOR instead
# (an absolute rule: |numeric - analytic| < RELATIVE_TOLERANCE * SCALE_FLOOR).
RELATIVE_TOLERANCE = 1e-5
SCALE_FLOOR = 1e-3
AT_LEAST = "\u2265"
KINK_HINT = "a kink, such as relu at z = 0, or a very large loss can cause this"


@dataclass(frozen=True)
class Verdict:
    """Backprop against the central difference for one parameter."""

    numeric: float  # (L(p + eps) - L(p - eps)) / 2 eps
    analytic: float  # backprop's value
    abs_diff: float  # |numeric - analytic|
    rel_diff: float  # abs_diff / max(|numeric|, |analytic|) (inf if both are 0 and differ)
    rule: str  # "relative" | "absolute" (both gradients near zero) | "not finite"
    threshold: float  # what the rule compares with: on rel_diff, or on abs_diff
    passed: bool
    reason: str  # one sentence: the comparison made, and what a failure may mean
    eps: float = EPS
    on: str = ""  # which batch and weights the check used (the caller says)


def verdict(numeric: float, analytic: float, eps: float = EPS) -> Verdict:
    """Whether ``numeric`` and ``analytic`` agree, and why."""
    diff = abs(numeric - analytic)
    if not (math.isfinite(numeric) and math.isfinite(analytic)):
        return Verdict(numeric, analytic, diff, math.nan, "not finite", math.nan, False,
                       "a value is not finite, so they cannot be compared "
                       "(a very large loss can cause this)", eps)
    scale = max(abs(numeric), abs(analytic))
    rel = diff / scale if scale > 0 else 0.0  # scale 0: both are 0, diff is 0
    if scale < SCALE_FLOOR:
        threshold = RELATIVE_TOLERANCE * SCALE_FLOOR
        passed = diff < threshold
        reason = (f"both are below {SCALE_FLOOR:g}, so the difference itself is compared: "
                  f"{fmt(diff, 2)} {'<' if passed else AT_LEAST} {threshold:g}")
        return Verdict(numeric, analytic, diff, rel, "absolute", threshold, passed,
                       reason + ("" if passed else f" ({KINK_HINT})"), eps)
    passed = rel < RELATIVE_TOLERANCE
    reason = (f"relative difference {fmt(rel, 2)} {'<' if passed else AT_LEAST} "
              f"{RELATIVE_TOLERANCE:g}")
    return Verdict(numeric, analytic, diff, rel, "relative", RELATIVE_TOLERANCE, passed,
                   reason + ("" if passed else f" ({KINK_HINT})"), eps)


def check_parameter(network: Network, X: Array, Y: Array, layer: int, i: int | None, j: int,
                    analytic: float | None = None, eps: float = EPS,
                    penalty: Penalty = regularization.NONE) -> Verdict:
    """The verdict for W[i, j] of ``layer`` (0-based), or b[j] when ``i`` is
    None; ``analytic`` defaults to backprop on (X, Y). With a ``penalty`` the
    loss differentiated is the data loss plus the penalty. The network is left
    unchanged."""
    if analytic is None:
        g = network.gradients(X, Y)
        analytic = float(g.dbs[layer][j] if i is None
                         else penalty.add_to(network, g.dWs)[layer][i, j])
    with np.errstate(all="ignore"):
        numeric = numeric_gradient(network, X, Y, layer, i, j, eps, penalty)
    return verdict(float(numeric), float(analytic), eps)


def numeric_gradient(network: Network, X: Array, Y: Array, layer: int, i: int | None,
                     j: int, eps: float = 1e-6,
                     penalty: Penalty = regularization.NONE) -> float:
    """dL/dw by central differences for W[i, j] of ``layer`` (0-based), or for
    the bias b[j] when ``i`` is None; L = data loss + ``penalty``. The network
    is left unchanged."""
    l = network.layers[layer]
    arr, index = (l.b, (j,)) if i is None else (l.W, (i, j))
    saved = arr[index]

    def loss() -> float:
        return network.loss_value(X, Y) + penalty.of_network(network)
    try:
        arr[index] = saved + eps
        up = loss()
        arr[index] = saved - eps
        down = loss()
    finally:
        arr[index] = saved
    return (up - down) / (2 * eps)


@dataclass
class CheckResult:
    numeric_dWs: list[Array]
    numeric_dbs: list[Array]
    analytic_dWs: list[Array]
    analytic_dbs: list[Array]

    @property
    def max_abs_error(self) -> float:
        return max(float(np.max(np.abs(n - a), initial=0.0))
                   for n, a in zip(self.numeric_dWs + self.numeric_dbs,
                                   self.analytic_dWs + self.analytic_dbs))

    @property
    def max_relative_error(self) -> float:
        """|numeric - analytic| / max(|numeric|, |analytic|), where gradients
        below SCALE_FLOOR count as SCALE_FLOOR (as in :func:`verdict`)."""
        worst = 0.0
        for n, a in zip(self.numeric_dWs + self.numeric_dbs, self.analytic_dWs + self.analytic_dbs):
            scale = np.maximum(np.maximum(np.abs(n), np.abs(a)), SCALE_FLOOR)
            worst = max(worst, float(np.max(np.abs(n - a) / scale, initial=0.0)))
        return worst


def check_gradients(network: Network, X: Array, Y: Array, eps: float = 1e-6,
                    penalty: Penalty = regularization.NONE) -> CheckResult:
    """Every weight and bias: analytic (backprop, plus the ``penalty``'s term)
    against central differences of the data loss plus the penalty.

    Works on a copy, so the caller's arrays may be read-only. Masked
    (removed) connections have gradient 0 by definition and are skipped.
    """
    net = network.copy()
    g = net.gradients(X, Y)
    dWs = penalty.add_to(net, g.dWs)
    num_W, num_b = [], []
    for k, l in enumerate(net.layers):
        dW = np.zeros_like(l.W)
        for i in range(l.n_in):
            for j in range(l.units):
                if l.mask is None or l.mask[i, j]:
                    dW[i, j] = numeric_gradient(net, X, Y, k, i, j, eps, penalty)
        num_W.append(dW)
        num_b.append(np.array([numeric_gradient(net, X, Y, k, None, j, eps, penalty)
                               for j in range(l.units)]))
    return CheckResult(num_W, num_b, dWs, g.dbs)
