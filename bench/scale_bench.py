"""Run mode at scale, in the window (offscreen Qt): event-loop latency while
a big data set trains, the window's resident memory against the data's
float64 size, and the window's memory growth per trained epoch.

Each measurement runs in a fresh Python (``python -c``) so its resident
memory is its own; its working folder is ``NNSIM_BENCH_ROOT`` (default:
this checkout), so the same cases measure another checkout (``main``, say)
for a before/after figure.

- latency: a thread posts a timestamped event to the window's event loop
  every ``PROBE_S``; the loop's delay in serving each is what a click waits
  for. Measured while training and, as the same run's reference, while idle.
  A blocked loop leaves many probes waiting, each counted.
- memory: VmRSS of the window's process (the training process is another
  process), at rest and at its highest while training; the reference is the
  same window with a 60-row data set.
- growth per epoch: VmRSS after a warm-up and at the end of a long run on a
  small network, over the epochs trained in between. The history is 64 bytes
  an epoch of it (capped: run mode stops at MAX_HISTORY_EPOCHS).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BIG_ROWS = 960_000  # the case: 960,000 rows, batch 10 (~10 s an epoch)

_SCRIPT = r"""
import json, os, sys, threading, time
import numpy as np
sys.path.insert(0, os.getcwd())
sys.path.insert(1, BENCH_DIR)
from bench.gui_bench import _Window, _project
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from nnsim.document import Document

def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024

case = json.loads(CASE)
if case["kind"] == "example":
    from nnsim.examples import example_path
    doc = Document.open(example_path(case["name"]))
else:
    project = _project(tuple(case["sizes"]), n=case["rows"], batch=case["batch"], lr=0.05)
    doc = Document(project)
doc.set_training(epochs=10**6)
data_bytes = sum(getattr(doc.dataset, k).nbytes for k in ("X_train", "Y_train", "X_test", "Y_test"))
win = _Window(doc)
if not case.get("autosave", False):  # measured on its own (autosave_s below)
    win.w.autosaver.stop()
    win.w.autosaver._timer.timeout.disconnect()
runner = win.w.runner
runner.set_speed(None)
PROBE = QEvent.Type(QEvent.registerEventType())
waits, peak = [], [0]

class Probe(QEvent):
    def __init__(self, t):
        super().__init__(PROBE)
        self.t = t

class Sink(QObject):
    def event(self, ev):
        if ev.type() == PROBE:
            waits.append(time.perf_counter() - ev.t)
            return True
        return super().event(ev)

sink = Sink()
stop = threading.Event()

def post():
    while not stop.wait(case["probe_s"]):
        QCoreApplication.postEvent(sink, Probe(time.perf_counter()))
        peak[0] = max(peak[0], rss())

def measure(seconds):
    waits.clear()
    stop.clear()
    th = threading.Thread(target=post, daemon=True)
    th.start()
    cpu0, t0 = time.process_time(), time.perf_counter()
    win.settle(int(seconds * 1000))
    stop.set()
    th.join()
    win.settle(50)
    w = np.array(waits) if waits else np.array([np.nan])
    return {"p50_s": float(np.percentile(w, 50)), "p95_s": float(np.percentile(w, 95)),
            "max_s": float(w.max()), "probes": len(waits),
            "cpu": (time.process_time() - cpu0) / (time.perf_counter() - t0)}

out = {"data_bytes": data_bytes, "rss_rest": rss()}
if case.get("autosave_once"):  # the recovery copy, written as the window writes it
    saved = threading.Event()

    def watch_rss():
        while not saved.wait(0.01):
            peak[0] = max(peak[0], rss())

    threading.Thread(target=watch_rss, daemon=True).start()
    t0 = time.perf_counter()
    win.w.autosaver.store.save(doc)
    out["autosave_s"] = time.perf_counter() - t0
    saved.set()
    out["autosave_rss_peak"] = max(peak[0], rss())
    win.close()
    print("RESULT " + json.dumps(out))
    sys.exit(0)
if case.get("idle"):
    out["idle"] = measure(case["idle"])
epochs0 = runner.trained_epochs
runner.play()
if case.get("warmup"):
    win.settle(int(case["warmup"] * 1000))
out["rss_start"], epochs1 = rss(), runner.trained_epochs
out["train"] = measure(case["seconds"])
# Pause as a user clicks it: posted to the loop, timed until the run has stopped
paused = []
t_click = time.perf_counter()
QTimer.singleShot(0, lambda: (runner.pause(), paused.append(time.perf_counter() - t_click)))
win.settle(0)
while not paused:
    win.settle(1)
out["pause_s"] = paused[0]
out["rss_end"], out["rss_peak"] = rss(), max(peak[0], rss())
try:  # what the window holds, without the freed memory glibc keeps for reuse
    import ctypes, gc
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    out["rss_held"] = rss()
except (OSError, AttributeError):
    out["rss_held"] = None
