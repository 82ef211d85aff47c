"""Runs the sections and prints one table: what was measured, the ratio or
median, the target and whether it is met."""
from __future__ import annotations

import json
import platform
import sys
import time

from .stats import fmt_time


class Table:
    def __init__(self):
        self.rows: list[tuple] = []  # (section, what, measured, target, verdict)
        self.raw: dict = {}

    def section(self, title: str) -> None:
        self.rows.append((title,))

    def add(self, what: str, measured: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        self.rows.append(("", what, measured, target, verdict))

    def print(self, out=sys.stdout) -> None:
        body = [r for r in self.rows if len(r) > 1]
        w = [max((len(r[i]) for r in body), default=0) for i in range(1, 5)]
        for r in self.rows:
            if len(r) == 1:
                print(f"\n{r[0]}", file=out)
                continue
            _, what, measured, target, verdict = r
            print(f"  {what:<{w[0]}}  {measured:<{w[1]}}  {target:<{w[2]}}  {verdict}".rstrip(),
                  file=out)


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS: (threadpoolctl not installed)"
    import numpy  # noqa: F401  (loads the BLAS)
    parts = []
    for i in threadpool_info():
        if i.get("user_api") == "blas":
            parts.append(f"{i.get('internal_api')} {i.get('version')} "
                         f"kernel {i.get('architecture')} threads {i.get('num_threads')}")
    return "BLAS: " + ("; ".join(parts) or "unknown")


def run_all(args) -> int:
    import os
    import numpy as np
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    quick = args.quick
    table = Table()
    t_start = time.perf_counter()
    header = [f"nnsim benchmarks  {time.strftime('%Y-%m-%d %H:%M')}  "
              f"Python {platform.python_version()}  NumPy {np.__version__}  "
              f"threads {args.threads}  {'(quick)' if quick else ''}".rstrip(),
              blas_info(),
              f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}  "
              f"cores {os.cpu_count()}"]
    notes: list[str] = []

    if "train" in args.sections or "micro" in args.sections:
        from . import core_bench
        from .cases import CASES
        if "train" in args.sections:
            fws = core_bench.Frameworks(["torch", "sklearn"], args.torch_python)
            notes += fws.notes
            for fw in fws.names:
                header.append(f"{'PyTorch' if fw == 'torch' else 'scikit-learn'} "
                              f"{fws.version(fw)}")
            table.section("Epoch-mode training: their time per epoch / nnsim's "
                          "(> 1 means nnsim is faster); medians of paired repeats")
            repeats = args.repeats or (3 if quick else 7)
            target_s = 0.08 if quick else 0.25
            plan = [("2-4-4-1", "float64", 4.0), ("2-8x6-2", "float64", 4.0),
                    ("784-128-64-10", "float64", 1.0), ("784-128-64-10", "float32", 1.0)]
            results = []
            try:
                for name, dtype, need in plan:
                    try:
                        r = core_bench.bench_training(
                            CASES[name], dtype, fws, args.threads,
                            max(3, repeats - 2) if name.startswith("784") else repeats,
                            target_s, log)
                    except Exception as e:  # one failed row does not end the run
                        table.add(f"{name} {dtype}", f"failed: {type(e).__name__}: {e}"[:70])
                        continue
                    results.append(r)
                    spe = r["seconds_per_epoch"]["nnsim"]
                    label = f"{name} {dtype}"
                    table.add(f"{label}: nnsim", f"{fmt_time(spe)} per epoch")
                    for fw in ("torch", "sklearn"):
                        nice = "PyTorch" if fw == "torch" else "scikit-learn"
                        if fw in r["ratio"]:
                            ratio = r["ratio"][fw]
                            if fw == "torch":
                                table.add(f"{label}: vs {nice}", f"{ratio:.2f}x",
                                          f">= {need:g}x", ratio >= need)
                            else:
                                table.add(f"{label}: vs {nice}", f"{ratio:.2f}x")
                        elif fw in r["skipped"]:
                            table.add(f"{label}: vs {nice}", "skipped", r["skipped"][fw][:60])
            finally:
                fws.close()
            table.raw["train"] = results
            notes.append("PyTorch does nnsim's epoch: randperm shuffle, per batch zero_grad/"
                         "forward/loss/backward/SGD step/loss.item(), then loss and accuracy on "
                         "the whole training set; same init, batch, dtype and threads.")
            notes.append("scikit-learn: MLPClassifier(solver='sgd', momentum=0, alpha=0) "
                         "fit for the same epochs (its own init; no whole-set evaluation per "
                         "epoch); for 2-8x6-2 it has two logistic outputs, not a softmax.")
        if "micro" in args.sections:
            table.section("Teaching micro-step cycle (one sample, a read-only snapshot "
                          "after each micro-step)")
            res = []
            for name, limit in (("2-4-4-1", 100e-6), ("2-8x6-2", None)):
                r = core_bench.bench_micro_cycle(CASES[name], args.repeats or (5 if quick else 9))
                res.append(r)
                table.add(f"{name}: {r['micro_steps']} micro-steps", fmt_time(r["cycle_s"]),
                          f"< {fmt_time(limit)}" if limit else "",
                          r["cycle_s"] < limit if limit else None)
                table.add(f"{name}: cycle / Step Sample (no snapshots)",
                          f"{r['ratio_to_sample']:.2f}x")
            table.raw["micro"] = res

    if "landscape" in args.sections:
        from .landscape_bench import bench_landscape
        table.section("Loss landscape: vectorised (core/landscape.py) vs a naive loop "
                      "(set the parameter, network.loss_value), the same numbers")
        res = bench_landscape(args.repeats or (3 if quick else 7), quick)
        for r in res:
            limit = r["target_s"]
            table.add(f"{r['case']}: {r['what']}", fmt_time(r["vectorised_s"]),
                      f"< {fmt_time(limit)}" if limit else "",
                      r["vectorised_s"] < limit if limit else None)
            table.add(f"{r['case']}: {r['what']}, naive / vectorised",
                      f"{r['ratio']:.1f}x ({fmt_time(r['naive_s'])})")
        table.raw["landscape"] = res

    if "penalty" in args.sections:
        from .penalty_bench import bench_penalty
        table.section("L1/L2 regularisation in the epoch engine: an epoch with a penalty "
                      "(rate 0.001) / the same epoch without, interleaved")
        res = bench_penalty(args.repeats or (3 if quick else 7), quick)
        for r in res:
            table.add(f"{r['case']}: L2 / none", f"{r['l2_ratio']:.2f}x "
                      f"({fmt_time(r['none_s'])} an epoch without)", "< 1.15x",
                      r["l2_ratio"] < 1.15)
            table.add(f"{r['case']}: L1 / none", f"{r['l1_ratio']:.2f}x", "< 1.15x",
                      r["l1_ratio"] < 1.15)
        table.raw["penalty"] = res

    if "heat" in args.sections:
        from .heat_maps_bench import bench_heat_maps
        r = bench_heat_maps(2.0 if quick else 5.0, args.repeats or (5 if quick else 15), log)
        table.raw["heat"] = r
        table.section(f"Heat maps in the neurons, run mode on {r['example']} "
                      "(the window vs the CLI's loop on the same file)")
        table.add("maps on: GUI / CLI epochs per second",
                  f"{r['on_ratio']:.2f} ({r['on_rate']:.0f} vs {r['cli_rate']:.0f}/s)",
                  ">= 0.80", r["on_ratio"] >= 0.8)
        table.add("maps off: GUI / CLI epochs per second",
                  f"{r['off_ratio']:.2f} ({r['off_rate']:.0f}/s)")
        table.add("maps on / maps off", f"{r['on_rate'] / r['off_rate']:.2f}")
        table.add("maps redrawn while running", f"{r['heat_maps_per_s']:.1f} per s",
                  ">= 10", r["heat_maps_per_s"] >= 10)
        table.add("one redraw of every map (forward pass, colours, images)",
                  fmt_time(r["update_s"]))
        table.add("maps on: canvas repaints, input wait p95",
                  f"{r['paints_per_s']:.0f} per s, {fmt_time(r['wait_p95_s'])}")
        table.add("per run-mode tick: heat maps / canvas labels and pens / all measured",
                  f"{fmt_time(r['tick_heat_maps_s'])} / {fmt_time(r['tick_canvas_labels_s'])}"
                  f" / {fmt_time(r['tick_total_s'])}")
        notes.append("Heat maps: redrawn at most every 50 ms, inside a relabel, so never more "
                     "often than the canvas's frames; their rate is bounded by the canvas's.")

    if "scale" in args.sections:
        from . import scale_bench
        scale_bench.run_section(args, table, notes, log)

    if any(s in args.sections for s in ("canvas", "plot", "run", "start")):
        from . import gui_bench
        gui_bench.run_sections(args, table, notes, log)

    print("\n".join(header))
    table.print()
    if notes:
        print("\nNotes:")
        for n in notes:
            print(f"  - {n}")
    print(f"\n(total {time.perf_counter() - t_start:.0f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"header": header, "rows": table.rows, "raw": table.raw}, f, indent=1,
                      default=str)
    return 0
