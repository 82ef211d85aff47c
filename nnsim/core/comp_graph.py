"""The computational graph of one sample's pass, as micrograd draws it:
scalar nodes, each an operation on its inputs, from the leaves (inputs x,
weights w, biases b, targets y) to the loss L.

Per neuron: one multiply node per connection (a_i · w_ij), a sum node adding
the products and the bias (z_j), the activation node (a_j). Then one loss term
per output ((y − a)², or the binary cross-entropy term), their mean over the t
outputs, and the mean over the n samples of the mini-batch, which gives L.
A softmax output is one node per output whose inputs are all of the layer's
z (its local derivatives are a row of the Jacobian); cross-entropy is one node
over all outputs (−Σ y ln a).

Numbers come from the stepper's Snapshot and fill in by phase: a layer's
values once its forward step ran, the loss once the loss step ran, gradients
as the backward steps reach them (the output activations' and the loss
nodes' with the first backward step, a hidden layer's activations with the
backward step of the layer above, the rest of a layer with its own).

Each node's ``grad`` is ∂L/∂node for this sample. A parameter is shared by
all samples of the mini-batch: its leaf's ``grad`` is the batch's dL/dw (the
canvas's number) and ``sample_grad`` this sample's share.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import activations as act
from . import losses
from .naming import neuron_name, weight_name
from .network import Network

MAX_WHOLE_PARAMETERS = 30  # the whole network's graph is offered up to this many

ACT_SYMBOLS = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky",
               "linear": "id", "softmax": "softmax"}
PARAMETER_OPS = frozenset({"weight", "bias"})


@dataclass(frozen=True)
class Node:
    id: str
    op: str  # leaves: input target weight bias; ops: mul add act softmax sq_err bce ce mean batch_mean
    label: str  # what it is: "x1", "w(x1 → h1)", "z(h1)", "a(out1)", "L"
    symbol: str  # the operation drawn in its circle: "×", "+", "σ", "(y−a)²" ("" for leaves)
    inputs: tuple[str, ...] = ()
    value: float | None = None
    grad: float | None = None  # ∂L/∂node (a parameter: the batch's)
    sample_grad: float | None = None  # a parameter: this sample's share
    local: tuple | None = None  # ∂node/∂input per input (None: a constant input)
    local_text: str = ""  # the local derivative's formula
    ref: tuple | None = None  # ("edge", layer, i, j) or ("neuron", layer, j)

    @property
    def is_leaf(self) -> bool:
        return not self.inputs  # a true leaf, or an operation outside a neuron's graph


@dataclass(frozen=True)
class CompGraph:
    nodes: tuple[Node, ...]  # every input of a node comes before it, or is not in the graph
    scope: str  # "network" | "neuron"
    sample: int  # position in the mini-batch
    batch_size: int
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._index.update({n.id: n for n in self.nodes})

    def node(self, node_id: str) -> Node:
        return self._index[node_id]

    def __contains__(self, node_id: str) -> bool:
        return node_id in self._index

    def by_label(self, label: str) -> Node:
        return next(n for n in self.nodes if n.label == label)

    def nodes_for(self, ref: tuple) -> list[Node]:
        """The nodes that are the canvas item ``ref``: an edge's weight and
        product, a neuron's bias, sum and activation (an input: its x)."""
        return [n for n in self.nodes if n.ref == ref]

    def columns(self) -> dict[str, int]:
        """A left-to-right rank per node: an operation one right of its
        furthest input, a leaf just left of its first consumer."""
        col: dict[str, int] = {}
        for n in self.nodes:
            if not n.is_leaf:
                col[n.id] = 1 + max((col.get(i, 0) for i in n.inputs), default=0)
        consumers: dict[str, list[int]] = {}
        for n in self.nodes:
            if not n.is_leaf:
                for i in n.inputs:
                    consumers.setdefault(i, []).append(col[n.id])
        for n in self.nodes:
            if n.is_leaf:
                col[n.id] = min(consumers.get(n.id, [1])) - 1
        lo = min(col.values(), default=0)
        return {k: v - lo for k, v in col.items()}


