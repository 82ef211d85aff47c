"""A min/max ("peak") pyramid of a growing series, to draw millions of points
as a few thousand without losing a spike.

Level k holds, for each bucket of 2**k consecutive points (the last one may be
partial), the bucket's minimum and maximum. NaN is skipped (``np.fmin`` and
``np.fmax``); a bucket of only NaN stays NaN, so a gap in the data stays a gap
in the drawing. Levels below ``base`` are not stored: they are worked out
from the series itself when asked for (a few thousand buckets of at most
2**(base-1) points), which keeps the memory at about N / 2**(base-2) floats.

The series only grows at the end or loses its tail (a step back): ``update``
recomputes the buckets from the first changed point on, at every level, so
its cost is that of the new points (plus one bucket per level). Level
``levels - 1`` is a single bucket: the min and max of the whole series.

``select`` picks, for a visible x range, the finest level with at most
``max_buckets`` buckets in view (so at least half as many: the caller asks for
a few per pixel), and returns those buckets as interleaved (x, max), (x, min)
points, the way pyqtgraph's own 'peak' downsampling draws them; at level 0,
the raw points. Infinities count as gaps (NaN), as the curve draws them.

Its memory is bounded whatever the series' length: when the lowest stored
level would hold more than ``MAX_STORED`` buckets, it is dropped and the
next one becomes the lowest (``base`` goes up by one), so a series of ten
million points keeps about 2 x 2 x MAX_STORED floats. Finer levels are
worked out from the series when a zoom asks for them, as below ``BASE``.
Pure NumPy: no Qt here.
"""
from __future__ import annotations

import bisect
import math

import numpy as np

BASE = 4  # the lowest stored level: buckets of 16 points (at first)
MAX_STORED = 1 << 15  # buckets of the lowest stored level, at most (see above)


def search(xs: np.ndarray, value: float, side: str = "left") -> int:
    """``np.searchsorted(xs, value, side)`` for increasing ``xs``, without
    copying it: a history column is a strided view, which searchsorted would
    first copy whole (a full-size temporary on every redraw and hover)."""
    find = bisect.bisect_left if side == "left" else bisect.bisect_right
    return find(xs, value)


def _finite(seg: np.ndarray) -> np.ndarray:
    """``seg`` as floats with infinities as NaN (a gap, like a missing value)."""
    seg = np.asarray(seg, dtype=float)
    return np.where(np.isfinite(seg), seg, np.nan)


