"""The view on the network canvas: zoom around the cursor, pan on empty space."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsProxyWidget, QGraphicsView

from . import palette

MIN_SCALE, MAX_SCALE = 0.05, 8.0
FIT_MAX_SCALE = 1.6  # small networks are not blown up beyond this
FIT_MARGIN = 12  # screen pixels left free around the fitted network
FEW_EDGES = 200  # up to here the fit tries both legend sides with the labels placed
ANTIALIAS_MIN_SCALE = 0.3  # farther out, drop antialiasing (thousands of hairlines)
WHEEL_STEP = 1.0015  # zoom factor per 1/8 degree of wheel rotation


class NetworkView(QGraphicsView):
    """Shows a NetworkScene.

    - wheel: zoom around the cursor
    - drag on empty space: pan (item drags still move neurons)
    - ``fit_to_window()``: the whole network in view
    Signals:
        zoom_changed(float): the new scale (1.0 = 100 %).
    """

    zoom_changed = Signal(float)

    def __init__(self, scene=None, parent=None):
        super().__init__(parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setBackgroundBrush(palette.BACKGROUND)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # One rectangle around everything that changed: a relabel marks up to
        # thousands of items dirty, and collecting them as a region (smart or
        # minimal updates) costs more than painting their bounding rectangle.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self._panning = False
        self._fitted = False  # fit once when first shown
        self._auto_fit = True  # fit again on resize, until the user zooms or pans
        if scene is not None:
            self.setScene(scene)

    def setScene(self, scene) -> None:
        old = self.scene()
        if old is not None and hasattr(old, "content_resized"):
            old.content_resized.disconnect(self._on_content_resized)
            old.reshaped.disconnect(self._on_reshaped)
        super().setScene(scene)
        if hasattr(scene, "set_view_zoom"):
            scene.set_view_zoom(self.zoom)
        if hasattr(scene, "content_resized"):
            scene.content_resized.connect(self._on_content_resized)
            scene.reshaped.connect(self._on_reshaped)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        if self._panning:  # panned by hand: keep it, no more auto fit
            self._auto_fit = False
        scene = self.scene()
        if hasattr(scene, "view_scrolled"):
            scene.view_scrolled()

    # -- zoom ----------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, scale: float) -> None:
        """Zoom to ``scale`` around the middle of the network part in view
        (the legend, which keeps its size on screen, may fill the rest);
        by hand: no more auto fit."""
        self._auto_fit = False
        scale = min(MAX_SCALE, max(MIN_SCALE, scale))
        scene = self.scene()
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        focus = (scene.network_rect().intersected(visible)
                 if hasattr(scene, "network_rect") else QRectF())
        if not focus.isEmpty():
            self.zoom_at(self.mapFromScene(focus.center()), scale / self.zoom)
            return
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self._scale_by(scale / self.zoom)
        self.setTransformationAnchor(anchor)

    def _scale_by(self, factor: float) -> None:
        target = min(MAX_SCALE, max(MIN_SCALE, self.zoom * factor))
        factor = target / self.zoom
        if abs(factor - 1.0) < 1e-9:
            return
        self.scale(factor, factor)
        self._zoomed()

    def _zoomed(self, place_now: bool = False) -> None:
        self.setRenderHint(QPainter.RenderHint.Antialiasing, self.zoom >= ANTIALIAS_MIN_SCALE)
        scene = self.scene()
        if hasattr(scene, "set_view_zoom"):
            scene.set_view_zoom(self.zoom, place_now=place_now)
        self.zoom_changed.emit(self.zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if not delta:
            event.ignore()
            return
        self.zoom_at(event.position().toPoint(), WHEEL_STEP ** delta)
        event.accept()

    def zoom_at(self, view_point, factor: float) -> None:
        """Zoom by ``factor`` keeping the scene point under ``view_point`` in place."""
        self._auto_fit = False
        scene_point = self.mapToScene(view_point)
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self._scale_by(factor)
        self.setTransformationAnchor(anchor)
        moved = self.mapFromScene(scene_point) - view_point
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + moved.x())
        v.setValue(v.value() + moved.y())

    def fit_to_window(self) -> None:
        """Show the whole network with its labels, as large as fits (not
        enlarged beyond FIT_MAX_SCALE), and keep it fitted when the canvas
        area changes until the user zooms or pans by hand."""
        self._auto_fit = True
        scene = self.scene()
        if scene is None:
            return
        if not hasattr(scene, "predict_content_rect"):
            rect = scene.itemsBoundingRect()
            if not rect.isEmpty():
                self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            return
        # Labels keep their size on screen (scene.py), so the content's scene
        # size depends on the zoom: try zooms (bisection) for each side of
        # the legend and keep the largest that fits.
        vw, vh = self.viewport().width(), self.viewport().height()
        rooms = {"right": (0.45 * vw, vh - 2 * FIT_MARGIN),
                 "below": (vw - 2 * FIT_MARGIN, 0.4 * vh)}
        if hasattr(scene, "fit_shrink"):
            scene.fit_shrink = 1.0
        fits = {}
        for side in ("right", "below"):
            scene.set_legend_side(side, rooms[side])
            fits[side] = self._largest_fitting_zoom(scene)
        # the larger network wins; on a small network (placing is cheap) the
        # side that leaves fewer numbers without room comes first
        order = sorted(fits, key=lambda s: -fits[s])
        if getattr(scene, "_n_edges", FEW_EDGES + 1) <= FEW_EDGES:
            hidden = {}
            for side in order:
                self._apply_fit(scene, side, rooms[side], fits[side])
                hidden[side] = scene.hidden_labels
            order.sort(key=lambda s: hidden[s])  # stable: ties keep the larger zoom
        side = order[0]
        self._apply_fit(scene, side, rooms[side], fits[side])
        self._give_back_large_text(scene, side, rooms[side])
        self._auto_fit = True

    def _give_back_large_text(self, scene, side: str, room) -> None:
        """Text larger than normal (text size, presentation mode) shrinks
        step by step, never below its normal size, while a number of the
        step finds no room on a small network: every number comes first."""
        if getattr(scene, "_n_edges", FEW_EDGES + 1) > FEW_EDGES:
            return
        while scene.hidden_labels and scene.fit_shrink > 0.5:
            zoom = self.zoom
            if scene.screen_text_factor(zoom) * 0.9 < 1.0:
                return  # already at the normal size on screen
            scene.fit_shrink *= 0.9
            self._apply_fit(scene, side, room, self._largest_fitting_zoom(scene))

    def _apply_fit(self, scene, side: str, room, zoom: float) -> None:
        scene.set_legend_side(side, room)
        rect = scene.predict_content_rect(zoom)
        self.resetTransform()
        self.scale(zoom, zoom)
        self.centerOn(rect.center())
        self._zoomed(place_now=True)

    def _largest_fitting_zoom(self, scene) -> float:
        room = self.viewport().size()
        w, h = room.width() - 2 * FIT_MARGIN, room.height() - 2 * FIT_MARGIN

        def fits(zoom: float) -> bool:
            rect = scene.predict_content_rect(zoom)
            return rect.width() * zoom <= w and rect.height() * zoom <= h

        if fits(FIT_MAX_SCALE):
            return FIT_MAX_SCALE
        lo, hi = MIN_SCALE, FIT_MAX_SCALE
        for _ in range(12):  # the zoom to within 0.1 %
            mid = (lo * hi) ** 0.5
            lo, hi = (mid, hi) if fits(mid) else (lo, mid)
        return lo

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._auto_fit and self._fitted:
            self.fit_to_window()

    def _on_reshaped(self) -> None:
        """Neurons or layers were added or removed: the whole network in view
        again, even after a zoom by hand (a new layer would be out of sight)."""
        if self._fitted:
            self.fit_to_window()

    def _on_content_resized(self) -> None:
        if self._auto_fit and self._fitted:
            self.fit_to_window()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            self.fit_to_window()

    # -- pan on empty space --------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        scene = self.scene()
        if (event.button() == Qt.MouseButton.LeftButton and scene is not None
                and hasattr(scene, "interactive_item_at")
                and scene.interactive_item_at(self.mapToScene(event.position().toPoint())) is None
                and not isinstance(self.itemAt(event.position().toPoint()),
                                   QGraphicsProxyWidget)):
            # QGraphicsView starts hand scrolling only when the scene ignores the press
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            self._panning = True
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if self._panning:
            self._panning = False
            self.setDragMode(QGraphicsView.DragMode.NoDrag)

