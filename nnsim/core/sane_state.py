"""Where "step back to finite" should land after a divergence: pure NumPy.

The last finite state is often no sane state: a few epochs before the
overflow the weights are already near 1e125 and the loss is orders of
magnitude above where it was. A sane epoch has a finite training loss
within ``RUNAWAY_FACTOR`` of the lowest loss so far; a sane state also has
finite weights no larger than ``WEIGHT_LIMIT`` (a bounded loss, such as
mse on a sigmoid output, stays small while the weights run away, and the
first epoch has no earlier loss to compare with).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

RUNAWAY_FACTOR = 10.0  # an order of magnitude above the best so far: running away
WEIGHT_LIMIT = 1e6  # no network of this simulator trains sanely with weights beyond this


def last_sane_epoch(train_losses: Sequence[float]) -> int:
    """The last epoch (1-based; 0: none) whose training loss was finite and
    within ``RUNAWAY_FACTOR`` of the lowest loss up to it."""
    losses = np.asarray(train_losses, dtype=float)
    finite = np.isfinite(losses)
    best = np.minimum.accumulate(np.where(finite, losses, np.inf)) if losses.size else losses
    with np.errstate(invalid="ignore", over="ignore"):
        sane = finite & (losses <= RUNAWAY_FACTOR * best)
    hits = np.flatnonzero(sane)
    return int(hits[-1]) + 1 if hits.size else 0


def weights_are_sane(parameters) -> bool:
    """Finite and no larger than ``WEIGHT_LIMIT`` in magnitude."""
    for p in parameters:
        if p.size and not (np.all(np.isfinite(p)) and np.max(np.abs(p)) <= WEIGHT_LIMIT):
            return False
    return True
