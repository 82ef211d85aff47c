"""The chain-rule explanations add up to the stepper's own numbers."""
import itertools

import numpy as np
import pytest

from nnsim.core import chainrule as cr
from nnsim.core.datasets import DataSpec, make
from nnsim.core.gradcheck import numeric_gradient
from nnsim.core.network import Network
from nnsim.core.stepper import Stepper
from nnsim.core.training import TrainingConfig

from chain_helpers import custom, full_cycle, run_until

TOL = 1e-12


def lecture():
    """The lecture's 2-2-1 sigmoid network with the mse loss, on xor."""
    net = Network.build(2, [2, 1], ["sigmoid", "sigmoid"], loss="mse",
                        rng=np.random.default_rng(0))
    st = Stepper(net, TrainingConfig(learning_rate=0.5), make(DataSpec("xor_table")))
    return st, net


def every_weight(net):
    for k, layer in enumerate(net.layers, start=1):
        for i, j in itertools.product(range(layer.n_in), range(layer.units)):
            yield k, i, j


def numeric(net, snap, k, i, j=None, bias=False):
    """Central differences on the cycle's batch with the weights it started from."""
    copy = net.copy()
    copy.set_parameters([p.copy() for pair in snap.weights_before for p in pair])
    if bias:
        return numeric_gradient(copy, np.array(snap.X), np.array(snap.Y), k - 1, None, i)
    return numeric_gradient(copy, np.array(snap.X), np.array(snap.Y), k - 1, i, j)


# -- the lecture's network ---------------------------------------------------------

def test_output_weight_is_the_lectures_three_factors():
    st, net = lecture()
    snap = full_cycle(st)
    W1, b1 = snap.weights_before[0]
    W2, b2 = snap.weights_before[1]
    x, y = np.array(snap.X[0]), float(snap.Y[0, 0])
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))
    h = sig(x @ W1 + b1)
    o = float(sig(h @ W2 + b2)[0])
    for i in range(2):
        e = cr.explain_weight(net, snap, 2, i, 0)
        assert e.status == "ready" and e.title == f"weight h{i + 1} \u2192 out1"
        (term,) = e.samples
        (path,) = term.paths
        f1, f2, f3 = path.factors
        assert f1.symbol == "\u2202L/\u2202a(out1)" and f2.symbol == "\u2202a(out1)/\u2202z(out1)"
        assert f3.symbol == f"\u2202z(out1)/\u2202w(h{i + 1} \u2192 out1)"
        # the exact constants 2/(n·t), here n = t = 1
        assert f1.value == pytest.approx(2 / (1 * 1) * (o - y), rel=1e-12)
        assert f1.numbers == f"2/(1\u00b71)\u00b7({cr.fmt(o)} \u2212 {cr.fmt(y)})"
        assert f2.value == pytest.approx(o * (1 - o), rel=1e-12)
        assert f3.value == pytest.approx(h[i], rel=1e-12)
        by_hand = 2 * (o - y) * o * (1 - o) * h[i]
        assert e.total == pytest.approx(by_hand, rel=1e-12)
        assert path.product == pytest.approx(snap.dW[1][i, 0], abs=TOL)
        assert e.total == pytest.approx(snap.dW[1][i, 0], abs=TOL)
        assert e.total == pytest.approx(numeric(net, snap, 2, i, 0), abs=1e-6)


def test_hidden_weight_is_the_sum_over_paths():
    st, net = lecture()
    snap = full_cycle(st)
    for k, i, j in every_weight(net):
        e = cr.explain_weight(net, snap, k, i, j)
        paths = e.samples[0].paths
        assert sum(p.product for p in paths) == pytest.approx(snap.dW[k - 1][i, j], abs=TOL)
        assert e.total == pytest.approx(snap.dW[k - 1][i, j], abs=TOL)
        assert e.total == pytest.approx(numeric(net, snap, k, i, j), abs=1e-6)
        for p in paths:
            assert p.product == pytest.approx(np.prod([f.value for f in p.factors]), rel=1e-15)
    e = cr.explain_weight(net, snap, 1, 0, 1)
    (path,) = e.samples[0].paths
    assert path.route == ("x1", "h2", "out1", "L")
    assert [f.symbol for f in path.factors] == [
        "\u2202L/\u2202a(out1)", "\u2202a(out1)/\u2202z(out1)", "\u2202z(out1)/\u2202a(h2)",
        "\u2202a(h2)/\u2202z(h2)", "\u2202z(h2)/\u2202w(x1 \u2192 h2)"]
    assert path.factors[2].value == snap.weights_before[1][0][1, 0]