def offers_whole_network(network: Network) -> bool:
    return network.n_parameters <= MAX_WHOLE_PARAMETERS


# -- node ids ------------------------------------------------------------------------------
def _a(k: int, j: int) -> str:
    """The node of neuron j's activation in layer k (0: the input x_j)."""
    return f"x{j}" if k == 0 else f"a{k}_{j}"


def _w(k, i, j): return f"w{k}_{i}_{j}"
def _m(k, i, j): return f"m{k}_{i}_{j}"
def _b(k, j): return f"b{k}_{j}"
def _z(k, j): return f"z{k}_{j}"


class _Builder:
    """Reads one sample of a snapshot (None: nothing computed yet)."""

    def __init__(self, network: Network, snap, s: int):
        self.net, self.snap, self.s = network, snap, s
        self.sizes = network.sizes
        self.L = len(network.layers)
        self.n = 1 if snap is None else snap.X.shape[0]
        if not 0 <= s < self.n:
            raise ValueError(f"sample {s} is not in the mini-batch of {self.n}")
        self.nodes: list[Node] = []
        self._grad_a: dict = {}

    # what has been computed
    def W(self, k):
        layer = self.net.layers[k - 1]
        W = layer.W if self.snap is None else self.snap.weights_before[k - 1][0]
        return W if layer.mask is None else np.where(layer.mask, W, 0.0)

    def bias(self, k):
        return self.net.layers[k - 1].b if self.snap is None else self.snap.weights_before[k - 1][1]

    def present(self, k, i, j) -> bool:
        mask = self.net.layers[k - 1].mask
        return mask is None or bool(mask[i, j])

    def a(self, k):
        """Activations of layer k for this sample (k = 0: the inputs), or None."""
        if self.snap is None or self.snap.a[k] is None:
            return None
        return self.snap.a[k][self.s]

    def z(self, k):
        return None if self.snap is None or self.snap.z[k - 1] is None else self.snap.z[k - 1][self.s]

    def delta(self, k):
        """dL/dz of layer k, this sample (None before backward layer k)."""
        if self.snap is None or self.snap.delta[k - 1] is None:
            return None
        return self.snap.delta[k - 1][self.s]

    def grad_a(self, k):
        """dL/da of layer k, this sample: the output's from the loss once the
        backward pass began; a lower layer's once the layer above went back."""
        if k not in self._grad_a:
            self._grad_a[k] = self._compute_grad_a(k)
        return self._grad_a[k]

    def _compute_grad_a(self, k):
        snap = self.snap
        if snap is None:
            return None
        if k == self.L:
            if snap.delta[k - 1] is None:
                return None
            return losses.get(self.net.loss).grad_a(snap.a[k], snap.Y)[self.s]
        d = self.delta(k + 1)
        return None if d is None else d @ self.W(k + 1).T

    def add(self, node: Node) -> None:
        self.nodes.append(node)

    # the graph
    def layer(self, k: int) -> None:
        """Layer k's nodes: every neuron's sum first (a softmax takes them all)."""
        for j in range(self.sizes[k]):
            self.weighted_sum(k, j)
        for j in range(self.sizes[k]):
            self.activation(k, j)

    def weighted_sum(self, k: int, j: int) -> None:
        sizes, name = self.sizes, neuron_name(self.sizes, k, j)
        a_prev, W, d = self.a(k - 1), self.W(k), self.delta(k)
        terms = []
        for i in range(sizes[k - 1]):
            if not self.present(k, i, j):
                continue
            ref = ("edge", k, i, j)
            w = float(W[i, j])
            share = None if d is None or a_prev is None else float(a_prev[i] * d[j])
            total = None if d is None else float(self.snap.dW[k - 1][i, j])
            self.add(Node(_w(k, i, j), "weight", weight_name(sizes, k, i, j), "", (),
                          w, total, share, ref=ref))
            ai = None if a_prev is None else float(a_prev[i])
            fwd = self.z(k) is not None
            self.add(Node(_m(k, i, j), "mul", f"{neuron_name(sizes, k - 1, i)}·w", "×",
                          (_a(k - 1, i), _w(k, i, j)),
                          ai * w if fwd and ai is not None else None,
                          None if d is None else float(d[j]),
                          None if d is None else float(d[j]),
                          (w, ai) if fwd else None, "∂/∂a = w,  ∂/∂w = a", ref))
            terms.append(_m(k, i, j))
        nref = ("neuron", k, j)
        share = None if d is None else float(d[j])
        total = None if d is None else float(self.snap.db[k - 1][j])
        self.add(Node(_b(k, j), "bias", f"b({name})", "", (), float(self.bias(k)[j]),
                      total, share, ref=nref))
        z = self.z(k)
        self.add(Node(_z(k, j), "add", f"z({name})", "+", tuple(terms) + (_b(k, j),),
                      None if z is None else float(z[j]), share, share,
                      (1.0,) * (len(terms) + 1) if z is not None else None, "1 for each input",
                      nref))

    def activation(self, k: int, j: int) -> None:
        name, nref = neuron_name(self.sizes, k, j), ("neuron", k, j)
        layer, sizes, z = self.net.layers[k - 1], self.sizes, self.z(k)
        a, ga = self.a(k), self.grad_a(k)
        value = None if a is None else float(a[j])
        grad = None if ga is None else float(ga[j])
        if layer.activation == "softmax":
            units = sizes[k]
            local = None if a is None else tuple(
                float(a[j] * ((1.0 if m == j else 0.0) - a[m])) for m in range(units))
            self.add(Node(_a(k, j), "softmax", f"a({name})", "softmax",
                          tuple(_z(k, m) for m in range(units)), value, grad, grad, local,
                          "∂a_j/∂z_k = a_j(1[j=k] − a_k)", nref))
        else:
            f = act.get(layer.activation)
            local = None if a is None else (float(f.derivative(z[j:j + 1], a[j:j + 1])[0]),)
            self.add(Node(_a(k, j), "act", f"a({name})", ACT_SYMBOLS[layer.activation],
                          (_z(k, j),), value, grad, grad, local,
                          f"da/dz = {f.derivative_formula}", nref))

    def inputs(self) -> None:
        x, g = self.a(0), self.grad_a(0)
        for i in range(self.sizes[0]):
            self.add(Node(_a(0, i), "input", neuron_name(self.sizes, 0, i), "", (),
                          None if x is None else float(x[i]),
                          None if g is None else float(g[i]),
                          None if g is None else float(g[i]), ref=("neuron", 0, i)))

    def loss(self) -> None:
        snap, k, t = self.snap, self.L, self.sizes[-1]
        name = self.net.loss
        y = None if snap is None else snap.Y[self.s]
        computed = snap is not None and snap.loss is not None
        back = snap is not None and snap.delta[k - 1] is not None
        n = self.n
        for j in range(t):
            self.add(Node(f"y{j}", "target", f"y{j + 1}", "", (),
                          None if y is None else float(y[j])))
        dLda = losses.get(name).grad_a(snap.a[k], snap.Y)[self.s] if back else None
        if name == "cross_entropy":
            value = float(np.sum(snap.loss_shares[self.s]) * n) if computed else None
            local = tuple(float(g * n) for g in dLda) if back else None
            self.add(Node("ce", "ce", "sample loss", "−Σ y ln a",
                          tuple(_a(k, j) for j in range(t)) + tuple(f"y{j}" for j in range(t)),
                          value, 1.0 / n if back else None, 1.0 / n if back else None,
                          None if local is None else local + (None,) * t,
                          "∂/∂a_j = −y_j / a_j", None))
            sample_loss = "ce"
        else:
            op, symbol, text = (("sq_err", "(y−a)²", "∂/∂a = 2(a − y)") if name == "mse" else
                                ("bce", "−[y ln a + (1−y) ln(1−a)]",
                                 "∂/∂a = (a − y) / (a(1 − a))"))
            for j in range(t):
                oname = neuron_name(self.sizes, k, j)
                self.add(Node(f"t{j}", op, f"loss({oname})", symbol, (_a(k, j), f"y{j}"),
                              float(snap.loss_shares[self.s, j] * n * t) if computed else None,
                              1.0 / (n * t) if back else None, 1.0 / (n * t) if back else None,
                              (float(dLda[j] * n * t), None) if back else None, text,
                              ("neuron", k, j)))
            self.add(Node("mean", "mean", "sample loss", f"1/{t} Σ" if t > 1 else "1/1 Σ",
                          tuple(f"t{j}" for j in range(t)),
                          float(np.sum(snap.loss_shares[self.s]) * n) if computed else None,
                          1.0 / n if back else None, 1.0 / n if back else None,
                          (1.0 / t,) * t if computed else None, f"1/t = 1/{t}", None))
            sample_loss = "mean"
        self.add(Node("L", "batch_mean", "L", f"1/{n} Σ", (sample_loss,),
                      snap.loss if computed else None, 1.0 if back else None,
                      1.0 if back else None, (1.0 / n,) if computed else None,
                      f"1/n = 1/{n}: the mean over the mini-batch's samples", None))


