"""Weight initialisers. All randomness comes from the Generator passed in."""
from __future__ import annotations

import numpy as np

INITIALIZERS = ("xavier", "he", "uniform")


def init_weights(name: str, n_in: int, n_out: int,
                 rng: np.random.Generator) -> np.ndarray:
    """W of shape (n_in, n_out); biases start at zero elsewhere."""
    if name == "xavier":  # Glorot uniform
        limit = np.sqrt(6.0 / (n_in + n_out))
    elif name == "he":  # He uniform, for relu layers
        limit = np.sqrt(6.0 / n_in)
    elif name == "uniform":
        limit = 1.0
    else:
        raise ValueError(
            f"unknown initializer {name!r} (choose from {', '.join(INITIALIZERS)})")
    return rng.uniform(-limit, limit, size=(n_in, n_out))