def _reduce(seg: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of ``seg`` in consecutive buckets of ``size`` points (a
    power of two; the last bucket may be partial), NaN skipped. Pairs are
    merged level by level: much faster than a reduce along short rows."""
    lo = hi = np.asarray(seg, dtype=float)
    while size > 1:
        m = len(lo)
        h = m // 2
        nlo, nhi = np.empty(h + (m & 1)), np.empty(h + (m & 1))
        np.fmin(lo[0:2 * h:2], lo[1:2 * h:2], out=nlo[:h])
        np.fmax(hi[0:2 * h:2], hi[1:2 * h:2], out=nhi[:h])
        if m & 1:  # a lone last point (or bucket)
            nlo[h], nhi[h] = lo[m - 1], hi[m - 1]
        lo, hi = nlo, nhi
        size //= 2
    return (lo.copy(), hi.copy()) if lo is seg or hi is seg else (lo, hi)


class PeakPyramid:
    """Min/max of a series at every power-of-two bucket size, kept up to date
    incrementally. The pyramid does not keep the series: pass the same array
    (grown or shortened) to ``update``, and to ``buckets`` and ``select``."""

    def __init__(self, base: int = BASE, max_stored: int | None = None):
        self.base = self._base0 = base
        self.max_stored = MAX_STORED if max_stored is None else max_stored
        self._n = 0
        self._lo: list[np.ndarray] = []  # stored level base + i
        self._hi: list[np.ndarray] = []
        self._count: list[int] = []  # valid buckets per stored level

    @property
    def n(self) -> int:
        """How many points the pyramid covers."""
        return self._n

    @property
    def levels(self) -> int:
        """Levels 0 .. levels-1; the last has a single bucket (0 when empty)."""
        return 0 if self._n == 0 else max(1, (self._n - 1).bit_length() + 1)

    def clear(self) -> None:
        self._n = 0
        self.base = self._base0
        self._lo, self._hi, self._count = [], [], []

    def update(self, y: np.ndarray, dirty_from: int = 0) -> None:
        """Take ``y`` as the series, where only points from ``dirty_from`` on
        (and any beyond the last update's length) changed."""
        n = len(y)
        d = max(0, min(dirty_from, self._n, n))
        self._n = n
        if n == 0:
            self.clear()
            return
        k, i = self.base, 0
        while True:
            size = 1 << k
            nb = -(-n // size)
            if i == len(self._lo):  # a new level: all of it
                cap = max(nb, 16)
                self._lo.append(np.empty(cap))
                self._hi.append(np.empty(cap))
                self._count.append(0)
            j0 = min(d >> k, self._count[i])
            if nb > len(self._lo[i]):  # grow (double) the level
                cap = max(nb, 2 * len(self._lo[i]))
                for arrs in (self._lo, self._hi):
                    grown = np.empty(cap)
                    grown[:j0] = arrs[i][:j0]
                    arrs[i] = grown
            lo, hi = self._lo[i], self._hi[i]
            if i == 0:
                lo[j0:nb], hi[j0:nb] = _reduce(_finite(y[j0 * size:n]), size)
            else:
                plo, phi = self._lo[i - 1], self._hi[i - 1]
                m = self._count[i - 1] - 2 * j0  # children of buckets j0 .. nb-1
                pairs = m // 2
                end = j0 + pairs
                a = 2 * j0
                np.fmin(plo[a:a + 2 * pairs:2], plo[a + 1:a + 2 * pairs:2], out=lo[j0:end])
                np.fmax(phi[a:a + 2 * pairs:2], phi[a + 1:a + 2 * pairs:2], out=hi[j0:end])
                if m % 2:  # a lone last child
                    lo[end], hi[end] = plo[a + m - 1], phi[a + m - 1]
            self._count[i] = nb
            if nb == 1:
                break
            k, i = k + 1, i + 1
        del self._lo[i + 1:], self._hi[i + 1:], self._count[i + 1:]
        while self._count[0] > self.max_stored and len(self._lo) > 1:
            del self._lo[0], self._hi[0], self._count[0]  # the next level is the lowest now
            self.base += 1

    @property
    def nbytes(self) -> int:
        """The bytes the stored levels take."""
        return sum(a.nbytes for a in self._lo + self._hi)

    def bounds(self) -> tuple[float, float]:
        """(min, max) of the whole series, NaN skipped; NaN when it has no number."""
        if self._n == 0:
            return math.nan, math.nan
        return float(self._lo[-1][0]), float(self._hi[-1][0])

    def buckets(self, y: np.ndarray, k: int, j0: int, j1: int) -> tuple[np.ndarray, np.ndarray]:
        """(min, max) of buckets j0 .. j1-1 at level k (buckets of 2**k points)."""
        nb = -(-self._n // (1 << k)) if self._n else 0
        j1 = min(j1, nb)
        j0 = max(0, min(j0, j1))
        if k >= self.base:
            i = min(k - self.base, len(self._lo) - 1)
            if i < k - self.base:  # above the top: one bucket, the top's
                return self._lo[i][:1].copy(), self._hi[i][:1].copy()
            return self._lo[i][j0:j1].copy(), self._hi[i][j0:j1].copy()
        size = 1 << k
        return _reduce(_finite(y[j0 * size:min(self._n, j1 * size)]), size)

    def _span(self, x: np.ndarray, x0: float, x1: float) -> tuple[int, int]:
        """Indices [i0, i1) of the points with x0 <= x <= x1, and one more on each side."""
        xs = x[:self._n]
        i0 = max(0, search(xs, x0, "left") - 1)
        i1 = min(self._n, search(xs, x1, "right") + 1)
        return i0, max(i1, min(self._n, i0 + 1))

    def _level(self, i0: int, i1: int, max_buckets: int) -> int:
        top = self.levels - 1
        k = 0
        while k < top and (((i1 - 1) >> k) - (i0 >> k) + 1) > max_buckets:
            k += 1
        return k

    def level_for(self, x: np.ndarray, x0: float, x1: float, max_buckets: int) -> int:
        """The level ``select`` would use for the x range [x0, x1]."""
        if self._n == 0:
            return 0
        return self._level(*self._span(x, x0, x1), max(1, int(max_buckets)))

    def select(self, x: np.ndarray, y: np.ndarray, x0: float, x1: float, max_buckets: int,
               margin: float = 0.0) -> tuple[np.ndarray, np.ndarray, int]:
        """What to draw of the series (x increasing) for the visible range
        [x0, x1]: the coarsest level with at most ``max_buckets`` buckets in
        that range (level 0: the raw points), over the range widened by
        ``margin`` times its width on each side, plus one point or bucket on
        each side so the line runs on to the edges. Returns (xs, ys, level);
        above level 0 each bucket gives two points at its first x: its max,
        then its min."""
        if self._n == 0:
            return np.empty(0), np.empty(0), 0
        k = self._level(*self._span(x, x0, x1), max(1, int(max_buckets)))
        if margin > 0 and math.isfinite(x1 - x0):
            x0, x1 = x0 - margin * (x1 - x0), x1 + margin * (x1 - x0)
        i0, i1 = self._span(x, x0, x1)
        if k == 0:
            return np.array(x[i0:i1], dtype=float), _finite(y[i0:i1]), 0
        size = 1 << k
        nb = -(-self._n // size)
        j0, j1 = i0 >> k, min(nb, ((i1 - 1) >> k) + 2)  # one more bucket on the right
        lo, hi = self.buckets(y, k, j0, j1)
        m = len(lo)
        xs = np.repeat(np.asarray(x[j0 * size:j1 * size:size], dtype=float)[:m], 2)
        ys = np.empty(2 * m)
        ys[0::2], ys[1::2] = hi, lo
        return xs, ys, k
