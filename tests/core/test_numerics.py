"""Numerical safety at extreme inputs."""
import numpy as np

from nnsim.core import activations as act
from nnsim.core import losses
from nnsim.core.network import Network

EXTREME = np.array([[-1e6, -745.0, -30.0, 0.0, 30.0, 710.0, 1e6]])


def test_sigmoid_is_finite_and_exact_at_any_z():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = act.get("sigmoid").function(EXTREME)
    assert np.all(np.isfinite(s)) and s[0, 0] == 0.0 and s[0, -1] == 1.0
    assert s[0, 3] == 0.5
    np.testing.assert_allclose(s[0, 2], 1 / (1 + np.exp(30.0)), rtol=1e-15)


def test_softmax_is_finite_at_huge_z():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = act.get("softmax").function(np.array([[1e6, 0.0, -1e6], [1000.0, 1000.0, 1000.0]]))
    np.testing.assert_allclose(p, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])


def test_bce_and_cross_entropy_stay_finite_when_the_output_saturates():
    z = np.array([[1e6], [-1e6]])
    a = act.get("sigmoid").function(z)  # exactly 1 and 0
    y = np.array([[0.0], [1.0]])  # maximally wrong
    value = losses.get("bce").value(a, y, z, "sigmoid")
    assert np.isfinite(value) and value > 1e5  # the true loss, not a clipped one
    zs = np.array([[1e6, 0.0, -1e6]])
    p = act.get("softmax").function(zs)
    ce = losses.get("cross_entropy").value(p, np.array([[0.0, 0.0, 1.0]]), zs, "softmax")
    assert np.isfinite(ce) and ce > 1e5


def test_fused_output_deltas_are_finite_when_saturated():
    net = Network.build(1, [1], ["sigmoid"], loss="bce", rng=np.random.default_rng(0))
    net.layers[0].W[:] = 1e6
    g = net.gradients(np.array([[1.0]]), np.array([[0.0]]))
    assert np.isfinite(g.dWs[0]).all() and g.deltas[0][0, 0] == 1.0
