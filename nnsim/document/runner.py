"""Run mode: train epoch after epoch without blocking the event loop.

At full speed a run trains in a separate process (``training_worker.py`` and
``nnsim/core/training_process.py``), so training keeps a core to itself and
the window redraws at up to ~30 Hz on the other. The runner loads the
document's state into the process, asks for progress once per frame
(``FRAME_MS``) and adopts each answer into the document
(``Document.adopt_training``): the same ``Stepper.step_epochs`` ran there, so
the result is bit for bit what training in the window gives, each frame is
one step for step back, and the run is one merged "Training" undo step.
Pausing keeps the state of the last frame (what the window shows) and drops
what the process trained after it. Any change to the document while running
(a learning rate, an edit, an undo) restarts the process from the document's
state, so a change takes effect from the frame on show.

Otherwise (a set speed, ``use_process`` False, or the process cannot run)
training goes in this process, in short chunks driven by a QTimer. Each tick
calls ``document.step_epochs`` once, asking it to stop after the epoch that
crosses a time budget (40 ms), and then returns to the event loop, so a click
waits at most about that long. A chunk that announces itself is a *frame*;
the chunks between frames run with the document's signals held back and the
next frame (or the end of the run) announces them all at once, which is the
same to views that read the document afresh. Frames come every ``frame_s``
seconds, adapted while running: the time a frame period spends outside
training (the views' redraws, mostly) is kept to 1 - TRAIN_SHARE of the
whole.

``progress`` comes once per frame and when the run stops. The training
settings are read live, so a learning-rate (or batch size, or optimiser)
change made while running takes effect without a reset; so are the run's
target (``training.epochs``) and stop loss (``training.stop_loss``).

A run never ends in a silent NaN: when the loss or a weight stops being a
finite number the runner pauses, emits ``diverged`` with a
:class:`DivergenceInfo` (where it happened and the likely cause, with a
suggested learning rate), and ``step_back_to_finite`` undoes the chunk (or
frame) that diverged.
"""
from __future__ import annotations

import math
import os
import re
import sys
import time
import weakref
from collections import deque
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from nnsim.core.remote_training import parse_progress

from . import training_worker

TICK_BUDGET_S = 0.040  # training time per chunk: about how long a click may wait
TRAIN_SHARE = 0.88  # of the running time, at least (as far as MAX_FRAME_S allows)
INITIAL_FRAME_S = 0.2  # the time between frames before the views' cost is known
MIN_FRAME_S = 0.025
MAX_FRAME_S = 1.0  # however slow the views, they redraw at least once a second
FRAME_MS = 33  # with a speed set, ticks come at most this often (~30 Hz)
RATE_WINDOW_S = 2.0  # the epochs/s read-out averages over this long
# At full speed, train in a separate process (training_worker.py) by default:
# the views then redraw about FRAME_MS apart on this process's core while
# training keeps a core of its own. NNSIM_TRAINING_PROCESS=0 keeps it in-process.
USE_TRAINING_PROCESS = os.environ.get("NNSIM_TRAINING_PROCESS", "1") != "0"

# Pause reasons (the ``paused`` signal's argument).
TARGET_REACHED = "target reached"
STOP_LOSS_REACHED = "stop loss reached"
PAUSED = "paused"
DIVERGED = "diverged"

# Learning rates a suggestion is rounded to (down): 1e-5, 3e-5, 1e-4 ... 3, 10.
LEARNING_RATE_PRESETS = tuple(float(f"{m}e{e}") for e in range(-5, 2) for m in (1, 3)
                              if float(f"{m}e{e}") <= 10)
MAX_SUGGESTION = 0.1  # however absurd the rate, suggest no more than this


def suggest_learning_rate(lr: float) -> float:
    """A learning rate to try after ``lr`` diverged: lr/100, at most 0.1,
    rounded down to a preset (1 or 3 times a power of ten)."""
    x = min(lr / 100.0, MAX_SUGGESTION)
    below = [p for p in LEARNING_RATE_PRESETS if p <= x * (1 + 1e-9)]
    return below[-1] if below else LEARNING_RATE_PRESETS[0]


