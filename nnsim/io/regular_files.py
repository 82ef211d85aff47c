"""Only regular files are read or replaced: never a FIFO, socket or device.

Opening a FIFO for reading blocks until someone writes into it (the CSV
dialog hung), reading a device may never end, and replacing one by a regular
file (``os.replace`` onto ``/dev/full``) quietly breaks the system. So the
kind of file is checked from its ``stat`` before it is opened, and once more
on the opened descriptor (opened non-blocking, so a FIFO swapped in between
cannot block either).
"""
from __future__ import annotations

import os
import stat

__all__ = ["NotARegularFile", "special_kind", "open_regular_file"]

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


class NotARegularFile(OSError):
    """The path is a FIFO, socket, device or other special file; ``kind``
    says which ("a FIFO (named pipe)", ...)."""

    def __init__(self, path, kind: str):
        super().__init__(f"{os.fsdecode(os.fspath(path))}: is {kind}, not a regular file")
        self.kind = kind


def special_kind(mode: int) -> str | None:
    """What a non-regular, non-folder ``st_mode`` is, or None for a regular
    file or a folder (callers word a folder their own way)."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "a special file")


def _refuse_special(path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory", os.fsdecode(os.fspath(path)))
    kind = special_kind(mode)
    if kind is not None:
        raise NotARegularFile(path, kind)


def open_regular_file(path):
    """``open(path, "rb")`` for a regular file; :class:`NotARegularFile` for a
    FIFO, socket or device and IsADirectoryError for a folder, without
    blocking. Other OSErrors (FileNotFoundError, PermissionError) as open's."""
    _refuse_special(path, os.stat(path).st_mode)
    nonblocking = getattr(os, "O_NONBLOCK", 0)  # POSIX; Windows has no FIFOs to fear
    fd = os.open(path, os.O_RDONLY | nonblocking | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_BINARY", 0))
    try:
        _refuse_special(path, os.fstat(fd).st_mode)  # swapped since the stat?
        if nonblocking:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
