"""The loss curve's events are the document's: recorded by its commands at
the epoch they happened, undone with them."""
import numpy as np

from nnsim.core.datasets import DataSpec
from nnsim.document import Document


def tooltips(doc):
    return [e.tooltip for e in doc.events]


def test_a_learning_rate_change_is_an_event_at_its_epoch_and_undo_takes_it_away(qtbot):
    doc = Document()
    doc.step_epochs(12)
    doc.set_training(learning_rate=0.1)
    assert tooltips(doc) == ["epoch 12: learning rate 0.5 \u2192 0.1"]
    assert doc.events[0].update == doc.updates
    doc.undo_stack.undo()
    assert doc.events == ()
    doc.undo_stack.redo()
    assert tooltips(doc) == ["epoch 12: learning rate 0.5 \u2192 0.1"]


def test_a_slider_scrub_is_one_event(qtbot):
    doc = Document()
    doc.step_epochs(3)
    for lr in (0.4, 0.3, 0.2):
        doc.set_training(learning_rate=lr)
    assert tooltips(doc) == ["epoch 3: learning rate 0.5 \u2192 0.2"]
    doc.set_training(learning_rate=0.5)  # and back: nothing changed after all
    assert doc.events == ()


def test_activation_data_and_step_back_events(qtbot):
    doc = Document()
    doc.step_epochs(5)
    doc.set_activation(1, "tanh")
    doc.step_epochs(5)
    doc.set_data(DataSpec("circle", n=40, seed=1))  # same shape: the weights carry on
    doc.step_epochs(5)
    assert doc.step_back() and doc.step_back() and doc.step_back()
    assert tooltips(doc) == ["epoch 5: layer 1 activation sigmoid \u2192 tanh",
                             "epoch 10: data xor_table \u2192 circle",
                             "epoch 12: stepped back from epoch 15 to 12"]
    doc.step_epochs(1)
    assert doc.step_back()
    assert tooltips(doc)[-1] == "epoch 12: stepped back from epoch 13 to 12"
    assert len(doc.events) == 4


def test_a_reset_leaves_only_a_reset_event_and_the_counts_start_at_zero(qtbot):
    doc = Document()
    doc.step_epochs(7)
    doc.set_training(learning_rate=0.2)
    doc.reset_training()
    assert tooltips(doc) == ["epoch 0: Reset training: new weights, new history"]
    assert len(doc.epoch_results) == 0 and doc.updates == 0
    doc.undo_stack.undo()
    assert tooltips(doc) == ["epoch 7: learning rate 0.5 \u2192 0.2"]


def test_switching_to_a_data_set_of_the_same_shape_afresh(qtbot):
    doc = Document()
    before = [p.copy() for p in doc.network.parameters()]
    circle = DataSpec("circle", n=40, seed=1)
    assert not doc.asks_keep_or_afresh(circle)  # nothing trained yet: nothing to keep
    doc.step_epochs(20)
    trained = [p.copy() for p in doc.network.parameters()]
    assert doc.asks_keep_or_afresh(circle)
    assert not doc.asks_keep_or_afresh(DataSpec("xor_table", seed=3))  # the same set
    assert not doc.asks_keep_or_afresh(DataSpec("three_class"))  # another shape: resized
    doc.set_data(circle, afresh=True)
    assert len(doc.epoch_results) == 0 and doc.updates == 0 and doc.epoch == 1
    weights = doc.network.parameters()[::2]
    assert not any(np.array_equal(a, b) for a, b in zip(weights, trained[::2]))
    assert not any(np.array_equal(a, b) for a, b in zip(weights, before[::2]))  # a new draw
    assert tooltips(doc) == ["epoch 0: Change data: new weights, new history"]
    doc.undo_stack.undo()  # one command
    assert len(doc.epoch_results) == 20
    assert all(np.array_equal(a, b) for a, b in zip(doc.network.parameters(), trained))