@dataclass(frozen=True)
class DivergenceInfo:
    """Where training first stopped being finite, and why (probably).

    ``where`` is "weight", "bias" or "loss" (weights finite, loss not).
    ``layer`` is the 1-based non-input layer; ``i``, ``j`` index W[i, j]
    (0-based: from neuron i of the layer below into neuron j); a bias has
    ``i`` None. For "loss" all three are None.
    """

    epoch: int  # the epoch (1-based, counting from the start of training) that diverged
    where: str
    layer: int | None
    i: int | None
    j: int | None
    value: float  # the non-finite value found (the training loss for "loss")
    learning_rate: float
    optimizer: str
    suggested_learning_rate: float
    cause: str  # one sentence, ending with what to try

    @property
    def location(self) -> str:
        if self.where == "weight":
            return f"weight {self.i + 1}\u2192{self.j + 1} of layer {self.layer}"
        if self.where == "bias":
            return f"the bias of neuron {self.j + 1} in layer {self.layer}"
        return "the loss"

    @property
    def message(self) -> str:
        return (f"Training diverged in epoch {self.epoch}: {self.location} became "
                f"{_fmt(self.value)}. {self.cause[0].upper()}{self.cause[1:]}")


def _fmt(x: float) -> str:
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+\u221e" if x > 0 else "\u2212\u221e"
    return f"{x:.4g}"


def first_non_finite(network) -> tuple[str, int, int | None, int, float] | None:
    """(kind, layer, i, j, value) of the first non-finite parameter, scanning
    layer 1 up, each layer's weights (row by row) before its biases."""
    for k, layer in enumerate(network.layers, start=1):
        bad = np.argwhere(~np.isfinite(layer.W))
        if len(bad):
            i, j = (int(v) for v in bad[0])
            return "weight", k, i, j, float(layer.W[i, j])
        bad = np.flatnonzero(~np.isfinite(layer.b))
        if len(bad):
            j = int(bad[0])
            return "bias", k, None, j, float(layer.b[j])
    return None


def largest_weight(network) -> tuple[str, float] | None:
    """(name, value) of the weight or bias of largest magnitude, e.g.
    ("weight 2\u21921 of layer 1", 1.9e295); None for an empty network."""
    best = None
    with np.errstate(all="ignore"):
        for k, layer in enumerate(network.layers, start=1):
            for kind, arr in (("weight", layer.W), ("bias", layer.b)):
                if not arr.size:
                    continue
                flat = int(np.argmax(np.abs(arr)))
                value = float(arr.flat[flat])
                if best is None or abs(value) > abs(best[1]):
                    if kind == "weight":
                        i, j = np.unravel_index(flat, arr.shape)
                        name = f"weight {i + 1}\u2192{j + 1} of layer {k}"
                    else:
                        name = f"the bias of neuron {flat + 1} in layer {k}"
                    best = (name, value)
    return best


def likely_cause(lr: float, optimizer: str, where: str,
                 largest: tuple[str, float] | None = None) -> str:
    """One sentence: the probable reason for the divergence and what to try.
    ``largest``: the biggest weight, (name, value), for a loss that overflowed."""
    s = suggest_learning_rate(lr)
    tail = f"try {s:g}."
    if where == "loss":
        grew = "the weights have grown so large that the outputs overflow"
        if largest is not None and math.isfinite(largest[1]):
            grew = (f"the weights have grown so large ({largest[0]} is {largest[1]:.2g}) "
                    "that the outputs overflow")
        if lr >= 1:
            return f"the learning rate {lr:g} is far too large: {grew}; {tail}"
        return f"the learning rate {lr:g} is too large for this network and data: {grew}; {tail}"
    if lr >= 1:
        return (f"the learning rate {lr:g} is far too large: each update overshoots and the "
                f"weights grow without bound; {tail}")
    if lr <= 1e-4:
        return (f"even the small learning rate {lr:g} overshoots, so look for very large input "
                f"values or extreme optimiser settings; otherwise {tail}")
    name = {"adam": "Adam", "momentum": "momentum"}.get(optimizer)
    with_opt = f" with {name}" if name else ""
    return (f"the learning rate {lr:g} is too large for this network and data{with_opt}: "
            f"each update overshoots the minimum by more than the last, so the weights grow "
            f"without bound; {tail}")


