"""The chain rule written out with the live numbers of one training cycle.

Everything here is computed from a stepper :class:`~nnsim.core.stepper.Snapshot`
and the network it belongs to, and returned as small frozen dataclasses that a
view (the inspector, the CLI) turns into text. The totals are the snapshot's
own numbers (``dW``, ``db``, ``delta``) re-derived factor by factor, so what a
learner reads adds up to what the canvas shows.

Layer numbers are the canvas's: 0 is the input layer, layer ``k >= 1`` is
``network.layers[k - 1]``; neurons are 0-based. ``W[i, j]`` of layer k is the
connection from neuron i of layer k-1 into neuron j of layer k.

* :func:`explain_weight` -- dL/dw for one weight: for an output-layer weight
  the lecture's three factors dL/da * da/dz * dz/dw; for a hidden weight the
  sum over every path from the weight to the loss (grouped by the next
  layer's deltas when there are too many paths); per sample of the mini-batch
  and summed; then the update w := w - eta * dL/dw.
* :func:`explain_bias` -- dL/db = delta (* 1), summed over the batch.
* :func:`explain_neuron` -- z = sum_i w_ij a_i + b_j, a = f(z) and
  delta = dL/dz, as far as the cycle has computed them.

Symbols are plain Unicode strings such as ``∂L/∂a(out1)``; neuron names come
from :func:`neuron_name` (x1.. inputs, h1.. hidden, out1.. outputs) unless the
caller passes its own ``namer`` with the same signature.

The texts are for reading; what a view needs to lay the results out is data:
a :class:`Factor`'s ``kind`` (:class:`FactorKind`), ``neuron`` (layer, index)
and ``edge`` (layer, i, j); a :class:`Path`'s ``neurons`` and ``edges`` from
the parameter to the loss; an :class:`Explanation`'s ``parameter_id`` and
neuron names; a :class:`Quantity`'s ``kind``, ``neuron`` and ``short_symbol``;
a :class:`Term`'s ``edge``; an :class:`Update`'s ``arithmetic`` and
``parameter_id``. Views never parse the texts back.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Callable

import numpy as np

from . import activations as act
from . import losses as lossmod
from .naming import fmt, fmt_operand, fmt_setting, neuron_name
from .network import Network
from .stepper import MicroStep, Snapshot

# More paths than this (per sample) are grouped by the next layer's neurons.
MAX_PATHS = 24
# Per-sample breakdowns listed for a mini-batch (the total covers all samples).
MAX_SAMPLES = 8
# Terms of z = sum w a + b written out before "…".
MAX_TERMS = 10

MINUS = "\u2212"
DOT = "\u00b7"
ARROW = "\u2192"

Namer = Callable[[list, int, int], str]


# Names and numbers come from nnsim.core.naming: the same as on the canvas.

# -- the result types -----------------------------------------------------------

class FactorKind(StrEnum):
    """What a factor is (Factor.kind), for a view that lays factors out or
    colours them without reading their text."""

    DL_DA = "dL/da"  # the loss's slope at an output, or a hidden a's Σ δ·w
    DA_DZ = "da/dz"  # the activation's derivative at one neuron
    FUSED = "fused"  # ∂L/∂z of an output as one factor (softmax/sigmoid with their loss)
    DELTA = "delta"  # δ = ∂L/∂z of a neuron, already summed by the backward pass
    WEIGHT = "dz/da_prev"  # a weight on a path: ∂z_j/∂a_i = w_ij
    INPUT = "dz/dw"  # the input a weight multiplies: ∂z_j/∂w_ij = a_i (x_i on layer 1)
    ONE = "dz/db"  # ∂z/∂b = 1
    ACTIVATION = "a"  # a forward value the backward step will use (pending explanations)
    TARGET = "y"  # the target the backward step will use (pending explanations)

NeuronId = tuple[int, int]  # (layer, index): layer 0 = inputs, as on the canvas
EdgeId = tuple[int, int, int]  # (layer, i, j): W[i, j] of layer, from i of layer-1 into j
ParameterId = tuple[str, int, int | None, int]  # ("weight", k, i, j) or ("bias", k, None, j)


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product."""

    symbol: str  # what it is, e.g. "∂L/∂a(out1)"
    formula: str  # how it is computed, in symbols: "2/(n·t)·(a(out1) − y(out1))"
    numbers: str  # the formula with the numbers filled in ("" if it adds nothing)
    value: float
    note: str = ""  # one sentence when the factor needs it
    kind: FactorKind | None = None
    neuron: NeuronId | None = None  # the neuron whose quantity it is (None for a weight)
    edge: EdgeId | None = None  # the connection it is (WEIGHT) or multiplies (INPUT)

    @property
    def key(self) -> tuple:
        """The same factor on two paths has the same key (it is one number)."""
        return (self.kind, self.neuron, self.edge)


@dataclass(frozen=True)
class Path:
    """One route from the parameter to the loss (or a group of routes)."""

    route: tuple[str, ...]  # neuron names from the parameter towards the loss
    factors: tuple[Factor, ...]  # in the lecture's order: from the loss back
    product: float
    grouped_paths: int = 1  # how many paths this row stands for (grouped mode)
    # The same route as data, from the parameter towards the loss: the neurons
    # it passes (a weight's source first; a bias starts at its own neuron) and
    # the connections between them (a weight's own first). A grouped row stops
    # at the next layer's neuron: its δ stands for the rest of the way.
    neurons: tuple[NeuronId, ...] = ()
    edges: tuple[EdgeId, ...] = ()
    grouped: bool = False  # a group of paths (see grouped_paths), not one path


@dataclass(frozen=True)
class SampleTerm:
    """One sample's contribution to a batch gradient."""

    position: int  # 0-based position in the mini-batch
    index: int  # the sample's index in the training set
    paths: tuple[Path, ...]
    total: float


@dataclass(frozen=True)
class Update:
    """The parameter's update after the backward pass."""

    symbol: str  # "w(h1 → out1)" or "b(out1)"
    old: float
    learning_rate: float
    gradient: float
    new: float
    applied: bool  # False: the Update step has not run yet (new is what it will give)
    optimizer: str
    formula: str  # "w := w − η·∂L/∂w"
    numbers: str  # "0.1234 − 0.5·0.0456 = 0.1006"
    note: str = ""
    frozen: bool = False  # a frozen bias: the update leaves it as it is (new == old)
    arithmetic: str = ""  # numbers without its result: "0.1234 − 0.5·0.0456"
    parameter_id: ParameterId | None = None  # which parameter, as data


