"""The stepper: micro-steps agree with the batched path, step back is exact,
same seed gives the same run."""
import numpy as np
import pytest

from nnsim.core.datasets import Dataset, DataSpec, make
from nnsim.core.network import Network
from nnsim.core.stepper import MIN_HISTORY, Stepper
from nnsim.core.training import TrainingConfig


def setup(batch_size=1, optimizer="sgd", loss="mse", out="sigmoid", data="circle", seed=5):
    data = make(DataSpec(data, n=40, seed=seed))
    t = data.n_outputs
    net = Network.build(data.n_inputs, [4, 3, t], ["tanh", "relu", out], loss=loss,
                        rng=np.random.default_rng(seed))
    cfg = TrainingConfig(learning_rate=0.3, batch_size=batch_size, optimizer=optimizer, seed=seed)
    return Stepper(net, cfg, data), net, data


def state_of(st: Stepper):
    return ([p.copy() for p in st.network.parameters()], st.optimizer.state(), st.epoch,
            st.position, st.order.copy(), st.updates, list(st.step_losses),
            len(st.epoch_results), st.rng.bit_generator.state)


def assert_same_state(s1, s2):
    p1, o1, *rest1 = s1
    p2, o2, *rest2 = s2
    for a, b in zip(p1, p2):
        assert np.array_equal(a, b)
    assert o1["t"] == o2["t"]
    for k1, k2 in zip(o1["slots"], o2["slots"]):
        for a, b in zip(k1, k2):
            assert np.array_equal(a, b)
    assert rest1[0:2] == rest2[0:2]
    assert np.array_equal(rest1[2], rest2[2])
    assert rest1[3:] == rest2[3:]


@pytest.mark.parametrize("batch_size", [1, 4])
@pytest.mark.parametrize("loss,out,data", [("mse", "sigmoid", "circle"),
                                           ("bce", "sigmoid", "moons"),
                                           ("cross_entropy", "softmax", "three_class")])
