"""Names and number formats shared by the canvas, the inspector, the chain-rule
explanations and the CLI (one source of truth).

Naming scheme (used everywhere a neuron or a connection is named):

- input neurons: ``x1, x2, ...``
- hidden neurons with one hidden layer: ``h1, h2, ...`` (the lecture's a_j^(h))
- hidden neurons with several hidden layers: ``h<layer>_<neuron>``, e.g.
  ``h2_3`` is neuron 3 of hidden layer 2
- output neurons: ``out1, out2, ...`` (the lecture's a_j^(out))
- data columns without names of their own: inputs ``x1, x2, ...``, targets
  ``y`` (or ``y1, y2, ...``; ``class 0, class 1, ...`` for one-hot classes)
- a connection: ``x1 → h2`` (source → target); its weight ``w(x1 → h2)``
  (``nnsim trace``'s plain-text table writes ``x1->h2``: ARROW_ASCII)

Number formats, one per purpose (new texts use these rather than a format spec):

- ``fmt``: on screen (canvas, inspector, plots, messages), 4 significant
  digits, compact: ``0.1523``, ``-2.31e-05``; ``fmt_full``: 10, for tooltips
  and the in-place editor
- ``fmt_worked``: worked examples (handouts, ``nnsim trace``), 9 digits, as
  published ones print them
- ``fmt_operand``: a number inside a formula, negatives in parentheses
- ``fmt_setting``: a setting as the user types it (learning rate, stop loss)
- ``fmt_vector``, ``fmt_percent``, ``fmt_epoch_rate``

Everything here is plain Python (no Qt), so it is cheap and easy to test.
"""
from __future__ import annotations

import math

ARROW = "\u2192"  # →
ARROW_ASCII = "->"
DELTA = "\u03b4"  # δ
PARTIAL = "\u2202"  # ∂
DOT = "\u00b7"  # ·


def fmt(value: float, digits: int = 4) -> str:
    """A number with ``digits`` significant digits, compact: 0.1523, -2.31e-05, 3."""
    v = float(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "\u221e" if v > 0 else "-\u221e"
    if v == 0.0:
        return "0"  # never "-0"
    return f"{v:.{digits}g}"


def fmt_full(value: float) -> str:
    """More digits, for tooltips and the in-place editor."""
    return fmt(value, 10)


WORKED_DIGITS = 9  # as many as Mazur's post (the worked example students check) prints


def fmt_worked(value: float) -> str:
    """A number of a worked example (handout, ``nnsim trace``): 9 significant digits."""
    return fmt(value, WORKED_DIGITS)


def fmt_operand(value: float, digits: int = 4) -> str:
    """A number as an operand in a formula: negatives in parentheses, ``2·(-0.5)``."""
    s = fmt(value, digits)
    return f"({s})" if s.startswith("-") else s


def fmt_setting(value: float) -> str:
    """A setting as typed (learning rate, stop loss, an optimiser parameter):
    up to 6 significant digits, ``0.5``, ``0.001``, ``1e-08``."""
    return fmt(value, 6)


def fmt_percent(fraction: float, decimals: int = 1) -> str:
    """An accuracy or a probability: ``97.5%``."""
    return f"{100 * fraction:.{decimals}f}%"


def fmt_epoch_rate(rate: float | None) -> str:
    """The training speed read-out: ``1,234 epochs/s``, ``2.5 epochs/s``."""
    if rate is None:
        return "measuring\u2026"
    return f"{rate:,.0f} epochs/s" if rate >= 10 else f"{rate:.1f} epochs/s"


def layer_name(sizes: list[int], k: int) -> str:
    """"Input", "Hidden" (or "Hidden 2" with several hidden layers), "Output"."""
    last = len(sizes) - 1
    if k == 0:
        return "Input"
    if k == last:
        return "Output"
    return "Hidden" if last == 2 else f"Hidden {k}"


def neuron_name(sizes: list[int], k: int, j: int) -> str:
    """Neuron j (0-based) of layer k (0 = inputs), e.g. x1, h2, h1_3, out1."""
    last = len(sizes) - 1
    if k == 0:
        return f"x{j + 1}"
    if k == last:
        return f"out{j + 1}"
    if last == 2:
        return f"h{j + 1}"
    return f"h{k}_{j + 1}"


def edge_name(sizes: list[int], k: int, i: int, j: int) -> str:
    """The connection from neuron i of layer k-1 into neuron j of layer k: "x1 → h2"."""
    return f"{neuron_name(sizes, k - 1, i)} {ARROW} {neuron_name(sizes, k, j)}"


def edge_name_ascii(sizes: list[int], k: int, i: int, j: int) -> str:
    """The same for plain-text tables: "x1->h2"."""
    return f"{neuron_name(sizes, k - 1, i)}{ARROW_ASCII}{neuron_name(sizes, k, j)}"


def weight_name(sizes: list[int], k: int, i: int, j: int) -> str:
    """The weight of that connection: "w(x1 → h2)"."""
    return f"w({edge_name(sizes, k, i, j)})"


def input_names(n: int) -> list[str]:
    """The default names of n input columns: x1, x2, ... (as the input neurons)."""
    return [f"x{i + 1}" for i in range(n)]


def target_names(kind: str, n: int) -> list[str]:
    """The default names of n target columns: "class 0", ... for one-hot
    classes, else "y" for one column and y1, y2, ... for several."""
    if kind == "multiclass":
        return [f"class {j}" for j in range(n)]
    return ["y"] if n == 1 else [f"y{j + 1}" for j in range(n)]


def fmt_vector(values) -> str:
    """(0.5, -1) style, for a sample's inputs and targets; one value bare (1)."""
    values = list(values)
    if len(values) == 1:
        return fmt(values[0])
    return "(" + ", ".join(fmt(v) for v in values) + ")"
