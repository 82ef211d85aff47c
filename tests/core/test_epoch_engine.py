"""The fused epoch engine computes what the reference path computes: a loop
of ``train_batch`` over the shuffled batches, then ``evaluate``."""
import numpy as np
import pytest

from nnsim.core import activations as act
from nnsim.core import losses as lossmod
from nnsim.core.datasets import DataSpec, make
from nnsim.core.network import Network
from nnsim.core.stepper import Stepper
from nnsim.core.training import TrainingConfig, evaluate, train_batch

CASES = [  # (hidden activations, output, loss, data)
    (["tanh", "relu"], "sigmoid", "mse", "circle"),
    (["sigmoid", "leaky_relu"], "linear", "mse", "plane"),
    (["relu", "tanh"], "tanh", "mse", "circle"),
    (["leaky_relu", "sigmoid"], "relu", "mse", "plane"),
    (["tanh", "tanh"], "sigmoid", "bce", "moons"),
    (["relu", "sigmoid"], "softmax", "cross_entropy", "three_class"),
    ([], "softmax", "cross_entropy", "three_class"),
]


def build(hidden, out, loss, data, optimizer="sgd", batch=7, seed=3, mask=False, n=45):
    ds = make(DataSpec(data, n=n, seed=seed))
    net = Network.build(ds.n_inputs, [5, 4][:len(hidden)] + [ds.n_outputs], hidden + [out],
                        loss=loss, rng=np.random.default_rng(seed))
    if mask:
        for layer in net.layers:
            layer.mask = np.random.default_rng(seed).random(layer.W.shape) > 0.3
    cfg = TrainingConfig(learning_rate=0.2, batch_size=batch, optimizer=optimizer, seed=seed)
    return Stepper(net, cfg, ds), ds


def reference_epochs(st: Stepper, ds, n: int):
    """What step_epochs did before the engine: train_batch per batch, evaluate."""
    net, opt, cfg = st.network, st.optimizer, st.config
    losses, results = [], []
    for _ in range(n):
        order = st.order
        for s in range(st.position, len(order), cfg.batch_size):
            idx = order[s:s + cfg.batch_size]
            losses.append(train_batch(net, opt, ds.X_train[idx], ds.Y_train[idx],
                                      cfg.learning_rate))
        st.position = len(order)
        results.append(evaluate(net, ds, st.epoch))
        st.epoch += 1
        st.position = 0
        st.order = st._new_order()
    return losses, results


