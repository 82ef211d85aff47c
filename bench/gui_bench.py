"""Window benchmarks (offscreen Qt): canvas relabel and render, loss plot
appends, run mode against the CLI, start-up times."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .stats import fmt_time, median, time_call

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1600, 1000)

# networks by number of connections (inputs, hidden..., outputs)
CANVAS_NETS = (("lecture 2-2-1", None), ("100 edges", (4, 10, 6)),
               ("1,000 edges", (10, 40, 15)), ("10,000 edges", (50, 100, 50)))


# -- helpers ----------------------------------------------------------------------
def _app():
    from PySide6.QtWidgets import QApplication
    return QApplication.instance() or QApplication([sys.argv[0], "-platform", "offscreen"])


def _project(sizes, n=60, seed=0, batch=1, lr=0.1):
    from nnsim.core.network import Network
    from nnsim.core.project import ImportedData, Project
    from nnsim.core.training import TrainingConfig
    rng = np.random.default_rng(seed)
    net = Network.build(sizes[0], list(sizes[1:]), ["tanh"] * (len(sizes) - 2) + ["sigmoid"],
                        loss="mse", rng=rng)
    X = rng.uniform(-1, 1, (n, sizes[0]))
    Y = (rng.uniform(0, 1, (n, sizes[-1])) > 0.5).astype(float)
    data = ImportedData(X, Y, X[:0], Y[:0], [f"x{i + 1}" for i in range(sizes[0])],
                        [f"y{j + 1}" for j in range(sizes[-1])], "regression")
    return Project(net, TrainingConfig(learning_rate=lr, batch_size=batch), data)


class _Window:
    """A MainWindow at 1600x1000 with throwaway preferences and recovery folder."""

    def __init__(self, document):
        from nnsim.document.recovery import RecoveryStore
        from nnsim.qt.main_window import MainWindow
        from nnsim.qt.preferences import Preferences
        self.tmp = tempfile.TemporaryDirectory()
        self.app = _app()
        self.w = MainWindow(document, Preferences(Path(self.tmp.name) / "prefs.ini"),
                            RecoveryStore(Path(self.tmp.name) / "recovery"))
        self.w.resize(*SIZE)
        self.w.show()
        self.settle()
        self.w.view.fit_to_window()
        self.settle()

    def settle(self, ms: int = 0) -> None:
        end = time.perf_counter() + ms / 1000
        self.app.processEvents()
        while time.perf_counter() < end:
            self.app.processEvents()
            time.sleep(0.002)

    def close(self) -> None:
        w = self.w
        w.runner.pause() if getattr(w, "runner", None) else None
        w.autosaver.stop()
        w.document.undo_stack.setClean()
        w.hide()
        w.deleteLater()
        from PySide6.QtCore import QEvent
        self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        self.app.processEvents()
        self.tmp.cleanup()


# -- canvas ----------------------------------------------------------------------------
def _clicks(win, n: int, name: str) -> dict:
    """``n`` Next Step clicks at a human pace, then full redraws."""
    w, app = win.w, win.app
    apply, repaint, canvas, window = [], [], [], []
    for _ in range(n):
        win.settle(120)  # a human pace: the last click's throttled redraws are done
        t0 = time.perf_counter()
        w.act_next.trigger()  # the click: the document steps, every view updates
        t1 = time.perf_counter()
        app.processEvents()  # the repaint it asked for (every dirty widget, one pass)
        t2 = time.perf_counter()
        apply.append(t1 - t0)
        repaint.append(t2 - t1)
    for _ in range(max(3, n // 2)):
        win.settle(20)
        t2 = time.perf_counter()
        w.view.viewport().grab()  # a full redraw of the canvas
        t3 = time.perf_counter()
        w.grab()  # the whole window
        t4 = time.perf_counter()
        canvas.append(t3 - t2)
        window.append(t4 - t3)
    click = [a + r for a, r in zip(apply, repaint)]
    scene = w.scene
    shown = sum(1 for g in scene.edges[1:] for r in g for e in r if e.label.isVisible())
    return {"name": name, "apply_s": median(apply), "apply_max_s": max(apply),
            "click_s": median(click), "click_max_s": max(click),
            "canvas_render_s": median(canvas), "window_render_s": median(window),
            "zoom": w.view.zoom, "labels_shown": shown}


def bench_canvas(repeats: int, log) -> list[dict]:
    from nnsim.document import Document
    from nnsim.examples import DEFAULT_EXAMPLE, example_path
    out = []
    for name, sizes in CANVAS_NETS:
        if sizes is None:
            doc = Document.from_example(example_path(DEFAULT_EXAMPLE))
        else:
            doc = Document(_project(sizes))
        edges = sum(a * b for a, b in zip(doc.network.sizes, doc.network.sizes[1:]))
        win = _Window(doc)
        plan = len(doc.plan)  # whole passes: every kind of step counts
        n = plan * max(1, (repeats if edges < 5000 else max(3, repeats // 3)) // plan)
        log(f"  canvas {name}: {n} clicks")
        for _ in range(plan + 1):  # warm up: one whole pass
            win.w.act_next.trigger()
            win.app.processEvents()
        r = _clicks(win, n, name)
        r["edges"] = edges
        out.append(r)
        if edges >= 1000:  # zoomed in to 100 %: the labels in view are readable
            win.w.view.set_zoom(1.0)
            win.settle(200)
            r = _clicks(win, n, f"{name} at 100% zoom")
            r["edges"] = edges
            out.append(r)
        win.close()
    return out


# -- loss plot ---------------------------------------------------------------------------
def bench_plot(repeats: int, log) -> list[dict]:
    from nnsim.document import Change, Document
    from nnsim.qt.loss_plot import LossPlotWidget
    app = _app()
    out = []
    for n in (10_000, 100_000, 1_000_000):
        doc = Document()
        st = doc._stepper
        rng = np.random.default_rng(0)
        y = np.exp(-np.arange(n) / (n / 5)) + 0.05 * rng.random(n)
        st.step_losses.extend(zip(range(1, n + 1), y.tolist()))
        st.updates = n
        plot = LossPlotWidget(doc)
        plot.resize(800, 400)
        plot.show()
        plot.per_update_box.setChecked(True)
        app.processEvents()
        plot.refresh_now()
        plot.plot_widget.grab()
        times, draws = [], []
        k = n
        for _ in range(repeats):
            k += 1
            t0 = time.perf_counter()
            st.step_losses.append((k, 0.05))  # one more update
            st.updates = k
            doc.changed.emit(Change(history=True))
            plot.refresh_now()  # what the throttle timer runs (at most ~30 Hz)
            t1 = time.perf_counter()
            plot.plot_widget.grab()  # and the repaint that follows
            t2 = time.perf_counter()
            times.append(t1 - t0)
            draws.append(t2 - t1)
        total = [a + b for a, b in zip(times, draws)]
        out.append({"points": n, "append_s": median(times), "paint_s": median(draws),
                    "total_s": median(total)})
        log(f"  loss plot {n:,} points: {fmt_time(median(total))}")
        plot.hide()
        plot.deleteLater()
        app.processEvents()
    return out


# -- run mode ----------------------------------------------------------------------------
RUN_CASES = (("2-4-4-1 full batch", (2, 4, 4, 1), 200, 200),
             ("2-8x6-2 batch 10", (2, 8, 8, 8, 8, 8, 8, 1), 500, 10))
# example files as shipped (tiny epochs: the most frames per epoch trained)
RUN_EXAMPLES = ("plane-regression", "spiral-deep")


def _cli_rate(path: Path, seconds: float) -> float:
    """Epochs per second of the CLI's training loop on ``path`` (in process,
    as `nnsim train` runs it, without the final save)."""
    from nnsim.io import load_project
    project = load_project(path)
    stepper = project.make_stepper()
    stepper.step_epochs(2)
    done, t0 = 0, time.perf_counter()
    deadline = t0 + seconds
    while time.perf_counter() < deadline:
        done += len(stepper.step_epochs(20, on_epoch=lambda r: False))
    return done / (time.perf_counter() - t0)


class Breakdown:
    """Exclusive time spent in chosen methods (patched on their classes for
    the measurement only, restored afterwards)."""

    def __init__(self):
        self.totals: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[list] = []
        self._patched: list[tuple] = []

    def wrap(self, cls, name: str, label: str) -> None:
        orig = cls.__dict__.get(name)
        func = getattr(cls, name)
        bd = self

        def timed(*args, **kwargs):
            now = time.perf_counter()
            if bd._stack:
                top = bd._stack[-1]
                bd.totals[top[0]] = bd.totals.get(top[0], 0.0) + now - top[1]
            bd._stack.append([label, now])
            try:
                return func(*args, **kwargs)
            finally:
                end = time.perf_counter()
                lab, start = bd._stack.pop()
                bd.totals[lab] = bd.totals.get(lab, 0.0) + end - start
                bd.calls[lab] = bd.calls.get(lab, 0) + 1
                if bd._stack:
                    bd._stack[-1][1] = end

        setattr(cls, name, timed)
        self._patched.append((cls, name, orig))

    def restore(self) -> None:
        for cls, name, orig in reversed(self._patched):
            if orig is None:
                delattr(cls, name)
            else:
                setattr(cls, name, orig)
        self._patched.clear()


def _instrument() -> Breakdown:
    from nnsim.core.stepper import Stepper
    from nnsim.document import Document
    from nnsim.document import Runner
    from nnsim.qt.canvas.scene import NetworkScene
    bd = Breakdown()
    bd.wrap(Runner, "_tick", "runner")  # training in the window's process
    bd.wrap(Runner, "_process_tick", "runner")  # taking progress from the training process
    bd.wrap(Document, "step_epochs", "document: undo record, signals")
    bd.wrap(Document, "adopt_training", "document: adopt a frame, undo record, signals")
    bd.wrap(Stepper, "step_epochs", "training (core)")
    bd.wrap(NetworkScene, "relabel", "canvas: labels and pens")
    bd.wrap(NetworkScene, "_place_labels", "canvas: labels and pens")
    from nnsim.qt.canvas.heat_maps import HeatMaps
    bd.wrap(HeatMaps, "refresh_now", "canvas: heat maps")
    for mod, cls, meth, label in (
            ("nnsim.qt.loss_plot", "LossPlotWidget", "refresh_now", "loss plot: update"),
            ("nnsim.qt.decision_map", "DecisionMapWidget", "refresh_now", "decision map: update"),
            ("nnsim.qt.inspector", "InspectorPanel", "refresh", "inspector"),
            ("nnsim.qt.training_panel", "TrainingPanel", "refresh", "training panel"),
            ("nnsim.document.diagnosis_watch", "DiagnosisWatch", "refresh",
             "run panel: diagnosis"),
            ("nnsim.qt.main_window", "MainWindow", "_refresh_controls", "main window controls"),
            ("nnsim.qt.main_window", "MainWindow", "_refresh_step_actions",
             "main window controls")):
        try:
            import importlib
            bd.wrap(getattr(importlib.import_module(mod), cls), meth, label)
        except (ImportError, AttributeError):
            pass
    return bd


def _gui_rate(path: Path, seconds: float, breakdown: bool = False,
              use_process: bool = True, heat_maps: bool | None = None) -> dict:
    """Run mode in the window on the same file: epochs per second, canvas
    repaints per second, heat-map updates per second, and how long a posted
    event (input) waits. ``use_process`` False: training in the window's own
    process. ``heat_maps``: on or off (None: the file's default)."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from nnsim.document import Document
    win = _Window(Document.open(path))
    w = win.w
    if heat_maps is not None:
        w.set_heat_maps(heat_maps)
    heat = w.scene.heat_maps
    heat_start = heat.render_count
    paints = [0]
    waits: list[float] = []

    class Counter(QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Type.Paint:
                paints[0] += 1
            return False

    counter = Counter()
    w.view.viewport().installEventFilter(counter)

    def probe():  # "input": a zero-delay timer is served once the loop is free
        t = time.perf_counter()
        QTimer.singleShot(0, lambda: waits.append(time.perf_counter() - t))

    probes = QTimer()
    probes.timeout.connect(probe)
    probes.start(97)
    runner = w.runner
    runner.set_speed(None)
    runner.use_process = use_process
    start_epochs = runner.trained_epochs
    bd = _instrument() if breakdown else None
    painters = []
    paint_counts: dict[str, int] = {}
    if bd is not None:  # count the paints of each graphics view, by its dock
        from PySide6.QtWidgets import QGraphicsView

        class PaintCounter(QObject):
            def __init__(self, label):
                super().__init__()
                self.label = label

            def eventFilter(self, obj, ev):
                if ev.type() == QEvent.Type.Paint:
                    paint_counts[self.label] = paint_counts.get(self.label, 0) + 1
                return False

        for v in w.findChildren(QGraphicsView):
            owner, dock = v, None
            while owner is not None and dock is None:
                if owner.objectName().endswith("_dock") or owner is w.view:
                    dock = owner
                owner = owner.parent()
            label = ("canvas" if dock is w.view
                     else (dock.objectName().removesuffix("_dock") if dock else "other"))
            f = PaintCounter(label)
            v.viewport().installEventFilter(f)
            painters.append((v, label, f))
    runner.play()
    t0 = time.perf_counter()
    try:
        win.settle(int(seconds * 1000))
        dt = time.perf_counter() - t0
        runner.pause()
        heat_renders = heat.render_count - heat_start
    finally:
        if bd is not None:
            bd.restore()
        for v, _label, f in painters:
            v.viewport().removeEventFilter(f)
    epochs = runner.trained_epochs - start_epochs
    failure = runner.process_failure
    probes.stop()
    win.settle(50)
    w.view.viewport().removeEventFilter(counter)
    parts = None
    if bd is not None:
        ticks = max(1, bd.calls.get("runner", 1))
        parts = {k: v / ticks for k, v in bd.totals.items()}
        # paints: how often each view painted, times what one full redraw costs
        cost: dict[str, list] = {}
        for v, label, _f in painters:
            if v.isVisible():
                cost.setdefault(label, []).append(
                    median(time_call(lambda: v.viewport().grab(), 3)))
        for label, n in paint_counts.items():
            if label in cost:
                parts[f"{label}: paint (estimated: {n / ticks:.2f} per tick)"] = \
                    n / ticks * sum(cost[label]) / len(cost[label])
        parts["other (event loop, other widgets, idle)"] = dt / ticks - sum(parts.values())
    win.close()
    if use_process and failure:
        raise RuntimeError(f"the training process failed: {failure}")
    return {"rate": epochs / dt, "paints_per_s": paints[0] / dt, "per_tick": parts,
            "heat_maps_per_s": heat_renders / dt,
            "wait_median_s": median(waits), "wait_max_s": max(waits) if waits else float("nan"),
            "wait_p95_s": float(np.percentile(waits, 95)) if waits else float("nan")}


def bench_run(seconds: float, log) -> list[dict]:
    from nnsim.examples import example_path
    from nnsim.io import load_project, save_project
    out = []
    cases = [(name, lambda sizes=sizes, n=n, batch=batch: _project(sizes, n=n, batch=batch,
                                                                   lr=0.2))
             for name, sizes, n, batch in RUN_CASES]
    cases += [(f"example {name}", lambda name=name: load_project(example_path(name)))
              for name in RUN_EXAMPLES]
    with tempfile.TemporaryDirectory() as d:
        for name, make_project in cases:
            project = make_project()
            project.training.epochs = 10**6
            path = Path(d) / "run.nnsim"
            save_project(project, path)
            log(f"  run mode {name}: GUI and CLI, {seconds:g} s each, twice")
            cli, gui = [], []
            for _ in range(2):  # interleaved
                cli.append(_cli_rate(path, seconds))
                gui.append(_gui_rate(path, seconds))
            parts = _gui_rate(path, seconds / 2, breakdown=True)["per_tick"]
            inline = _gui_rate(path, seconds, use_process=False)
            g = gui[int(np.argmax([x["rate"] for x in gui]))]
            out.append({"name": name, "cli_rate": median(cli),
                        "gui_rate": median([x["rate"] for x in gui]),
                        "ratio": median([x["rate"] for x in gui]) / median(cli),
                        "inline_ratio": inline["rate"] / median(cli),
                        "inline_paints_per_s": inline["paints_per_s"],
                        "paints_per_s": median([x["paints_per_s"] for x in gui]),
                        "wait_median_s": median([x["wait_median_s"] for x in gui]),
                        "wait_p95_s": max(x["wait_p95_s"] for x in gui),
                        "wait_max_s": max(x["wait_max_s"] for x in gui), "_best": g,
                        "per_tick": parts})
    return out


# -- start-up ----------------------------------------------------------------------------
_FIRST_PAINT = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([sys.argv[0]])
class First(QObject):
    done = False
    def eventFilter(self, obj, ev):
        if (not self.done and ev.type() == QEvent.Type.Paint
                and isinstance(getattr(obj, "window", lambda: None)(), QMainWindow)):
            self.done = True
            print("painted", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
f = First()
app.installEventFilter(f)
from nnsim.qt.app import main
main(sys.argv[1:])
"""

_TRACE_IMPORTS = r"""
import sys
from nnsim.__main__ import main
import io, contextlib
with contextlib.redirect_stdout(io.StringIO()):
    main(sys.argv[1:])
print("qt" if any(m.startswith(("PySide6", "pyqtgraph")) for m in sys.modules) else "no-qt")
"""


def _wall(cmd, env, until: str | None = None) -> float:
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                         text=True, cwd=ROOT)
    if until:
        for line in p.stdout:
            if line.strip() == until:
                dt = time.perf_counter() - t0
                break
        else:
            raise RuntimeError(f"{cmd[:3]} never printed {until!r}")
        p.stdout.read()
        p.wait(timeout=60)
        return dt
    p.communicate(timeout=60)
    if p.returncode:
        raise RuntimeError(f"{cmd} exited with {p.returncode}")
    return time.perf_counter() - t0


def bench_start(repeats: int, log) -> dict:
    from nnsim.examples import DEFAULT_EXAMPLE, example_path
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    py = sys.executable
    example = str(example_path(DEFAULT_EXAMPLE))
    with tempfile.TemporaryDirectory() as home:
        env["HOME"] = home  # no recovered files, no user preferences
        env["XDG_CONFIG_HOME"] = env["XDG_DATA_HOME"] = home
        bare, app, trace = [], [], []
        for _ in range(repeats):
            bare.append(_wall([py, "-c", "pass"], env))
            trace.append(_wall([py, "-m", "nnsim", "trace", example, "--sample", "0"], env))
            app.append(_wall([py, "-c", _FIRST_PAINT, example], env, until="painted"))
        check = subprocess.run([py, "-c", _TRACE_IMPORTS, "trace", example, "--sample", "0"],
                               capture_output=True, text=True, env=env, cwd=ROOT)
    log(f"  start-up: app {fmt_time(median(app))}, trace {fmt_time(median(trace))}")
    return {"python_s": median(bare), "app_first_paint_s": median(app),
            "trace_s": median(trace), "trace_imports_qt": check.stdout.strip() != "no-qt"}


# -- into the table -------------------------------------------------------------------------
def run_sections(args, table, notes, log) -> None:
    quick = args.quick
    if "canvas" in args.sections:
        res = bench_canvas(args.repeats or (7 if quick else 15), log)
        table.raw["canvas"] = res
        table.section("Canvas at 1600x1000 (offscreen), one Next Step click; the whole "
                      "network fitted, unless at 100% zoom")
        click_limits = {"lecture 2-2-1": 16e-3, "1,000 edges": 50e-3,
                        "1,000 edges at 100% zoom": 50e-3}
        render_limits = {"1,000 edges": 33e-3, "10,000 edges": 100e-3,
                         "1,000 edges at 100% zoom": 33e-3, "10,000 edges at 100% zoom": 100e-3}
        for r in res:
            lim = click_limits.get(r["name"])
            table.add(f"{r['name']}: click to repainted labels (median, worst)",
                      f"{fmt_time(r['click_s'])}, {fmt_time(r['click_max_s'])}",
                      f"< {fmt_time(lim)} (median)" if lim else "",
                      r["click_s"] < lim if lim else None)
            table.add(f"{r['name']}:   of which new labels and pens",
                      f"{fmt_time(r['apply_s'])}, {fmt_time(r['apply_max_s'])}")
            lim = render_limits.get(r["name"])
            table.add(f"{r['name']}: render the canvas", fmt_time(r["canvas_render_s"]),
                      f"< {fmt_time(lim)}" if lim else "", r["canvas_render_s"] < lim if lim else None)
            table.add(f"{r['name']}: render the whole window", fmt_time(r["window_render_s"]))
            table.add(f"{r['name']}: zoom, edge labels shown",
                      f"{r['zoom']:.0%}, {r['labels_shown']:,} of {r['edges']:,}")
    if "plot" in args.sections:
        res = bench_plot(args.repeats or (5 if quick else 11), log)
        table.raw["plot"] = res
        table.section("Loss plot (per update view, 800x400): append one point, redraw, repaint")
        for r in res:
            table.add(f"{r['points']:,} points", fmt_time(r["total_s"]), "< 33 ms (smooth)",
                      r["total_s"] < 33e-3)
    if "run" in args.sections:
        res = bench_run(2.0 if quick else 5.0, log)
        table.raw["run"] = [{k: v for k, v in r.items() if k != "_best"} for r in res]
        table.section("Run mode: the window training a file vs the CLI's loop on it")
        for r in res:
            table.add(f"{r['name']}: GUI / CLI epochs per second",
                      f"{r['ratio']:.2f} ({r['gui_rate']:.0f} vs {r['cli_rate']:.0f}/s)",
                      ">= 0.80", r["ratio"] >= 0.8)
            table.add(f"{r['name']}: canvas repaints", f"{r['paints_per_s']:.0f} per s",
                      "about 30", 20 <= r["paints_per_s"] <= 45)
            table.add(f"{r['name']}: input waits (median / p95 / max)",
                      f"{fmt_time(r['wait_median_s'])} / {fmt_time(r['wait_p95_s'])} / "
                      f"{fmt_time(r['wait_max_s'])}", "< 50 ms", r["wait_p95_s"] < 50e-3)
            table.add(f"{r['name']}:   trained in the window's process instead",
                      f"{r['inline_ratio']:.2f} of the CLI, "
                      f"{r['inline_paints_per_s']:.0f} repaints per s")
        for r in res:
            table.section(f"Run mode {r['name']}: where one tick's time goes (ms per tick)")
            for k, v in sorted(r["per_tick"].items(), key=lambda kv: -kv[1]):
                table.add(k, f"{v * 1e3:.2f} ms")
        notes.append("Run mode input wait: a zero-delay timer posted every ~100 ms while "
                     "training runs, measured until it fires (what a click waits for).")
        notes.append("Run mode trains in a separate process at full speed (the window takes "
                     "~30 frames a second from it); the CLI's loop is one process. The "
                     "'in the window's process' rows are the fallback without it.")
    if "start" in args.sections:
        r = bench_start(args.repeats or (3 if quick else 7), log)
        table.raw["start"] = r
        table.section("Start-up (wall clock from launching the process; medians)")
        table.add("python -c pass (the floor)", fmt_time(r["python_s"]))
        table.add("app start to first painted window", fmt_time(r["app_first_paint_s"]),
                  "< 1.5 s", r["app_first_paint_s"] < 1.5)
        table.add("nnsim trace (lecture example)", fmt_time(r["trace_s"]), "< 0.5 s",
                  r["trace_s"] < 0.5)
        table.add("nnsim trace imports Qt", "yes" if r["trace_imports_qt"] else "no", "no",
                  not r["trace_imports_qt"])
