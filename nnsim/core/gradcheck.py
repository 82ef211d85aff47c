"""Central-difference gradient check, for the app's "check gradient" button
and for the tests."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network

Array = np.ndarray


def numeric_gradient(network: Network, X: Array, Y: Array, layer: int, i: int | None,
                     j: int, eps: float = 1e-6) -> float:
    """dL/dw by central differences for W[i, j] of ``layer`` (0-based), or for
    the bias b[j] when ``i`` is None. The network is left unchanged."""
    l = network.layers[layer]
    arr, index = (l.b, (j,)) if i is None else (l.W, (i, j))
    saved = arr[index]
    try:
        arr[index] = saved + eps
        up = network.loss_value(X, Y)
        arr[index] = saved - eps
        down = network.loss_value(X, Y)
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
        below 1e-3 count as 1e-3: central differences cannot resolve the
        relative error of a near-zero gradient."""
        worst = 0.0
        for n, a in zip(self.numeric_dWs + self.numeric_dbs, self.analytic_dWs + self.analytic_dbs):
            scale = np.maximum(np.maximum(np.abs(n), np.abs(a)), 1e-3)
            worst = max(worst, float(np.max(np.abs(n - a) / scale, initial=0.0)))
        return worst


def check_gradients(network: Network, X: Array, Y: Array, eps: float = 1e-6) -> CheckResult:
    """Every weight and bias: analytic (backprop) against central differences.

    Works on a copy, so the caller's arrays may be read-only. Masked
    (removed) connections have gradient 0 by definition and are skipped.
    """
    net = network.copy()
    g = net.gradients(X, Y)
    num_W, num_b = [], []
    for k, l in enumerate(net.layers):
        dW = np.zeros_like(l.W)
        for i in range(l.n_in):
            for j in range(l.units):
                if l.mask is None or l.mask[i, j]:
                    dW[i, j] = numeric_gradient(net, X, Y, k, i, j, eps)
        num_W.append(dW)
        num_b.append(np.array([numeric_gradient(net, X, Y, k, None, j, eps)
                               for j in range(l.units)]))
    return CheckResult(num_W, num_b, g.dWs, g.dbs)