@dataclass(frozen=True)
class PenaltyTerm:
    """The L1/L2 penalty's part of a weight's dL/dw (core/regularization.py)."""

    kind: str  # "l1" | "l2"
    title: str  # "L1" | "L2"
    rate: float  # λ
    weight: float  # w, as the forward pass used it
    value: float  # λ·w or λ·sign(w)
    formula: str  # "λ·w(x1 → h1)"
    numbers: str  # "0.01·0.15 = 0.0015"
    note: str
    arithmetic: str = ""  # the numbers without the result: "0.01·0.15"


@dataclass(frozen=True)
class Explanation:
    """dL/dw or dL/db of one parameter, for the cycle of a snapshot."""

    kind: str  # "weight" | "bias"
    title: str  # "weight h1 → out1"
    symbol: str  # "∂L/∂w(h1 → out1)"
    parameter: str  # "w(h1 → out1)"
    layer: int
    source: int | None  # i (None for a bias)
    target: int  # j
    value: float  # the parameter the forward pass used (start of the cycle)
    status: str  # "ready" | "pending" | "removed"
    message: str  # for "pending": which step computes it; for "removed": why 0
    rule: str  # the chain rule in symbols
    notes: tuple[str, ...]
    samples: tuple[SampleTerm, ...]  # at most MAX_SAMPLES listed
    n_samples: int  # samples in the batch (the total covers them all)
    n_paths: int  # paths from the parameter to the loss, per sample
    grouped: bool  # paths grouped by the next layer's neurons
    total: float | None  # the gradient; equals the snapshot's dW / db
    update: Update | None
    grouping_note: str = ""  # grouped mode: why and how the paths are grouped
    batch_note: str = ""  # a mini-batch: how the samples add up
    # "pending": what the cycle already knows that the backward step will
    # combine (first sample): forward values, and the next layer's δ
    known: tuple[Factor, ...] = ()
    source_name: str | None = None  # the weight's source neuron (None for a bias)
    target_name: str = ""  # the weight's target neuron, or the bias's neuron
    # with L1/L2 regularisation (a weight): total = data_total + penalty.value
    penalty: PenaltyTerm | None = None
    data_total: float | None = None  # the data loss's part: the sum over the paths

    @property
    def parameter_id(self) -> ParameterId:
        """("weight", layer, i, j) or ("bias", layer, None, j)."""
        return (self.kind, self.layer, self.source, self.target)


@dataclass(frozen=True)
class Term:
    """One product of a sum, e.g. w_x1→h1 · x1 in z_h1."""

    label: str  # in symbols, e.g. "w(x1 → h1)·x1"
    left: float
    right: float
    value: float
    edge: EdgeId | None = None  # the connection whose weight is one of the two


@dataclass(frozen=True)
class Quantity:
    """One of z, a, delta, loss share of a neuron for one sample."""

    symbol: str
    formula: str
    numbers: str
    value: float | None  # None: not computed yet
    message: str = ""  # for value None: which step computes it
    note: str = ""
    # the symbol alone, where ``symbol`` also defines it ("δ(h1)" of
    # "δ(h1) = ∂L/∂z(h1)"); "" means the same as symbol
    name: str = ""
    kind: str = ""  # "x" | "z" | "a" | "delta" | "loss_share"
    neuron: NeuronId | None = None

    @property
    def ready(self) -> bool:
        return self.value is not None

    @property
    def short_symbol(self) -> str:
        return self.name or self.symbol


@dataclass(frozen=True)
class NeuronExplanation:
    title: str  # "neuron h1 (hidden layer 1, sigmoid)"
    name: str
    layer: int
    neuron: int
    kind: str  # "input" | "hidden" | "output"
    activation: str | None
    sample_position: int
    sample_index: int | None
    n_samples: int
    status: str  # "ready" (something to show) | "idle" (no cycle) | "removed"
    message: str
    z: Quantity | None
    z_terms: tuple[Term, ...]  # every w·a term of z (the formula lists the first MAX_TERMS)
    bias: float | None
    a: Quantity | None
    delta: Quantity | None
    delta_terms: tuple[Term, ...]  # hidden: δ_m · w_jm for each next-layer neuron m
    delta_factors: tuple[Factor, ...]  # δ as a product: ∂L/∂a · ∂a/∂z (or one fused factor)
    loss_share: Quantity | None  # output layer after the loss step: this sample's share
    loss_share_batch: float | None  # this neuron's share summed over the batch


# -- helpers ----------------------------------------------------------------------

class _Ctx:
    """Names and symbols for one network."""

    def __init__(self, network: Network, namer: Namer | None):
        self.net = network
        self.sizes = list(network.sizes)
        self.L = len(network.layers)
        self._namer = namer or neuron_name

    def name(self, k: int, j: int) -> str:
        return self._namer(self.sizes, k, j)

    def a(self, k: int, j: int) -> str:
        """The symbol of neuron j's output; inputs are just x1, x2, ..."""
        return self.name(k, j) if k == 0 else f"a({self.name(k, j)})"

    def z(self, k: int, j: int) -> str:
        return f"z({self.name(k, j)})"

    def y(self, j: int) -> str:
        return f"y({self.name(self.L, j)})"

    def w(self, k: int, i: int, j: int) -> str:
        return f"w({self.name(k - 1, i)} {ARROW} {self.name(k, j)})"

    def b(self, k: int, j: int) -> str:
        return f"b({self.name(k, j)})"

    def delta(self, k: int, j: int) -> str:
        return f"\u03b4({self.name(k, j)})"

    def connected(self, k: int, i: int, j: int) -> bool:
        mask = self.net.layers[k - 1].mask
        return mask is None or bool(mask[i, j])


def _check_layer(net: Network, k: int, allow_input: bool = False) -> None:
    lo = 0 if allow_input else 1
    if not lo <= k <= len(net.layers):
        raise ValueError(f"there is no layer {k}")


def _check_snapshot(net: Network, snap: Snapshot | None) -> None:
    if snap is None:
        return
    shapes = [W.shape for W, _ in snap.weights_before]
    if shapes != [l.W.shape for l in net.layers]:
        raise ValueError("the snapshot belongs to a network of another shape")


def _steps_done(net: Network, snap: Snapshot | None) -> int:
    """How many micro-steps of the cycle have run (0 without a snapshot)."""
    if snap is None or snap.step is None:
        return 0
    return _plan(net).index(snap.step) + 1


def _plan(net: Network) -> list[MicroStep]:
    L = len(net.layers)
    return ([MicroStep("forward", k) for k in range(1, L + 1)] + [MicroStep("loss")]
            + [MicroStep("backward", k) for k in range(L, 0, -1)] + [MicroStep("update")])


def _pending(net: Network, snap: Snapshot | None, step: MicroStep, what: str) -> str:
    """'Backward layer 2 computes ∂L/∂w (the next step).'"""
    plan = _plan(net)
    ahead = plan.index(step) + 1 - _steps_done(net, snap)
    if snap is None:
        when = (f"step {plan.index(step) + 1} of the next cycle; Forward layer 1 "
                "starts one")
    elif ahead == 1:
        when = "the next step"
    else:
        when = f"{ahead} steps from now"
    return f"Not computed yet: {step.label} computes {what} ({when})."


