"""The canvas's fast paths show what the plain rules say.

Label placement works on arrays (placement.place_gaps); big networks place
only the labels near the view; label boxes take their widths from a cache.
These tests hold each to the plain version: a placement written as simple
loops, the numbers the document holds, the font's own widths.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication

from nnsim.core.datasets import DataSpec
from nnsim.core.naming import ARROW, fmt
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document
from nnsim.qt.canvas import palette, placement
from nnsim.qt.canvas import scene as scene_module
from nnsim.qt.canvas.items import HeaderItem, LegendItem, ValueLabelItem
from canvas_helpers import make_view




def visible_labels(scene):
    return [item for item in scene.items() if item.isVisible() and (
        (isinstance(item, ValueLabelItem) and item.lines)
        or isinstance(item, (HeaderItem, LegendItem)))]


def overlapping_pairs(items):
    rects = [(it, it.sceneBoundingRect()) for it in items]
    return [(a, b) for n, (a, ra) in enumerate(rects) for b, rb in rects[n + 1:]
            if ra.intersects(rb)]


# -- placement: the array version against the rules written as loops -------------------
def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def reference_place(gaps, obstacles, crossing_ends) -> list:
    """placement.place's rules, plainly: per gap, each label's candidate
    spots best first; greedy in order of target neuron; then (few labels
    only) a repair pass that may push one placed label to another spot."""
    rects, owners, active = [tuple(o) for o in obstacles], [-1] * len(obstacles), \
        [True] * len(obstacles)
    everyone, cands, orders, placed = [], [], [], []

    def add(rect, owner):
        rects.append(rect)
        owners.append(owner)
        active.append(True)
        return len(rects) - 1

    def hits(rect):
        return [i for i, r in enumerate(rects) if active[i] and _overlap(rect, r)]

    def first_free(n):
        for c, rect in enumerate(cands[n]):
            if not any(active[i] and _overlap(rect, r) for i, r in enumerate(rects)):
                return c
        return None

    for g, labels in enumerate(gaps):
        base = len(everyone)
        everyone += labels
        ends = crossing_ends[g]
        use_crossings = 1 < len(ends) <= placement.CROSSING_MAX_EDGES
        dense = len(labels) > placement.DENSE
        for lab in labels:
            x0, y0, x1, y1 = lab.ends
            cx = x0 + placement.TS * (x1 - x0)
            cy = y0 + placement.TS * (y1 - y0)
            cost = placement.T_WEIGHT * np.abs(
                placement.TS - placement.preferred_t(lab.target, lab.n_targets))
            if use_crossings:
                cost = cost + placement.crossings(cx, cy, lab.width, lab.height, ends,
                                                  lab.index)
            order = np.argsort(cost, kind="stable")
            if dense:
                order = order[:placement.DENSE_CANDIDATES]
            w, h = lab.width / 2, lab.height / 2
            cands.append([(cx[c] - w, cy[c] - h, cx[c] + w, cy[c] + h) for c in order])
            orders.append([int(c) for c in order])
            placed.append(None)
        for n in sorted(range(base, len(everyone)), key=lambda n: everyone[n].target):
            c = first_free(n)
            if c is not None:
                placed[n] = orders[n][c]
                add(cands[n][c], n)
        unplaced = sum(placed[n] is None for n in range(base, len(everyone)))
        if dense or unplaced > placement.REPAIR_MAX:  # crowded: no repair pass
            continue
        for n in range(base, len(everyone)):
            if placed[n] is not None:
                continue
            for c, rect in enumerate(cands[n]):
                blockers = hits(rect)
                if len(blockers) != 1 or owners[blockers[0]] < 0:
                    continue
                b, m = blockers[0], owners[blockers[0]]
                active[b] = False
                mine = add(rect, n)
                oc = first_free(m)
                if oc is not None:
                    placed[m] = orders[m][oc]
                    add(cands[m][oc], m)
                    placed[n] = orders[n][c]
                    break
                active[mine] = False
                active[b] = True
    return placed


def random_layout(seed: int, sizes, spacing: float, drop: float = 0.1, dx: float = 220.0):
    """Labels of every edge of a layered network (some left out, as edges
    without numbers or out of view are), neurons as obstacles."""
    rng = np.random.default_rng(seed)
    pos = [[(k * dx, j * spacing + rng.uniform(-6, 6)) for j in range(n)]
           for k, n in enumerate(sizes)]
    gaps, all_ends = [], []
    for k in range(1, len(sizes)):
        labels, ends = [], []
        for i in range(sizes[k - 1]):
            for j in range(sizes[k]):
                e = (*pos[k - 1][i], *pos[k][j])
                if rng.random() >= drop:
                    labels.append(placement.Label(
                        (k, i, j), e, float(rng.choice([30.0, 38.0, 46.0])),
                        float(rng.choice([15.0, 28.0])), j, sizes[k], len(ends)))
                ends.append(e)
        gaps.append(labels)
        all_ends.append(np.array(ends))
    obstacles = [(x - 25, y - 25, x + 25, y + 25) for row in pos for x, y in row]
    return gaps, obstacles, all_ends


@pytest.mark.parametrize("seed,sizes,spacing,dx,crowded", [
    (0, (2, 2, 1), 60.0, 220.0, False),  # the lecture network
    (1, (4, 10, 6), 40.0, 220.0, True),  # few labels: crossings and the repair pass
    (2, (8, 12, 3), 25.0, 220.0, True),  # crowded: many repairs
    (2, (4, 6, 5), 120.0, 90.0, True),  # a repair pushes a label between earlier layers
    (3, (6, 40, 4), 30.0, 220.0, True),  # one dense gap (no repair), one with repairs
    (4, (3, 1, 5, 2), 90.0, 220.0, False),
])
def test_placement_follows_the_plain_rules(seed, sizes, spacing, dx, crowded):
    gaps, obstacles, ends = random_layout(seed, sizes, spacing, dx=dx)
    expected = reference_place(gaps, obstacles, ends)
    placement.place(gaps, obstacles, ends)
    assert [lab.placed for g in gaps for lab in g] == expected
    assert any(p is not None for p in expected)
    assert any(p is None for p in expected) == crowded


def test_placement_with_empty_gaps_and_no_obstacles():
    gaps, obstacles, ends = random_layout(5, (3, 4, 1, 5, 6), 30.0)
    gaps[1].clear()
    gaps[3].clear()
    expected = reference_place(gaps, [], ends)
    placement.place(gaps, [], ends)
    assert [lab.placed for g in gaps for lab in g] == expected
    assert placement.place_gaps([], obstacles) == []


# -- the canvas: every label shown is right, and overlaps nothing -------------------------
def big_document() -> Document:
    """2-30-18-1: 618 connections, more than VISIBLE_ONLY_EDGES."""
    net = Network.build(2, [30, 18, 1], ["tanh", "tanh", "sigmoid"],
                        rng=np.random.default_rng(3))
    return Document(Project(net, TrainingConfig(learning_rate=0.5), DataSpec("xor", n=40)))


def expected_edge_text(doc, k, i, j) -> str:
    """What an edge label must say now (big networks: numbers only)."""
    snap = doc.snapshot
    if snap is None:
        return fmt(doc.network.layers[k - 1].W[i, j])
    if snap.weights_after is not None:
        w0, w1 = snap.weights_before[k - 1][0][i, j], snap.weights_after[k - 1][0][i, j]
        return f"{fmt(w0)}\n{ARROW} {fmt(w1)}"
    if snap.dW[k - 1] is not None:
        return fmt(snap.dW[k - 1][i, j])
    return fmt(snap.weights_before[k - 1][0][i, j])


def check_what_is_shown(scene, view, doc, when: str) -> int:
    """Every edge label visible in the view shows the current number, sits on
    its edge, and overlaps no other label; returns how many are visible."""
    in_view = view.mapToScene(view.viewport().rect()).boundingRect()
    shown = 0
    fm = QFontMetricsF(palette.font(palette.VALUE_PX))
    for k, grid in enumerate(scene.edges[1:], start=1):
        for i, row in enumerate(grid):
            for j, e in enumerate(row):
                label = e.label
                if not label.isVisible():
                    continue
                assert label.text == expected_edge_text(doc, k, i, j), when
                assert (label.pos() - e.point_at(e.label_t)).manhattanLength() < 1e-6, when
                # the box is as wide as the font says (cached widths are right)
                width = max(fm.horizontalAdvance(t) for t in label.texts) + 2 * label.PAD_X
                step = ValueLabelItem.WIDTH_STEP
                assert label.boundingRect().width() == math.ceil(width / step) * step, when
                if in_view.intersects(label.sceneBoundingRect()):
                    shown += 1
    assert overlapping_pairs(visible_labels(scene)) == [], when
    return shown


def shown_state(scene):
    return [(e.label.isVisible(), e.label.pos().toTuple() if e.label.isVisible() else None)
            for g in scene.edges[1:] for r in g for e in r]


def assert_placed_for_this_view(scene) -> None:
    """What the canvas shows is what placing the labels afresh gives."""
    before = shown_state(scene)
    scene._place_labels()
    assert shown_state(scene) == before


def settle(qtbot, scene) -> None:
    """Until the (delayed) placement after a zoom or a scroll has run."""
    qtbot.waitUntil(lambda: not scene._place_timer.isActive(), timeout=2000)
    QApplication.processEvents()


def test_big_network_at_100_percent_shows_right_numbers_after_every_step(qtbot):
    doc = big_document()
    scene, view = make_view(qtbot, doc, size=(1200, 800))
    assert scene._n_edges > scene_module.VISIBLE_ONLY_EDGES
    view.set_zoom(1.0)
    settle(qtbot, scene)
    assert check_what_is_shown(scene, view, doc, "start") > 0
    for step in doc.plan:
        doc.micro_step()
        QApplication.processEvents()
        assert check_what_is_shown(scene, view, doc, f"after {step.label}") > 0


def test_labels_scrolled_or_zoomed_into_view_show_the_current_numbers(qtbot):
    doc = big_document()
    scene, view = make_view(qtbot, doc, size=(900, 600))
    view.set_zoom(1.0)
    settle(qtbot, scene)
    steps = {s.kind: n for n, s in enumerate(doc.plan)}
    for _ in range(steps["update"] + 1):  # up to and with the update: "old -> new"
        doc.micro_step()
    QApplication.processEvents()
    check_what_is_shown(scene, view, doc, "after the update")
    # far parts of the network come into view
    for target in (scene.neurons[0][0], scene.neurons[1][-1], scene.neurons[2][-1],
                   scene.neurons[3][0]):
        view.centerOn(target.pos() + QPointF(60, 0))
        settle(qtbot, scene)
        assert check_what_is_shown(scene, view, doc, f"near {target.name}") > 0
        assert_placed_for_this_view(scene)
    # zoomed out until numbers hide, a step, zoomed back in: current numbers
    view.set_zoom(0.1)
    settle(qtbot, scene)
    assert not any(e.label.isVisible() for g in scene.edges[1:] for r in g for e in r)
    doc.micro_step()
    QApplication.processEvents()
    view.set_zoom(1.3)
    settle(qtbot, scene)
    assert check_what_is_shown(scene, view, doc, "zoomed back in") > 0
    assert_placed_for_this_view(scene)


def test_a_new_document_on_the_same_scene_is_labelled_afresh(qtbot):
    doc = big_document()
    scene, view = make_view(qtbot, doc, size=(900, 600))
    view.set_zoom(1.0)
    settle(qtbot, scene)
    doc.micro_step()
    other = big_document()
    other.set_weight(1, 0, 0, 0.123456)
    scene.set_document(other)
    settle(qtbot, scene)
    QApplication.processEvents()
    check_what_is_shown(scene, view, other, "other document")
    assert scene.edges[1][0][0].label.text == fmt(0.123456)
