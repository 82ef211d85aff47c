"""What the document keeps per training step stays bounded: consecutive
training steps merge into one "Training" undo step, and the merged commands
(which PySide6 keeps alive after Qt deletes them) no longer keep their
before/after copies of the state, whose history snapshots held every
outgrown history buffer (issue 16: ~350 bytes a trained epoch in run mode)."""
import gc

from nnsim.document import Document
from nnsim.document.commands import Memento, StateCommand
from nnsim.examples import example_path


def live(kind) -> int:
    gc.collect()
    return sum(isinstance(o, kind) for o in gc.get_objects())


def test_merged_training_steps_keep_no_copies_of_the_state(qtbot):
    doc = Document.open(example_path("lecture-xor"))
    doc.step_epochs(1)
    base, commands = live(Memento), live(StateCommand)
    for _ in range(300):  # as run mode adopts a frame: one merged step each
        doc.step_epochs(5)
    assert doc.undo_stack.count() == 1 and doc.undo_stack.text(0) == "Training"
    assert live(Memento) <= base + 2 and live(StateCommand) <= commands + 1
    # undo still goes back to before the first step, redo to the end
    end = doc.epoch_results.columns.copy()
    doc.undo_stack.undo()
    assert len(doc.epoch_results) == 0
    doc.undo_stack.redo()
    assert (doc.epoch_results.columns == end).all()


def test_a_save_between_training_steps_starts_a_new_undo_step(qtbot):
    """As QUndoStack merges: never into the saved state, nor with steps to redo."""
    doc = Document.open(example_path("lecture-xor"))
    doc.step_epochs(3)
    doc.undo_stack.setClean()  # as a save does
    doc.step_epochs(2)
    doc.step_epochs(2)
    assert doc.undo_stack.count() == 2 and not doc.undo_stack.isClean()
    doc.undo_stack.undo()
    assert len(doc.epoch_results) == 3 and doc.undo_stack.isClean()
    doc.step_epochs(1)  # after an undo: the redo goes, a new step comes
    assert doc.undo_stack.count() == 2 and len(doc.epoch_results) == 4
    doc.undo_stack.undo()
    assert len(doc.epoch_results) == 3
