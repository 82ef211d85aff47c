"""Predict, then reveal: ask for one number of the next micro-step.

Before a micro-step shows its numbers the learner predicts one of them. This
module knows which quantities each step computes, picks one (the selection's,
or one at random from an injected generator), reads the true value from the
snapshot *after* the step (what the canvas then shows) and checks a typed
answer. The explanation is the chain rule's formula with the live numbers
(:mod:`nnsim.core.chainrule`).

Layers and neurons are numbered as in ``chainrule``: layer 0 is the input,
``k >= 1`` is ``network.layers[k - 1]``, neurons 0-based, ``W[i, j]`` goes
from neuron i of layer k-1 into neuron j of layer k.

When is an answer right? When it is the true value rounded to three
significant digits or closer: |answer - true| <= 0.5% of |true|. That
tolerance always contains the 3-digit rounding (its error is at most half a
unit in the third digit, at most 0.5% of the value) and never a wrong sign or
a missing factor of 2 or more. Only a true value of (almost) exactly 0 gets an
absolute tolerance, ``ZERO_TOLERANCE``, so that "0" is right for it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .chainrule import explain_bias, explain_neuron, explain_weight
from .naming import ARROW, DELTA, DOT, PARTIAL, fmt, neuron_name
from .network import Network
from .stepper import MicroStep, Snapshot

RELATIVE_TOLERANCE = 0.005  # half a unit in the third significant digit
ZERO_TOLERANCE = 1e-12  # float noise around an exact 0
MAX_PATHS_SHOWN = 4  # more paths (or a mini-batch): dL/dw is written as Σ δ·a

# kind -> what it is, in words, for the question's tooltip and tests
KINDS = {
    "z": "weighted input", "a": "activation", "loss": "loss",
    "delta": "delta", "dw": "weight gradient", "db": "bias gradient",
    "w_new": "weight after the update", "b_new": "bias after the update",
}

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Question:
    """One number the next micro-step will compute."""

    kind: str  # a key of KINDS
    step: MicroStep  # the micro-step that computes it
    layer: int | None  # None for the loss
    target: int | None  # neuron j (None for the loss)
    source: int | None  # neuron i of layer - 1 for weights, else None
    symbol: str  # "z(h1)", "δ(out1)", "∂L/∂w(h1 → out1)", "w(h1 → out1) after the update"
    sample_index: int  # the training sample (the first of a mini-batch)
    n_samples: int  # samples in the mini-batch

    @property
    def per_sample(self) -> bool:
        """z, a and δ are one sample's; L, gradients and updates cover the batch."""
        return self.kind in ("z", "a", "delta")

    @property
    def prompt(self) -> str:
        """'Predict z(h1) for sample #1' (numbered from 1, as the window numbers them)."""
        if self.per_sample or self.n_samples == 1:
            return f"Predict {self.symbol} for sample #{self.sample_index + 1}"
        return f"Predict {self.symbol} for this mini-batch of {self.n_samples} samples"


@dataclass(frozen=True)
class Verdict:
    status: str  # "right" | "wrong" | "invalid" (not a number: ask again)
    answer: float | None
    true_value: float | None
    message: str  # for the user: why invalid, or right/wrong with the true value

    @property
    def answered(self) -> bool:
        return self.status in ("right", "wrong")


class AnswerError(ValueError):
    """Typed text that is not a number; the message says what to type."""


# -- the quantities of a step ---------------------------------------------------

