"""Crash recovery: the open document is autosaved to a recovery copy while it
has unsaved changes, and the copy is removed when the app closes normally or
the document is saved. A copy whose app is gone means the app ended
abnormally; the next start offers to restore it, saying what it holds.

Each running window owns ``<key>.nnsim`` (the project, the same format as a
saved file, checked the same way: it always reopens), ``<key>.json`` (what it
is: the file it came from, its name, when, how many epochs) and ``<key>.lock``
in the recovery folder (the user data folder unless a test or
NNSIM_RECOVERY_DIR points elsewhere). The key is a random UUID, not the
process id: a reused process id hid copies. The window holds an exclusive
lock on its ``.lock`` file while it runs; the lock dies with the process
(even on kill -9), so a copy whose lock can be taken is abandoned.

When: 1.5 s after the last change, but at the latest 30 s after the first
unsaved one (run mode changes the document many times a second, which used
to postpone the autosave for ever), and at once when run mode pauses. The
snapshot is taken in the window's thread (cheap); the text is made and
written in a worker thread (``saving.BackgroundWriter``).
"""
from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from ..io import FileFormatError, save_project
from ..io.atomic import atomic_write_bytes
from .saving import BackgroundWriter
from ..io.processes import process_alive

try:
    import fcntl
except ImportError:  # Windows: the process id decides (see _owner_alive)
    fcntl = None

AUTOSAVE_DELAY_S = 1.5  # after the last change
AUTOSAVE_MAX_WAIT_S = 30.0  # after the first unsaved change, however busy the document


def default_folder() -> Path:
    env = os.environ.get("NNSIM_RECOVERY_DIR")
    if env:
        return Path(env)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".nnsim") / "recovery"


def _lock_held_elsewhere(lock_file: Path) -> bool:
    """Whether a running window holds ``lock_file`` (False when there is none)."""
    try:
        fd = os.open(lock_file, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # (also releases a lock just taken)
    return False


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class Recoverable:
    project_file: Path
    info_file: Path
    original_path: str | None  # a suggestion for Save As only (anyone may write this file)
    name: str
    saved_at: float
    epochs: int | None = None  # epochs trained in the copy (None: not known)

    def describe(self, now: float | None = None) -> str:
        """"Unsaved changes to lecture-xor.nnsim from 15:02, 100,905 epochs trained"."""
        now = time.time() if now is None else now
        same_day = time.localtime(now)[:3] == time.localtime(self.saved_at)[:3]
        when = time.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M",
                             time.localtime(self.saved_at))
        text = f"Unsaved changes to {self.name} from {when}"
        if self.epochs:
            text += f", {_plural(self.epochs, 'epoch')} trained"
        return text

    def discard(self) -> None:
        for f in (self.project_file, self.info_file, self.project_file.with_suffix(".lock")):
            f.unlink(missing_ok=True)


class RecoveryStore:
    def __init__(self, folder: Path | None = None, key: str | None = None):
        self.folder = Path(folder) if folder else default_folder()
        self.key = key or uuid.uuid4().hex
        self._lock_fd: int | None = None

    @property
    def project_file(self) -> Path:
        return self.folder / f"{self.key}.nnsim"

    @property
    def _info_file(self) -> Path:
        return self.folder / f"{self.key}.json"

    def claim(self) -> None:
        """Hold this store's lock while the app runs (its copies are then not
        offered to other windows or processes)."""
        if self._lock_fd is not None or fcntl is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / f"{self.key}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return
        self._lock_fd = fd

    def release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
            (self.folder / f"{self.key}.lock").unlink(missing_ok=True)

    def snapshot(self, document) -> tuple:
        """What to write, taken in the window's thread (cheap)."""
        project = document.file_snapshot()
        original = document.path or document.suggested_path
        info = {"original_path": str(original) if original else None,
                "name": document.display_name, "saved_at": time.time(),
                "epochs": len(project.history.epochs), "pid": os.getpid(),
                "host": socket.gethostname()}
        return project, info

    def write(self, snapshot: tuple) -> None:
        """Write a snapshot (any thread); raises FileFormatError or OSError."""
        project, info = snapshot
        self.folder.mkdir(parents=True, exist_ok=True)
        save_project(project, self.project_file)  # checked like a save: it reopens
        atomic_write_bytes(self._info_file, json.dumps(info).encode("utf-8"))

    def save(self, document) -> bool:
        """Write the document's recovery copy now, in this thread; False when
        it cannot be saved (e.g. NaN weights: the last good copy stays)."""
        try:
            self.write(self.snapshot(document))
        except (FileFormatError, OSError):
            return False
        return True

    def clear(self) -> None:
        for f in (self.project_file, self._info_file):
            try:
                f.unlink(missing_ok=True)
            except OSError:  # no such folder (or not a folder): nothing to clear
                pass

    def _owner_alive(self, key: str, info: dict) -> bool:
        if fcntl is not None:
            return _lock_held_elsewhere(self.folder / f"{key}.lock")
        pid = info.get("pid")
        return (type(pid) is int and info.get("host") == socket.gethostname()
                and process_alive(pid))

    def abandoned(self) -> list[Recoverable]:
        """Recovery copies left by windows that no longer run."""
        found = []
        if not self.folder.is_dir():
            return found
        if fcntl is not None:  # locks of windows that ended before any autosave
            for lock in self.folder.glob("*.lock"):
                if (lock.stem != self.key and not lock.with_suffix(".nnsim").exists()
                        and not _lock_held_elsewhere(lock)):
                    lock.unlink(missing_ok=True)
        for project_file in sorted(self.folder.glob("*.nnsim")):
            key = project_file.stem
            if key == self.key:
                continue
            info_file = project_file.with_suffix(".json")
            try:
                info = json.loads(info_file.read_text("utf-8"))
                if not isinstance(info, dict):
                    raise ValueError("not an object")
            except (OSError, ValueError):
                info = {}
            if self._owner_alive(key, info):
                continue
            try:
                saved_at = float(info.get("saved_at", project_file.stat().st_mtime))
                epochs = info.get("epochs")
                found.append(Recoverable(
                    project_file, info_file,
                    info["original_path"] if isinstance(info.get("original_path"), str) else None,
                    str(info.get("name") or project_file.name), saved_at,
                    epochs if type(epochs) is int and epochs >= 0 else None))
            except (OSError, ValueError, TypeError):
                continue
        return found


