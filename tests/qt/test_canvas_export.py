"""PNG and SVG exports of the canvas: every number of the current step,
readable, whatever the zoom on screen; the SVG the same outside Qt."""
from __future__ import annotations

import io
import re
from html import unescape

import cairosvg
import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from nnsim.document import Document
from nnsim.examples import example_path
from nnsim.qt.canvas import export

from canvas_helpers import make_view


def pixels(image: QImage) -> np.ndarray:
    """An image as an (h, w, 3) array of 0..255 values."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h)
    return data.reshape(h, stride)[:, :3 * w].reshape(h, w, 3).astype(float)


def blocks(image: np.ndarray, n: int = 8) -> np.ndarray:
    """The mean colour of each n x n block."""
    h, w = image.shape[0] // n * n, image.shape[1] // n * n
    return image[:h, :w].reshape(h // n, n, w // n, n, 3).mean(axis=(1, 3))


def svg_texts(svg: str) -> list[str]:
    """The lines of text in an SVG (Qt may write one line as several
    <text> runs in a row, in one group at one baseline: they are joined)."""
    lines = []
    for group in svg.split("<g "):
        last_y = None
        for y, text in re.findall(r'<text[^>]*\sy="([^"]*)"[^>]*>([^<]*)</text>', group):
            if y == last_y:
                lines[-1] += unescape(text)
            else:
                lines.append(unescape(text))
            last_y = y
    return lines


def number_labels(scene):
    return [lab for lab in scene._value_labels() if lab.lines]


def lecture_after_backward(qtbot, size=(560, 400)):
    doc = Document()
    scene, view = make_view(qtbot, doc, size=size)
    for _ in range(5):  # forward, loss, backward: every gradient computed
        doc.micro_step()
    QApplication.processEvents()
    return doc, scene, view


@pytest.mark.parametrize("zoom", [0.2, 3.0])
def test_exports_carry_every_number_whatever_the_zoom_on_screen(qtbot, tmp_path, zoom):
    doc, scene, view = lecture_after_backward(qtbot)
    view.set_zoom(zoom)  # far out (labels left out) or far in (most out of view)
    scene._place_labels()
    on_screen = [lab.isVisible() for lab in scene._value_labels()]
    png, svg = tmp_path / "net.png", tmp_path / "net.svg"
    assert export.export_canvas(scene, png) and export.export_canvas(scene, svg, "lecture")
    # every number, each line as text in the SVG, and the legend
    texts = svg_texts(svg.read_text())
    wanted = [t for lab in number_labels(scene) for t in lab.texts]
    assert len(wanted) == 3 * 2 + 6 + 2  # three neurons (2 lines), six edges, two inputs
    # in the export every number label is shown, none overlapping, at 2 x 11 px in the PNG
    with export.laid_out_for_export(scene) as rect:
        assert scene.legend.status[0] == "Done: Backward layer 1"
        for t in wanted + scene.legend.status + [row[3] for row in scene.legend.ROWS]:
            assert t in texts, t
        boxes = [lab.sceneBoundingRect() for lab in number_labels(scene)]
        assert all(lab.isVisible() for lab in number_labels(scene))
        assert all(rect.contains(b) for b in boxes)
        for lab, b in zip(number_labels(scene), boxes):
            assert b.height() / len(lab.lines) * export.PNG_SCALE >= 2 * 11
        assert not any(a.intersects(b) for n, a in enumerate(boxes) for b in boxes[n + 1:])
        legend = scene.legend.sceneBoundingRect()
    # the screen is as it was
    assert [lab.isVisible() for lab in scene._value_labels()] == on_screen
    assert view.zoom == pytest.approx(zoom)
    # the SVG drawn outside Qt looks like the PNG
    image = QImage(str(png))
    assert (image.width(), image.height()) == (round(rect.width() * 2), round(rect.height() * 2))
    ours = pixels(image)
    theirs = pixels(QImage.fromData(cairosvg.svg2png(
        url=str(svg), output_width=image.width(), output_height=image.height(),
        background_color="white")))
    # (compared in 8 x 8 blocks: the two draw the same glyphs a little
    # differently at the pixel level)
    assert np.abs(blocks(ours) - blocks(theirs)).mean() < 2.0
    for b in boxes + [legend]:  # text is drawn in every label and in the legend, alike
        r = QRectF(b).translated(-rect.topLeft())
        x0, y0, x1, y1 = (round(v * 2) for v in (r.left(), r.top(), r.right(), r.bottom()))
        for img in (ours, theirs):
            region = img[y0:y1, x0:x1].min(axis=2)
            assert (region < 160).sum() > 20  # dark text pixels
        assert np.abs(blocks(ours[y0:y1, x0:x1]) - blocks(theirs[y0:y1, x0:x1])).mean() < 12


def test_export_of_a_deep_network_places_labels_for_the_export(qtbot, tmp_path):
    doc = Document.from_example(example_path("spiral-deep"))
    scene, view = make_view(qtbot, doc, size=(560, 400))
    for _ in range(6):  # up to the backward pass of the output layer
        doc.micro_step()
    QApplication.processEvents()
    shown_on_screen = sum(lab.isVisible() for lab in number_labels(scene))
    svg = tmp_path / "deep.svg"
    assert export.export_canvas(scene, svg)
    texts = svg_texts(svg.read_text())
    with export.laid_out_for_export(scene):
        shown = [lab for lab in number_labels(scene) if lab.isVisible()]
    assert len(shown) > 2 * shown_on_screen
    for lab in shown:
        for t in lab.texts:
            assert t in texts
    for n in scene.neurons[4] + scene.neurons[3]:  # the layers just computed: all there
        assert n.label.text.split("\n")[0] in texts