def test_hidden_weight_with_two_outputs_has_two_paths():
    # the lecture's "the hidden neuron feeds two outputs, so two paths are summed"
    st, net = custom([2, 2, 2], ["sigmoid", "sigmoid"], "mse", 1)
    snap = full_cycle(st)
    e = cr.explain_weight(net, snap, 1, 0, 0)
    assert e.n_paths == 2 and not e.grouped
    assert [p.route for p in e.samples[0].paths] == [("x1", "h1", "out1", "L"),
                                                     ("x1", "h1", "out2", "L")]
    assert e.total == pytest.approx(snap.dW[0][0, 0], abs=TOL)


def test_update_before_and_after_the_update_step():
    st, net = lecture()
    mid = run_until(st, "Backward layer 1")
    e = cr.explain_weight(net, mid, 2, 1, 0)
    u = e.update
    assert not u.applied and u.learning_rate == 0.5
    assert u.new == pytest.approx(u.old - 0.5 * e.total, abs=TOL)
    assert u.numbers == f"{cr.fmt(u.old)} \u2212 0.5\u00b7{cr.fmt_operand(e.total)} = {cr.fmt(u.new)}"
    after = st.micro_step()
    assert after.step.kind == "update"
    u2 = cr.explain_weight(net, after, 2, 1, 0).update
    assert u2.applied and u2.new == after.weights_after[1][0][1, 0]
    assert u2.new == pytest.approx(u.new, abs=TOL)


def test_not_computed_yet_names_the_step():
    st, net = lecture()
    e = cr.explain_weight(net, None, 2, 0, 0)
    assert e.status == "pending" and e.total is None and "Backward layer 2" in e.message
    snap = run_until(st, "Loss")
    e = cr.explain_weight(net, snap, 2, 0, 0)
    assert e.status == "pending" and "Backward layer 2" in e.message and "next step" in e.message
    e = cr.explain_weight(net, snap, 1, 0, 0)
    assert e.status == "pending" and "Backward layer 1" in e.message and "2 steps" in e.message
    snap = st.micro_step()  # backward layer 2
    assert cr.explain_weight(net, snap, 2, 0, 0).status == "ready"
    assert cr.explain_weight(net, snap, 1, 0, 0).status == "pending"
    assert cr.explain_bias(net, snap, 1, 0).status == "pending"


def test_pending_weight_lists_what_is_already_known():
    st, net = lecture()
    assert cr.explain_weight(net, None, 1, 0, 0).known == ()
    snap = run_until(st, "Backward layer 2")
    e = cr.explain_weight(net, snap, 1, 0, 1)
    assert e.status == "pending"
    assert [f.symbol for f in e.known] == ["\u2202L/\u2202z(out1)", "\u2202z(out1)/\u2202a(h2)",
                                           "\u2202a(h2)/\u2202z(h2)", "\u2202z(h2)/\u2202w(x1 \u2192 h2)"]
    assert e.known[0].value == snap.delta[1][0, 0]
    # once computed, the product of those ingredients is the gradient
    done = st.micro_step()
    assert np.prod([f.value for f in e.known]) == pytest.approx(done.dW[0][0, 1], abs=TOL)


def test_neuron_explanation_equals_the_snapshot():
    st, net = lecture()
    snap = run_until(st, "Forward layer 1")
    n = cr.explain_neuron(net, snap, 1, 0)
    assert n.z.value == snap.z[0][0, 0] and n.a.value == snap.a[1][0, 0]
    assert not n.delta.ready and "Backward layer 1" in n.delta.message
    n2 = cr.explain_neuron(net, snap, 2, 0)
    assert not n2.z.ready and "Forward layer 2" in n2.z.message
    snap = run_until(st, "Update")  # finish the cycle
    for k in (1, 2):
        for j in range(net.sizes[k]):
            n = cr.explain_neuron(net, snap, k, j)
            assert n.z.value == snap.z[k - 1][0, j]
            assert n.a.value == snap.a[k][0, j]
            assert n.delta.value == snap.delta[k - 1][0, j]
            assert sum(t.value for t in n.z_terms) + n.bias == pytest.approx(n.z.value, abs=TOL)
            if k == 1:
                f = n.a.value * (1 - n.a.value)
                assert sum(t.value for t in n.delta_terms) * f == pytest.approx(n.delta.value,
                                                                               abs=TOL)
    out = cr.explain_neuron(net, snap, 2, 0)
    assert out.loss_share.value == pytest.approx(snap.loss, abs=TOL)  # one output, one sample
    assert out.a.formula == "1/(1 + e^\u2212z(out1))"  # the standard sigmoid, not the slides'
    inp = cr.explain_neuron(net, snap, 0, 1)
    assert inp.kind == "input" and inp.a.value == snap.X[0, 1] and inp.delta is None


