"""The min/max pyramid behind the loss plot: exact per bucket against brute
force (NaN and infinities included: both are gaps) while the series grows in
chunks and loses its tail, with its stored levels capped; and a display
selection that stays small, covers the view and keeps every peak."""
import math

import numpy as np
import pytest

from nnsim.qt.peak_pyramid import PeakPyramid


def brute(y, k, j0, j1):
    """(min, max) of buckets j0 .. j1-1 of 2**k points, NaN and infinities
    skipped (NaN when a bucket holds no finite number)."""
    size = 1 << k
    lo, hi = [], []
    for j in range(j0, j1):
        b = y[j * size:(j + 1) * size]
        b = b[np.isfinite(b)]
        lo.append(b.min() if len(b) else math.nan)
        hi.append(b.max() if len(b) else math.nan)
    return np.array(lo), np.array(hi)


def random_series(rng, n):
    y = rng.normal(size=n) * 10 ** rng.uniform(-3, 3, size=n)
    y[rng.random(n) < 0.05] = np.nan
    y[rng.random(n) < 0.01] = np.inf
    y[rng.random(n) < 0.01] = -np.inf
    start = int(rng.integers(0, max(1, n - 100)))
    y[start:start + int(rng.integers(0, 100))] = np.nan  # a run of NaN: whole buckets
    return y