out["epochs"] = runner.trained_epochs - epochs0
out["epochs_measured"] = runner.trained_epochs - epochs1
out["fraction"] = getattr(doc, "epoch_fraction", None)
out["failure"] = runner.process_failure
win.close()
print("RESULT " + json.dumps(out))
"""


def _run(case: dict, root: Path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    script = (_SCRIPT.replace("BENCH_DIR", repr(str(ROOT)))
              .replace("CASE", repr(json.dumps(case))))
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"scale case failed: {proc.stderr.strip().splitlines()[-3:]}")


def bench_scale(quick: bool, log, root: Path | None = None) -> dict:
    root = Path(os.environ.get("NNSIM_BENCH_ROOT", root or ROOT))
    seconds = 6.0 if quick else 15.0
    probe_s = 0.02
    log(f"  scale: {BIG_ROWS:,} rows at batch 10 in the window ({seconds:g} s), from {root}")
    big = _run({"kind": "data", "sizes": [2, 4, 1], "rows": BIG_ROWS, "batch": 10,
                "seconds": seconds, "idle": 2.0, "probe_s": probe_s}, root)
    log("  scale: the same window with 60 rows (the reference)")
    small = _run({"kind": "data", "sizes": [2, 4, 1], "rows": 60, "batch": 10,
                  "seconds": 2.0, "probe_s": probe_s}, root)
    log("  scale: the recovery copy of the big document (autosave)")
    save = _run({"kind": "data", "sizes": [2, 4, 1], "rows": BIG_ROWS, "batch": 10,
                 "autosave_once": True, "seconds": 0, "probe_s": probe_s}, root)
    grow_s = 10.0 if quick else 30.0
    log(f"  scale: memory per trained epoch, lecture-xor for {grow_s:g} s")
    grow = _run({"kind": "example", "name": "lecture-xor", "seconds": grow_s, "warmup": 3.0,
                 "probe_s": 0.1}, root)
    return {"root": str(root), "big": big, "small": small, "grow": grow, "save": save,
            "bytes_per_epoch": (grow["rss_end"] - grow["rss_start"])
            / max(1, grow["epochs_measured"])}


def run_section(args, table, notes, log) -> None:
    from .stats import fmt_time
    r = bench_scale(args.quick, log)
    table.raw["scale"] = r
    big, small, grow = r["big"], r["small"], r["grow"]
    mb = lambda b: f"{b / 2**20:,.0f} MB"  # noqa: E731
    table.section(f"Run mode at scale: {BIG_ROWS:,} rows x 2 inputs, batch 10, 2-4-1, "
                  f"in the window (nnsim from {r['root']})")
    t, idle = big["train"], big["idle"]
    table.add("event loop wait while training (p50 / p95 / max)",
              f"{fmt_time(t['p50_s'])} / {fmt_time(t['p95_s'])} / {fmt_time(t['max_s'])}",
              "p95 < 100 ms", t["p95_s"] < 0.1)
    table.add("  the same window idle (p50 / p95)",
              f"{fmt_time(idle['p50_s'])} / {fmt_time(idle['p95_s'])}")
    table.add("Pause, click to stopped", fmt_time(big["pause_s"]), "< 100 ms",
              big["pause_s"] < 0.1)
    table.add("window CPU while training (share of one core)", f"{t['cpu']:.0%}")
    extra = big["rss_peak"] - small["rss_peak"]
    table.add("window RSS: at rest / peak while training",
              f"{mb(big['rss_rest'])} / {mb(big['rss_peak'])}")
    table.add("  peak over the 60-row window's, vs the data's float64 size",
              f"{mb(extra)} vs {mb(big['data_bytes'])}", "<= data + 64 MB",
              extra <= big["data_bytes"] + 64 * 2**20)
    save = r["save"]
    table.add("autosave of this document (in the window's thread): time, RSS peak",
              f"{fmt_time(save['autosave_s'])}, {mb(save['autosave_rss_peak'])}",
              "not run mode's (h-files)")
    if big.get("rss_held") and small.get("rss_held"):
        held = big["rss_held"] - small["rss_held"]
        table.add("  held after a pause (malloc_trim), over the 60-row window's",
                  f"{mb(held)} vs {mb(big['data_bytes'])}", "<= data + 64 MB",
                  held <= big["data_bytes"] + 64 * 2**20)
    table.add("epochs trained (and part of the next)",
              f"{big['epochs']:,}" + (f" + {int(100 * big['fraction'])}%" if big.get("fraction") else ""))
    # the history itself is 64 bytes an epoch (what the file saves, capped at
    # MAX_HISTORY_EPOCHS); anything beyond it is the window's own growth
    table.add(f"window memory per trained epoch (lecture-xor, {grow['epochs_measured']:,} "
              f"epochs)", f"{r['bytes_per_epoch']:.1f} bytes",
              "<= 80 bytes (the history's 64 + 16)", r["bytes_per_epoch"] <= 80)
    notes.append("Scale: each case in its own Python (VmRSS of the window's process; the "
                 "training process is separate). Event-loop wait: a thread posts a timestamped "
                 "event every 20 ms; its wait until served is what a click waits for.")
