"""The document: every edit is one undoable command, training is recorded,
and the views are told what changed."""
import numpy as np
import pytest

from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document, EditError


def params(doc):
    return [p.copy() for p in doc.network.parameters()]


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.fixture
def doc(qtbot):
    net = Network.build(2, [3, 2, 1], ["tanh", "relu", "sigmoid"], rng=np.random.default_rng(1))
    return Document(Project(net, TrainingConfig(learning_rate=0.5, seed=3), DataSpec("circle", n=40)))


EDITS = {
    "add_layer": lambda d: d.add_layer(2, 4, "tanh"),
    "remove_layer": lambda d: d.remove_layer(2),
    "add_neuron": lambda d: d.add_neuron(1),
    "remove_neuron": lambda d: d.remove_neuron(1, 0),
    "remove_connection": lambda d: d.set_connection(2, 1, 0, False),
    "activation": lambda d: d.set_activation(1, "relu"),
    "loss": lambda d: d.set_loss("bce"),
    "weight": lambda d: d.set_weight(1, 0, 2, 0.75),
    "bias": lambda d: d.set_bias(3, 0, -0.25),
    "reinitialize": lambda d: d.reinitialize(),
    "move": lambda d: d.move_neuron(1, 2, 10.0, 20.0),
    "setting": lambda d: d.set_training(learning_rate=0.01),
}


def state(doc):
    n = doc.network
    return (n.sizes, [l.activation for l in n.layers], n.loss,
            [None if l.mask is None else l.mask.tolist() for l in n.layers],
            [p.tolist() for p in n.parameters()], doc.project.layout,
            doc.project.training.learning_rate)


@pytest.mark.parametrize("name", list(EDITS))
def test_every_edit_is_one_undoable_command(doc, name):
    before = state(doc)
    EDITS[name](doc)
    after = state(doc)
    assert after != before
    assert doc.undo_stack.count() == 1 and doc.modified
    doc.undo_stack.undo()
    assert state(doc) == before and not doc.modified
    doc.undo_stack.redo()
    assert state(doc) == after


def test_edits_emit_the_signal_the_views_need(doc, qtbot):
    with qtbot.waitSignal(doc.changed, timeout=1000, check_params_cb=lambda c: c.structure):
        doc.add_neuron(1)
    with qtbot.waitSignal(doc.changed, timeout=1000, check_params_cb=lambda c: c.values):
        doc.set_weight(1, 0, 0, 1.5)
    with qtbot.waitSignal(doc.changed, timeout=1000, check_params_cb=lambda c: c.layout):
        doc.move_neuron(0, 0, 1.0, 2.0)
    with qtbot.waitSignal(doc.changed, timeout=1000, check_params_cb=lambda c: c.settings):
        doc.set_training(batch_size=4)


def test_refused_edits_explain_and_change_nothing(doc):
    before = state(doc)
    with pytest.raises(EditError, match="output layer"):
        doc.remove_layer(3)
    with pytest.raises(EditError, match="no neuron 100"):
        doc.remove_neuron(1, 99)
    with pytest.raises(EditError, match="finite"):
        doc.set_weight(1, 0, 0, float("nan"))
    with pytest.raises(EditError, match="learning_rate"):
        doc.set_training(learning_rate=-1.0)
    assert state(doc) == before and doc.undo_stack.count() == 0


def test_activation_and_loss_change_only_what_they_are_asked(doc):
    doc.set_activation(3, "softmax")
    assert doc.network.loss == "mse" and doc.network.layers[-1].activation == "softmax"
    assert any("single output" in w for w in doc.warnings())  # said, not changed
    doc.set_loss("cross_entropy")
    assert doc.network.layers[-1].activation == "softmax"
    doc.set_activation(3, "linear")
    assert doc.network.loss == "cross_entropy"
    assert any("log a" in w for w in doc.warnings())
    doc.undo_stack.undo()
    assert doc.network.loss == "cross_entropy" and doc.network.layers[-1].activation == "softmax"
    assert doc.undo_stack.count() == 3


def test_set_output_is_one_undoable_step(doc):
    doc.set_output("linear", "mse")
    doc.set_output("linear", "mse")  # nothing new: no command
    assert doc.undo_stack.count() == 1
    assert (doc.network.layers[-1].activation, doc.network.loss) == ("linear", "mse")
    doc.undo_stack.undo()
    assert (doc.network.layers[-1].activation, doc.network.loss) == ("sigmoid", "mse")


def test_training_is_one_merged_undo_step_that_restores_the_weights(doc):
    start = params(doc)
    doc.step_epochs(2)
    doc.step_sample()
    for _ in doc.plan:
        doc.micro_step()
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Training"
    trained = params(doc)
    doc.undo_stack.undo()
    assert same(params(doc), start) and doc.project.history.epochs == []
    doc.undo_stack.redo()
    assert same(params(doc), trained) and len(doc.project.history.epochs) == 2


