"""What one command, undo, redo, step or run-mode frame changed.

The document emits ``changed(Change)`` once per such event; each view looks
at the flags it draws from and redraws once. Flags say *what kind* of state
changed, not whether a value differs (a view that must know that keeps its
own small check and says why).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    structure: bool = False  # layers, neurons, connections, activations or the loss
    values: bool = False  # weights or biases (an edit, or training)
    settings: bool = False  # training settings (learning rate, batch size, optimiser, ...)
    data: bool = False  # the data set or its points
    layout: bool = False  # neuron positions on the canvas
    history: bool = False  # the loss history or the per-update losses grew or shrank
    step: bool = False  # the snapshot or where the stepper is (next micro-step, sample, pin)
    path: bool = False  # the file name, or the document was saved

    @property
    def numbers(self) -> bool:
        """Anything the network computes may differ (what labels and maps show)."""
        return self.structure or self.values or self.data or self.step


# What an edit (or its undo/redo) of each command kind changes. Every edit but
# a layout or settings one rebuilds the stepper: the snapshot and the cursor
# are new, and the history may be (an edit that starts training afresh).
_TRAINING_STATE = dict(history=True, step=True)
EDIT_CHANGES = {
    "layout": Change(layout=True),
    "settings": Change(settings=True),
    "values": Change(values=True, **_TRAINING_STATE),
    "structure": Change(structure=True, values=True, settings=True, layout=True,
                        **_TRAINING_STATE),
    "data": Change(structure=True, values=True, settings=True, layout=True, data=True,
                   **_TRAINING_STATE),
}
TRAINED = Change(values=True, history=True, step=True)
STEPPED = Change(step=True)
SAVED = Change(path=True)