@pytest.mark.parametrize("name,sizes,acts,loss,targets", [
    ("tanh-relu-mse", [2, 3, 3, 2], ["tanh", "relu", "sigmoid"], "mse", None),
    ("softmax-ce", [2, 3, 3, 2], ["tanh", "leaky_relu", "softmax"], "cross_entropy", "onehot"),
    ("softmax-mse", [2, 3, 3, 3], ["tanh", "sigmoid", "softmax"], "mse", "onehot"),
    ("sigmoid-ce", [2, 3, 3, 2], ["tanh", "sigmoid", "sigmoid"], "cross_entropy", "onehot"),
    ("tanh-bce", [2, 3, 3, 2], ["relu", "sigmoid", "tanh"], "bce", "binary"),
])
def test_delta_factors_multiply_to_the_snapshots_delta(name, sizes, acts, loss, targets):
    st, net = custom(sizes, acts, loss, 2, targets=targets)
    snap = full_cycle(st)
    for k in range(1, len(sizes)):
        for j in range(sizes[k]):
            for s in range(2):
                n = cr.explain_neuron(net, snap, k, j, sample=s)
                assert n.delta.value == snap.delta[k - 1][s, j]
                product = np.prod([f.value for f in n.delta_factors])
                assert product == pytest.approx(n.delta.value, abs=TOL)
                assert n.z.value == snap.z[k - 1][s, j] and n.a.value == snap.a[k][s, j]


def test_bias_is_delta_summed():
    st, net = custom([2, 3, 3, 2], ["tanh", "relu", "sigmoid"], "mse", 3)
    snap = full_cycle(st)
    for k, layer in enumerate(net.layers, start=1):
        for j in range(layer.units):
            e = cr.explain_bias(net, snap, k, j)
            assert e.total == pytest.approx(snap.db[k - 1][j], abs=TOL)
            assert len(e.samples) == 3
            assert e.total == pytest.approx(numeric(net, snap, k, j, bias=True), abs=1e-6)


# -- other networks, mini-batches ----------------------------------------------------

CASES = [
    ("tanh-relu-mse", [2, 3, 3, 2], ["tanh", "relu", "sigmoid"], "mse", None),
    ("relu-tanh-linear", [2, 3, 3, 2], ["relu", "tanh", "linear"], "mse", None),
    ("softmax-ce", [2, 3, 3, 2], ["tanh", "relu", "softmax"], "cross_entropy", "onehot"),
    ("sigmoid-bce", [2, 3, 3, 2], ["leaky_relu", "tanh", "sigmoid"], "bce", "binary"),
    # pairs without a fused delta: dL/da times the output's derivative (or Jacobian)
    ("sigmoid-ce", [2, 3, 3, 2], ["tanh", "relu", "sigmoid"], "cross_entropy", "onehot"),
    ("softmax-mse", [2, 3, 3, 3], ["tanh", "sigmoid", "softmax"], "mse", "onehot"),
    ("softmax-bce", [2, 3, 3, 3], ["relu", "tanh", "softmax"], "bce", "onehot"),
    ("linear-bce", [2, 3, 3, 2], ["tanh", "tanh", "linear"], "bce", "binary"),
]


@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("name,sizes,acts,loss,targets", CASES, ids=[c[0] for c in CASES])
def test_totals_equal_dW(name, sizes, acts, loss, targets, batch_size):
    st, net = custom(sizes, acts, loss, batch_size, targets=targets)
    full_cycle(st)  # a second cycle, after one update
    snap = full_cycle(st)
    for k, i, j in every_weight(net):
        e = cr.explain_weight(net, snap, k, i, j)
        assert e.status == "ready" and not e.grouped
        assert len(e.samples) == batch_size and e.n_samples == batch_size
        for term in e.samples:
            assert term.total == pytest.approx(sum(p.product for p in term.paths), abs=TOL)
        assert sum(t.total for t in e.samples) == pytest.approx(snap.dW[k - 1][i, j], abs=TOL)
        assert e.total == pytest.approx(snap.dW[k - 1][i, j], abs=TOL)
        assert e.total == pytest.approx(numeric(net, snap, k, i, j), abs=1e-6)
        if k < len(net.layers):  # paths through every later neuron: 3 * t
            t = sizes[-1]
            assert e.n_paths == (3 * t if k == 1 else t) == len(e.samples[0].paths)


