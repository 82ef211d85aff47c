"""Saving and opening long histories and big data sets: size and time.

``python -m bench.file_bench [--epochs N] [--rows N]`` measures, with the
``nnsim`` on ``sys.path`` (run it from an older checkout, or with
PYTHONPATH pointing at one, for the figures before a change):

- the lecture network with an N-epoch history (a falling loss with noise,
  accuracies in steps, test values, as run mode records them): file size,
  the time to produce the text (``dumps``), to save (``save_project``:
  checks, text, atomic write) and to open (``load_project``);
- a CSV import at the documented limit (1,000,000 rows x 10 columns): the
  same figures.

Each figure is the median of a few runs; the machine's load shows in them,
so compare ratios measured in one sitting.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def _history(n: int):
    from nnsim.core.history_log import EpochLog
    rng = np.random.default_rng(0)
    k = np.arange(1, n + 1, dtype=float)
    c = np.zeros((n, EpochLog.NCOLS))
    c[:, 0] = k
    c[:, 1] = 0.25 / (1 + k / 1000) * (1 + 1e-3 * rng.normal(size=n))
    c[:, 2] = c[:, 1] * (1 + 1e-2 * rng.normal(size=n))
    c[:, 3] = np.minimum(1.0, np.floor(4 * k / min(n, 5000)) / 4)
    c[:, 4] = c[:, 3]
    log = EpochLog()
    log.extend_columns(c)
    return log


def _timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _measure(name: str, project, repeats: int) -> dict:
    from nnsim.io import dumps, load_project, save_project
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.nnsim"
        out = {"case": name,
               "dumps_s": _timed(lambda: dumps(project), repeats),
               "save_s": _timed(lambda: save_project(project, path), repeats)}
        out["bytes"] = path.stat().st_size
        try:
            out["open_s"] = _timed(lambda: load_project(path), repeats)
        except ValueError as e:  # a version that writes files it cannot open
            out["open_s"] = f"refused: {' '.join(str(e).split())[:90]}"
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.file_bench")
    p.add_argument("--epochs", type=int, default=1_000_000)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    import nnsim
    from nnsim.core.project import History, ImportedData, Project
    from nnsim.io import FORMAT_VERSION, load_project
    print(f"nnsim from {Path(nnsim.__file__).parent}, format version {FORMAT_VERSION}")
    lecture = load_project(ROOT / "resources" / "examples" / "lecture-xor.nnsim")
    rows = []
    if args.epochs:
        lecture.history = History(_history(args.epochs))
        rows.append(_measure(f"lecture-xor, {args.epochs:,} epochs", lecture, args.repeats))
    if args.rows:
        rng = np.random.default_rng(1)
        X = rng.normal(size=(args.rows, 9))
        Y = (X[:, :1] > 0).astype(float)
        data = ImportedData(X, Y, np.zeros((0, 9)), np.zeros((0, 1)),
                            [f"c{i}" for i in range(9)], ["y"], "binary", "big.csv")
        from nnsim.core.network import Network
        net = Network.build(9, [1], ["sigmoid"], loss="bce", rng=rng)
        rows.append(_measure(f"CSV {args.rows:,} rows x 10 columns", Project(net, data=data),
                             max(1, args.repeats - 2)))
    for r in rows:
        open_s = r["open_s"] if isinstance(r["open_s"], str) else f"{r['open_s']:.2f} s"
        print(f"{r['case']:<36} {r['bytes'] / 1e6:8.1f} MB  dumps {r['dumps_s']:.2f} s  "
              f"save {r['save_s']:.2f} s  open {open_s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
