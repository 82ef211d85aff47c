"""The drawn parts of the computational graph (graph_view.py): a rounded box
per node showing its label, its value and its gradient as micrograd's
draw_dot does, a small circle with the operation left of each operation's
box, and arrows from the inputs into the circle. Plus the left-to-right
layout (pure geometry from CompGraph.columns).

Local derivatives: each arrow into an operation passes through a slot left
of the operation's circle, where, once the backward pass has reached the
node (its grad is known), a small label shows ∂node/∂input ("×0.4"; an
activation with a short formula "×a(1−a) = 0.1836"). The slots of one
operation are stacked on its circle, one per drawn input, in the vertical
order of their sources, so labels never overlap each other or a box, and
the chain rule reads off the picture: grad(input) = Σ over its arrows of
(the label) × grad(node). The slots are reserved before the labels appear,
so the graph does not move when the backward pass arrives."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from ..core.comp_graph import CompGraph, Node
from ..core.naming import PARTIAL, fmt

FONT_PX = 12  # scene units; the view never shows it below MIN_TEXT_PX
MIN_TEXT_PX = 11
PAD = 5
CIRCLE = 26  # the operation's circle (its symbol may make it a pill)
CIRCLE_GAP = 10
COLUMN_GAP = 34
ROW_GAP = 8
COMPACT_ROW_GAP = 4  # a highlighted box's 4 px pen stays off its neighbour
COMPACT_PAD_Y = 2  # above and below a compact box's one line
COMPACT_LABEL_GAP = 0
COMPACT_GRAD_GAP = 10  # between the value and the grad on a compact box's one line
LABEL_PAD = 3  # inside a local-derivative label
LABEL_GAP = 3  # between stacked labels
SLOT_GAP = 8  # from a label's right end to the operation's circle
_FORMULA_OF_SYMBOL = {"σ": "a(1−a)", "tanh": "1−a²"}

TEXT = QColor("#202124")
MUTED = QColor("#80868b")
VALUE_FILL = QColor("#ffffff")
LEAF_FILL = QColor("#f1f3f4")
LOCAL = QColor("#1a5e20")  # a local derivative's label text
LOCAL_FILL = QColor("#ffffff")
PARAM_FILL = QColor("#fef7e0")
OP_FILL = QColor("#e8f0fe")
GRAD = QColor("#b3261e")
EDGE = QColor("#9aa0a6")
HIGHLIGHT = QColor("#f9ab00")
BORDER = QColor("#5f6368")
NOT_YET = "–"


def _font(bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(FONT_PX)
    f.setBold(bold)
    return f


def node_lines(node: Node, batch_size: int = 1) -> tuple[str, str, str | None]:
    """What a node's box says: its label, its value (" = 0.4") and its
    gradient ("grad -0.02771"; None for a target, a constant). A parameter
    of a mini-batch says "batch grad": it adds every sample's share."""
    value = f" = {NOT_YET if node.value is None else fmt(node.value)}"
    word = "batch grad" if batch_size > 1 and node.op in ("weight", "bias") else "grad"
    grad = None if node.op == "target" else (
        f"{word} {NOT_YET}" if node.grad is None else f"{word} {fmt(node.grad)}")
    return node.label, value, grad


def local_label(node: Node, k: int) -> str | None:
    """The label on the arrow from ``node.inputs[k]``: ∂node/∂input as
    "×0.4" (a σ or tanh node: "×a(1−a) = 0.1836"); None before the backward
    pass reaches the node (its grad unknown) or for a constant input."""
    if node.grad is None or node.local is None or k >= len(node.local) or node.local[k] is None:
        return None
    formula = _FORMULA_OF_SYMBOL.get(node.symbol) if node.op == "act" else None
    value = fmt(node.local[k])
    return f"×{formula} = {value}" if formula else f"×{value}"


def label_size(text: str) -> tuple[float, float]:
    fm = QFontMetricsF(_font())
    return fm.horizontalAdvance(text) + 2 * LABEL_PAD, fm.height() + 2


def slot_width(node: Node) -> float:
    """Room for the widest local-derivative label of an operation: the usual
    numbers at least (so most steps keep the layout), wider ones widen it."""
    formula = _FORMULA_OF_SYMBOL.get(node.symbol) if node.op == "act" else None
    reserve = f"×{formula} = 0.1234" if formula else "×-0.1234"  # σ′, tanh′ > 0
    texts = [reserve] + [t for k in range(len(node.inputs))
                         if (t := local_label(node, k)) is not None]
    return max(label_size(t)[0] for t in texts)


