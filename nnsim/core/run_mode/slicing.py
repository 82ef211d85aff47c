"""How much to train between two looks at the outside world.

An epoch of a big data set takes seconds (960,000 rows at batch 10: about
ten), so run mode trains in *slices* of samples, not in epochs: after each
slice the training process reads its commands (pause, want, a reload) and the
window's own chunks look at the clock. :class:`SliceSizer` picks the number
of samples per slice so that a slice lasts about ``SLICE_S``, whatever the
network's size, from the time the last slices took.

The numbers do not depend on the slicing (``Stepper.step_epochs``): only how
soon a command is read does.
"""
from __future__ import annotations

from typing import Callable

SLICE_S = 0.010  # seconds a slice aims at: a command waits about this long, at most a few times it
FIRST_SAMPLES = 256  # before any slice was timed
MOST_SAMPLES = 1 << 20  # a slice never takes more (nor more than the rest of its epoch)
MAX_GROWTH = 4.0  # a slice is at most this many times the last one (and at least its 1/4)


class SliceSizer:
    """Samples per slice, adapted to the time slices take on ``clock``.

    Pass the sizer as ``slice_samples`` (it is called before each slice)
    and call :meth:`sliced` after each (``Stepper.step_epochs``'s
    ``on_slice``); :meth:`pause` when training stops for a while, so the
    gap is not taken for training time."""

    def __init__(self, clock: Callable[[], float], target_s: float = SLICE_S):
        self._clock, self.target_s = clock, target_s
        self.samples = FIRST_SAMPLES
        self._started: float | None = None
        self._asked = self.samples  # the size of the slice in progress

    def __call__(self) -> int:
        self._started, self._asked = self._clock(), self.samples
        return self.samples

    def sliced(self) -> None:
        """A slice (of the size last given) has just ended."""
        if self._started is None:
            return
        took = self._clock() - self._started
        self._started = None
        if took <= 0:
            scale = MAX_GROWTH
        else:
            scale = min(MAX_GROWTH, max(1.0 / MAX_GROWTH, self.target_s / took))
        self.samples = int(min(MOST_SAMPLES, max(1, round(self._asked * scale))))

    def pause(self) -> None:
        self._started = None

    def reset(self) -> None:
        """Start again from FIRST_SAMPLES (another network or data set)."""
        self.samples = self._asked = FIRST_SAMPLES
        self._started = None
