"""The document owns the training state: what undo restores, what Save
writes and what the window trains with are the same thing."""
import numpy as np
import pytest

from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document
from nnsim.io import load_project


def params(doc):
    return [p.copy() for p in doc.network.parameters()]


@pytest.fixture
def doc(qtbot):
    net = Network.build(2, [3, 1], ["tanh", "sigmoid"], rng=np.random.default_rng(1))
    return Document(Project(net, TrainingConfig(learning_rate=0.5, seed=3, shuffle=False),
                            DataSpec("xor_table")))


def trained_epoch(project):
    fresh = Document(project)
    fresh.step_epochs(1)
    return params(fresh)


def test_undoing_a_new_optimizer_trains_and_saves_the_old_one(doc, tmp_path):
    """The review's bug: after set_training(optimizer="adam") and undo, the
    file said "sgd" while the window went on training with Adam."""
    doc.step_epochs(2)
    doc.set_training(optimizer="adam")
    doc.undo_stack.undo()
    assert doc.project.training.optimizer == "sgd"
    doc.save(tmp_path / "a.nnsim")
    saved = load_project(tmp_path / "a.nnsim")
    assert saved.training.optimizer == "sgd"
    expected = trained_epoch(saved)
    doc.step_epochs(1)
    assert all(np.array_equal(a, b) for a, b in zip(params(doc), expected))


def test_the_stepper_shares_no_settings_or_network_with_the_project(doc):
    doc.set_training(learning_rate=0.25)
    doc.step_sample()
    p = doc.project
    assert doc._stepper.config is not p.training and doc._stepper.config == p.training
    assert doc._stepper.network is not p.network
    assert all(a is not b for a, b in zip(doc._stepper.network.parameters(),
                                          p.network.parameters()))


def test_a_learning_rate_change_reaches_the_stepper_and_undo_takes_it_back(doc):
    doc.set_training(learning_rate=0.25)
    assert doc._stepper.config.learning_rate == 0.25
    doc.undo_stack.undo()
    assert doc._stepper.config.learning_rate == 0.5


def test_undo_of_training_restores_the_step_losses_and_the_update_count(doc):
    doc.step_sample()
    doc.step_sample()
    losses = list(doc.step_losses)
    doc.set_weight(1, 0, 0, 0.5)  # ends the merged "Training" undo step
    doc.step_epochs(1)
    assert len(doc.step_losses) == 6
    doc.undo_stack.undo()  # the epoch
    assert list(doc.step_losses) == losses and doc.updates == 2
    doc.undo_stack.redo()
    assert len(doc.step_losses) == 6 and doc.updates == 6
