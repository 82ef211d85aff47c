"""Activation functions, each with its derivative beside it.

Every function works on 2-D arrays ``(batch, units)``. ``derivative(z, a)``
returns da/dz elementwise given both the net input and the output (whichever
is cheaper to use). Softmax has no elementwise derivative; its backward pass is
a Jacobian-vector product, see :func:`backward`.

Each activation also carries the same math as in-place kernels
(``forward_into``, ``backward_into``) for the fused epoch engine of
``training.py``: one record per activation holds both forms, and
tests/core/test_activation_kernels.py holds them together.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray


def _sigmoid(z: Array) -> Array:
    # Stable for any z: exp is only ever taken of a non-positive number.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softmax(z: Array) -> Array:
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


LEAKY_SLOPE = 0.01


# -- the same, in place, for whole epochs (training.EpochEngine) ------------------------
# Each kernel writes into preallocated buffers what ``function`` / ``derivative``
# below compute (the same operations in the same order, except the sigmoid's
# forward, see there), without temporary arrays. ``t`` is a scratch buffer of
# z's shape, ``mb`` a bool one (a column of z's rows for the softmax).

def _fwd_sigmoid(z, out, t, mb):
    # 1 / (1 + e^-z): the same function as activations._sigmoid to the last
    # bit or so, in four operations (e^-z may overflow to inf: 1/inf = 0)
    np.negative(z, out=out)
    np.exp(out, out=out)
    np.add(out, 1.0, out=out)
    np.divide(1.0, out, out=out)


def _fwd_tanh(z, out, t, mb):
    np.tanh(z, out=out)


def _fwd_relu(z, out, t, mb):
    np.maximum(z, 0.0, out=out)


def _fwd_leaky(z, out, t, mb):
    np.multiply(z, LEAKY_SLOPE, out=out)
    np.greater(z, 0.0, out=mb)
    np.copyto(out, z, where=mb)


def _fwd_linear(z, out, t, mb):
    np.copyto(out, z)


def _fwd_softmax(z, out, t, col):
    np.max(z, axis=1, keepdims=True, out=col)
    np.subtract(z, col, out=out)
    np.exp(out, out=out)
    np.sum(out, axis=1, keepdims=True, out=col)
    np.divide(out, col, out=out)


# dL/dz = dL/da * da/dz; ``g`` (dL/da) may be the same array as ``out``.
def _bwd_sigmoid(g, z, a, out, t, mb):
    np.subtract(1.0, a, out=t)
    np.multiply(a, t, out=t)
    np.multiply(g, t, out=out)


def _bwd_tanh(g, z, a, out, t, mb):
    np.multiply(a, a, out=t)
    np.subtract(1.0, t, out=t)
    np.multiply(g, t, out=out)


def _bwd_relu(g, z, a, out, t, mb):
    np.greater(z, 0.0, out=mb)
    np.multiply(g, mb, out=out)


def _bwd_leaky(g, z, a, out, t, mb):
    np.greater(z, 0.0, out=mb)
    np.logical_not(mb, out=mb)
    if out is not g:
        np.copyto(out, g)
    np.multiply(out, LEAKY_SLOPE, out=out, where=mb)


def _bwd_linear(g, z, a, out, t, mb):
    if out is not g:
        np.copyto(out, g)



@dataclass(frozen=True)
class Activation:
    name: str
    function: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array] | None  # None: not elementwise
    formula: str  # a = f(z), for the inspector and the CLI
    derivative_formula: str  # da/dz
    # in place: forward_into(z, out, t, mb); backward_into(g, z, a, out, t, mb)
    # writes dL/dz = g * da/dz (None: the softmax, whose delta the loss gives)
    forward_into: Callable
    backward_into: Callable | None = None

    @property
    def elementwise(self) -> bool:
        return self.derivative is not None


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, lambda z, a: a * (1.0 - a),
                   "1 / (1 + e^-z)", "a (1 - a)", _fwd_sigmoid, _bwd_sigmoid),
        Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a,
                   "tanh(z)", "1 - a^2", _fwd_tanh, _bwd_tanh),
        Activation("relu", lambda z: np.maximum(z, 0.0),
                   lambda z, a: (z > 0).astype(z.dtype),
                   "max(0, z)", "1 if z > 0 else 0", _fwd_relu, _bwd_relu),
        Activation("leaky_relu", lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
                   lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype),
                   f"z if z > 0 else {LEAKY_SLOPE} z", f"1 if z > 0 else {LEAKY_SLOPE}",
                   _fwd_leaky, _bwd_leaky),
        Activation("linear", lambda z: z.copy(), lambda z, a: np.ones_like(z),
                   "z", "1", _fwd_linear, _bwd_linear),
        Activation("softmax", _softmax, None,
                   "e^z_j / sum_k e^z_k", "a_j (1[j=k] - a_k)", _fwd_softmax),
    )
}

OUTPUT_ONLY = frozenset({"softmax"})


def get(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r} (choose from {', '.join(ACTIVATIONS)})"
        ) from None


def backward(activation: Activation, grad_a: Array, z: Array, a: Array) -> Array:
    """dL/dz from dL/da, shapes ``(batch, units)``."""
    if activation.derivative is not None:
        return grad_a * activation.derivative(z, a)
    # softmax: dL/dz_j = a_j (g_j - sum_k g_k a_k)
    return a * (grad_a - np.sum(grad_a * a, axis=1, keepdims=True))
