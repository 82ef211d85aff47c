"""L1/L2 regularisation: the gradient every path computes is the derivative of
data loss + λ·Ω(W) (central differences), and the micro-steps, train_batch
and the fused epoch engine agree for every optimiser and precision."""
import math

import numpy as np
import pytest

from nnsim.core.chainrule import explain_weight
from nnsim.core.datasets import DataSpec, make
from nnsim.core.gradcheck import check_gradients
from nnsim.core.network import Network
from nnsim.core.regularization import Penalty
from nnsim.core.stepper import Stepper
from nnsim.core.training import TrainingConfig, evaluate, train_batch


def build(kind="l2", rate=0.05, optimizer="sgd", batch=7, seed=3, mask=False, dtype="float64",
          hidden=("tanh",), out="sigmoid", loss="bce", data="circle"):
    ds = make(DataSpec(data, n=40, seed=seed))
    net = Network.build(ds.n_inputs, [5][:len(hidden)] + [ds.n_outputs], list(hidden) + [out],
                        loss=loss, rng=np.random.default_rng(seed))
    if mask:
        for layer in net.layers:
            layer.mask = np.random.default_rng(seed).random(layer.W.shape) > 0.3
    cfg = TrainingConfig(learning_rate=0.3, batch_size=batch, optimizer=optimizer, seed=seed,
                         dtype=dtype, regularization=kind, regularization_rate=rate)
    return Stepper(net, cfg, ds), ds


def full_cycle(st):
    snap = st.micro_step()
    while snap.next_step is not None:
        snap = st.micro_step()
    return snap


@pytest.mark.parametrize("kind", ["l1", "l2"])
@pytest.mark.parametrize("mask", [False, True])
def test_gradients_are_the_derivative_of_the_regularised_loss(kind, mask):
    st, ds = build(kind, rate=0.3, mask=mask)
    X, Y = ds.X_train[:6], ds.Y_train[:6]
    result = check_gradients(st.network, X, Y, penalty=Penalty(kind, 0.3))
    assert result.max_relative_error < 1e-6
    # and the penalty really is in them: without it the data gradient differs
    plain = st.network.gradients(X, Y).dWs
    assert not np.allclose(result.analytic_dWs[0], plain[0])


