"""L1 and L2 regularisation: a penalty on the weights added to the loss.

The loss that training descends is

    L = data loss + λ·Ω(W),   Ω = ½·Σ w²  (L2)   or   Ω = Σ |w|  (L1)

over the weights of every connection (not the biases, as usual: a bias only
shifts a neuron and does not make the network more complex; removed
connections carry no weight). So each weight's gradient gains one term,

    ∂L/∂w = (the data loss's chain rule) + λ·w      (L2)
                                          + λ·sign(w) (L1; 0 at w = 0)

The ½ in L2 makes the term λ·w, as PyTorch's ``weight_decay`` and
TensorFlow Playground have it. The term is added once per update, whatever
the batch size (the data loss is a mean over the batch; the penalty is not).
|w| has no derivative at w = 0: sign(0) = 0 is the subgradient used there
(as PyTorch does), so a weight that is exactly 0 feels no pull.

The loss history and the plots show the *data* loss (train and test are then
comparable, and runs with and without regularisation too); the inspector
shows the penalty beside it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .limits import MAX_REGULARIZATION_RATE

Array = np.ndarray

REGULARIZATIONS = ("none", "l1", "l2")
TITLES = {"none": "none", "l1": "L1", "l2": "L2"}


def validate(kind, rate) -> None:
    """Raise ValueError naming the setting when ``kind`` or ``rate`` is not allowed."""
    if kind not in REGULARIZATIONS:
        raise ValueError(f"training.regularization: expected one of "
                         f"{', '.join(REGULARIZATIONS)}, got {kind!r}")
    if not (isinstance(rate, (int, float)) and not isinstance(rate, bool)
            and np.isfinite(rate) and 0 <= rate <= MAX_REGULARIZATION_RATE):
        raise ValueError(f"training.regularization_rate: expected a number from 0 to "
                         f"{MAX_REGULARIZATION_RATE:g}, got {rate!r}")


@dataclass(frozen=True)
class Penalty:
    """``kind`` ("none", "l1", "l2") with rate λ = ``rate``."""

    kind: str = "none"
    rate: float = 0.0

    @property
    def active(self) -> bool:
        return self.kind != "none" and self.rate > 0

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    def _connected(self, W: Array, mask: Array | None) -> Array:
        return W if mask is None else np.where(mask, W, 0.0)

    def value(self, weights) -> float:
        """λ·Ω over ``weights``: (W, mask) pairs, one per layer."""
        if not self.active:
            return 0.0
        total = 0.0
        for W, mask in weights:
            w = self._connected(W, mask)
            total += 0.5 * float(np.sum(w * w)) if self.kind == "l2" else float(np.sum(np.abs(w)))
        return self.rate * total

    def of_network(self, network) -> float:
        return self.value((l.W, l.mask) for l in network.layers)

    def gradient(self, W: Array, mask: Array | None) -> Array:
        """∂(λ·Ω)/∂W for one layer: λ·w or λ·sign(w), 0 where removed."""
        g = self.rate * (W if self.kind == "l2" else np.sign(W))
        return g if mask is None else np.where(mask, g, 0.0)

    def term(self, w: float) -> float:
        """The penalty's part of ∂L/∂w for one weight ``w``."""
        return self.rate * (w if self.kind == "l2" else float(np.sign(w)))

    def add_to(self, network, dWs: list) -> list:
        """``dWs`` (data-loss gradients, one per layer) with the penalty's term added."""
        if not self.active:
            return dWs
        return [dW + self.gradient(l.W, l.mask) for dW, l in zip(dWs, network.layers)]


NONE = Penalty()