@pytest.mark.parametrize("loss,acts,targets,fused", [
    ("cross_entropy", ["tanh", "softmax"], "onehot", "(a(out1) \u2212 y(out1))/n"),
    ("bce", ["tanh", "sigmoid"], "binary", "(a(out1) \u2212 y(out1))/(n\u00b7t)"),
])
def test_fused_output_factor_is_one_factor_with_a_reason(loss, acts, targets, fused):
    st, net = custom([2, 3, 2], acts, loss, 2, targets=targets)
    snap = full_cycle(st)
    e = cr.explain_weight(net, snap, 2, 1, 0)
    path = e.samples[0].paths[0]
    assert len(path.factors) == 2  # dL/dz_o1 and dz/dw
    assert path.factors[0].symbol == "\u2202L/\u2202z(out1)" and path.factors[0].formula == fused
    assert path.factors[0].value == snap.delta[1][0, 0]
    assert any("together" in note for note in e.notes)
    assert e.total == pytest.approx(snap.dW[1][1, 0], abs=TOL)


def test_cross_entropy_with_sigmoid_outputs_spells_out_its_two_factors():
    st, net = custom([2, 3, 2], ["tanh", "sigmoid"], "cross_entropy", 2, targets="onehot")
    snap = full_cycle(st)
    n = 2
    for s in range(2):
        a, y = float(snap.a[2][s, 0]), float(snap.Y[s, 0])
        e = cr.explain_weight(net, snap, 2, 1, 0)
        f = e.samples[s].paths[0].factors
        assert f[0].symbol == "\u2202L/\u2202a(out1)" and f[0].formula == "\u2212y(out1)/(n\u00b7a(out1))"
        assert f[0].value == pytest.approx(-y / (n * a), rel=1e-13)
        assert f[0].numbers.startswith("\u2212") and f"{n}\u00b7" in f[0].numbers
        assert f[1].formula == "a(out1)\u00b7(1 \u2212 a(out1))"
        assert f[1].value == pytest.approx(a * (1 - a), rel=1e-13)
        assert f[0].value * f[1].value == pytest.approx(snap.delta[1][s, 0], rel=1e-12)


def test_mse_with_softmax_sums_over_the_softmax_jacobian():
    st, net = custom([2, 3, 3], ["tanh", "softmax"], "mse", 1, targets="onehot")
    snap = full_cycle(st)
    a, y = np.array(snap.a[2][0]), np.array(snap.Y[0])
    g = 2 / 3 * (a - y)  # dL/da of the mean over n = 1 sample and t = 3 outputs
    for m in range(3):
        n = cr.explain_neuron(net, snap, 2, m)
        (factor,) = n.delta_factors
        jacobian = [a[k] * ((k == m) - a[m]) for k in range(3)]  # da_k/dz_m
        by_hand = sum(g[k] * jacobian[k] for k in range(3))
        assert factor.value == pytest.approx(by_hand, abs=1e-15)
        assert factor.value == snap.delta[1][0, m]
        assert "\u03a3_k" in factor.formula and labels_in(factor.numbers, g, a)
    e = cr.explain_weight(net, snap, 2, 0, 1)
    assert any("Jacobian" in note or "couples" in note for note in e.notes)


def labels_in(numbers: str, g, a) -> bool:
    """The numbers show every dL/da_k and a_k of the sum (3 outputs: all listed)."""
    from nnsim.core.naming import fmt
    return all(fmt(float(v)).lstrip("-") in numbers for v in list(g) + list(a))


@pytest.mark.parametrize("loss", ["bce", "cross_entropy"])
def test_an_output_beyond_the_logs_range_says_its_gradient_is_zero(loss):
    st, net = custom([2, 2, 1], ["tanh", "linear"], loss, 1, targets="binary")
    net.layers[-1].b[:] = -5.0  # a linear output far below 0
    net.layers[-1].W[:] = 0.1
    snap = full_cycle(st)
    assert snap.a[2][0, 0] < 0
    f = cr.explain_weight(net, snap, 2, 0, 0).samples[0].paths[0].factors[0]
    assert f.value == 0.0 and f.numbers == "0" and "cut off" in f.note
    assert snap.dW[1][0, 0] == 0.0
    share = cr.explain_neuron(net, snap, 2, 0).loss_share
    assert "outside the range of the logs" in share.note and "1e-12" in share.numbers


def test_batch_lists_the_first_eight_samples_and_sums_all():
    st, net = custom([2, 3, 2], ["tanh", "sigmoid"], "mse", 11, n=20)
    snap = full_cycle(st)
    e = cr.explain_weight(net, snap, 1, 1, 2)
    assert e.n_samples == 11 and len(e.samples) == cr.MAX_SAMPLES
    assert [t.index for t in e.samples] == list(snap.sample_indices[:8])
    assert e.total == pytest.approx(snap.dW[0][1, 2], abs=TOL)
    assert "first 8" in e.batch_note


