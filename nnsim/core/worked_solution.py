"""One training step on one sample, written out in full: the content of the
worked-solution handout (`nnsim explain`, File > Export worked solution), in
the style of Matt Mazur's "A Step by Step Backpropagation Example".

Every number comes from the stepper's snapshot of that step (the same one
`nnsim trace` prints) and every formula from the chain-rule explanations the
inspector shows, so the handout, the trace and the window agree. Text uses the
chain rule's symbol notation (``a(h1)``, ``w(x1 → h1)``, ``∂L/∂a(out1)``,
``δ(h1)``); ``nnsim.io.handout`` renders it as Markdown, HTML or LaTeX.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import chainrule as cr
from . import losses
from .datasets import Dataset
from .naming import ARROW, WORKED_DIGITS, fmt_operand, fmt_worked, neuron_name
from .network import Network
from .optimizers import Optimizer
from .stepper import Snapshot, Stepper
from .training import TrainingConfig


def operand(x: float) -> str:
    """A number inside a formula of the handout: negatives in parentheses."""
    return fmt_operand(x, WORKED_DIGITS)


@dataclass(frozen=True)
class Equation:
    """``lhs = formula = numbers = value``; ``key`` names the quantity for tools
    and tests: ("z", k, j), ("a", k, j), ("loss",), ("delta", k, j),
    ("dW", k, i, j), ("db", k, j), ("W+", k, i, j), ("b+", k, j), ("loss+",)."""

    lhs: str
    formula: str
    numbers: str
    value: float
    key: tuple
    note: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    items: tuple  # of Equation or str (a paragraph)


@dataclass(frozen=True)
class WorkedSolution:
    title: str
    setup: tuple[str, ...]  # sentences: the network, the loss, the sample
    sections: tuple[Section, ...]


def traced_step(network: Network, config: TrainingConfig, data: Dataset,
                index: int) -> Snapshot:
    """Forward, loss, backward and one plain SGD update on training row
    ``index`` (what `nnsim trace` prints). ``network`` is updated in place."""
    stepper = Stepper(network, config, data, Optimizer("sgd"))
    stepper.pin_sample(index)
    snap = None
    with np.errstate(all="ignore"):
        for _ in stepper.plan:
            snap = stepper.micro_step()
    return snap


# -- filling numbers into the chain rule's formulas -------------------------------

# ∂-expressions stay symbols; a(h1), w(x1 → h1), δ(out1) ... and bare inputs x1
# become numbers; n and t are the batch and output counts.
_TOKEN = re.compile(r"∂[^\s/·]+/∂[a-zδ](?:\([^()]*\))?"
                    r"|(?P<sym>[abzwyδ]\([^()]*\))"
                    r"|(?<![\w])(?P<bare>x\d+|n|t|η)(?![\w(])")


def fill(formula: str, values: dict[str, float]) -> str:
    def sub(m: re.Match) -> str:
        name = m.group("sym") or m.group("bare")
        if name is None or name not in values:
            return m.group(0)
        return operand(values[name])
    return _TOKEN.sub(sub, formula)


def _values(net: Network, snap: Snapshot) -> dict[str, float]:
    """Every symbol of the step with its number (one sample: row 0)."""
    sizes = net.sizes
    v: dict[str, float] = {"n": 1.0, "t": float(sizes[-1]), "η": snap.learning_rate}
    for i in range(sizes[0]):
        v[f"x{i + 1}"] = float(snap.X[0, i])
        v[f"a(x{i + 1})"] = float(snap.X[0, i])
    for j in range(sizes[-1]):
        v[f"y({neuron_name(sizes, len(sizes) - 1, j)})"] = float(snap.Y[0, j])
    for k in range(1, len(sizes)):
        W, b = snap.weights_before[k - 1]
        for j in range(sizes[k]):
            name = neuron_name(sizes, k, j)
            v[f"z({name})"] = float(snap.z[k - 1][0, j])
            v[f"a({name})"] = float(snap.a[k][0, j])
            v[f"δ({name})"] = float(snap.delta[k - 1][0, j])
            v[f"b({name})"] = float(b[j])
            for i in range(sizes[k - 1]):
                v[f"w({neuron_name(sizes, k - 1, i)} {ARROW} {name})"] = float(W[i, j])
    return v


def _product(symbols, values) -> tuple[str, str]:
    return " · ".join(symbols), " · ".join(operand(x) for x in values)


# -- the sections ------------------------------------------------------------------

def _setup(net: Network, snap: Snapshot) -> tuple[str, ...]:
    sizes = net.sizes
    L = len(net.layers)
    layers = ", ".join(
        f"{'hidden layer ' + str(k) if k < L else 'the output layer'}: {sizes[k]} "
        f"{net.layers[k - 1].activation} neuron{'s' if sizes[k] != 1 else ''}"
        for k in range(1, L + 1))
    x = ", ".join(f"x{i + 1} = {fmt_worked(snap.X[0, i])}" for i in range(sizes[0]))
    y = ", ".join(f"y({neuron_name(sizes, L, j)}) = {fmt_worked(snap.Y[0, j])}"
                  for j in range(sizes[-1]))
    loss = losses.get(net.loss)
    out = [f"The network: {sizes[0]} input{'s' if sizes[0] != 1 else ''}; {layers}.",
           f"The sample: {x}; its target {y}.",
           f"The loss is {net.loss}, L = {loss.formula}, here with n = 1 sample and "
           f"t = {sizes[-1]} output{'s' if sizes[-1] != 1 else ''}.",
           f"One step of plain gradient descent with learning rate η = {fmt_worked(snap.learning_rate)}."]
    if net.loss == "mse" and sizes[-1] == 2:
        out.append("With t = 2 outputs this mean, (1/2)·Σ (y − a)², is exactly the "
                   "1/2·Σ (target − out)² of Mazur's post, so the numbers match his.")
    frozen = [k for k, layer in enumerate(net.layers, 1) if not layer.train_bias]
    if frozen:
        names = [str(k) for k in frozen]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        out.append(f"The biases of layer{'s' if len(names) > 1 else ''} {listed} are frozen: "
                   "they keep their values.")
    return tuple(out)


def _forward(net: Network, snap: Snapshot, values) -> list[Section]:
    sizes = net.sizes
    sections = []
    for k in range(1, len(sizes)):
        items = []
        for j in range(sizes[k]):
            e = cr.explain_neuron(net, snap, k, j)
            items.append(Equation(e.z.symbol, e.z.formula, fill(e.z.formula, values),
                                  e.z.value, ("z", k, j)))
            items.append(Equation(e.a.symbol, e.a.formula, fill(e.a.formula, values),
                                  e.a.value, ("a", k, j)))
        what = "the output layer" if k == len(sizes) - 1 else f"hidden layer {k}"
        sections.append(Section(f"Forward pass: {what}",
                                "Each neuron adds up its weighted inputs and its bias (z), "
                                "then applies its activation (a).", tuple(items)))
    return sections


def _loss(net: Network, snap: Snapshot, values) -> Section:
    sizes = net.sizes
    L = len(sizes) - 1
    items, shares = [], []
    for j in range(sizes[L]):
        q = cr.explain_neuron(net, snap, L, j).loss_share
        shares.append((q.symbol, q.value))
        items.append(Equation(q.symbol, q.formula, fill(q.formula, values), q.value,
                              ("loss share", j)))
    formula, numbers = (" + ".join(s for s, _ in shares),
                        " + ".join(operand(v) for _, v in shares))
    items.append(Equation("L", formula, numbers, float(snap.loss), ("loss",)))
    return Section("The loss", "Each output's share of the loss, then their sum.", tuple(items))


def _backward(net: Network, snap: Snapshot, values) -> list[Section]:
    sizes = net.sizes
    sections = []
    for k in range(len(sizes) - 1, 0, -1):
        items = []
        for j in range(sizes[k]):
            e = cr.explain_neuron(net, snap, k, j)
            for f in e.delta_factors:
                items.append(Equation(f.symbol, f.formula, fill(f.formula, values), f.value,
                                      ("factor", k, j, f.symbol), f.note))
            formula, numbers = _product([f.symbol for f in e.delta_factors],
                                        [f.value for f in e.delta_factors])
            lhs = e.delta.short_symbol  # "δ(h1)"
            items.append(Equation(lhs, formula if len(e.delta_factors) > 1 else "",
                                  numbers if len(e.delta_factors) > 1 else "",
                                  e.delta.value, ("delta", k, j),
                                  f"{lhs} = ∂L/∂z of this neuron"))
        what = "the output layer" if k == len(sizes) - 1 else f"hidden layer {k}"
        intro = ("δ = ∂L/∂z: how the loss changes with the neuron's z."
                 if k == len(sizes) - 1 else
                 "A hidden neuron's ∂L/∂a collects δ times the weight from every neuron "
                 "it feeds; times its activation's slope that gives its δ.")
        sections.append(Section(f"Backward pass: {what}", intro, tuple(items)))
    return sections


def _gradients(net: Network, snap: Snapshot) -> list[Section]:
    sizes = net.sizes
    L = len(sizes) - 1
    sections = []
    for k in range(L, 0, -1):
        layer = net.layers[k - 1]
        items = []
        for j in range(sizes[k]):
            for i in range(sizes[k - 1]):
                if layer.mask is not None and not layer.mask[i, j]:
                    continue
                e = cr.explain_weight(net, snap, k, i, j)
                paths = e.samples[0].paths
                formula = " + ".join(" · ".join(f.symbol for f in p.factors) for p in paths)
                numbers = " + ".join(" · ".join(operand(f.value) for f in p.factors)
                                     for p in paths)
                note = (f"the sum over the {len(paths)} paths from this weight to the loss"
                        if len(paths) > 1 else "")
                if e.penalty is not None:  # + λ·w (L2) or λ·sign(w) (L1)
                    p = e.penalty
                    formula += f" + {p.formula.replace('·', ' · ')}"
                    factor = operand(p.weight) if p.kind == "l2" else str(int(np.sign(p.weight)))
                    numbers += f" + {operand(p.rate)} · {factor}"
                    note = "; ".join(filter(None, (note, f"plus the {e.penalty.title} "
                                                         "penalty's term")))
                items.append(Equation(e.symbol, formula, numbers, e.total, ("dW", k, i, j), note))
            b = cr.explain_bias(net, snap, k, j)
            src = b.samples[0].paths[0].factors
            items.append(Equation(b.symbol, " · ".join(f.symbol for f in src),
                                  " · ".join(operand(f.value) for f in src), b.total,
                                  ("db", k, j)))
        what = "into the output layer" if k == L else f"into hidden layer {k}"
        intro = ("Each weight's gradient is the product of the derivatives along its "
                 "path to the loss (summed over the paths when there are several).")
        if snap.penalty.active:
            intro += (f" With {snap.penalty.title} regularisation (λ = "
                      f"{operand(snap.penalty.rate)}) each weight's gradient also gets "
                      + ("λ · w." if snap.penalty.kind == "l2" else "λ · sign(w).")
                      + " Biases are not penalised.")
        sections.append(Section(f"Gradients {what}", intro, tuple(items)))
    return sections


def _updates(net: Network, snap: Snapshot) -> Section:
    sizes = net.sizes
    eta = snap.learning_rate
    items = []
    for k in range(1, len(sizes)):
        (W, b), (W1, b1) = snap.weights_before[k - 1], snap.weights_after[k - 1]
        layer = net.layers[k - 1]
        for j in range(sizes[k]):
            dst = neuron_name(sizes, k, j)
            for i in range(sizes[k - 1]):
                if layer.mask is not None and not layer.mask[i, j]:
                    continue
                w = f"w({neuron_name(sizes, k - 1, i)} {ARROW} {dst})"
                items.append(Equation(f"{w}⁺", f"{w} − η · ∂L/∂{w}",
                                      f"{operand(W[i, j])} − {operand(eta)} · "
                                      f"{operand(snap.dW[k - 1][i, j])}",
                                      float(W1[i, j]), ("W+", k, i, j)))
            bias = f"b({dst})"
            if layer.train_bias:
                items.append(Equation(f"{bias}⁺", f"{bias} − η · ∂L/∂{bias}",
                                      f"{operand(b[j])} − {operand(eta)} · "
                                      f"{operand(snap.db[k - 1][j])}",
                                      float(b1[j]), ("b+", k, j)))
            else:
                items.append(Equation(f"{bias}⁺", bias, "", float(b1[j]), ("b+", k, j),
                                      "frozen: the bias keeps its value"))
    return Section("The update", "Every parameter takes one step against its gradient: "
                   "new = old − η · gradient.", tuple(items))


def _after(net: Network, snap: Snapshot) -> Section:
    after = net.copy()
    for layer, (W, b) in zip(after.layers, snap.weights_after):
        layer.W, layer.b = np.array(W), np.array(b)
    with np.errstate(all="ignore"):
        loss = after.loss_value(np.asarray(snap.X), np.asarray(snap.Y))
    return Section("After the update",
                   "The same sample through the updated network: the loss went "
                   + ("down." if loss < snap.loss else "up (the step was too large)."
                      if loss > snap.loss else "nowhere."),
                   (Equation("L⁺", "", "", float(loss), ("loss+",)),))


def worked_solution(network: Network, snap: Snapshot, title: str) -> WorkedSolution:
    """The handout of the step ``snap`` (a complete cycle on one sample of
    ``network`` as it was before the update)."""
    if snap is None or snap.X.shape[0] != 1 or snap.weights_after is None:
        raise ValueError("a worked solution needs one complete step on one sample")
    with np.errstate(all="ignore"):  # absurd weights show inf/nan terms, never warn
        values = _values(network, snap)
        sections = [*_forward(network, snap, values), _loss(network, snap, values),
                    *_backward(network, snap, values), *_gradients(network, snap),
                    _updates(network, snap), _after(network, snap)]
    return WorkedSolution(title, _setup(network, snap), tuple(sections))

