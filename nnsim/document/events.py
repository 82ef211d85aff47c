"""Events on the loss curve: what changed during training, and at which epoch.

A data change, a learning-rate change, an activation change, a reset (new
weights, new history) and a step back each leave an :class:`Event` at the
epoch (and update) where it happened. The events are the document's state:
the document records them with the command that made them, and they are in
its undo mementos, so undo takes an event away with its change. The loss
plot only draws them.

Pure functions over immutable tuples: a memento shares the tuple it was
given. A slider scrub (many learning-rate changes at one epoch) is one event
(``_add`` merges them); at most ``MAX_EVENTS`` are kept (the oldest go).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.naming import fmt_setting

DATA, LEARNING_RATE, ACTIVATION, RESET, STEP_BACK = (
    "data", "learning rate", "activation", "reset", "step back")
MAX_EVENTS = 1000
ARROW = "\u2192"


@dataclass(frozen=True)
class Event:
    epoch: int  # epochs finished when it happened: its place on the epoch axis
    update: int  # updates done when it happened: its place on the per-update axis
    kind: str  # DATA, LEARNING_RATE, ACTIVATION, RESET or STEP_BACK
    subject: str  # what changed ("learning rate", "layer 1", ...), for merging
    old: str
    new: str
    note: str = ""  # said after the change (a reset's command)

    @property
    def text(self) -> str:
        if self.kind == RESET:
            return self.note
        if self.kind == STEP_BACK:
            return f"stepped back from epoch {self.old} to {self.new}"
        return f"{self.subject} {self.old} {ARROW} {self.new}"

    @property
    def tooltip(self) -> str:
        """e.g. "epoch 412: learning rate 0.5 → 0.1"."""
        return f"epoch {self.epoch:,}: {self.text}"


def data_name(data) -> str:
    """A data set's name as the user knows it (a built-in's name, an import's file)."""
    name = getattr(data, "name", None)
    if name:
        return str(name)
    source = getattr(data, "source", "")
    return Path(source).name if source else "imported points"


def _add(events: tuple, event: Event) -> tuple:
    """Append ``event``, merging it into the last one when that changed the
    same thing at the same place (a scrub); a merge back to the start drops it."""
    if events:
        last = events[-1]
        if (last.kind, last.subject, last.epoch, last.update) == \
                (event.kind, event.subject, event.epoch, event.update) and \
                event.kind not in (RESET, STEP_BACK):
            events = events[:-1]
            if last.old == event.new:
                return events
            event = Event(event.epoch, event.update, event.kind, event.subject, last.old,
                          event.new, event.note)
    return (events + (event,))[-MAX_EVENTS:]


def after_edit(events: tuple, before, project, epochs: int, updates: int, text: str,
               afresh: bool) -> tuple:
    """The events after an edit (command ``text``) that took the document
    from memento ``before`` to ``project``; ``afresh``: it started training
    afresh (new weights, no history), which leaves only a reset event."""
    if afresh:
        had_training = len(before.history.epochs) > 0 or before.updates > 0
        return (Event(0, 0, RESET, "reset", "", "", f"{text}: new weights, new history"),) \
            if had_training or events else ()
    if epochs == 0 and updates == 0:
        return events  # nothing trained yet: no curve to mark
    if project.data is not before.data and data_name(project.data) != data_name(before.data):
        events = _add(events, Event(epochs, updates, DATA, "data", data_name(before.data),
                                    data_name(project.data)))
    old_lr, new_lr = before.training.learning_rate, project.training.learning_rate
    if old_lr != new_lr:
        events = _add(events, Event(epochs, updates, LEARNING_RATE, "learning rate",
                                    fmt_setting(old_lr), fmt_setting(new_lr)))
    old_layers, new_layers = before.network.layers, project.network.layers
    if len(old_layers) == len(new_layers):
        for k, (a, b) in enumerate(zip(old_layers, new_layers), start=1):
            if a.activation != b.activation:
                events = _add(events, Event(epochs, updates, ACTIVATION,
                                            f"layer {k} activation", a.activation, b.activation))
    return events


def after_step_back(events: tuple, from_epoch: int, to_epoch: int, updates: int) -> tuple:
    """The events after stepping back from ``from_epoch`` finished epochs to
    ``to_epoch``; presses in a row are one event."""
    if to_epoch >= from_epoch:
        return events
    if events and events[-1].kind == STEP_BACK and events[-1].epoch == from_epoch:
        first = events[-1].old
        events = events[:-1]
        return events + (Event(to_epoch, updates, STEP_BACK, "", first, f"{to_epoch:,}"),)
    return _add(events, Event(to_epoch, updates, STEP_BACK, "", f"{from_epoch:,}",
                              f"{to_epoch:,}"))
