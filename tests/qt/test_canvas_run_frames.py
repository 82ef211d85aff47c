"""Run mode's frames on the canvas: what is kept between frames for speed
shows the same as working everything out afresh.

- crossing counts kept between placements (placement.CrossingCache) give
  the placement made without them;
"""
from __future__ import annotations

import numpy as np

from nnsim.qt.canvas import placement
from test_canvas_speed_paths import random_layout


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
