"""Runs kept for comparison on the loss plot ("Keep this run"): they belong
to the document they were trained in (another document's plot never shows
them) and carry a label that tells runs apart ("lr 0.5, sigmoid, 3,000
epochs"). Not saved in the file and not undoable: a view aid, like a zoom.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.naming import fmt_setting


@dataclass(frozen=True, eq=False)  # compared (and hashed) by identity
class KeptRun:
    label: str
    epochs: np.ndarray  # (n, 5): epoch, train loss, test loss, train acc, test acc
    steps: np.ndarray  # (m, 2): update, batch loss


def run_label(project, epochs: int) -> str:
    """What tells two runs apart: the learning rate, the hidden (and output)
    activations, the optimiser and batch size when not the plain ones, and
    the epochs trained, e.g. "lr 0.5, sigmoid, 3,000 epochs"."""
    t = project.training
    acts = []
    for layer in project.network.layers:  # each activation once, in order
        if layer.activation not in acts:
            acts.append(layer.activation)
    parts = [f"lr {fmt_setting(t.learning_rate)}", "/".join(acts)]
    if t.optimizer != "sgd":
        parts.append(t.optimizer)
    if t.batch_size != 1:
        parts.append(f"batch {t.batch_size}")
    parts.append(f"{epochs:,} epoch{'s' if epochs != 1 else ''}")
    return ", ".join(parts)


def keep(document) -> KeptRun | None:
    """Keep the document's current curves (None: nothing trained yet)."""
    epochs = np.array(document.epoch_results.columns[:, :5], dtype=float)
    steps = np.array(document.step_losses.columns, dtype=float).reshape(-1, 2)
    if len(epochs) == 0 and len(steps) == 0:
        return None
    label = run_label(document.project, len(epochs))
    labels = [r.label for r in document.kept_runs]
    if label in labels:
        n = 2
        while f"{label} ({n})" in labels:
            n += 1
        label = f"{label} ({n})"
    run = KeptRun(label, epochs, steps)
    document.kept_runs.append(run)
    return run
