"""Saving off the window's thread.

A save used to serialise and write the whole project in the window's thread:
with a long history the window froze for seconds (issue 13 item 7). Now the
window only takes a *snapshot* of the document (``Document.file_snapshot``:
the history logs share memory copy-on-write, so it costs microseconds to
milliseconds whatever their length); a worker thread turns it into text and
writes it atomically (``nnsim.io.save_project``), and the result comes back
to the window's thread as a Qt signal.

The document is marked saved only when the write succeeded *and* nothing the
file holds changed meanwhile (training that went on during the save leaves
the document marked unsaved, so the title never claims more than the disk
holds). ``DocumentSaver`` does this for Save; ``recovery.Autosaver`` uses the
same ``BackgroundWriter`` for the recovery copy.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEventLoop, QObject, Signal

from ..io import FileFormatError, save_project, user_message
from .disk_state import DiskStamp


class BackgroundWriter(QObject):
    """Runs jobs one after another in a worker thread; each job's callback
    runs in the thread of this object (the window's) when it is done."""

    _finished = Signal(object, object, object)  # callback, result, error (from the worker)

    def __init__(self, parent: QObject | None = None, name: str = "nnsim-save"):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._pending = 0
        self._finished.connect(self._deliver)  # queued: emitted from the worker thread

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(self, job: Callable[[], object], done: Callable[[object, BaseException | None],
                                                              None]) -> None:
        """``job()`` in the worker thread, then ``done(result, error)`` here."""
        self._pending += 1

        def work():
            try:
                result, error = job(), None
            except BaseException as e:  # noqa: BLE001 - handed to ``done`` to word it
                result, error = None, e
            self._finished.emit(done, result, error)
        self._pool.submit(work)

    def _deliver(self, done, result, error) -> None:
        self._pending -= 1
        done(result, error)

    def wait(self) -> None:
        """Until every job so far is done and delivered (the event loop runs
        meanwhile: the window keeps drawing)."""
        loop = QEventLoop()
        while self._pending:
            loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)

    def shutdown(self) -> None:
        self.wait()
        self._pool.shutdown(wait=True)


@dataclass(frozen=True)
class SaveOutcome:
    path: Path
    error: str | None  # one line for the user; None when the file was written
    current: bool  # nothing the file holds changed while it was written

    @property
    def ok(self) -> bool:
        return self.error is None


def write_project(project, path: Path) -> DiskStamp:
    """The worker's part: text, atomic write, and what the file is now."""
    save_project(project, path)
    return DiskStamp.of(path)


def is_worker_thread() -> bool:
    """Whether the caller runs in a save worker (tests check where saving ran)."""
    return threading.current_thread().name.startswith("nnsim-")


class DocumentSaver(QObject):
    """Save and Save As for one window: at most one save runs at a time."""

    finished = Signal(object)  # SaveOutcome, in the window's thread

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._writer = BackgroundWriter(self, "nnsim-save")
        self._last: SaveOutcome | None = None

    @property
    def busy(self) -> bool:
        return self._writer.busy

    def save(self, document, path: Path) -> None:
        """Start saving ``document`` to ``path``; ``finished`` tells the outcome.
        A project that cannot be saved (NaN weights) fails at once, in the
        snapshot's checks, like a failed write."""
        path = Path(path)
        project = document.file_snapshot()
        revision = document.revision

        def done(stamp, error):
            if error is not None:
                outcome = SaveOutcome(path, _words(error), False)
            else:
                current = document.revision == revision
                document.mark_saved(path, stamp, clean=current)
                outcome = SaveOutcome(path, None, current)
            self._last = outcome
            self.finished.emit(outcome)
        self._writer.run(lambda: write_project(project, path), done)

    def save_and_wait(self, document, path: Path) -> SaveOutcome:
        """Save and wait for the outcome (closing the window, opening another
        file: what comes next depends on it). The window keeps drawing."""
        self._writer.wait()
        self._last = None
        self.save(document, path)
        self._writer.wait()
        return self._last

    def wait(self) -> None:
        """Until the saves under way are written and told (the window keeps drawing)."""
        self._writer.wait()

    def shutdown(self) -> None:
        self._writer.shutdown()


def _words(e: BaseException) -> str:
    if isinstance(e, (FileFormatError, OSError, ValueError)):
        return user_message(e)
    if isinstance(e, MemoryError):
        return "not enough memory to save the file; nothing was changed on disk"
    return f"the file could not be written ({type(e).__name__}: {e})"