def test_many_paths_are_grouped_by_the_next_layers_deltas():
    sizes = [3, 5, 5, 4, 3]  # 5 * 4 * 3 = 60 paths from a first-layer neuron
    st, net = custom(sizes, ["tanh", "sigmoid", "relu", "sigmoid"], "mse", 2, seed=8)
    snap = full_cycle(st)
    e = cr.explain_weight(net, snap, 1, 2, 4)
    assert e.n_paths == 60 and e.grouped
    rows = e.samples[0].paths
    assert len(rows) == 5 and sum(r.grouped_paths for r in rows) == 60
    assert rows[0].factors[0].value == snap.delta[1][0, 0]  # δ of the next layer's neuron
    assert e.total == pytest.approx(snap.dW[0][2, 4], abs=TOL)
    assert e.total == pytest.approx(numeric(net, snap, 1, 2, 4), abs=1e-6)
    assert "60 paths" in e.grouping_note
    # the layer above: 4 * 3 = 12 paths, listed one by one
    e2 = cr.explain_weight(net, snap, 2, 0, 0)
    assert e2.n_paths == 12 and not e2.grouped and len(e2.samples[0].paths) == 12
    assert e2.total == pytest.approx(snap.dW[1][0, 0], abs=TOL)
    # a lower limit groups them too, with the same total
    e3 = cr.explain_weight(net, snap, 2, 0, 0, max_paths=5)
    assert e3.grouped and e3.total == pytest.approx(snap.dW[1][0, 0], abs=TOL)


def test_removed_connections():
    st, net = custom([2, 3, 3, 2], ["tanh", "tanh", "sigmoid"], "mse", 2)
    mask = np.ones((3, 3), dtype=bool)
    mask[0, 1] = mask[0, 2] = False  # h1.1 now only feeds h2.1
    net.layers[1].mask = mask
    snap = full_cycle(st)
    e = cr.explain_weight(net, snap, 2, 0, 1)
    assert e.status == "removed" and e.total == 0.0 == snap.dW[1][0, 1]
    assert "removed" in e.message
    e = cr.explain_weight(net, snap, 1, 1, 0)  # into h1.1: paths only via h2.1
    assert e.n_paths == 2
    assert all(p.route[2] == "h2_1" for p in e.samples[0].paths)
    assert e.total == pytest.approx(snap.dW[0][1, 0], abs=TOL)
    assert e.total == pytest.approx(numeric(net, snap, 1, 1, 0), abs=1e-6)
    n = cr.explain_neuron(net, snap, 2, 1)
    assert len(n.z_terms) == 2 and "removed" in n.z.note
    assert n.z.value == pytest.approx(sum(t.value for t in n.z_terms) + n.bias, abs=TOL)
    for k, i, j in every_weight(net):
        assert cr.explain_weight(net, snap, k, i, j).total == pytest.approx(
            snap.dW[k - 1][i, j], abs=TOL)


def test_other_optimisers_say_the_update_is_not_plain_sgd():
    st, net = custom([2, 2, 1], ["tanh", "sigmoid"], "mse", 1, optimizer="momentum")
    full_cycle(st)
    snap = full_cycle(st)
    u = cr.explain_weight(net, snap, 2, 0, 0, optimizer="momentum").update
    assert u.applied and "momentum" in u.note
    assert u.new == snap.weights_after[1][0][0, 0]


def test_names_and_numbers():
    # the naming scheme (nnsim.core.naming), as chainrule re-exports it
    assert [cr.neuron_name([2, 2, 1], k, 0) for k in range(3)] == ["x1", "h1", "out1"]
    assert cr.neuron_name([2, 3, 3, 2], 2, 2) == "h2_3"
    assert cr.fmt(0.75139) == "0.7514" and cr.fmt(-0.01) == "-0.01"
    assert cr.fmt(0) == "0" and cr.fmt(-2.3104e-5) == "-2.31e-05"
    assert cr.fmt(float("nan")) == "NaN"
    assert cr.fmt_operand(-0.5) == "(-0.5)" and cr.fmt_operand(0.5) == "0.5"


def test_bad_arguments_raise_value_error():
    st, net = lecture()
    with pytest.raises(ValueError):
        cr.explain_weight(net, None, 3, 0, 0)
    with pytest.raises(ValueError):
        cr.explain_weight(net, None, 1, 2, 0)
    with pytest.raises(ValueError):
        cr.explain_neuron(net, None, 1, 5)
