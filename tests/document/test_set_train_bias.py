"""Freezing a layer's biases in the document: one undoable command that keeps
the training so far and takes effect on the next update."""
import numpy as np
import pytest

from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document, EditError
from nnsim.io import load_project


@pytest.fixture
def doc(qtbot):
    net = Network.build(2, [3, 1], ["tanh", "sigmoid"], rng=np.random.default_rng(1))
    net.layers[0].b[:] = [0.1, -0.2, 0.3]
    return Document(Project(net, TrainingConfig(learning_rate=0.5, seed=3, optimizer="momentum"),
                            DataSpec("circle", n=40)))


def flags(doc):
    return [l.train_bias for l in doc.network.layers]


def test_freezing_is_one_undoable_command(doc, qtbot):
    with qtbot.waitSignal(doc.changed, timeout=1000, check_params_cb=lambda c: c.values):
        doc.set_train_bias(1, False)
    assert flags(doc) == [False, True]
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Freeze the biases of Hidden"
    assert doc.modified
    doc.undo_stack.undo()
    assert flags(doc) == [True, True] and not doc.modified
    doc.undo_stack.redo()
    assert flags(doc) == [False, True]
    doc.set_train_bias(1, True)
    assert doc.undo_stack.undoText() == "Train the biases of Hidden" and flags(doc) == [True, True]


def test_setting_the_flag_it_already_has_records_nothing(doc):
    doc.set_train_bias(2, True)
    assert doc.undo_stack.count() == 0 and not doc.modified


def test_a_layer_that_does_not_exist_is_refused(doc):
    with pytest.raises(EditError, match="no layer 3"):
        doc.set_train_bias(3, False)
    with pytest.raises(EditError, match="no layer 0"):
        doc.set_train_bias(0, False)
    assert doc.undo_stack.count() == 0


def test_the_training_so_far_is_kept_and_the_frozen_bias_stays(doc):
    doc.step_epochs(2)
    history = list(doc.epoch_results)
    updates = doc.updates
    velocity = doc._stepper.optimizer.slots[0][1].copy()
    assert np.abs(velocity).max() > 0  # momentum remembers moving the biases
    doc.set_train_bias(1, False)
    assert list(doc.epoch_results) == history
    assert doc.epoch == 3 and doc.updates == updates
    assert len(doc.project.history.epochs) == 2
    frozen_at = doc.network.layers[0].b.copy()
    doc.step_epochs(2)
    doc.step_batch()
    for _ in doc.plan:
        doc.micro_step()
    np.testing.assert_array_equal(doc.network.layers[0].b, frozen_at)
    assert len(doc.epoch_results) == 4


def test_the_flag_is_saved_and_opened_again(doc, tmp_path):
    doc.set_train_bias(2, False)
    path = tmp_path / "frozen.nnsim"
    doc.save(path)
    assert [l.train_bias for l in load_project(path).network.layers] == [True, False]
    assert flags(Document.open(path)) == [True, False]
