"""Failures explained from the numbers (nnsim.core.diagnosis): each case is
provoked with a real, small, seeded training run and the finding, its
neurons and its suggestion are checked; a healthy run finds nothing."""
import math

import numpy as np
import pytest

from nnsim.core.datasets import DataSpec, from_arrays, make
from nnsim.core.diagnosis import (DEAD_RELU, LEARNING_RATE, SATURATED, STUCK, Remedy,
                                  constant_loss, diagnose, lower_learning_rate)
from nnsim.core.network import Network
from nnsim.core.stepper import Stepper
from nnsim.core.training import TrainingConfig
from nnsim.io import load_project


def train(data, units, activations, loss, lr, epochs, *, seed=0, init="xavier", batch=None):
    d = make(DataSpec(data, n=100, seed=seed)) if isinstance(data, str) else data
    net = Network.build(d.n_inputs, units + [d.n_outputs], activations, loss=loss,
                        initializer=init, rng=np.random.default_rng(seed))
    cfg = TrainingConfig(learning_rate=lr, batch_size=batch or len(d.X_train), seed=seed)
    st = Stepper(net, cfg, d)
    st.step_epochs(epochs)
    return st, d


def findings(st, d):
    losses = st.epoch_results.columns[:, 1]
    updates = math.ceil(len(d.X_train) / st.config.batch_size)
    return diagnose(st.network, d.X_train, d.Y_train, losses, st.config.learning_rate, updates)


def by_kind(found):
    return {f.kind: f for f in found}


def test_a_relu_network_that_collapsed_to_ln2_names_every_dead_unit():
    # learning rate 8 kills all four ReLUs within a few epochs; the output's
    # bias then settles at the class frequency: loss ln 2, for good
    st, d = train("circle", [4], ["relu", "sigmoid"], "bce", 8, 300, seed=1, init="he")
    zs, _ = st.network.forward(d.X_train)
    assert np.all(zs[0] <= 0)  # the premise: every unit outputs 0 everywhere
    found = by_kind(findings(st, d))
    dead = found[DEAD_RELU]
    assert dead.neurons == ((1, 0), (1, 1), (1, 2), (1, 3))
    assert dead.message.startswith("Every ReLU neuron of layer 1 (h1, h2, h3, h4) outputs 0 "
                                   "for every training point")
    assert dead.suggestion == "Use leaky ReLU or a smaller learning rate, and reinitialise."
    assert dead.remedies == (Remedy("Use leaky ReLU in layer 1", "activation", "leaky_relu", 1),
                             Remedy("Reinitialise", "reinitialize"))
    stuck = found[STUCK]
    assert abs(st.epoch_results[-1].train_loss - math.log(2)) < 0.005
    assert stuck.message.startswith("The loss has stayed at 0.6937 for the last 100 epochs: "
                                    "about 0.6928, what predicting the class frequencies for "
                                    "every input gives (ln 2 for two balanced classes).")
    assert stuck.neurons == dead.neurons and "reinitialise, with leaky ReLU" in stuck.suggestion
    assert LEARNING_RATE not in found


def test_leaky_relu_and_a_new_draw_bring_the_network_back():
    st, d = train("circle", [4], ["relu", "sigmoid"], "bce", 8, 300, seed=1, init="he")
    net = Network.build(2, [4, 1], ["leaky_relu", "sigmoid"], loss="bce", initializer="he",
                        rng=np.random.default_rng(7))
    st2 = Stepper(net, TrainingConfig(learning_rate=0.8, batch_size=len(d.X_train)), d)
    st2.step_epochs(300)
    assert DEAD_RELU not in by_kind(findings(st2, d))
    assert st2.epoch_results[-1].train_loss < 0.5 * math.log(2)


def test_some_dead_units_are_named_only_from_half_a_layer_while_the_network_fits_badly():
    # the shipped softmax example trains well with one of its six ReLUs dead
    p = load_project("resources/examples/softmax-three-class.nnsim")
    st, d = p.make_stepper(), p.dataset()
    st.step_epochs(p.training.epochs)
    zs, _ = st.network.forward(d.X_train)
    assert np.all(zs[0] <= 0, axis=0).sum() == 1  # the premise
    assert findings(st, d) == []
    # in a network that fits badly (the output zeroed), one dead unit of six is not yet
    # a failure; half of the layer dead is
    st.network.layers[-1].W[:] = 0.0
    st.network.layers[-1].b[:] = 0.0
    assert DEAD_RELU not in by_kind(findings(st, d))
    j = int(np.flatnonzero(np.all(zs[0] <= 0, axis=0))[0])
    others = [k for k in range(6) if k != j][:2]
    st.network.layers[0].b[others] = -1e3  # two more units that never fire
    dead = by_kind(findings(st, d))[DEAD_RELU]
    assert dead.neurons == tuple((1, k) for k in sorted([j] + others))
    names = ", ".join(f"h{k + 1}" for k in sorted([j] + others))
    assert dead.message.startswith(f"3 of 6 ReLU neurons of layer 1 ({names}) output 0")