def questions_for(network: Network, step: MicroStep,
                  sample_indices: tuple[int, ...]) -> list[Question]:
    """Every quantity ``step`` computes, for the mini-batch ``sample_indices``."""
    sizes = list(network.sizes)
    name = lambda k, j: neuron_name(sizes, k, j)  # noqa: E731
    base = dict(step=step, sample_index=int(sample_indices[0]), n_samples=len(sample_indices))
    out: list[Question] = []
    if step.kind == "loss":
        return [Question("loss", layer=None, target=None, source=None, symbol="L", **base)]
    layers = [step.layer] if step.kind in ("forward", "backward") else \
        list(range(1, len(network.layers) + 1))
    for k in layers:
        layer = network.layers[k - 1]
        for j in range(layer.units):
            n = name(k, j)
            if step.kind == "forward":
                out.append(Question("z", layer=k, target=j, source=None, symbol=f"z({n})", **base))
                out.append(Question("a", layer=k, target=j, source=None, symbol=f"a({n})", **base))
            elif step.kind == "backward":
                out.append(Question("delta", layer=k, target=j, source=None,
                                    symbol=f"{DELTA}({n})", **base))
                out.append(Question("db", layer=k, target=j, source=None,
                                    symbol=f"{PARTIAL}L/{PARTIAL}b({n})", **base))
            elif layer.train_bias:  # a frozen bias stays as it is: nothing to predict
                out.append(Question("b_new", layer=k, target=j, source=None,
                                    symbol=f"b({n}) after the update", **base))
            if step.kind == "forward":
                continue
            for i in range(layer.n_in):
                if layer.mask is not None and not layer.mask[i, j]:
                    continue  # a removed connection: its gradient is 0 by definition
                w = f"w({name(k - 1, i)} {ARROW} {n})"
                if step.kind == "backward":
                    out.append(Question("dw", layer=k, target=j, source=i,
                                        symbol=f"{PARTIAL}L/{PARTIAL}{w}", **base))
                else:
                    out.append(Question("w_new", layer=k, target=j, source=i,
                                        symbol=f"{w} after the update", **base))
    return out


def pick(questions: list[Question], rng: np.random.Generator,
         neuron: tuple[int, int] | None = None,
         edge: tuple[int, int, int] | None = None) -> Question:
    """The selection's question when the step computes one for it (a neuron:
    its z/a/δ or new bias; an edge ``(layer, i, j)``: its dL/dw or new weight),
    else one at random. Several for the selection: one of those at random."""
    mine: list[Question] = []
    if neuron is not None:
        k, j = neuron
        mine = [q for q in questions if q.layer == k and q.target == j
                and q.kind in ("z", "a", "delta", "b_new")]
    elif edge is not None:
        k, i, j = edge
        mine = [q for q in questions if (q.layer, q.source, q.target) == (k, i, j)]
    pool = mine or questions
    return pool[int(rng.integers(len(pool)))]


# -- the answer -----------------------------------------------------------------

def true_value(question: Question, snapshot: Snapshot) -> float:
    """The number ``snapshot`` (taken after the question's step) shows."""
    q, snap = question, snapshot
    if snap.step != q.step:
        raise ValueError(f"the snapshot is after {snap.step}, not after {q.step.label}")
    k, i, j = q.layer, q.source, q.target
    if q.kind == "loss":
        return float(snap.loss)
    if q.kind == "z":
        return float(snap.z[k - 1][0, j])
    if q.kind == "a":
        return float(snap.a[k][0, j])
    if q.kind == "delta":
        return float(snap.delta[k - 1][0, j])
    if q.kind == "dw":
        return float(snap.dW[k - 1][i, j])
    if q.kind == "db":
        return float(snap.db[k - 1][j])
    W, b = snap.weights_after[k - 1]
    return float(W[i, j] if q.kind == "w_new" else b[j])


def parse_answer(text: str) -> float:
    """A decimal number or e-notation; a decimal comma and a typographic minus
    are accepted. Raises AnswerError with what to type instead."""
    s = text.strip().replace("\u2212", "-").replace(" ", "")
    if not s:
        raise AnswerError("Type a number first, e.g. 0.593 or -1.2e-3 (Esc skips).")
    if "," in s and "." not in s and s.count(",") == 1:
        s = s.replace(",", ".")
    if not _NUMBER.fullmatch(s):
        raise AnswerError(f"\u201c{text.strip()}\u201d is not a number: type a decimal such "
                          f"as 0.593 or -1.2e-3 (Esc skips).")
    value = float(s)
    if not math.isfinite(value):
        raise AnswerError(f"\u201c{text.strip()}\u201d is too large to be a value of this "
                          f"step: type it as the canvas will show it, e.g. 0.593.")
    return value


def is_right(answer: float, true: float) -> bool:
    """Within 0.5% of the true value (its 3-digit rounding); see the module doc."""
    # (1 + 1e-9): a typed decimal such as 0.995 is not exact in binary, and the
    # edge of the tolerance must not depend on that
    return abs(answer - true) <= max(RELATIVE_TOLERANCE * abs(true) * (1 + 1e-9), ZERO_TOLERANCE)


def check(question: Question, answer_text: str, true: float) -> Verdict:
    try:
        answer = parse_answer(answer_text)
    except AnswerError as e:
        return Verdict("invalid", None, None, str(e))
    if is_right(answer, true):
        return Verdict("right", answer, true,
                       f"\u2713 Right: {question.symbol} = {fmt(true)} (you said {fmt(answer)}).")
    return Verdict("wrong", answer, true,
                   f"\u2717 Wrong: {question.symbol} = {fmt(true)}, not {fmt(answer)}.")


