"""Where training stopped being finite, and why (probably): pure NumPy.

A run never ends in a silent NaN: the runner asks :func:`diagnose` after
each chunk of training and, given a :class:`DivergenceInfo`, pauses and
shows its message, which names the place and the real cause (``culprit``):
inputs far too large, weights that were already too large, or a learning
rate too large (then it suggests one).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..naming import fmt, fmt_setting

# Learning rates a suggestion is rounded to (down): 1e-5, 3e-5, 1e-4 ... 3, 10.
LEARNING_RATE_PRESETS = tuple(float(f"{m}e{e}") for e in range(-5, 2) for m in (1, 3)
                              if float(f"{m}e{e}") <= 10)
MAX_SUGGESTION = 0.1  # however absurd the rate, suggest no more than this
# Inputs this large make every gradient huge, whatever the learning rate.
LARGE_INPUT = 1e3
# A first epoch's loss this large (or not finite) at a modest learning rate:
# the weights training started from were too large.
LARGE_FIRST_LOSS = 1e6
INPUTS, WEIGHTS, RATE = "inputs", "weights", "learning rate"


def suggest_learning_rate(lr: float) -> float:
    """A learning rate to try after ``lr`` diverged: lr/100, at most 0.1,
    rounded down to a preset (1 or 3 times a power of ten)."""
    x = min(lr / 100.0, MAX_SUGGESTION)
    below = [p for p in LEARNING_RATE_PRESETS if p <= x * (1 + 1e-9)]
    return below[-1] if below else LEARNING_RATE_PRESETS[0]


@dataclass(frozen=True)
class DivergenceInfo:
    """Where training first stopped being finite, and why (probably).

    ``where`` is "weight", "bias" or "loss" (weights finite, loss not).
    ``layer`` is the 1-based non-input layer; ``i``, ``j`` index W[i, j]
    (0-based: from neuron i of the layer below into neuron j); a bias has
    ``i`` None. For "loss" all three are None.
    """

    epoch: int  # the epoch (1-based, counting from the start of training) that diverged
    where: str
    layer: int | None
    i: int | None
    j: int | None
    value: float  # the non-finite value found (the training loss for "loss")
    learning_rate: float
    optimizer: str
    suggested_learning_rate: float
    cause: str  # one sentence, ending with what to try
    culprit: str = RATE  # INPUTS, WEIGHTS or RATE: what to change

    @property
    def location(self) -> str:
        if self.where == "weight":
            return f"weight {self.i + 1}\u2192{self.j + 1} of layer {self.layer}"
        if self.where == "bias":
            return f"the bias of neuron {self.j + 1} in layer {self.layer}"
        return "the loss"

    @property
    def message(self) -> str:
        return (f"Training diverged in epoch {self.epoch}: {self.location} became "
                f"{fmt(self.value)}. {self.cause[0].upper()}{self.cause[1:]}")


def first_non_finite(network) -> tuple[str, int, int | None, int, float] | None:
    """(kind, layer, i, j, value) of the first non-finite parameter, scanning
    layer 1 up, each layer's weights (row by row) before its biases."""
    for k, layer in enumerate(network.layers, start=1):
        bad = np.argwhere(~np.isfinite(layer.W))
        if len(bad):
            i, j = (int(v) for v in bad[0])
            return "weight", k, i, j, float(layer.W[i, j])
        bad = np.flatnonzero(~np.isfinite(layer.b))
        if len(bad):
            j = int(bad[0])
            return "bias", k, None, j, float(layer.b[j])
    return None


def largest_weight(network) -> tuple[str, float] | None:
    """(name, value) of the weight or bias of largest magnitude, e.g.
    ("weight 2\u21921 of layer 1", 1.9e295); None for an empty network."""
    best = None
    with np.errstate(all="ignore"):
        for k, layer in enumerate(network.layers, start=1):
            for kind, arr in (("weight", layer.W), ("bias", layer.b)):
                if not arr.size:
                    continue
                flat = int(np.argmax(np.abs(arr)))
                value = float(arr.flat[flat])
                if best is None or abs(value) > abs(best[1]):
                    if kind == "weight":
                        i, j = np.unravel_index(flat, arr.shape)
                        name = f"weight {i + 1}\u2192{j + 1} of layer {k}"
                    else:
                        name = f"the bias of neuron {flat + 1} in layer {k}"
                    best = (name, value)
    return best


