"""The command-line twin: `nnsim train`, `nnsim trace` and `nnsim explain`,
on core + io only (`nnsim export` and `nnsim import`: cli_export.py).

Errors (bad arguments, bad files) print one line ``nnsim: error: ...`` on
stderr and exit with status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from . import cli_export
from .core import edit
from .cli_values import EXAMPLES, ValueParser, learning_rate, penalty_rate, vector, whole
from .core.datasets import Dataset
from .core.limits import MAX_COUNT, MAX_HISTORY_EPOCHS, MAX_POINTS, MAX_SEED
from .core.naming import (ARROW_ASCII, edge_name_ascii, fmt_full, fmt_percent, fmt_setting,
                          fmt_worked, neuron_name, target_names)
from .core.project import History
from .core.run_mode import divergence
from .core.worked_solution import traced_step, worked_solution
from .io import FileFormatError, load_project, save_project, user_message
from .io.atomic import atomic_write_bytes
from .io.handout import FORMATS, render

EXIT_USAGE = 2
PROGRESS_EVERY_S = 1.0


class UsageError(Exception):
    """A problem with what the user asked for; shown as one line."""


class _Parser(ValueParser):
    def error(self, message: str):  # one line instead of usage + message
        raise UsageError(message)


def add_subcommand(sub, name: str, help: str) -> argparse.ArgumentParser:
    """A subcommand's parser with its --help examples (from EXAMPLES)."""
    return sub.add_parser(name, help=help, epilog=EXAMPLES.get(name),
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _add_penalty_options(parser) -> None:
    """--l1 RATE / --l2 RATE: regularisation (core/regularization.py); 0 turns it off."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--l1", type=penalty_rate, metavar="RATE",
                       help="L1 regularisation: add RATE*sum|w| to the loss (default: the file's)")
    group.add_argument("--l2", type=penalty_rate, metavar="RATE",
                       help="L2 regularisation: add RATE*sum(w^2)/2 to the loss "
                            "(default: the file's; 0 turns a penalty off)")


def _apply_penalty_options(args, cfg) -> None:
    for kind in ("l1", "l2"):
        rate = getattr(args, kind)
        if rate is not None:
            cfg.regularization, cfg.regularization_rate = (kind, rate) if rate else ("none", 0.0)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nnsim", description="nnsim command-line twin",
                     epilog=EXAMPLES["nnsim"],
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    epochs, seed = whole(1, MAX_COUNT), whole(0, MAX_SEED)
    sample = whole(0, MAX_POINTS - 1)

    train = add_subcommand(sub, "train", "train a network file with its settings and data")
    train.add_argument("file")
    train.add_argument("--epochs", type=epochs, help="epochs to run (default: the file's)")
    train.add_argument("--lr", type=learning_rate, help="learning rate (default: the file's)")
    train.add_argument("--batch-size", type=whole(1, MAX_COUNT), help="mini-batch size")
    train.add_argument("--seed", type=seed,
                       help="start afresh: re-initialise the weights and shuffle from this seed")
    train.add_argument("--out", help="where to write the trained network "
                                     "(default: FILE with .trained.nnsim)")
    train.add_argument("--dtype", choices=("float64", "float32"),
                       help="number type for training (float32: faster for large networks)")
    train.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_penalty_options(train)

    trace = add_subcommand(sub, "trace", "one sample's forward, backward and SGD update")
    trace.add_argument("file")
    src = trace.add_mutually_exclusive_group(required=True)
    src.add_argument("--input", type=vector, help="input values, e.g. -0.5,1")
    src.add_argument("--sample", type=sample, help="use training sample K of the file's data")
    trace.add_argument("--target", type=vector, help="target values (with --input), e.g. -1")
    trace.add_argument("--lr", type=learning_rate, help="learning rate (default: the file's)")
    trace.add_argument("--json", action="store_true", help="print one JSON object")
    _add_penalty_options(trace)

    explain = add_subcommand(sub, "explain", "a worked-solution handout of one training step")
    explain.add_argument("file")
    src = explain.add_mutually_exclusive_group()
    src.add_argument("--input", type=vector, help="input values, e.g. -0.5,1")
    src.add_argument("--sample", type=sample,
                     help="training sample K of the file's data (default 0)")
    explain.add_argument("--target", type=vector, help="target values (with --input), e.g. -1")
    explain.add_argument("--lr", type=learning_rate, help="learning rate (default: the file's)")
    explain.add_argument("--format", choices=FORMATS,
                         help="md (Markdown with LaTeX math), html or tex "
                              "(default: from --out's suffix, else md)")
    explain.add_argument("--out", help="write the handout to this file (default: print it)")
    _add_penalty_options(explain)
    cli_export.add_parsers(sub)  # export, import
    return parser


def main(argv: list[str]) -> int:
    args = None
    try:
        args = build_parser().parse_args(argv)
        if args.command == "train":
            return _train(args)
        if args.command == "explain":
            return _explain(args)
        if args.command == "export":
            return cli_export.run_export(args)
        if args.command == "import":
            return cli_export.run_import(args)
        return _trace(args)
    except (UsageError, FileFormatError, ValueError, OSError) as e:
        print(f"nnsim: error: {user_message(e)}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:  # loading, training or saving: one line, not a traceback
        what = {"train": "train and save", "trace": "trace", "explain": "explain"}.get(
            getattr(args, "command", None), "run")
        print(f"nnsim: error: not enough memory to {what} this network (a smaller file, "
              "network or data set needs less)", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("nnsim: interrupted", file=sys.stderr)
        return 130


# -- train -----------------------------------------------------------------

def _train(args) -> int:
    project = load_project(args.file)
    cfg = project.training
    if args.lr is not None:
        cfg.learning_rate = args.lr
    if args.batch_size is not None:
        cfg.batch_size = args.batch_size
    if args.epochs is not None:
        cfg.epochs = args.epochs
    if args.dtype is not None:
        cfg.dtype = args.dtype
    if args.seed is not None:
        cfg.seed = args.seed
        _reinitialise(project)
    _apply_penalty_options(args, cfg)
    cfg.validate()
    out = Path(args.out) if args.out else _trained_path(Path(args.file))
    # the file keeps at most MAX_HISTORY_EPOCHS: refuse now, not after training
    # (with a stop loss the run may end sooner: it trains up to the limit)
    trained = len(project.history.epochs)
    room = max(MAX_HISTORY_EPOCHS - trained, 0)
    if cfg.epochs > room and (cfg.stop_loss is None or room == 0):
        raise UsageError(f"argument --epochs: {args.file} has {trained:,} epochs of history "
                         f"and a file holds at most {MAX_HISTORY_EPOCHS:,}; train at most "
                         f"{room:,} more (or start afresh with --seed)")
    run_epochs = min(cfg.epochs, room)

    data = project.network_data()[0]  # feature inputs and standardisation applied
    if len(data.X_train) == 0:
        raise ValueError(f"{args.file}: data.points.inputs: the data has no training rows to "
                         f"train on; add some in the Data panel")
    stepper = project.make_stepper(data)
    started = last_report = time.monotonic()
    first = stepper.epoch

    def progress(result) -> None:
        nonlocal last_report
        now = time.monotonic()
        if not args.quiet and now - last_report >= PROGRESS_EVERY_S:
            done = result.epoch - first + 1
            print(f"epoch {done}/{cfg.epochs}  train loss {result.train_loss:.6g}"
                  f"  ({now - started:.0f} s)", file=sys.stderr, flush=True)
            last_report = now

    results = stepper.step_epochs(run_epochs, stop_loss=cfg.stop_loss, on_epoch=progress)
    if run_epochs < cfg.epochs and len(results) == run_epochs:
        print(f"stopped at {MAX_HISTORY_EPOCHS:,} epochs of history, the most a file holds",
              file=sys.stderr)
    project.history.epochs = stepper.epoch_results.snapshot()
    project.optimizer_state = stepper.optimizer.state()

    # a weight or the optimiser's averages may overflow while the loss stays
    # finite (1e300 in float32, squared gradients of 1e200 inputs): the file
    # could not be saved, so say so now, as a divergence
    overflowed = _overflowed(project)
    if results and not results[-1].finite:
        # where, and the real cause (inputs, weights or the learning rate), as the window says
        info = divergence.diagnose(stepper.network, cfg.learning_rate, cfg.optimizer,
                                   stepper.epoch_results, stepper.epoch, data.X_train)
        raise ValueError(f"{info.message} Nothing was written.")
    if results and overflowed:
        raise ValueError(
            f"training diverged at epoch {results[-1].epoch}: {overflowed} no longer a finite "
            f"{cfg.dtype} number although the loss still is; lower the learning rate or "
            "scale the inputs. Nothing was written.")
    save_project(project, out)
    last = results[-1] if results else None
    if last is None:
        print("no epochs were run")
        return 0
    print(f"epochs: {len(results)} (to epoch {last.epoch})")
    print(f"train loss: {last.train_loss:.6g}")
    if last.test_loss is not None:
        print(f"test loss: {last.test_loss:.6g}")
    if last.train_accuracy is not None:
        print(f"train accuracy: {fmt_percent(last.train_accuracy)}")
    if last.test_accuracy is not None:
        print(f"test accuracy: {fmt_percent(last.test_accuracy)}")
    print(f"written: {out}")
    return 0


def _overflowed(project) -> str | None:
    """What of the trained state is not finite (and so cannot be saved), or None."""
    if not project.network.all_finite():
        return "a weight or bias is"
    slots = (project.optimizer_state or {}).get("slots", [])
    if not all(np.isfinite(s).all() for kind in slots for s in kind):
        return "the optimiser's running averages are"
    return None


def _trained_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".nnsim") + ".trained.nnsim")


def _reinitialise(project) -> None:
    """The weights the new seed gives and no training yet, as the window's
    Reset Training does (the same core.edit.reinitialize)."""
    project.network = edit.reinitialize(project.network, project.training.initializer,
                                        np.random.default_rng(project.training.seed))
    project.history, project.optimizer_state = History(), None


# -- trace -----------------------------------------------------------------

def _sample_source(args, project) -> tuple[Dataset, int]:
    """The data set and row that --input/--target or --sample name, as the
    network sees them (feature inputs and standardisation of the file applied)."""
    net = project.network
    data, transform = project.network_data()
    if args.input is not None:
        if args.target is None:
            raise UsageError("--input needs --target (or use --sample K)")
        n_raw = net.n_inputs - len(transform.features)  # --input gives the data's columns
        if len(args.input) != n_raw:
            has = (f"the network has {n_raw} inputs" if n_raw == net.n_inputs else
                   f"the data has {n_raw} input columns (the network adds its feature inputs)")
            raise UsageError(f"--input has {len(args.input)} values, {has}")
        if len(args.target) != net.n_outputs:
            raise UsageError(f"--target has {len(args.target)} values, the network has "
                             f"{net.n_outputs} outputs")
        X, Y = transform.apply(np.array([args.input], dtype=float)), np.array([args.target])
        data = Dataset(X, Y, X[:0], Y[:0], "regression", "trace",
                       list(data.input_names), target_names("regression", Y.shape[1]))
        return data, 0
    if args.target is not None:
        raise UsageError("--target goes with --input, not with --sample")
    index = args.sample or 0
    if not 0 <= index < len(data.X_train):
        raise UsageError(f"--sample {index} does not exist: the training set has "
                         f"{len(data.X_train)} samples (0 to {len(data.X_train) - 1})")
    return data, index


def _traced(args) -> tuple:
    """The file's project and one traced SGD step on the chosen sample."""
    project = load_project(args.file)
    data, index = _sample_source(args, project)
    cfg = project.training
    if args.lr is not None:
        cfg.learning_rate = args.lr
    _apply_penalty_options(args, cfg)
    cfg.validate()
    before = project.network.copy()
    return project, before, traced_step(project.network, cfg, data, index)


def _trace(args) -> int:
    project, _, snap = _traced(args)
    if args.json:
        print(json.dumps(_trace_json(snap), allow_nan=False))
    else:
        _print_trace(snap, project)
    return 0


def _explain(args) -> int:
    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "md")
    fmt = {"markdown": "md", "htm": "html", "latex": "tex"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise UsageError(f"--out {args.out}: cannot tell the format from the suffix; "
                         f"use --format {'/'.join(FORMATS)}")
    project, before, snap = _traced(args)
    title = project.title or Path(args.file).stem
    text = render(worked_solution(before, snap, f"One training step of {title}"), fmt)
    if args.out:
        atomic_write_bytes(args.out, text.encode("utf-8"))
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _trace_json(snap) -> dict:
    layers = []
    for k in range(len(snap.z)):
        W, b = snap.weights_after[k]
        layers.append({
            "z": snap.z[k][0].tolist(), "a": snap.a[k + 1][0].tolist(),
            "delta": snap.delta[k][0].tolist(),
            "grad_weights": snap.dW[k].tolist(), "grad_bias": snap.db[k].tolist(),
            "new_weights": W.tolist(), "new_bias": b.tolist(),
        })
    return _finite_or_none_tree({"loss": snap.loss, "layers": layers})


def _finite_or_none_tree(obj):
    """JSON has no NaN: non-finite values become null."""
    if isinstance(obj, dict):
        return {k: _finite_or_none_tree(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite_or_none_tree(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    return obj


W = 15  # number column width: fmt_worked's nine significant digits and a sign


def _print_trace(snap, project) -> None:
    """The step as a plain-text table: names as on the canvas (x1, h1, out1),
    connections with an ASCII arrow (x1->h1) like the table's other symbols
    (delta=dL/dz), so it reads the same in any terminal and in a log file."""
    net = project.network
    sizes = net.sizes
    x, y = snap.X[0], snap.Y[0]
    # the name column fits the longest connection name (its ends the longest names)
    longest = [max(len(neuron_name(sizes, k, j)) for j in range(n)) for k, n in enumerate(sizes)]
    N = max(6, *(a + len(ARROW_ASCII) + b for a, b in zip(longest, longest[1:])))
    print(f"input  x = [{', '.join(fmt_setting(v) for v in x)}]   "
          f"target y = [{', '.join(fmt_setting(v) for v in y)}]   "
          f"learning rate {fmt_setting(snap.learning_rate)}"
          + (f"   {snap.penalty.title} penalty rate {fmt_setting(snap.penalty.rate)} "
             f"(dL/dw includes it)" if snap.penalty.active else ""))
    for k, layer in enumerate(net.layers):
        kind = "output layer" if k == len(net.layers) - 1 else "hidden layer"
        print(f"\nlayer {k + 1} ({kind}, {layer.units} neurons, {layer.activation})")
        neurons = [neuron_name(sizes, k + 1, j) for j in range(layer.units)]
        edges = [[edge_name_ascii(sizes, k + 1, i, j) for j in range(layer.units)]
                 for i in range(layer.n_in)]
        new_b = "new b (frozen)" if not layer.train_bias else "new b"
        print(f"  {'neuron':>{N}} {'z':>{W}} {'a':>{W}} {'delta=dL/dz':>{W}} "
              f"{'b':>{W}} {'dL/db':>{W}} {new_b:>{W}}")
        b_old, b_new = snap.weights_before[k][1], snap.weights_after[k][1]
        for j in range(layer.units):
            print(f"  {neurons[j]:>{N}} {fmt_worked(snap.z[k][0, j]):>{W}} "
                  f"{fmt_worked(snap.a[k + 1][0, j]):>{W}} "
                  f"{fmt_worked(snap.delta[k][0, j]):>{W}} {fmt_worked(b_old[j]):>{W}} "
                  f"{fmt_worked(snap.db[k][j]):>{W}} {fmt_worked(b_new[j]):>{W}}")
        W_old, W_new = snap.weights_before[k][0], snap.weights_after[k][0]
        print(f"  {'weight':>{N}} {'w':>{W}} {'dL/dw':>{W}} {'new w':>{W}}")
        for i in range(layer.n_in):
            for j in range(layer.units):
                removed = layer.mask is not None and not layer.mask[i, j]
                if removed:
                    print(f"  {edges[i][j]:>{N}} {'(removed)':>{W}}")
                    continue
                print(f"  {edges[i][j]:>{N}} {fmt_worked(W_old[i, j]):>{W}} "
                      f"{fmt_worked(snap.dW[k][i, j]):>{W}} {fmt_worked(W_new[i, j]):>{W}}")
    t = snap.Y.shape[1]
    print(f"\nloss ({_loss_label(net.loss, t)}): {fmt_full(snap.loss)}")
    with np.errstate(all="ignore"):
        after = net.loss_value(snap.X, snap.Y)
    print(f"loss after this update, same sample: {fmt_full(after)}")


def _loss_label(loss: str, t: int) -> str:
    """What the printed loss is, in the lecture's words (n = 1 sample)."""
    outputs = f"t = {t} output" + ("" if t == 1 else "s")
    if loss == "mse":
        return f"mse, the lecture's mean squared error L = 1/t sum_j (y_j - a_j)^2, {outputs}"
    if loss == "bce":
        return (f"bce, binary cross-entropy L = -1/t sum_j [y_j log a_j + (1 - y_j) "
                f"log(1 - a_j)], {outputs}")
    return "cross_entropy, L = -sum_j y_j log a_j"
