"""The canvas in front of a class: every number of the current step readable
at fit, in a small canvas too; text size; label modes; refit on resize."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from nnsim.core.datasets import DataSpec
from nnsim.core.naming import DELTA, PARTIAL, fmt
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document
from nnsim.examples import example_path
from nnsim.qt.canvas import palette
from nnsim.qt.canvas.items import HeaderItem, LegendItem, ValueLabelItem
from nnsim.qt.selection import EdgeRef, NeuronRef

from canvas_helpers import make_view

DLDW = f"{PARTIAL}L/{PARTIAL}w"
DLDB = f"{PARTIAL}L/{PARTIAL}b"
MIN_TEXT_PX = 11  # what a lecturer needs at the back of the room, at text size 1


def lecture() -> Document:
    return Document()  # the lecture's 2-2-1 network


def lecture_two_outputs() -> Document:
    net = Network.build(2, [2, 2], ["sigmoid", "sigmoid"], rng=np.random.default_rng(3))
    return Document(Project(net, TrainingConfig(learning_rate=0.5), DataSpec("xor_table")))


def spiral_deep() -> Document:
    return Document.from_example(example_path("spiral-deep"))


def step_until(doc, kind: str, layer: int | None = None) -> None:
    """Micro-steps until the step just done is (kind, layer)."""
    for _ in range(len(doc.plan)):
        doc.micro_step()
        step = doc.snapshot.step
        if step.kind == kind and (layer is None or step.layer == layer):
            return
    raise AssertionError(f"no {kind} step")


def after_backward_pass(doc) -> None:
    step_until(doc, "backward", 1)
    QApplication.processEvents()


def on_screen(view, item) -> QRect:
    """The item's rectangle in viewport pixels."""
    return view.mapFromScene(item.sceneBoundingRect()).boundingRect()


def line_px(view, label: ValueLabelItem) -> float:
    """The on-screen height of one text line of a label."""
    return on_screen(view, label).height() / len(label.lines)


def font_px(view, label: ValueLabelItem) -> float:
    """The on-screen pixel size of a label's font."""
    return palette.VALUE_PX * label.scale() * view.zoom


def shown_texts(scene):
    """Every visible label on the canvas (numbers, headers, legend)."""
    return [it for it in scene.items() if it.isVisible() and (
        isinstance(it, ValueLabelItem) and it.lines or isinstance(it, (HeaderItem, LegendItem)))]


def screen_overlaps(view, items):
    rects = [(it, on_screen(view, it)) for it in items]
    return [(a[0], b[0]) for n, a in enumerate(rects) for b in rects[n + 1:]
            if a[1].adjusted(1, 1, -1, -1).intersects(b[1].adjusted(1, 1, -1, -1))]


def assert_readable(view, label, text: str) -> None:
    assert label.isVisible(), f"{text!r} hidden"
    assert label.text == text
    assert line_px(view, label) >= MIN_TEXT_PX, f"{text!r}: {line_px(view, label):.1f} px a line"
    assert font_px(view, label) >= MIN_TEXT_PX - 1e-6
    assert view.viewport().rect().contains(on_screen(view, label)), f"{text!r} out of view"


# -- item 1: every number of the phase readable at fit ----------------------------------------
@pytest.mark.parametrize("make_doc", [lecture, lecture_two_outputs])
@pytest.mark.parametrize("size", [(560, 400), (800, 560), (1280, 900)])
def test_after_the_backward_pass_every_gradient_is_readable_at_fit(qtbot, make_doc, size):
    doc = make_doc()
    scene, view = make_view(qtbot, doc, size=size)
    after_backward_pass(doc)
    view.fit_to_window()
    snap = doc.snapshot
    sizes = doc.network.sizes
    for k in range(1, len(sizes)):
        for j in range(sizes[k]):
            assert_readable(view, scene.neurons[k][j].label,
                            f"{DELTA} = {fmt(snap.delta[k - 1][0, j])}\n"
                            f"{DLDB} = {fmt(snap.db[k - 1][j])}")
            for i in range(sizes[k - 1]):
                assert_readable(view, scene.edges[k][i][j].label,
                                f"{DLDW} = {fmt(snap.dW[k - 1][i, j])}")
    assert screen_overlaps(view, shown_texts(scene)) == []
    assert scene.legend.isVisible()
    assert view.viewport().rect().contains(on_screen(view, scene.legend))
    assert scene.hidden_labels == 0
    assert not any("zoom in" in s for s in scene.legend.status)


