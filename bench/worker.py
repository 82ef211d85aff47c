"""A reference framework in another interpreter (e.g. PyTorch in its own
Python 3.11 environment): `python -m bench.worker`, one JSON command a line
on stdin, one JSON answer a line on stdout.

    {"cmd": "info", "framework": "torch"}              -> {"version": "2.13.0"}
    {"cmd": "prepare", "framework": ..., "case": ..., "npz": PATH, "dtype": ..., "threads": N}
    {"cmd": "run", "epochs": E}                        -> {"seconds": s}
"""
from __future__ import annotations

import json
import sys


def main() -> int:
    sys.path.insert(0, ".")
    import numpy as np

    from .cases import CASES
    from . import refimpl

    current = None
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg["cmd"] == "info":
                out = {"version": refimpl.available(msg["framework"])}
            elif msg["cmd"] == "prepare":
                data = np.load(msg["npz"])
                n = len([k for k in data.files if k.startswith("W")])
                weights = [(data[f"W{k}"], data[f"b{k}"]) for k in range(n)]
                current = refimpl.prepare(msg["framework"], CASES[msg["case"]], weights,
                                          data["X"], data["Y"], msg["dtype"], msg["threads"])
                out = {"ok": True}
            elif msg["cmd"] == "run":
                out = {"seconds": current.run(int(msg["epochs"]))}
            else:
                out = {"error": f"unknown command {msg['cmd']!r}"}
        except Exception as e:  # reported to the parent, which skips the row
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
