"""The graphics items of the network canvas.

Items hold ids (NeuronRef / EdgeRef) and what they currently show; they never
hold the truth. The scene sets their text, pens and positions; user input on
them is handled by the scene (one place for selection, drags, menus, editing).
"""
from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFontMetricsF, QImage, QPainter, QPainterPath,
                           QPainterPathStroker, QPen, QTransform)
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsLineItem, QGraphicsRectItem,
                               QStyleOptionGraphicsItem)

from ..selection import EdgeRef, NeuronRef
from . import palette

NEURON_RADIUS = 22.0
EDGE_HIT_WIDTH = 9.0  # edges are easy to click even when drawn thin

# z order, bottom to top
Z_BAND = -10
Z_HALO = -2
Z_EDGE = 0
Z_NEURON = 10
Z_LABEL = 20
Z_HEADER = 15
Z_LEGEND = 30
Z_EDITOR = 100


def _readable(painter: QPainter, option: QStyleOptionGraphicsItem, px: float) -> bool:
    """Whether text of ``px`` scene pixels is large enough on screen to read."""
    lod = option.levelOfDetailFromTransform(painter.worldTransform())
    return lod * px >= palette.MIN_READABLE_PX


class NeuronItem(QGraphicsItem):
    """A neuron: a circle with its name inside. Its values are in a ValueLabelItem.

    With a heat map (heat_maps.py) the circle is filled with it and the name
    sits on a small plate in the neuron's fill colour, so it stays readable."""

    def __init__(self, ref: NeuronRef, name: str):
        super().__init__()
        self.ref = ref
        self.name = name
        self.selected = False
        self.flagged = False  # named by the run panel's diagnosis
        self.fill = palette.NEURON_FILL
        self.edges: list[EdgeItem] = []  # connections in and out, kept in sync on drags
        self.label: ValueLabelItem | None = None
        self.heat_image: QImage | None = None  # the heat map shown, row 0 at the top
        self.heat_range: tuple[float, float] | None = None  # the values of its two ends
        self._heat_brush: QBrush | None = None
        self.setZValue(Z_NEURON)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        r = NEURON_RADIUS + 8  # room for the diagnosis ring and badge
        self._bounds = QRectF(-r, -r, 2 * r, 2 * r)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), NEURON_RADIUS + 1, NEURON_RADIUS + 1)
        return path

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.update()

    def set_flagged(self, on: bool) -> None:
        if on != self.flagged:
            self.flagged = on
            self.update()

    def set_fill(self, color: QColor) -> None:
        if color != self.fill:
            self.fill = color
            self.update()

    def set_heat_map(self, image: QImage | None, value_range=None) -> None:
        """Fill the circle with ``image`` (None: the plain fill again)."""
        if image is None and self.heat_image is None:
            return
        self.heat_image, self.heat_range = image, value_range
        self._heat_brush = None
        if image is not None:
            # the image, scaled onto the circle's square
            r = NEURON_RADIUS
            self._heat_brush = QBrush(image)
            t = QTransform()
            t.translate(-r, -r)
            t.scale(2 * r / image.width(), 2 * r / image.height())
            self._heat_brush.setTransform(t)
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        r = NEURON_RADIUS
        if self.selected:
            painter.setPen(QPen(palette.SELECTION, 5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), r + 1.5, r + 1.5)
        heat = self._heat_brush
        if heat is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.setPen(QPen(palette.NEURON_BORDER, 1.6))
        painter.setBrush(heat if heat is not None else QBrush(self.fill))
        painter.drawEllipse(QPointF(0, 0), r, r)
        if _readable(painter, option, palette.NAME_PX):
            f = _fonts()
            painter.setFont(f.name)
            if heat is not None:  # the name on a plate of the neuron's fill
                w = f.name_metrics.horizontalAdvance(self.name) + 6
                h = f.name_metrics.height() + 1
                plate = QColor(self.fill)
                plate.setAlpha(225)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(plate)
                painter.drawRoundedRect(QRectF(-w / 2, -h / 2, w, h), 3, 3)
            painter.setPen(palette.TEXT)
            painter.drawText(QRectF(-r, -r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, self.name)
        if self.flagged:
            draw_flag(painter, QPointF(0, 0), r)


def draw_flag(painter: QPainter, centre: QPointF, r: float) -> None:
    """The diagnosis mark: a dashed red ring round a neuron of radius ``r``
    and a "!" badge at its top right (also the legend's swatch)."""
    pen = QPen(palette.FLAGGED, max(1.5, r / 8))
    pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(centre, r + r / 5, r + r / 5)
    b = max(4.0, r / 2.6)
    c = centre + QPointF(r * 0.8, -r * 0.8)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(palette.FLAGGED)
    painter.drawEllipse(c, b, b)
    font = painter.font()
    font.setBold(True)
    font.setPixelSize(max(1, int(b * 1.5)))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(c.x() - b, c.y() - b, 2 * b, 2 * b), Qt.AlignmentFlag.AlignCenter, "!")