def _n_t(snap: Snapshot) -> tuple[int, int]:
    return snap.Y.shape


def _derivative_factor(ctx: _Ctx, k: int, j: int, z: float, a: float) -> Factor:
    """da/dz of neuron j of layer k for one sample (elementwise activations)."""
    name = ctx.net.layers[k - 1].activation
    A = act.get(name)
    za = np.array([[z]]), np.array([[a]])
    value = float(A.derivative(*za)[0, 0])
    sa, sz = ctx.a(k, j), ctx.z(k, j)
    symbol = f"\u2202{sa}/\u2202{sz}"
    if name == "sigmoid":
        pa = fmt_operand(a)
        formula, numbers = f"{sa}{DOT}(1 {MINUS} {sa})", f"{pa}{DOT}(1 {MINUS} {pa})"
    elif name == "tanh":
        formula, numbers = f"1 {MINUS} {sa}\u00b2", f"1 {MINUS} {fmt_operand(a)}\u00b2"
    elif name in ("relu", "leaky_relu"):
        low = "0" if name == "relu" else f"{fmt_setting(act.LEAKY_SLOPE)}"
        formula = f"1 if {sz} > 0, else {low}"
        numbers = f"{sz} = {fmt(z)} {'>' if z > 0 else chr(0x2264)} 0"
    elif name == "linear":
        formula, numbers = "1", ""
    else:  # a future elementwise activation: its own formula text
        formula, numbers = A.derivative_formula, ""
    return Factor(symbol, formula, numbers, value, kind=FactorKind.DA_DZ, neuron=(k, j))


def _activation_quantity(ctx: _Ctx, k: int, j: int, z_row: np.ndarray, a: float) -> Quantity:
    name = ctx.net.layers[k - 1].activation
    sa, sz = ctx.a(k, j), ctx.z(k, j)
    z = float(z_row[j])
    if name == "sigmoid":
        formula = f"1/(1 + e^{MINUS}{sz})"
        numbers = f"1/(1 + e^{fmt_operand(-z)})"  # e^−z with −z worked out
    elif name == "tanh":
        formula, numbers = f"tanh({sz})", f"tanh({fmt(z)})"
    elif name == "relu":
        formula, numbers = f"max(0, {sz})", f"max(0, {fmt(z)})"
    elif name == "leaky_relu":
        formula = f"{sz} if {sz} > 0, else {fmt_setting(act.LEAKY_SLOPE)}{DOT}{sz}"
        numbers = fmt(z) if z > 0 else f"{fmt_setting(act.LEAKY_SLOPE)}{DOT}{fmt_operand(z)}"
    elif name == "linear":
        formula, numbers = sz, fmt(z)
    elif name == "softmax":
        n = len(z_row)
        formula = f"e^{sz} / \u03a3_k e^z_k"
        shown = (" + ".join(f"e^{fmt_operand(v)}" for v in z_row[:4])
                 + (" + \u2026" if n > 4 else ""))
        numbers = f"e^{fmt_operand(z)} / ({shown})"
    else:
        formula, numbers = act.get(name).formula, ""
    return Quantity(sa, formula, numbers, a, note=f"f = {name}", kind="a", neuron=(k, j))


def _output_factors(ctx: _Ctx, snap: Snapshot, s: int, m: int) -> tuple[list[Factor], str]:
    """The factors from the loss to z of output neuron m for sample s, in the
    lecture's order, and a note when the first two fuse into one."""
    L = ctx.L
    net = ctx.net
    loss = lossmod.get(net.loss)
    A = act.get(net.layers[-1].activation)
    a_all, Y, z_all = snap.a[L], snap.Y, snap.z[L - 1]
    n, t = _n_t(snap)
    a, y = float(a_all[s, m]), float(Y[s, m])
    sa, sz = ctx.a(L, m), ctx.z(L, m)
    ys = ctx.y(m)
    d_symbol = f"\u2202L/\u2202{sz}"
    if A.name == loss.fused_with:
        value = float(snap.delta[L - 1][s, m])
        if loss.name == "cross_entropy":
            row_sum = float(np.sum(Y[s]))
            if row_sum == 1.0:
                formula, numbers = f"({sa} {MINUS} {ys})/n", f"({fmt(a)} {MINUS} {fmt(y)})/{n}"
            else:
                formula = f"({sa}{DOT}\u03a3y {MINUS} {ys})/n"
                numbers = f"({fmt(a)}{DOT}{fmt_operand(row_sum)} {MINUS} {fmt(y)})/{n}"
            note = ("With softmax and cross-entropy the two first factors ∂L/∂a and "
                    "∂a/∂z are taken together: each output a depends on every z, and the "
                    "sum of those dependencies simplifies to (a − y)/n, the number used here.")
        else:  # bce with sigmoid
            formula, numbers = f"({sa} {MINUS} {ys})/(n{DOT}t)", \
                f"({fmt(a)} {MINUS} {fmt(y)})/({n}{DOT}{t})"
            note = ("With sigmoid and binary cross-entropy the two first factors are taken "
                    "together: ∂L/∂a = (a − y)/(a(1 − a))/(n·t) and ∂a/∂z = a(1 − a), so "
                    "a(1 − a) cancels and ∂L/∂z = (a − y)/(n·t).")
        return [Factor(d_symbol, formula, numbers, value, kind=FactorKind.FUSED,
                       neuron=(L, m))], note
    g_all = loss.grad_a(np.asarray(a_all), np.asarray(Y))
    g = float(g_all[s, m])
    g_factor = _loss_gradient_factor(ctx, loss.name, a, y, g, m, n, t)
    if A.elementwise:
        return [g_factor, _derivative_factor(ctx, L, m, float(z_all[s, m]), a)], ""
    # a softmax without cross-entropy: every a_k depends on z_m, so dL/dz_m sums
    # dL/da_k * da_k/dz_m over the outputs k (the softmax's Jacobian)
    value = float(snap.delta[L - 1][s, m])
    gs, avs = g_all[s], np.asarray(a_all)[s]
    g_k = "\u2202L/\u2202a_k"
    formula = (f"\u03a3_k {g_k}{DOT}\u2202a_k/\u2202{sz} = "
               f"{sa}{DOT}(\u2202L/\u2202{sa} {MINUS} \u03a3_k {g_k}{DOT}a_k)")
    terms = " + ".join(f"{fmt_operand(float(gk))}{DOT}{fmt_operand(float(ak))}"
                       for gk, ak in zip(gs[:4], avs[:4]))
    if len(gs) > 4:
        terms += " + \u2026"
    numbers = f"{fmt_operand(a)}{DOT}({fmt_operand(g)} {MINUS} ({terms}))"
    fused = Factor(d_symbol, formula, numbers, value, kind=FactorKind.FUSED, neuron=(L, m))
    return [fused], (
        "Softmax couples every output: a_k depends on every z, with ∂a_k/∂z_m = "
        "a_k·(1[k = m] − a_m). Summing ∂L/∂a_k·∂a_k/∂z_m over k gives "
        "a_m·(∂L/∂a_m − Σ_k ∂L/∂a_k·a_k), one factor here.")