def test_forward_and_backward_steps_do_not_mark_the_document_modified(doc):
    for _ in range(len(doc.plan) - 1):
        doc.micro_step()
    assert not doc.modified
    doc.micro_step()  # the update
    assert doc.modified


def test_step_back_restores_weights_and_keeps_undo_true(doc):
    start = params(doc)
    doc.step_batch()
    assert not same(params(doc), start)
    assert doc.step_back()
    assert same(params(doc), start)
    doc.undo_stack.undo()  # the training command now changes nothing
    assert same(params(doc), start)


def test_setting_changes_merge_and_take_effect_without_reset(doc):
    doc.step_batch()
    stepper = doc._stepper
    for lr in (0.1, 0.2, 0.3):
        doc.set_training(learning_rate=lr)
    assert doc._stepper is stepper and stepper.config.learning_rate == 0.3
    assert doc.undo_stack.count() == 2  # training + one merged setting change
    doc.undo_stack.undo()
    assert doc.project.training.learning_rate == 0.5


def test_save_marks_clean_and_reopen_gives_the_same_network(doc, tmp_path):
    doc.add_neuron(1)
    doc.step_epochs(1)
    path = tmp_path / "net.nnsim"
    doc.save(path)
    assert not doc.modified and doc.path == path
    again = Document.open(path)
    assert state(again) == state(doc)
    assert len(again.project.history.epochs) == 1


def test_changing_the_data_resizes_the_network_in_one_undoable_step(doc):
    three = DataSpec("three_class", n=60)
    assert not doc.data_fits(three)
    proposal = doc.output_proposal(three)
    assert (proposal.activation, proposal.loss) == ("softmax", "cross_entropy")
    assert proposal.question == ("The targets are 3 classes: use softmax with "
                                 "cross-entropy on the output?")
    doc.set_data(three)  # kept: the output stays as it was
    assert doc.network.sizes[-1] == 3 and doc.network.layers[-1].activation == "sigmoid"
    assert doc.network.loss == "mse" and doc.dataset.n_outputs == 3
    assert doc._stepper.data is doc.dataset
    doc.undo_stack.undo()
    assert doc.network.sizes == [2, 3, 2, 1] and doc.dataset.name == "circle"
    doc.set_data(three, output=(proposal.activation, proposal.loss))  # changed: one step
    assert doc.network.sizes[-1] == 3 and doc.network.layers[-1].activation == "softmax"
    assert doc.network.loss == "cross_entropy" and doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.network.sizes == [2, 3, 2, 1] and doc.network.layers[-1].activation == "sigmoid"
    assert doc.network.loss == "mse" and doc.dataset.name == "circle"


def test_data_of_the_same_shape_keeps_the_weights(doc):
    before = params(doc)
    doc.set_data(DataSpec("moons", n=50, noise=0.2))
    assert same(params(doc), before) and doc.dataset.name == "moons"


def test_a_network_too_big_for_the_canvas_is_refused_with_a_message(tmp_path):
    from nnsim.core.limits import CANVAS_MAX_EDGES
    from nnsim.io import load_project, save_project
    big = Network.build(784, [128, 10], ["relu", "softmax"], loss="cross_entropy")
    assert 784 * 128 > CANVAS_MAX_EDGES
    path = tmp_path / "mnist.nnsim"
    save_project(Project(big), path)
    assert load_project(path).network.sizes == [784, 128, 10]  # fine for the CLI
    with pytest.raises(EditError, match=r"too big for the window.*784 neurons.*nnsim train"):
        Document.open(path)


def test_growing_past_the_canvas_limit_is_refused(doc):
    from nnsim.core.limits import CANVAS_MAX_UNITS
    with pytest.raises(EditError, match="one more neuron is too many"):
        for _ in range(CANVAS_MAX_UNITS):
            doc.add_neuron(1)
    assert doc.network.sizes[1] == CANVAS_MAX_UNITS


@pytest.mark.parametrize("edit", ["reset_training", "reinitialize", "add_neuron"])
def test_edits_that_start_afresh_clear_the_history_and_optimiser(doc, edit):
    doc.set_training(optimizer="momentum")
    doc.step_epochs(3)
    assert len(doc.project.history.epochs) == 3 and doc._stepper.optimizer.t > 0
    getattr(doc, edit)(*([1] if edit == "add_neuron" else []))
    assert doc.project.history.epochs == [] and doc.epoch_results == []
    assert doc._stepper.optimizer.t == 0 and doc.step_losses == []
    doc.undo_stack.undo()
    assert len(doc.epoch_results) == 3


def test_a_weight_edit_keeps_the_per_update_curve(doc):
    doc.step_batch()
    doc.step_batch()
    doc.set_weight(1, 0, 0, 0.5)
    assert len(doc.step_losses) == 2
