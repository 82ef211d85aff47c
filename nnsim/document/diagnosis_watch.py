"""When to explain a failing run: the findings of ``Document.diagnosis``,
kept fresh for the run panel and the canvas.

The diagnosis reads the adopted state in the window, never the epoch loop:
when a run pauses or finishes, at most ``1 / INTERVAL_S`` times a second
while it runs (on the runner's ``progress``, once per frame; less often when
one diagnosis takes long, so it never takes more than ``MAX_SHARE`` of the
window's time), and after an
edit, a step or an undo while no run is going. The loss curve it reads
starts at the last settings change, so a learning rate just lowered is not
blamed for the jumps of the one before.
"""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, Signal

INTERVAL_S = 0.25  # during a run: at most four diagnoses a second,
MAX_SHARE = 0.1  # and no more than a tenth of the window's time (a big network, big data)


class DiagnosisWatch(QObject):
    """``updated(findings)`` whenever the findings were worked out again
    (a list of ``core.diagnosis.Finding`` with NeuronRefs; empty: nothing
    wrong). ``clock``: seconds, for the pace during a run."""

    updated = Signal(object)

    def __init__(self, runner, parent: QObject | None = None, *,
                 clock: Callable[[], float] = time.perf_counter):
        super().__init__(parent)
        self._runner = runner
        self._clock = clock
        self._doc = None
        self._since = 0  # the first epoch of the loss curve read (the last settings change)
        self._next = -float("inf")  # during a run, the next diagnosis is due then
        self.findings: list = []
        runner.paused.connect(self.refresh)
        runner.progress.connect(self._on_progress)
        self.set_document(runner.document)

    def set_document(self, document) -> None:
        if self._doc is not None:
            self._doc.changed.disconnect(self._on_changed)
        self._doc = document
        document.changed.connect(self._on_changed)
        self._since = 0  # an opened file's history is read whole: why did that run fail?
        self.refresh()

    def _on_progress(self, _done: int, _target: int) -> None:
        if self._runner.is_running and self._clock() >= self._next:
            self.refresh()

    def _on_changed(self, change) -> None:
        trained = len(self._doc.epoch_results)
        if change.settings or change.structure or trained < self._since:
            self._since = trained  # read the curve from here on
        # (a micro-step changes nothing the diagnosis reads until its update)
        if not self._runner.is_running and (change.structure or change.values or change.data
                                            or change.settings or change.history):
            self.refresh()

    def refresh(self, *_args) -> None:
        """Diagnose the document now."""
        start = self._clock()
        since = min(self._since, len(self._doc.epoch_results))
        self.findings = self._doc.diagnosis(since)
        took = self._clock() - start
        self._next = start + max(INTERVAL_S, took / MAX_SHARE)
        self.updated.emit(self.findings)
