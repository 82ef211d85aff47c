"""The training cases of the issue, with data and initial weights made by nnsim
(so every framework starts from the same numbers)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Case:
    name: str
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    n: int
    batch: int
    learning_rate: float
    note: str = ""

    @property
    def hidden_activation(self) -> str:
        return self.activations[0]

    @property
    def n_edges(self) -> int:
        return sum(a * b for a, b in zip(self.sizes, self.sizes[1:]))


CASES = {
    c.name: c for c in (
        Case("2-4-4-1", (2, 4, 4, 1), ("tanh", "tanh", "sigmoid"), "bce", 200, 200, 0.5,
             "200 points, full batch, tanh, sigmoid + binary cross-entropy"),
        Case("2-8x6-2", (2, 8, 8, 8, 8, 8, 8, 2), ("tanh",) * 6 + ("softmax",), "cross_entropy",
             500, 10, 0.1, "500 points, batch 10, tanh, softmax + cross-entropy"),
        Case("784-128-64-10", (784, 128, 64, 10), ("relu", "relu", "softmax"), "cross_entropy",
             10_000, 64, 0.01, "10,000 random points, batch 64, relu, softmax + cross-entropy"),
    )
}


def make_data(case: Case, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (n, inputs) and Y (n, outputs), float64; Y one-hot (or one 0/1 column)."""
    rng = np.random.default_rng(seed)
    n, n_in, t = case.n, case.sizes[0], case.sizes[-1]
    if n_in == 2:
        X = rng.uniform(-1, 1, size=(n, 2))
        r = np.hypot(X[:, 0], X[:, 1])
        labels = (r < 0.6).astype(int) if t == 1 else (X[:, 0] * X[:, 1] < 0).astype(int)
    else:
        X = rng.standard_normal((n, n_in))
        labels = rng.integers(0, t, size=n)
    if t == 1:
        Y = labels[:, None].astype(float)
    else:
        Y = np.zeros((n, t))
        Y[np.arange(n), labels] = 1.0
    return X, Y


def make_network(case: Case, seed: int = 0):
    from nnsim.core.network import Network
    init = "he" if case.hidden_activation == "relu" else "xavier"
    return Network.build(case.sizes[0], list(case.sizes[1:]), list(case.activations),
                         loss=case.loss, initializer=init, rng=np.random.default_rng(seed))


def initial_weights(case: Case, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(l.W.copy(), l.b.copy()) for l in make_network(case, seed).layers]