@pytest.mark.parametrize("batch", [7, 1000])  # 1000: one batch of all rows
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("hidden,out,loss,data", CASES)
def test_engine_matches_the_reference_path(hidden, out, loss, data, optimizer, batch):
    fast, ds = build(hidden, out, loss, data, optimizer, batch=batch)
    slow, _ = build(hidden, out, loss, data, optimizer, batch=batch)
    fast.step_epochs(4)
    losses, results = reference_epochs(slow, ds, 4)
    for a, b in zip(fast.network.parameters(), slow.network.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose([l for _, l in fast.step_losses], losses, rtol=1e-10, atol=1e-14)
    for r, q in zip(fast.epoch_results, results):
        assert r.epoch == q.epoch
        assert r.train_loss == pytest.approx(q.train_loss, rel=1e-10, abs=1e-14)
        assert r.test_loss == pytest.approx(q.test_loss, rel=1e-10, abs=1e-14)
        assert r.train_accuracy == q.train_accuracy
    for k1, k2 in zip(fast.optimizer.state()["slots"], slow.optimizer.state()["slots"]):
        for a, b in zip(k1, k2):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    assert fast.optimizer.t == slow.optimizer.t
    assert fast.updates == len(losses)


ALL_PAIRS = [(loss, out) for loss in lossmod.LOSSES for out in act.ACTIVATIONS]


@pytest.mark.parametrize("batch", [7, 1000])
@pytest.mark.parametrize("loss,out", ALL_PAIRS)
def test_engine_matches_the_reference_path_for_every_loss_and_output(loss, out, batch):
    """Any loss with any output activation: the fused path of the pair (or the
    generic one: dL/da times the output's derivative) equals train_batch."""
    data = "three_class" if out == "softmax" or loss == "cross_entropy" else "circle"
    fast, ds = build(["tanh"], out, loss, data, batch=batch)
    slow, _ = build(["tanh"], out, loss, data, batch=batch)
    fast.step_epochs(3)
    losses, results = reference_epochs(slow, ds, 3)
    for a, b in zip(fast.network.parameters(), slow.network.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    assert any(not np.array_equal(a, b) for a, b in  # it trained
               zip(fast.network.parameters(), build(["tanh"], out, loss, data)[0]
                   .network.parameters()))
    np.testing.assert_allclose([l for _, l in fast.step_losses], losses, rtol=1e-10, atol=1e-14)
    for r, q in zip(fast.epoch_results, results):
        assert r.train_loss == pytest.approx(q.train_loss, rel=1e-10, abs=1e-14)
        assert r.test_loss == pytest.approx(q.test_loss, rel=1e-10, abs=1e-14)
        assert r.train_accuracy == q.train_accuracy


@pytest.mark.parametrize("batch", [7, 1000])
def test_engine_respects_removed_connections_and_partial_epochs(batch):
    fast, ds = build(["tanh", "relu"], "sigmoid", "mse", "circle", "momentum", mask=True,
                     batch=batch)
    slow, _ = build(["tanh", "relu"], "sigmoid", "mse", "circle", "momentum", mask=True,
                    batch=batch)
    masks = [l.mask.copy() for l in fast.network.layers]
    removed = [l.W[~l.mask].copy() for l in fast.network.layers]
    for st in (fast, slow):
        for _ in range(3):
            st.step_sample()  # the epoch is part-way through
    fast.step_epochs(2)
    reference_epochs(slow, ds, 2)
    for a, b in zip(fast.network.parameters(), slow.network.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    for layer, m, w in zip(fast.network.layers, masks, removed):
        np.testing.assert_array_equal(layer.W[~m], w)  # removed weights are kept as they were


def test_float32_training_is_close_and_stored_as_float64():
    fast, ds = build(["tanh", "relu"], "softmax", "cross_entropy", "three_class", "adam", n=120)
    ref, _ = build(["tanh", "relu"], "softmax", "cross_entropy", "three_class", "adam", n=120)
    fast.config.dtype = "float32"
    fast.config.validate()
    fast.step_epochs(3)
    ref.step_epochs(3)
    for a, b in zip(fast.network.parameters(), ref.network.parameters()):
        assert a.dtype == np.float64
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)
    assert fast.epoch_results[-1].train_loss == pytest.approx(ref.epoch_results[-1].train_loss,
                                                              rel=1e-3)
    assert all(s.dtype == np.float64 for kind in fast.optimizer.slots for s in kind)


@pytest.mark.parametrize("batch", [7, 1000])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_runs_in_chunks_equal_one_run(dtype, batch):
    """Run mode trains a few epochs per tick, the CLI all at once: bit for bit the same."""
    one, _ = build(["relu", "tanh"], "sigmoid", "bce", "moons", "momentum", batch=batch)
    chunks, _ = build(["relu", "tanh"], "sigmoid", "bce", "moons", "momentum", batch=batch)
    for st in (one, chunks):
        st.config.dtype = dtype
    one.step_epochs(6)
    for _ in range(3):
        chunks.step_epochs(2)
    for a, b in zip(one.network.parameters(), chunks.network.parameters()):
        np.testing.assert_array_equal(a, b)
    assert one.step_losses == chunks.step_losses


def test_unknown_dtype_is_refused():
    with pytest.raises(ValueError, match="training.dtype"):
        TrainingConfig(dtype="float16").validate()


def test_after_epochs_micro_steps_and_step_back_still_work():
    st, ds = build(["tanh", "relu"], "sigmoid", "mse", "circle", "adam")
    before = [p.copy() for p in st.network.parameters()]
    st.step_epochs(2)
    after = [p.copy() for p in st.network.parameters()]
    snaps = [st.micro_step() for _ in st.plan]
    assert snaps[-1].weights_before[0][0].tolist() == after[0].tolist()
    for _ in st.plan:
        st.step_back()
    for a, b in zip(st.network.parameters(), after):
        np.testing.assert_array_equal(a, b)
    st.step_back()  # one press goes back one epoch of the two
    assert len(st.epoch_results) == 1
    st.step_back()
    for a, b in zip(st.network.parameters(), before):
        np.testing.assert_array_equal(a, b)
