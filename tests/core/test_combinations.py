"""Odd output/loss pairs are said in sentences, never changed; new data
proposes an output only when it calls for one."""
import numpy as np
import pytest

from nnsim.core import activations as act
from nnsim.core import losses
from nnsim.core.combinations import output_proposal, suggested_output, warnings_for
from nnsim.core.network import Network


def net(out: str, loss: str, units: int = 3) -> Network:
    return Network.build(2, [2, units], ["tanh", out], loss=loss, rng=np.random.default_rng(0))


# Which pairs warn (with several outputs), and a word the sentence must hold.
EXPECTED = {
    ("cross_entropy", "linear"): "log a", ("cross_entropy", "tanh"): "log a",
    ("cross_entropy", "relu"): "log a", ("cross_entropy", "leaky_relu"): "log a",
    ("cross_entropy", "sigmoid"): "without softmax",
    ("bce", "linear"): "between 0 and 1", ("bce", "tanh"): "between 0 and 1",
    ("bce", "relu"): "between 0 and 1", ("bce", "leaky_relu"): "between 0 and 1",
}


@pytest.mark.parametrize("loss", list(losses.LOSSES))
@pytest.mark.parametrize("out", list(act.ACTIVATIONS))
def test_every_pair_warns_exactly_where_a_learner_would_be_misled(loss, out):
    found = warnings_for(net(out, loss))
    word = EXPECTED.get((loss, out))
    if word is None:  # e.g. mse with softmax, bce with sigmoid: fine, nothing said
        assert found == []
    else:
        assert len(found) == 1 and word in found[0]
        assert found[0].endswith(".") and found[0][0].isupper()


@pytest.mark.parametrize("loss", list(losses.LOSSES))
def test_softmax_on_one_output_always_warns(loss):
    found = warnings_for(net("softmax", loss, units=1))
    assert len(found) == 1 and "always gives 1" in found[0]


def test_cross_entropy_on_one_sigmoid_output_says_it_ignores_target_zero():
    found = warnings_for(net("sigmoid", "cross_entropy", units=1))
    assert len(found) == 1 and "target is 0" in found[0] and "binary cross-entropy" in found[0]


@pytest.mark.parametrize("kind,units,rule", [("binary", 1, "above 0.5"),
                                             ("multiclass", 3, "largest output")])
def test_classification_data_with_a_linear_output_says_how_accuracy_reads(kind, units, rule):
    found = warnings_for(net("linear", "mse", units), kind)
    assert len(found) == 1 and rule in found[0]
    assert warnings_for(net("linear", "mse", units), "regression") == []
    assert warnings_for(net("sigmoid", "mse", units), kind) == []


@pytest.mark.parametrize("kind,targets,expected", [
    ("multiclass", np.eye(3)[[0, 1, 2, 1]], ("softmax", "cross_entropy")),
    ("regression", np.array([[-2.0], [3.5]]), ("linear", "mse")),
    ("regression", np.array([[0.01], [0.99]]), None),  # a sigmoid reaches them: keep it
    ("binary", np.array([[0.0], [1.0]]), None),
])
def test_suggested_output(kind, targets, expected):
    assert suggested_output(kind, targets) == expected


def test_soft_targets_propose_nothing_for_a_sigmoid_output():
    assert output_proposal(net("sigmoid", "mse", 1), "regression",
                           np.array([[0.01], [0.99], [0.99]])) is None


def test_targets_beyond_the_output_propose_a_linear_output():
    p = output_proposal(net("sigmoid", "mse", 1), "regression", np.array([[-1.0], [2.0]]))
    assert (p.activation, p.loss) == ("linear", "mse")
    assert p.question == ("The targets run from -1 to 2, beyond what a sigmoid output can "
                          "give: use a linear output (keeping MSE)?")
    # a leaky_relu output reaches them too, but a new data set proposes the usual one
    p = output_proposal(net("leaky_relu", "mse", 1), "regression", np.array([[-1.0], [2.0]]))
    assert (p.activation, p.loss) == ("linear", "mse")
    assert output_proposal(net("linear", "mse", 1), "regression",
                           np.array([[-1.0], [2.0]])) is None  # already the one proposed


