"""Small buttons on the canvas for building a network in a few clicks, as
TensorFlow Playground has them: − and + beside each layer's header (one
neuron less or more), and a + between two layers (a new hidden layer there).

They are items of the scene, kept at a constant size on screen like the
headers (the scene scales them with its labels), and the scene handles their
clicks and tooltips (as for every item: one place for user input). Exports
and presentation mode leave them out (``NetworkScene.set_edit_controls``).
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from . import palette

SIZE = 18.0  # a button's side, on screen at 100 % text size
GAP = 5.0  # between a header's text and its buttons
Z_CONTROLS = 16  # just above the headers

FILL = QColor("#f1f3f4")
FILL_HOVER = QColor("#d2e3fc")
BORDER = QColor("#9aa0a6")


@dataclass(frozen=True)
class Action:
    """What a button does: ``kind`` "add_neuron" / "remove_neuron" on layer
    ``layer``, or "insert_layer" at position ``layer`` (1 = after the inputs)."""

    kind: str
    layer: int


class ControlButton(QGraphicsItem):
    """A square button with "+" or "−"; the scene calls ``action`` on a click."""

    def __init__(self, action: Action, symbol: str, tooltip: str, round_: bool = False):
        super().__init__()
        self.action, self.symbol, self.tooltip = action, symbol, tooltip
        self.round = round_
        self.hovered = False
        self.setZValue(Z_CONTROLS)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._rect = QRectF(-SIZE / 2, -SIZE / 2, SIZE, SIZE)

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(BORDER, 1))
        painter.setBrush(FILL_HOVER if self.hovered else FILL)
        if self.round:
            painter.drawEllipse(self._rect)
        else:
            painter.drawRoundedRect(self._rect, 3, 3)
        # the sign as two strokes: crisp at any zoom, whatever the font
        painter.setPen(QPen(palette.TEXT, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        a = SIZE * 0.27
        painter.drawLine(QPointF(-a, 0), QPointF(a, 0))
        if self.symbol == "+":
            painter.drawLine(QPointF(0, -a), QPointF(0, a))


def header_buttons(layer: int, names: list[str], is_input: bool, is_output: bool
                   ) -> tuple[ControlButton, ControlButton]:
    """The − and + beside layer ``layer``'s header; ``names`` its neurons' names."""
    what = ("an input (the data gets a column of zeros to fill in)" if is_input
            else "an output (the data gets a target column of zeros)" if is_output
            else "a neuron")
    minus = ControlButton(Action("remove_neuron", layer), "\u2212",
                          f"Remove the last neuron of this layer ({names[-1]})"
                          + (" and its data column" if is_input or is_output else ""))
    plus = ControlButton(Action("add_neuron", layer), "+", f"Add {what} to this layer")
    return minus, plus


def insert_button(position: int, before: str, after: str) -> ControlButton:
    """The + between two layers: a new hidden layer at ``position``."""
    return ControlButton(Action("insert_layer", position), "+",
                         f"Insert a hidden layer here, between {before} and {after}",
                         round_=True)
