"""Undo commands.

Every edit is recorded as the document's state before and after it (a
memento: network, layout, settings, data, optimiser state, history, the
per-update losses and the update count). For the
network sizes the canvas holds this costs little, and one mechanism undoes
every kind of edit exactly, including edits that re-initialise weights.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from PySide6.QtGui import QUndoCommand

from ..core.history_log import StepLog, as_epoch_log
from ..core.input_transform import InputOptions
from ..core.network import Network
from ..core.project import History
from ..core.training import TrainingConfig

# Commands with the same merge id and ``mergeable`` set combine into one
# undo step (consecutive training steps; slider scrubs).
TRAINING_MERGE_ID = 1
SETTING_MERGE_ID = 2
DATA_MERGE_ID = 3


@dataclass
class Memento:
    network: Network
    layout: list
    training: TrainingConfig
    data: object  # DataSpec (frozen) or ImportedData (never mutated in place)
    optimizer_state: dict | None
    history: History
    step_losses: StepLog  # (update, batch loss) of every update: not in the file
    updates: int
    events: tuple = ()  # the loss curve's events (events.py): immutable, shared
    inputs: InputOptions = InputOptions()  # frozen: feature inputs, standardisation

    def copy(self) -> "Memento":
        return Memento(self.network.copy(), [list(r) for r in self.layout],
                       copy.deepcopy(self.training), self.data,
                       copy.deepcopy(self.optimizer_state),
                       History(as_epoch_log(self.history.epochs)), self.step_losses.snapshot(),
                       self.updates, events=self.events, inputs=self.inputs)


class StateCommand(QUndoCommand):
    """Switches the document between two mementos."""

    def __init__(self, document, text: str, before: Memento, after: Memento,
                 kind: str, merge_id: int = -1, merge_key=None):
        super().__init__(text)
        self._doc, self.before, self.after = document, before, after
        self.kind = kind  # what changed: "structure", "values", "layout", "settings", "data"
        self._merge_id, self.merge_key = merge_id, merge_key
        self._first = True

    def id(self) -> int:
        return self._merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, StateCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        self.setText(other.text())  # the last value set, for the undo menu
        if other.kind == "structure":
            self.kind = "structure"
        # Qt deletes ``other`` now, but PySide6 keeps its Python side alive
        # (the stack's reference to its pushed child is never dropped): a run
        # merges a command a frame, and each kept its mementos, whose
        # snapshots held every outgrown history buffer (~400 bytes an epoch
        # in run mode). Only an empty shell stays.
        other.before = other.after = other._doc = None
        return True

    def redo(self) -> None:
        if self._first:  # the edit was already applied when the command was pushed
            self._first = False
            return
        self._doc._restore(self.after.copy(), self.kind)

    def undo(self) -> None:
        self._doc._restore(self.before.copy(), self.kind)


def merge_on_top(stack, merge_id: int, merge_key, after: Memento) -> bool:
    """Merge a step ending in ``after`` into the command on top of ``stack``,
    as ``QUndoStack.push`` would merge a new command into it (the same merge
    id and key, nothing to redo, the top not the saved state), but without a
    new command: PySide6 keeps every pushed command's Python side alive, and
    run mode merges one a frame. False when a command must be pushed."""
    i = stack.index()
    if i == 0 or i != stack.count() or i == stack.cleanIndex():
        return False
    top = stack.command(i - 1)
    if not (isinstance(top, StateCommand) and top.id() == merge_id
            and top.merge_key == merge_key):
        return False
    top.after = after  # (text and kind as a merged command would leave them)
    return True