def test_micro_steps_equal_the_batched_path(batch_size, loss, out, data):
    st, net, ds = setup(batch_size, loss=loss, out=out, data=data)
    reference = net.copy()
    idx = list(st.next_indices())
    assert len(idx) == batch_size
    X, Y = ds.batch(idx)
    g = reference.gradients(X, Y)
    snaps = [st.micro_step() for _ in st.plan]
    last = snaps[-1]
    assert [s.step.label for s in snaps][:3] == ["Forward layer 1", "Forward layer 2",
                                                 "Forward layer 3"]
    assert snaps[3].step.label == "Loss" and last.step.label == "Update"
    assert last.loss == pytest.approx(g.loss, rel=1e-12, abs=1e-15)
    assert np.sum(last.loss_shares) == pytest.approx(g.loss, rel=1e-12)
    for k in range(3):
        np.testing.assert_allclose(last.z[k], g.zs[k], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(last.a[k + 1], g.activations[k + 1], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(last.delta[k], g.deltas[k], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(last.dW[k], g.dWs[k], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(last.db[k], g.dbs[k], rtol=1e-12, atol=1e-15)
        W_new, b_new = last.weights_after[k]
        np.testing.assert_allclose(W_new, reference.layers[k].W - 0.3 * g.dWs[k], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b_new, reference.layers[k].b - 0.3 * g.dbs[k], rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(last.weights_before[k][0], reference.layers[k].W)


def test_coarse_batch_step_gives_the_same_weights_as_micro_steps():
    st1, _, _ = setup(batch_size=3, optimizer="adam")
    st2, _, _ = setup(batch_size=3, optimizer="adam")
    for _ in range(4):
        for _ in st1.plan:
            st1.micro_step()
        st2.step_batch()
    for a, b in zip(st1.network.parameters(), st2.network.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_snapshots_show_only_what_was_computed_and_are_read_only():
    st, _, _ = setup()
    s = st.micro_step()
    assert s.z[0] is not None and s.z[1] is None and s.delta[0] is None and s.loss is None
    assert s.next_step.label == "Forward layer 2"
    with pytest.raises(ValueError):
        s.z[0][0, 0] = 1.0
    while s.step.kind != "backward":
        s = st.micro_step()
    assert s.delta[2] is not None and s.delta[1] is None and s.dW[2] is not None
    assert s.weights_after is None


def test_step_back_restores_the_exact_state():
    st, _, _ = setup(batch_size=2, optimizer="momentum")
    states, snaps = [], []
    actions = ["micro"] * 9 + ["batch", "micro", "micro", "epoch", "micro", "sample"] + ["micro"] * 4
    for action in actions:
        states.append(state_of(st))
        snaps.append(st.current())
        {"micro": st.micro_step, "batch": st.step_batch, "sample": st.step_sample,
         "epoch": st.step_epochs}[action]()
    for expected_state, expected_snap in zip(reversed(states), reversed(snaps)):
        restored = st.step_back()
        assert_same_state(state_of(st), expected_state)
        if expected_snap is None:
            assert restored is None
        else:
            assert restored.step == expected_snap.step
            for a, b in zip(restored.z + restored.delta, expected_snap.z + expected_snap.delta):
                assert (a is None and b is None) or np.array_equal(a, b)
    assert not st.can_step_back


def test_step_back_reaches_a_thousand_micro_steps():
    st, _, _ = setup()
    start = state_of(st)
    for _ in range(MIN_HISTORY):
        st.micro_step()
    for _ in range(MIN_HISTORY):
        st.step_back()
    assert_same_state(state_of(st), start)


def test_same_seed_gives_bit_identical_runs():
    def run():
        st, _, _ = setup(batch_size=4, optimizer="adam", seed=11)
        st.step_epochs(5)
        return st.network.parameters(), st.epoch_results

    (p1, r1), (p2, r2) = run(), run()
    for a, b in zip(p1, p2):
        assert np.array_equal(a, b)
    assert [r.train_loss for r in r1] == [r.train_loss for r in r2]


def test_epochs_cover_the_training_set_and_record_results():
    st, _, ds = setup(batch_size=7)
    results = st.step_epochs(3)
    n = len(ds.X_train)
    assert [r.epoch for r in results] == [1, 2, 3] and st.epoch == 4
    assert st.updates == 3 * -(-n // 7)
    assert results[-1].test_loss is not None and results[-1].train_accuracy is not None


def test_pinned_sample_is_traced_and_does_not_advance_the_epoch():
    st, _, ds = setup()
    st.pin_sample(7)
    snaps = [st.micro_step() for _ in st.plan]
    assert snaps[-1].sample_indices == (7,)
    np.testing.assert_array_equal(snaps[-1].X, ds.X_train[[7]])
    assert st.position == 0 and st.next_indices() == (7,)
    with pytest.raises(ValueError, match="does not exist"):
        st.pin_sample(len(ds.X_train))


def test_divergence_stops_the_run_with_a_non_finite_loss():
    st, _, _ = setup(out="linear", data="plane")
    st.config.learning_rate = 1e9
    results = st.step_epochs(50)
    assert len(results) < 50 and not results[-1].finite


def test_divergence_in_the_weights_alone_stops_the_run():
    # A saturated sigmoid output keeps the loss finite while a weight is
    # infinite: positive inputs times +inf weights give z = +inf, a = 1, and a
    # delta of exactly 0, so only the check on the weights can stop the run.
    # (Built by hand: how overflowing sums turn into inf or NaN differs
    # between NumPy releases, so blowing the weights up by training does not
    # reliably keep the loss finite.)
    X = np.array([[1.0, 2.0], [1.5, 1.0], [2.0, 1.5]])
    Y = np.array([[1.0], [0.0], [1.0]])
    data = Dataset(X, Y, X[:0], Y[:0], "binary", "imported", ["x1", "x2"], ["y"])
    net = Network.build(2, [1], ["sigmoid"], loss="mse", rng=np.random.default_rng(0))
    net.layers[0].W = np.full((2, 1), np.inf)
    st = Stepper(net, TrainingConfig(learning_rate=0.5, batch_size=3), data)
    results = st.step_epochs(50)
    assert len(results) == 1 and results[-1].finite and not st.network.all_finite()


def test_step_back_history_of_a_big_network_stays_within_its_memory_budget(monkeypatch):
    from nnsim.core import stepper as stepper_module
    ds = make(DataSpec("circle", n=40, seed=1))
    net = Network.build(2, [200, 200, 1], ["tanh", "tanh", "sigmoid"], loss="bce",
                        rng=np.random.default_rng(0))
    st = Stepper(net, TrainingConfig(batch_size=40, optimizer="adam"), ds)
    per_mark = 3 * sum(p.nbytes for p in net.parameters())  # parameters + two Adam slots
    monkeypatch.setattr(stepper_module, "MAX_MARK_BYTES", 20 * per_mark)
    states = []
    for _ in range(60):
        states.append([p.copy() for p in net.parameters()])
        st.step_batch()  # one epoch each (the whole set is one batch)
    assert st._mark_bytes <= 20 * per_mark
    # the newest half of the budget is intact: step back 10 times, exactly
    for k in range(10):
        st.step_back()
        assert all(np.array_equal(a, b) for a, b in zip(net.parameters(), states[-1 - k]))
    # older marks were thinned, not dropped: further presses land on earlier states, exactly
    while st.can_step_back:
        st.step_back()
        assert all(np.array_equal(a, b) for a, b in zip(net.parameters(), states[st.updates]))
    assert st.updates < 10 and st._mark_bytes == 0