def likely_cause(lr: float, optimizer: str, where: str,
                 largest: tuple[str, float] | None = None) -> str:
    """One sentence: the probable reason for the divergence and what to try.
    ``largest``: the biggest weight, (name, value), for a loss that overflowed."""
    rate = fmt_setting(lr)
    tail = f"try {fmt_setting(suggest_learning_rate(lr))}."
    if where == "loss":
        grew = "the weights have grown so large that the outputs overflow"
        if largest is not None and math.isfinite(largest[1]):
            grew = (f"the weights have grown so large ({largest[0]} is {fmt(largest[1], 2)}) "
                    "that the outputs overflow")
        if lr >= 1:
            return f"the learning rate {rate} is far too large: {grew}; {tail}"
        return f"the learning rate {rate} is too large for this network and data: {grew}; {tail}"
    if lr >= 1:
        return (f"the learning rate {rate} is far too large: each update overshoots and the "
                f"weights grow without bound; {tail}")
    if lr <= 1e-4:
        return (f"even the small learning rate {rate} overshoots, so look for very large input "
                f"values or extreme optimiser settings; otherwise {tail}")
    name = {"adam": "Adam", "momentum": "momentum"}.get(optimizer)
    with_opt = f" with {name}" if name else ""
    return (f"the learning rate {rate} is too large for this network and data{with_opt}: "
            f"each update overshoots the minimum by more than the last, so the weights grow "
            f"without bound; {tail}")


def largest_input(X) -> tuple[str, float] | None:
    """(where, value) of the input of largest magnitude, e.g. ("x1 in row 3",
    1e200); None without rows."""
    if X is None or not np.size(X):
        return None
    X = np.asarray(X, dtype=float)
    a = np.abs(X)
    flat = int(np.argmax(np.where(np.isnan(a), np.inf, a)))  # a NaN input: as bad as any
    row, col = np.unravel_index(flat, X.shape)
    return f"x{col + 1} in row {row + 1}", float(X[row, col])


def culprit(lr: float, epoch_results: Sequence, inputs: tuple[str, float] | None) -> str:
    """What made training diverge: INPUTS (an input beyond LARGE_INPUT, or not
    finite), WEIGHTS (the first epoch already overflowed at a learning rate
    below 1: the starting weights were too large) or RATE."""
    if inputs is not None and not abs(inputs[1]) < LARGE_INPUT:
        return INPUTS
    first = epoch_results[0] if epoch_results else None
    if lr < 1 and first is not None and first.epoch == 1 and not (
            abs(first.train_loss) < LARGE_FIRST_LOSS):
        return WEIGHTS
    return RATE


def _cause(who: str, lr: float, optimizer: str, where: str, largest, inputs) -> str:
    if who == INPUTS:
        return (f"the inputs are far too large ({inputs[0]} is {fmt(inputs[1], 2)}): every "
                "gradient is multiplied by them, so any learning rate overshoots; standardise "
                "the inputs (each column minus its mean, divided by its spread).")
    if who == WEIGHTS:
        size = (f" ({largest[0]} is {fmt(largest[1], 2)})"
                if largest is not None and math.isfinite(largest[1]) else "")
        return (f"the weights were too large when training started{size}: the first epoch "
                "already overflowed at the learning rate "
                f"{fmt_setting(lr)}; reinitialise the weights (or set them smaller).")
    return likely_cause(lr, optimizer, where, largest)


def diagnose(network, learning_rate: float, optimizer: str, epoch_results: Sequence,
             epoch: int, X=None) -> DivergenceInfo | None:
    """A :class:`DivergenceInfo` for ``network`` trained with ``learning_rate``
    and ``optimizer``, or None when its parameters and the last of
    ``epoch_results`` (EpochResults) are finite. ``epoch``: the epoch in
    progress, named when no epoch has finished. ``X``: the training inputs
    (to tell inputs far too large from a learning rate too large)."""
    last = epoch_results[-1] if epoch_results else None
    found = first_non_finite(network)
    if found is None and (last is None or last.finite):
        return None
    if last is not None:
        epoch = last.epoch
    if found is not None:
        where, layer, i, j, value = found
    else:
        where, layer, i, j = "loss", None, None, None
        value = last.train_loss if not math.isfinite(last.train_loss) else last.test_loss
    lr = float(learning_rate)
    inputs = largest_input(X)
    who = culprit(lr, epoch_results, inputs)
    return DivergenceInfo(epoch, where, layer, i, j, value, lr, optimizer,
                          suggest_learning_rate(lr),
                          _cause(who, lr, optimizer, where, largest_weight(network), inputs), who)