# -- the formula with the live numbers ------------------------------------------

def explain(question: Question, network: Network, snapshot: Snapshot,
            optimizer: str = "sgd") -> str:
    """How the step computed the number: the formula, then the same with the
    numbers of ``snapshot`` (after the step), then the value."""
    q, net, snap = question, network, snapshot
    k, i, j = q.layer, q.source, q.target
    if q.kind in ("z", "a", "delta"):
        nx = explain_neuron(net, snap, k, j)
        quantity = {"z": nx.z, "a": nx.a, "delta": nx.delta}[q.kind]
        symbol = f"{DELTA}({nx.name})" if q.kind == "delta" else quantity.symbol
        return _equation(symbol, quantity.formula, quantity.numbers, quantity.value)
    if q.kind == "loss":
        return _loss_text(net, snap)
    if q.kind in ("db", "b_new"):
        ex = explain_bias(net, snap, k, j, optimizer=optimizer)
    else:
        ex = explain_weight(net, snap, k, i, j, optimizer=optimizer)
    if q.kind in ("w_new", "b_new"):
        u = ex.update
        # the chain rule writes "old − η·g = new"; the equation adds "= new" itself
        numbers = u.numbers.rsplit(" = ", 1)[0] if u.numbers else \
            f"{fmt(u.old)} + {_p(u.new - u.old)}"
        return _equation(f"new {u.symbol}", u.formula.split(":= ", 1)[1], numbers, u.new)
    target = neuron_name(list(net.sizes), k, j)
    if q.kind == "db":
        return _gradient_text(ex, snap, f"{DELTA}({target}){DOT}1",
                              lambda s: [float(snap.delta[k - 1][s, j]), 1.0])
    a_sym = neuron_name(list(net.sizes), k - 1, i)
    a_sym = a_sym if k == 1 else f"a({a_sym})"
    return _gradient_text(ex, snap, f"{DELTA}({target}){DOT}{a_sym}",
                          lambda s: [float(snap.delta[k - 1][s, j]),
                                     float(snap.a[k - 1][s, i])])


def _p(x: float) -> str:
    s = fmt(x)
    return f"({s})" if s.startswith("-") else s


def _equation(symbol: str, formula: str, numbers: str, value: float) -> str:
    parts = [symbol, formula]
    if numbers and numbers != formula:
        parts.append(numbers)
    parts.append(fmt(value))
    return " = ".join(p for p in parts if p)


def _gradient_text(ex, snap: Snapshot, delta_form: str, factors_of) -> str:
    """One sample with few paths: the chain rule's paths, factor by factor.
    Otherwise the backward pass's form δ·a, summed over the mini-batch."""
    n = snap.X.shape[0]
    if n == 1 and ex.samples and len(ex.samples[0].paths) <= MAX_PATHS_SHOWN:
        paths = ex.samples[0].paths
        formula = " + ".join(DOT.join(f.symbol for f in p.factors if f.formula != "1")
                             for p in paths) if len(paths) == 1 else \
            f"the sum over the {len(paths)} paths to L of the product along each"
        numbers = " + ".join(DOT.join(_p(f.value) for f in p.factors) for p in paths)
        return _equation(ex.symbol, formula, numbers, ex.total)
    terms = [DOT.join(_p(v) for v in factors_of(s)) for s in range(min(n, 4))]
    numbers = " + ".join(terms) + (" + \u2026" if n > 4 else "")
    formula = delta_form if n == 1 else f"\u03a3 over the {n} samples of {delta_form}"
    return _equation(ex.symbol, formula, numbers, ex.total)


def _loss_text(net: Network, snap: Snapshot) -> str:
    L = len(net.layers)
    shares = [explain_neuron(net, snap, L, m).loss_share for m in range(net.sizes[-1])]
    if snap.X.shape[0] == 1:
        formula = " + ".join(s.formula for s in shares)
        numbers = " + ".join(s.numbers for s in shares)
    else:
        formula = f"the sum of every output's share over the {snap.X.shape[0]} samples"
        numbers = " + ".join(fmt(float(np.sum(snap.loss_shares[:, m])))
                             for m in range(net.sizes[-1]))
    return _equation("L", formula, numbers, snap.loss)
