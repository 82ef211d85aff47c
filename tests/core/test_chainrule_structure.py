"""The chain rule as data: every factor says what it is and whose it is, every
path lists its neurons and connections from the parameter to the loss, so a
view (the inspector, a path highlighted on the canvas) lays them out without
reading their text."""
import itertools

import numpy as np
import pytest

from nnsim.core import chainrule as cr
from nnsim.core.chainrule import FactorKind

from chain_helpers import custom, full_cycle

TOL = 1e-12


def stepper(sizes, activations, loss="mse", batch_size=2, seed=3, targets=None):
    return custom(sizes, activations, loss, batch_size, seed=seed, targets=targets)


def connected(net, k, i, j) -> bool:
    mask = net.layers[k - 1].mask
    return mask is None or bool(mask[i, j])


def routes_by_hand(net, k, i, j):
    """Every path from W[i, j] of layer k to the loss as its connections,
    written independently of chainrule: each choice of one neuron per layer
    above k, kept when every connection on it exists."""
    sizes, L = net.sizes, len(net.layers)
    out = []
    for above in itertools.product(*(range(sizes[l]) for l in range(k + 1, L + 1))):
        neurons = (i, j) + above
        edges = tuple((k + n, neurons[n], neurons[n + 1]) for n in range(len(neurons) - 1))
        if all(connected(net, *e) for e in edges):
            out.append(edges)
    return out


