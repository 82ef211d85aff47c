"""The command-line twin: `nnsim train` and `nnsim trace`, on core + io only.

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

from .core.datasets import Dataset
from .core.initializers import init_weights
from .core.optimizers import Optimizer
from .core.stepper import Stepper
from .io import FileFormatError, load_project, save_project, user_message

EXIT_USAGE = 2
PROGRESS_EVERY_S = 1.0


class UsageError(Exception):
    """A problem with what the user asked for; shown as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        raise UsageError(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _vector(text: str) -> list[float]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}")
    return [_finite_float(p) for p in parts]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nnsim", description="nnsim command-line twin")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="train a network file with its settings and data")
    train.add_argument("file")
    train.add_argument("--epochs", type=_positive_int, help="epochs to run (default: the file's)")
    train.add_argument("--lr", type=_finite_float, help="learning rate (default: the file's)")
    train.add_argument("--batch-size", type=_positive_int, help="mini-batch size")
    train.add_argument("--seed", type=_int,
                       help="start afresh: re-initialise the weights and shuffle from this seed")
    train.add_argument("--out", help="where to write the trained network "
                                     "(default: FILE with .trained.nnsim)")
    train.add_argument("--dtype", choices=("float64", "float32"),
                       help="number type for training (float32: faster for large networks)")
    train.add_argument("--quiet", action="store_true", help="no progress lines")

    trace = sub.add_parser("trace", help="one sample's forward, backward and SGD update")
    trace.add_argument("file")
    src = trace.add_mutually_exclusive_group(required=True)
    src.add_argument("--input", type=_vector, help="input values, e.g. 0.5,-1")
    src.add_argument("--sample", type=_int, help="use training sample K of the file's data")
    trace.add_argument("--target", type=_vector, help="target values (with --input)")
    trace.add_argument("--lr", type=_finite_float, help="learning rate (default: the file's)")
    trace.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "train":
            return _train(args)
        return _trace(args)
    except (UsageError, FileFormatError, ValueError, OSError) as e:
        print(f"nnsim: error: {user_message(e)}", file=sys.stderr)
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
    cfg.validate()
    out = Path(args.out) if args.out else _trained_path(Path(args.file))

    data = project.dataset()
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

    results = stepper.step_epochs(cfg.epochs, stop_loss=cfg.stop_loss, on_epoch=progress)
    project.history.epochs = stepper.epoch_results.snapshot()
    project.optimizer_state = stepper.optimizer.state()

    if results and not results[-1].finite:
        raise ValueError(
            f"training diverged at epoch {results[-1].epoch}: the loss is no longer a finite "
            f"number (learning rate {cfg.learning_rate:g} is probably too large); "
            "nothing was written")
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
        print(f"train accuracy: {last.train_accuracy:.1%}")
    if last.test_accuracy is not None:
        print(f"test accuracy: {last.test_accuracy:.1%}")
    print(f"written: {out}")
    return 0


def _trained_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".nnsim") + ".trained.nnsim")


def _reinitialise(project) -> None:
    rng = np.random.default_rng(project.training.seed)
    for layer in project.network.layers:
        layer.W = init_weights(project.training.initializer, layer.n_in, layer.units, rng)
        layer.b = np.zeros(layer.units)
    project.optimizer_state = None
    project.history.epochs = []


# -- trace -----------------------------------------------------------------

def _trace(args) -> int:
    project = load_project(args.file)
    net = project.network
    if args.input is not None:
        if args.target is None:
            raise UsageError("--input needs --target (or use --sample K)")
        if len(args.input) != net.n_inputs:
            raise UsageError(f"--input has {len(args.input)} values, the network has "
                             f"{net.n_inputs} inputs")
        if len(args.target) != net.n_outputs:
            raise UsageError(f"--target has {len(args.target)} values, the network has "
                             f"{net.n_outputs} outputs")
        X, Y = np.array([args.input]), np.array([args.target])
        data = Dataset(X, Y, X[:0], Y[:0], "regression", "trace",
                       [f"x{i + 1}" for i in range(X.shape[1])],
                       [f"y{j + 1}" for j in range(Y.shape[1])])
        index = 0
    else:
        if args.target is not None:
            raise UsageError("--target goes with --input, not with --sample")
        data, index = project.dataset(), args.sample
        if not 0 <= index < len(data.X_train):
            raise UsageError(f"--sample {index} does not exist: the training set has "
                             f"{len(data.X_train)} samples (0 to {len(data.X_train) - 1})")
    cfg = project.training
    if args.lr is not None:
        cfg.learning_rate = args.lr
    cfg.validate()
    stepper = Stepper(net, cfg, data, Optimizer("sgd"))
    stepper.pin_sample(index)
    snap = None
    with np.errstate(all="ignore"):
        for _ in stepper.plan:
            snap = stepper.micro_step()
    if args.json:
        print(json.dumps(_trace_json(snap), allow_nan=False))
    else:
        _print_trace(snap, project)
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


def _fmt(x: float) -> str:
    return f"{x: .6g}"


def _print_trace(snap, project) -> None:
    net = project.network
    x, y = snap.X[0], snap.Y[0]
    print(f"input  x = [{', '.join(f'{v:g}' for v in x)}]   "
          f"target y = [{', '.join(f'{v:g}' for v in y)}]   "
          f"learning rate {snap.learning_rate:g}")
    for k, layer in enumerate(net.layers):
        kind = "output layer" if k == len(net.layers) - 1 else "hidden layer"
        print(f"\nlayer {k + 1} ({kind}, {layer.units} neurons, {layer.activation})")
        print(f"  {'neuron':>6} {'z':>13} {'a':>13} {'delta=dL/dz':>13} "
              f"{'b':>13} {'dL/db':>13} {'new b':>13}")
        b_old, b_new = snap.weights_before[k][1], snap.weights_after[k][1]
        for j in range(layer.units):
            print(f"  {j + 1:>6} {_fmt(snap.z[k][0, j]):>13} {_fmt(snap.a[k + 1][0, j]):>13} "
                  f"{_fmt(snap.delta[k][0, j]):>13} {_fmt(b_old[j]):>13} "
                  f"{_fmt(snap.db[k][j]):>13} {_fmt(b_new[j]):>13}")
        W_old, W_new = snap.weights_before[k][0], snap.weights_after[k][0]
        print(f"  {'weight':>6} {'w':>13} {'dL/dw':>13} {'new w':>13}")
        src = "x" if k == 0 else "h"
        for i in range(layer.n_in):
            for j in range(layer.units):
                removed = layer.mask is not None and not layer.mask[i, j]
                name = f"{src}{i + 1}->{j + 1}"
                if removed:
                    print(f"  {name:>6} {'(removed)':>13}")
                    continue
                print(f"  {name:>6} {_fmt(W_old[i, j]):>13} {_fmt(snap.dW[k][i, j]):>13} "
                      f"{_fmt(W_new[i, j]):>13}")
    print(f"\nloss ({net.loss}): {snap.loss:.10g}")