def _loss_gradient_factor(ctx: _Ctx, loss: str, a: float, y: float, g: float, m: int,
                          n: int, t: int) -> Factor:
    """∂L/∂a of output m for one sample, when it is a factor of its own."""
    L = ctx.L
    sa, ys = ctx.a(L, m), ctx.y(m)
    symbol = f"\u2202L/\u2202{sa}"
    where = dict(kind=FactorKind.DL_DA, neuron=(L, m))
    if loss == "mse":
        return Factor(symbol, f"2/(n{DOT}t){DOT}({sa} {MINUS} {ys})",
                      f"2/({n}{DOT}{t}){DOT}({fmt(a)} {MINUS} {fmt(y)})", g,
                      note=f"n = {n} sample{'s' if n != 1 else ''} in the mini-batch, "
                           f"t = {t} output{'s' if t != 1 else ''}: the loss is a mean "
                           f"over both", **where)
    cut = "a is outside the range the logs allow: the loss is cut off there and " \
          "does not change with a, so ∂L/∂a = 0"
    if loss == "bce":
        formula = f"({sa} {MINUS} {ys})/({sa}{DOT}(1 {MINUS} {sa}))/(n{DOT}t)"
        inside = lossmod.EPS <= a <= 1.0 - lossmod.EPS
        pa = fmt_operand(a)
        numbers = (f"({fmt(a)} {MINUS} {fmt(y)})/({pa}{DOT}(1 {MINUS} {pa}))"
                   f"/({n}{DOT}{t})") if inside else "0"
        return Factor(symbol, formula, numbers, g, note="" if inside else cut, **where)
    # cross-entropy with an output other than softmax
    inside = lossmod.EPS <= a <= 1.0
    numbers = f"{MINUS}{fmt_operand(y)}/({n}{DOT}{fmt_operand(a)})" if inside else "0"
    return Factor(symbol, f"{MINUS}{ys}/(n{DOT}{sa})", numbers, g, note="" if inside else cut,
                  **where)


def _weight_factor(ctx: _Ctx, snap: Snapshot, k: int, i: int, j: int) -> Factor:
    """∂z_j/∂a_i = w_ij on a path (layer k's weight from i into j)."""
    w = float(snap.weights_before[k - 1][0][i, j])
    return Factor(f"\u2202{ctx.z(k, j)}/\u2202{ctx.a(k - 1, i)}", ctx.w(k, i, j), fmt(w), w,
                  kind=FactorKind.WEIGHT, edge=(k, i, j))


def _input_factor(ctx: _Ctx, snap: Snapshot, s: int, k: int, i: int, j: int,
                  bias: bool = False) -> Factor:
    """∂z_j/∂w_ij = a_i (or ∂z_j/∂b_j = 1)."""
    if bias:
        return Factor(f"\u2202{ctx.z(k, j)}/\u2202{ctx.b(k, j)}", "1", "", 1.0,
                      kind=FactorKind.ONE, neuron=(k, j))
    a = float(snap.a[k - 1][s, i])
    return Factor(f"\u2202{ctx.z(k, j)}/\u2202{ctx.w(k, i, j)}", ctx.a(k - 1, i), fmt(a), a,
                  kind=FactorKind.INPUT, neuron=(k - 1, i), edge=(k, i, j))


def _product(factors) -> float:
    p = 1.0
    for f in factors:
        p *= f.value
    return p


def _path_counts(ctx: _Ctx, k: int) -> list[int]:
    """How many paths lead from each neuron of layer k to the loss, over the
    existing connections (Python ints: no overflow however deep)."""
    counts = [1] * ctx.sizes[ctx.L]
    for l in range(ctx.L - 1, k - 1, -1):  # layer l's counts from layer l + 1's
        nxt = ctx.net.layers[l]  # the weights from layer l into layer l + 1
        mask = nxt.mask
        counts = [sum(c for q, c in enumerate(counts) if mask is None or mask[p, q])
                  for p in range(nxt.n_in)]
    return counts


def _enumerate_routes(ctx: _Ctx, k: int, j: int):
    """Every route (m_{k+1}, ..., m_L) from neuron j of layer k to the outputs."""
    def walk(l: int, p: int, prefix: tuple):
        if l == ctx.L:
            yield prefix
            return
        for q in range(ctx.sizes[l + 1]):
            if ctx.connected(l + 1, p, q):
                yield from walk(l + 1, q, prefix + (q,))
    yield from walk(k, j, ())


def _path_factors_above(ctx: _Ctx, snap: Snapshot, s: int, k: int, j: int,
                        route: tuple) -> tuple[list[Factor], str]:
    """Factors from the loss down to ∂a_j/∂z_j (excluded) along ``route``."""
    factors, note = _output_factors(ctx, snap, s, route[-1])
    # walk down from the output layer to layer k + 1
    for pos in range(len(route) - 1, -1, -1):
        layer = k + 1 + pos  # the layer of route[pos]
        below = route[pos - 1] if pos > 0 else j
        factors.append(_weight_factor(ctx, snap, layer, below, route[pos]))
        if layer - 1 > k:  # the neuron below is on the route: its da/dz
            factors.append(_derivative_factor(ctx, layer - 1, below,
                                              float(snap.z[layer - 2][s, below]),
                                              float(snap.a[layer - 1][s, below])))
    return factors, note


