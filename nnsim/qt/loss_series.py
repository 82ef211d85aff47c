"""The loss plot's data side (NumPy, no drawing): the history lists as NumPy
rows converted incrementally, with infinities cleaned for drawing, and the
running mean of the batch loss updated from the first changed row.

``Series`` watches a history list (or a ``history_log`` column log) that
grows at the end and may lose its tail (step back) or be replaced (a new
stepper); each redraw converts only what is new. A column log (what the
document holds) is read in place, without a copy: the plot keeps no memory
per epoch of its own (issue 16: the window's memory per trained epoch).
"""
from __future__ import annotations

import math

import numpy as np

from ..core.history_log import _ColumnLog


def nan_for_none(v) -> float:
    return math.nan if v is None else float(v)


def epoch_rows(results) -> np.ndarray:
    return np.array([(r.epoch, nan_for_none(r.train_loss), nan_for_none(r.test_loss),
                      nan_for_none(r.train_accuracy), nan_for_none(r.test_accuracy)) for r in results],
                    dtype=float).reshape(-1, 5)


def step_rows(step_losses) -> np.ndarray:
    return np.array([(u, nan_for_none(v)) for u, v in step_losses], dtype=float).reshape(-1, 2)


def finite_or_nan(y: np.ndarray) -> np.ndarray:
    """Infinities become NaN: the curve skips them (connect="finite") and the
    auto-range stays on the finite part."""
    return np.where(np.isfinite(y), y, np.nan)


def early_max(y: np.ndarray, count: int = 10) -> float:
    """The largest of the first ``count`` finite values of ``y`` (row by row;
    0 without any), from the first rows only."""
    size = 16
    while True:
        head = np.ravel(y[:size])
        head = head[np.isfinite(head)]
        if len(head) >= count or size >= len(y):
            return float(np.max(head[:count])) if len(head) else 0.0
        size *= 4


def trailing_mean(y: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` finite values at each index (NaN where the
    window holds none)."""
    return TrailingMean().update(np.asarray(y, dtype=float), 0, window).copy()


class TrailingMean:
    """``trailing_mean``, kept up to date incrementally: an update recomputes
    only from the block of the first changed index.

    No running total is subtracted (a huge early loss would swamp tiny later
    ones): the values are cut into blocks of ``window``; a window ending at i
    is the suffix sum of the block before plus the prefix sum of i's block.
    """

    def __init__(self):
        self.window = 0
        self.n = 0
        self.buf = np.empty((5, 0))  # prefix/suffix sums and counts, and the mean
        self.changed_from = 0  # the first index the last update recomputed

    def reset(self) -> None:
        """Forget the means: the next update recomputes them all."""
        self.window = 0

    def update(self, y: np.ndarray, dirty_from: int, window: int) -> np.ndarray:
        n = len(y)
        if window != self.window:
            self.window, dirty_from = window, 0
        d = max(0, min(dirty_from, self.n, n))
        self.n = n
        self.changed_from = d
        if window <= 1:
            return finite_or_nan(y)
        K = window
        if n > self.buf.shape[1]:
            grown = np.empty((5, max(n, 2 * self.buf.shape[1], 1024)))
            grown[:, :d] = self.buf[:, :d]
            self.buf = grown
        P, Q, PC, QC, mean = self.buf
        c0 = d // K * K  # sums restart at block starts
        seg = y[c0:n]
        m = len(seg)
        ok = np.isfinite(seg)
        pad = (-m) % K
        for pre, suf, v in ((P, Q, np.where(ok, seg, 0.0)), (PC, QC, ok.astype(float))):
            blocks = np.concatenate([v, np.zeros(pad)]).reshape(-1, K)
            pre[c0:n] = np.cumsum(blocks, axis=1).ravel()[:m]
            suf[c0:n] = np.cumsum(blocks[:, ::-1], axis=1)[:, ::-1].ravel()[:m]
        i = np.arange(d, n)
        start = i - K + 1  # the window is [start, i]
        whole = (start <= 0) | (start % K == 0)  # within i's own block
        s0 = np.maximum(start, 0)
        S = np.where(whole, P[i], Q[s0] + P[i])
        N = np.where(whole, PC[i], QC[s0] + PC[i])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean[d:n] = np.where(N > 0.5, S / np.maximum(N, 1.0), np.nan)
        return mean[:n]


NO_ROW = np.iinfo(np.int64).max  # no such row


class Series:
    """NumPy rows of a history list that grows at the end and may shrink
    (step back) or be replaced (a new stepper). ``watch`` is called on every
    document signal so a shrink is never missed; ``rows`` gives the rows
    (a column log's own numbers, read only; a list's converted, only what is
    new since the last call), and notes per column the first row that is
    not finite (``first_bad``)."""

    def __init__(self, convert, ncols: int):
        self._convert, self._ncols = convert, ncols
        self._source = None
        self._valid = 0
        self._buf = np.empty((0, ncols))  # a list source's rows (a column log needs none)
        self._dirty_from = 0
        self._bad = np.full(ncols, NO_ROW)  # per column: the first non-finite row

    def watch(self, source: list) -> None:
        if source is not self._source:
            self._source, self._valid = source, 0
            self._buf = self._buf[:0]
        else:
            self._valid = min(self._valid, len(source))
        self._dirty_from = min(self._dirty_from, self._valid)

    def take_dirty_from(self) -> int:
        """The first row (re)written since the last call."""
        d, self._dirty_from = self._dirty_from, self._valid
        return d

    def rows(self) -> np.ndarray:
        src = self._source
        if src is None:
            return self._buf[:0]
        n = len(src)
        self._valid = min(self._valid, n)
        self._dirty_from = min(self._dirty_from, self._valid)
        self._bad[self._bad >= self._valid] = NO_ROW  # rows stepped back from
        v = self._valid
        if isinstance(src, _ColumnLog):  # already numbers: a view, no copy
            rows = src.columns[:n, :self._ncols]
        else:
            if n > v:
                if n > len(self._buf):
                    grown = np.empty((max(n, 2 * len(self._buf), 64), self._ncols))
                    grown[:v] = self._buf[:v]
                    self._buf = grown
                self._buf[v:n] = self._convert(src[v:n])
            rows = self._buf[:n]
        if n > v:  # only the new rows
            bad = ~np.isfinite(rows[v:n])
            self._bad = np.where(bad.any(axis=0), np.minimum(self._bad, v + bad.argmax(axis=0)),
                                 self._bad)
            self._valid = n
        return rows

    def first_bad(self, col: int) -> int:
        """The first row whose column ``col`` is not finite, or the number of
        rows (call ``rows()`` first)."""
        return int(min(self._bad[col], self._valid))