def network_graph(network: Network, snapshot=None, sample: int = 0) -> CompGraph:
    """The whole network and its loss for sample ``sample`` of the mini-batch."""
    b = _Builder(network, snapshot, sample)
    b.inputs()
    for k in range(1, b.L + 1):
        b.layer(k)
    b.loss()
    return CompGraph(tuple(b.nodes), "network", sample, b.n)


def neuron_graph(network: Network, snapshot, layer: int, neuron: int,
                 sample: int = 0) -> CompGraph:
    """One neuron of ``layer`` (>= 1): its inputs and weights, the products,
    the sum with the bias and the activation. The previous layer's
    activations (and, for a softmax, the layer's other z) are its leaves."""
    if not 1 <= layer < len(network.sizes):
        raise ValueError(f"layer {layer} has no operations (choose 1 to {len(network.sizes) - 1})")
    if not 0 <= neuron < network.sizes[layer]:
        raise ValueError(f"layer {layer} has no neuron {neuron}")
    b = _Builder(network, snapshot, sample)
    # only what the neuron needs (a big network's neuron costs its fan-in)
    if layer == 1:
        b.inputs()
    else:
        for i in range(b.sizes[layer - 1]):
            b.activation(layer - 1, i)
    softmax = network.layers[layer - 1].activation == "softmax"
    for j in (range(b.sizes[layer]) if softmax else (neuron,)):
        b.weighted_sum(layer, j)
    b.activation(layer, neuron)
    whole = {n.id: n for n in b.nodes}
    own = {_z(layer, neuron), _a(layer, neuron), _b(layer, neuron)}
    own |= {f(layer, i, neuron) for i in range(b.sizes[layer - 1]) for f in (_w, _m)}
    outer = set()
    for node_id in own & whole.keys():
        outer |= set(whole[node_id].inputs)
    keep = (own | outer) & whole.keys()
    nodes = []
    for n in b.nodes:
        if n.id not in keep:
            continue
        if n.id not in own:  # an operation elsewhere, a leaf here
            n = Node(n.id, n.op, n.label, "", (), n.value, n.grad, n.sample_grad,
                     None, n.local_text, n.ref)
        nodes.append(n)
    return CompGraph(tuple(nodes), "neuron", sample, b.n)


__all__ = ["CompGraph", "MAX_WHOLE_PARAMETERS", "Node", "network_graph", "neuron_graph",
           "offers_whole_network"]
