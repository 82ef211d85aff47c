"""A stateful property test: whatever a user does (edits, settings, steps,
run mode, undo, redo), the document saved and opened again trains exactly as
the live one.

The file holds everything that decides training except where the stepper is
inside the current epoch (position, shuffle order, shuffle stream, a half-done
pass); that cursor is not in the file format, so ``_continue_like`` copies it
to the reopened document before both train one epoch and are compared bit
for bit.
"""
import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.run_mode.protocol import (dataset_from_load, load_message, parse_progress,
                                          progress_message, stepper_from_load)
from nnsim.core.training import TrainingConfig
from nnsim.document import Document
from nnsim.io import dumps, loads

MAX_HIDDEN = 4


def _stepper(doc):
    return doc._stepper  # the test reads the computing engine to copy its epoch cursor


def _continue_like(live: Document, fresh: Document) -> None:
    """Put ``fresh`` where ``live`` is inside the epoch (not saved in files)."""
    a, b = _stepper(live), _stepper(fresh)
    b.epoch, b.position, b.order, b.pinned = a.epoch, a.position, a.order, a.pinned
    b.rng.bit_generator.state = a.rng.bit_generator.state
    b._rng_state = None
    for _ in range(a.cycle.done if a.cycle is not None else 0):
        fresh.micro_step()  # the half-done pass, recomputed (no update in it)


def _same(xs, ys) -> bool:
    return len(xs) == len(ys) and all(np.array_equal(x, y, equal_nan=True)
                                      for x, y in zip(xs, ys))


class DocumentMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        net = Network.build(2, [2, 1], ["tanh", "sigmoid"], rng=np.random.default_rng(0))
        self.doc = Document(Project(net, TrainingConfig(learning_rate=0.5, seed=1),
                                    DataSpec("xor_table")))

    # -- edits ---------------------------------------------------------------
    @rule(data=st.data(), value=st.sampled_from([-1.5, -0.25, 0.0, 0.5, 2.0]))
    def set_weight(self, data, value):
        sizes = self.doc.network.sizes
        k = data.draw(st.integers(1, len(sizes) - 1))
        i = data.draw(st.integers(0, sizes[k - 1] - 1))
        j = data.draw(st.integers(0, sizes[k] - 1))
        self.doc.set_weight(k, i, j, value)

    @rule(data=st.data(), value=st.sampled_from([-1.0, 0.25, 1.0]))
    def set_bias(self, data, value):
        sizes = self.doc.network.sizes
        k = data.draw(st.integers(1, len(sizes) - 1))
        self.doc.set_bias(k, data.draw(st.integers(0, sizes[k] - 1)), value)

    @precondition(lambda self: self.doc.network.sizes[1] < MAX_HIDDEN)
    @rule()
    def add_neuron(self):
        self.doc.add_neuron(1)

    @precondition(lambda self: self.doc.network.sizes[1] > 1)
    @rule(data=st.data())
    def remove_neuron(self, data):
        self.doc.remove_neuron(1, data.draw(st.integers(0, self.doc.network.sizes[1] - 1)))

    @rule(lr=st.sampled_from([0.05, 0.5, 1.5]))
    def set_learning_rate(self, lr):
        self.doc.set_training(learning_rate=lr)

    @rule(name=st.sampled_from(["sgd", "momentum", "adam"]))
    def set_optimizer(self, name):
        self.doc.set_training(optimizer=name)

    @rule(size=st.integers(1, 4))
    def set_batch_size(self, size):
        self.doc.set_training(batch_size=size)

    @rule(shuffle=st.booleans())
    def set_shuffle(self, shuffle):
        self.doc.set_training(shuffle=shuffle)

    # -- training ------------------------------------------------------------
    @rule()
    def micro_step(self):
        self.doc.micro_step()

    @rule()
    def step_sample(self):
        self.doc.step_sample()

    @rule()
    def step_batch(self):
        self.doc.step_batch()

    @rule(n=st.integers(1, 2))
    def step_epochs(self, n):
        self.doc.step_epochs(n)

    @rule(n=st.integers(1, 3))
    def run_mode_chunk_in_the_window(self, n):
        """What the runner's quiet tick does: epochs with the signals held back."""
        held = self.doc.blockSignals(True)
        try:
            self.doc.step_epochs(n, stop_loss=None, on_epoch=lambda _r: False)
        finally:
            self.doc.blockSignals(held)

    @precondition(lambda self: not _stepper(self.doc).in_cycle)
    @rule(n=st.integers(1, 2))
    def run_mode_progress_adopted(self, n):
        """Epochs trained by the training process's code, taken as progress."""
        header, arrays = load_message(_stepper(self.doc), 1, n, None, 0, True)
        remote = stepper_from_load(header, arrays, dataset_from_load(header, arrays))
        remote.step_epochs(n)
        self.doc.adopt_training(parse_progress(*progress_message(remote, 1, None)))

    @rule()
    def undo(self):
        self.doc.undo_stack.undo()

    @rule()
    def redo(self):
        self.doc.undo_stack.redo()

    # -- the property ----------------------------------------------------------
    @invariant()
    def the_stepper_has_its_own_copy_of_the_settings(self):
        cfg = _stepper(self.doc).config
        assert cfg == self.doc.project.training and cfg is not self.doc.project.training

    @invariant()
    def saved_and_reopened_it_trains_the_same_next_epoch(self):
        live = self.doc
        reopened = Document(loads(dumps(live.project)))
        _continue_like(live, reopened)
        with np.errstate(all="ignore"):
            live.step_epochs(1)
            reopened.step_epochs(1)
        assert _same(live.network.parameters(), reopened.network.parameters())
        assert live.project.history == reopened.project.history
        assert live.step_back()  # exactly back: the check's epoch is no part of the sequence


DocumentMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=20,
                                             derandomize=True, deadline=None)
TestDocumentStateMachine = DocumentMachine.TestCase
