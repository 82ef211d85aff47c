"""gradcheck.verdict: the one rule for "backprop and the central difference
agree", with the numbers, the threshold it used and why."""
import math

import numpy as np
import pytest

from nnsim.core import gradcheck
from nnsim.core.gradcheck import check_parameter, verdict
from nnsim.core.network import Network


def small_network():
    net = Network.build(2, [3, 1], ["tanh", "sigmoid"], loss="mse",
                        rng=np.random.default_rng(1))
    X = np.array([[0.5, -1.0], [1.5, 0.25]])
    Y = np.array([[1.0], [0.0]])
    return net, X, Y


def test_a_correct_gradient_passes_on_the_relative_rule():
    net, X, Y = small_network()
    g = net.gradients(X, Y).dWs[0][1, 2]
    assert abs(g) > gradcheck.SCALE_FLOOR  # big enough for the relative rule
    v = check_parameter(net, X, Y, 0, 1, 2)
    assert v.passed and v.rule == "relative" and v.threshold == gradcheck.RELATIVE_TOLERANCE
    assert v.analytic == g and v.numeric == pytest.approx(g, rel=1e-6)
    assert v.abs_diff == abs(v.numeric - v.analytic)
    assert v.rel_diff == pytest.approx(v.abs_diff / max(abs(v.numeric), abs(v.analytic)))
    assert v.rel_diff < v.threshold and "<" in v.reason
    assert v.eps == gradcheck.EPS


def test_a_wrong_analytic_value_fails_and_says_why():
    net, X, Y = small_network()
    g = net.gradients(X, Y).dbs[1][0]
    v = check_parameter(net, X, Y, 1, None, 0, analytic=g * 1.01)
    assert not v.passed and v.rule == "relative"
    assert v.rel_diff == pytest.approx(0.01 / 1.01, rel=1e-4)
    assert "\u2265 1e-05" in v.reason and "kink" in v.reason


def test_near_zero_gradients_use_the_absolute_rule():
    # central differences cannot resolve a relative error near zero: 1e-9
    # against 3e-9 is 67 % apart, yet both are 0 as far as the check can tell
    v = verdict(1e-9, 3e-9)
    assert v.passed and v.rule == "absolute"
    assert v.threshold == gradcheck.RELATIVE_TOLERANCE * gradcheck.SCALE_FLOOR
    assert v.rel_diff > gradcheck.RELATIVE_TOLERANCE  # the relative rule would have failed
    assert "below 0.001" in v.reason
    wrong = verdict(1e-9, 2e-4)
    assert not wrong.passed and wrong.rule == "absolute" and wrong.abs_diff > wrong.threshold
    assert verdict(0.0, 0.0).passed


def test_the_rules_meet_at_the_floor():
    # just above the floor the relative rule, just below the absolute one:
    # the same difference passes or fails alike on both sides
    diff = 0.5 * gradcheck.RELATIVE_TOLERANCE * gradcheck.SCALE_FLOOR
    above = verdict(1.0001 * gradcheck.SCALE_FLOOR, 1.0001 * gradcheck.SCALE_FLOOR + diff)
    below = verdict(0.9999 * gradcheck.SCALE_FLOOR, 0.9999 * gradcheck.SCALE_FLOOR + diff)
    assert (above.rule, below.rule) == ("relative", "absolute")
    assert above.passed and below.passed


@pytest.mark.parametrize("numeric,analytic", [(math.nan, 1.0), (1.0, math.inf)])
def test_a_value_that_is_not_finite_fails(numeric, analytic):
    v = verdict(numeric, analytic)
    assert not v.passed and v.rule == "not finite" and "not finite" in v.reason


def test_check_parameter_leaves_the_network_as_it_was():
    net, X, Y = small_network()
    before = [p.copy() for p in net.parameters()]
    check_parameter(net, X, Y, 0, 0, 0)
    for a, b in zip(before, net.parameters()):
        assert np.array_equal(a, b)
