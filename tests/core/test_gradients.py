"""Backprop against central differences, for every pairing the app offers."""
import itertools
import zlib

import numpy as np
import pytest

from nnsim.core import activations as act
from nnsim.core import losses
from nnsim.core.gradcheck import check_gradients, numeric_gradient
from nnsim.core.network import Network

HIDDEN = [name for name in act.ACTIVATIONS if name not in act.OUTPUT_ONLY]
# every loss with every output activation: the app lets the user choose any pair
PAIRINGS = [(loss, out) for loss in losses.LOSSES for out in act.ACTIVATIONS]
UNBOUNDED = ("linear", "tanh", "relu", "leaky_relu")  # outputs that can leave (0, 1)


def targets_for(loss: str, n: int, t: int, rng) -> np.ndarray:
    if loss == "cross_entropy":
        return np.eye(t)[rng.integers(0, t, size=n)]
    if loss == "bce":
        return rng.integers(0, 2, size=(n, t)).astype(float)
    return rng.normal(size=(n, t))


def test_every_pairing_is_offered():
    assert ("mse", "softmax") in PAIRINGS and ("cross_entropy", "sigmoid") in PAIRINGS
    assert ("bce", "linear") in PAIRINGS and ("cross_entropy", "softmax") in PAIRINGS
    assert len(PAIRINGS) == 18


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("loss,output", PAIRINGS)
def test_backprop_matches_finite_differences(hidden, loss, output):
    rng = np.random.default_rng(zlib.crc32(f"{hidden}/{loss}/{output}".encode()))
    t = 3 if loss == "cross_entropy" or output == "softmax" else 2
    net = Network.build(3, [4, 3, t], [hidden, hidden, output], loss=loss,
                        initializer="uniform", rng=rng)
    for layer in net.layers:
        layer.b = rng.normal(scale=0.5, size=layer.units)
    if loss != "mse" and output in UNBOUNDED:  # outputs inside (0, 1), where the logs live
        net.layers[-1].W *= 0.1
        net.layers[-1].b = rng.uniform(0.4, 0.6, size=t)
        assert 0 < net.predict(np.zeros((1, 3))).min() and net.predict(np.zeros((1, 3))).max() < 1
    X = rng.normal(size=(5, 3))
    Y = targets_for(loss, 5, t, rng)
    if loss != "mse" and output in UNBOUNDED:
        a = net.predict(X)
        assert ((0 < a) & (a < 1)).all()
    result = check_gradients(net, X, Y)
    assert result.max_relative_error < 1e-5, result.max_relative_error
    assert result.max_abs_error < 1e-8
    assert max(np.abs(g).max() for g in result.analytic_dbs) > 1e-4  # something to check


@pytest.mark.parametrize("loss", ["bce", "cross_entropy"])
def test_outputs_beyond_the_logs_range_have_a_flat_loss_and_no_gradient(loss):
    """A linear output below 0: the loss is cut off there, and its gradient
    says so (0), as central differences do."""
    net = Network.build(1, [1], ["linear"], loss=loss, rng=np.random.default_rng(0))
    net.layers[0].W[:] = 1.0
    net.layers[0].b[:] = 0.0
    X, Y = np.array([[-0.5], [0.3]]), np.array([[1.0], [1.0]])
    g = net.gradients(X, Y)
    assert g.deltas[0][0, 0] == 0.0 and g.deltas[0][1, 0] < 0  # only the sample inside learns
    result = check_gradients(net, X, Y)
    assert result.max_abs_error < 1e-8


def test_masked_connections_have_zero_gradient_and_no_effect():
    rng = np.random.default_rng(3)
    net = Network.build(2, [3, 1], ["tanh", "sigmoid"], rng=rng)
    mask = np.ones((2, 3), dtype=bool)
    mask[0, 1] = False
    net.layers[0].mask = mask
    X, Y = rng.normal(size=(4, 2)), rng.integers(0, 2, size=(4, 1)).astype(float)
    g = net.gradients(X, Y)
    assert g.dWs[0][0, 1] == 0.0
    before = net.loss_value(X, Y)
    net.layers[0].W[0, 1] += 100.0  # a removed connection carries nothing
    assert net.loss_value(X, Y) == before
    assert check_gradients(net, X, Y).max_abs_error < 1e-8


