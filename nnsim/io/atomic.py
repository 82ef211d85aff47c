"""Atomic file replacement: the target is either the old file or the new one.

The caller serialises everything in memory first; then the bytes go to a temp
file in the same folder (so ``os.replace`` is a rename on one file system),
are flushed and fsynced, and the temp file is renamed over the target. On any
failure the temp file is removed and the target is left untouched.

What must not be replaced is refused before anything is written: a FIFO,
socket or device (``os.replace`` would put a regular file in its place), a
read-only file (no write bit; checked by nnsim itself, since root may write
anyway), another user's file when not root (the new file would be ours). A
replaced file keeps its mode, and its owner and group when root saves.

The temp file has a short name of its own (``.nnsim-<pid>-<hex>.tmp``), so
any target name the file system allows works, and a temp file left by a
killed save is recognised and removed by the next save into that folder.
"""
from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time

from .processes import process_alive
from .regular_files import NotARegularFile, special_kind

__all__ = ["atomic_write_bytes", "remove_stale_temps"]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _error(kind: type, code: int, message: str) -> OSError:
    e = kind(message)  # str(e) is the message alone, as the user sees it
    e.errno = code
    return e


def _reworded(e: OSError, path: str) -> OSError:
    """The same kind of OSError, saying which file could not be saved (the
    temp file's name would only confuse)."""
    reason = e.strerror or str(e) or type(e).__name__
    return _error(type(e), e.errno, f"{path}: could not save the file ({reason})")


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); best effort."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- temp files: a short name of their own, so a target name up to the file
#    system's limit (255 bytes) still leaves room; the PID of the writer in it,
#    so the next save knows a leftover from a killed save
_TEMP_NAME = re.compile(r"\.nnsim-(\d+)-[0-9a-f]{8}\.tmp")
# what nnsim before this naming left behind: .<target name>.<8 hex digits>.tmp
_OLD_TEMP_NAME = re.compile(r"\..+\.nnsim\.[0-9a-f]{8}\.tmp")
STALE_AFTER_S = 60.0  # a save writes its temp file in one go, then renames it


def _temp_name() -> str:
    return f".nnsim-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def _process_gone(pid: int) -> bool:
    return pid != os.getpid() and not process_alive(pid)


def is_stale_temp(name: str, mtime: float, now: float) -> bool:
    """Whether ``name`` is a temp file an interrupted nnsim save left behind:
    nnsim's own name pattern, and its writer is gone or it has not been
    written to for STALE_AFTER_S seconds."""
    m = _TEMP_NAME.fullmatch(name)
    if m is not None:
        return now - mtime > STALE_AFTER_S or (os.name == "posix"
                                               and _process_gone(int(m.group(1))))
    return _OLD_TEMP_NAME.fullmatch(name) is not None and now - mtime > STALE_AFTER_S


def remove_stale_temps(folder: str, now: float | None = None) -> list[str]:
    """Remove the stale nnsim temp files in ``folder``; the names removed.
    Best effort: a file that cannot be removed is left alone."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and is_stale_temp(entry.name, st.st_mtime, now):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            continue
    return removed


# -- what may be replaced

def _refusal(shown: str, st: os.stat_result) -> OSError | None:
    """Why the existing file ``st`` must not be replaced, or None."""
    kind = special_kind(st.st_mode)
    if kind is not None:
        e = NotARegularFile(shown, kind)
        e.args = (f"{shown}: could not save the file (it is {kind}, not a regular "
                  "file; save under another name)",)
        return e
    # no write bit at all: read-only, for root as well (who may write anyway)
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or (
            os.name == "posix" and os.geteuid() != 0 and not _writable_by_me(st)):
        return _error(PermissionError, errno.EACCES, f"{shown}: could not save the file (it "
                      "is read-only; make it writable or save under another name)")
    # only root can give a file to another user: anyone else would take it over
    if os.name == "posix" and os.geteuid() not in (0, st.st_uid):
        return _error(PermissionError, errno.EPERM, f"{shown}: could not save the file (it "
                      f"belongs to another user, uid {st.st_uid}, and replacing it would "
                      "make it yours; save under another name)")
    return None


def _writable_by_me(st: os.stat_result) -> bool:
    if st.st_uid == os.geteuid():
        return bool(st.st_mode & stat.S_IWUSR)
    if st.st_gid == os.getegid() or st.st_gid in os.getgroups():
        return bool(st.st_mode & stat.S_IWGRP)
    return bool(st.st_mode & stat.S_IWOTH)


def _keep_owner(fd: int, st: os.stat_result) -> None:
    """Give the temp file the replaced file's owner and group (root can; a
    user replacing another's file was refused by _refusal)."""
    if os.name != "posix" or (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid()):
        return
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except PermissionError:
        pass  # our own file in a group we are not in: the new one has our group


def atomic_write_bytes(path, data: bytes) -> None:
    """Replace the file at ``path`` by ``data`` atomically.

    Raises OSError (of the original kind, e.g. PermissionError,
    IsADirectoryError) whose message names ``path``; the target is untouched
    and no temp file is left behind. A symlink is written through; an
    existing file keeps its permission bits and owner. A FIFO, socket or
    device (:class:`NotARegularFile`) and a read-only file (PermissionError)
    are refused. Stale temp files of interrupted saves in the folder are
    removed.
    """
    shown = os.fsdecode(os.fspath(path))
    target = os.path.realpath(os.fspath(path))  # write through symlinks
    if os.path.isdir(target):
        raise IsADirectoryError(f"{shown}: could not save the file (this is a folder, "
                                "not a file name)")
    folder = os.path.dirname(target)
    try:
        old = os.stat(target)
    except FileNotFoundError:
        old = None
    except OSError as e:
        raise _reworded(e, shown) from e
    if old is not None:
        refusal = _refusal(shown, old)
        if refusal is not None:
            raise refusal
    tmp = None
    try:
        for _ in range(100):  # O_EXCL: never reuse a name someone else holds
            tmp = os.path.join(folder, _temp_name())
            try:
                # 0o666 & ~umask, like any new file, unless the target exists
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_BINARY", 0), 0o666)
                break
            except FileExistsError:
                tmp = None
        else:
            raise FileExistsError("no free name for a temp file")
        try:
            if old is not None:
                _keep_owner(fd, old)  # before chmod: chown clears set-id bits
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if old is not None:
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
        os.replace(tmp, target)
        tmp = None
    except OSError as e:
        raise _reworded(e, shown) from e
    finally:
        if tmp is not None:  # any failure, KeyboardInterrupt included
            try:
                os.unlink(tmp)
            except OSError:
                pass
    _fsync_folder(folder)
    remove_stale_temps(folder)
