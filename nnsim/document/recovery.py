"""Crash recovery: the open document is autosaved to a recovery file shortly
after each change, and removed when the app closes normally or the document
is saved. A recovery file whose process is gone means the app ended
abnormally; the next start offers to restore it.

Each running app owns ``<pid>.nnsim`` (the project, same format as a saved
file) and ``<pid>.json`` (where it came from and when) in the recovery
folder, which is the user data folder unless a test or NNSIM_RECOVERY_DIR
points elsewhere.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer

from ..io import FileFormatError, dumps
from ..io.atomic import atomic_write_bytes

AUTOSAVE_DELAY_MS = 1500  # after the last change


def default_folder() -> Path:
    env = os.environ.get("NNSIM_RECOVERY_DIR")
    if env:
        return Path(env)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".nnsim") / "recovery"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


@dataclass(frozen=True)
class Recoverable:
    project_file: Path
    info_file: Path
    original_path: str | None  # the file the document was opened from, if any
    name: str
    saved_at: float

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        return f"{self.name} (autosaved {when})"

    def discard(self) -> None:
        for f in (self.project_file, self.info_file):
            f.unlink(missing_ok=True)


class RecoveryStore:
    def __init__(self, folder: Path | None = None, pid: int | None = None):
        self.folder = Path(folder) if folder else default_folder()
        self.pid = os.getpid() if pid is None else pid

    @property
    def _project_file(self) -> Path:
        return self.folder / f"{self.pid}.nnsim"

    @property
    def _info_file(self) -> Path:
        return self.folder / f"{self.pid}.json"

    def save(self, document) -> bool:
        """Write the document's recovery copy; False when it cannot be saved
        (e.g. NaN weights: the last good copy stays)."""
        try:
            text = dumps(document.project)
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self._project_file, text.encode("utf-8"))
            info = {"original_path": str(document.path) if document.path else None,
                    "name": document.display_name, "saved_at": time.time()}
            atomic_write_bytes(self._info_file, json.dumps(info).encode("utf-8"))
        except (FileFormatError, OSError):
            return False
        return True

    def clear(self) -> None:
        for f in (self._project_file, self._info_file):
            f.unlink(missing_ok=True)

    def abandoned(self) -> list[Recoverable]:
        """Recovery copies left by app processes that no longer run."""
        found = []
        if not self.folder.is_dir():
            return found
        for project_file in sorted(self.folder.glob("*.nnsim")):
            try:
                pid = int(project_file.stem)
            except ValueError:
                continue
            if pid == self.pid or _alive(pid):
                continue
            info_file = project_file.with_suffix(".json")
            try:
                info = json.loads(info_file.read_text("utf-8"))
                found.append(Recoverable(project_file, info_file, info.get("original_path"),
                                         str(info.get("name", project_file.name)),
                                         float(info.get("saved_at", 0.0))))
            except (OSError, ValueError, TypeError, AttributeError):
                found.append(Recoverable(project_file, info_file, None, project_file.name,
                                         project_file.stat().st_mtime))
        return found


class Autosaver(QObject):
    """Saves the document's recovery copy a moment after each change."""

    def __init__(self, store: RecoveryStore, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.document = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_now)

    def watch(self, document) -> None:
        if self.document is not None:
            try:
                self.document.changed.disconnect(self._on_changed)
            except (RuntimeError, TypeError):  # already gone with its document
                pass
        self.document = document
        document.changed.connect(self._on_changed)  # every edit, undo, step and save
        self._on_changed()

    def _on_changed(self, _change=None) -> None:
        if self.document.modified:
            self._timer.start()
        else:  # saved, or undone back to the saved state
            self._timer.stop()
            self.store.clear()

    def save_now(self) -> bool:
        if self.document is None or not self.document.modified:
            return False
        return self.store.save(self.document)

    def stop(self) -> None:
        """A normal exit: no recovery copy is left behind."""
        self._timer.stop()
        self.store.clear()