class EdgeItem(QGraphicsLineItem):
    """A connection (present: solid, coloured; removed: faint dashed, still clickable)."""

    def __init__(self, ref: EdgeRef, source: NeuronItem, target: NeuronItem):
        super().__init__()
        self.ref = ref
        self.source, self.target = source, target
        self.present = True
        self.label: ValueLabelItem | None = None
        self.label_t = 0.5  # where the label sits, as a fraction of the edge length
        self.pen_key = None  # palette.edge_pen_codes code of the pen set (None: Qt's default)
        self._bounds = QRectF()
        self._shape = None  # (hit width, path), see shape()
        self.setZValue(Z_EDGE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.sync()

    def sync(self) -> None:
        """Follow the neurons' positions (and move the label along)."""
        line = QLineF(self.source.pos(), self.target.pos())
        self.prepareGeometryChange()
        self._shape = None
        m = EDGE_HIT_WIDTH / 2 + 1  # covers the widest pen (MAX_WIDTH) too
        self._bounds = QRectF(line.p1(), line.p2()).normalized().adjusted(-m, -m, m, m)
        self.setLine(line)
        if self.label is not None:
            self.label.setPos(self.point_at(self.label_t))

    def point_at(self, t: float) -> QPointF:
        p, q = self.source.pos(), self.target.pos()
        return QPointF(p.x() + t * (q.x() - p.x()), p.y() + t * (q.y() - p.y()))

    def boundingRect(self) -> QRectF:
        # wide enough for the hit area, so a thin edge is still easy to click
        return self._bounds

    def shape(self) -> QPainterPath:
        # made once per position (hit tests ask for it often); pens are never
        # wider than EDGE_HIT_WIDTH, so the pen does not change it
        width = max(EDGE_HIT_WIDTH, self.pen().widthF())
        if self._shape is None or self._shape[0] != width:
            path = QPainterPath()
            line = self.line()
            path.moveTo(line.p1())
            path.lineTo(line.p2())
            stroker = QPainterPathStroker()
            stroker.setWidth(width)
            self._shape = (width, stroker.createStroke(path))
        return self._shape[1]


class HaloItem(QGraphicsLineItem):
    """The highlight under the selected edge."""

    def __init__(self):
        super().__init__()
        self.setZValue(Z_HALO)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setVisible(False)

    def follow(self, edge: EdgeItem | None) -> None:
        if edge is None:
            self.setVisible(False)
            return
        pen = QPen(palette.SELECTION, edge.pen().widthF() + 8)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(pen)
        self.setLine(edge.line())
        self.setVisible(True)


class _Fonts:
    def __init__(self):
        self.name = palette.font(palette.NAME_PX, bold=True)
        self.name_metrics = QFontMetricsF(self.name)
        self.value = palette.font(palette.VALUE_PX)
        self.header = palette.font(palette.HEADER_PX, bold=True)
        self.legend = palette.font(palette.LEGEND_PX)
        self.legend_bold = palette.font(palette.LEGEND_PX, bold=True)
        self.value_metrics = QFontMetricsF(self.value)
        self.value_height = self.value_metrics.height()
        self.header_metrics = QFontMetricsF(self.header)
        self.legend_metrics = QFontMetricsF(self.legend)
        self.legend_bold_metrics = QFontMetricsF(self.legend_bold)


_FONTS: _Fonts | None = None


def _fonts() -> _Fonts:
    global _FONTS
    if _FONTS is None:  # needs a QGuiApplication, so built on first use
        _FONTS = _Fonts()
    return _FONTS


_WIDTHS: dict[str, float] = {}  # text -> its width in the value font
_WIDTHS_MAX = 50_000


def _text_width(text: str) -> float:
    """horizontalAdvance of ``text`` in the value font, remembered (labels
    show the same numbers again and again, e.g. a weight before and after
    an update)."""
    w = _WIDTHS.get(text)
    if w is None:
        if len(_WIDTHS) >= _WIDTHS_MAX:
            _WIDTHS.clear()
        w = _WIDTHS[text] = _fonts().value_metrics.horizontalAdvance(text)
    return w


class ValueLabelItem(QGraphicsItem):
    """Numbers in a light box: the lines an edge or a neuron shows.

    ``pos()`` is the centre of the box. A click on it means its owner.
    """

    PAD_X, PAD_Y = 4.0, 1.5
    WIDTH_STEP = 4.0

    def __init__(self, owner):
        super().__init__()
        self.owner = owner
        self.lines: tuple = ()  # ((text, QColor), ...)
        self._rect = QRectF()
        self.box = (0.0, 0.0)  # the box's width and height (unscaled)
        self._texts: list[str] = []
        self.setZValue(Z_LABEL)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    @property
    def texts(self) -> list[str]:
        return [t for t, _ in self.lines]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def set_lines(self, lines: tuple) -> bool:
        """Show ``lines``; returns True when the box changed size."""
        if lines == self.lines:
            return False
        changed = False
        texts = [t for t, _ in lines]
        if texts != self._texts:
            self._texts = texts
            if texts:
                w = max(map(_text_width, texts)) if len(texts) > 1 else _text_width(texts[0])
                # widths in steps, so most new numbers keep the box (and its place)
                w = math.ceil((w + 2 * self.PAD_X) / self.WIDTH_STEP) * self.WIDTH_STEP
                h = len(texts) * _fonts().value_height + 2 * self.PAD_Y
            else:
                w = h = 0.0
            if (w, h) != self.box:
                self.prepareGeometryChange()
                self._rect = QRectF(-w / 2, -h / 2, w, h) if texts else QRectF()
                self.box = (w, h)
                changed = True
        self.lines = lines
        self.update()
        return changed

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not self.lines or not _readable(painter, option, palette.VALUE_PX):
            return
        f = _fonts()
        painter.setPen(QPen(palette.LABEL_BORDER, 0.8))
        painter.setBrush(palette.LABEL_BOX)
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setFont(f.value)
        lh = f.value_metrics.height()
        y = self._rect.top() + self.PAD_Y
        for text, color in self.lines:
            painter.setPen(color)
            painter.drawText(QRectF(self._rect.left(), y, self._rect.width(), lh),
                             Qt.AlignmentFlag.AlignCenter, text)
            y += lh


class HeaderItem(QGraphicsItem):
    """The title above a layer's column ("Hidden · sigmoid")."""

    def __init__(self):
        super().__init__()
        self.text = ""
        self._rect = QRectF()
        self.setZValue(Z_HEADER)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        fm = _fonts().header_metrics
        w, h = fm.horizontalAdvance(text) + 8, fm.height() + 4
        self.prepareGeometryChange()
        self.text, self._rect = text, QRectF(-w / 2, -h / 2, w, h)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not _readable(painter, option, palette.HEADER_PX):
            return
        painter.setFont(_fonts().header)
        painter.setPen(palette.TEXT)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


class BandItem(QGraphicsRectItem):
    """The soft background band behind the layer just computed."""

    def __init__(self):
        super().__init__()
        self.setZValue(Z_BAND)
        self.setPen(QPen(palette.BAND_BORDER, 1))
        self.setBrush(palette.BAND)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setVisible(False)


class LegendItem(QGraphicsItem):
    """What the colours and widths mean, and where the cycle is.

    ``status`` holds a few short lines (the last step, the next one, the
    sample shown); ``showing`` is the set of edge kinds on the canvas now
    (their legend rows are drawn bold).
    """

    WIDTH = 300.0
    PAD = 10.0

    ROWS = (
        ("line", palette.WEIGHT, palette.WEIGHT_POS, "weight w > 0"),
        ("line", palette.WEIGHT, palette.WEIGHT_NEG, "weight w < 0"),
        ("line", palette.GRADIENT, palette.GRAD_POS, "gradient \u2202L/\u2202w > 0"),
        ("line", palette.GRADIENT, palette.GRAD_NEG, "gradient \u2202L/\u2202w < 0"),
        ("dash", None, palette.REMOVED, "removed connection (right-click)"),
        ("text", None, None, "line width: |value| / largest shown"),
        ("fill", None, palette.NEURON_FILL_FORWARD, "z and a computed in this pass"),
        ("fill", None, palette.NEURON_FILL_BACKWARD, "\u03b4 = \u2202L/\u2202z computed"),
        ("band", None, palette.BAND, "the layer just computed"),
        ("glow", None, palette.PATH_GLOW, "a path to the loss (chain rule)"),
        ("flag", None, palette.FLAGGED, "named by the run panel (dead, saturated)"),
    )

    def __init__(self):
        super().__init__()
        self.status: list[str] = []
        self.showing: frozenset = frozenset({palette.WEIGHT})
        self.columns = 1  # 2: the status beside the key (a wide, low legend)
        self.key_shown = True  # False: the status lines only (presentation mode)
        self._status_w = 0.0
        self._rect = QRectF()
        self.setZValue(Z_LEGEND)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._relayout()

    def _line_h(self) -> float:
        return _fonts().legend_metrics.height() + 3

    @property
    def rows(self) -> tuple:
        return self.ROWS if self.key_shown else ()

    def _relayout(self) -> None:
        lh = self._line_h()
        if not self.key_shown:
            fm = _fonts().legend_bold_metrics
            width = max([fm.horizontalAdvance(t) for t in self.status] + [100.0]) + 2 * self.PAD
            rect = QRectF(0, 0, width, self.PAD * 2 + lh * len(self.status))
        elif self.columns == 2:
            fm = _fonts().legend_bold_metrics
            self._status_w = max([fm.horizontalAdvance(t) for t in self.status] + [100.0]) \
                + 2 * self.PAD
            rows = max(len(self.status), len(self.rows))
            rect = QRectF(0, 0, self._status_w + self.WIDTH, self.PAD * 2 + lh * rows)
        else:
            h = self.PAD * 2 + lh * (len(self.status) + len(self.rows)) + (8 if self.status else 0)
            rect = QRectF(0, 0, self.WIDTH, h)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect

    def set_key_shown(self, shown: bool) -> None:
        if shown != self.key_shown:
            self.key_shown = shown
            self._relayout()
            self.update()

    def set_columns(self, columns: int) -> None:
        if columns != self.columns:
            self.columns = columns
            self._relayout()
            self.update()

    def set_state(self, status: list[str], showing: frozenset) -> None:
        if status == self.status and showing == self.showing:
            return
        self.status, self.showing = list(status), showing
        self._relayout()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not _readable(painter, option, palette.LEGEND_PX):
            return
        f = _fonts()
        painter.save()  # the key column is drawn translated
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor(0, 0, 0, 50), 1))
        painter.setBrush(QColor(250, 250, 250, 235))
        painter.drawRoundedRect(self._rect, 6, 6)
        lh = self._line_h()
        x, y = self.PAD, self.PAD
        two = self.columns == 2 and self.key_shown
        status_right = (self._rect.width() - x if not self.key_shown
                        else self._status_w - self.PAD if two else self.WIDTH - x)
        for i, line in enumerate(self.status):
            painter.setFont(f.legend_bold if i == 0 else f.legend)
            painter.setPen(palette.TEXT)
            painter.drawText(QRectF(x, y, status_right - x, lh),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, line)
            y += lh
        if two:
            painter.setPen(QPen(QColor(0, 0, 0, 40), 1))
            painter.drawLine(QPointF(self._status_w, self.PAD),
                             QPointF(self._status_w, self._rect.height() - self.PAD))
            painter.translate(self._status_w, 0)
            y = self.PAD
        elif self.status and self.key_shown:
            painter.setPen(QPen(QColor(0, 0, 0, 40), 1))
            painter.drawLine(QPointF(x, y + 3), QPointF(self.WIDTH - x, y + 3))
            y += 8
        sw = 34.0  # swatch width
        for kind, quantity, color, text in self.rows:
            cy = y + lh / 2
            active = quantity is None or quantity in self.showing
            if kind == "line":
                c = QColor(color)
                if not active:
                    c.setAlpha(90)
                pen = QPen(c, 4)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                painter.setPen(pen)
                painter.drawLine(QPointF(x + 2, cy), QPointF(x + sw - 2, cy))
            elif kind == "glow":  # the chain rule's paths (chain_paths.py): glow under a line
                pen = QPen(palette.PATH_GLOW, 12)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                painter.setPen(pen)
                painter.drawLine(QPointF(x + 6, cy), QPointF(x + sw - 6, cy))
                painter.setPen(QPen(palette.GRAD_POS, 2))
                painter.drawLine(QPointF(x + 2, cy), QPointF(x + sw - 2, cy))
            elif kind == "dash":
                painter.setPen(palette.removed_pen())
                painter.drawLine(QPointF(x + 2, cy), QPointF(x + sw - 2, cy))
            elif kind == "fill":
                painter.setPen(QPen(palette.NEURON_BORDER, 1))
                painter.setBrush(color)
                painter.drawEllipse(QPointF(x + sw / 2, cy), lh / 2 - 1, lh / 2 - 1)
            elif kind == "flag":
                draw_flag(painter, QPointF(x + sw / 2, cy), lh / 2 - 2)
            elif kind == "band":
                painter.setPen(QPen(palette.BAND_BORDER, 1))
                painter.setBrush(color)
                painter.drawRect(QRectF(x + 4, cy - lh / 2 + 2, sw - 8, lh - 4))
            bold = kind == "line" and quantity in self.showing
            painter.setFont(f.legend_bold if bold else f.legend)
            painter.setPen(palette.TEXT if active else palette.TEXT_MUTED)
            tx = x if kind == "text" else x + sw + 8
            painter.drawText(QRectF(tx, y, self.WIDTH - tx - self.PAD, lh),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
            y += lh
        painter.restore()