def _update(ctx: _Ctx, snap: Snapshot, k: int, i: int | None, j: int, gradient: float,
            optimizer: str) -> Update:
    W, b = snap.weights_before[k - 1]
    old = float(b[j] if i is None else W[i, j])
    sym = ctx.b(k, j) if i is None else ctx.w(k, i, j)
    lr = float(snap.learning_rate)
    applied = snap.weights_after is not None
    formula = f"{sym} := {sym} {MINUS} \u03b7{DOT}\u2202L/\u2202{sym}"
    note = ""
    parameter_id = ("bias", k, None, j) if i is None else ("weight", k, i, j)
    if i is None and not ctx.net.layers[k - 1].train_bias:
        return _frozen_bias_update(sym, old, lr, gradient, applied, optimizer, parameter_id)
    if applied:
        Wn, bn = snap.weights_after[k - 1]
        new = float(bn[j] if i is None else Wn[i, j])
    else:
        new = old - lr * gradient
    arithmetic = ""
    if optimizer == "sgd":
        arithmetic = f"{fmt(old)} {MINUS} {fmt_setting(lr)}{DOT}{fmt_operand(gradient)}"
        numbers = f"{arithmetic} = {fmt(new)}"
        if not applied:
            note = "The Update step will apply this."
    else:
        formula = f"{sym} := {sym} + \u0394{sym}"
        arithmetic = f"{fmt(old)} + {fmt_operand(new - old)}" if applied else ""
        numbers = f"{arithmetic} = {fmt(new)}" if applied else ""
        note = (f"The {optimizer} optimiser does not subtract η·g directly: it also uses "
                f"what it remembers from earlier updates"
                + ("." if applied else "; the Update step will show the result."))
        if not applied:
            new = float("nan")
    return Update(sym, old, lr, gradient, new, applied, optimizer, formula, numbers, note,
                  arithmetic=arithmetic, parameter_id=parameter_id)


def _frozen_bias_update(sym: str, old: float, lr: float, gradient: float, applied: bool,
                        optimizer: str, parameter_id: ParameterId) -> Update:
    """A frozen bias (``Layer.train_bias`` False): the gradient is real, the update skips it."""
    return Update(sym, old, lr, gradient, old, applied, optimizer,
                  formula=f"bias frozen: {sym} stays {fmt(old)}", numbers="",
                  note=(f"This layer's biases are frozen: training leaves {sym} at "
                        f"{fmt(old)}. ∂L/∂{sym} above is still the true derivative; "
                        "only the update skips it."),
                  frozen=True, parameter_id=parameter_id)


def _samples(snap: Snapshot) -> range:
    return range(snap.X.shape[0])


def _known(ctx: _Ctx, snap: Snapshot | None, k: int, i: int, j: int) -> tuple[Factor, ...]:
    """The ingredients of dL/dw that the cycle has computed so far (sample 0)."""
    if snap is None or snap.z[k - 1] is None:
        return ()
    L, s = ctx.L, 0
    out: list[Factor] = []
    if k < L and snap.delta[k] is not None:
        for m in range(ctx.sizes[k + 1]):
            if ctx.connected(k + 1, j, m):
                d = float(snap.delta[k][s, m])
                out.append(Factor(f"\u2202L/\u2202{ctx.z(k + 1, m)}", ctx.delta(k + 1, m),
                                  fmt(d), d, note=f"from Backward layer {k + 1}",
                                  kind=FactorKind.DELTA, neuron=(k + 1, m)))
                out.append(_weight_factor(ctx, snap, k + 1, j, m))
    elif k == L:
        a, y = float(snap.a[L][s, j]), float(snap.Y[s, j])
        out.append(Factor(ctx.a(L, j), "", "", a, note=f"from Forward layer {L}",
                          kind=FactorKind.ACTIVATION, neuron=(L, j)))
        out.append(Factor(ctx.y(j), "", "", y, note="the target", kind=FactorKind.TARGET,
                          neuron=(L, j)))
    if k < L:
        out.append(_derivative_factor(ctx, k, j, float(snap.z[k - 1][s, j]),
                                      float(snap.a[k][s, j])))
    out.append(_input_factor(ctx, snap, s, k, i, j))
    return tuple(out)


# -- weights ----------------------------------------------------------------------