def diagnose(document) -> DivergenceInfo | None:
    """A :class:`DivergenceInfo` for the document's current state, or None
    when the weights and the last epoch's losses are finite."""
    net, cfg = document.network, document.project.training
    results = document.stepper.epoch_results
    last = results[-1] if results else None
    found = first_non_finite(net)
    if found is None and (last is None or last.finite):
        return None
    epoch = last.epoch if last is not None else document.stepper.epoch
    if found is not None:
        where, layer, i, j, value = found
    else:
        where, layer, i, j = "loss", None, None, None
        value = last.train_loss if not math.isfinite(last.train_loss) else last.test_loss
    lr = float(cfg.learning_rate)
    return DivergenceInfo(epoch, where, layer, i, j, value, lr, cfg.optimizer,
                          suggest_learning_rate(lr),
                          likely_cause(lr, cfg.optimizer, where, largest_weight(net)))


class _Lease:
    """The training process a runner holds (given back when the runner is gone)."""

    def __init__(self):
        self.worker: training_worker.TrainingWorker | None = None

    def end(self) -> None:
        if self.worker is not None:
            training_worker.release(self.worker)
            self.worker = None


class Runner(QObject):
    """Play/pause training of one document in timer-driven chunks.

    Signals: ``started()``; ``paused(reason)`` with reason one of "target
    reached", "stop loss reached", "paused", "diverged"; ``progress(done,
    target)`` once per frame and on stopping (epochs of this run and its
    target); ``diverged(DivergenceInfo)``; ``process_failed(reason)`` when
    the training process failed and training went on in this process.
    """

    started = Signal()
    paused = Signal(str)
    progress = Signal(int, int)
    diverged = Signal(object)
    process_failed = Signal(str)  # why training moved into the window's own process

    def __init__(self, document, parent: QObject | None = None):
        super().__init__(parent)
        self._doc = document
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timeout)
        self._speed: float | None = None
        self._running = False
        self._in_tick = False
        self._run_open = False  # a run was started and not finished (paused by the user)
        self._has_run = False  # ``done`` counts from the last run's start
        self._start_count = 0  # epochs trained when the run started
        self._pace_t0 = 0.0
        self._pace_done = 0
        self._rate_samples: deque[tuple[float, int]] = deque()
        self.budget_s = TICK_BUDGET_S
        # time between frames, adapted to the views' cost (kept across runs);
        # it starts on the side of throughput and comes down when they are quick
        self.frame_s = INITIAL_FRAME_S
        self._frame_cost: float | None = None  # time outside training per frame period
        self._period: list | None = None  # [start, training time] since the last frame
        self._quiet = 0  # chunks run since the last frame, not announced yet
        self._last_frame = -math.inf
        self.divergence: DivergenceInfo | None = None  # the last divergence, until cleared
        self._diverged_at_index = -1  # the undo stack's index when it diverged
        # -- training in a separate process (at full speed) --
        self.use_process = USE_TRAINING_PROCESS
        self.process_failure: str | None = None  # why the process could not be used
        self._lease = _Lease()
        weakref.finalize(self, self._lease.end)
        self._session: int | None = None  # the process's session of this run
        self._wanted = False  # progress asked for, not received yet
        self._stale = False  # the document changed since the process's state was loaded
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
        return len(self._doc.stepper.epoch_results)

    @property
    def done(self) -> int:
        """Epochs trained since the last run started (0 before the first run)."""
        if not self._has_run:
            return 0
        return max(0, self.trained_epochs - self._start_count)

    @property
    def rate(self) -> float | None:
        """Epochs per second over the last couple of seconds (None: not known yet)."""
        s = self._rate_samples
        if len(s) < 2 or s[-1][0] - s[0][0] <= 0:
            return None
        return (s[-1][1] - s[0][1]) / (s[-1][0] - s[0][0])

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
            self._anchor_pace()
            self._timer.setInterval(self._interval_ms())

    def play(self) -> None:
        """Train toward ``training.epochs`` epochs from now (or resume a run
        the user paused)."""
        if self._running:
            return
        self._doc.require_samples()
        count = self.trained_epochs
        if (not self._run_open or count < self._start_count
                or count - self._start_count >= self.target):
            self._start_count = count
        self._run_open = self._has_run = True
        self.divergence = None
        self._running = True
        self._anchor_pace()
        self._period = None
        self._last_frame = -math.inf
        self._rate_samples.clear()
        self._rate_samples.append((time.perf_counter(), count))
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
        """Go back to the last finite state: undo the frame (or chunk, or
        step) that diverged, and earlier ones while the weights are still not
        finite; then, when nothing changed since the divergence, train the
        epochs of that frame again up to the last one before the divergence
        (training is deterministic, so they are the same epochs). True when
        the weights and the loss are finite afterwards."""
        self.pause()
        doc = self._doc
        info = self.divergence
        replay = info is not None and doc.undo_stack.index() == self._diverged_at_index
        while diagnose(doc) is not None and doc.step_back():
            pass
        ok = diagnose(doc) is None
        missing = info.epoch - 1 - self.trained_epochs if replay else 0
        if ok and missing > 0 and not doc.stepper.in_cycle:
            doc.step_epochs(missing)
            if diagnose(doc) is not None:  # not expected: keep the finite state before
                doc.step_back()
            ok = diagnose(doc) is None
        if ok:
            self.divergence = None
        if self._has_run:
            self.progress.emit(self.done, self.target)
        return ok

    # -- the chunks ---------------------------------------------------------------
    def _interval_ms(self) -> int:
        if self._trains_remotely():
            return FRAME_MS
        if self._speed is None:
            return 0
        return max(FRAME_MS, int(1000.0 / self._speed))

    def _anchor_pace(self) -> None:
        self._pace_t0 = time.perf_counter()
        self._pace_done = 0

    def _stop(self, reason: str) -> None:
        self._timer.stop()
        self._running = False
        self._end_session()
        self._announce_held_back()
        if reason in (TARGET_REACHED, STOP_LOSS_REACHED):
            self._run_open = False  # the next Play starts a new run
        self.paused.emit(reason)

    def _announce_held_back(self) -> None:
        """Emit what quiet chunks' ``step_epochs`` calls would have emitted
        (the same signals, in the same order; views read the state afresh)."""
        if not self._quiet:
            return
        self._quiet = 0
        doc = self._doc
        doc.stepped.emit(doc.snapshot)
        doc.values_changed.emit()
        doc.trained.emit()

    def _on_timeout(self) -> None:
        if not self._running or self._in_tick:
            return
        self._in_tick = True
        try:
            if self._trains_remotely():
                self._remote_tick()
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
        n = target - done
        now = time.perf_counter()
        if self._speed is not None:
            # epochs due by now (the first one at once), with a little timer slack
            due = int((now - self._pace_t0) * self._speed + 0.05) + 1 - self._pace_done
            if due <= 0:
                return
            n = min(n, due)
        frame = self._is_frame(now)
        deadline = now + self.budget_s
        last_epoch_end = [now]

        def out_of_time(_result) -> bool:
            t = last_epoch_end[0] = time.perf_counter()
            return t >= deadline

        stop_loss = cfg.stop_loss
        if frame:
            self._new_period(now)
            results = doc.step_epochs(n, stop_loss=stop_loss, on_epoch=out_of_time)
            self._quiet, self._last_frame = 0, now
        else:  # announced by the next frame (or when the run stops)
            held = doc.blockSignals(True)
            try:
                results = doc.step_epochs(n, stop_loss=stop_loss, on_epoch=out_of_time)
            finally:
                doc.blockSignals(held)
            self._quiet += 1
        end = time.perf_counter()
        self._measure(end, last_epoch_end[0] - now)
        if self._speed is not None:
            self._pace_done += len(results)
            if len(results) < n and not self._finished(results, stop_loss):
                self._pace_t0, self._pace_done = end, 0  # cannot keep up: do not build a debt
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
        info = diagnose(doc) if last is not None and (
            not last.finite or not doc.network.all_finite()) else None
        if info is not None:
            outcome = DIVERGED
        elif stop_loss is not None and last is not None and last.train_loss < stop_loss:
            outcome = STOP_LOSS_REACHED
        elif done >= target:
            outcome = TARGET_REACHED
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

    # -- training in a separate process -------------------------------------------
    _WATCHED = ("structure_changed", "values_changed", "stepped", "settings_changed",
                "data_changed", "trained")

    def _watch(self, doc, on: bool) -> None:
        for name in self._WATCHED:
            signal = getattr(doc, name)
            if on:
                signal.connect(self._on_document_changed)
            else:
                signal.disconnect(self._on_document_changed)

    def _on_document_changed(self, *_args) -> None:
        if not self._adopting:
            self._stale = True

    def _trains_remotely(self) -> bool:
        return self.use_process and self._speed is None and self.process_failure is None

    def _remote_tick(self) -> None:
        count = self.trained_epochs
        if count < self._start_count:  # undo or reset rewound past the start: count afresh
            self._start_count = count
        if count - self._start_count >= self.target:
            self._stop_with_progress(TARGET_REACHED)
            return
        if self._session is None or self._stale:
            self._start_session()
            return
        worker = self._lease.worker
        for message in worker.messages():
            if not self._take(message):
                return
        if self._running and self._session is not None and not self._wanted:
            self._wanted = worker.want(self._session)

    def _start_session(self) -> None:
        """(Re)load the document's state into the training process."""
        doc = self._doc
        self._end_session()
        self._stale = False
        if doc.stepper.in_cycle:  # a pass stepped by hand: finish its epoch here first
            results = doc.step_epochs(1, stop_loss=doc.project.training.stop_loss)
            self._record_rate(time.perf_counter())
            self._after_training(results, True)
            self._stale = True  # load after this epoch, at the next tick
            return
        worker = self._lease.worker = training_worker.acquire()
        if not worker.alive:
            self._fail("the training process could not be started")
            return
        session = training_worker.new_session()
        remaining = self.target - (self.trained_epochs - self._start_count)
        if worker.load(doc.stepper, session, remaining, doc.project.training.stop_loss) \
                and worker.want(session):
            self._session, self._wanted = session, True
        else:
            self._fail("the training process stopped answering")

    def _take(self, message) -> bool:
        """Adopt one message of the process; False when the run stopped (or
        the process failed) and the rest must not be taken."""
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
        try:
            self._doc.adopt_training(progress)
        finally:
            self._adopting = False
        self._record_rate(time.perf_counter())
        self._after_training(progress.epoch_results, True)
        return self._running

    def _end_session(self) -> None:
        self._session, self._wanted = None, False
        self._lease.end()

    def _fail(self, reason: str) -> None:
        """Train in this process from now on (from the last state taken)."""
        self.process_failure = reason
        self._end_session()
        self._period, self._last_frame = None, -math.inf
        print(f"nnsim: training in the window's own process: {reason}", file=sys.stderr)
        self.process_failed.emit(reason)

    def _stop_with_progress(self, reason: str) -> None:
        self._announce_held_back()
        self.progress.emit(self.done, self.target)
        if self._running:
            self._stop(reason)

    def _measure(self, now: float, trained: float) -> None:
        """Add a chunk's training time to the current frame period."""
        if self._period is not None:
            self._period[1] += trained

    def _new_period(self, now: float) -> None:
        """A frame starts: from the period it ends (the last frame's redraws,
        the quiet chunks' overhead, the events), set the frame interval so
        that such a period leaves training TRAIN_SHARE of the time."""
        if self._period is not None and self._speed is None:
            start, trained = self._period
            outside = max(0.0, now - start - trained)
            self._frame_cost = outside if self._frame_cost is None else \
                0.5 * self._frame_cost + 0.5 * outside
            wanted = self._frame_cost / (1.0 - TRAIN_SHARE)
            self.frame_s = min(MAX_FRAME_S, max(MIN_FRAME_S, wanted))
        self._period = [now, 0.0]

    def _is_frame(self, now: float) -> bool:
        """Whether this chunk announces itself (and the quiet ones before it)."""
        if self._speed is not None or self._last_frame == -math.inf:
            return True  # paced chunks are small; a run's first chunk shows at once
        # the frame falls on the chunk that starts nearest its time
        return now - self._last_frame >= self.frame_s - self.budget_s / 2

    @staticmethod
    def _finished(results, stop_loss) -> bool:
        last = results[-1] if results else None
        return last is not None and (not last.finite or (
            stop_loss is not None and last.train_loss < stop_loss))

    def _record_rate(self, now: float) -> None:
        s = self._rate_samples
        s.append((now, self.trained_epochs))
        while len(s) > 2 and now - s[1][0] >= RATE_WINDOW_S:
            s.popleft()

    def _check_divergence(self) -> None:
        info = diagnose(self._doc)
        if info is not None:
            self._set_divergence(info)
            self.diverged.emit(info)

    def _set_divergence(self, info: DivergenceInfo) -> None:
        self.divergence = info
        # step back to finite replays epochs only if nothing changed since
        self._diverged_at_index = self._doc.undo_stack.index()