def test_l2_adds_lambda_w_and_l1_lambda_sign_w_to_every_weight_not_the_biases():
    for kind in ("l1", "l2"):
        st, ds = build(kind, rate=0.25, batch=5)
        net = st.network.copy()
        snap = full_cycle(st)
        X, Y = snap.X, snap.Y
        g = net.gradients(X, Y)
        for k, layer in enumerate(net.layers):
            extra = 0.25 * (layer.W if kind == "l2" else np.sign(layer.W))
            np.testing.assert_allclose(snap.dW[k], g.dWs[k] + extra, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(snap.db[k], g.dbs[k], rtol=1e-12, atol=1e-15)


def test_removed_connections_are_not_penalised():
    st, _ = build("l2", rate=1.0, mask=True)
    snap = full_cycle(st)
    for k, layer in enumerate(st.network.layers):
        assert np.all(snap.dW[k][~layer.mask] == 0.0)
    pen = Penalty("l2", 1.0)
    weights = [(l.W, l.mask) for l in st.network.layers]
    assert pen.value(weights) == pytest.approx(
        0.5 * sum(float(np.sum(np.where(m, W, 0.0) ** 2)) for W, m in weights))


def reference_epochs(st, ds, n):
    cfg = st.config
    losses = []
    for _ in range(n):
        for s in range(st.position, len(st.order), cfg.batch_size):
            idx = st.order[s:s + cfg.batch_size]
            losses.append(train_batch(st.network, st.optimizer, ds.X_train[idx],
                                      ds.Y_train[idx], cfg.learning_rate, cfg.penalty))
        st.epoch_results.append(evaluate(st.network, ds, st.epoch))
        st.epoch += 1
        st.position = 0
        st.order = st._new_order()
    return losses


@pytest.mark.parametrize("kind", ["l1", "l2"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("batch", [7, 1000])
@pytest.mark.parametrize("mask", [False, True])
def test_the_epoch_engine_matches_batch_by_batch_training(kind, optimizer, batch, mask):
    fast, ds = build(kind, optimizer=optimizer, batch=batch, mask=mask)
    slow, _ = build(kind, optimizer=optimizer, batch=batch, mask=mask)
    fast.step_epochs(3)
    losses = reference_epochs(slow, ds, 3)
    for a, b in zip(fast.network.parameters(), slow.network.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose([l for _, l in fast.step_losses], losses, rtol=1e-10)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_micro_steps_match_the_epoch_engine(kind):
    stepped, _ = build(kind, batch=5)
    fused, _ = build(kind, batch=5)
    n_batches = math.ceil(len(stepped.data.X_train) / 5)
    for _ in range(n_batches):
        full_cycle(stepped)
    fused.step_epochs(1)
    for a, b in zip(stepped.network.parameters(), fused.network.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_float32_epochs_with_a_penalty_stay_close_to_float64():
    a, _ = build("l2", dtype="float32", batch=5)
    b, _ = build("l2", dtype="float64", batch=5)
    a.step_epochs(3)
    b.step_epochs(3)
    for p, q in zip(a.network.parameters(), b.network.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-5)


def test_l2_shrinks_the_weights_compared_with_no_penalty():
    reg, _ = build("l2", rate=0.5, batch=1000)
    plain, _ = build("none", rate=0.0, batch=1000)
    reg.step_epochs(200)
    plain.step_epochs(200)
    size = lambda st: sum(float(np.sum(l.W ** 2)) for l in st.network.layers)
    assert size(reg) < 0.5 * size(plain)


def test_no_penalty_changes_nothing():
    """rate 0, or kind none: bit for bit the unregularised run."""
    runs = []
    for kind, rate in (("none", 0.0), ("l2", 0.0), ("none", 0.7)):
        st, _ = build(kind, rate=rate, optimizer="adam")
        st.step_epochs(2)
        full_cycle(st)
        runs.append(st.network.parameters())
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_the_chain_rule_shows_the_penalty_as_the_extra_term(kind):
    st, _ = build(kind, rate=0.2, batch=3, hidden=("tanh",))
    net_before = st.network.copy()
    snap = full_cycle(st)
    for k, i, j in ((1, 0, 2), (2, 3, 0)):
        e = explain_weight(net_before, snap, k, i, j)
        w = float(snap.weights_before[k - 1][0][i, j])
        assert e.penalty is not None and e.penalty.kind == kind
        expected = 0.2 * (w if kind == "l2" else np.sign(w))
        assert e.penalty.value == pytest.approx(expected, rel=1e-12)
        assert e.total == pytest.approx(e.data_total + expected, rel=1e-12)
        assert e.total == pytest.approx(float(snap.dW[k - 1][i, j]), rel=1e-9, abs=1e-15)
        assert "\u03bb" in e.rule and e.penalty.formula in e.rule
        assert e.update.gradient == e.total


def test_l1_at_exactly_zero_has_no_pull_and_says_so():
    st, _ = build("l1", rate=0.2, batch=3)
    st.network.layers[1].W[0, 0] = 0.0
    net_before = st.network.copy()
    snap = full_cycle(st)
    e = explain_weight(net_before, snap, 2, 0, 0)
    assert e.penalty.value == 0.0 and "sign(0) = 0" in e.penalty.note


def test_settings_are_validated_with_the_field_named():
    with pytest.raises(ValueError, match="training.regularization:"):
        TrainingConfig(regularization="l3").validate()
    for bad in (-0.1, math.nan, math.inf, 1e6, True):
        with pytest.raises(ValueError, match="training.regularization_rate"):
            TrainingConfig(regularization="l2", regularization_rate=bad).validate()


def test_the_file_keeps_the_penalty_and_refuses_a_bad_one(tmp_path):
    import json
    from nnsim.core.project import Project
    from nnsim.io import FileFormatError, load_project, save_project
    st, _ = build("l1", rate=0.003)
    project = Project(network=st.network, training=st.config)
    path = tmp_path / "reg.nnsim"
    save_project(project, path)
    again = load_project(path)
    assert again.training.penalty == Penalty("l1", 0.003)
    obj = json.loads(path.read_text())
    obj["training"]["regularization_rate"] = -1
    path.write_text(json.dumps(obj))
    with pytest.raises(FileFormatError, match="training.regularization_rate"):
        load_project(path)
    obj["training"]["regularization"] = "l3"
    obj["training"]["regularization_rate"] = 0.1
    path.write_text(json.dumps(obj))
    with pytest.raises(FileFormatError, match="training.regularization"):
        load_project(path)
    # without a penalty the keys are not written (old files stay byte-identical)
    plain = Project(network=st.network, training=TrainingConfig())
    save_project(plain, path)
    assert "regularization" not in path.read_text()


def test_the_worked_solution_writes_the_penalty_term_with_its_numbers():
    from nnsim.core.worked_solution import traced_step, worked_solution
    st, ds = build("l2", rate=0.1)
    net = st.network.copy()
    before = net.copy()
    snap = traced_step(net, st.config, ds, 0)
    sol = worked_solution(before, snap, "t")
    grads = [eq for sec in sol.sections if sec.title.startswith("Gradients")
             for eq in sec.items if eq.key[0] == "dW"]
    assert grads and all("λ · w(" in eq.formula for eq in grads)
    for eq in grads:
        _, k, i, j = eq.key
        assert eq.value == pytest.approx(float(snap.dW[k - 1][i, j]), rel=1e-9)
        assert f"0.1 · " in eq.numbers
    assert any("L2 regularisation" in sec.intro for sec in sol.sections)


def test_the_training_process_gets_the_penalty():
    from nnsim.core.run_mode.protocol import dataset_from_load, load_message, stepper_from_load
    st, _ = build("l1", rate=0.02)
    header, arrays = load_message(st, 1, 3, None, 0, True)
    again = stepper_from_load(header, arrays, dataset_from_load(header, arrays))
    assert again.config.penalty == Penalty("l1", 0.02)
    st.step_epochs(2)
    again.step_epochs(2)
    for a, b in zip(st.network.parameters(), again.network.parameters()):
        assert np.array_equal(a, b)
