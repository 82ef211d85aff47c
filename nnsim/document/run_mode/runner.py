"""Run mode: train epoch after epoch without blocking the event loop.

At full speed a run trains in the training process (``training_process.py``
here, ``nnsim/core/run_mode/process.py`` its own code), so training keeps a
core to itself and the window redraws at up to ~30 Hz on the other. The
runner loads the document's state into the training process, asks for
progress once per frame (``FRAME_MS``) and adopts each progress into the
document (``Document.adopt_training``): the same ``Stepper.step_epochs`` ran
there, so the result is bit for bit what training in the window gives, each
frame is one step for step back, and the run is one merged "Training" undo
step. Pausing keeps the state of the last frame (what the window shows) and
drops what the training process trained after it. Any change to the
document while running (a learning rate, an edit, an undo) reloads the
training process from the document's state, so a change takes effect from
the frame on show.

Otherwise (a set speed, ``use_process`` False, or the training process
cannot run) training goes in the window's process, in short chunks driven by
a QTimer. Each tick calls ``document.step_epochs`` once, asking it to stop
after the epoch that crosses a time budget (40 ms), and then returns to the
event loop, so a click waits at most about that long. A chunk that announces
itself is a *frame*; the chunks between frames run with the document's
``changed`` held back and the next frame (or the end of the run) announces
them in one ``changed``, which is the same to views that read the document
afresh. When
frames come is ``pacing.py``'s business.

``progress`` comes once per frame and when the run stops. A settings change
made while running reaches the document's stepper at once (the document
pushes a copy of the new settings to it), so a learning-rate (or batch size,
or optimiser) change takes effect without a reset; the run's target
(``training.epochs``) and stop loss (``training.stop_loss``) are read from
the document at every chunk.

A run never ends in a silent NaN: when the loss or a weight stops being a
finite number the runner pauses, emits ``diverged`` with a
:class:`~nnsim.core.run_mode.divergence.DivergenceInfo` (where it happened
and the likely cause, with a suggested learning rate), and
``step_back_to_finite`` goes back to the last sane epoch before it.

Time is read only from the runner's ``clock`` (``time.perf_counter`` unless
given), so tests drive it by hand.
"""
from __future__ import annotations

import math
import os
import re
import sys
import time
import weakref
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from nnsim.core import limits, sane_state
from nnsim.core.naming import fmt
from nnsim.core.run_mode import divergence
from nnsim.core.run_mode.divergence import DivergenceInfo
from nnsim.core.run_mode.protocol import parse_progress
from nnsim.core.run_mode.slicing import SliceSizer

from ..change import TRAINED
from . import training_process
from .pacing import FramePacer, RateMeter, SpeedPacer

TICK_BUDGET_S = 0.040  # training time per chunk: about how long a click may wait
FRAME_MS = 33  # with a speed set, ticks come at most this often (~30 Hz)
FRAME_SHARE_SPACING = 1.0  # after a frame from the training process, wait as long as it took
# At full speed, train in the training process by default: the views then
# redraw about FRAME_MS apart on the window's core while training keeps a
# core of its own. NNSIM_TRAINING_PROCESS=0 keeps training in the window.
USE_TRAINING_PROCESS = os.environ.get("NNSIM_TRAINING_PROCESS", "1") != "0"

# Pause reasons (the ``paused`` signal's argument).
TARGET_REACHED = "target reached"
STOP_LOSS_REACHED = "stop loss reached"
PAUSED = "paused"
DIVERGED = "diverged"
# The history holds limits.MAX_HISTORY_EPOCHS epochs, the most a file keeps
# (and 64 bytes each in the window): run mode stops there, and Play says so.
HISTORY_FULL = "history full"


def diagnose(document) -> DivergenceInfo | None:
    """The document's divergence (see ``divergence.diagnose``), or None when
    its weights and its last epoch's losses are finite."""
    cfg = document.project.training
    return divergence.diagnose(document.network, cfg.learning_rate, cfg.optimizer,
                               document.epoch_results, document.epoch,
                               document.network_data.X_train)  # what the network reads


