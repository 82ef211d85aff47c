"""Run mode's timing, as plain arithmetic on times the runner reads from its
clock (no Qt, no clock of its own, so tests give any times they like).

- :class:`FramePacer`: which chunks trained in the window are *frames* (the
  chunks the views redraw for), spaced so that training keeps TRAIN_SHARE of
  the time whatever the views' redraws cost;
- :class:`SpeedPacer`: how many epochs are due at a set speed;
- :class:`RateMeter`: epochs per second over the last couple of seconds.
"""
from __future__ import annotations

import math
from collections import deque

TRAIN_SHARE = 0.88  # of the running time, at least (as far as MAX_FRAME_S allows)
INITIAL_FRAME_S = 0.2  # the time between frames before the views' cost is known
MIN_FRAME_S = 0.025
MAX_FRAME_S = 1.0  # however slow the views, they redraw at least once a second
RATE_WINDOW_S = 2.0  # the epochs/s read-out averages over this long


class FramePacer:
    """The time between frames, adapted while running: the time a frame
    period spends outside training (the views' redraws, mostly) is kept to
    1 - TRAIN_SHARE of the whole. ``frame_s`` is kept across runs; it starts
    on the side of throughput and comes down when the views are quick."""

    def __init__(self):
        self.frame_s = INITIAL_FRAME_S
        self._cost: float | None = None  # time outside training per frame period
        self._period: list | None = None  # [start, training time] since the last frame
        self._last_frame = -math.inf

    def restart(self) -> None:
        """A run starts (or moves into the window): the next chunk is a frame,
        and the time until then is not measured."""
        self._period, self._last_frame = None, -math.inf

    def is_frame(self, now: float, budget_s: float, paced: bool) -> bool:
        """Whether a chunk starting at ``now`` announces itself (and the quiet
        ones before it). ``paced``: a speed is set."""
        if paced or self._last_frame == -math.inf:
            return True  # paced chunks are small; a run's first chunk shows at once
        # the frame falls on the chunk that starts nearest its time
        return now - self._last_frame >= self.frame_s - budget_s / 2

    def frame(self, now: float, adapt: bool) -> None:
        """A frame starts at ``now``: from the period it ends (the last
        frame's redraws, the quiet chunks' overhead, the events), set the
        frame interval (when ``adapt``) so that such a period leaves training
        TRAIN_SHARE of the time."""
        if self._period is not None and adapt:
            start, trained = self._period
            outside = max(0.0, now - start - trained)
            self._cost = outside if self._cost is None else 0.5 * self._cost + 0.5 * outside
            wanted = self._cost / (1.0 - TRAIN_SHARE)
            self.frame_s = min(MAX_FRAME_S, max(MIN_FRAME_S, wanted))
        self._period = [now, 0.0]
        self._last_frame = now

    def trained(self, seconds: float) -> None:
        """Add a chunk's training time to the current frame period."""
        if self._period is not None:
            self._period[1] += seconds


class SpeedPacer:
    """Epochs due at a set speed, counted from an anchor time."""

    def __init__(self):
        self._t0 = 0.0
        self._done = 0

    def anchor(self, now: float) -> None:
        self._t0, self._done = now, 0

    def due(self, now: float, speed: float) -> int:
        """Epochs due by ``now`` (the first one at once), with a little timer slack."""
        return int((now - self._t0) * speed + 0.05) + 1 - self._done

    def trained(self, n: int) -> None:
        self._done += n


class RateMeter:
    """Epochs per second over the last RATE_WINDOW_S seconds (at least two samples)."""

    def __init__(self):
        self._samples: deque[tuple[float, int]] = deque()

    def restart(self, now: float, count: int) -> None:
        self._samples.clear()
        self._samples.append((now, count))

    def record(self, now: float, count: int) -> None:
        s = self._samples
        s.append((now, count))
        while len(s) > 2 and now - s[1][0] >= RATE_WINDOW_S:
            s.popleft()

    @property
    def rate(self) -> float | None:
        """None: not known yet."""
        s = self._samples
        if len(s) < 2 or s[-1][0] - s[0][0] <= 0:
            return None
        return (s[-1][1] - s[0][1]) / (s[-1][0] - s[0][0])