def tooltip(node: Node, batch_size: int) -> str:
    lines = [node.label]
    if node.symbol:
        lines.append(f"operation: {node.symbol}")
    if node.local_text:
        lines.append(f"local derivative: {node.local_text}")
    if node.local is not None and node.inputs:
        lines.append("local values: " + ", ".join(
            "–" if v is None else fmt(v) for v in node.local))
    if node.op in ("weight", "bias"):
        lines.append(f"grad: {PARTIAL}L/{PARTIAL}{node.op[0]} of the whole mini-batch"
                     + (f"; this sample's share {fmt(node.sample_grad)}"
                        if batch_size > 1 and node.sample_grad is not None else ""))
    else:
        lines.append(f"grad: {PARTIAL}L/{PARTIAL}(this node), this sample")
    return "\n".join(lines)


class _Highlightable(QGraphicsItem):
    """A box or circle of the graph that the selection may highlight (its
    outline drawn wider, so the bounds leave room for it)."""

    highlighted = False
    _rect = QRectF()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-3, -3, 3, 3)

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.update()


class NodeBox(_Highlightable):
    """A node's box: label, data, grad; clicking it selects its canvas item."""

    def __init__(self, node: Node):
        super().__init__()
        self.node = node
        self.highlighted = False
        self.compact = False  # one line: "a(h1) = 0.6225   grad 0.0491"
        self.lines: tuple = ()
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.set_node(node)

    def set_node(self, node: Node, batch_size: int = 1) -> None:
        self.node = node
        lines = node_lines(node, batch_size)
        if lines != self.lines:
            self.lines = lines
            self.update()
        self.setToolTip(tooltip(node, batch_size))

    def texts(self) -> list[str]:
        """The box's lines as shown: "w(h1 → out1) = 0.4", "grad -0.02771"."""
        label, value, grad = self.lines
        return [label + value] + ([grad] if grad is not None else [])

    @staticmethod
    def size_for(node: Node, batch_size: int = 1, compact: bool = False) -> tuple[float, float]:
        bold, plain = QFontMetricsF(_font(True)), QFontMetricsF(_font())
        label, value, grad = node_lines(node, batch_size)
        # room for the usual numbers at least (-0.1234, -0.001234), so most
        # steps change no box's size; longer ones widen it (graph_view.py)
        first = bold.horizontalAdvance(label) + plain.horizontalAdvance(
            max(value, " = -0.1234", key=len))
        second = plain.horizontalAdvance(max(grad or "", "grad -0.001234", key=len)) \
            if grad is not None else 0.0
        if compact:  # label, value and grad on one line
            width = first + (COMPACT_GRAD_GAP + second if grad is not None else 0.0)
            return width + 2 * PAD, plain.height() + 2 * COMPACT_PAD_Y
        width = max(first, second)
        rows = 2 if node.op != "target" else 1
        return width + 2 * PAD, rows * plain.height() + 2 * PAD - 2

    def set_size(self, w: float, h: float) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(0, 0, w, h)


    def paint(self, painter: QPainter, option, widget=None) -> None:
        n = self.node
        fill = PARAM_FILL if n.op in ("weight", "bias") else (
            LEAF_FILL if n.op in ("input", "target") else VALUE_FILL)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(HIGHLIGHT, 4) if self.highlighted else QPen(BORDER, 1.2)
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(self._rect, 6, 6)
        line_h = QFontMetricsF(_font()).height()
        x, y = PAD, (COMPACT_PAD_Y if self.compact else PAD - 1)
        label, value, grad = self.lines
        bold = _font(True)
        painter.setFont(bold)
        painter.setPen(TEXT)
        w = self._rect.width()
        painter.drawText(QRectF(x, y, w, line_h), Qt.AlignmentFlag.AlignLeft, label)
        painter.setFont(_font())
        painter.setPen(MUTED if n.value is None else TEXT)
        painter.drawText(QRectF(x + QFontMetricsF(bold).horizontalAdvance(label), y, w, line_h),
                         Qt.AlignmentFlag.AlignLeft, value)
        if grad is not None:
            painter.setPen(MUTED if n.grad is None else GRAD)
            if self.compact:  # on the one line, at its right end
                painter.drawText(QRectF(x, y, w - 2 * PAD, line_h), Qt.AlignmentFlag.AlignRight,
                                 grad)
            else:
                painter.drawText(QRectF(x, y + line_h, w, line_h), Qt.AlignmentFlag.AlignLeft,
                                 grad)


class LocalLabel(QGraphicsItem):
    """∂node/∂input on the arrow from an input into an operation (hidden
    until the backward pass reaches the operation)."""

    def __init__(self, node: Node, k: int, width: float):
        super().__init__()
        self.k = k
        self.input_id = node.inputs[k]
        self._text: str | None = None
        h = label_size("×0")[1]
        self._rect = QRectF(0, -h / 2, width, h)  # its left end at (0, 0)
        self.setZValue(1)
        self.set_node(node)

    def set_node(self, node: Node) -> None:
        self.node = node
        text = local_label(node, self.k)
        if text != self._text:
            self._text = text
            self.update()
        self.setVisible(text is not None)
        self.setToolTip("" if text is None else
                        f"local derivative {PARTIAL}({node.label})/{PARTIAL}(input) = "
                        f"{fmt(node.local[self.k])}\n{node.local_text}\n"
                        f"the input's grad gets (this) × grad of {node.label}")

    def text(self) -> str | None:
        return self._text

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._text is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(EDGE, 1))
        painter.setBrush(QBrush(LOCAL_FILL))
        painter.drawRoundedRect(self._rect, 4, 4)
        painter.setFont(_font())
        painter.setPen(LOCAL)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self._text)