NETWORKS = {
    "1 hidden layer": ([2, 3, 2], ["tanh", "sigmoid"], None),
    "2 hidden layers": ([2, 3, 2, 2], ["tanh", "relu", "sigmoid"], None),
    "2 hidden layers, a removed connection": ([3, 2, 3, 2], ["sigmoid", "tanh", "sigmoid"],
                                              (2, 0, 1)),
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_every_path_of_a_weight_as_connections_from_the_weight_to_the_loss(name):
    sizes, acts, removed = NETWORKS[name]
    st, net = stepper(sizes, acts, batch_size=3)
    if removed is not None:
        k, i, j = removed
        mask = np.ones_like(net.layers[k - 1].W, dtype=bool)
        mask[i, j] = False
        net.layers[k - 1].mask = mask
    snap = full_cycle(st)
    L = len(net.layers)
    checked_hidden = 0
    for k in range(1, L + 1):
        for i, j in itertools.product(range(sizes[k - 1]), range(sizes[k])):
            if not connected(net, k, i, j):
                continue
            e = cr.explain_weight(net, snap, k, i, j)
            assert not e.grouped
            expected = routes_by_hand(net, k, i, j)
            assert e.n_paths == len(expected)
            for term in e.samples:
                assert [p.edges for p in term.paths] == expected  # all of them, in order
                for p in term.paths:
                    assert p.edges[0] == (k, i, j) and p.edges[-1][0] == L
                    assert p.neurons == ((k - 1, i),) + tuple((l, q) for l, _, q in p.edges)
                    assert p.route == tuple(net_name(net, n) for n in p.neurons) + ("L",)
                    assert not p.grouped and p.grouped_paths == 1
                    # the factors say which connection and neuron each belongs to
                    weights = [f.edge for f in p.factors if f.kind == FactorKind.WEIGHT]
                    assert weights == list(reversed(p.edges[1:]))  # from the loss back
                    (inp,) = [f for f in p.factors if f.kind == FactorKind.INPUT]
                    assert inp.edge == (k, i, j) and inp.neuron == (k - 1, i)
                    assert inp is p.factors[-1]
                    slopes = [f.neuron for f in p.factors if f.kind == FactorKind.DA_DZ]
                    assert slopes == list(reversed(p.neurons[1:]))
                    assert p.factors[0].kind == FactorKind.DL_DA  # mse: the loss's slope
                    assert p.factors[0].neuron == p.neurons[-1]
                assert sum(p.product for p in term.paths) == pytest.approx(term.total, abs=TOL)
            # every path's product, over every sample of the batch, adds up to dW
            every = [p.product for term in e.samples for p in term.paths]
            assert e.n_samples == len(e.samples) == 3
            assert sum(every) == pytest.approx(snap.dW[k - 1][i, j], abs=TOL)
            assert e.total == pytest.approx(snap.dW[k - 1][i, j], abs=TOL)
            checked_hidden += k < L
    assert checked_hidden > 0


def net_name(net, neuron):
    return cr.neuron_name(list(net.sizes), *neuron)


def test_a_grouped_row_stops_at_the_next_layers_neuron():
    st, net = stepper([2, 3, 3, 2], ["tanh", "sigmoid", "sigmoid"])
    snap = full_cycle(st)
    e = cr.explain_weight(net, snap, 1, 1, 2, max_paths=1)
    assert e.grouped
    rows = e.samples[0].paths
    assert [r.neurons for r in rows] == [((0, 1), (1, 2), (2, m)) for m in range(3)]
    assert [r.edges for r in rows] == [((1, 1, 2), (2, 2, m)) for m in range(3)]
    for m, r in enumerate(rows):
        assert r.grouped and r.grouped_paths == 2
        assert [f.kind for f in r.factors] == [FactorKind.DELTA, FactorKind.WEIGHT,
                                               FactorKind.DA_DZ, FactorKind.INPUT]
        assert r.factors[0].neuron == (2, m) and r.factors[0].value == snap.delta[1][0, m]
    assert e.total == pytest.approx(snap.dW[0][1, 2], abs=TOL)


def test_a_bias_path_starts_at_its_neuron_and_has_no_connection():
    st, net = stepper([2, 3, 2], ["tanh", "sigmoid"])
    snap = full_cycle(st)
    e = cr.explain_bias(net, snap, 1, 2)
    assert e.parameter_id == ("bias", 1, None, 2)
    assert e.source_name is None and e.target_name == "h3"
    (path,) = e.samples[0].paths
    assert path.neurons == ((1, 2),) and path.edges == ()
    assert [(f.kind, f.neuron) for f in path.factors] == [(FactorKind.DELTA, (1, 2)),
                                                         (FactorKind.ONE, (1, 2))]


@pytest.mark.parametrize("acts,loss,targets,first", [
    (["tanh", "softmax"], "cross_entropy", "onehot", [FactorKind.FUSED]),
    (["tanh", "sigmoid"], "bce", "binary", [FactorKind.FUSED]),
    (["tanh", "softmax"], "mse", "onehot", [FactorKind.FUSED]),
    (["tanh", "sigmoid"], "cross_entropy", "onehot", [FactorKind.DL_DA, FactorKind.DA_DZ]),
])
def test_the_output_end_of_a_path_says_whether_it_is_fused(acts, loss, targets, first):
    st, net = stepper([2, 2, 3], acts, loss=loss, targets=targets)
    snap = full_cycle(st)
    out = cr.explain_weight(net, snap, 2, 1, 0)
    (path,) = out.samples[0].paths
    assert [f.kind for f in path.factors] == first + [FactorKind.INPUT]
    assert all(f.neuron == (2, 0) for f in path.factors[:-1])
    assert path.edges == ((2, 1, 0),) and path.neurons == ((1, 1), (2, 0))
    hidden = cr.explain_weight(net, snap, 1, 0, 1)
    for p in hidden.samples[0].paths:
        assert [f.kind for f in p.factors] == first + [FactorKind.WEIGHT, FactorKind.DA_DZ,
                                                       FactorKind.INPUT]
    neuron = cr.explain_neuron(net, snap, 2, 0)
    assert [f.kind for f in neuron.delta_factors] == first


def test_explanation_update_and_pending_parts_name_their_parameter():
    st, net = stepper([2, 3, 2], ["tanh", "sigmoid"])
    pending = st.micro_step()  # forward 1
    pending = st.micro_step()  # forward 2
    e = cr.explain_weight(net, pending, 2, 1, 0)
    assert e.status == "pending"
    assert [(f.kind, f.neuron, f.edge) for f in e.known] == [
        (FactorKind.ACTIVATION, (2, 0), None), (FactorKind.TARGET, (2, 0), None),
        (FactorKind.INPUT, (1, 1), (2, 1, 0))]
    snap = [st.micro_step() for _ in st.plan[2:]][-1]  # the rest of the cycle
    assert snap.step.kind == "update"
    e = cr.explain_weight(net, snap, 2, 1, 0)
    assert e.parameter_id == ("weight", 2, 1, 0)
    assert (e.source_name, e.target_name) == ("h2", "out1")
    u = e.update
    assert u.parameter_id == e.parameter_id
    assert u.numbers == f"{u.arithmetic} = {cr.fmt(u.new)}"
    assert cr.explain_bias(net, snap, 2, 0).update.parameter_id == ("bias", 2, None, 0)


def test_neuron_quantities_and_terms_say_whose_they_are():
    st, net = stepper([2, 3, 2], ["tanh", "sigmoid"])
    snap = full_cycle(st)
    n = cr.explain_neuron(net, snap, 1, 2)
    assert [(q.kind, q.neuron) for q in (n.z, n.a, n.delta)] == [
        ("z", (1, 2)), ("a", (1, 2)), ("delta", (1, 2))]
    assert n.delta.short_symbol == "\u03b4(h3)" and n.z.short_symbol == n.z.symbol == "z(h3)"
    assert [t.edge for t in n.z_terms] == [(1, 0, 2), (1, 1, 2)]
    assert [t.edge for t in n.delta_terms] == [(2, 2, 0), (2, 2, 1)]
    assert [(f.kind, f.neuron) for f in n.delta_factors] == [
        (FactorKind.DL_DA, (1, 2)), (FactorKind.DA_DZ, (1, 2))]
    out = cr.explain_neuron(net, snap, 2, 1)
    assert (out.loss_share.kind, out.loss_share.neuron) == ("loss_share", (2, 1))
    x = cr.explain_neuron(net, snap, 0, 1)
    assert (x.a.kind, x.a.neuron) == ("x", (0, 1))


def test_a_factors_key_identifies_the_same_number_on_two_paths():
    st, net = stepper([2, 3, 2], ["tanh", "sigmoid"])
    snap = full_cycle(st)
    p1, p2 = cr.explain_weight(net, snap, 1, 0, 0).samples[0].paths
    shared = {f.key for f in p1.factors} & {f.key for f in p2.factors}
    assert shared == {(FactorKind.DA_DZ, (1, 0), None), (FactorKind.INPUT, (0, 0), (1, 0, 0))}
