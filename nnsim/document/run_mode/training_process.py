"""The app's handle on the training process (``nnsim/core/run_mode/process.py``).

A :class:`TrainingProcess` starts ``nnsim.core.run_mode.process`` as
``python -m`` would, but isolated from the user's folder (see
:mod:`.isolated_launch`), with pipes, sends it commands and reads its progress on a small thread
(which only waits on the pipe), so the event loop picks progress up without
ever blocking. Training processes are pooled: a run takes one with
:func:`acquire` and gives it back with :func:`release`; it stays up for the
next run (no start-up wait) and exits with the app, or when its stdin closes.

Anything that goes wrong with it (it cannot start, it dies, a pipe breaks)
makes :attr:`TrainingProcess.alive` False; the runner then trains in the
window's process, so a run never stops for it.
"""
from __future__ import annotations

import atexit
import itertools
import queue
import subprocess
import sys
import threading
import weakref

from nnsim.core.run_mode import framing
from nnsim.core.run_mode.protocol import halt_message, load_message, quit_message, want_message
from nnsim.document.run_mode.isolated_launch import isolated_command

MODULE = "nnsim.core.run_mode.process"  # what the training process runs
_sessions = itertools.count(1)  # unique across training processes: stale progress is never taken
_data_keys = itertools.count(1)
_idle: list["TrainingProcess"] = []
_all: "weakref.WeakSet[TrainingProcess]" = weakref.WeakSet()
DATA_ARRAYS = frozenset({"X_train", "Y_train", "X_test", "Y_test"})
KEEP_IDLE = 1  # training processes kept for the next run (each holds its last data set)


def new_session() -> int:
    return next(_sessions)


class TrainingProcess:
    def __init__(self):
        self._inbox: queue.Queue = queue.Queue()
        self._dead = False
        self._data = None  # weak reference to the data set the training process holds
        self._data_key = 0
        if getattr(sys, "frozen", False) or not sys.executable:
            # a bundled app's executable is the app itself, not a Python
            self._proc, self._dead = None, True
            return
        try:
            self._proc = subprocess.Popen(isolated_command(MODULE),
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except (OSError, ValueError):
            self._proc, self._dead = None, True
            return
        # commands are written on a thread of their own: a load with a big
        # data set (tens of MB) never holds up the event loop while the
        # training process starts or reads it
        self._outbox: queue.Queue = queue.Queue()
        self._writer = threading.Thread(target=self._write, daemon=True,
                                        name="nnsim training process writer")
        self._writer.start()
        threading.Thread(target=self._read, daemon=True,
                         name="nnsim training process reader").start()
        _all.add(self)

    def _read(self) -> None:
        try:
            while True:
                message = framing.read(self._proc.stdout)
                if message is None:
                    break
                self._inbox.put(message)
        except (framing.FramingError, OSError, ValueError):
            pass
        self._dead = True
        self._inbox.put(None)

    def _write(self) -> None:
        while True:
            buffers = self._outbox.get()
            if buffers is None:
                return
            try:
                framing.write_parts(self._proc.stdin, buffers)
            except (OSError, ValueError):
                self._dead = True
                return

    @property
    def alive(self) -> bool:
        return not self._dead and self._proc is not None and self._proc.poll() is None

    def _send(self, header: dict, arrays: dict | None = None,
              borrow: frozenset[str] = frozenset()) -> bool:
        """Queue a command for the writer thread (in order); False when the
        training process is gone. Arrays are copied now, except ``borrow``."""
        if not self.alive:
            return False
        self._outbox.put(framing.parts(header, arrays, borrow))
        return True

    # -- commands --------------------------------------------------------------------
    def load(self, stepper, session: int, epochs: int, stop_loss: float | None) -> bool:
        """Start training ``stepper``'s state in the training process (a copy;
        the stepper is not touched). The data set goes along only when the
        training process does not hold it already."""
        held = self._data() if self._data is not None else None
        include = held is not stepper.data
        if include:
            self._data_key = next(_data_keys)
        header, arrays = load_message(stepper, session, epochs, stop_loss, self._data_key, include)
        # the data set's arrays are never changed in place (a data edit makes
        # new ones): they go out as they are, not copied for the pipe
        ok = self._send(header, arrays, DATA_ARRAYS)
        if ok and include:
            self._data = weakref.ref(stepper.data)
        return ok

    def want(self, session: int) -> bool:
        return self._send(want_message(session))

    def halt(self) -> bool:
        return self._send(halt_message())

    def messages(self) -> list:
        """Every message that arrived (progress or an error), without waiting;
        ``None`` in the list means the training process has ended."""
        out = []
        while True:
            try:
                out.append(self._inbox.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        if self._proc is None:
            return
        self._send(quit_message())
        self._dead = True
        self._outbox.put(None)
        self._writer.join(timeout=2)
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def acquire() -> TrainingProcess:
    """A training process for a run: an idle one, or a new one."""
    while _idle:
        p = _idle.pop()
        if p.alive:
            p.messages()  # drop what a former run left unread
            return p
        p.close()
    return TrainingProcess()


def release(process: TrainingProcess) -> None:
    """Give a training process back after a run (it stops training at once)."""
    if process.alive and process.halt() and len(_idle) < KEEP_IDLE:
        _idle.append(process)
    else:
        process.close()


@atexit.register
def shutdown() -> None:
    """Close every training process when the app quits."""
    _idle.clear()
    for p in list(_all):
        p.close()
