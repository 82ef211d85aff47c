"""The canvas as a PNG or SVG file, every number of the current step on it.

An export does not copy the screen: the labels on screen are placed for the
view's zoom (and may have been left out for lack of room, or be out of view).
Here the scene is laid out afresh at EXPORT_ZOOM (labels at their normal size
next to a network at 100 %), every label placed for that scale, the legend at
full size to the right; it is drawn, then the scene is put back as it was.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from ...core.limits import EXPORT_MAX_UNITS, IMAGE_MAX_SIDE

EXPORT_ZOOM = 1.0  # scene pixels per SVG unit: labels at their palette size
PNG_SCALE = 2.0  # PNG pixels per SVG unit (print quality), less for a canvas
                 # too big for IMAGE_MAX_SIDE pixels a side
MARGIN = 20.0


class ExportTooLarge(ValueError):
    """The canvas is too large to export; the message states the limit."""


def export_canvas(scene, path: str | Path, title: str = "") -> bool:
    """Write the canvas to ``path``, SVG or PNG by its suffix; False when the
    file could not be written (Qt reports that by a result, not an exception).
    Raises ExportTooLarge, before drawing anything, for a canvas of more than
    EXPORT_MAX_UNITS a side."""
    path = str(path)
    with laid_out_for_export(scene) as rect:
        longest = max(rect.width(), rect.height())
        if longest > EXPORT_MAX_UNITS:
            raise ExportTooLarge(
                f"the canvas is {rect.width():,.0f} x {rect.height():,.0f} units; an export "
                f"holds at most {EXPORT_MAX_UNITS:,} a side. Move far-away neurons closer "
                "(Fit to Window shows them all) and export again")
        if path.lower().endswith(".svg"):
            return _write_svg(scene, rect, path, title)
        return _write_png(scene, rect, path)


def png_scale(rect: QRectF) -> float:
    """PNG pixels per unit: PNG_SCALE, or less so the image stays within
    IMAGE_MAX_SIDE pixels a side (its memory bounded whatever the layout)."""
    return min(PNG_SCALE, IMAGE_MAX_SIDE / max(rect.width(), rect.height(), 1.0))


@contextmanager
def laid_out_for_export(scene):
    """The scene laid out at EXPORT_ZOOM while in the block (yields the
    rectangle an export shows), then as it was."""
    zoom, side, room = scene._view_zoom, scene.legend_side, scene.legend_room
    controls = scene.edit_controls
    scene.exporting = True  # every label placed, not only those in view
    try:
        scene.set_edit_controls(False)  # a picture of the network, not of the editor
        scene.set_legend_side("right")
        scene.set_view_zoom(EXPORT_ZOOM, place_now=True)
        yield drawn_rect(scene)
    finally:
        scene.exporting = False
        scene.set_edit_controls(controls)
        scene.set_legend_side(side, room)
        scene.set_view_zoom(zoom, place_now=True)


def drawn_rect(scene) -> QRectF:
    """What an export shows: the network, every label shown, the legend."""
    rect = scene.content_rect()
    for grid in scene.edges[1:]:
        for row in grid:
            for e in row:
                if e.label.isVisible():
                    rect = rect.united(e.label.sceneBoundingRect())
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def _write_svg(scene, rect: QRectF, path: str, title: str) -> bool:
    gen = QSvgGenerator()
    gen.setFileName(path)
    gen.setSize(rect.size().toSize())
    gen.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    gen.setTitle(title)
    painter = QPainter(gen)
    scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    return painter.end()


def render_png(scene, rect: QRectF) -> QImage:
    scale = png_scale(rect)
    image = QImage(QSize(max(1, min(IMAGE_MAX_SIDE, round(rect.width() * scale))),
                         max(1, min(IMAGE_MAX_SIDE, round(rect.height() * scale)))),
                   QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing
                           | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(image.rect()), rect)
    painter.end()
    return image


def _write_png(scene, rect: QRectF, path: str) -> bool:
    return render_png(scene, rect).save(path)
