"""The computational graph: a reverse-mode pass over the graph's own local
derivatives gives the stepper's gradients, an evaluation of its own
operations gives the stepper's forward values, and nodes fill in by phase."""
import math

import numpy as np
import pytest

from nnsim.core.comp_graph import network_graph, neuron_graph, offers_whole_network
from nnsim.core.datasets import Dataset
from nnsim.core.network import Network
from nnsim.core.stepper import Stepper
from nnsim.core.training import TrainingConfig


def backprop(graph):
    """Generic reverse mode: a node's gradient is the sum over its consumers
    of the consumer's gradient times its local derivative for that input."""
    grads = {"L": 1.0}
    for node in reversed(graph.nodes):
        g = grads.get(node.id, 0.0)
        for inp, local in zip(node.inputs, node.local or ()):
            if local is not None:
                grads[inp] = grads.get(inp, 0.0) + g * local
    return grads


def evaluate(graph):
    """Each operation's value from its inputs' values, by its own definition."""
    v = {}
    for n in graph.nodes:
        xs = [v[i] for i in n.inputs]
        if n.is_leaf:
            v[n.id] = n.value
        elif n.op == "mul":
            v[n.id] = xs[0] * xs[1]
        elif n.op == "add":
            v[n.id] = sum(xs)
        elif n.op == "act":
            z = xs[0]
            v[n.id] = {"σ": 1 / (1 + math.exp(-z)), "tanh": math.tanh(z),
                       "ReLU": max(z, 0.0), "id": z}[n.symbol]
        elif n.op == "softmax":
            j = int(n.id.split("_")[1])
            e = np.exp(np.array(xs) - max(xs))
            v[n.id] = float(e[j] / e.sum())
        elif n.op == "sq_err":
            v[n.id] = (xs[1] - xs[0]) ** 2
        elif n.op == "bce":
            a, y = xs
            v[n.id] = -(y * math.log(a) + (1 - y) * math.log(1 - a))
        elif n.op == "ce":
            t = len(xs) // 2
            v[n.id] = -sum(y * math.log(a) for a, y in zip(xs[:t], xs[t:]))
        elif n.op == "mean":
            v[n.id] = sum(xs) / len(xs)
        elif n.op == "batch_mean":
            v[n.id] = xs[0] / graph.batch_size  # this sample's part of L
    return v


def make(units, acts, loss, n_in=2, batch=1, mask=None, seed=3):
    rng = np.random.default_rng(seed)
    net = Network.build(n_in, units, acts, loss=loss, rng=rng)
    for layer in net.layers:
        layer.b = rng.normal(size=layer.b.shape)
    if mask is not None:
        k, i, j = mask
        net.layers[k - 1].mask = np.ones_like(net.layers[k - 1].W, dtype=bool)
        net.layers[k - 1].mask[i, j] = False
    X = rng.normal(size=(6, n_in))
    t = units[-1]
    if loss == "cross_entropy":
        Y = np.eye(t)[rng.integers(0, t, size=6)]
    else:
        Y = rng.integers(0, 2, size=(6, t)).astype(float)
    data = Dataset(X, Y, X, Y, "binary" if t == 1 else "multiclass", "imported",
                   [f"x{i + 1}" for i in range(n_in)], [f"y{j + 1}" for j in range(t)])
    cfg = TrainingConfig(learning_rate=0.1, batch_size=batch, shuffle=False)
    return net, Stepper(net.copy(), cfg, data), X, Y


CASES = [
    ([2, 2], ["sigmoid", "sigmoid"], "mse", None),
    ([3, 1], ["tanh", "sigmoid"], "bce", None),
    ([2, 3], ["relu", "softmax"], "cross_entropy", None),
    ([2, 2, 1], ["tanh", "relu", "linear"], "mse", None),
    ([3, 2, 2], ["sigmoid", "tanh", "sigmoid"], "bce", (2, 1, 0)),
    ([2, 3], ["linear", "softmax"], "mse", (1, 0, 1)),
    ([2, 3], ["tanh", "sigmoid"], "cross_entropy", None),
]


def full_pass(stepper):
    return [stepper.micro_step() for _ in stepper.plan[:-1]]