def explain_weight(network: Network, snapshot: Snapshot | None, k: int, i: int, j: int, *,
                   max_paths: int = MAX_PATHS, max_samples: int = MAX_SAMPLES,
                   optimizer: str = "sgd", namer: Namer | None = None) -> Explanation:
    """dL/dw for ``W[i, j]`` of layer ``k`` (1-based non-input layer)."""
    net = network
    _check_layer(net, k)
    layer = net.layers[k - 1]
    if not (0 <= i < layer.n_in and 0 <= j < layer.units):
        raise ValueError(f"layer {k} has no weight {i}\u2192{j}")
    _check_snapshot(net, snapshot)
    ctx = _Ctx(net, namer)
    L = ctx.L
    sym = ctx.w(k, i, j)
    title = f"weight {ctx.name(k - 1, i)} {ARROW} {ctx.name(k, j)}"
    value = float(snapshot.weights_before[k - 1][0][i, j] if snapshot is not None
                  else layer.W[i, j])
    if k == L:
        rule = (f"\u2202L/\u2202{sym} = \u2202L/\u2202{ctx.a(k, j)} {DOT} "
                f"\u2202{ctx.a(k, j)}/\u2202{ctx.z(k, j)} {DOT} \u2202{ctx.z(k, j)}/\u2202{sym}")
    else:
        rule = (f"\u2202L/\u2202{sym} = the sum, over every path from {sym} to the loss, "
                f"of the product of the derivatives along that path")
    n = 0 if snapshot is None else snapshot.X.shape[0]
    common = dict(kind="weight", title=title, symbol=f"\u2202L/\u2202{sym}", parameter=sym,
                  layer=k, source=i, target=j, value=value, rule=rule, n_samples=n,
                  source_name=ctx.name(k - 1, i), target_name=ctx.name(k, j))
    if not ctx.connected(k, i, j):
        return Explanation(**common, status="removed",
                           message="This connection is removed: it carries no signal, so "
                                   "the loss does not depend on it and its gradient is 0. "
                                   "The weight is kept for when it is restored.",
                           notes=(), samples=(), n_paths=0, grouped=False, total=0.0,
                           update=None)
    n_paths = 1 if k == L else _path_counts(ctx, k)[j]
    # Grouping by the next layer's δ only helps when that layer is not the
    # output layer (there, each group would be a single path anyway).
    grouped = n_paths > max_paths and k + 1 < L
    if snapshot is None or snapshot.dW[k - 1] is None:
        return Explanation(**common, status="pending",
                           message=_pending(net, snapshot, MicroStep("backward", k),
                                            f"\u2202L/\u2202{sym}"),
                           notes=(), samples=(), n_paths=n_paths, grouped=grouped, total=None,
                           update=None, known=_known(ctx, snapshot, k, i, j))
    snap = snapshot
    notes: list[str] = []
    terms: list[SampleTerm] = []
    total = 0.0
    per_next = _path_counts(ctx, k + 1) if grouped else []
    for s in _samples(snap):
        if s >= max_samples:
            # Not listed: the sum over its paths is a_i·δ_j, which is what the
            # listed samples' paths add up to as well.
            total += float(snap.a[k - 1][s, i]) * float(snap.delta[k - 1][s, j])
            continue
        if k == L:
            factors, note = _output_factors(ctx, snap, s, j)
            factors.append(_input_factor(ctx, snap, s, k, i, j))
            paths = [Path((ctx.name(k - 1, i), ctx.name(k, j), "L"), tuple(factors),
                          _product(factors), neurons=((k - 1, i), (k, j)), edges=((k, i, j),))]
        else:
            f_j = _derivative_factor(ctx, k, j, float(snap.z[k - 1][s, j]),
                                     float(snap.a[k][s, j]))
            f_in = _input_factor(ctx, snap, s, k, i, j)
            paths, note = [], ""
            if grouped:
                for m in range(ctx.sizes[k + 1]):
                    if not ctx.connected(k + 1, j, m):
                        continue
                    d = float(snap.delta[k][s, m])
                    f_d = Factor(f"\u2202L/\u2202{ctx.z(k + 1, m)}", ctx.delta(k + 1, m), fmt(d),
                                 d, note=f"sums the {per_next[m]:,} paths from "
                                         f"{ctx.name(k + 1, m)} to the loss",
                                 kind=FactorKind.DELTA, neuron=(k + 1, m))
                    factors = [f_d, _weight_factor(ctx, snap, k + 1, j, m), f_j, f_in]
                    paths.append(Path((ctx.name(k - 1, i), ctx.name(k, j), ctx.name(k + 1, m),
                                       "\u2026", "L"), tuple(factors), _product(factors),
                                      per_next[m], neurons=((k - 1, i), (k, j), (k + 1, m)),
                                      edges=((k, i, j), (k + 1, j, m)), grouped=True))
            else:
                for route in _enumerate_routes(ctx, k, j):
                    above, note = _path_factors_above(ctx, snap, s, k, j, route)
                    factors = above + [f_j, f_in]
                    neurons = ((k - 1, i), (k, j)) + tuple(
                        (k + 1 + p, q) for p, q in enumerate(route))
                    edges = tuple((lo[0] + 1, lo[1], hi[1])
                                  for lo, hi in zip(neurons, neurons[1:]))
                    names = tuple(ctx.name(*n) for n in neurons) + ("L",)
                    paths.append(Path(names, tuple(factors), _product(factors),
                                      neurons=neurons, edges=edges))
        if note and note not in notes:
            notes.append(note)
        sample_total = math.fsum(p.product for p in paths)
        total += sample_total
        terms.append(SampleTerm(s, int(snap.sample_indices[s]), tuple(paths), sample_total))
    grouping_note = ""
    if grouped:
        grouping_note = (f"There are {n_paths:,} paths from {ctx.name(k, j)} to the loss, too "
                         f"many to list. They are grouped by the neuron of the next layer they "
                         f"pass through: δ = ∂L/∂z of that neuron already sums every path from "
                         f"it to the loss (that is what the backward pass computes).")
    if k < L and n_paths == 0:
        notes.insert(0, f"{ctx.name(k, j)} has no connection onward to the loss, so no path "
                        f"carries this weight's effect and the gradient is 0.")
    batch_note = ""
    if n > 1:
        batch_note = (f"The mini-batch has {n} samples; the gradient is the sum of their "
                      f"contributions (each already carries the 1/n of the averaged loss)."
                      + (f" The first {max_samples} are listed." if n > max_samples else ""))
    data_total, penalty = total, _penalty_term(snap, sym, value)
    if penalty is not None:
        total = data_total + penalty.value
        common["rule"] = f"{rule} + {penalty.formula} (the {penalty.title} penalty)"
    return Explanation(**common, status="ready", message="", notes=tuple(notes),
                       samples=tuple(terms), n_paths=n_paths, grouped=grouped, total=total,
                       update=_update(ctx, snap, k, i, j, total, optimizer),
                       grouping_note=grouping_note, batch_note=batch_note,
                       penalty=penalty, data_total=data_total)


def _penalty_term(snap: Snapshot, sym: str, w: float) -> PenaltyTerm | None:
    """The regularisation's term of dL/dw for the weight ``sym`` = ``w``."""
    p = snap.penalty
    if not p.active:
        return None
    value = p.term(w)
    lam = fmt_setting(p.rate)
    if p.kind == "l2":
        formula = f"\u03bb{DOT}{sym}"
        arithmetic = f"{lam}{DOT}{fmt_operand(w)}"
        note = (f"L2 regularisation adds \u03bb{DOT}\u00bd{DOT}\u03a3w\u00b2 to the loss, so "
                f"every weight is pulled towards 0 in proportion to its size.")
    else:
        sign = int(np.sign(w))
        formula = f"\u03bb{DOT}sign({sym})"
        arithmetic = f"{lam}{DOT}{sign}"
        note = ("L1 regularisation adds \u03bb\u00b7\u03a3|w| to the loss, so every weight "
                "is pulled towards 0 by the same amount, whatever its size"
                + (": |w| has no slope at w = 0, and sign(0) = 0 is used there, so this "
                   "weight feels no pull." if sign == 0 else "."))
    return PenaltyTerm(p.kind, p.title, p.rate, w, value, formula,
                       f"{arithmetic} = {fmt(value)}", note, arithmetic)


# -- biases -------------------------------------------------------------------------

def explain_bias(network: Network, snapshot: Snapshot | None, k: int, j: int, *,
                 max_samples: int = MAX_SAMPLES, optimizer: str = "sgd",
                 namer: Namer | None = None) -> Explanation:
    """dL/db_j = δ_j · 1 for neuron ``j`` of layer ``k``, summed over the batch."""
    net = network
    _check_layer(net, k)
    if not 0 <= j < net.layers[k - 1].units:
        raise ValueError(f"layer {k} has no neuron {j}")
    _check_snapshot(net, snapshot)
    ctx = _Ctx(net, namer)
    sym = ctx.b(k, j)
    value = float(snapshot.weights_before[k - 1][1][j] if snapshot is not None
                  else net.layers[k - 1].b[j])
    rule = (f"\u2202L/\u2202{sym} = \u2202L/\u2202{ctx.z(k, j)} {DOT} "
            f"\u2202{ctx.z(k, j)}/\u2202{sym} = {ctx.delta(k, j)} {DOT} 1")
    n = 0 if snapshot is None else snapshot.X.shape[0]
    common = dict(kind="bias", title=f"bias of {ctx.name(k, j)}", symbol=f"\u2202L/\u2202{sym}",
                  parameter=sym, layer=k, source=None, target=j, value=value, rule=rule,
                  n_samples=n, n_paths=1, grouped=False, target_name=ctx.name(k, j))
    if snapshot is None or snapshot.db[k - 1] is None:
        return Explanation(**common, status="pending",
                           message=_pending(net, snapshot, MicroStep("backward", k),
                                            f"\u2202L/\u2202{sym}"),
                           notes=(), samples=(), total=None, update=None)
    snap = snapshot
    terms, total = [], 0.0
    for s in _samples(snap):
        d = float(snap.delta[k - 1][s, j])
        factors = (Factor(f"\u2202L/\u2202{ctx.z(k, j)}", ctx.delta(k, j), fmt(d), d,
                          kind=FactorKind.DELTA, neuron=(k, j)),
                   _input_factor(ctx, snap, s, k, None, j, bias=True))
        product = _product(factors)
        total += product
        if s < max_samples:
            terms.append(SampleTerm(s, int(snap.sample_indices[s]),
                                    (Path((ctx.name(k, j), "L"), factors, product,
                                          neurons=((k, j),)),), product))
    notes = ("A bias adds 1·b to z, so ∂z/∂b = 1 and the gradient is the neuron's δ.",)
    batch_note = ""
    if n > 1:
        batch_note = (f"Summed over the {n} samples of the mini-batch."
                      + (f" The first {max_samples} are listed." if n > max_samples else ""))
    return Explanation(**common, status="ready", message="", notes=notes,
                       samples=tuple(terms), total=total,
                       update=_update(ctx, snap, k, None, j, total, optimizer),
                       batch_note=batch_note)