def test_every_step_of_the_lecture_is_readable_in_the_smallest_canvas(qtbot):
    doc = lecture()
    scene, view = make_view(qtbot, doc, size=(560, 400))
    for step in doc.plan:
        doc.micro_step()
        QApplication.processEvents()
        labels = [it for it in shown_texts(scene) if isinstance(it, ValueLabelItem)]
        wanted = [lab for lab in scene._value_labels() if lab.lines]
        assert scene.hidden_labels == 0, step
        assert len(labels) == len(wanted), step
        for label in labels:
            assert line_px(view, label) >= MIN_TEXT_PX, step
            assert view.viewport().rect().contains(on_screen(view, label)), step
        assert screen_overlaps(view, shown_texts(scene)) == [], step


# -- bigger networks: who gets the room ----------------------------------------------------------
@pytest.mark.parametrize("size", [(560, 400), (1280, 900), (1900, 1000)])
def test_a_deep_network_at_fit_keeps_the_layer_just_computed_and_the_legend(qtbot, size):
    doc = spiral_deep()
    scene, view = make_view(qtbot, doc, size=size)
    step_until(doc, "backward", 2)  # the gradients into hidden layer 2 (12 x 12 edges)
    QApplication.processEvents()
    view.fit_to_window()
    shown = shown_texts(scene)
    numbers = [it for it in shown if isinstance(it, ValueLabelItem)]
    assert numbers, "every number hidden"
    for label in numbers:
        assert line_px(view, label) >= MIN_TEXT_PX
    assert screen_overlaps(view, shown) == []
    assert scene.legend.isVisible()
    assert view.viewport().rect().contains(on_screen(view, scene.legend))
    assert view.viewport().rect().contains(on_screen(view, scene.headers[2]))
    # the layer just computed got room before any other: at least one of
    # its labels, and as many as when placed in the plain order or more
    now = [n.label for n in scene.neurons[2]] + [e.label for row in scene.edges[2] for e in row]
    first = sum(lab.isVisible() for lab in now)
    assert first >= 1
    scene._layer_order = lambda: list(range(len(scene._sizes)))  # no priority
    scene._place_labels()
    plain = sum(lab.isVisible() for lab in now)
    assert first >= plain
    if size == (560, 400):  # where room is scarcest, the order decides
        assert first > plain
    del scene._layer_order
    scene._place_labels()
    if scene.hidden_labels:
        assert any(f"{scene.hidden_labels} labels need room" in s for s in scene.legend.status)


@pytest.mark.parametrize("size", [(560, 400), (1280, 900)])
def test_a_selected_edge_or_neuron_shows_its_number_in_a_crowded_canvas(qtbot, size):
    doc = spiral_deep()
    scene, view = make_view(qtbot, doc, size=size)
    step_until(doc, "backward", 4)
    QApplication.processEvents()
    w = doc.snapshot.weights_before[1][0]
    for i, j in ((5, 7), (0, 11)):  # in a gap far from the layer just computed
        scene.select(EdgeRef(2, i, j))
        label = scene.edges[2][i][j].label
        assert label.isVisible()
        assert label.text == fmt(w[i, j])
        assert line_px(view, label) >= MIN_TEXT_PX
        assert screen_overlaps(view, shown_texts(scene)) == []
    assert not scene.edges[2][5][7].label.isVisible() or size == (1280, 900)
    neuron = scene.neurons[2][4]
    scene.select(NeuronRef(2, 4))
    assert neuron.label.isVisible()
    assert neuron.label.text.startswith(f"z = {fmt(doc.snapshot.z[1][0, 4])}")
    assert screen_overlaps(view, shown_texts(scene)) == []


# -- item 2: text size ----------------------------------------------------------------------------
def test_the_text_size_scales_every_canvas_label(qtbot):
    doc = lecture()
    scene, view = make_view(qtbot, doc, size=(1280, 900))
    after_backward_pass(doc)
    view.set_zoom(1.0)  # by hand: the zoom stays
    scene._place_labels()
    items = [scene.edges[1][0][0].label, scene.neurons[1][0].label, scene.headers[1],
             scene.legend]
    before = [on_screen(view, it).height() for it in items]
    scene.set_text_scale(1.5)
    assert scene.text_scale == 1.5 and view.zoom == 1.0
    after = [on_screen(view, it).height() for it in items]
    for b, a in zip(before, after):
        assert a == pytest.approx(1.5 * b, abs=2)
    assert all(it.isVisible() for it in items)
    assert screen_overlaps(view, shown_texts(scene)) == []
    scene.set_text_scale(10)
    assert scene.text_scale == 3.0
    scene.set_text_scale(0.1)
    assert scene.text_scale == 0.6


