"""Atomic file replacement: the target is either the old file or the new one.

The caller serialises everything in memory first; then the bytes go to a temp
file in the same folder (so ``os.replace`` is a rename on one file system),
are flushed and fsynced, and the temp file is renamed over the target. On any
failure the temp file is removed and the target is left untouched.
"""
from __future__ import annotations

import os
import secrets
import stat

__all__ = ["atomic_write_bytes"]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _reworded(e: OSError, path: str) -> OSError:
    """The same kind of OSError, saying which file could not be saved (the
    temp file's name would only confuse)."""
    reason = e.strerror or str(e) or type(e).__name__
    new = type(e)(f"{path}: could not save the file ({reason})")
    new.errno = e.errno
    return new


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


def atomic_write_bytes(path, data: bytes) -> None:
    """Replace the file at ``path`` by ``data`` atomically.

    Raises OSError (of the original kind, e.g. PermissionError,
    IsADirectoryError) whose message names ``path``; the target is untouched
    and no temp file is left behind. A symlink is written through, and an
    existing file keeps its permission bits.
    """
    shown = os.fsdecode(os.fspath(path))
    target = os.path.realpath(os.fspath(path))  # write through symlinks
    if os.path.isdir(target):
        raise IsADirectoryError(f"{shown}: could not save the file (this is a folder, "
                                "not a file name)")
    folder = os.path.dirname(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise _reworded(e, shown) from e
    base = os.path.basename(target)
    tmp = None
    try:
        for _ in range(100):  # O_EXCL: never reuse a name someone else holds
            tmp = os.path.join(folder, f".{base}.{secrets.token_hex(4)}.tmp")
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
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp, mode)
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