class _Lease:
    """The training process a runner holds (given back when the runner is gone)."""

    def __init__(self):
        self.process: training_process.TrainingProcess | None = None

    def end(self) -> None:
        if self.process is not None:
            training_process.release(self.process)
            self.process = None


class Runner(QObject):
    """Play/pause training of one document in timer-driven chunks.

    Signals: ``started()``; ``paused(reason)`` with reason one of "target
    reached", "stop loss reached", "paused", "diverged", "history full" (also
    from a Play that cannot start for it); ``progress(done,
    target)`` once per frame and on stopping (epochs of this run and its
    target); ``diverged(DivergenceInfo)``; ``process_failed(reason)`` when
    the training process failed and training went on in the window's process.

    ``clock``: seconds, read for the chunks' time budget, frame pacing, the
    set speed and the rate.
    """

    started = Signal()
    paused = Signal(str)
    progress = Signal(int, int)
    diverged = Signal(object)
    process_failed = Signal(str)  # why training moved into the window's own process

    def __init__(self, document, parent: QObject | None = None, *,
                 clock: Callable[[], float] = time.perf_counter):
        super().__init__(parent)
        self._doc = document
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timeout)
        self._speed: float | None = None
        self._running = False
        self._in_tick = False
        self._run_open = False  # a run was started and not finished (paused by the user)
        self._has_run = False  # ``done`` counts from the last run's start
        self._start_count = 0  # epochs trained when the run started
        self.budget_s = TICK_BUDGET_S
        self._frames = FramePacer()
        self._pace = SpeedPacer()
        self._rate = RateMeter()
        self._slices = SliceSizer(clock)  # samples per slice in the window's own chunks
        self._quiet = 0  # chunks run since the last frame, not announced yet
        self.divergence: DivergenceInfo | None = None  # the last divergence, until cleared
        self.landing: str | None = None  # where step_back_to_finite went, in words
        # -- training in the training process (at full speed) --
        self.use_process = USE_TRAINING_PROCESS
        self.process_failure: str | None = None  # why the training process could not be used
        self._lease = _Lease()
        weakref.finalize(self, self._lease.end)
        self._session: int | None = None  # the training process's session of this run
        self._wanted = False  # progress asked for, not received yet
        self._next_want = -math.inf  # (clock) no progress is asked for before this
        self._stale = False  # the document changed since the training process was loaded
        self._adopting = False
        self._watch(document, True)

    # -- state ---------------------------------------------------------------------
    @property
    def document(self):
        return self._doc

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def speed(self) -> float | None:
        return self._speed

    @property
    def target(self) -> int:
        return int(self._doc.project.training.epochs)

    @property
    def trained_epochs(self) -> int:
        """Epochs in the document's history (all runs and steps)."""
        return len(self._doc.epoch_results)

    @property
    def history_room(self) -> int:
        """Epochs the history can still take (``limits.MAX_HISTORY_EPOCHS``,
        read when asked: tests lower it)."""
        return max(0, limits.MAX_HISTORY_EPOCHS - self.trained_epochs)

    @property
    def done(self) -> int:
        """Epochs trained since the last run started (0 before the first run)."""
        if not self._has_run:
            return 0
        return max(0, self.trained_epochs - self._start_count)

    @property
    def rate(self) -> float | None:
        """Epochs per second over the last couple of seconds (None: not known yet)."""
        return self._rate.rate

    @property
    def frame_s(self) -> float:
        """Seconds between frames when training in the window (adapted while running)."""
        return self._frames.frame_s

    @frame_s.setter
    def frame_s(self, seconds: float) -> None:
        self._frames.frame_s = seconds

    # -- control ------------------------------------------------------------------
    def set_document(self, document) -> None:
        """Train another document from now on (a run in progress is paused)."""
        if document is self._doc:
            return
        self.pause()
        self._watch(self._doc, False)
        self._doc = document
        self._watch(document, True)
        self._run_open = self._has_run = False
        self.divergence = None
        self.progress.emit(0, self.target)

    def set_speed(self, epochs_per_second: float | None) -> None:
        """Epochs per second, or None for as fast as possible."""
        if epochs_per_second is not None:
            epochs_per_second = float(epochs_per_second)
            if not (math.isfinite(epochs_per_second) and epochs_per_second > 0):
                raise ValueError(f"speed: expected a number of epochs per second above 0 "
                                 f"or None, got {epochs_per_second!r}")
        self._speed = epochs_per_second
        if self._running:
            self._pace.anchor(self._clock())
            self._timer.setInterval(self._interval_ms())

    def play(self) -> None:
        """Train toward ``training.epochs`` epochs from now (or resume a run
        the user paused)."""
        if self._running:
            return
        self._doc.require_samples()
        if self.history_room == 0:  # nothing would be trained: say why
            self._run_open = False
            self.paused.emit(HISTORY_FULL)
            return
        count = self.trained_epochs
        if (not self._run_open or count < self._start_count
                or count - self._start_count >= self.target):
            self._start_count = count
        self._run_open = self._has_run = True
        self.divergence = None
        self._running = True
        now = self._clock()
        self._pace.anchor(now)
        self._frames.restart()
        self._rate.restart(now, count + self._doc.epoch_fraction)
        self._timer.start(0)  # the first chunk as soon as the event loop is free
        self.started.emit()
        self.progress.emit(self.done, self.target)

    def pause(self) -> None:
        if self._running:
            self._stop(PAUSED)

    def toggle(self) -> None:
        if self._running:
            self.pause()
        else:
            self.play()

    def step_epoch(self) -> list:
        """Pause, then train one epoch (the rest of the current one, if a
        pass is in progress). Emits ``diverged`` if it diverged."""
        self.pause()
        results = self._doc.step_epochs(1)
        if self._has_run:
            self.progress.emit(self.done, self.target)
        self._check_divergence()
        return results

    def step_back_to_finite(self) -> bool:
        """Go back to the last sane state (``core.sane_state``): the last
        epoch before the loss ran away (rose more than tenfold above its best
        so far, or was not finite), with finite weights of a sane size. It
        steps back step by step, so each epoch is exactly the one trained
        (Step Back trains a run frame's epochs again from the mark before
        them). True when it got there; ``landing`` then says where, in
        words. ``divergence`` stays, for its suggested learning rate."""
        self.pause()
        doc = self._doc
        keep = sane_state.last_sane_epoch(doc.epoch_results.columns[:, 1])

        def arrived(network, results) -> bool:
            return (len(results) <= keep and sane_state.weights_are_sane(network.parameters())
                    and (not results or math.isfinite(results[-1].train_loss)))

        ok = doc.step_back_until(arrived)
        if ok:
            results = doc.epoch_results
            where = (f"epoch {len(results):,} (training loss {fmt(results[-1].train_loss)})"
                     if results else "the start (no epoch trained)")
            self.landing = (f"Stepped back to {where}: the last state before the loss ran "
                            f"away, with weights of a sane size.")
        if self._has_run:
            self.progress.emit(self.done, self.target)
        return ok

    # -- the chunks ---------------------------------------------------------------
    def _interval_ms(self) -> int:
        if self._uses_training_process():
            return FRAME_MS
        if self._speed is None:
            return 0
        return max(FRAME_MS, int(1000.0 / self._speed))

    def _stop(self, reason: str) -> None:
        self._timer.stop()
        self._running = False
        self._end_session()
        self._announce_held_back()
        if reason in (TARGET_REACHED, STOP_LOSS_REACHED, HISTORY_FULL):
            self._run_open = False  # the next Play starts a new run
        self.paused.emit(reason)

    def _announce_held_back(self) -> None:
        """Emit, once, what quiet chunks' ``step_epochs`` calls would have
        emitted (views read the state afresh)."""
        if not self._quiet:
            return
        self._quiet = 0
        self._doc.changed.emit(TRAINED)

    def _on_timeout(self) -> None:
        if not self._running or self._in_tick:
            return
        self._in_tick = True
        try:
            if self._uses_training_process():
                self._process_tick()
            else:
                if self._session is not None:  # e.g. a speed was set: train here from now on
                    self._end_session()
                self._tick()
            if self._running and self._timer.interval() != self._interval_ms():
                self._timer.setInterval(self._interval_ms())
        except BaseException:
            if self._running:  # never keep ticking into the same error
                self._stop(PAUSED)
            raise
        finally:
            self._in_tick = False

    def _tick(self) -> None:
        doc = self._doc
        cfg = doc.project.training
        count = self.trained_epochs
        if count < self._start_count:  # undo or reset rewound past the start: count afresh
            self._start_count = count
        target = self.target
        done = count - self._start_count
        if done >= target:
            self._stop_with_progress(TARGET_REACHED)
            return
        if self.history_room == 0:
            self._stop_with_progress(HISTORY_FULL)
            return
        n = min(target - done, self.history_room)
        now = self._clock()
        if self._speed is not None:
            due = self._pace.due(now, self._speed)
            if due <= 0:
                return
            n = min(n, due)
        frame = self._frames.is_frame(now, self.budget_s, paced=self._speed is not None)
        deadline = now + self.budget_s
        last_slice_end = [now]
        sizer = self._slices

        def out_of_time() -> bool:
            # after every slice, inside an epoch too: a chunk never runs
            # much past its budget, however long an epoch is
            sizer.sliced()
            t = last_slice_end[0] = self._clock()
            return t >= deadline

        sliced = {"slice_samples": sizer, "on_slice": out_of_time}
        stop_loss = cfg.stop_loss
        if frame:
            self._frames.frame(now, adapt=self._speed is None)
            results = doc.step_epochs(n, stop_loss=stop_loss, **sliced)
            self._quiet = 0
        else:  # announced by the next frame (or when the run stops)
            held = doc.blockSignals(True)
            try:
                results = doc.step_epochs(n, stop_loss=stop_loss, **sliced)
            finally:
                doc.blockSignals(held)
            self._quiet += 1
        sizer.pause()
        end = self._clock()
        self._frames.trained(last_slice_end[0] - now)
        if self._speed is not None:
            self._pace.trained(len(results))
            if len(results) < n and not self._finished(results, stop_loss):
                self._pace.anchor(end)  # cannot keep up: do not build a debt
        self._record_rate(end)
        self._after_training(results, frame)

    def _after_training(self, results: list, frame: bool) -> None:
        """Pause when the run is over (target, stop loss, divergence);
        otherwise tell ``progress`` on a frame."""
        doc = self._doc
        stop_loss = doc.project.training.stop_loss
        target = self.target
        done = self.trained_epochs - self._start_count
        last = results[-1] if results else None
        # weights that stopped being finite inside an epoch are reported when
        # the epoch ends (as training without slices does; the epoch is named)
        info = diagnose(doc) if last is not None and (not last.finite or (
            doc.epoch_fraction == 0 and not doc.network.all_finite())) else None
        if info is not None:
            outcome = DIVERGED
        elif stop_loss is not None and last is not None and last.train_loss < stop_loss:
            outcome = STOP_LOSS_REACHED
        elif done >= target:
            outcome = TARGET_REACHED
        elif self.history_room == 0:
            outcome = HISTORY_FULL
        else:
            outcome = None
        if outcome is None:
            if frame:
                self.progress.emit(done, target)
        elif outcome == DIVERGED:  # announced even if a progress slot paused the run
            self._set_divergence(info)
            was_running, self._running = self._running, False
            self._timer.stop()
            self._end_session()
            self._announce_held_back()
            self.progress.emit(done, target)
            self.diverged.emit(info)
            if was_running:
                self.paused.emit(DIVERGED)
        else:
            self._stop_with_progress(outcome)

    # -- training in the training process ------------------------------------------
    def _watch(self, doc, on: bool) -> None:
        if on:
            doc.changed.connect(self._on_document_changed)
        else:
            doc.changed.disconnect(self._on_document_changed)

    def _on_document_changed(self, change) -> None:
        # what the training process was loaded with no longer holds (moving a
        # neuron or saving changes nothing it computes)
        if not self._adopting and (change.numbers or change.settings or change.history):
            self._stale = True

    def _uses_training_process(self) -> bool:
        return self.use_process and self._speed is None and self.process_failure is None

    def _process_tick(self) -> None:
        count = self.trained_epochs
        if count < self._start_count:  # undo or reset rewound past the start: count afresh
            self._start_count = count
        if count - self._start_count >= self.target:
            self._stop_with_progress(TARGET_REACHED)
            return
        if self.history_room == 0:
            self._stop_with_progress(HISTORY_FULL)
            return
        if self._session is None or self._stale:
            self._start_session()
            return
        process = self._lease.process
        for message in process.messages():
            if not self._take(message):
                return
        if self._running and self._session is not None and not self._wanted \
                and self._clock() >= self._next_want:
            self._wanted = process.want(self._session)

    def _start_session(self) -> None:
        """(Re)load the document's state into the training process."""
        doc = self._doc
        self._end_session()
        self._stale = False
        if doc.in_cycle:  # a pass stepped by hand: finish its epoch here first
            results = doc.step_epochs(1, stop_loss=doc.project.training.stop_loss)
            self._record_rate(self._clock())
            self._after_training(results, True)
            self._stale = True  # load after this epoch, at the next tick
            return
        process = self._lease.process = training_process.acquire()
        if not process.alive:
            self._fail("the training process could not be started")
            return
        session = training_process.new_session()
        remaining = min(self.target - (self.trained_epochs - self._start_count),
                        self.history_room)
        # the training process continues the document's own stepper from where it is
        if process.load(doc._stepper, session, remaining, doc.project.training.stop_loss) \
                and process.want(session):
            self._session, self._wanted = session, True
        else:
            self._fail("the training process stopped answering")

    def _take(self, message) -> bool:
        """Adopt one message of the training process (progress or an error);
        False when the run stopped (or the training process failed) and the
        rest must not be taken."""
        if message is None:
            self._fail("the training process ended unexpectedly")
            return False
        header, arrays = message
        if header.get("session") != self._session:
            return True  # from a session this run has left (it restarted)
        if header.get("type") == "error":
            lines = str(header.get("message", "")).strip().splitlines()
            # the traceback's last line, without the exception's class name
            last = re.sub(r"^[\w.]*(Error|Exception): ", "", lines[-1]) if lines else ""
            self._fail(last or "an error in the training process")
            return False
        progress = parse_progress(header, arrays)
        if progress.final is None:
            self._wanted = False
        else:
            self._session = None  # it stopped; a new session starts if the run goes on
        self._adopting = True
        start = self._clock()
        try:
            self._doc.adopt_training(progress)
        finally:
            self._adopting = False
        now = self._clock()
        self._record_rate(now)
        self._after_training(progress.epoch_results, True)
        # a frame's redraws (the views answer ``changed`` at once) take at
        # most about half the window's time: with a big data set they cost
        # tens of ms, and back-to-back frames would leave clicks waiting
        self._next_want = now + (now - start) * FRAME_SHARE_SPACING
        return self._running

    def _end_session(self) -> None:
        self._session, self._wanted = None, False
        self._lease.end()

    def _fail(self, reason: str) -> None:
        """Train in the window's process from now on (from the last state taken)."""
        self.process_failure = reason
        self._end_session()
        self._frames.restart()
        print(f"nnsim: training in the window's own process: {reason}", file=sys.stderr)
        self.process_failed.emit(reason)

    def _stop_with_progress(self, reason: str) -> None:
        self._announce_held_back()
        self.progress.emit(self.done, self.target)
        if self._running:
            self._stop(reason)

    @staticmethod
    def _finished(results, stop_loss) -> bool:
        last = results[-1] if results else None
        return last is not None and (not last.finite or (
            stop_loss is not None and last.train_loss < stop_loss))

    def _record_rate(self, now: float) -> None:
        # parts of epochs count: a big data set's epoch takes seconds
        self._rate.record(now, self.trained_epochs + self._doc.epoch_fraction)

    def _check_divergence(self) -> None:
        info = diagnose(self._doc)
        if info is not None:
            self._set_divergence(info)
            self.diverged.emit(info)

    def _set_divergence(self, info: DivergenceInfo) -> None:
        self.divergence = info
