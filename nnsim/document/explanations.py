"""The chain rule and the gradient check of a selection, asked of the document.

Views name what they explain by a reference with ``layer`` plus either
``source`` and ``target`` (a connection, like ``nnsim.qt.selection.EdgeRef``)
or ``neuron`` (like ``NeuronRef``); the answers are :mod:`nnsim.core.chainrule`'s
and :mod:`nnsim.core.gradcheck`'s plain data, computed on the snapshot on show,
so the inspector and the canvas read the same numbers.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..core import chainrule
from ..core.chainrule import (Explanation, Factor, FactorKind, NeuronExplanation, Path,
                              Quantity, SampleTerm, Term, Update)
from ..core.gradcheck import Verdict, check_parameter
from ..core.stepper import Snapshot
from .document import Document

ON_CYCLE = "the cycle's batch, with the weights it started from"
ON_NEXT_BATCH = "the next batch, with the current weights"


def _parameter(ref) -> tuple[int, int | None, int]:
    """(layer, i, j) of a connection's weight, or (layer, None, j) of a neuron's bias."""
    if hasattr(ref, "source"):
        return ref.layer, ref.source, ref.target
    return ref.layer, None, ref.neuron


def shown_snapshot(document: Document) -> Snapshot | None:
    """The snapshot on show, or None when it belongs to a network of another
    shape (a stale one must never be explained)."""
    snap = document.snapshot
    if snap is None:
        return None
    if [W.shape for W, _ in snap.weights_before] != [l.W.shape for l in document.network.layers]:
        return None
    return snap


def explain(document: Document, ref, sample: int = 0) -> Explanation | NeuronExplanation:
    """A connection's dL/dw, or a neuron's z, a and δ for the mini-batch's
    ``sample`` (0-based position, clamped to the batch)."""
    net, snap = document.network, shown_snapshot(document)
    k, i, j = _parameter(ref)
    if i is not None:
        return chainrule.explain_weight(net, snap, k, i, j,
                                        optimizer=document.project.training.optimizer,
                                        namer=document.neuron_label)
    n = 0 if snap is None else snap.X.shape[0]
    return chainrule.explain_neuron(net, snap, k, j, sample=min(max(sample, 0), max(n - 1, 0)),
                                    namer=document.neuron_label)


def explain_bias(document: Document, ref) -> Explanation | None:
    """dL/db of a neuron's bias (None for an input, which has no bias)."""
    k, _, j = _parameter(ref)
    if k == 0:
        return None
    return chainrule.explain_bias(document.network, shown_snapshot(document), k, j,
                                  namer=document.neuron_label,
                                  optimizer=document.project.training.optimizer)


def bias_paths(document: Document, ref, sample: int = 0) -> SampleTerm | None:
    """A neuron's dL/db for the mini-batch's ``sample`` as a sum over its paths
    to the loss, one per next-layer neuron (None for an input, or before the
    backward pass reaches the neuron)."""
    k, _, j = _parameter(ref)
    if k == 0:
        return None
    return chainrule.bias_paths(document.network, shown_snapshot(document), k, j, sample=sample,
                                namer=document.neuron_label)


def check_gradient(document: Document, ref) -> Verdict:
    """Backprop against a central difference for the weight of a connection or
    the bias of a neuron: on the cycle's batch with the weights its forward pass
    used, or with no cycle on show, on the next batch with the current weights."""
    k, i, j = _parameter(ref)
    net = document.network.copy()
    snap = shown_snapshot(document)
    analytic = None
    if snap is not None:
        X, Y = np.array(snap.X), np.array(snap.Y)
        net.set_parameters([np.array(p) for pair in snap.weights_before for p in pair])
        grads = snap.db if i is None else snap.dW
        if grads[k - 1] is not None:  # the backward step has run: its own number
            analytic = float(grads[k - 1][j] if i is None else grads[k - 1][i, j])
        on = ON_CYCLE
    else:
        X, Y = (np.array(v, dtype=float) for v in document.gradient_check_values())
        on = ON_NEXT_BATCH
    # the penalty the backward step used, else the one it will use
    penalty = (snap.penalty if analytic is not None
               else document.project.training.penalty)
    verdict = check_parameter(net, X, Y, k - 1, i, j, analytic, penalty=penalty)
    return dataclasses.replace(verdict, on=on)


__all__ = ["Explanation", "Factor", "FactorKind", "NeuronExplanation", "Path", "Quantity", "SampleTerm",
           "Term", "Update", "Verdict", "bias_paths", "check_gradient", "explain", "explain_bias",
           "shown_snapshot"]
