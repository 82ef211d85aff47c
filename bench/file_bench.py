"""Saving and opening long histories and big data sets: size and time.

``python -m bench.file_bench [--epochs N] [--rows N]`` measures, with the
``nnsim`` on ``sys.path`` (run it from an older checkout, or with
PYTHONPATH pointing at one, for the figures before a change):

- the lecture network with an N-epoch history (a falling loss with noise,
  accuracies in steps, test values, as run mode records them): file size,
  the time to produce the text (``dumps``), to save (``save_project``:
  checks, text, atomic write) and to open (``load_project``);
- a CSV import at the documented limit (1,000,000 rows x 10 columns): the
  same figures;
- with ``--window``: the longest time the main window cannot answer (a 5 ms
  heartbeat timer in its thread) while it saves and autosaves the history.

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


def _window_stalls(epochs: int) -> dict:
    """Save and autosave a document of ``epochs`` epochs from the main window
    while a 5 ms heartbeat timer runs in the window's thread: the longest gap
    between beats is how long the window could not answer a click."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication
    from nnsim.core.project import History
    from nnsim.document import Document
    from nnsim.document.recovery import RecoveryStore
    from nnsim.io import load_project
    from nnsim.qt.main_window import MainWindow
    from nnsim.qt.preferences import Preferences
    app = QApplication.instance() or QApplication([])
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        project = load_project(ROOT / "resources" / "examples" / "lecture-xor.nnsim")
        project.history = History(_history(epochs))
        window = MainWindow(Document(project, None, name="long.nnsim"),
                            preferences=Preferences(Path(folder) / "prefs.ini"),
                            recovery=RecoveryStore(Path(folder) / "recovery"))
        window.show()
        window.document.set_weight(1, 0, 0, 0.5)
        window.ask_save_path = lambda *a, **k: str(Path(folder) / "long.nnsim")
        window.show_error = lambda *a: print("error:", *a)
        from PySide6.QtWidgets import QMessageBox
        window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
        idle_until = []
        for name, start, busy in (
                ("save", lambda: window.file_save_as(),
                 lambda: getattr(window, "saver", None) is not None and window.saver.busy),
                ("autosave", lambda: window.autosaver.save_now(),
                 lambda: getattr(window.autosaver, "_writer", None) is not None
                 and window.autosaver._writer.busy),
                # the machine's own noise: the same heartbeat for 2 s, nothing saved
                ("idle", lambda: idle_until.append(time.perf_counter() + 2.0),
                 lambda: time.perf_counter() < idle_until[0])):
            if name == "autosave":
                window.document.set_weight(1, 0, 0, 0.25)
            # let the window finish its own reaction to the edit (views redraw,
            # some after a delay): only the save is measured
            settle = time.perf_counter() + 3.0
            while time.perf_counter() < settle:
                app.processEvents()
            gaps, clock = [], QElapsedTimer()
            clock.start()
            last = [clock.elapsed()]

            def beat():
                now = clock.elapsed()
                gaps.append(now - last[0])
                last[0] = now
            timer = QTimer()
            timer.timeout.connect(beat)
            timer.start(5)
            t0 = time.perf_counter()
            start()
            # the window's own event loop, as a user has it, until the write is done
            loop = QEventLoop()
            check = QTimer()
            check.timeout.connect(lambda: None if busy() else loop.quit())
            check.start(20)
            loop.exec()
            check.stop()
            beat()
            timer.stop()
            out[name] = {"total_s": time.perf_counter() - t0, "max_gap_ms": max(gaps),
                         "p95_gap_ms": sorted(gaps)[int(0.95 * (len(gaps) - 1))]}
        window.autosaver.stop()
        window.close()
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.file_bench")
    p.add_argument("--epochs", type=int, default=1_000_000)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--window", action="store_true",
                   help="also: how long the main window stalls while saving and autosaving")
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
    if args.window and args.epochs:
        for name, r in _window_stalls(args.epochs).items():
            print(f"window, {name:<8} {args.epochs:,} epochs: done in {r['total_s']:.2f} s, "
                  f"longest stall {r['max_gap_ms']:.0f} ms, p95 {r['p95_gap_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