def test_inputs_100_times_too_large_saturate_tanh_units_and_the_suggestion_is_to_standardise():
    base = make(DataSpec("xor", n=100, seed=0))
    big = from_arrays(np.vstack([base.X_train, base.X_test]) * 100,
                      np.vstack([base.Y_train, base.Y_test]), seed=0)
    st, d = train(big, [4], ["tanh", "sigmoid"], "bce", 0.1, 200)
    sat = by_kind(findings(st, d))[SATURATED]
    assert sat.neurons == ((1, 0), (1, 1), (1, 2), (1, 3))
    assert sat.message.startswith("The tanh neurons h1, h2, h3, h4 of layer 1 are saturated: "
                                  "|z| is above 2.99 for ")
    assert sat.suggestion.startswith("Standardise the inputs (they reach ")
    # the same data scaled into -1..1 trains the same network well: no finding
    small = from_arrays(np.vstack([base.X_train, base.X_test]),
                        np.vstack([base.Y_train, base.Y_test]), seed=0)
    st2, d2 = train(small, [4], ["tanh", "sigmoid"], "bce", 0.5, 500)
    assert findings(st2, d2) == []


def test_bce_with_learning_rate_50_jumps_and_the_suggestion_is_5():
    st, d = train("xor", [2], ["sigmoid", "sigmoid"], "bce", 50, 100)
    losses = st.epoch_results.columns[-50:, 1]
    assert losses.max() > 5 and losses.min() < 1  # the premise: loss jumping around
    lr = by_kind(findings(st, d))[LEARNING_RATE]
    assert lr.message.startswith("The loss jumps up and down (between ")
    assert lr.message.endswith("The learning rate 50 is too large.")
    assert lr.suggestion == "Lower the learning rate to 5."
    assert lr.remedies == (Remedy("Use learning rate 5", "learning_rate", 5.0),)
    # taking the suggestion: the next 100 epochs no longer jump
    st.config.learning_rate = 5.0
    before = len(st.epoch_results)
    st.step_epochs(100)
    after = st.epoch_results.columns[before:, 1]
    assert LEARNING_RATE not in by_kind(diagnose(st.network, d.X_train, d.Y_train, after, 5.0))


def test_a_climbing_loss_blames_the_learning_rate():
    st, d = train("plane", [], ["linear"], "mse", 1.5, 20)
    losses = st.epoch_results.columns[:, 1]
    assert np.all(np.isfinite(losses)) and losses[-1] > 100 * losses[0]  # the premise
    lr = by_kind(findings(st, d))[LEARNING_RATE]
    assert lr.message.startswith("The loss is climbing (from ")
    assert lr.suggestion == "Lower the learning rate to 0.1."
    st1, d1 = train("plane", [], ["linear"], "mse", 0.5, 20)
    assert findings(st1, d1) == []


def test_the_healthy_lecture_xor_run_finds_nothing_at_any_point():
    # including its long plateau near 0.25 (the constant prediction), which it escapes
    p = load_project("resources/examples/lecture-xor.nnsim")
    st, d = p.make_stepper(), p.dataset()
    losses_seen = []
    for _ in range(30):
        st.step_epochs(p.training.epochs // 30)
        assert findings(st, d) == [], len(st.epoch_results)
        losses_seen.append(st.epoch_results[-1].train_loss)
    assert max(losses_seen[:5]) > 0.24 and losses_seen[-1] < 0.01  # plateau, then learned


@pytest.mark.parametrize("example", ["circle-tanh", "gradient-descent-one-weight",
                                     "hills-regression", "logistic-regression", "mazur-2-2-2",
                                     "plane-regression", "softmax-three-class", "spiral-deep"])
def test_the_shipped_examples_train_without_a_finding_at_any_point(example):
    # (spiral-deep keeps a few dead ReLUs for good and trains well: no failure)
    p = load_project(f"resources/examples/{example}.nnsim")
    st, d = p.make_stepper(), p.dataset()
    for _ in range(15):
        st.step_epochs(max(1, p.training.epochs // 15))
        assert findings(st, d) == [], len(st.epoch_results)


def test_constant_prediction_losses():
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    assert constant_loss("bce", Y) == pytest.approx(math.log(2))
    assert constant_loss("mse", Y) == pytest.approx(0.25)
    Y3 = np.eye(3)[[0, 1, 2, 2]]
    q = np.array([0.25, 0.25, 0.5])
    assert constant_loss("cross_entropy", Y3) == pytest.approx(-(q * np.log(q)).sum())
    # the constant prediction does reach it: a network whose output is the class frequency
    net = Network.build(2, [1], ["sigmoid"], loss="bce")
    net.layers[0].W[:] = 0.0
    net.layers[0].b[:] = 0.0
    assert net.loss_value(np.zeros((4, 2)), Y) == pytest.approx(constant_loss("bce", Y))


def test_a_lower_learning_rate_is_about_a_tenth_on_the_1_2_5_series():
    assert lower_learning_rate(50) == 5
    assert lower_learning_rate(1.5) == 0.1
    assert lower_learning_rate(0.3) == 0.02
    assert lower_learning_rate(1) == 0.1


def test_nothing_is_found_on_a_network_that_is_not_finite():
    st, d = train("xor", [2], ["sigmoid", "sigmoid"], "bce", 50, 100)
    st.network.layers[0].W[0, 0] = np.nan
    assert findings(st, d) == []


def test_cross_entropy_stuck_at_the_entropy_of_the_class_frequencies():
    st, d = train("three_class", [4], ["relu", "softmax"], "cross_entropy", 4, 300, seed=1,
                  init="he")
    found = by_kind(findings(st, d))
    q = d.Y_train.mean(axis=0)
    assert st.epoch_results[-1].train_loss == pytest.approx(-(q * np.log(q)).sum(), rel=0.01)
    stuck = found[STUCK]
    assert "what predicting the class frequencies for every input gives (their entropy)" \
        in stuck.message
    assert set(stuck.neurons) == set(found[DEAD_RELU].neurons) == {(1, j) for j in range(4)}
