"""Activation functions, each with its derivative beside it.

Every function works on 2-D arrays ``(batch, units)``. ``derivative(z, a)``
returns da/dz elementwise given both the net input and the output (whichever
is cheaper to use). Softmax has no elementwise derivative; its backward pass is
a Jacobian-vector product, see :func:`backward`.
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


@dataclass(frozen=True)
class Activation:
    name: str
    function: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array] | None  # None: not elementwise
    formula: str  # a = f(z), for the inspector and the CLI
    derivative_formula: str  # da/dz

    @property
    def elementwise(self) -> bool:
        return self.derivative is not None


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, lambda z, a: a * (1.0 - a),
                   "1 / (1 + e^-z)", "a (1 - a)"),
        Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a,
                   "tanh(z)", "1 - a^2"),
        Activation("relu", lambda z: np.maximum(z, 0.0),
                   lambda z, a: (z > 0).astype(z.dtype),
                   "max(0, z)", "1 if z > 0 else 0"),
        Activation("leaky_relu", lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
                   lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype),
                   f"z if z > 0 else {LEAKY_SLOPE} z", f"1 if z > 0 else {LEAKY_SLOPE}"),
        Activation("linear", lambda z: z.copy(), lambda z, a: np.ones_like(z),
                   "z", "1"),
        Activation("softmax", _softmax, None,
                   "e^z_j / sum_k e^z_k", "a_j (1[j=k] - a_k)"),
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
