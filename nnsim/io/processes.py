"""Whether another process still runs: for files other nnsim processes left
(temporary files of a save, recovery copies, open-file markers), which are
stale once their process is gone."""
from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """True while process ``pid`` runs on this machine, or when that cannot be
    told (another user's process, an odd pid): only a process known to be gone
    makes its files stale."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True
    return True