def test_a_softmax_left_on_one_output_proposes_a_sigmoid():
    p = output_proposal(net("softmax", "cross_entropy", 1), "binary", np.array([[0.0], [1.0]]))
    assert (p.activation, p.loss) == ("sigmoid", "bce")
    assert "always 1" in p.question


def test_the_same_data_set_made_again_asks_nothing():
    onehot = np.eye(3)[[0, 1, 2]]
    assert output_proposal(net("softmax", "mse"), "multiclass", onehot,
                           task_changed=False) is None
    p = output_proposal(net("softmax", "mse"), "multiclass", onehot, task_changed=True)
    assert (p.activation, p.loss) == ("softmax", "cross_entropy")
    assert output_proposal(net("softmax", "cross_entropy"), "multiclass", onehot) is None
    assert output_proposal(net("sigmoid", "mse", 1), "regression", np.array([[-1.0], [2.0]]),
                           task_changed=False) is None  # the user kept it before


@pytest.mark.parametrize("out,span", [("sigmoid", "0 to 1"), ("tanh", "-1 to 1"),
                                      ("relu", "0 and above")])
def test_targets_the_output_cannot_reach_are_said(out, span):
    Y = np.array([[-2.0], [3.0]])
    found = warnings_for(net(out, "mse", 1), "regression", Y)
    assert found == [f"The targets run from -2 to 3, but a {out} output only gives {span}: "
                     "the loss cannot reach 0. A linear output reaches any target."]
    assert warnings_for(net("linear", "mse", 1), "regression", Y) == []
    assert warnings_for(net(out, "mse", 1), "regression", np.array([[0.01], [0.99]])) == []


# -- targets outside the loss's range (issue 16: negative losses without a word) ----------

def _loss_of(network, Y):
    X = np.zeros((len(Y), 2))
    return network.loss_value(X, np.asarray(Y, dtype=float))


def test_bce_with_a_target_of_2_warns_and_the_loss_there_is_negative():
    network = net("sigmoid", "bce", units=1)
    network.layers[-1].b[:] = 5.0  # a confident output, as training drives it
    Y = np.array([[2.0], [0.0]])
    assert _loss_of(network, Y[:1]) < 0  # the case the warning is about
    found = warnings_for(network, "regression", Y)
    assert any(w.startswith("Binary cross-entropy needs targets between 0 and 1, but they run "
                            "from 0 to 2") for w in found)
    assert not any("needs targets" in w for w in warnings_for(network, "binary", Y * 0.5))


def test_cross_entropy_with_targets_5_and_minus_4_warns():
    network = net("softmax", "cross_entropy", units=2)
    Y = np.array([[5.0, -4.0], [0.0, 1.0]])
    network.layers[-1].b[:] = [3.0, -3.0]
    assert _loss_of(network, Y[:1]) < 0  # the case the warning is about
    found = warnings_for(network, "regression", Y)
    assert any("Cross-entropy needs one-hot targets or probabilities" in w
               and "run from -4 to 5" in w for w in found)


def test_cross_entropy_rows_that_do_not_add_up_to_1_warn_with_the_row():
    network = net("softmax", "cross_entropy", units=3)
    Y = np.array([[1.0, 0.0, 0.0], [0.5, 0.2, 0.2], [0.2, 0.3, 0.5]])
    found = warnings_for(network, "multiclass", Y)
    assert any("row 2 adds up to 0.9" in w for w in found)
    # one-hot and probabilities are fine
    assert warnings_for(network, "multiclass", np.eye(3)) == []
    assert warnings_for(network, "multiclass", np.array([[0.2, 0.3, 0.5]])) == []
