"""A bias's gradient as a sum over its paths to the loss, one per next-layer
neuron: the rows add up to δ of each sample and, over the batch, to db."""
import numpy as np
import pytest

from nnsim.core import chainrule as cr

from chain_helpers import custom, full_cycle, run_until

TOL = 1e-12


@pytest.mark.parametrize("sizes,acts,loss,targets", [
    ([2, 3, 3, 2], ["tanh", "relu", "sigmoid"], "mse", None),
    ([2, 3, 4, 3], ["sigmoid", "tanh", "softmax"], "cross_entropy", "onehot"),
])
def test_bias_paths_add_up_to_delta_and_db(sizes, acts, loss, targets):
    st, net = custom(sizes, acts, loss, 3, targets=targets)
    full_cycle(st)
    snap = full_cycle(st)  # a second cycle: its weights before the update are used
    L = len(net.layers)
    for k in range(1, L + 1):
        for j in range(sizes[k]):
            terms = [cr.bias_paths(net, snap, k, j, sample=s) for s in range(3)]
            for s, term in enumerate(terms):
                assert term.position == s and term.index == snap.sample_indices[s]
                assert sum(p.product for p in term.paths) == pytest.approx(
                    snap.delta[k - 1][s, j], abs=TOL)
                if k == L:  # an output: one path, no connection
                    (p,) = term.paths
                    assert p.edges == () and p.neurons == ((k, j),)
                    continue
                # one path per neuron of the next layer, through its connection
                assert [p.edges for p in term.paths] == [((k + 1, j, m),)
                                                         for m in range(sizes[k + 1])]
                assert [p.neurons[-1] for p in term.paths] == [(k + 1, m)
                                                               for m in range(sizes[k + 1])]
                for m, p in enumerate(term.paths):
                    w = snap.weights_before[k][0][j, m]
                    assert p.factors[0].value == snap.delta[k][s, m]
                    assert p.factors[1].value == w
                    assert p.grouped == (k + 1 < L)
                    # a group stands for every path from the next neuron on
                    assert p.grouped_paths == (sizes[L] if k + 1 < L else 1)
            assert sum(t.total for t in terms) == pytest.approx(snap.db[k - 1][j], abs=TOL)


def test_no_bias_paths_before_the_backward_pass_reaches_the_layer():
    st, net = custom([2, 3, 2], ["tanh", "sigmoid"], "mse", 1)
    snap = run_until(st, st.plan[-3].label)  # the backward step of the output layer
    assert snap.delta[0] is None and snap.delta[1] is not None
    assert cr.bias_paths(net, snap, 1, 0) is None
    assert cr.bias_paths(net, None, 1, 0) is None
    assert cr.bias_paths(net, snap, 2, 1).total == pytest.approx(snap.delta[1][0, 1], abs=TOL)


def test_a_removed_connection_is_no_path():
    st, net = custom([2, 3, 2], ["tanh", "sigmoid"], "mse", 1)
    net.layers[1].mask = np.ones((3, 2), dtype=bool)
    net.layers[1].mask[0, 1] = False
    snap = full_cycle(st)
    term = cr.bias_paths(net, snap, 1, 0)
    assert [p.edges for p in term.paths] == [((2, 0, 0),)]
    assert term.total == pytest.approx(snap.delta[0][0, 0], abs=TOL)