def test_bigger_text_at_fit_refits_and_stays_readable(qtbot):
    doc = lecture()
    scene, view = make_view(qtbot, doc, size=(800, 560))
    after_backward_pass(doc)
    z = view.zoom
    scene.set_text_scale(1.5)  # presentation mode
    assert view.zoom < z  # fitted again: room for the bigger labels
    assert scene.hidden_labels == 0
    for label in (lab for lab in scene._value_labels() if lab.lines):
        assert label.isVisible()
        assert line_px(view, label) >= 1.5 * MIN_TEXT_PX
    assert view.viewport().rect().contains(on_screen(view, scene.legend))
    assert screen_overlaps(view, shown_texts(scene)) == []


# -- item 3: label modes -------------------------------------------------------------------------
def test_label_modes_show_values_gradients_or_both(qtbot):
    doc = lecture()
    scene, view = make_view(qtbot, doc, size=(1280, 900))
    after_backward_pass(doc)
    snap = doc.snapshot
    w, g = snap.weights_before[1][0][0, 0], snap.dW[1][0, 0]
    a, d, db = snap.a[1][0, 0], snap.delta[0][0, 0], snap.db[0][0]
    edge, neuron = scene.edges[2][0][0].label, scene.neurons[1][0].label
    assert scene.label_mode == "auto"
    assert edge.text == f"{DLDW} = {fmt(g)}"
    scene.set_label_mode("values")
    assert edge.text == f"w = {fmt(w)}"
    assert neuron.text == f"a = {fmt(a)}"
    scene.set_label_mode("gradients")
    assert edge.text == f"{DLDW} = {fmt(g)}"
    assert neuron.text == f"{DELTA} = {fmt(d)}\n{DLDB} = {fmt(db)}"
    scene.set_label_mode("both")
    assert edge.text == f"w {fmt(w)}\n{DLDW} {fmt(g)}"
    assert neuron.text == f"a = {fmt(a)}\n{DELTA} = {fmt(d)}\n{DLDB} = {fmt(db)}"
    QApplication.processEvents()
    for e in (e for grid in scene.edges[1:] for row in grid for e in row):
        assert e.label.isVisible() and len(e.label.lines) == 2
    assert screen_overlaps(view, shown_texts(scene)) == []
    with pytest.raises(ValueError):
        scene.set_label_mode("everything")


def test_gradient_mode_shows_no_number_before_the_backward_pass(qtbot):
    doc = lecture()
    scene, view = make_view(qtbot, doc, size=(1280, 900))
    scene.set_label_mode("gradients")
    step_until(doc, "loss")
    QApplication.processEvents()
    assert all(not e.label.lines for grid in scene.edges[1:] for row in grid for e in row)
    step_until(doc, "backward", 2)
    QApplication.processEvents()
    assert scene.edges[2][1][0].label.text == f"{DLDW} = {fmt(doc.snapshot.dW[1][1, 0])}"
    assert scene.edges[2][1][0].label.isVisible()
    assert not scene.edges[1][0][0].label.lines  # not computed yet


# -- item 4: fitted again when the canvas area changes ---------------------------------------------
def wheel(view, steps: int) -> None:
    pos = view.viewport().rect().center()
    ev = QWheelEvent(QPointF(pos), QPointF(view.viewport().mapToGlobal(pos)), QPoint(0, 0),
                     QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), ev)


def test_the_view_fits_again_when_resized_until_zoomed_by_hand(qtbot):
    doc = lecture()
    scene, view = make_view(qtbot, doc, size=(1280, 900))
    after_backward_pass(doc)
    big = view.zoom
    view.resize(560, 400)  # docks shown, window made smaller
    QApplication.processEvents()
    assert view.zoom < big
    assert view.viewport().rect().contains(on_screen(view, scene.legend))
    for n in (n for row in scene.neurons for n in row):
        assert view.viewport().rect().contains(on_screen(view, n.label))
    small = view.zoom
    wheel(view, 2)  # the user zooms in: their zoom is kept from now on
    zoomed = view.zoom
    assert zoomed > small
    view.resize(900, 700)
    QApplication.processEvents()
    assert view.zoom == pytest.approx(zoomed)
    view.fit_to_window()  # Fit to Window: fitted again, and on every resize after
    fitted = view.zoom
    view.resize(1280, 900)
    QApplication.processEvents()
    assert view.zoom > fitted
    assert view.zoom == pytest.approx(big, rel=0.01)
