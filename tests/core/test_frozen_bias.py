"""A frozen bias (Layer.train_bias False) never changes, whichever way the
network is trained and whatever the optimiser remembers, while its gradient
is still computed and shown, and everything else trains as before."""
import subprocess
import sys

import numpy as np
import pytest

from nnsim.core import chainrule as cr
from nnsim.core import edit
from nnsim.core.datasets import DataSpec, make
from nnsim.core.gradcheck import numeric_gradient
from nnsim.core.network import Network
from nnsim.core.run_mode import framing
from nnsim.core.run_mode.protocol import (dataset_from_load, load_message, parse_progress,
                                          stepper_from_load)
from nnsim.core.stepper import Stepper
from nnsim.core.training import TrainingConfig, train_batch

LR = 0.3


def build(optimizer="sgd", frozen=(0,), batch=5, dtype="float64", seed=2):
    """A 2-4-3-1 network with non-zero biases on the circle data; ``frozen``:
    0-based layers whose biases are frozen."""
    ds = make(DataSpec("circle", n=40, seed=seed))  # 32 training rows
    net = Network.build(2, [4, 3, 1], ["tanh", "sigmoid", "sigmoid"],
                        rng=np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    for k, layer in enumerate(net.layers):
        layer.b = rng.normal(size=layer.units)
        layer.train_bias = k not in frozen
    cfg = TrainingConfig(learning_rate=LR, batch_size=batch, optimizer=optimizer, seed=seed,
                         dtype=dtype)
    return Stepper(net, cfg, ds), ds


def biases(st):
    return [l.b.copy() for l in st.network.layers]


def weights(st):
    return [l.W.copy() for l in st.network.layers]


def full_cycle(st):
    snap = None
    for _ in st.plan:
        snap = st.micro_step()
    return snap


# -- the micro-steps ----------------------------------------------------------------

def test_update_micro_step_leaves_a_frozen_bias_and_still_shows_its_gradient():
    st, ds = build(frozen=(0,), batch=3)
    net = st.network
    before = [l.copy() for l in net.layers]
    snap = full_cycle(st)
    X, Y = snap.X, snap.Y
    probe = Network(net.n_inputs, [l.copy() for l in before], net.loss)
    # dL/db of the frozen layer is the true derivative (central differences)
    for j in range(4):
        assert snap.db[0][j] == pytest.approx(numeric_gradient(probe, X, Y, 0, None, j),
                                              rel=1e-6, abs=1e-10)
    assert np.abs(snap.db[0]).max() > 1e-4  # so "unchanged" below means something
    # the update skipped it: the snapshot and the network show the old bias
    np.testing.assert_array_equal(snap.weights_after[0][1], before[0].b)
    np.testing.assert_array_equal(net.layers[0].b, before[0].b)
    # everything else took plain SGD steps: w - eta * dL/dw, b - eta * dL/db
    for k in range(3):
        np.testing.assert_allclose(snap.weights_after[k][0], before[k].W - LR * snap.dW[k],
                                   rtol=1e-15, atol=1e-15)
    for k in (1, 2):
        np.testing.assert_allclose(snap.weights_after[k][1], before[k].b - LR * snap.db[k],
                                   rtol=1e-15, atol=1e-15)
        assert not np.array_equal(snap.weights_after[k][1], before[k].b)


def test_step_back_over_a_frozen_update_and_again_is_exact():
    st, _ = build(optimizer="momentum", frozen=(1,))
    start = biases(st)
    full_cycle(st)
    st.step_back()
    snap = st.micro_step()  # the update again
    np.testing.assert_array_equal(snap.weights_after[1][1], start[1])


# -- train_batch and the epoch engine, every optimiser ------------------------------

@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_train_batch_leaves_frozen_biases_and_trains_the_rest(optimizer):
    st, ds = build(optimizer, frozen=(0, 2))
    start_b, start_W = biases(st), weights(st)
    for s in range(0, len(ds.X_train), 5):
        train_batch(st.network, st.optimizer, ds.X_train[s:s + 5], ds.Y_train[s:s + 5], LR)
    after_b = biases(st)
    np.testing.assert_array_equal(after_b[0], start_b[0])
    np.testing.assert_array_equal(after_b[2], start_b[2])
    assert not np.array_equal(after_b[1], start_b[1])
    assert all(not np.array_equal(w, w0) for w, w0 in zip(weights(st), start_W))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_epochs_leave_frozen_biases_exactly_and_match_batch_by_batch(optimizer, dtype):
    fast, ds = build(optimizer, frozen=(1,), dtype=dtype)
    slow, _ = build(optimizer, frozen=(1,))
    start = biases(fast)
    fast.step_epochs(3)
    np.testing.assert_array_equal(biases(fast)[1], start[1])  # bit for bit, even in float32
    # the same updates as train_batch, batch after batch, in the stepper's order
    for _ in range(3):
        for s in range(0, len(ds.X_train), 5):
            idx = slow.order[s:s + 5]
            train_batch(slow.network, slow.optimizer, ds.X_train[idx], ds.Y_train[idx], LR)
        slow.order = slow._new_order()
    tol = 1e-10 if dtype == "float64" else 1e-4
    for a, b in zip(fast.network.parameters(), slow.network.parameters()):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


TRAIN = {  # each training path on its own
    "epochs": lambda st: st.step_epochs(2),  # the epoch engine
    "batches": lambda st: [st.step_batch() for _ in range(3)],  # train_batch
    "micro-steps": lambda st: [full_cycle(st) for _ in range(3)],
}


@pytest.mark.parametrize("path", TRAIN)
@pytest.mark.parametrize("batch", [5, 32])  # 32: one batch of all rows
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_optimiser_memory_from_before_freezing_does_not_move_the_bias(optimizer, batch, path):
    st, ds = build(optimizer, frozen=(), batch=batch)
    st.step_epochs(2)  # the optimiser now remembers moving every bias
    assert all(np.abs(kind[3]).max() > 0 for kind in st.optimizer.slots)  # layer 2's bias
    st.network.layers[1].train_bias = False
    frozen_at = biases(st)[1]
    TRAIN[path](st)
    np.testing.assert_array_equal(biases(st)[1], frozen_at)
    assert all(not np.any(kind[3]) for kind in st.optimizer.slots)  # nothing remembered
    # unfrozen again, it trains
    st.network.layers[1].train_bias = True
    TRAIN[path](st)
    assert not np.array_equal(biases(st)[1], frozen_at)


# -- run mode: the flag crosses the process boundary -----------------------------------

def test_the_training_process_keeps_a_frozen_bias():
    app, _ = build("adam", frozen=(0,))
    here, _ = build("adam", frozen=(0,))
    start = biases(app)
    here.step_epochs(4)
    header, arrays = load_message(app, session=3, epochs=4, stop_loss=None, data_key=1,
                                  include_data=True)
    process_side = stepper_from_load(*framing.unpack(framing.pack(header, arrays)[8:]),
                                     dataset_from_load(header, arrays))
    assert [l.train_bias for l in process_side.network.layers] == [False, True, True]
    # the real training process, as run mode starts it; it answers when the 4 epochs are done
    proc = subprocess.Popen([sys.executable, "-m", "nnsim.core.run_mode.process"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        framing.write(proc.stdin, header, arrays)
        reply = framing.read(proc.stdout)
        framing.write(proc.stdin, {"type": "quit"})
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr.read() == b""
    proc.stdout.close(), proc.stderr.close()
    assert reply is not None and reply[0]["type"] == "progress", reply
    progress = parse_progress(*reply)
    assert progress.final == "epochs"
    app.adopt(progress)
    np.testing.assert_array_equal(app.network.layers[0].b, start[0])
    for p, q in zip(app.network.parameters(), here.network.parameters()):
        np.testing.assert_array_equal(p, q)


# -- the chain-rule text --------------------------------------------------------------

def test_the_chain_rule_of_a_frozen_bias_says_it_stays():
    ds = make(DataSpec("xor_table"))
    net = Network.build(2, [2, 1], ["sigmoid", "sigmoid"], rng=np.random.default_rng(0))
    net.layers[0].b[:] = 0.35
    net.layers[0].train_bias = False
    st = Stepper(net, TrainingConfig(learning_rate=0.5, shuffle=False), ds)
    snaps = [st.micro_step() for _ in st.plan]
    for snap in (snaps[-2], snaps[-1]):  # before and after the Update step
        e = cr.explain_bias(net, snap, 1, 0)
        assert e.total == pytest.approx(float(snap.db[0][0]))  # the gradient is still shown
        assert e.total != 0.0
        u = e.update
        assert u.frozen and u.old == u.new == 0.35
        assert u.formula == "bias frozen: b(h1) stays 0.35"
    # a trained bias still shows its SGD step
    u = cr.explain_bias(net, snaps[-1], 2, 0).update
    assert not u.frozen and u.new == pytest.approx(u.old - 0.5 * u.gradient)
    # and weights are not affected by the flag
    assert not cr.explain_weight(net, snaps[-1], 1, 0, 0).update.frozen


# -- edits keep the flag ---------------------------------------------------------------

def test_structural_edits_keep_each_layers_flag():
    net = Network.build(2, [3, 3, 1], ["tanh", "tanh", "sigmoid"], rng=np.random.default_rng(0))
    net.layers[1].train_bias = False
    rng = np.random.default_rng(1)

    def flags(n):
        return [l.train_bias for l in n.layers]

    assert flags(net.copy()) == [True, False, True]
    assert flags(edit.add_neuron(net, 2, "xavier", rng)) == [True, False, True]
    assert flags(edit.remove_neuron(net, 2, 0)) == [True, False, True]
    assert flags(edit.set_connection(net, 2, 0, 0, False)) == [True, False, True]
    assert flags(edit.set_activation(net, 2, "relu")) == [True, False, True]
    assert flags(edit.set_parameter(net, 2, None, 0, 0.5)) == [True, False, True]
    assert flags(edit.reinitialize(net, "xavier", rng)) == [True, False, True]
    assert flags(edit.insert_layer(net, 1, 2, "tanh", "xavier", rng)) == [True, True, False, True]
    assert flags(edit.remove_layer(net, 1, "xavier", rng)) == [False, True]
    assert flags(edit.fit_to_data(net, 3, 1, "xavier", rng)) == [True, False, True]
    assert flags(edit.set_train_bias(net, 2, True)) == [True, True, True]
    assert flags(edit.set_train_bias(net, 3, False)) == [True, False, False]
    assert flags(net) == [True, False, True]  # the argument is untouched
    with pytest.raises(ValueError, match="no layer 4"):
        edit.set_train_bias(net, 4, False)