class OpCircle(_Highlightable):
    """The operation that makes a node, drawn as micrograd draws it."""

    def __init__(self, node: Node):
        super().__init__()
        self.node = node
        self.highlighted = False
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        w = self.width_for(node)
        self._rect = QRectF(-w, -CIRCLE / 2, w, CIRCLE)  # its right end at (0, 0)

    @staticmethod
    def width_for(node: Node) -> float:
        return max(CIRCLE, QFontMetricsF(_font(True)).horizontalAdvance(node.symbol) + 12)

    @property
    def width(self) -> float:
        return self._rect.width()


    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(HIGHLIGHT, 4) if self.highlighted else QPen(BORDER, 1.2))
        painter.setBrush(QBrush(OP_FILL))
        painter.drawRoundedRect(self._rect, CIRCLE / 2, CIRCLE / 2)
        painter.setFont(_font(True))
        painter.setPen(TEXT)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.node.symbol)


def arrow(start: QPointF, end: QPointF) -> QGraphicsPathItem:
    """A curved arrow from an input's box to the operation's circle."""
    path = QPainterPath(start)
    dx = max(12.0, (end.x() - start.x()) / 2)
    path.cubicTo(start + QPointF(dx, 0), end - QPointF(dx, 0), end)
    head = QPainterPath(end)
    head.lineTo(end + QPointF(-8, -4))
    head.lineTo(end + QPointF(-8, 4))
    head.closeSubpath()
    path.addPath(head)
    item = QGraphicsPathItem(path)
    item.setPen(QPen(EDGE, 1.3))
    item.setBrush(QBrush(EDGE))
    item.setZValue(-1)
    return item


def arrow_via(start: QPointF, slot_left: QPointF, slot_right: QPointF,
              end: QPointF) -> QGraphicsPathItem:
    """An arrow from an input's box through its label slot (a straight piece
    the label covers) into the operation's circle."""
    path = QPainterPath(start)
    dx = max(12.0, (slot_left.x() - start.x()) / 2)
    path.cubicTo(start + QPointF(dx, 0), slot_left - QPointF(dx, 0), slot_left)
    path.lineTo(slot_right)
    dx = max(4.0, (end.x() - slot_right.x()) / 2)
    path.cubicTo(slot_right + QPointF(dx, 0), end - QPointF(dx, 0), end)
    item = QGraphicsPathItem(path)
    item.setPen(QPen(EDGE, 1.3))
    item.setZValue(-1)
    head = QPainterPath(end)
    head.lineTo(end + QPointF(-7, -3.5))
    head.lineTo(end + QPointF(-7, 3.5))
    head.closeSubpath()
    tip = QGraphicsPathItem(head, item)
    tip.setPen(QPen(EDGE, 1))
    tip.setBrush(QBrush(EDGE))
    return item


def layout(graph: CompGraph, sizes: dict[str, tuple[float, float]],
           op_widths: dict[str, float], row_gap: float = ROW_GAP) -> dict[str, QPointF]:
    """Top-left corner of each node's box: columns left to right (leaves
    left, L right), each column's boxes stacked and centred; a leaf sits
    beside its first consumer's row order."""
    cols = graph.columns()
    order = {n.id: k for k, n in enumerate(graph.nodes)}
    consumers: dict[str, list[int]] = {}
    for n in graph.nodes:
        for i in n.inputs:
            consumers.setdefault(i, []).append(order[n.id])
    n_cols = max(cols.values(), default=0) + 1
    members: list[list[str]] = [[] for _ in range(n_cols)]
    for n in graph.nodes:
        members[cols[n.id]].append(n.id)
    for m in members:  # leaves near what they feed
        m.sort(key=lambda i: (min(consumers.get(i, [order[i]])), order[i]))
    x, xs = 0.0, []
    for m in members:
        op = max((op_widths.get(i, 0.0) for i in m), default=0.0)
        left = x + (op + CIRCLE_GAP if op else 0.0)
        xs.append(left)
        x = left + max((sizes[i][0] for i in m), default=0.0) + COLUMN_GAP
    heights = [sum(sizes[i][1] for i in m) + row_gap * max(0, len(m) - 1) for m in members]
    tallest = max(heights, default=0.0)
    pos = {}
    for c, m in enumerate(members):
        y = (tallest - heights[c]) / 2
        for i in m:
            pos[i] = QPointF(xs[c], y)
            y += sizes[i][1] + row_gap
    return pos