@pytest.mark.parametrize("name", list(act.ACTIVATIONS))
def test_activation_derivative_matches_finite_differences(name):
    a = act.get(name)
    z = np.array([[-3.0, -0.7, 0.4, 2.5]])
    eps = 1e-6
    if a.elementwise:
        numeric = (a.function(z + eps) - a.function(z - eps)) / (2 * eps)
        np.testing.assert_allclose(a.derivative(z, a.function(z)), numeric, atol=1e-8)
    else:  # softmax: check the Jacobian-vector product against differences
        g = np.array([[0.3, -1.0, 2.0, 0.5]])
        out = a.function(z)
        numeric = np.array([[(np.sum(g * a.function(z + eps * e)) - np.sum(g * a.function(z - eps * e)))
                             / (2 * eps) for e in np.eye(4)]])
        np.testing.assert_allclose(act.backward(a, g, z, out), numeric, atol=1e-8)


@pytest.mark.parametrize("name", list(losses.LOSSES))
def test_loss_gradient_matches_finite_differences(name):
    loss = losses.get(name)
    rng = np.random.default_rng(1)
    a = rng.uniform(0.1, 0.9, size=(3, 2))  # inside the logs' range
    y = targets_for(name, 3, 2, rng)
    eps = 1e-7
    numeric = np.zeros_like(a)
    for idx in itertools.product(range(3), range(2)):
        up, down = a.copy(), a.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[idx] = (loss.value(up, y) - loss.value(down, y)) / (2 * eps)
    np.testing.assert_allclose(loss.grad_a(a, y), numeric, rtol=1e-6, atol=1e-9)


def test_mse_is_the_lectures_mean_with_exact_constants():
    a = np.array([[0.2, 0.9], [0.4, 0.1], [0.7, 0.7]])
    y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    n, t = a.shape
    expected = sum((y[i, j] - a[i, j]) ** 2 for i in range(n) for j in range(t)) / (n * t)
    assert losses.get("mse").value(a, y) == pytest.approx(expected, rel=1e-15)
    np.testing.assert_allclose(losses.get("mse").grad_a(a, y), 2 / (n * t) * (a - y), rtol=1e-15)


def test_lecture_output_weight_gradient_by_hand():
    """dL/dw_11(out) = 2(a - y)/(n t) * a(1 - a) * a_1(h), the lecture's chain."""
    net = Network.build(2, [2, 1], ["sigmoid", "sigmoid"], rng=np.random.default_rng(0))
    net.layers[0].W = np.array([[0.15, 0.25], [0.20, 0.30]])
    net.layers[0].b = np.array([0.35, 0.35])
    net.layers[1].W = np.array([[0.40], [0.45]])
    net.layers[1].b = np.array([0.60])
    x, y = np.array([[0.05, 0.10]]), np.array([[0.01]])
    h = 1 / (1 + np.exp(-(x @ net.layers[0].W + net.layers[0].b)))
    out = 1 / (1 + np.exp(-(h @ net.layers[1].W + net.layers[1].b)))
    g = net.gradients(x, y)
    by_hand = 2 * (out[0, 0] - y[0, 0]) / (1 * 1) * out[0, 0] * (1 - out[0, 0]) * h[0, 0]
    assert g.dWs[1][0, 0] == pytest.approx(by_hand, rel=1e-14)
    # hidden weight: the lecture's sum over paths (one output here)
    d_out = 2 * (out[0, 0] - y[0, 0]) * out[0, 0] * (1 - out[0, 0])
    by_hand_hidden = d_out * net.layers[1].W[0, 0] * h[0, 0] * (1 - h[0, 0]) * x[0, 0]
    assert g.dWs[0][0, 0] == pytest.approx(by_hand_hidden, rel=1e-14)
    assert numeric_gradient(net, x, y, 0, 0, 0) == pytest.approx(by_hand_hidden, rel=1e-6)