def bias_paths(network: Network, snapshot: Snapshot | None, k: int, j: int, *,
               sample: int = 0, namer: Namer | None = None) -> SampleTerm | None:
    """dL/db_j of one sample as a sum over its paths to the loss, one per
    next-layer neuron m that neuron j feeds: δ(m) · w(j → m) · ∂a_j/∂z_j · 1.
    δ(m) already sums every path from m onward (what the backward pass
    computes), so beyond the output layer's neighbours a row stands for a
    group of paths (``grouped``), as a weight's rows do in grouped mode. An
    output neuron's bias has one path, δ_j · 1. The rows add up to δ_j, the
    sample's share of dL/db. None before the backward pass has reached layer k."""
    net = network
    _check_layer(net, k)
    if not 0 <= j < net.layers[k - 1].units:
        raise ValueError(f"layer {k} has no neuron {j}")
    _check_snapshot(net, snapshot)
    if snapshot is None or snapshot.delta[k - 1] is None:
        return None
    snap, ctx = snapshot, _Ctx(net, namer)
    s = min(max(sample, 0), snap.X.shape[0] - 1)
    one = _input_factor(ctx, snap, s, k, None, j, bias=True)
    if k == ctx.L:
        d = float(snap.delta[k - 1][s, j])
        factors = (Factor(f"\u2202L/\u2202{ctx.z(k, j)}", ctx.delta(k, j), fmt(d), d,
                          kind=FactorKind.DELTA, neuron=(k, j)), one)
        paths = [Path((ctx.name(k, j), "L"), factors, _product(factors), neurons=((k, j),))]
    else:
        f_j = _derivative_factor(ctx, k, j, float(snap.z[k - 1][s, j]), float(snap.a[k][s, j]))
        onward = _path_counts(ctx, k + 1)
        last = k + 1 == ctx.L
        paths = []
        for m in range(ctx.sizes[k + 1]):
            if not ctx.connected(k + 1, j, m):
                continue
            d = float(snap.delta[k][s, m])
            f_d = Factor(f"\u2202L/\u2202{ctx.z(k + 1, m)}", ctx.delta(k + 1, m), fmt(d), d,
                         note="" if last else f"sums the {onward[m]:,} paths from "
                                              f"{ctx.name(k + 1, m)} to the loss",
                         kind=FactorKind.DELTA, neuron=(k + 1, m))
            factors = (f_d, _weight_factor(ctx, snap, k + 1, j, m), f_j, one)
            route = (ctx.name(k, j), ctx.name(k + 1, m)) + (("L",) if last else ("\u2026", "L"))
            paths.append(Path(route, factors, _product(factors), onward[m],
                              neurons=((k, j), (k + 1, m)), edges=((k + 1, j, m),),
                              grouped=not last))
    return SampleTerm(s, int(snap.sample_indices[s]), tuple(paths),
                      math.fsum(p.product for p in paths))


# -- neurons ------------------------------------------------------------------------

def _loss_share(ctx: _Ctx, snap: Snapshot, s: int, j: int) -> Quantity:
    L = ctx.L
    loss = lossmod.get(ctx.net.loss)
    n, t = _n_t(snap)
    a, y = float(snap.a[L][s, j]), float(snap.Y[s, j])
    sa, ys = ctx.a(L, j), ctx.y(j)
    share = float(snap.loss_shares[s, j])
    note = "this output's share of the loss L (the shares add up to L)"
    high = 1.0 - lossmod.EPS if loss.name == "bce" else 1.0
    if loss.name != "mse" and not lossmod.EPS <= a <= high:  # the logs take a clipped a
        clipped = min(max(a, lossmod.EPS), high)
        note += (f"; a = {fmt(a)} is outside the range of the logs, so the loss takes "
                 f"a = {fmt(clipped)}")
        a = clipped
    if loss.name == "mse":
        formula = f"({ys} {MINUS} {sa})\u00b2/(n{DOT}t)"
        numbers = f"({fmt(y)} {MINUS} {fmt(a)})\u00b2/({n}{DOT}{t})"
    elif loss.name == "bce":
        formula = f"{MINUS}[{ys}{DOT}log {sa} + (1 {MINUS} {ys}){DOT}log(1 {MINUS} {sa})]/(n{DOT}t)"
        numbers = (f"{MINUS}[{fmt(y)}{DOT}log {fmt(a)} + "
                   f"{fmt_operand(1 - y)}{DOT}log {fmt_operand(1 - a)}]"
                   f"/({n}{DOT}{t})")
    else:
        formula = f"{MINUS}{ys}{DOT}log {sa}/n"
        numbers = f"{MINUS}{fmt(y)}{DOT}log {fmt(a)}/{n}"
    return Quantity(f"L({ctx.name(L, j)})", formula, numbers, share, note=note,
                    kind="loss_share", neuron=(L, j))


