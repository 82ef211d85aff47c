"""What the document keeps per training step stays bounded: consecutive
training steps merge into one "Training" undo step, and the merged commands
(which PySide6 keeps alive after Qt deletes them) no longer keep their
before/after copies of the state, whose history snapshots held every
outgrown history buffer (issue 16: ~350 bytes a trained epoch in run mode)."""
import gc

from nnsim.document import Document
from nnsim.document.commands import Memento
from nnsim.examples import example_path


def live_mementos() -> int:
    gc.collect()
    return sum(isinstance(o, Memento) for o in gc.get_objects())


def test_merged_training_steps_keep_no_copies_of_the_state(qtbot):
    doc = Document.open(example_path("lecture-xor"))
    doc.step_epochs(1)
    base = live_mementos()
    for _ in range(300):  # as run mode adopts a frame: one merged step each
        doc.step_epochs(5)
    assert doc.undo_stack.count() == 1 and doc.undo_stack.text(0) == "Training"
    assert live_mementos() <= base + 2
    # undo still goes back to before the first step, redo to the end
    end = doc.epoch_results.columns.copy()
    doc.undo_stack.undo()
    assert len(doc.epoch_results) == 0
    doc.undo_stack.redo()
    assert (doc.epoch_results.columns == end).all()
