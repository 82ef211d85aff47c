"""Where neurons sit on the canvas (saved in the file).

``positions[k][j]`` is the (x, y) of neuron j of layer k (k = 0: the inputs),
or None for "placed automatically". Automatic places depend only on the layer
sizes, so adding a neuron re-centres the layer it joins.
"""
from __future__ import annotations

from .limits import MAX_COORDINATE

Layout = list[list[tuple[float, float] | None]]

LAYER_SPACING = 260.0
NEURON_SPACING = 110.0


def auto_position(sizes: list[int], k: int, j: int) -> tuple[float, float]:
    n = sizes[k]
    return (k * LAYER_SPACING, (j - (n - 1) / 2) * NEURON_SPACING)


def empty(sizes: list[int]) -> Layout:
    return [[None] * n for n in sizes]


def fitted(layout: Layout | None, sizes: list[int]) -> Layout:
    """The layout made to fit ``sizes``: layers whose size changed go back to
    automatic placement (a missing layout is all automatic)."""
    if layout is None or len(layout) != len(sizes):
        return empty(sizes)
    return [list(row) if len(row) == n else [None] * n for row, n in zip(layout, sizes)]


def resolve(layout: Layout | None, sizes: list[int]) -> list[list[tuple[float, float]]]:
    """Every neuron's position, automatic ones filled in."""
    lay = fitted(layout, sizes)
    return [[p if p is not None else auto_position(sizes, k, j) for j, p in enumerate(row)]
            for k, row in enumerate(lay)]


def insert_layer(layout: Layout, position: int, units: int) -> Layout:
    out = [list(r) for r in layout]
    out.insert(position, [None] * units)
    # layers to the right move one column: let them be placed automatically
    return out[:position + 1] + [[None] * len(r) for r in out[position + 1:]]


def remove_layer(layout: Layout, k: int) -> Layout:
    out = [list(r) for r in layout]
    del out[k]
    return out[:k] + [[None] * len(r) for r in out[k:]]


def add_neuron(layout: Layout, k: int) -> Layout:
    out = [list(r) for r in layout]
    out[k] = [None] * (len(out[k]) + 1)
    return out


def remove_neuron(layout: Layout, k: int, j: int) -> Layout:
    out = [list(r) for r in layout]
    del out[k][j]
    return out


def move_neuron(layout: Layout, k: int, j: int, x: float, y: float) -> Layout:
    """Neuron j of layer k moved to (x, y), kept within MAX_COORDINATE (what a
    file may hold), so a neuron dragged far away still saves and reopens."""
    out = [list(r) for r in layout]
    out[k][j] = (_within(x), _within(y))
    return out


def _within(c: float) -> float:
    return min(MAX_COORDINATE, max(-MAX_COORDINATE, float(c)))
