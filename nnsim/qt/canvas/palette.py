"""Colours, fonts and pens of the canvas, in one place.

Weights and gradients use two clearly different diverging palettes, so a
glance tells which quantity an edge shows:

- weights w:        blue (positive) / orange (negative)
- gradients ∂L/∂w:  green (positive) / magenta (negative)

Both pairs stay distinguishable for the common forms of colour blindness
(they differ in lightness as well as hue). An edge's width grows with the
magnitude of what it shows, relative to the largest value of that kind on the
canvas, clamped to [MIN_WIDTH, MAX_WIDTH].
"""
from __future__ import annotations

import math

import numpy as np

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen

WEIGHT = "weight"
GRADIENT = "gradient"

WEIGHT_POS = QColor("#2166ac")
WEIGHT_NEG = QColor("#e66101")
GRAD_POS = QColor("#1b9e3e")
GRAD_NEG = QColor("#c51b7d")
REMOVED = QColor(150, 150, 150, 150)

# Label text: darker versions of the edge colours, readable on white.
TEXT_WEIGHT_POS = QColor("#16457a")
TEXT_WEIGHT_NEG = QColor("#a34400")
TEXT_GRAD_POS = QColor("#136b2b")
TEXT_GRAD_NEG = QColor("#8e1259")
TEXT = QColor("#202124")
TEXT_MUTED = QColor("#5f6368")

BACKGROUND = QColor("white")
LABEL_BOX = QColor(255, 255, 255, 225)
LABEL_BORDER = QColor(0, 0, 0, 40)
NEURON_FILL = QColor("#ffffff")
NEURON_FILL_FORWARD = QColor("#e3edf9")  # z and a computed in this pass
NEURON_FILL_BACKWARD = QColor("#e2f4e6")  # delta computed in this pass
NEURON_BORDER = QColor("#3c4043")
SELECTION = QColor("#fbbc04")
BAND = QColor(255, 236, 153, 110)  # the layer just computed
BAND_BORDER = QColor(240, 200, 60, 160)
# The chain rule's paths to the loss: a cyan glow under the edges, a hue none
# of the four edge colours (nor the yellow selection) has, so both stay readable.
PATH_GLOW = QColor(0, 188, 212, 120)
PATH_FOCUS = QColor(0, 172, 193, 210)  # the one path the inspector's row points at
# A neuron the run panel's diagnosis names (dead, saturated): a dashed red
# ring with a "!" badge, distinct from the yellow selection and the fills.
FLAGGED = QColor("#d93025")

MIN_WIDTH = 0.5
MAX_WIDTH = 6.0

# Pixel sizes. Labels, headers and the legend are this large on screen at
# any zoom (times the text-size setting; see scene.py); a neuron's name
# scales with its circle and is not drawn below MIN_READABLE_PX.
NAME_PX = 13
VALUE_PX = 11
HEADER_PX = 14
LEGEND_PX = 11
MIN_READABLE_PX = 6.5


def font(px: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def edge_color(value: float, kind: str) -> QColor:
    pos = value >= 0 or math.isnan(value)
    if kind == GRADIENT:
        return GRAD_POS if pos else GRAD_NEG
    return WEIGHT_POS if pos else WEIGHT_NEG


def text_color(value: float, kind: str) -> QColor:
    pos = value >= 0 or math.isnan(value)
    if kind == GRADIENT:
        return TEXT_GRAD_POS if pos else TEXT_GRAD_NEG
    return TEXT_WEIGHT_POS if pos else TEXT_WEIGHT_NEG


def widest(n_edges: int) -> float:
    """The width of the strongest edge between two layers with ``n_edges``
    connections: MAX_WIDTH for a few, thinner for many (so a dense layer
    stays a set of lines, not a wall of colour)."""
    return max(1.5, min(MAX_WIDTH, 24.0 / math.sqrt(max(n_edges, 1))))


# Edges end under the neurons' circles, so their caps never show: flat caps,
# which antialiased drawing handles about four times faster than round ones.
EDGE_CAP = Qt.PenCapStyle.FlatCap


# Pens are shared: an edge's pen is looked up by a code for (kind, sign, width
# in steps of 1/PEN_STEPS px), so a relabel sets a pen only on edges whose look
# changed.
PEN_STEPS = 64
REMOVED_CODE = -1
_PENS: dict = {}


def edge_pen_codes(values, largest: float, kind: str, widest: float = MAX_WIDTH):
    """The pens of a whole array of edge values, as integer codes for
    pen_for_code: the width grows with |value| relative to ``largest``, from
    MIN_WIDTH to ``widest`` (rounded to 1/PEN_STEPS px; not finite: widest),
    the colour follows the sign and kind."""
    v = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        if not math.isfinite(largest):
            widths = np.full(v.shape, float(widest))
        elif largest <= 0:
            widths = np.full(v.shape, MIN_WIDTH)
        else:
            widths = MIN_WIDTH + (widest - MIN_WIDTH) * np.minimum(1.0, np.abs(v) / largest)
        widths = np.where(np.isfinite(v), widths, widest)
        pos = (v >= 0) | np.isnan(v)
    steps = np.rint(widths * PEN_STEPS).astype(np.int64)
    return (steps * 4 + pos * 2 + (kind == GRADIENT)).tolist()


def pen_for_code(code: int) -> QPen:
    """The shared pen of an edge_pen_codes code (REMOVED_CODE: a removed edge)."""
    pen = _PENS.get(code)
    if pen is None:
        if code == REMOVED_CODE:
            pen = removed_pen()
        else:
            gradient, pos, steps = code & 1, code & 2, code >> 2
            color = (GRAD_POS if pos else GRAD_NEG) if gradient else (
                WEIGHT_POS if pos else WEIGHT_NEG)
            pen = QPen(color, steps / PEN_STEPS)
            pen.setCapStyle(EDGE_CAP)
            pen.setCosmetic(False)
        _PENS[code] = pen
    return pen


def removed_pen() -> QPen:
    pen = QPen(REMOVED, 1.2, Qt.PenStyle.DashLine)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen
