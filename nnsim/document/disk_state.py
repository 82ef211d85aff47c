"""Noticing other writers of the document's file (issue 16 item 8).

Two guards, so that nnsim asks before overwriting anyone's work:

- ``DiskStamp``: what the file was when this window opened or last saved it
  (modification time, size, and a SHA-256 of the content). At save time a
  different time or size means someone changed it; the hash then tells a
  real change from a mere touch (a copy back, a sync tool).
- ``OpenFiles``: a marker per window that has a file open, in the user's
  nnsim data folder (``open/<hash of the path>/<window id>.json``: never next
  to the user's file, which may sit in a read-only or shared folder). A
  second window or a second nnsim process opening the same file finds the
  other's marker and asks first. A marker whose process is gone, or that its
  window has not refreshed for ``STALE_AFTER_S`` (a machine that slept, a
  process id reused), is stale: it is removed and ignored.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..io.processes import process_alive

STALE_AFTER_S = 600.0  # windows refresh their markers every REFRESH_S
REFRESH_S = 60.0


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class DiskStamp:
    mtime_ns: int
    size: int
    sha256: str

    @classmethod
    def of(cls, path) -> "DiskStamp | None":
        """The file as it is now; None when there is none (or it cannot be read)."""
        try:
            st = os.stat(path)
            return cls(st.st_mtime_ns, st.st_size, _sha256(Path(path)))
        except OSError:
            return None

    def changed_on_disk(self, path) -> bool:
        """Whether the file at ``path`` is no longer what this stamp saw
        (gone, or other content)."""
        try:
            st = os.stat(path)
        except OSError:
            return True
        if (st.st_mtime_ns, st.st_size) == (self.mtime_ns, self.size):
            return False
        if st.st_size != self.size:
            return True
        try:
            return _sha256(Path(path)) != self.sha256
        except OSError:
            return True


@dataclass(frozen=True)
class OpenElsewhere:
    """Another window that has the file open."""
    pid: int
    same_process: bool
    since: float

    def describe(self) -> str:
        when = time.strftime("%H:%M", time.localtime(self.since))
        where = "another window of this nnsim" if self.same_process else \
            f"another nnsim (process {self.pid})"
        return f"{where}, since {when}"


class OpenFiles:
    """This window's markers of the file it has open."""

    def __init__(self, folder: Path, clock=time.time):
        self.folder = Path(folder)
        self.window_id = uuid.uuid4().hex
        self._clock = clock
        self._path: Path | None = None

    @staticmethod
    def _key(path) -> str:
        real = os.path.realpath(os.fspath(path))
        return hashlib.sha256(os.fsencode(real)).hexdigest()[:32]

    def _dir(self, path) -> Path:
        return self.folder / "open" / self._key(path)

    def others(self, path) -> list[OpenElsewhere]:
        """Live windows other than this one that have ``path`` open (stale
        markers are removed on the way)."""
        found = []
        d = self._dir(path)
        if not d.is_dir():
            return found
        now = self._clock()
        for marker in d.glob("*.json"):
            if marker.stem == self.window_id:
                continue
            try:
                info = json.loads(marker.read_text("utf-8"))
                pid, host = int(info["pid"]), str(info["host"])
                since, seen = float(info["since"]), marker.stat().st_mtime
            except (OSError, ValueError, TypeError, KeyError):
                continue  # half-written by its owner: ignored, not removed
            local = host == socket.gethostname()
            if (local and not process_alive(pid)) or now - seen > STALE_AFTER_S:
                marker.unlink(missing_ok=True)
                continue
            found.append(OpenElsewhere(pid, local and pid == os.getpid(), since))
        return found

    def hold(self, path) -> None:
        """Mark ``path`` as open in this window (and release the previous file)."""
        self.release()
        if path is None:
            return
        d = self._dir(path)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": self._clock(),
                "path": os.fspath(path)}
        try:
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{self.window_id}.json").write_text(json.dumps(info), "utf-8")
        except OSError:
            return  # no marker: the disk check at save time still guards the file
        self._path = Path(path)

    def refresh(self) -> None:
        if self._path is not None:
            try:
                os.utime(self._dir(self._path) / f"{self.window_id}.json")
            except OSError:
                pass

    def release(self) -> None:
        if self._path is None:
            return
        d = self._dir(self._path)
        (d / f"{self.window_id}.json").unlink(missing_ok=True)
        try:
            d.rmdir()  # only when no other window holds it
        except OSError:
            pass
        self._path = None
