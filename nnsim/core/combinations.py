"""Which output activation and loss go together, and which go with the data.

Any loss works with any output activation (the math is exact for every
pair), but some pairs will not learn, or mislead a learner. Nothing here
changes a network: :func:`warnings_for` says what is odd, in sentences shown
where the choice is made, and :func:`output_proposal` words a question the
user answers when new data calls for another output.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .naming import fmt
from .network import Network

LOSS_NAMES = {"mse": "MSE", "bce": "binary cross-entropy", "cross_entropy": "cross-entropy"}

# The values each output activation can give: (low, high); None: unbounded.
_RANGE = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0),
          "relu": (0.0, None), "leaky_relu": (None, None), "linear": (None, None)}


def _loss_warnings(out: str, units: int, loss: str) -> list[str]:
    if loss == "cross_entropy":
        if out in ("linear", "tanh", "relu", "leaky_relu"):
            return [f"Cross-entropy takes log a, but a {out} output can be 0, negative or "
                    "above 1: there the loss is cut off and gives no gradient, so those "
                    "samples teach nothing. Use a softmax output (or a sigmoid with binary "
                    "cross-entropy)."]
        if out == "sigmoid" and units == 1:
            return ["With one output, cross-entropy −y·log a ignores every sample whose "
                    "target is 0, so the output learns to say 1 for everything. Use binary "
                    "cross-entropy with a sigmoid output."]
        if out == "sigmoid":
            return ["Cross-entropy without softmax only pushes the target's output up: "
                    "sigmoid outputs need not add up to 1, so every output can grow "
                    "towards 1 while the loss falls. Use softmax for classes, or binary "
                    "cross-entropy for independent yes/no outputs."]
    if loss == "bce" and out in ("linear", "tanh", "relu", "leaky_relu"):
        return [f"Binary cross-entropy takes log a and log(1 − a), defined only for a "
                f"between 0 and 1; a {out} output leaves that range, where the loss is cut "
                "off and gives no gradient. Use a sigmoid output."]
    return []


def _target_warnings(loss: str, Y: np.ndarray) -> list[str]:
    """Targets the loss is not made for: there it can go below 0, and its
    minimum is not at the target."""
    if loss == "bce" and (Y.min() < 0.0 or Y.max() > 1.0):
        return [f"Binary cross-entropy needs targets between 0 and 1, but they run from "
                f"{fmt(Y.min())} to {fmt(Y.max())}: there the loss can go below 0 and does "
                "not measure the error. Scale the targets to 0..1, or use MSE."]
    if loss == "cross_entropy":
        rows = Y.sum(axis=1) if Y.ndim == 2 else Y
        if Y.min() < 0.0 or Y.max() > 1.0:
            return [f"Cross-entropy needs one-hot targets or probabilities (each between 0 "
                    f"and 1, each row adding up to 1), but they run from {fmt(Y.min())} to "
                    f"{fmt(Y.max())}: the loss can go below 0 and does not measure the error. "
                    "Use one output per class with 1 for the class and 0 elsewhere."]
        bad = np.flatnonzero(np.abs(rows - 1.0) > 1e-6)
        if len(bad) and Y.ndim == 2 and Y.shape[1] > 1:  # one output: said in _loss_warnings
            return [f"Cross-entropy needs one-hot targets or probabilities, each row adding "
                    f"up to 1, but row {bad[0] + 1} adds up to {fmt(rows[bad[0]])}: the loss "
                    "then rewards outputs that are not the targets. Use one output per class "
                    "with 1 for the class and 0 elsewhere."]
    return []


def warnings_for(network: Network, data_kind: str | None = None,
                 targets: np.ndarray | None = None) -> list[str]:
    """Sentences about the output activation, the loss and the data (its
    kind, and its targets when given) that a learner should read before
    training (empty when nothing is odd)."""
    layer = network.layers[-1]
    out, units = layer.activation, layer.units
    found = []
    if out == "softmax" and units == 1:
        found.append("A softmax on a single output always gives 1, whatever the input: "
                     "the network cannot learn. Use a sigmoid, or one output per class.")
    else:
        found += _loss_warnings(out, units, network.loss)
    if data_kind in ("binary", "multiclass") and out == "linear":
        rule = ("takes the largest output as the class" if units > 1
                else "counts an output above 0.5 as class 1")
        found.append(f"A linear output is not a probability; the accuracy {rule}.")
    Y = np.asarray(targets, dtype=float) if targets is not None else np.empty((0, units))
    if Y.size:
        found += _target_warnings(network.loss, Y)
    if targets is not None and not (out == "softmax" and units == 1):  # that one: said above
        if Y.size and not reaches(out, units, Y):
            low, high = _RANGE[out]
            span = f"{low:g} to {high:g}" if high is not None else f"{low:g} and above"
            found.append(f"The targets run from {fmt(Y.min())} to {fmt(Y.max())}, but a {out} "
                         f"output only gives {span}: the loss cannot reach 0. A linear "
                         "output reaches any target.")
    return found


def suggested_output(data_kind: str, targets: np.ndarray) -> tuple[str, str] | None:
    """The output activation and loss the data calls for, or None when a
    sigmoid output (the lecture's) fits: targets within [0, 1], such as 0/1
    or 0.01/0.99. Several classes: softmax with cross-entropy; targets beyond
    [0, 1]: a linear output with MSE."""
    Y = np.asarray(targets, dtype=float)
    if data_kind == "multiclass" and Y.ndim == 2 and Y.shape[1] > 1:
        return "softmax", "cross_entropy"
    if Y.size == 0 or (Y.min() >= 0.0 and Y.max() <= 1.0):
        return None
    return "linear", "mse"


def reaches(activation: str, units: int, targets: np.ndarray) -> bool:
    """Whether an output layer of ``activation`` can give values as the targets."""
    if activation == "softmax" and units == 1:
        return False
    Y = np.asarray(targets, dtype=float)
    if Y.size == 0:
        return True
    low, high = _RANGE.get(activation, (None, None))
    return (low is None or Y.min() >= low) and (high is None or Y.max() <= high)


@dataclass(frozen=True)
class Proposal:
    activation: str
    loss: str
    question: str  # "The targets are 3 classes: use softmax with cross-entropy ...?"


def _describe_targets(data_kind: str, Y: np.ndarray) -> str:
    if data_kind == "multiclass":
        return f"The targets are {Y.shape[1]} classes"
    if data_kind == "binary":
        return "The targets are 0 and 1"
    return f"The targets run from {fmt(Y.min())} to {fmt(Y.max())}"


def output_proposal(network: Network, data_kind: str, targets: np.ndarray,
                    task_changed: bool = True) -> Proposal | None:
    """A question for the user when ``network`` (already sized to the data)
    has an output that does not suit the data, or None. ``task_changed``:
    another data set, kind or number of targets (False: the same set made
    again, where the user has answered before: nothing to ask). The data's
    suggested output is proposed, or a sigmoid when the output cannot reach
    targets within [0, 1] (a softmax left on one output)."""
    Y = np.asarray(targets, dtype=float)
    out, units, loss = network.layers[-1].activation, network.n_outputs, network.loss
    if not task_changed:
        return None
    fits = reaches(out, units, Y)
    wanted = suggested_output(data_kind, Y)
    if wanted is None:
        if fits:
            return None
        # e.g. a softmax left on one output: the lecture's sigmoid
        wanted = ("sigmoid", "bce" if loss == "cross_entropy" else loss)
    if wanted == (out, loss):
        return None
    activation, new_loss = wanted
    why = _describe_targets(data_kind, Y)
    if not fits:
        why += (" and a softmax on one output is always 1" if out == "softmax" and units == 1
                else f", beyond what a {out} output can give")
    if new_loss == loss:
        ask = f"use a {activation} output (keeping {LOSS_NAMES[loss]})?"
    else:
        ask = f"use a {activation} output with {LOSS_NAMES[new_loss]}?"
    if activation == "softmax":
        ask = f"use softmax with {LOSS_NAMES[new_loss]} on the output?"
    return Proposal(activation, new_loss, f"{why}: {ask}")
