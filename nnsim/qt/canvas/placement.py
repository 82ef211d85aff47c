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
    x0, y0, x1, y1 = ends[:, 0], ends[:, 1], ends[:, 2], ends[:, 3]
    lo_x, hi_x = np.minimum(x0, x1), np.maximum(x0, x1)
    left = np.maximum(cx[:, None] - w / 2, lo_x[None, :])
    right = np.minimum(cx[:, None] + w / 2, hi_x[None, :])
    vertical = np.abs(x1 - x0) < 1e-9
    slope = (y1 - y0) / np.where(vertical, 1.0, x1 - x0)
    ya = y0[None, :] + (left - x0[None, :]) * slope[None, :]
    yb = y0[None, :] + (right - x0[None, :]) * slope[None, :]
    ya = np.where(vertical[None, :], np.minimum(y0, y1)[None, :], ya)
    yb = np.where(vertical[None, :], np.maximum(y0, y1)[None, :], yb)
    top, bottom = cy[:, None] - h / 2, cy[:, None] + h / 2
    hit = (left <= right) & (np.maximum(ya, yb) >= top) & (np.minimum(ya, yb) <= bottom)
    if 0 <= self_index < hit.shape[1]:
        hit[:, self_index] = False
    return hit.sum(axis=1).astype(float)


class _Rects:
    """Placed rectangles as arrays; owner -1 is a fixed obstacle."""

    def __init__(self, obstacles: list[Rect], capacity: int):
        n = len(obstacles)
        self.r = np.zeros((n + capacity, 4))
        if n:
            self.r[:n] = np.asarray(obstacles, dtype=float)
        self.owner = np.full(n + capacity, -1)
        self.active = np.zeros(n + capacity, dtype=bool)
        self.active[:n] = True
        self.n = n

    def add(self, rect: np.ndarray, owner: int) -> int:
        i = self.n
        if i == len(self.r):  # grow
            self.r = np.concatenate([self.r, np.zeros_like(self.r)])
            self.owner = np.concatenate([self.owner, np.full(len(self.owner), -1)])
            self.active = np.concatenate([self.active, np.zeros(len(self.active), dtype=bool)])
        self.r[i], self.owner[i], self.active[i] = rect, owner, True
        self.n += 1
        return i

    def overlaps(self, cands: np.ndarray, box=None) -> np.ndarray:
        """(candidates, rects) boolean matrix of overlaps with active rects
        (columns: only the rects near the candidates, see ``near``). ``box``:
        the candidates' bounding box (left, top, right, bottom) if known."""
        r = self.r[:self.n]
        if box is None:
            box = (cands[:, 0].min(), cands[:, 1].min(), cands[:, 2].max(), cands[:, 3].max())
        near = (self.active[:self.n] & (r[:, 0] < box[2]) & (box[0] < r[:, 2])
                & (r[:, 1] < box[3]) & (box[1] < r[:, 3]))
        self.near = np.flatnonzero(near)
        r = r[self.near]
        return ((cands[:, None, 0] < r[None, :, 2]) & (r[None, :, 0] < cands[:, None, 2])
                & (cands[:, None, 1] < r[None, :, 3]) & (r[None, :, 1] < cands[:, None, 3]))


def place(gaps: list[list[Label]], obstacles: list[Rect],
          crossing_ends: list[np.ndarray] | None = None) -> None:
    """Set ``label.placed`` for every label of every gap (None: no room).

    ``gaps[g]`` are the labels of the edges between two layers;
    ``crossing_ends[g]`` (optional) the ends of every present edge of that
    gap, to keep labels off crossings.
    """
    rects = _Rects(obstacles, sum(len(g) for g in gaps) + 16)
    everyone: list[Label] = []  # owners are indices into this list
    cands: list[np.ndarray] = []  # their candidate rectangles, best first
    boxes: list[tuple] = []  # the bounding box of each label's candidates
    for g, labels in enumerate(gaps):
        base = len(everyone)
        everyone += labels
        ends = crossing_ends[g] if crossing_ends is not None else None
        use_crossings = ends is not None and 1 < len(ends) <= CROSSING_MAX_EDGES
        dense = len(labels) > DENSE
        if not labels:
            continue
        # every label of the gap at once: costs, their order, the rectangles
        E = np.array([lab.ends for lab in labels], dtype=float)
        pref = np.array([preferred_t(lab.target, lab.n_targets) for lab in labels])
        cost = T_WEIGHT * np.abs(TS[None, :] - pref[:, None])
        cx = E[:, 0:1] + TS[None, :] * (E[:, 2:3] - E[:, 0:1])
        cy = E[:, 1:2] + TS[None, :] * (E[:, 3:4] - E[:, 1:2])
        if use_crossings:
            for i, lab in enumerate(labels):
                cost[i] = cost[i] + crossings(cx[i], cy[i], lab.width, lab.height, ends,
                                              lab.index)
        order = np.argsort(cost, axis=1, kind="stable")
        if dense:
            order = order[:, :DENSE_CANDIDATES]
        w = np.array([lab.width for lab in labels])[:, None] / 2
        h = np.array([lab.height for lab in labels])[:, None] / 2
        ox = np.take_along_axis(cx, order, axis=1)
        oy = np.take_along_axis(cy, order, axis=1)
        rect = np.stack([ox - w, oy - h, ox + w, oy + h], axis=2)  # (labels, cands, 4)
        lo, hi = rect.min(axis=1), rect.max(axis=1)
        for i, lab in enumerate(labels):
            lab.order = order[i]
            lab.placed = None
            cands.append(rect[i])
            boxes.append((lo[i, 0], lo[i, 1], hi[i, 2], hi[i, 3]))
        # greedy, labels into the same neuron together (they stack neatly)
        for n in sorted(range(base, len(everyone)), key=lambda n: everyone[n].target):
            lab = everyone[n]
            free = ~rects.overlaps(cands[n], boxes[n]).any(axis=1)
            if free.any():
                c = int(np.argmax(free))
                lab.placed = int(lab.order[c])
                rects.add(cands[n][c], n)
        if dense:
            continue
        # repair: push one placed label aside to make room
        for n in range(base, len(everyone)):
            lab = everyone[n]
            if lab.placed is not None:
                continue
            hits = rects.overlaps(cands[n], boxes[n])
            near = rects.near
            for c in np.flatnonzero(hits.sum(axis=1) == 1):
                blocker = int(near[np.flatnonzero(hits[c])[0]])
                m = int(rects.owner[blocker])
                if m < 0:
                    continue
                other = everyone[m]
                rects.active[blocker] = False
                mine = rects.add(cands[n][c], n)
                ok = ~rects.overlaps(cands[m], boxes[m]).any(axis=1)
                if ok.any():
                    oc = int(np.argmax(ok))
                    other.placed = int(other.order[oc])
                    rects.add(cands[m][oc], m)
                    lab.placed = int(lab.order[c])
                    break
                rects.active[mine] = False  # undo
                rects.active[blocker] = True
