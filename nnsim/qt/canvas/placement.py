"""Where edge labels go: on their own edge, overlapping nothing (no Qt).

Each label may sit at a fraction t of its edge's length, T_MIN <= t <= T_MAX.
It prefers a fraction staggered by its target neuron (labels into different
neurons then sit in different columns) and spots that no other edge crosses
(a label on a crossing would be ambiguous). Placement is greedy, followed by
a repair pass: a label that found no room may push one placed label to
another free spot of that label's edge. A label that still finds no room
is left out (the caller hides it; zooming in makes room).

Rectangles are tuples ``(left, top, right, bottom)`` in scene coordinates.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

T_MIN, T_MAX, T_STEP = 0.12, 0.88, 0.01
# One crossing edge under a label costs as much as moving it 1/T_WEIGHT along its edge.
T_WEIGHT = 3.0
# Above this many edges between two layers, skip the crossing refinement.
CROSSING_MAX_EDGES = 200
# Between two layers with more labels than this, each label tries only its
# best DENSE_CANDIDATES spots and there is no repair pass (speed).
DENSE = 200
DENSE_CANDIDATES = 16
# A gap with more labels than this left without room gets no repair pass:
# it is crowded, moving one label would not make room for many (speed).
REPAIR_MAX = 12

TS = np.arange(T_MIN, T_MAX + 1e-9, T_STEP)

Rect = tuple[float, float, float, float]


@dataclass
class Label:
    """One edge label to place; ``ends`` = (x0, y0, x1, y1) of its edge."""

    key: object
    ends: tuple[float, float, float, float]
    width: float
    height: float
    target: int  # index of the target neuron in its layer
    n_targets: int
    index: int = -1  # its row in the gap's crossing_ends
    order: np.ndarray = field(default=None, repr=False)  # candidate indices, best first
    placed: int | None = None  # index into TS

    def center(self, c: int) -> tuple[float, float]:
        x0, y0, x1, y1 = self.ends
        t = TS[c]
        return x0 + t * (x1 - x0), y0 + t * (y1 - y0)


def preferred_t(target: int, n_targets: int) -> float:
    """Where along its edge a label into neuron ``target`` would like to sit."""
    if n_targets <= 1:
        return 0.5
    c = min(n_targets, 3)
    return 0.3 + 0.4 * ((target % c) / (c - 1))


def crossings(cx: np.ndarray, cy: np.ndarray, w: float, h: float,
              ends: np.ndarray, self_index: int) -> np.ndarray:
    """For each candidate centre, how many other edges pass through a w x h box."""
    return crossings_many(cx[None, :], cy[None, :], np.array([w], dtype=float),
                          np.array([h], dtype=float), ends,
                          np.array([self_index]))[0]


def crossings_many(cx: np.ndarray, cy: np.ndarray, w: np.ndarray, h: np.ndarray,
                   ends: np.ndarray, self_index: np.ndarray) -> np.ndarray:
    """``crossings`` of many labels at once: candidate centres ``cx``, ``cy``
    (labels, candidates), boxes ``w`` x ``h`` and own rows ``self_index``
    (labels,); returns (labels, candidates). Worked in blocks of labels, so
    the (labels, candidates, edges) temporaries stay small."""
    n, m = cx.shape
    out = np.empty((n, m))
    x0, y0, x1, y1 = ends[:, 0], ends[:, 1], ends[:, 2], ends[:, 3]
    lo_x, hi_x = np.minimum(x0, x1), np.maximum(x0, x1)
    vertical = np.abs(x1 - x0) < 1e-9
    slope = (y1 - y0) / np.where(vertical, 1.0, x1 - x0)
    lo_y, hi_y = np.minimum(y0, y1), np.maximum(y0, y1)
    step = max(1, _CROSS_CHUNK // max(1, m * len(ends)))
    for s in range(0, n, step):
        bx, by = cx[s:s + step, :, None], cy[s:s + step, :, None]
        bw, bh = w[s:s + step, None, None] / 2, h[s:s + step, None, None] / 2
        left = np.maximum(bx - bw, lo_x)
        right = np.minimum(bx + bw, hi_x)
        ya = np.where(vertical, lo_y, y0 + (left - x0) * slope)
        yb = np.where(vertical, hi_y, y0 + (right - x0) * slope)
        hit = (left <= right) & (np.maximum(ya, yb) >= by - bh) & (np.minimum(ya, yb) <= by + bh)
        own = self_index[s:s + step]
        rows = np.flatnonzero((own >= 0) & (own < len(ends)))
        hit[rows, :, own[rows]] = False
        out[s:s + step] = hit.sum(axis=2)
    return out


class CrossingCache:
    """Crossing counts of label spots kept between placements.

    A label's counts depend only on its edge, its box and the other edges of
    its gap; in run mode those stay put while the numbers change (box widths
    come in steps, see ValueLabelItem), so each placement after the first
    finds most counts here. Keyed by all of those, so a moved neuron or a
    new zoom simply misses. ``computed`` counts the labels worked out."""

    MAX_ENTRIES = 50_000  # then it starts afresh (a zoom sweep, a big network)

    def __init__(self):
        self._gaps: dict[bytes, dict] = {}
        self._size = 0
        self.computed = 0

    def counts(self, ends: np.ndarray, E: np.ndarray, width: np.ndarray, height: np.ndarray,
               index: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
        """(labels, candidates) crossing counts of labels on edges ``E`` with
        boxes ``width`` x ``height``, rows ``index`` in the gap's ``ends``
        (their candidate centres ``cx``, ``cy``, worked out for the misses)."""
        if self._size > self.MAX_ENTRIES:
            self._gaps.clear()
            self._size = 0
        rows = self._gaps.setdefault(ends.tobytes(), {})
        keys = list(zip(index.tolist(), map(tuple, E.tolist()), width.tolist(),
                        height.tolist()))
        out = np.empty(cx.shape)
        miss = []
        for p, key in enumerate(keys):
            row = rows.get(key)
            if row is None:
                miss.append(p)
            else:
                out[p] = row
        if miss:
            got = crossings_many(cx[miss], cy[miss], width[miss], height[miss], ends,
                                 index[miss])
            out[miss] = got
            for p, row in zip(miss, got):
                rows[keys[p]] = row
            self._size += len(miss)
            self.computed += len(miss)
        return out


def first_free_spot(ends, width: float, height: float, target: int, n_targets: int,
                    rects: np.ndarray) -> int:
    """One label on its own: the index into TS of its best spot (as
    place_gaps orders them, without crossings) overlapping none of
    ``rects`` (n, 4); -1 if there is none."""
    x0, y0, x1, y1 = ends
    order = np.argsort(T_WEIGHT * np.abs(TS - preferred_t(target, n_targets)), kind="stable")
    t = TS[order]
    x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
    w, h = width / 2, height / 2
    r = np.asarray(rects, dtype=float).reshape(-1, 4)
    hit = ((x[:, None] - w < r[None, :, 2]) & (r[None, :, 0] < x[:, None] + w)
           & (y[:, None] - h < r[None, :, 3]) & (r[None, :, 1] < y[:, None] + h))
    free = ~hit.any(axis=1)
    return int(order[np.argmax(free)]) if free.any() else -1


def _preferred_ts(targets: np.ndarray, n_targets: np.ndarray) -> np.ndarray:
    """preferred_t of many labels at once (the same numbers)."""
    c = np.minimum(n_targets, 3)
    spread = np.maximum(c - 1, 1)
    t = 0.3 + 0.4 * ((targets % np.maximum(c, 1)) / spread)
    return np.where(n_targets <= 1, 0.5, t)


# A rectangle (l, t, r, b) is kept as y = (r, b, -l, -t) and a query rectangle
# as x = (l, t, -r, -b): the two overlap (with positive area) exactly when
# x < y in all four places. The four comparisons are read as one int32 (four
# True bytes) and compared once. An inactive rectangle is all -inf.
_SIGN = np.array([1.0, 1.0, -1.0, -1.0])  # (l, t, r, b) * _SIGN: a query's x
_ALL4 = np.frombuffer(np.ones(4, dtype=np.bool_).tobytes(), dtype=np.int32)[0]
_CHUNK = 1 << 20  # label-rect pairs compared at once when a gap starts
_CROSS_CHUNK = 1 << 18  # (spot, edge) pairs counted at once by crossings_many


def _as_y(rect: np.ndarray) -> np.ndarray:
    """(l, t, r, b) -> (r, b, -l, -t), how _Rects stores a rectangle."""
    return rect[..., [2, 3, 0, 1]] * _SIGN


def _overlap(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether queries ``x`` overlap rects ``y`` (broadcast; the last axis is the 4)."""
    return (x < y).view(np.int32)[..., 0] == _ALL4