def check_all_levels(p, y):
    n = len(y)
    assert p.n == n
    for k in range(p.levels):
        nb = -(-n // (1 << k))
        lo, hi = p.buckets(y, k, 0, nb)
        blo, bhi = brute(y, k, 0, nb)
        assert np.array_equal(lo, blo, equal_nan=True), k
        assert np.array_equal(hi, bhi, equal_nan=True), k
    if n:
        lo, hi = p.bounds()
        f = y[np.isfinite(y)]
        assert np.array_equal([lo, hi], [f.min(), f.max()]) if len(f) \
            else (math.isnan(lo) and math.isnan(hi))
        assert -(-n // (1 << (p.levels - 1))) == 1  # the top level is one bucket


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("max_stored", [1 << 15, 40, 7])
def test_the_pyramid_matches_brute_force_while_growing_and_shrinking(seed, max_stored):
    rng = np.random.default_rng(seed)
    full = random_series(rng, 5000)
    p = PeakPyramid(base=int(rng.integers(1, 6)), max_stored=max_stored)
    y = full[:0]
    changed = 0
    for _ in range(40):
        if len(y) and rng.random() < 0.3:  # a step back: the tail goes
            n = int(rng.integers(0, len(y) + 1))
            y = full[:n]
            changed = min(changed, n)
        else:  # new rows, sometimes different from the ones stepped back from
            n = min(len(full), len(y) + int(rng.choice([1, 2, 3, 15, 16, 17, 100, 700])))
            if rng.random() < 0.3:
                full[len(y):n] = random_series(rng, n - len(y))
            y = full[:n]
        p.update(y, changed)
        changed = len(y)
        check_all_levels(p, y)
        if max_stored < 1 << 15:  # the lowest stored level never holds more buckets
            stored = -(-len(y) // (1 << p.base)) if len(y) else 0
            assert stored <= max_stored or p.levels - 1 <= p.base


def test_a_long_series_keeps_a_bounded_pyramid_and_every_spike():
    """Ten million points: the stored levels stay within their cap (about
    2 x 2 x MAX_STORED floats), and the whole-series selection still shows a
    one-point spike and dip (the min and max of every bucket)."""
    from nnsim.qt.peak_pyramid import MAX_STORED
    n = 10_000_000
    x = np.arange(1, n + 1, dtype=float)
    y = np.full(n, 0.5)
    y[3_333_333], y[7_654_321] = 40.0, -3.0
    p = PeakPyramid()
    for a in range(0, n, 1_000_000):  # grown in chunks, as a run adds epochs
        p.update(y[:a + 1_000_000], a)
    assert p.nbytes <= 2 * 2 * 2 * MAX_STORED * 8  # (levels halve: twice the lowest)
    xs, ys, k = p.select(x, y, -np.inf, np.inf, 4000)
    assert len(xs) <= 2 * 4001
    assert ys.max() == 40.0 and ys.min() == -3.0
    # zoomed in below the stored levels: worked out from the series, still exact
    xs, ys, k = p.select(x, y, 3_333_000, 3_334_000, 4000)
    assert k < p.base and 40.0 in ys and np.array_equal(ys[ys != 40.0], np.full(len(ys) - 1, 0.5))


def test_an_empty_and_a_one_point_series():
    p = PeakPyramid()
    p.update(np.empty(0))
    assert p.n == 0 and p.levels == 0 and all(math.isnan(v) for v in p.bounds())
    xs, ys, k = p.select(np.empty(0), np.empty(0), 0, 10, 100)
    assert len(xs) == 0 and len(ys) == 0
    p.update(np.array([3.0]))
    assert p.bounds() == (3.0, 3.0) and p.levels == 1
    xs, ys, k = p.select(np.array([1.0]), np.array([3.0]), 0, 10, 100)
    assert list(xs) == [1.0] and list(ys) == [3.0] and k == 0
    p.update(np.array([np.nan, np.nan]), 0)
    assert all(math.isnan(v) for v in p.bounds())  # nothing to range on


def check_selection(p, x, y, x0, x1, width):
    xs, ys, k = p.select(x, y, x0, x1, width)
    n = len(y)
    vis = np.flatnonzero((x >= x0) & (x <= x1))
    if k == 0:  # the raw points in view, and one on each side
        i0, i1 = max(0, vis[0] - 1), min(n, vis[-1] + 2)
        assert np.array_equal(xs, x[i0:i1]) and np.array_equal(ys, y[i0:i1], equal_nan=True)
        assert len(xs) <= width + 2
        return k
    size = 1 << k
    m = len(xs) // 2
    assert len(xs) == 2 * m and len(ys) == 2 * m
    assert m <= width + 1  # at most max_buckets buckets, and one more on the right
    assert np.array_equal(xs[0::2], xs[1::2])
    j0 = int(np.searchsorted(x, xs[0])) // size
    assert x[j0 * size] == xs[0]
    # the buckets are consecutive and cover the view, with one more on each side
    assert np.array_equal(xs[0::2], x[j0 * size:(j0 + m) * size:size])
    assert j0 * size <= max(0, vis[0] - 1)
    assert (j0 + m) * size >= min(n, vis[-1] + 2)
    # each bucket: max then min, exactly those of the raw data
    blo, bhi = brute(y, k, j0, j0 + m)
    assert np.array_equal(ys[0::2], bhi, equal_nan=True)
    assert np.array_equal(ys[1::2], blo, equal_nan=True)
    # and the level is the finest that fits: the one below would need too many buckets
    vi0, vi1 = max(0, vis[0] - 1), min(n, vis[-1] + 2)
    below = ((vi1 - 1) >> (k - 1)) - (vi0 >> (k - 1)) + 1
    assert below > width
    return k


def test_the_selection_is_small_covers_the_view_and_keeps_the_peaks():
    rng = np.random.default_rng(7)
    n = 200_003
    x = np.arange(1, n + 1, dtype=float)
    y = np.exp(-x / 40_000) + 0.05 * rng.random(n)
    y[[1234, 77_777, 150_001]] = [50.0, -20.0, 9.0]  # single-point spikes
    y[[5, 99_000]] = np.inf
    y[60_000:61_000] = np.nan  # a gap
    clean = np.where(np.isfinite(y), y, np.nan)
    p = PeakPyramid()
    p.update(clean)
    levels = set()
    for x0, x1, width in ((-np.inf, np.inf, 1600), (1, n, 800), (1, n, 3), (59_000, 62_000, 500),
                          (77_700, 77_800, 1000), (100.5, 120.5, 400), (150_000, 150_003, 10),
                          (n - 10, n + 500, 100), (-50, 0.5, 100)):
        lo, hi = max(x0, 1), min(x1, n)
        if lo > hi:
            continue
        levels.add(check_selection(p, x, clean, lo, hi, width))
    assert 0 in levels and len(levels) >= 4
    # the whole series at 1600 px: every spike is there, and the gap is a gap
    xs, ys, k = p.select(x, clean, -np.inf, np.inf, 1600)
    assert k > 0 and len(xs) <= 2 * 1601
    assert np.nanmax(ys) == 50.0 and np.nanmin(ys) == -20.0 and 9.0 in ys
    assert np.isnan(ys[(xs > 60_000 + (1 << k)) & (xs < 61_000 - (1 << k))]).all()


def test_a_margin_widens_the_selection_at_the_same_level():
    x = np.arange(100_000, dtype=float)
    y = np.sin(x / 300)
    p = PeakPyramid()
    p.update(y)
    xs, _ys, k = p.select(x, y, 40_000, 50_000, 500)
    xm, _ym, km = p.select(x, y, 40_000, 50_000, 500, margin=0.25)
    assert km == k == p.level_for(x, 40_000, 50_000, 500)
    assert xm[0] <= 37_500 < xs[0] and xm[-1] >= 52_500 > xs[-1]
