"""The window's C allocator, tuned so training does not fragment its heap.

glibc serves a block of 128 kB or more with its own mmap, returned to the
system when freed; but each time such a block is freed it raises that
threshold to the block's size (up to 32 MB). Run mode frees ever larger
history buffers, so soon every per-frame temporary (a progress message's
arrays, a slice of the history) came from the heap instead, and the heap
cannot shrink past what lives above them: the window's resident memory grew
~50 bytes a trained epoch more than it held (measured with /proc/self/smaps
over 150,000 epochs of lecture-xor: [heap] +52 bytes an epoch, 10 with the
threshold fixed). Fixing the threshold keeps big temporaries in mmap, which
costs a page fault per page touched: nothing next to what fills them.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_MMAP_THRESHOLD = -3  # mallopt's parameter (glibc's malloc.h)
MMAP_THRESHOLD = 128 * 1024  # glibc's default, held fixed

_done = False


def fix_mmap_threshold() -> bool:
    """Hold glibc's mmap threshold at its default (once per process); False
    where there is no glibc (macOS, Windows, musl): nothing to do there."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    _done = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return _done