def _apart(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether queries ``x`` do not overlap rects ``y`` (as _overlap)."""
    return (x < y).view(np.int32)[..., 0] != _ALL4


class _Rects:
    """Placed rectangles; owner -1 is a fixed obstacle."""

    def __init__(self, obstacles: list[Rect], capacity: int):
        n = len(obstacles)
        self.r = np.zeros((n + capacity, 4))
        if n:
            self.r[:n] = np.asarray(obstacles, dtype=float)
        self.y = np.full((n + capacity, 4), -np.inf)
        self.y[:n] = _as_y(self.r[:n])
        self.owner = np.full(n + capacity, -1)
        self.n = n

    def add(self, rect: np.ndarray, owner: int) -> int:
        """Add ``rect`` (l, t, r, b); returns its index."""
        i = self.n
        if i == len(self.r):  # grow
            self.r = np.concatenate([self.r, np.zeros_like(self.r)])
            self.y = np.concatenate([self.y, np.full_like(self.y, -np.inf)])
            self.owner = np.concatenate([self.owner, np.full(len(self.owner), -1)])
        self.r[i], self.owner[i] = rect, owner
        self.y[i] = _as_y(rect)
        self.n += 1
        return i

    def extend(self, rects: np.ndarray, owners: np.ndarray) -> None:
        """Add several rectangles (l, t, r, b) at once."""
        while self.n + len(rects) > len(self.r):  # grow
            self.r = np.concatenate([self.r, np.zeros_like(self.r)])
            self.y = np.concatenate([self.y, np.full_like(self.y, -np.inf)])
            self.owner = np.concatenate([self.owner, np.full(len(self.owner), -1)])
        i, j = self.n, self.n + len(rects)
        self.r[i:j], self.y[i:j], self.owner[i:j] = rects, _as_y(rects), owners
        self.n = j

    def set_active(self, i: int, on: bool) -> None:
        self.y[i] = _as_y(self.r[i]) if on else -np.inf

    def near(self, box_x: np.ndarray) -> np.ndarray:
        """Indices of the active rects overlapping a box (given as x)."""
        return np.flatnonzero(_overlap(box_x, self.y[:self.n]))

    def hits(self, cands_x: np.ndarray, near: np.ndarray) -> np.ndarray:
        """(candidates, near) boolean matrix: which candidate (as x) overlaps
        which of the rects ``near``."""
        return _overlap(cands_x[:, None, :], self.y[near][None, :, :])

    def free(self, cands_x: np.ndarray, boxes_x: np.ndarray) -> np.ndarray:
        """(labels, candidates): the candidates overlapping no active rect, for
        labels with candidates ``cands_x`` (labels, candidates, 4) inside
        ``boxes_x`` (labels, 4)."""
        free = np.ones(cands_x.shape[:2], dtype=bool)
        y = self.y[:self.n]
        y = y[y[:, 0] > -np.inf]  # the active ones
        if not len(y) or not len(boxes_x):
            return free
        # Pairs (label, rect) whose boxes may overlap: rects of usual height
        # sorted by their top, so each label looks at a range of them; the
        # tall (or not finite) ones are compared with every label.
        top, height = -y[:, 3], y[:, 1] + y[:, 3]
        finite = np.isfinite(top) & np.isfinite(height)
        tall_at = float(2 * np.median(height[finite])) if finite.any() else 0.0
        short = np.flatnonzero(finite & (height <= tall_at))
        short = short[np.argsort(top[short], kind="stable")]
        tops = top[short]
        lo = np.searchsorted(tops, boxes_x[:, 1] - tall_at - 1.0)
        hi = np.searchsorted(tops, -boxes_x[:, 3] + 1.0)
        counts = np.maximum(hi - lo, 0)
        li = np.repeat(np.arange(len(boxes_x)), counts)
        ends = np.cumsum(counts)
        ri = short[np.arange(len(li)) - np.repeat(ends - counts - lo, counts)]
        self._take(free, cands_x, boxes_x, y, li, ri)
        tall = np.setdiff1d(np.arange(len(y)), short, assume_unique=True)
        step = max(1, _CHUNK // max(1, len(tall)))
        for s in range(0, len(boxes_x) if len(tall) else 0, step):
            li, ri = np.nonzero(_overlap(boxes_x[s:s + step, None, :], y[None, tall, :]))
            self._take(free, cands_x, boxes_x, y, s + li, tall[ri])
        return free

    @staticmethod
    def _take(free, cands_x, boxes_x, y, li, ri) -> None:
        """Clear in ``free`` the candidates of labels ``li`` that overlap
        rects ``ri`` (pairs; ``li`` ascending)."""
        keep = _overlap(boxes_x[li], y[ri])
        li, ri = li[keep], ri[keep]
        if not li.size:
            return
        blocked = _overlap(cands_x[li], y[ri][:, None, :])  # (pairs, candidates)
        starts = np.flatnonzero(np.r_[True, li[1:] != li[:-1]])
        free[li[starts]] &= ~np.logical_or.reduceat(blocked, starts, axis=0)


@dataclass
class Gap:
    """The labels of the edges between two layers, as arrays (one row a label)."""

    ends: np.ndarray  # (n, 4): x0, y0, x1, y1 of each label's edge
    width: np.ndarray  # (n,)
    height: np.ndarray  # (n,)
    target: np.ndarray  # (n,) ints: the target neuron in its layer
    n_targets: np.ndarray  # (n,) ints: neurons in that layer
    index: np.ndarray  # (n,) ints: its row in the gap's crossing_ends (-1: none)

    def __len__(self) -> int:
        return len(self.ends)


def place(gaps: list[list[Label]], obstacles: list[Rect],
          crossing_ends: list[np.ndarray] | None = None) -> None:
    """Set ``label.placed`` for every label of every gap (None: no room).

    ``gaps[g]`` are the labels of the edges between two layers;
    ``crossing_ends[g]`` (optional) the ends of every present edge of that
    gap, to keep labels off crossings. (place_gaps, with arrays.)
    """
    arrays = [Gap(np.array([lab.ends for lab in labels], dtype=float).reshape(-1, 4),
                  np.array([lab.width for lab in labels], dtype=float),
                  np.array([lab.height for lab in labels], dtype=float),
                  np.array([lab.target for lab in labels], dtype=int),
                  np.array([lab.n_targets for lab in labels], dtype=int),
                  np.array([lab.index for lab in labels], dtype=int)) for labels in gaps]
    orders: list[np.ndarray] = []
    placed = place_gaps(arrays, obstacles, crossing_ends, orders)
    for labels, got, order in zip(gaps, placed, orders):
        for lab, c, o in zip(labels, got.tolist(), order):
            lab.placed = None if c < 0 else c
            lab.order = o


def place_gaps(gaps: list[Gap], obstacles: list[Rect],
               crossing_ends: list[np.ndarray] | None = None,
               orders: list | None = None,
               cache: CrossingCache | None = None) -> list[np.ndarray]:
    """Where each label goes: for each gap, an index into TS for each of its
    labels (-1: no room). ``orders`` (optional) receives each gap's candidate
    indices, best first. ``cache`` (optional) keeps the crossing counts for
    the next call (the same result, found sooner).

    Greedy, gap by gap, labels into the same neuron together: each label
    takes its first candidate spot (best first) that overlaps no obstacle
    and no label placed before it. Done as: which candidates are free when
    the gap starts (all at once), then each placed label takes the spots it
    covers from the labels after it (most labels find no room and cost
    nothing). Then, between two layers with few labels, a repair pass: a
    label without room may push one placed label to another of its spots.
    """
    rects = _Rects(obstacles, sum(len(g) for g in gaps) + 16)
    placed = [np.full(len(g), -1) for g in gaps]
    # per gap, in the order of placing: first owner number, candidate TS
    # indices, rects, as x, boxes as x; and each label's row in them
    spans: list[tuple] = []
    base = 0
    for g, gap in enumerate(gaps):
        n = len(gap)
        ends = crossing_ends[g] if crossing_ends is not None else None
        use_crossings = ends is not None and 1 < len(ends) <= CROSSING_MAX_EDGES
        dense = n > DENSE
        if not n:
            spans.append((base, None, None, None, None, None))
            if orders is not None:
                orders.append(np.zeros((0, len(TS)), dtype=int))
            continue
        # every label of the gap at once: costs, their order, the rectangles,
        # all in the order of placing (labels into the same neuron together,
        # so they stack neatly)
        seq = np.argsort(gap.target, kind="stable")
        inv = np.empty_like(seq)
        inv[seq] = np.arange(n)
        E = np.asarray(gap.ends, dtype=float)[seq]
        width, height = np.asarray(gap.width, dtype=float)[seq], np.asarray(
            gap.height, dtype=float)[seq]
        pref = _preferred_ts(np.asarray(gap.target)[seq], np.asarray(gap.n_targets)[seq])
        if use_crossings:
            cost = T_WEIGHT * np.abs(TS[None, :] - pref[:, None])
            cx = E[:, 0:1] + TS[None, :] * (E[:, 2:3] - E[:, 0:1])
            cy = E[:, 1:2] + TS[None, :] * (E[:, 3:4] - E[:, 1:2])
            index = np.asarray(gap.index, dtype=int)[seq]
            if cache is not None:
                cost += cache.counts(ends, E, width, height, index, cx, cy)
            else:
                cost += crossings_many(cx, cy, width, height, ends, index)
            order = np.argsort(cost, axis=1, kind="stable")
        else:  # the cost depends on the preferred t only: a few distinct orders
            prefs, which = np.unique(pref, return_inverse=True)
            cost = T_WEIGHT * np.abs(TS[None, :] - prefs[:, None])
            order = np.argsort(cost, axis=1, kind="stable")[which.reshape(-1)]
        if dense:
            order = order[:, :DENSE_CANDIDATES]
        if orders is not None:
            orders.append(order[inv])
        w, h = width[:, None] / 2, height[:, None] / 2
        t = TS[order]
        ox = E[:, 0:1] + t * (E[:, 2:3] - E[:, 0:1])
        oy = E[:, 1:2] + t * (E[:, 3:4] - E[:, 1:2])
        rect = np.stack([ox - w, oy - h, ox + w, oy + h], axis=2)  # (labels, cands, 4)
        rect_x = rect * _SIGN
        rect_y = _as_y(rect)
        box_x = np.stack([ox.min(axis=1) - w[:, 0], oy.min(axis=1) - h[:, 0],
                          -(ox.max(axis=1) + w[:, 0]), -(oy.max(axis=1) + h[:, 0])], axis=1)
        spans.append((base, order, rect, rect_x, box_x, inv))
        # greedy: the candidates free when the gap starts, then each label
        # placed takes the spots it covers from the labels after it
        free = rects.free(rect_x, box_x)
        room = free.any(axis=1).tolist()  # (when the gap starts)
        chosen = []  # (position, candidate)
        for p in range(n):
            if not room[p]:
                continue
            row = free[p]
            c = int(row.argmax())
            if not row[c]:
                continue  # the labels before it took its spots
            chosen.append((p, c))
            y = rect_y[p, c]
            later = np.flatnonzero((box_x[p + 1:] < y).view(np.int32) == _ALL4)
            if later.size:
                later += p + 1
                free[later] &= _apart(rect_x[later], y)
        if chosen:
            pos, cs = np.array(chosen).T
            idx = seq[pos]
            placed[g][idx] = order[pos, cs]
            rects.extend(rect[pos, cs], base + idx)
        base += n
        if not dense and (placed[g] < 0).sum() <= REPAIR_MAX:
            _repair(g, spans, placed, rects)
    return placed


def _repair(g: int, spans: list[tuple], placed: list[np.ndarray], rects: _Rects) -> None:
    """Each label of gap ``g`` without room tries its spots blocked by one
    placed label only, and takes one if that label finds another free spot
    (labels of earlier gaps may be pushed too)."""
    filled = [k for k, sp in enumerate(spans) if sp[1] is not None]
    bases = [spans[k][0] for k in filled]

    def find(owner):  # the gap and row of a label by its owner number
        k = filled[bisect.bisect_right(bases, owner) - 1]
        return k, owner - spans[k][0]

    base, order, rect, rect_x, box_x, inv = spans[g]
    for i in np.flatnonzero(placed[g] < 0).tolist():  # in the gap's own order
        p = int(inv[i])
        near = rects.near(box_x[p])
        hits = rects.hits(rect_x[p], near)
        for c in np.flatnonzero(hits.sum(axis=1) == 1):
            blocker = int(near[np.flatnonzero(hits[c])[0]])
            m = int(rects.owner[blocker])
            if m < 0:
                continue
            k, j = find(m)
            o_order, o_rect, o_x, o_box, o_inv = spans[k][1:]
            q = int(o_inv[j])
            rects.set_active(blocker, False)
            mine = rects.add(rect[p, c], base + i)
            ok = ~rects.hits(o_x[q], rects.near(o_box[q])).any(axis=1)
            if ok.any():
                oc = int(np.argmax(ok))
                placed[k][j] = o_order[q, oc]
                rects.add(o_rect[q, oc], m)
                placed[g][i] = order[p, c]
                break
            rects.set_active(mine, False)  # undo
            rects.set_active(blocker, True)