def explain_neuron(network: Network, snapshot: Snapshot | None, k: int, j: int, *,
                   sample: int = 0, namer: Namer | None = None) -> NeuronExplanation:
    """z, a and δ of neuron ``j`` of layer ``k`` (0 = inputs) for one sample of
    the cycle (``sample`` = position in the mini-batch), as far as computed."""
    net = network
    _check_layer(net, k, allow_input=True)
    if not 0 <= j < net.sizes[k]:
        raise ValueError(f"layer {k} has no neuron {j}")
    _check_snapshot(net, snapshot)
    ctx = _Ctx(net, namer)
    L = ctx.L
    kind = "input" if k == 0 else ("output" if k == L else "hidden")
    activation = None if k == 0 else net.layers[k - 1].activation
    name = ctx.name(k, j)
    if k == 0:
        title = f"input {name}"
    elif k == L:
        title = f"neuron {name} (output layer, {activation})"
    else:
        title = f"neuron {name} (hidden layer {k}, {activation})"
    n = 0 if snapshot is None else snapshot.X.shape[0]
    if snapshot is not None and not 0 <= sample < n:
        raise ValueError(f"the mini-batch has no sample {sample}")
    bias = None if k == 0 else float(snapshot.weights_before[k - 1][1][j] if snapshot
                                     else net.layers[k - 1].b[j])
    base = dict(title=title, name=name, layer=k, neuron=j, kind=kind, activation=activation,
                sample_position=sample, n_samples=n, bias=bias)
    if snapshot is None:
        return NeuronExplanation(**base, sample_index=None, status="idle",
                                 message="No cycle in progress: step forward to see z, a and δ "
                                         "with the numbers of a training sample.",
                                 z=None, z_terms=(), a=None, delta=None, delta_terms=(),
                                 delta_factors=(),
                                 loss_share=None, loss_share_batch=None)
    snap, s = snapshot, sample
    base["sample_index"] = int(snap.sample_indices[s])
    if k == 0:
        x = float(snap.X[s, j])
        a_q = Quantity(name, f"input {j + 1} of the sample", fmt(x), x, kind="x", neuron=(0, j))
        return NeuronExplanation(**base, status="ready",
                                 message="An input neuron passes its value on: no z, no "
                                         "activation, and no δ (nothing to train before it).",
                                 z=None, z_terms=(), a=a_q, delta=None, delta_terms=(),
                                 delta_factors=(),
                                 loss_share=None, loss_share_batch=None)

    # z = sum_i w_ij a_i + b_j
    if snap.z[k - 1] is None:
        msg = _pending(net, snap, MicroStep("forward", k), "z and a")
        z_q = Quantity(ctx.z(k, j), "", "", None, message=msg, kind="z", neuron=(k, j))
        a_q = Quantity(ctx.a(k, j), "", "", None, message=msg, kind="a", neuron=(k, j))
        z_terms: tuple[Term, ...] = ()
    else:
        W = snap.weights_before[k - 1][0]
        prev = snap.a[k - 1]
        z_terms = tuple(Term(f"{ctx.w(k, i, j)}{DOT}{ctx.a(k - 1, i)}", float(W[i, j]),
                             float(prev[s, i]), float(W[i, j] * prev[s, i]), edge=(k, i, j))
                        for i in range(ctx.sizes[k - 1]) if ctx.connected(k, i, j))
        removed = ctx.sizes[k - 1] - len(z_terms)
        shown = z_terms[:MAX_TERMS]
        sym_terms = [t.label for t in shown]
        num_terms = [f"{fmt_operand(t.left)}{DOT}{fmt_operand(t.right)}" for t in shown]
        if len(z_terms) > MAX_TERMS:
            more = f"\u2026 ({len(z_terms) - MAX_TERMS} more)"
            sym_terms.append(more)
            num_terms.append(more)
        formula = " + ".join(sym_terms + [ctx.b(k, j)])
        numbers = " + ".join(num_terms + [fmt_operand(bias)])
        note = (f"{removed} removed connection{'s' if removed > 1 else ''} "
                f"left out" if removed else "")
        z_q = Quantity(ctx.z(k, j), formula, numbers, float(snap.z[k - 1][s, j]), note=note,
                       kind="z", neuron=(k, j))
        a_q = _activation_quantity(ctx, k, j, np.asarray(snap.z[k - 1][s]),
                                   float(snap.a[k][s, j]))

    # delta = dL/dz
    delta_terms: tuple[Term, ...] = ()
    delta_factors: list[Factor] = []
    d_sym = f"{ctx.delta(k, j)} = \u2202L/\u2202{ctx.z(k, j)}"
    d_ids = dict(name=ctx.delta(k, j), kind="delta", neuron=(k, j))
    if snap.delta[k - 1] is None:
        message = _pending(net, snap, MicroStep("backward", k), "δ")
        if k == L and snap.loss is None:
            message += " The Loss step comes first."
        delta_q = Quantity(d_sym, "", "", None, message=message, **d_ids)
    else:
        d = float(snap.delta[k - 1][s, j])
        if k == L:
            delta_factors, note = _output_factors(ctx, snap, s, j)
            if len(delta_factors) == 1:
                formula, numbers = delta_factors[0].formula, delta_factors[0].numbers
            else:  # dL/da · da/dz
                formula = f" {DOT} ".join(f.symbol for f in delta_factors)
                numbers = f" {DOT} ".join(fmt_operand(f.value) for f in delta_factors)
            delta_q = Quantity(d_sym, formula, numbers, d, note=note, **d_ids)
        else:
            f_j = _derivative_factor(ctx, k, j, float(snap.z[k - 1][s, j]),
                                     float(snap.a[k][s, j]))
            W_next = snap.weights_before[k][0]
            delta_terms = tuple(
                Term(f"{ctx.delta(k + 1, m)}{DOT}{ctx.w(k + 1, j, m)}",
                     float(snap.delta[k][s, m]), float(W_next[j, m]),
                     float(snap.delta[k][s, m] * W_next[j, m]), edge=(k + 1, j, m))
                for m in range(ctx.sizes[k + 1]) if ctx.connected(k + 1, j, m))
            shown = delta_terms[:MAX_TERMS]
            more = (f" + \u2026 ({len(delta_terms) - MAX_TERMS} more)"
                    if len(delta_terms) > MAX_TERMS else "")
            sum_sym = " + ".join(t.label for t in shown) + more if shown else "0"
            sum_num = " + ".join(f"{fmt_operand(t.left)}{DOT}{fmt_operand(t.right)}"
                                 for t in shown) + more \
                if shown else "0"
            g = math.fsum(t.value for t in delta_terms)
            g_factor = Factor(f"\u2202L/\u2202{ctx.a(k, j)}", sum_sym, sum_num, g,
                              note=f"each neuron that {ctx.name(k, j)} feeds sends back its δ "
                                   f"times the connecting weight",
                              kind=FactorKind.DL_DA, neuron=(k, j))
            delta_factors = [g_factor, f_j]
            formula = f"\u2202L/\u2202{ctx.a(k, j)} {DOT} {f_j.symbol}"
            numbers = f"{fmt_operand(g)} {DOT} {fmt_operand(f_j.value)}"
            delta_q = Quantity(d_sym, formula, numbers, d, **d_ids)

    share = share_batch = None
    if k == L and snap.loss_shares is not None:
        share = _loss_share(ctx, snap, s, j)
        share_batch = float(np.sum(snap.loss_shares[:, j]))
    return NeuronExplanation(**base, status="ready", message="", z=z_q, z_terms=z_terms,
                             a=a_q, delta=delta_q, delta_terms=delta_terms,
                             delta_factors=tuple(delta_factors), loss_share=share,
                             loss_share_batch=share_batch)
