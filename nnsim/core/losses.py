"""Loss functions with their exact gradients.

All losses are means over the ``n`` samples of a batch; ``mse`` and ``bce`` are
also means over the ``t`` output units, exactly as in the lecture:

    mse:           L = 1/n sum_i 1/t sum_j (y_ij - a_ij)^2
                   dL/da_ij = 2/(n t) (a_ij - y_ij)
    bce:           L = -1/n sum_i 1/t sum_j [y log a + (1-y) log(1-a)]
    cross_entropy: L = -1/n sum_i sum_j y_ij log a_ij   (made for a softmax output)

Every loss works with every output activation. With its own output (bce with
sigmoid, cross-entropy with softmax) dL/dz simplifies to (a - y) times a
constant; every other pair goes through dL/da times the activation's
derivative (softmax: its Jacobian). The logs take a clipped a (within
[1e-12, 1 - 1e-12] for bce, [1e-12, 1] for cross-entropy): where an output lies
beyond the clip, as a linear or relu output can, the loss there is flat and its
gradient is 0, so the numbers shown always agree with each other.

``elementwise(a, y, z)`` gives each output unit's share of the loss (the
shares add up to L), which the canvas shows on the output neurons.
Where the output activation allows it the loss is computed from the net input
z (log-sigmoid, log-softmax), which stays finite for any z.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import activations as act

Array = np.ndarray

# Probabilities are clipped this far from 0 and 1 where no logits are at hand.
EPS = _EPS = 1e-12


def _log_sigmoid(z: Array) -> Array:
    # log(1/(1+e^-z)) = -log(1+e^-z) = -logaddexp(0, -z), stable for any z
    return -np.logaddexp(0.0, -z)


def _log_softmax(z: Array) -> Array:
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def _mse_elementwise(a, y, z, activation):
    n, t = a.shape
    return (y - a) ** 2 / (n * t)


def _mse_grad(a, y):
    n, t = a.shape
    return (2.0 / (n * t)) * (a - y)


def _bce_elementwise(a, y, z, activation):
    n, t = a.shape
    if activation == "sigmoid" and z is not None:
        log_a, log_1ma = _log_sigmoid(z), _log_sigmoid(-z)
    else:
        c = np.clip(a, _EPS, 1.0 - _EPS)
        log_a, log_1ma = np.log(c), np.log1p(-c)
    return -(y * log_a + (1.0 - y) * log_1ma) / (n * t)


def _bce_grad(a, y):
    n, t = a.shape
    c = np.clip(a, _EPS, 1.0 - _EPS)
    # 0 where a was clipped: the loss is flat there
    return np.where((a < _EPS) | (a > 1.0 - _EPS), 0.0, (c - y) / (c * (1.0 - c)) / (n * t))


def _ce_elementwise(a, y, z, activation):
    n = a.shape[0]
    if activation == "softmax" and z is not None:
        log_a = _log_softmax(z)
    else:
        log_a = np.log(np.clip(a, _EPS, 1.0))
    # 0 * log 0 counts as 0, as in the definition
    return -np.where(y != 0, y * log_a, 0.0) / n


def _ce_grad(a, y):
    n = a.shape[0]
    c = np.clip(a, _EPS, 1.0)
    # 0 where a was clipped: the loss is flat there
    return np.where((a < _EPS) | (a > 1.0), 0.0, -y / c / n)


# -- each row's loss for whole epochs (training.EpochEngine) -----------------------------
# (n,) row losses times n (the batch mean is their sum over the batch's n), from
# the logits where the output allows it: the same losses as ``elementwise``, in
# fewer operations. ``ysum``: the targets' row sums when not all 1 (cross-entropy).

def _mse_rows(a, y, z, activation, ysum=None):
    r = y - a
    np.multiply(r, r, out=r)
    return _row_means(r)


def _bce_rows(a, y, z, activation, ysum=None):
    if activation != "sigmoid" or z is None:
        return _rows_from_shares(_bce_elementwise, a, y, z, activation)
    # -[y log s(z) + (1-y) log(1-s(z))] = log(1 + e^z) - y z
    r = np.logaddexp(0.0, z)
    r -= y * z
    return _row_means(r)


def _ce_rows(a, y, z, activation, ysum=None):
    if activation != "softmax" or z is None:
        return _rows_from_shares(_ce_elementwise, a, y, z, activation)
    # -sum_j y_j log softmax_j = sum_j y_j * logsumexp(z) - sum_j y_j z_j
    mx = z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z - mx).sum(axis=1)) + mx[:, 0]
    rows = (y * z).sum(axis=1)
    return (lse if ysum is None else ysum[:, 0] * lse) - rows


def _row_means(r):
    return r[:, 0] if r.shape[1] == 1 else r.sum(axis=1) / r.shape[1]


def _rows_from_shares(elementwise, a, y, z, activation):
    return (elementwise(a, y, z, activation) * len(a)).sum(axis=1)


@dataclass(frozen=True)
class Loss:
    name: str
    elementwise: Callable  # (a, y, z, activation_name) -> (n, t) shares
    grad_a: Callable[[Array, Array], Array]  # dL/da, exact constants
    # Output activation for which dL/dz simplifies to (a - y) * scale
    fused_with: str | None
    formula: str
    row_losses: Callable  # (a, y, z, activation_name, ysum=None) -> (n,), see above

    def value(self, a: Array, y: Array, z: Array | None = None,
              activation: str | None = None) -> float:
        return float(np.sum(self.elementwise(a, y, z, activation)))

    def output_delta(self, a: Array, y: Array, z: Array,
                     activation: act.Activation) -> Array:
        """dL/dz of the output layer."""
        if activation.name == self.fused_with:
            n, t = a.shape
            if self.name == "cross_entropy":
                # exact for any targets, not only rows that sum to 1
                return (a * y.sum(axis=1, keepdims=True) - y) / n
            return (a - y) / (n * t)
        return act.backward(activation, self.grad_a(a, y), z, a)


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in (
        Loss("mse", _mse_elementwise, _mse_grad, None,
             "1/n sum_i 1/t sum_j (y_j - a_j)^2", _mse_rows),
        Loss("bce", _bce_elementwise, _bce_grad, "sigmoid",
             "-1/n sum_i 1/t sum_j [y_j log a_j + (1 - y_j) log(1 - a_j)]", _bce_rows),
        Loss("cross_entropy", _ce_elementwise, _ce_grad, "softmax",
             "-1/n sum_i sum_j y_j log a_j", _ce_rows),
    )
}


def get(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(
            f"unknown loss {name!r} (choose from {', '.join(LOSSES)})"
        ) from None
