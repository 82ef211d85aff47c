"""The loss landscape's numbers against a naive loop (set the parameter, ask
the network for its loss) and its slope against the backward pass."""
from __future__ import annotations

import numpy as np
import pytest

from nnsim.core import landscape
from nnsim.core.landscape import Param
from nnsim.core.network import Network

CASES = [  # (sizes after the inputs, activations, loss, targets)
    ([2, 1], ["sigmoid", "sigmoid"], "mse", "binary"),
    ([3, 2], ["tanh", "linear"], "mse", "real"),
    ([3, 1], ["relu", "sigmoid"], "bce", "binary"),
    ([4, 3], ["leaky_relu", "softmax"], "cross_entropy", "onehot"),
    ([3, 2, 3], ["sigmoid", "tanh", "softmax"], "mse", "onehot"),
    ([2, 2], ["tanh", "sigmoid"], "cross_entropy", "binary"),
]


def make_case(units, acts, loss, targets, seed=0):
    rng = np.random.default_rng(seed)
    net = Network.build(2, units, acts, loss=loss, rng=rng)
    for layer in net.layers:
        layer.b = rng.normal(0, 0.5, layer.units)
    net.layers[0].mask = np.ones_like(net.layers[0].W, dtype=bool)
    net.layers[0].mask[1, 0] = False  # one removed connection
    X = rng.normal(0, 1, (7, 2))
    t = units[-1]
    if targets == "onehot":
        Y = np.eye(t)[rng.integers(0, t, 7)]
    elif targets == "binary":
        Y = rng.integers(0, 2, (7, t)).astype(float)
    else:
        Y = rng.normal(0, 1, (7, t))
    return net, X, Y


def all_params(net):
    out = []
    for k, layer in enumerate(net.layers, start=1):
        for j in range(layer.units):
            out.append(Param(k, j))
            out += [Param(k, j, i) for i in range(layer.n_in)]
    return out


def naive_loss(net, param, value, X, Y):
    net = net.copy()
    layer = net.layers[param.layer - 1]
    if param.is_bias:
        layer.b[param.target] = value
    else:
        layer.W[param.source, param.target] = value
    return net.loss_value(X, Y)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[1]}-{c[2]}")
def test_curve_equals_naive_loop(case):
    net, X, Y = make_case(*case)
    for param in all_params(net):
        p0 = param.value(net)
        values = np.linspace(p0 - 3, p0 + 3, 9)
        got = landscape.loss_curve(net, param, values, X, Y)
        want = [naive_loss(net, param, v, X, Y) for v in values]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[1]}-{c[2]}")
def test_grid_equals_naive_loop(case):
    net, X, Y = make_case(*case)
    params = all_params(net)
    rng = np.random.default_rng(1)
    pairs = [(params[a], params[b]) for a, b in rng.choice(len(params), (6, 2))
             if a != b] + [(params[1], params[-1]), (params[-1], params[1])]
    for p, q in pairs:
        pv = p.value(net) + np.array([-1.5, 0.0, 0.7])
        qv = q.value(net) + np.array([-2.0, -0.3, 0.0, 1.1])
        got = landscape.loss_grid(net, p, pv, q, qv, X, Y)
        assert got.shape == (3, 4)
        for a, u in enumerate(pv):
            for b, v in enumerate(qv):
                moved = net.copy()
                for param, value in ((p, u), (q, v)):
                    layer = moved.layers[param.layer - 1]
                    if param.is_bias:
                        layer.b[param.target] = value
                    else:
                        layer.W[param.source, param.target] = value
                np.testing.assert_allclose(got[a, b], moved.loss_value(X, Y),
                                           rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[1]}-{c[2]}")
def test_slope_at_current_value_is_the_backward_pass_gradient(case):
    net, X, Y = make_case(*case)
    grads = net.gradients(X, Y)
    h = 1e-5
    for param in all_params(net):
        p0 = param.value(net)
        lo, hi = landscape.loss_curve(net, param, [p0 - h, p0 + h], X, Y)
        analytic = param.gradient(grads.dWs, grads.dbs)
        assert (hi - lo) / (2 * h) == pytest.approx(analytic, rel=1e-5, abs=1e-8)
        assert landscape.slope(net, param, X, Y) == analytic


def test_removed_connection_gives_a_flat_curve():
    net, X, Y = make_case(*CASES[0])
    curve = landscape.loss_curve(net, Param(1, 0, 1), [-5, 0, 5], X, Y)
    np.testing.assert_allclose(curve, [net.loss_value(X, Y)] * 3, rtol=1e-14)


def test_chunks_give_the_same_numbers(monkeypatch):
    net, X, Y = make_case(*CASES[4])
    p, q = Param(1, 0, 0), Param(3, 2)
    pv, qv = np.linspace(-2, 2, 11), np.linspace(-1, 1, 5)
    whole = landscape.loss_grid(net, p, pv, q, qv, X, Y)
    curve = landscape.loss_curve(net, p, pv, X, Y)
    monkeypatch.setattr(landscape, "CHUNK_ELEMENTS", 50)  # one value per chunk
    np.testing.assert_allclose(landscape.loss_grid(net, p, pv, q, qv, X, Y), whole, rtol=1e-14)
    np.testing.assert_allclose(landscape.loss_curve(net, p, pv, X, Y), curve, rtol=1e-14)


def test_one_weight_parabola_has_its_minimum_at_two():
    net = Network.build(1, [1], ["linear"], loss="mse")
    net.layers[0].W[:] = 0.5
    X = np.array([[0.5], [-0.5], [1.0], [-1.0], [1.5], [-1.5]])
    Y = 2 * X
    w = Param(1, 0, 0)
    values = np.linspace(-1, 5, 601)
    curve = landscape.loss_curve(net, w, values, X, Y)
    assert values[np.argmin(curve)] == pytest.approx(2.0)
    g = landscape.slope(net, w, X, Y)
    lo, hi = landscape.parameter_range(0.5, g, 0.1, landscape.curvature(net, w, X, Y))
    assert lo < 0.5 - 0.1 * abs(g) and hi > 2.0  # the step and the minimum are in view


def test_range_is_wide_enough_for_the_step_and_never_empty():
    assert landscape.parameter_range(0.0, 0.0, 0.1) == (-1.0, 1.0)
    lo, hi = landscape.parameter_range(4.0, 10.0, 0.5)  # step of 5
    assert lo <= 4.0 - 15 and hi >= 4.0 + 15
    lo, hi = landscape.parameter_range(float("nan"), float("inf"), 0.1)
    assert np.isfinite(lo) and np.isfinite(hi) and lo < hi
    # a flat curve (tiny curvature) does not widen the range without end
    lo, hi = landscape.parameter_range(0.0, 1.0, 0.1, curvature=1e-9)
    assert hi == 10.0


def test_unknown_parameter_is_refused_with_a_clear_message():
    net, X, Y = make_case(*CASES[0])
    with pytest.raises(ValueError, match="layer 3 has no parameters"):
        landscape.loss_curve(net, Param(3, 0), [0.0], X, Y)
    with pytest.raises(ValueError, match="no neuron 5"):
        landscape.loss_curve(net, Param(1, 4), [0.0], X, Y)


def test_names_follow_the_canvas():
    sizes = [2, 2, 1]
    assert Param(1, 0, 1).name(sizes) == "w(x2 \u2192 h1)"
    assert Param(2, 0).name(sizes) == "b(out1)"
