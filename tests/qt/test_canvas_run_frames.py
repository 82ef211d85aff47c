"""Run mode's frames on the canvas: what is kept between frames for speed
shows the same as working everything out afresh.

- crossing counts kept between placements (placement.CrossingCache) give
  the placement made without them;
- labels whose new numbers still fit keep their places (LabelLayout
  ._fit_in_place): every label shown says the current number, none
  overlaps another, and once the frames stop every label is placed afresh.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication

from nnsim.core.naming import fmt
from nnsim.document import Document
from nnsim.examples import example_path
from nnsim.qt.canvas import placement
from canvas_helpers import make_view
from test_canvas_speed_paths import (assert_placed_for_this_view, check_what_is_shown,
                                     overlapping_pairs, random_layout, visible_labels)


def _arrays(gaps):
    return [placement.Gap(np.array([lab.ends for lab in labels], dtype=float).reshape(-1, 4),
                          np.array([lab.width for lab in labels], dtype=float),
                          np.array([lab.height for lab in labels], dtype=float),
                          np.array([lab.target for lab in labels], dtype=int),
                          np.array([lab.n_targets for lab in labels], dtype=int),
                          np.array([lab.index for lab in labels], dtype=int))
            for labels in gaps]


def test_kept_crossing_counts_place_labels_as_counting_afresh():
    gaps, obstacles, ends = random_layout(1, (4, 10, 6), 40.0)
    fresh = placement.place_gaps(_arrays(gaps), obstacles, ends)
    cache = placement.CrossingCache()
    first = placement.place_gaps(_arrays(gaps), obstacles, ends, cache=cache)
    counted = cache.computed
    again = placement.place_gaps(_arrays(gaps), obstacles, ends, cache=cache)
    for a, b, c in zip(fresh, first, again):
        assert a.tolist() == b.tolist() == c.tolist()
    assert counted == sum(len(g) for g in gaps)  # every label counted once ...
    assert cache.computed == counted  # ... and not again for the same geometry


def test_a_wider_box_or_a_moved_neuron_is_counted_again():
    gaps, obstacles, ends = random_layout(2, (4, 6, 5), 60.0)
    cache = placement.CrossingCache()
    placement.place_gaps(_arrays(gaps), obstacles, ends, cache=cache)
    before = cache.computed
    gaps[0][0].width += 24.0  # one label's box grew (a longer number)
    moved = [e.copy() for e in ends]
    moved[1][:, 3] += 7.0  # every edge into the next layer: its neurons moved down
    for lab in gaps[1]:
        x0, y0, x1, y1 = lab.ends
        lab.ends = (x0, y0, x1, y1 + 7.0)
    got = placement.place_gaps(_arrays(gaps), obstacles, moved, cache=cache)
    assert cache.computed == before + 1 + len(gaps[1])
    fresh = placement.place_gaps(_arrays(gaps), obstacles, moved)
    assert [g.tolist() for g in got] == [g.tolist() for g in fresh]


def _passes_through(seg, box) -> bool:
    """Whether segment (x0, y0, x1, y1) meets box (l, t, r, b): clipping (Liang-Barsky)."""
    x0, y0, x1, y1 = seg
    l, t, r, b = box
    lo, hi = 0.0, 1.0
    for p, q in ((x0 - x1, x0 - l), (x1 - x0, r - x0), (y0 - y1, y0 - t), (y1 - y0, b - y0)):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            lo = max(lo, q / p)
        else:
            hi = min(hi, q / p)
    return lo <= hi


def test_crossings_of_many_labels_count_the_other_edges_through_each_box():
    rng = np.random.default_rng(4)
    ends = rng.uniform(0, 300, (30, 4))
    ends[3, 2] = ends[3, 0]  # a vertical edge
    cx, cy = rng.uniform(0, 300, (7, 20)), rng.uniform(0, 300, (7, 20))
    w, h = rng.uniform(10, 60, 7), rng.uniform(10, 30, 7)
    own = np.array([0, 3, -1, 29, 5, 5, 12])
    many = placement.crossings_many(cx, cy, w, h, ends, own)
    for p in range(7):
        for c in range(20):
            box = (cx[p, c] - w[p] / 2, cy[p, c] - h[p] / 2, cx[p, c] + w[p] / 2,
                   cy[p, c] + h[p] / 2)
            expected = sum(_passes_through(e, box) for i, e in enumerate(ends) if i != own[p])
            assert many[p, c] == expected
    assert many.max() > 0


def test_one_label_alone_takes_the_spot_placing_gives_it():
    rng = np.random.default_rng(7)
    for _ in range(20):
        ends = tuple(rng.uniform(0, 300, 4))
        rects = [tuple(sorted(rng.uniform(0, 300, 2))) for _ in range(6)]
        rects = [(a, b - 30, a + 40, b) for a, b in rects]
        w, h, target = float(rng.uniform(20, 60)), float(rng.uniform(10, 30)), int(rng.integers(3))
        gap = placement.Gap(np.array([ends]), np.array([w]), np.array([h]), np.array([target]),
                            np.array([3]), np.array([-1]))
        expected = int(placement.place_gaps([gap], rects)[0][0])
        assert placement.first_free_spot(ends, w, h, target, 3, np.array(rects)) == expected


def _hidden(scene) -> int:
    """Labels with a number left out for lack of room (a crowded gap: all its edges)."""
    n = sum(1 for row in scene.neurons for item in row
            if item.label.lines and not item.label.isVisible())
    for k, grid in enumerate(scene.edges[1:], start=1):
        edges = [e for row in grid for e in row if e.present]
        if k in scene._crowded:
            n += len(edges)
        else:
            n += sum(1 for e in edges if e.label.lines and not e.label.isVisible())
    return n


def test_labels_kept_in_place_show_each_epochs_numbers_without_overlaps(qtbot):
    doc = Document.from_example(example_path("spiral-deep"))
    scene, view = make_view(qtbot, doc, size=(1600, 1000))
    kept_any = False
    for epoch in range(12):
        doc.step_epochs(1)  # as a run-mode frame: between passes, new weights and biases
        QApplication.processEvents()
        kept_any |= scene._kept.kept > 0 and scene._settle_timer.isActive()
        when = f"after epoch {epoch + 1}"
        assert check_what_is_shown(scene, view, doc, when) > 0  # the weights now, in place
        for k, row in enumerate(scene.neurons[1:], start=1):
            for j, item in enumerate(row):
                if item.label.isVisible():
                    assert item.label.text == f"b = {fmt(doc.network.layers[k - 1].b[j])}", when
        assert overlapping_pairs(visible_labels(scene)) == [], when
        assert scene.hidden_labels == _hidden(scene), when
    assert kept_any  # (most epochs keep the places: the point of it)
    # the frames stopped: every label placed afresh, as placing now gives
    qtbot.waitUntil(lambda: not scene._settle_timer.isActive(), timeout=3000)
    assert scene._kept.kept == 0
    assert_placed_for_this_view(scene)
    assert scene.hidden_labels == _hidden(scene)


def test_inside_a_pass_every_new_size_places_the_labels_afresh(qtbot):
    """Stepping by hand: the layer just computed goes first for room, so
    labels never keep their places there (only between passes)."""
    doc = Document.from_example(example_path("spiral-deep"))
    scene, view = make_view(qtbot, doc, size=(1600, 1000))
    doc.step_epochs(1)
    QApplication.processEvents()
    for step in doc.plan:
        doc.micro_step()
        QApplication.processEvents()
        assert scene._kept.kept == 0, step.label
        assert not scene._settle_timer.isActive(), step.label
        assert check_what_is_shown(scene, view, doc, step.label) >= 0
        assert overlapping_pairs(visible_labels(scene)) == [], step.label
        assert scene.hidden_labels == _hidden(scene), step.label
