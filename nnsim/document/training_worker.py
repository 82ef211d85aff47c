"""The app's end of the training process (``nnsim/core/training_process.py``).

A :class:`TrainingWorker` starts ``python -m nnsim.core.training_process``
with pipes, writes messages to it and reads its answers on a small thread
(which only waits on the pipe), so the event loop picks them up without ever
blocking. Workers are pooled: a run takes one with :func:`acquire` and gives
it back with :func:`release`; the process stays up for the next run (no
start-up wait) and exits with the app, or when its stdin closes.

Anything that goes wrong with the process (it cannot start, it dies, a pipe
breaks) makes :attr:`TrainingWorker.alive` False; the runner then trains in
the app's own process, so a run never stops for it.
"""
from __future__ import annotations

import atexit
import itertools
import os
import queue
import subprocess
import sys
import threading
import weakref

from nnsim.core import wire
from nnsim.core.remote_training import load_message

_sessions = itertools.count(1)  # unique across workers, so a stale answer is never taken
_data_keys = itertools.count(1)
_idle: list["TrainingWorker"] = []
_all: "weakref.WeakSet[TrainingWorker]" = weakref.WeakSet()
KEEP_IDLE = 1  # processes kept for the next run (each holds its last data set)


def new_session() -> int:
    return next(_sessions)


class TrainingWorker:
    def __init__(self):
        self._inbox: queue.Queue = queue.Queue()
        self._dead = False
        self._data = None  # weak reference to the data set the process holds
        self._data_key = 0
        env = dict(os.environ)
        env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
        if getattr(sys, "frozen", False) or not sys.executable:
            # a bundled app's executable is the app itself, not a Python
            self._proc, self._dead = None, True
            return
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "nnsim.core.training_process"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        except (OSError, ValueError):
            self._proc, self._dead = None, True
            return
        self._lock = threading.Lock()  # one writer at a time
        threading.Thread(target=self._read, daemon=True,
                         name="nnsim training process reader").start()
        _all.add(self)

    def _read(self) -> None:
        try:
            while True:
                message = wire.read(self._proc.stdout)
                if message is None:
                    break
                self._inbox.put(message)
        except (wire.WireError, OSError, ValueError):
            pass
        self._dead = True
        self._inbox.put(None)

    @property
    def alive(self) -> bool:
        return not self._dead and self._proc is not None and self._proc.poll() is None

    def _send(self, header: dict, arrays: dict | None = None) -> bool:
        if not self.alive:
            return False
        try:
            with self._lock:
                wire.write(self._proc.stdin, header, arrays)
            return True
        except (OSError, ValueError):
            self._dead = True
            return False

    # -- commands --------------------------------------------------------------------
    def load(self, stepper, session: int, epochs: int, stop_loss: float | None) -> bool:
        """Start training ``stepper``'s state in the process (a copy; the
        stepper is not touched). The data set goes along only when the
        process does not hold it already."""
        held = self._data() if self._data is not None else None
        include = held is not stepper.data
        if include:
            self._data_key = next(_data_keys)
        header, arrays = load_message(stepper, session, epochs, stop_loss, self._data_key, include)
        ok = self._send(header, arrays)
        if ok and include:
            self._data = weakref.ref(stepper.data)
        return ok

    def want(self, session: int) -> bool:
        return self._send({"type": "want", "session": session})

    def halt(self) -> bool:
        return self._send({"type": "halt"})

    def messages(self) -> list:
        """Every message that arrived, without waiting; ``None`` in the list
        means the process has ended."""
        out = []
        while True:
            try:
                out.append(self._inbox.get_nowait())
            except queue.Empty:
                return out

    def wait_message(self, timeout: float):
        """The next message, waiting up to ``timeout`` seconds (None if none came)."""
        try:
            return self._inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        if self._proc is None:
            return
        self._send({"type": "quit"})
        self._dead = True
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def acquire() -> TrainingWorker:
    """A worker for a run: an idle one, or a new process."""
    while _idle:
        w = _idle.pop()
        if w.alive:
            w.messages()  # drop what a former run left unread
            return w
        w.close()
    return TrainingWorker()


def release(worker: TrainingWorker) -> None:
    """Give a worker back after a run (it stops training at once)."""
    if worker.alive and worker.halt() and len(_idle) < KEEP_IDLE:
        _idle.append(worker)
    else:
        worker.close()


@atexit.register
def shutdown() -> None:
    """Close every training process (also called when the app quits)."""
    _idle.clear()
    for w in list(_all):
        w.close()
