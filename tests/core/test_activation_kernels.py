"""The in-place kernels of each activation (for the epoch engine) compute
what its reference function and derivative compute."""
import numpy as np
import pytest

from nnsim.core import activations as act


def zs():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, size=(7, 5))
    z[0] = [0.0, -0.0, 1e-300, 700.0, -745.0]  # zero, tiny, overflowing exp
    return z


@pytest.mark.parametrize("name", list(act.ACTIVATIONS))
def test_the_in_place_forward_equals_the_function(name):
    a = act.get(name)
    z = zs()
    out, t = np.empty_like(z), np.empty_like(z)
    scratch = np.empty((len(z), 1)) if name == "softmax" else np.empty(z.shape, bool)
    with np.errstate(over="ignore"):
        a.forward_into(z, out, t, scratch)
    assert np.allclose(out, a.function(z), rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("name", [n for n, a in act.ACTIVATIONS.items() if a.elementwise])
@pytest.mark.parametrize("in_place", [False, True])
def test_the_in_place_backward_equals_g_times_the_derivative(name, in_place):
    a = act.get(name)
    z = zs()
    y = a.function(z)
    g = np.random.default_rng(1).normal(size=z.shape)
    expected = g * a.derivative(z, y)
    out = g.copy() if in_place else np.empty_like(z)  # the engine may pass g as out
    a.backward_into(out if in_place else g, z, y, out, np.empty_like(z), np.empty(z.shape, bool))
    assert np.array_equal(out, expected)


def test_every_activation_has_its_kernels():
    for name, a in act.ACTIVATIONS.items():
        assert callable(a.forward_into)
        assert (a.backward_into is None) == (not a.elementwise), name


@pytest.mark.parametrize("loss_name", ["mse", "bce", "cross_entropy"])
@pytest.mark.parametrize("with_logits", [True, False])
def test_each_loss_row_form_adds_up_to_its_value(loss_name, with_logits):
    """The epoch engine's per-row losses (from the logits where it can) are
    the loss the micro-steps show: their mean over the rows is the value."""
    from nnsim.core import losses
    loss = losses.get(loss_name)
    rng = np.random.default_rng(3)
    for out in act.ACTIVATIONS:  # any loss with any output
        t = 3 if out == "softmax" else 2
        z = rng.normal(0, 4, size=(9, t))
        a = act.get(out).function(z)
        if loss_name == "mse":
            y = rng.normal(size=z.shape)
        elif out == "softmax":
            y = np.eye(t)[rng.integers(0, t, 9)]
        else:
            y = rng.integers(0, 2, z.shape).astype(float)
        rows = loss.row_losses(a, y, z if with_logits else None, out)
        assert rows.shape == (9,)
        assert rows.sum() / 9 == pytest.approx(loss.value(a, y, z, out), rel=1e-12)
