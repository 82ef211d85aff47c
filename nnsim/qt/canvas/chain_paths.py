"""The chain rule's paths on the canvas (a part of NetworkScene).

Selecting a hidden weight lists, in the inspector, every path from it to the
loss; the canvas draws the same paths (``chainrule.Path.edges``) as a glow
under their edges. Hovering one of the inspector's rows focuses that one path:
only its edges glow, and its product is written on the path, over no other number.

The glow is a few extra items under the highlighted edges only: no edge's pen
changes, so a relabel never has to know about it and highlighting k paths
costs k paths' items, whatever the network's size (docs/performance.md).
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsLineItem

from ...core.naming import fmt
from ..selection import EdgeRef
from . import palette
from .items import NEURON_RADIUS, Z_HALO, Z_LABEL, ValueLabelItem

GLOW_WIDTH = palette.MAX_WIDTH + 8  # wider than the widest edge: a rim shows around it
FOCUS_WIDTH = palette.MAX_WIDTH + 10
LABEL_GAP = 8.0  # between a neuron's circle and the product's box (a path without edges)
# Where on an edge the product may go, best first: the middle, then outwards.
LABEL_TS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82)


class PathGlowItem(QGraphicsLineItem):
    """The glow under one edge of a highlighted path."""

    def __init__(self, edge, focus: bool):
        super().__init__()
        self.edge = edge
        pen = QPen(palette.PATH_FOCUS if focus else palette.PATH_GLOW,
                   FOCUS_WIDTH if focus else GLOW_WIDTH)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(pen)
        self.setZValue(Z_HALO - 1)  # under the selection's halo and the edges
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.follow()

    def follow(self) -> None:
        self.setLine(self.edge.line())


class PathLabelItem(ValueLabelItem):
    """The focused path's product, on one of its edges (clicks go through)."""

    def __init__(self):
        super().__init__(None)
        self.setZValue(Z_LABEL + 1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.unsetCursor()


class ChainPaths:
    """The highlighted paths of one scene: the glow items and the product label."""

    def __init__(self, scene):
        self.scene = scene
        self.paths: tuple = ()
        self.focus = None
        self.glows: list[PathGlowItem] = []
        self.label: PathLabelItem | None = None
        self._key = None

    # -- what is shown ------------------------------------------------------------
    @property
    def edges(self) -> frozenset:
        """(layer, i, j) of every edge glowing now."""
        return frozenset((g.edge.ref.layer, g.edge.ref.source, g.edge.ref.target)
                         for g in self.glows)

    def show(self, paths, focus=None) -> None:
        """Glow the edges of ``paths``; with ``focus`` (one of them), only its
        edges, and its product on it."""
        paths = tuple(paths or ())
        key = (tuple(p.edges for p in paths),
               None if focus is None else (focus.edges, focus.neurons, focus.product))
        if key == self._key:
            return
        self.paths, self.focus, self._key = paths, focus, key
        self._remove_items()
        shown = (focus,) if focus is not None else paths
        seen = set()
        for path in shown:
            for k, i, j in path.edges:
                edge = self.scene.item_for(EdgeRef(k, i, j))
                if edge is None or (k, i, j) in seen:
                    continue
                seen.add((k, i, j))
                glow = PathGlowItem(edge, focus is not None)
                self.scene.addItem(glow)
                self.glows.append(glow)
        if focus is not None:
            self._show_product(focus)

    def clear(self) -> None:
        self.show(())

    def items_lost(self) -> None:
        """The scene cleared every item (a rebuild): draw the paths again on
        the new edges when they are shown next."""
        self.glows, self.label, self._key = [], None, None

    def redraw(self) -> None:
        """After a rebuild: the same paths on the new items (if they still exist)."""
        paths, focus = self.paths, self.focus
        self.items_lost()
        self.show(paths, focus)

    def follow(self) -> None:
        """Keep up with moved neurons and with the labels placed again (a
        zoom changes their size)."""
        for glow in self.glows:
            glow.follow()
        if self.label is not None and self.focus is not None:
            self.label.setScale(self.scene.label_scale)
            self._place_label(self.focus)

    # -- internals -------------------------------------------------------------------
    def _remove_items(self) -> None:
        for item in self.glows + ([self.label] if self.label is not None else []):
            self.scene.removeItem(item)
        self.glows, self.label = [], None

    def _show_product(self, path) -> None:
        # one short line: the glow shows the route, the inspector's row names it
        lines = ((f"path product = {fmt(path.product)}",
                  palette.text_color(path.product, palette.GRADIENT)),)
        self.label = PathLabelItem()
        self.label.set_lines(lines)
        self.label.setScale(self.scene.label_scale)
        self.scene.addItem(self.label)
        self._place_label(path)

    def _place_label(self, path) -> None:
        """On one of the path's edges (the last first, the middle first),
        where the box covers no neuron, number, header or the legend; with
        no such spot (zoomed far out), where it covers fewest."""
        label = self.label
        w, h = (v * label.scale() for v in label.box)
        edges = [self.scene.edges[k][i][j] for k, i, j in reversed(path.edges)]
        if not edges:  # a path without a connection: beside its neuron
            k, j = path.neurons[-1]
            neuron = self.scene.neurons[k][j]
            label.setPos(neuron.pos() + QPointF(NEURON_RADIUS + LABEL_GAP + w / 2, 0))
            return
        obstacles = self._obstacles()
        room = self.scene.content_rect()
        lift = h + 4  # just above or below the edge, when on it is taken
        best, fewest = edges[0].point_at(0.5), len(obstacles) + 1
        for edge in edges:
            for dy in (0.0, -lift / 2, lift / 2, -lift, lift):
                for t in LABEL_TS:
                    c = edge.point_at(t) + QPointF(0, dy)
                    box = QRectF(c.x() - w / 2, c.y() - h / 2, w, h)
                    covered = sum(box.intersects(o) for o in obstacles)
                    if covered == 0 and room.contains(box):
                        label.setPos(c)
                        return
                    if covered < fewest:  # no room anywhere: cover as little as can be
                        best, fewest = c, covered
        label.setPos(best)

    def _obstacles(self) -> list[QRectF]:
        """What the product's box must not cover: the neurons, the numbers
        shown, the headers and the legend."""
        scene = self.scene
        rects = []
        for row in scene.neurons:
            for n in row:
                rects.append(n.sceneBoundingRect())
                if n.label.lines and n.label.isVisible():
                    rects.append(n.label.sceneBoundingRect())
        for grid in scene.edges[1:]:
            for row in grid:
                rects += [e.label.sceneBoundingRect() for e in row
                          if e.label.lines and e.label.isVisible()]
        rects += [h.sceneBoundingRect() for h in scene.headers]
        if scene.legend is not None:
            rects.append(scene.legend.sceneBoundingRect())
        return rects