@pytest.mark.parametrize("units,acts,loss,mask", CASES)
@pytest.mark.parametrize("batch", [1, 3])
def test_reverse_mode_over_the_graph_gives_the_stepper_gradients(units, acts, loss, mask, batch):
    net, st, X, Y = make(units, acts, loss, batch=batch, mask=mask)
    snap = full_pass(st)[-1]
    reference = net.gradients(X[:batch], Y[:batch])
    sums = {}
    for s in range(batch):
        graph = network_graph(net, snap, sample=s)
        for node_id, g in backprop(graph).items():
            sums[node_id] = sums.get(node_id, 0.0) + g
        values = evaluate(graph)
        for node in graph.nodes:  # each op's value is its inputs' by its definition
            if node.op not in ("batch_mean",) and not node.is_leaf:
                assert values[node.id] == pytest.approx(node.value, rel=1e-9, abs=1e-12), node.label
        for k, layer in enumerate(net.layers, start=1):
            for j in range(layer.units):
                assert graph.node(f"z{k}_{j}").value == pytest.approx(snap.z[k - 1][s, j], rel=1e-12)
                assert graph.node(f"a{k}_{j}").value == pytest.approx(snap.a[k][s, j], rel=1e-12)
        sample_loss = values["mean" if "mean" in graph else "ce"]
        assert sample_loss == pytest.approx(graph.node("L").inputs and
                                            graph.node(graph.node("L").inputs[0]).value, rel=1e-9)
        assert graph.node("L").value == pytest.approx(snap.loss, rel=1e-12)
    # over the mini-batch, the samples' losses average to L
    assert sum(evaluate(network_graph(net, snap, s))["L"] for s in range(batch)) == \
        pytest.approx(snap.loss, rel=1e-9)
    for k, layer in enumerate(net.layers, start=1):
        for i in range(layer.n_in):
            for j in range(layer.units):
                w_id = f"w{k}_{i}_{j}"
                if layer.mask is not None and not layer.mask[i, j]:
                    assert w_id not in graph and snap.dW[k - 1][i, j] == 0
                    continue
                assert sums[w_id] == pytest.approx(snap.dW[k - 1][i, j], rel=1e-9, abs=1e-14)
                assert sums[w_id] == pytest.approx(reference.dWs[k - 1][i, j], rel=1e-9, abs=1e-14)
                assert graph.node(w_id).grad == snap.dW[k - 1][i, j]  # what the leaf shows
            assert sums[f"b{k}_{j}"] == pytest.approx(snap.db[k - 1][j], rel=1e-9, abs=1e-14)


@pytest.mark.parametrize("units,acts,loss,mask", CASES)
def test_every_node_shows_the_gradient_reverse_mode_gives_it(units, acts, loss, mask):
    net, st, X, Y = make(units, acts, loss, mask=mask)
    graph = network_graph(net, full_pass(st)[-1])
    grads = backprop(graph)
    for node in graph.nodes:
        if node.op != "target":
            assert node.sample_grad == pytest.approx(grads[node.id], rel=1e-9, abs=1e-14), node.label


def test_nodes_fill_in_by_phase():
    net, st, X, Y = make([2, 2], ["sigmoid", "sigmoid"], "mse")
    empty = network_graph(net, None)
    assert empty.node("w1_0_0").value == net.layers[0].W[0, 0]  # parameters are known
    assert all(n.value is None for n in empty.nodes if n.op in ("input", "mul", "add", "act"))
    snaps = full_pass(st)  # forward 1, forward 2, loss, backward 2, backward 1
    g = network_graph(net, snaps[0])
    assert g.node("z1_0").value is not None and g.node("a1_1").value is not None
    assert g.node("m2_0_0").value is None and g.node("z2_0").value is None
    assert g.node("L").value is None
    g = network_graph(net, snaps[2])
    assert g.node("L").value == snaps[2].loss and g.node("L").grad is None
    g = network_graph(net, snaps[3])  # backward layer 2
    assert g.node("L").grad == 1.0 and g.node("a2_0").grad is not None
    assert g.node("w2_1_0").grad == snaps[3].dW[1][1, 0]
    assert g.node("a1_0").grad is not None  # dL/da of the layer below: backward 2 gave it
    assert g.node("z1_0").grad is None and g.node("w1_0_0").grad is None
    g = network_graph(net, snaps[4])
    assert g.node("w1_0_0").grad == snaps[4].dW[0][0, 0]


def test_neuron_graph_is_the_neurons_part_with_its_inputs_as_leaves():
    net, st, X, Y = make([2, 3], ["tanh", "softmax"], "cross_entropy", mask=(2, 0, 1))
    snap = full_pass(st)[-1]
    g = neuron_graph(net, snap, 2, 1)
    labels = {n.label for n in g.nodes}
    assert labels == {"a(h2)", "w(h2 → out2)", "h2·w", "b(out2)", "z(out1)",
                      "z(out2)", "z(out3)", "a(out2)"}  # h1 → out2 is removed
    assert all(g.node(i).is_leaf for i in ("a1_1", "z2_0", "z2_2"))
    whole = network_graph(net, snap)
    for n in g.nodes:  # the same numbers as in the whole graph
        assert (n.value, n.grad) == (whole.node(n.id).value, whole.node(n.id).grad)
    assert [n.label for n in g.nodes_for(("edge", 2, 1, 1))] == ["w(h2 → out2)", "h2·w"]
    with pytest.raises(ValueError):
        neuron_graph(net, snap, 0, 0)


def test_whole_network_is_offered_up_to_30_parameters():
    small, *_ = make([2, 2], ["sigmoid", "sigmoid"], "mse")
    big, *_ = make([6, 2], ["sigmoid", "sigmoid"], "mse")  # 18 + 14 = 32 parameters
    assert offers_whole_network(small) and not offers_whole_network(big)
