"""Training histories in NumPy columns that behave like lists.

Run mode finishes tens of thousands of epochs (and updates) a second on a
small network. Kept as Python objects, a million epochs took hundreds of MB,
and every full pass of Python's cycle collector walked them all: pauses of
a quarter of a second after 200,000 epochs (measured in run mode). These logs
keep the numbers in growable float64 arrays (64 bytes an epoch, 16 an
update), give plots their columns without a copy, and hand out rows
(``EpochResult``, ``(update, loss)``) when indexed or iterated.

They only ever grow or lose their tail (step back), so a *snapshot* (what an
undo step or a saved state keeps) shares the memory: a log copies its buffer
before it would overwrite rows a snapshot can see (copy on write).
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from .training import EpochResult

Array = np.ndarray


class _ColumnLog:
    NCOLS = 1

    def __init__(self, rows: Iterable = ()):
        self._a = np.empty((0, self.NCOLS))
        self._n = 0
        self._owned = True  # False: the buffer is shared with the log it was taken from
        self._shared = False  # a snapshot shares this buffer (copy before rewriting rows)
        self.extend(rows)

    # -- rows <-> numbers (per subclass) ---------------------------------------------
    def _encode(self, rows: list) -> Array:
        raise NotImplementedError

    def _decode(self, values: list):
        raise NotImplementedError

    # -- reading ---------------------------------------------------------------------
    def __len__(self) -> int:
        return self._n

    def __bool__(self) -> bool:
        return self._n > 0

    @property
    def columns(self) -> Array:
        """The numbers, one row per entry (a read-only view: no copy)."""
        v = self._a[:self._n]
        v.flags.writeable = False
        return v

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._decode(r) for r in self._a[:self._n][i].tolist()]
        i = int(i)
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("log index out of range")
        return self._decode(self._a[i].tolist())

    def __iter__(self):
        for r in self._a[:self._n].tolist():
            yield self._decode(r)

    def __eq__(self, other) -> bool:
        if isinstance(other, _ColumnLog):
            return type(self) is type(other) and self._n == other._n and bool(
                np.array_equal(self.columns, other.columns, equal_nan=True))
        try:
            other = list(other)
        except TypeError:
            return NotImplemented
        return len(other) == self._n and all(a == b for a, b in zip(self, other))

    __hash__ = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._n} entries)"

    # -- writing ---------------------------------------------------------------------
    def _writable(self, n_rows_kept: int, capacity: int) -> None:
        """Make the buffer safe to write from row ``n_rows_kept`` on, with room
        for ``capacity`` rows."""
        own = self._owned and not (self._shared and n_rows_kept < self._n)
        if own and capacity <= len(self._a):
            return
        # double only to make room (amortised appends); a copy made because the
        # buffer is shared keeps its size (else each step back on a snapshot
        # would double it)
        size = len(self._a) if capacity <= len(self._a) else max(capacity, 2 * len(self._a))
        grown = np.empty((max(size, 64), self.NCOLS))
        grown[:n_rows_kept] = self._a[:n_rows_kept]
        self._a, self._owned, self._shared = grown, True, False

    def extend_columns(self, block: Array) -> None:
        """Append rows given as numbers (``columns`` of a log of this kind)."""
        k = len(block)
        if not k:
            return
        n = self._n
        self._writable(n, n + k)
        self._a[n:n + k] = block
        self._n = n + k

    def extend(self, rows: Iterable) -> None:
        if isinstance(rows, type(self)):
            self.extend_columns(rows.columns)
            return
        rows = list(rows)
        if rows:
            self.extend_columns(self._encode(rows))

    def _row(self, row) -> tuple:
        return tuple(self._encode([row])[0])

    def append(self, row) -> None:
        n = self._n
        if not (self._owned and n < len(self._a)):
            self._writable(n, n + 1)
        self._a[n] = self._row(row)  # a tuple: the cheapest way into one row
        self._n = n + 1

    def __iadd__(self, rows):
        self.extend(rows)
        return self

    def __delitem__(self, i) -> None:
        """Only the tail can go (``del log[k:]``), as in a step back."""
        if not isinstance(i, slice):
            raise TypeError("only a tail slice (del log[k:]) can be deleted")
        start, stop, step = i.indices(self._n)
        if step != 1 or stop < self._n:
            raise TypeError("only a tail slice (del log[k:]) can be deleted")
        if start < self._n:
            self._writable(start, len(self._a))  # later appends must not touch a snapshot
            self._n = start

    def clear(self) -> None:
        del self[0:]

    def pop(self):
        """Remove and return the last entry."""
        if not self._n:
            raise IndexError("pop from an empty log")
        last = self[-1]
        del self[self._n - 1:]
        return last

    def snapshot(self):
        """A log with the same entries, sharing memory until either side
        would rewrite them (O(1))."""
        s = type(self)()
        s._a, s._n, s._owned = self._a, self._n, False
        self._shared = True
        return s

    copy = snapshot


def as_epoch_log(rows) -> "EpochLog":
    """An EpochLog of ``rows`` (a snapshot when it already is one)."""
    return rows.snapshot() if isinstance(rows, EpochLog) else EpochLog(rows)


def _opt(v) -> float:
    return math.nan if v is None else v


class EpochLog(_ColumnLog):
    """A list of :class:`~nnsim.core.training.EpochResult`.

    Columns: epoch, train loss, test loss, train accuracy, test accuracy
    (NaN where there is none), then three flags that tell a missing value
    (1.0) from a NaN one for the last three."""

    NCOLS = 8

    def _encode(self, rows: list) -> Array:
        return np.array([(r.epoch, r.train_loss, _opt(r.test_loss), _opt(r.train_accuracy),
                          _opt(r.test_accuracy), r.test_loss is None,
                          r.train_accuracy is None, r.test_accuracy is None) for r in rows],
                        dtype=np.float64)

    def _row(self, r) -> tuple:  # one epoch per call in training: kept lean
        t, a, b = r.test_loss, r.train_accuracy, r.test_accuracy
        return (r.epoch, r.train_loss, math.nan if t is None else t,
                math.nan if a is None else a, math.nan if b is None else b,
                t is None, a is None, b is None)

    def _decode(self, v: list) -> EpochResult:
        return EpochResult(int(v[0]), v[1], None if v[5] else v[2],
                           None if v[6] else v[3], None if v[7] else v[4])


# The per-update losses held at most (16 bytes each: 2 MB): run mode makes
# a hundred thousand updates a second, and the window kept them all (issue
# 16: its memory grew with every epoch trained).
STEP_LOG_ROWS = 1 << 17
RECENT_ROWS = STEP_LOG_ROWS // 4  # the latest updates stay exact, one row each


class StepLog(_ColumnLog):
    """A list of ``(update number, batch loss)`` pairs.

    Bounded by :meth:`compacted`: beyond the latest ``RECENT_ROWS`` updates,
    each *bucket* of ``bucket`` consecutive update numbers keeps only its
    lowest and its highest loss (and its first non-finite one), each still
    a real (update, loss) pair. A curve drawn as its low-high envelope (the
    loss plot draws every pixel's span so) is the same at every zoom where a
    pixel covers a bucket or more, and the first divergence stays marked.
    """

    NCOLS = 2

    def __init__(self, rows: Iterable = ()):
        super().__init__(rows)
        self.bucket = 1  # updates per bucket in the compacted part (1: every update kept)

    def snapshot(self):
        s = super().snapshot()
        s.bucket = self.bucket
        return s

    copy = snapshot

    @property
    def nbytes(self) -> int:
        """The bytes its buffer holds."""
        return self._a.nbytes

    def compacted(self, most: int | None = None, recent: int | None = None) -> "StepLog":
        """A new log of at most about ``most // 2`` rows (default
        STEP_LOG_ROWS): the last ``recent`` (RECENT_ROWS) rows as they are,
        the earlier ones in buckets (doubled until they fit). This log is
        not changed (snapshots of it stay valid)."""
        most = STEP_LOG_ROWS if most is None else most
        recent = RECENT_ROWS if recent is None else recent
        rows = self.columns
        n = len(rows)
        keep = min(n, recent)
        old, tail = rows[:n - keep], rows[n - keep:]
        room = max(3, most // 2 - keep)
        bucket = max(self.bucket, 2)
        if len(old):  # about 3 rows a bucket at most: start near the size that fits
            span = old[-1, 0] - old[0, 0] + 1
            while span / bucket * 3 > room:
                bucket *= 2
        head = _envelope(old, bucket)
        while len(head) > room:
            bucket *= 2
            head = _envelope(old, bucket)
        out = StepLog()
        out.extend_columns(np.concatenate([head, tail]) if len(head) else tail)
        out.bucket = bucket if len(head) else self.bucket
        return out

    def _encode(self, rows: list) -> Array:
        return np.array(rows, dtype=np.float64).reshape(-1, 2)

    def _decode(self, v: list) -> tuple[int, float]:
        return int(v[0]), v[1]

    def _row(self, r) -> tuple:
        return r

    def extend_losses(self, first_update: int, losses) -> None:
        """Append the batch losses of updates ``first_update``, +1, ..."""
        k = len(losses)
        if k == 1:  # full batch: one update an epoch
            self.append((first_update, losses[0]))
            return
        if not k:
            return
        losses = np.asarray(losses, dtype=np.float64)
        n = self._n
        self._writable(n, n + k)
        self._a[n:n + k, 0] = np.arange(first_update, first_update + k)
        self._a[n:n + k, 1] = losses
        self._n = n + k


def _envelope(rows: Array, bucket: int) -> Array:
    """Of (update, loss) ``rows`` (updates increasing), per bucket of
    ``bucket`` update numbers: the row of the lowest finite loss, of the
    highest, and the first non-finite one, in update order. O(rows)."""
    if not len(rows):
        return rows
    u, v = rows[:, 0], rows[:, 1]
    group = np.floor_divide(u, bucket)
    finite = np.isfinite(v)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    run = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(u)]))  # row -> its bucket
    picks = []
    for key in (np.where(finite, v, np.inf), np.where(finite, -v, np.inf)):
        best = np.minimum.reduceat(key, starts)
        hit = np.flatnonzero((key == best[run]) & np.isfinite(key))
        picks.append(hit[np.r_[True, run[hit][1:] != run[hit][:-1]]] if len(hit) else hit)
    bad = np.flatnonzero(~finite)
    if len(bad):
        picks.append(bad[np.r_[True, run[bad][1:] != run[bad][:-1]]])
    return rows[np.unique(np.concatenate(picks))]
