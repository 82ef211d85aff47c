"""Divergence diagnosis (nnsim.core.run_mode.divergence): where training
first stopped being finite, what probably caused it and what to try."""
import math

import numpy as np

from nnsim.core.network import Network
from nnsim.core.run_mode.divergence import (DivergenceInfo, diagnose, first_non_finite,
                                            largest_weight, likely_cause,
                                            suggest_learning_rate)
from nnsim.core.training import EpochResult


def network():
    """2-3-1: W1 is 2x3, W2 3x1, all finite."""
    return Network.build(2, [3, 1], ["tanh", "sigmoid"], rng=np.random.default_rng(0))


def test_a_finite_network_has_nothing_to_report():
    net = network()
    assert first_non_finite(net) is None
    assert diagnose(net, 0.1, "sgd", [EpochResult(1, 0.5, 0.6)], 2) is None
    assert diagnose(net, 0.1, "sgd", [], 1) is None


def test_a_non_finite_weight_is_named_by_layer_and_index():
    net = network()
    net.layers[1].W[2, 0] = np.nan
    assert first_non_finite(net)[:4] == ("weight", 2, 2, 0)
    info = diagnose(net, 0.5, "sgd", [EpochResult(1, 0.4, None), EpochResult(2, math.nan, None)],
                    3)
    assert (info.epoch, info.where, info.layer, info.i, info.j) == (2, "weight", 2, 2, 0)
    assert info.location == "weight 3\u21921 of layer 2" and math.isnan(info.value)
    net.layers[0].b[1] = -np.inf  # layer 1 comes first
    info = diagnose(net, 0.5, "sgd", [], 4)
    assert (info.epoch, info.where, info.layer, info.i, info.j) == (4, "bias", 1, None, 1)
    assert info.message.startswith("Training diverged in epoch 4: the bias of neuron 2 in "
                                   "layer 1 became -\u221e. The learning rate 0.5 ")


def test_weights_before_biases_within_a_layer():
    net = network()
    net.layers[0].b[0] = np.inf
    net.layers[0].W[1, 2] = np.inf
    assert first_non_finite(net) == ("weight", 1, 1, 2, math.inf)


def test_a_loss_that_overflows_with_finite_weights_names_the_largest_weight():
    net = network()
    net.layers[0].W[1, 0] = -3e200
    assert largest_weight(net) == ("weight 2\u21921 of layer 1", -3e200)
    info = diagnose(net, 2.0, "adam", [EpochResult(7, math.inf, 1.0)], 8)
    assert (info.where, info.layer, info.i, info.j) == ("loss", None, None, None)
    assert info.epoch == 7 and info.value == math.inf and info.location == "the loss"
    assert info.suggested_learning_rate == 0.01
    assert info.cause == ("the learning rate 2 is far too large: the weights have grown so "
                          "large (weight 2\u21921 of layer 1 is -3e+200) that the outputs "
                          "overflow; try 0.01.")
    # a finite training loss: the test loss is the one named
    info = diagnose(net, 0.3, "sgd", [EpochResult(7, 0.2, math.nan)], 8)
    assert info.where == "loss" and math.isnan(info.value)
    assert "too large for this network and data: the weights have grown" in info.cause


def test_the_largest_weight_of_an_empty_network_is_none():
    assert largest_weight(Network(2, [], "mse")) is None


def test_the_cause_depends_on_the_rate_and_the_optimiser():
    assert likely_cause(5, "sgd", "weight").startswith("the learning rate 5 is far too large")
    assert likely_cause(1e-5, "sgd", "bias").startswith("even the small learning rate 1e-05")
    assert "with Adam:" in likely_cause(0.3, "adam", "weight")
    assert "with momentum:" in likely_cause(0.3, "momentum", "weight")
    assert "data: each update" in likely_cause(0.3, "sgd", "weight")
    assert likely_cause(0.3, "sgd", "weight").endswith("try 0.003.")


def test_suggestions_are_presets_below_a_hundredth():
    assert suggest_learning_rate(1e9) == 0.1
    assert suggest_learning_rate(10) == 0.1
    assert suggest_learning_rate(3) == 0.03
    assert suggest_learning_rate(1) == 0.01
    assert suggest_learning_rate(0.5) == 0.003
    assert suggest_learning_rate(1e-7) == 1e-5


def test_the_message_formats_the_value():
    base = dict(epoch=3, where="loss", layer=None, i=None, j=None, learning_rate=1.0,
                optimizer="sgd", suggested_learning_rate=0.01, cause="too large; try 0.01.")
    assert DivergenceInfo(value=math.nan, **base).message == (
        "Training diverged in epoch 3: the loss became NaN. Too large; try 0.01.")
    assert "became \u221e." in DivergenceInfo(value=math.inf, **base).message
    assert "became 1.235e+300." in DivergenceInfo(value=1.23456e300, **base).message


# -- the real cause: inputs, weights or learning rate (issue 16) ---------------------------

def _train_until_diverged(data, lr, epochs=50, weight=None):
    from nnsim.core.stepper import Stepper
    from nnsim.core.training import TrainingConfig
    net = Network.build(data.n_inputs, [3, data.n_outputs], ["relu", "linear"], loss="mse",
                        rng=np.random.default_rng(0))
    if weight is not None:
        net.layers[0].W[0, 0] = weight
    st = Stepper(net, TrainingConfig(learning_rate=lr, batch_size=len(data.X_train)), data)
    with np.errstate(all="ignore"):
        st.step_epochs(epochs)
    return diagnose(st.network, lr, "sgd", st.epoch_results, st.epoch, data.X_train)


def _data(scale=1.0):
    from nnsim.core.datasets import from_arrays
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    return from_arrays(X * scale, (X[:, :1] > 0).astype(float), seed=0)


def test_inputs_of_1e200_are_named_as_the_cause_not_the_learning_rate():
    info = _train_until_diverged(_data(1e200), 0.1)
    assert info is not None and info.culprit == "inputs"
    assert "The inputs are far too large (x1 in row " in info.message
    assert "standardise the inputs" in info.message and "learning rate 0.1 is" not in info.message


def test_weights_too_large_from_the_start_are_named():
    info = _train_until_diverged(_data(), 0.1, weight=1e306)
    assert info is not None and info.culprit == "weights"
    assert "The weights were too large when training started" in info.message
    assert "reinitialise" in info.message


def test_a_learning_rate_far_too_large_is_still_the_learning_rate():
    from nnsim.core.datasets import DataSpec, make
    info = _train_until_diverged(make(DataSpec("plane", n=100, seed=0)), 1e3)
    assert info is not None and info.culprit == "learning rate"
    assert "The learning rate 1000 is far too large" in info.message