class Autosaver(QObject):
    """Saves the document's recovery copy in the background while it has
    unsaved changes (see the module's docstring for when)."""

    written = Signal(bool)  # a write ended: True when the copy was written

    def __init__(self, store: RecoveryStore, parent: QObject | None = None, clock=time.monotonic):
        super().__init__(parent)
        self.store = store
        store.claim()
        self.document = None
        self._clock = clock
        self._first_unsaved: float | None = None
        self._again = False  # a change came while a write was under way
        self.last_error: str | None = None  # why the last write failed
        self._writer = BackgroundWriter(self, "nnsim-recovery")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.save_now)

    def watch(self, document) -> None:
        if self.document is not None:
            try:
                self.document.changed.disconnect(self._on_changed)
            except (RuntimeError, TypeError):  # already gone with its document
                pass
        self.document = document
        self._first_unsaved = None
        document.changed.connect(self._on_changed)  # every edit, undo, step and save
        self._on_changed()

    def due_in(self) -> float | None:
        """Seconds until the next autosave (None: none planned)."""
        if self._first_unsaved is None:
            return None
        return max(0.0, self._due - self._clock())

    def _on_changed(self, _change=None) -> None:
        if not self.document.modified:  # saved, or undone back to the saved state
            self._timer.stop()
            self._first_unsaved = None
            self.store.clear()  # (a copy still being written is cleared when it lands)
            return
        now = self._clock()
        if self._first_unsaved is None:
            self._first_unsaved = now
        self._due = min(now + AUTOSAVE_DELAY_S, self._first_unsaved + AUTOSAVE_MAX_WAIT_S)
        self._timer.start(max(0, round(1000 * (self._due - now))))

    def save_soon(self, *_args) -> None:
        """At once (run mode paused: the training so far is worth keeping)."""
        if self.document is not None and self.document.modified:
            self._due = self._clock()
            self._first_unsaved = self._first_unsaved or self._due
            self._timer.start(0)

    def save_now(self) -> bool:
        """Start writing the recovery copy; False when there is nothing to save."""
        self._timer.stop()
        if self.document is None or not self.document.modified:
            return False
        self._first_unsaved = None
        if self._writer.busy:
            self._again = True
            return True
        snapshot = self.store.snapshot(self.document)
        self._writer.run(lambda: self.store.write(snapshot), self._done)
        return True

    def _done(self, _result, error) -> None:
        self.last_error = None if error is None else " ".join(str(error).split())
        if self.document is not None and not self.document.modified:
            self.store.clear()  # saved while the copy was written
        elif self._again:
            self._again = False
            self.save_now()
        self.written.emit(error is None)

    def wait(self) -> None:
        """Until the copies under way are written (tests; closing)."""
        while self._writer.busy:
            self._writer.wait()

    def stop(self) -> None:
        """A normal exit: no recovery copy is left behind."""
        self._timer.stop()
        self._writer.shutdown()
        self.store.clear()
        self.store.release()
