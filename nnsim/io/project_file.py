"""The ``.nnsim`` project file: Project <-> JSON, with validation and migrations.

Documented key by key in ``docs/file-format.md``. Loading validates every
value and raises :class:`FileFormatError` naming the file and the field;
saving runs the very same checks on what it is about to write, so nnsim never
writes a file it would refuse to open. Nothing is ever pickled or evaluated.
"""
from __future__ import annotations

import difflib
import math
import os
import re
import stat
from typing import Callable

import numpy as np

from ..core import activations as actmod
from ..core import losses as lossmod
from ..core.datasets import BUILTIN, KINDS, DataSpec
from ..core.history_log import EpochLog
from ..core.initializers import INITIALIZERS, init_weights
from ..core.network import Layer, Network
from ..core.optimizers import DEFAULT_PARAMS, OPTIMIZERS
from ..core.project import History, ImportedData, Project
from ..core.limits import MAX_SEED
from ..core.training import DTYPES, MAX_LEARNING_RATE, EpochResult, TrainingConfig
from .atomic import atomic_write_bytes
from .errors import FileFormatError, Invalid
from .jsontext import BadNumber, decode_bytes, dump, parse

__all__ = [
    "FORMAT_NAME", "FORMAT_VERSION", "MIGRATIONS", "MAX_FILE_BYTES", "MAX_LAYERS",
    "MAX_UNITS", "MAX_PARAMETERS", "project_to_dict", "project_from_dict", "dumps",
    "loads", "load_project", "save_project",
]

FORMAT_NAME = "nnsim"
FORMAT_VERSION = 1

# MIGRATIONS[v - 1] turns the dict of a version-v file into a version v+1 dict
# (plain JSON values in, plain JSON values out; it may raise Invalid). Loading
# a version-v file runs MIGRATIONS[v - 1:] in order, then validates the result
# as the current version. Bump FORMAT_VERSION and append one function for
# every change that an older nnsim would misread.
MIGRATIONS: list[Callable[[dict], dict]] = []
assert len(MIGRATIONS) == FORMAT_VERSION - 1

# -- limits: checked before anything is allocated ---------------------------
MAX_FILE_BYTES = 200_000_000       # bytes of JSON text
MAX_LAYERS = 1_000                 # non-input layers
MAX_UNITS = 100_000                # neurons in one layer (inputs included)
MAX_PARAMETERS = 50_000_000        # weights + biases of the whole network
MAX_COUNT = 1_000_000_000          # epochs, batch size
MAX_STEPS = 2**53                  # optimizer_state.t
MAX_COORDINATE = 1e9               # layout positions
DATA_MIN_N, DATA_MAX_N = 4, 1_000_000  # as nnsim.core.datasets checks them

# Saved arrays per parameter, per optimizer (Optimizer.slots), and what they are.
SLOT_KINDS = {"sgd": (), "momentum": ("velocities",),
              "adam": ("first moments", "second moments")}

_MISSING = object()
_NUMBER_TYPES = frozenset({int, float})
_BOOL_TYPES = frozenset({bool})
_NONFINITE_TEXT = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

TOP_KEYS = ("format", "version", "title", "description", "network", "training",
            "data", "layout", "history", "optimizer_state")
NETWORK_KEYS = ("inputs", "loss", "layers")
LAYER_KEYS = ("units", "activation", "weights", "bias", "mask")
TRAINING_KEYS = ("learning_rate", "batch_size", "optimizer", "optimizer_params",
                 "epochs", "seed", "initializer", "shuffle", "stop_loss", "dtype")
BUILTIN_DATA_KEYS = ("builtin", "n", "noise", "test_fraction", "seed")
POINTS_DATA_KEYS = ("points", "input_names", "target_names", "kind", "source")
POINTS_KEYS = ("inputs", "targets", "test_inputs", "test_targets")
EPOCH_KEYS = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
STATE_KEYS = ("t", "slots")

_UNIT_FRACTION = "a number from 0 up to (not including) 1"
_OPTIMIZER_PARAM_RULES: dict[str, tuple[str, Callable[[float], bool]]] = {
    "momentum": (_UNIT_FRACTION, lambda f: 0.0 <= f < 1.0),
    "beta1": (_UNIT_FRACTION, lambda f: 0.0 <= f < 1.0),
    "beta2": (_UNIT_FRACTION, lambda f: 0.0 <= f < 1.0),
    "epsilon": ("a number above 0 and at most 1", lambda f: 0.0 < f <= 1.0),
}


# ============================================================ describing values

def _n(x: int) -> str:
    return f"{x:,}"


def _plural(n: int, word: str) -> str:
    return f"{_n(n)} {word}" + ("" if n == 1 else "s")


def _describe(v) -> str:
    """A short, safe description of any value (never recursive)."""
    if v is _MISSING:
        return "nothing (the key is missing)"
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, BadNumber):
        return v.text
    if type(v) is int:
        s = str(v) if abs(v) < 10**30 else f"a number with {len(str(abs(v)))} digits"
        return s
    if type(v) is float:
        return repr(v)
    if isinstance(v, str):
        return "the text " + repr(v if len(v) <= 40 else v[:40] + "...")
    if isinstance(v, list):
        return "an empty list" if not v else f"a list of {_plural(len(v), 'item')}"
    if isinstance(v, dict):
        return "an object {...}"
    return f"a {type(v).__name__}"


def _key(path: str, key) -> str:
    if isinstance(key, str) and key.isidentifier() and len(key) <= 60:
        return f"{path}.{key}" if path else key
    s = key if isinstance(key, str) else str(key)
    s = s if len(s) <= 40 else s[:40] + "..."
    return f"{path}[{s!r}]"


def _hint(word, choices) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# ============================================================== typed getters

def _object(v, path: str, keys: tuple[str, ...]) -> dict:
    if not isinstance(v, dict):
        where = "" if path else " at the top of the file"
        raise Invalid(path, f"expected an object {{...}}{where}, got {_describe(v)}")
    dup = getattr(v, "duplicate", None)
    if dup is not None:
        raise Invalid(_key(path, dup), "expected each key once in an object, got this "
                                       "key twice")
    for k in v:
        if k not in keys:
            if not keys:
                raise Invalid(_key(path, k), "expected no keys here, got an unknown key")
            raise Invalid(_key(path, k), f"expected one of the keys {', '.join(keys)}, "
                                         f"got an unknown key{_hint(k, keys)}")
    return v


def _int(v, path: str, lo: int, hi: int, why: str = "") -> int:
    if type(v) is int and lo <= v <= hi:
        return v
    hint = ""
    if type(v) is float and v.is_integer():
        hint = " (write whole numbers without a decimal point)"
    raise Invalid(path, f"expected a whole number from {_n(lo)} to {_n(hi)}{why}, "
                        f"got {_describe(v)}{hint}")


def _number(v, path: str, expected: str = "a finite number",
            ok: Callable[[float], bool] = lambda f: True) -> float:
    if type(v) in _NUMBER_TYPES:
        f = float(v)
        if math.isfinite(f) and ok(f):
            return f
    hint = ""
    if isinstance(v, BadNumber) or (type(v) is float and not math.isfinite(v)):
        hint = " (only finite numbers are allowed)"
    elif isinstance(v, str):
        hint = " (write numbers without quotes)"
    raise Invalid(path, f"expected {expected}, got {_describe(v)}{hint}")


def _string(v, path: str) -> str:
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise Invalid(path, "expected text, got text with an unpaired surrogate "
                                "escape such as \\ud800") from None
        return v
    raise Invalid(path, f"expected text in double quotes, got {_describe(v)}")


def _choice(v, path: str, choices) -> str:
    choices = list(choices)
    if isinstance(v, str) and v in choices:
        return v
    raise Invalid(path, f"expected one of {', '.join(choices)}, got "
                        f"{_describe(v)}{_hint(v, choices)}")


def _bool(v, path: str) -> bool:
    if v is True or v is False:
        return v
    raise Invalid(path, f"expected true or false, got {_describe(v)}")


def _list(v, path: str, expected: str) -> list:
    if isinstance(v, list):
        return v
    raise Invalid(path, f"expected {expected}, got {_describe(v)}")


# ====================================================================== arrays

def _index_path(path: str, idx) -> str:
    return path + "".join(f"[{int(i)}]" for i in idx)


def _rows_to_array(rows: list, path: str, cols: int, kind: str) -> np.ndarray:
    """A checked 2-D array from a list of lists of equal length ``cols``."""
    if kind == "bool":
        for i, row in enumerate(rows):
            if not set(map(type, row)) <= _BOOL_TYPES:
                j = next(j for j, x in enumerate(row) if type(x) is not bool)
                raise Invalid(f"{path}[{i}][{j}]",
                              f"expected true or false, got {_describe(row[j])}")
        return np.array(rows, dtype=bool).reshape(len(rows), cols)
    for i, row in enumerate(rows):
        if not set(map(type, row)) <= _NUMBER_TYPES:
            j = next(j for j, x in enumerate(row) if type(x) not in _NUMBER_TYPES)
            _number(row[j], f"{path}[{i}][{j}]")  # raises with the right words
    try:
        a = np.array(rows, dtype=np.float64).reshape(len(rows), cols)
    except OverflowError:
        a = None
    if a is None or not np.isfinite(a).all():
        for i, row in enumerate(rows):
            for j, x in enumerate(row):
                _number(x, f"{path}[{i}][{j}]")
    return a


def _shape_words(n_rows: int, row_lengths: set) -> str:
    if n_rows == 0:
        return "an empty list"
    return f"{n_rows}x{next(iter(row_lengths))}"


def _check_rows(v, path: str, cols: int, expected: str, kind: str) -> list:
    """v must be a list of lists (rows); returns it. Checks row types only."""
    noun = "true/false value" if kind == "bool" else "number"
    if not isinstance(v, list):
        raise Invalid(path, f"{expected}, got {_describe(v)}")
    if v and not any(isinstance(r, list) for r in v):
        raise Invalid(path, f"{expected}, got a flat list of {_plural(len(v), 'item')} "
                            "(write each row as a list: [[...], [...]])")
    for i, r in enumerate(v):
        if not isinstance(r, list):
            raise Invalid(f"{path}[{i}]", f"expected a row (a list of {_plural(cols, noun)}), "
                                          f"got {_describe(r)}")
    return v


def _matrix(v, path: str, rows: int, cols: int, note: str = "",
            kind: str = "number") -> np.ndarray:
    expected = f"expected {rows}x{cols}{note}"
    v = _check_rows(v, path, cols, expected, kind)
    lengths = {len(r) for r in v}
    if len(lengths) > 1:
        ref = cols if cols in lengths else len(v[0])
        i = next(i for i, r in enumerate(v) if len(r) != ref)
        noun = "true/false value" if kind == "bool" else "number"
        raise Invalid(f"{path}[{i}]", f"expected a row of {_plural(ref, noun)} like the "
                                      f"others ({rows}x{cols} in all), got {_n(len(v[i]))}")
    if len(v) != rows or lengths != {cols}:
        raise Invalid(path, f"{expected}, got {_shape_words(len(v), lengths)}")
    return _rows_to_array(v, path, cols, kind)


def _vector(v, path: str, n: int, note: str = "") -> np.ndarray:
    expected = f"expected a list of {_plural(n, 'number')}{note}"
    if not isinstance(v, list):
        raise Invalid(path, f"{expected}, got {_describe(v)}")
    if len(v) != n:
        raise Invalid(path, f"{expected}, got {_plural(len(v), 'item')}")
    if not set(map(type, v)) <= _NUMBER_TYPES:
        for j, x in enumerate(v):
            _number(x, f"{path}[{j}]")
    a = np.array(v, dtype=np.float64)
    if not np.isfinite(a).all():
        j = int(np.argwhere(~np.isfinite(a))[0][0])
        _number(v[j], f"{path}[{j}]")
    return a


def _table(v, path: str, cols: int, note: str, rows: int | None = None,
           rows_note: str = "", min_rows: int = 0) -> np.ndarray:
    """Rows of ``cols`` numbers (data points); ``rows`` fixed or free."""
    expected = f"expected rows of {_plural(cols, 'number')}{note}"
    v = _check_rows(v, path, cols, expected, "number")
    if rows is not None and len(v) != rows:
        raise Invalid(path, f"expected {_plural(rows, 'row')}{rows_note}, got {_n(len(v))}")
    if len(v) < min_rows:
        raise Invalid(path, f"expected at least {_plural(min_rows, 'row')}, got an empty list")
    for i, r in enumerate(v):
        if len(r) != cols and i == 0:
            raise Invalid(path, f"{expected}, got rows of {_n(len(r))}")
        if len(r) != cols:
            raise Invalid(f"{path}[{i}]", f"expected a row of {_plural(cols, 'number')} "
                                          f"like the others, got {_n(len(r))}")
    if not v:
        return np.zeros((0, cols))
    return _rows_to_array(v, path, cols, "number")


# ================================================================= the network

def _core_error(e: Exception, default_field: str) -> Invalid:
    """A core ValueError as Invalid; a leading "field.path: " becomes the field."""
    msg = str(e)
    m = re.match(r"^([A-Za-z_][\w.\[\]]*): (.+)$", msg, re.S)
    if m:
        return Invalid(m.group(1), m.group(2))
    return Invalid(default_field, msg)


def _network_structure(v) -> tuple[int, str, list]:
    net = _object(v, "network", NETWORK_KEYS)
    n_inputs = _int(net.get("inputs", _MISSING), "network.inputs", 1, MAX_UNITS,
                    " (the most inputs nnsim allows)")
    loss = _choice(net.get("loss", "mse"), "network.loss", lossmod.LOSSES)
    raw = _list(net.get("layers", _MISSING), "network.layers",
                "a list of layers, each an object {\"units\": ..., \"activation\": ...}")
    if not 1 <= len(raw) <= MAX_LAYERS:
        raise Invalid("network.layers", f"expected from 1 to {_n(MAX_LAYERS)} layers "
                                        f"after the inputs, got {_n(len(raw))}")
    specs, n_in, total = [], n_inputs, 0
    for i, item in enumerate(raw):
        path = f"network.layers[{i}]"
        lo = _object(item, path, LAYER_KEYS)
        units = _int(lo.get("units", _MISSING), path + ".units", 1, MAX_UNITS,
                     " (the most neurons a layer may have)")
        activation = _choice(lo.get("activation", _MISSING), path + ".activation",
                             actmod.ACTIVATIONS)
        if activation in actmod.OUTPUT_ONLY and i != len(raw) - 1:
            hidden = [a for a in actmod.ACTIVATIONS if a not in actmod.OUTPUT_ONLY]
            raise Invalid(path + ".activation",
                          f"expected one of {', '.join(hidden)} ({activation} is only "
                          f"allowed on the output layer), got {activation!r}")
        total += n_in * units + units
        if total > MAX_PARAMETERS:
            raise Invalid(path + ".units", f"expected at most {_n(MAX_PARAMETERS)} weights "
                                           "and biases in the whole network (the limit "
                                           f"nnsim can hold), got {_n(total)} up to this layer")
        specs.append((lo, path, n_in, units, activation))
        n_in = units
    allowed = lossmod.get(loss).allowed_outputs
    last_path, out = specs[-1][1], specs[-1][4]
    if out not in allowed:
        raise Invalid(last_path + ".activation",
                      f"expected {' or '.join(sorted(allowed))} on the output layer because "
                      f"network.loss is {loss!r}, got {out!r}")
    return n_inputs, loss, specs


def _layers(specs: list, training: TrainingConfig) -> list[Layer]:
    # One generator for the whole network, used layer by layer in order; a
    # layer whose weights are in the file draws no random numbers.
    rng = np.random.default_rng(training.seed)
    layers = []
    for lo, path, n_in, units, activation in specs:
        if "weights" in lo:
            W = _matrix(lo["weights"], path + ".weights", n_in, units,
                        f" (rows: {_plural(n_in, 'neuron')} feeding in, columns: "
                        f"{_plural(units, 'neuron')} of this layer)")
        else:
            W = init_weights(training.initializer, n_in, units, rng)
        b = (_vector(lo["bias"], path + ".bias", units, " (one per neuron)")
             if "bias" in lo else np.zeros(units))
        mask = None
        if "mask" in lo:
            mask = _matrix(lo["mask"], path + ".mask", n_in, units,
                           " of true/false like the weights", kind="bool")
            if mask.all():
                mask = None  # fully connected: the same as no mask
        layers.append(Layer(W, b, activation, mask))
    return layers


# ==================================================================== training

def _training(v) -> TrainingConfig:
    tr = _object(v, "training", TRAINING_KEYS)
    lr = _number(tr.get("learning_rate", 0.1), "training.learning_rate",
                 f"a number above 0 and at most {_n(int(MAX_LEARNING_RATE))}",
                 lambda f: 0.0 < f <= MAX_LEARNING_RATE)
    batch_size = _int(tr.get("batch_size", 1), "training.batch_size", 1, MAX_COUNT)
    optimizer = _choice(tr.get("optimizer", "sgd"), "training.optimizer", OPTIMIZERS)
    names = tuple(DEFAULT_PARAMS[optimizer])
    raw = tr.get("optimizer_params", {})
    if isinstance(raw, dict) and not names and raw:
        k = next(iter(raw))
        raise Invalid(_key("training.optimizer_params", k),
                      f"expected no parameters for the {optimizer} optimizer, got {k!r}")
    raw = _object(raw, "training.optimizer_params", names)
    params = {}
    for name in sorted(raw):
        expected, ok = _OPTIMIZER_PARAM_RULES.get(name, ("a finite number", lambda f: True))
        params[name] = _number(raw[name], _key("training.optimizer_params", name),
                               expected, ok)
    epochs = _int(tr.get("epochs", 100), "training.epochs", 0, MAX_COUNT)
    seed = _int(tr.get("seed", 0), "training.seed", 0, MAX_SEED)
    initializer = _choice(tr.get("initializer", "xavier"), "training.initializer",
                          INITIALIZERS)
    shuffle = _bool(tr.get("shuffle", True), "training.shuffle")
    stop_loss = tr.get("stop_loss", None)
    if stop_loss is not None:
        stop_loss = _number(stop_loss, "training.stop_loss",
                            "a number of at least 0, or null for no stop", lambda f: f >= 0)
    dtype = _choice(tr.get("dtype", "float64"), "training.dtype", DTYPES)
    cfg = TrainingConfig(learning_rate=lr, batch_size=batch_size, optimizer=optimizer,
                         optimizer_params=params, epochs=epochs, seed=seed,
                         initializer=initializer, shuffle=shuffle, stop_loss=stop_loss,
                         dtype=dtype)
    try:
        cfg.validate()
    except ValueError as e:
        raise _core_error(e, "training") from None
    return cfg


# ======================================================================== data

def _count_words(n_in: int, n_out: int) -> str:
    return f"{_plural(n_in, 'input')} and {_plural(n_out, 'output')}"


def _default_target_names(kind: str, n: int) -> list[str]:
    # the same names nnsim.core.datasets gives its data sets
    if kind == "multiclass":
        return [f"class {j}" for j in range(n)]
    return ["y"] if n == 1 else [f"y{j + 1}" for j in range(n)]


def _names(v, path: str, n: int, default: list[str]) -> list[str]:
    if v is _MISSING:
        return default
    v = _list(v, path, f"a list of {_plural(n, 'name')}")
    if len(v) != n:
        raise Invalid(path, f"expected a list of {_plural(n, 'name')} (one per column), "
                            f"got {_plural(len(v), 'item')}")
    return [_string(x, f"{path}[{i}]") for i, x in enumerate(v)]


def _is_binary(Y: np.ndarray) -> bool:
    return Y.shape[1] == 1 and bool(np.all((Y == 0) | (Y == 1)))


def _is_one_hot(Y: np.ndarray) -> bool:
    return (Y.shape[1] >= 2 and bool(np.all((Y == 0) | (Y == 1)))
            and bool(np.all(Y.sum(axis=1) == 1)))


def _data(v, n_in: int, n_out: int) -> DataSpec | ImportedData:
    if not isinstance(v, dict):
        raise Invalid("data", f"expected an object {{...}}, got {_describe(v)}")
    if ("builtin" in v) == ("points" in v):
        got = "both" if "builtin" in v else "neither"
        raise Invalid("data", "expected either \"builtin\" (a built-in data set) or "
                              f"\"points\" (your own points), got {got}")
    if "builtin" in v:
        d = _object(v, "data", BUILTIN_DATA_KEYS)
        name = _choice(d["builtin"], "data.builtin", BUILTIN)
        n = _int(d.get("n", 200), "data.n", DATA_MIN_N, DATA_MAX_N)
        noise = _number(d.get("noise", 0.1), "data.noise", "a number of at least 0",
                        lambda f: f >= 0)
        test_fraction = _number(d.get("test_fraction", 0.2), "data.test_fraction",
                                _UNIT_FRACTION, lambda f: 0.0 <= f < 1.0)
        seed = _int(d.get("seed", 0), "data.seed", 0, MAX_SEED)
        info = BUILTIN[name]
        if (info.n_inputs, info.n_outputs) != (n_in, n_out):
            raise Invalid("data.builtin",
                          f"expected a data set with {_count_words(n_in, n_out)} to fit the "
                          f"network, got {name!r} with "
                          f"{_count_words(info.n_inputs, info.n_outputs)}")
        return DataSpec(name, n, noise, test_fraction, seed)

    d = _object(v, "data", POINTS_DATA_KEYS)
    pts = _object(d["points"], "data.points", POINTS_KEYS)
    in_note = f" (network.inputs is {n_in})"
    out_note = f" (the output layer has {_plural(n_out, 'neuron')})"
    X = _table(pts.get("inputs", _MISSING), "data.points.inputs", n_in, in_note,
               min_rows=1)
    Y = _table(pts.get("targets", _MISSING), "data.points.targets", n_out, out_note,
               rows=len(X), rows_note=" (one per row of data.points.inputs)")
    Xt = _table(pts.get("test_inputs", []), "data.points.test_inputs", n_in, in_note)
    Yt = _table(pts.get("test_targets", []), "data.points.test_targets", n_out, out_note,
                rows=len(Xt), rows_note=" (one per row of data.points.test_inputs)")
    all_Y = np.vstack([Y, Yt])
    if "kind" in d:
        kind = _choice(d["kind"], "data.kind", KINDS)
        if kind == "binary" and not _is_binary(all_Y):
            raise Invalid("data.kind", "expected \"regression\" or \"multiclass\" for these "
                                       "targets (binary needs one column of only 0 and 1), "
                                       "got \"binary\"")
        if kind == "multiclass" and not _is_one_hot(all_Y):
            raise Invalid("data.kind", "expected \"regression\" or \"binary\" for these "
                                       "targets (multiclass needs two or more columns with "
                                       "exactly one 1 in each row), got \"multiclass\"")
    else:
        kind = ("binary" if _is_binary(all_Y) else
                "multiclass" if _is_one_hot(all_Y) else "regression")
    input_names = _names(d.get("input_names", _MISSING), "data.input_names", n_in,
                         [f"x{i + 1}" for i in range(n_in)])
    target_names = _names(d.get("target_names", _MISSING), "data.target_names", n_out,
                          _default_target_names(kind, n_out))
    source = _string(d.get("source", ""), "data.source")
    return ImportedData(X, Y, Xt, Yt, input_names, target_names, kind, source)


# =============================================================== layout, history

def _layout(v, sizes: list[int]) -> list[list[tuple[float, float] | None]] | None:
    want = f"a list of {len(sizes)} layers of neuron positions (the inputs and " \
           f"{_plural(len(sizes) - 1, 'layer')})"
    v = _list(v, "layout", want)
    if len(v) != len(sizes):
        raise Invalid("layout", f"expected {want}, got {_plural(len(v), 'item')}")
    out = []
    for k, (layer, n) in enumerate(zip(v, sizes)):
        path = f"layout[{k}]"
        layer = _list(layer, path, f"a list of {_plural(n, 'position')}, one per neuron")
        if len(layer) != n:
            raise Invalid(path, f"expected {_plural(n, 'position')} (one per neuron), "
                                f"got {_n(len(layer))}")
        row = []
        for j, pos in enumerate(layer):
            p = f"{path}[{j}]"
            if pos is None:  # placed automatically (nnsim.core.layout)
                row.append(None)
                continue
            if not (isinstance(pos, list) and len(pos) == 2):
                raise Invalid(p, f"expected a position [x, y], or null to place the neuron "
                                 f"automatically, got {_describe(pos)}")
            within = f"a number from -{MAX_COORDINATE:g} to {MAX_COORDINATE:g}"
            x, y = (_number(c, f"{p}[{i}]", within, lambda f: abs(f) <= MAX_COORDINATE)
                    for i, c in enumerate(pos))
            row.append((x, y))
        out.append(row)
    # all automatic is the same as no layout (and saved as none)
    return out if any(pos is not None for row in out for pos in row) else None


def _loss_number(v, path: str, nullable: bool) -> float | None:
    if v is None and nullable:
        return None
    if isinstance(v, str) and v in _NONFINITE_TEXT:
        return _NONFINITE_TEXT[v]
    return _number(v, path, "a number (or \"NaN\", \"Infinity\" for a loss that blew up)"
                   + (", or null" if nullable else ""))


def _accuracy(v, path: str) -> float | None:
    if v is None:
        return None
    if v == "NaN" and isinstance(v, str):
        return math.nan
    return _number(v, path, "a number from 0 to 1, or null", lambda f: 0.0 <= f <= 1.0)


def _history_in_bulk(raw: list) -> EpochLog | None:
    """The usual history, checked column by column (several times faster than
    entry by entry, which matters for runs of a million epochs): every entry
    an object with only the known keys, epochs numbered 1, 2, 3 ..., finite
    numbers (accuracies from 0 to 1) or null where allowed. None when
    anything differs: ``_history`` then finds and words the first problem."""
    known = frozenset(EPOCH_KEYS)
    if not all(isinstance(e, dict) and getattr(e, "duplicate", None) is None
               and e.keys() <= known for e in raw):
        return None
    n = len(raw)
    numbers = [e.get("epoch") for e in raw]
    if not (all(type(x) is int for x in numbers) and numbers == list(range(1, n + 1))):
        return None
    out = np.empty((n, EpochLog.NCOLS))
    out[:, 0] = numbers
    # (column, key, may be null, is an accuracy); a null's flag is column + 3
    for c, key, nullable, fraction in ((1, "train_loss", False, False),
                                       (2, "test_loss", True, False),
                                       (3, "train_accuracy", True, True),
                                       (4, "test_accuracy", True, True)):
        values = [e.get(key) for e in raw]
        if not all(type(x) in _NUMBER_TYPES or (x is None and nullable) for x in values):
            return None
        missing = np.array([x is None for x in values], dtype=bool)
        try:
            col = np.array([math.nan if x is None else x for x in values], dtype=np.float64)
        except OverflowError:
            return None
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(col) & ((col >= 0) & (col <= 1) if fraction else True)
        if not (ok | missing).all():
            return None
        out[:, c] = col
        if nullable:
            out[:, c + 3] = missing
    log = EpochLog()
    log.extend_columns(out)
    return log


def _history(v) -> History:
    h = _object(v, "history", ("epochs",))
    raw = _list(h.get("epochs", []), "history.epochs", "a list of epoch results")
    bulk = _history_in_bulk(raw)
    if bulk is not None:
        return History(bulk)
    epochs = []
    for k, item in enumerate(raw):
        path = f"history.epochs[{k}]"
        e = _object(item, path, EPOCH_KEYS)
        number = e.get("epoch", _MISSING)
        if not (type(number) is int and number == k + 1):
            raise Invalid(path + ".epoch", f"expected {k + 1} (epochs are numbered 1, 2, "
                                           f"3, ... in order), got {_describe(number)}")
        epochs.append(EpochResult(
            number,
            _loss_number(e.get("train_loss", _MISSING), path + ".train_loss", False),
            _loss_number(e.get("test_loss", None), path + ".test_loss", True),
            _accuracy(e.get("train_accuracy", None), path + ".train_accuracy"),
            _accuracy(e.get("test_accuracy", None), path + ".test_accuracy")))
    return History(epochs)


def _param_note(p: int) -> str:
    k, what = p // 2 + 1, "weights" if p % 2 == 0 else "biases"
    return f"the {what} of layer {k}"


def _optimizer_state(v, optimizer: str, layers: list[Layer]) -> dict:
    o = _object(v, "optimizer_state", STATE_KEYS)
    t = _int(o.get("t", _MISSING), "optimizer_state.t", 0, MAX_STEPS,
             " (the number of updates done)")
    kinds = SLOT_KINDS[optimizer]
    slots = _list(o.get("slots", _MISSING), "optimizer_state.slots",
                  "a list of saved optimizer arrays")
    if len(slots) not in (0, len(kinds)):
        what = ("no saved arrays (an empty list)" if not kinds else
                f"{len(kinds)} (its {' and '.join(kinds)}) or none")
        raise Invalid("optimizer_state.slots",
                      f"expected {what} for the {optimizer} optimizer, got "
                      f"{_plural(len(slots), 'list')}")
    shapes = []
    for l in layers:
        shapes += [l.W.shape, l.b.shape]
    out = []
    for s, kind in enumerate(slots):
        path = f"optimizer_state.slots[{s}]"
        want = (f"{_plural(len(shapes), 'array')} ({kinds[s]} for the weights and biases "
                f"of each layer, in order W1, b1, W2, b2, ...)")
        kind = _list(kind, path, want)
        if len(kind) != len(shapes):
            raise Invalid(path, f"expected {want}, got {_plural(len(kind), 'item')}")
        arrays = []
        for p, (arr, shape) in enumerate(zip(kind, shapes)):
            ppath = f"{path}[{p}]"
            if len(shape) == 2:
                a = _matrix(arr, ppath, shape[0], shape[1], f" like {_param_note(p)}")
            else:
                a = _vector(arr, ppath, shape[0], f" like {_param_note(p)}")
            if kinds[s] == "second moments" and (a < 0).any():
                idx = np.argwhere(a < 0)[0]
                raise Invalid(_index_path(ppath, idx),
                              "expected a number of at least 0 (adam's averages of squared "
                              f"gradients), got {float(a[tuple(idx)])!r}")
            arrays.append(a)
        out.append(arrays)
    return {"t": t, "slots": out}


# ================================================================ dict -> Project

def _migrate(obj: dict, version: int) -> dict:
    for v in range(version, FORMAT_VERSION):
        obj = MIGRATIONS[v - 1](obj)
        obj["version"] = v + 1
    return obj


def _project_from_obj(obj) -> Project:
    if not isinstance(obj, dict):
        raise Invalid("", "expected a JSON object {...} at the top of the file, got "
                          + _describe(obj))
    fmt = obj.get("format", _MISSING)
    if not (isinstance(fmt, str) and fmt == FORMAT_NAME):
        raise Invalid("format", f"expected \"{FORMAT_NAME}\" (every nnsim project file "
                                f"starts with \"format\": \"nnsim\"), got {_describe(fmt)}")
    version = obj.get("version", _MISSING)
    if type(version) is not int or version < 1:
        raise Invalid("version", f"expected a whole number from 1 to {FORMAT_VERSION} (the "
                                 f"file format version), got {_describe(version)}")
    if version > FORMAT_VERSION:
        raise Invalid("version", f"this file was written by a newer nnsim (file version "
                                 f"{_describe(version)}, this app reads up to "
                                 f"{FORMAT_VERSION}); update nnsim to open it")
    obj = _migrate(obj, version)
    top = _object(obj, "", TOP_KEYS)
    title = _string(top.get("title", ""), "title")
    description = _string(top.get("description", ""), "description")

    n_inputs, loss, specs = _network_structure(top.get("network", _MISSING))
    training = _training(top["training"]) if "training" in top else TrainingConfig()
    layers = _layers(specs, training)
    sizes = [n_inputs] + [l.units for l in layers]
    if "data" in top:
        data = _data(top["data"], n_inputs, sizes[-1])
    else:  # the default; nothing to check (see docs: it is a placeholder)
        data = DataSpec("xor_table")
    layout = _layout(top["layout"], sizes) if "layout" in top else None
    history = _history(top["history"]) if "history" in top else History()
    state = (_optimizer_state(top["optimizer_state"], training.optimizer, layers)
             if "optimizer_state" in top else None)

    network = Network(n_inputs, layers, loss)
    try:
        network.validate()
    except ValueError as e:
        raise _core_error(e, "network") from None
    return Project(network=network, training=training, data=data, title=title,
                   description=description, layout=layout, history=history,
                   optimizer_state=state)


# ================================================================ Project -> dict

def _py(v):
    """NumPy scalars as plain Python values; anything else unchanged."""
    return v.item() if isinstance(v, np.generic) else v


def _nonfinite_word(x: float) -> str:
    return "NaN" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _array_out(a, path: str, what: str | None = None) -> list:
    """a.tolist() as float64; non-finite values refused (``what`` words it)."""
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise Invalid(path, "expected an array of numbers, got "
                            f"{type(a).__name__} that is not one") from None
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = np.argwhere(bad)[0]
        word = _nonfinite_word(float(arr[tuple(idx)]))
        detail = (f"{what} that is not a finite number ({word}); step back or "
                  "re-initialise before saving" if what else
                  f"expected a finite number, got {word}")
        raise Invalid(_index_path(path, idx), detail)
    return arr.tolist()


def _float_out(x):
    """A loss or accuracy of the history: non-finite values as text."""
    x = _py(x)
    if type(x) is float and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    return x


def _history_out(epochs) -> list:
    if not isinstance(epochs, EpochLog):
        return [{"epoch": _py(e.epoch), "train_loss": _float_out(e.train_loss),
                 "test_loss": _float_out(e.test_loss),
                 "train_accuracy": _float_out(e.train_accuracy),
                 "test_accuracy": _float_out(e.test_accuracy)} for e in epochs]
    out = _float_out  # the same entries, read from the columns (a million epochs: seconds less)
    return [{"epoch": int(r[0]), "train_loss": out(r[1]),
             "test_loss": None if r[5] else out(r[2]),
             "train_accuracy": None if r[6] else out(r[3]),
             "test_accuracy": None if r[7] else out(r[4])}
            for r in epochs.columns.tolist()]


def _slots_fit(slots, kinds: tuple, params: list) -> bool:
    try:
        return len(slots) == len(kinds) and all(
            len(kind) == len(params) and all(np.shape(s) == p.shape
                                             for s, p in zip(kind, params))
            for kind in slots)
    except TypeError:
        return False


def _to_obj(project: Project) -> dict:
    net, tr = project.network, project.training
    layers = []
    for k, layer in enumerate(net.layers, start=1):
        path = f"network.layers[{k - 1}]"
        W = np.asarray(layer.W)
        d = {"units": int(W.shape[1]) if W.ndim == 2 else int(np.size(layer.b)),
             "activation": layer.activation,
             "weights": _array_out(W, path + ".weights", f"layer {k} has a weight"),
             "bias": _array_out(layer.b, path + ".bias", f"layer {k} has a bias")}
        if layer.mask is not None:
            mask = np.asarray(layer.mask)
            if not mask.all():
                d["mask"] = mask.tolist()
        layers.append(d)
    obj: dict = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "title": project.title,
        "description": project.description,
        "network": {"inputs": _py(net.n_inputs), "loss": net.loss, "layers": layers},
        "training": {
            "learning_rate": _py(tr.learning_rate),
            "batch_size": _py(tr.batch_size),
            "optimizer": tr.optimizer,
            "optimizer_params": ({k: _py(tr.optimizer_params[k])
                                  for k in sorted(tr.optimizer_params)}
                                 if isinstance(tr.optimizer_params, dict)
                                 else tr.optimizer_params),
            "epochs": _py(tr.epochs),
            "seed": _py(tr.seed),
            "initializer": tr.initializer,
            "shuffle": _py(tr.shuffle),
            "stop_loss": _py(tr.stop_loss),
        },
    }
    if tr.dtype != "float64":  # written only when chosen: most files never need it
        obj["training"]["dtype"] = tr.dtype
    data = project.data
    if isinstance(data, DataSpec):
        # The default data set is a placeholder while the network does not fit
        # it: then it is left out, as a hand-written file may leave it out.
        info = BUILTIN.get(data.name)
        fits = info is not None and [info.n_inputs, info.n_outputs] == \
            [_py(net.n_inputs), layers[-1]["units"] if layers else None]
        if data != DataSpec("xor_table") or fits:
            obj["data"] = {"builtin": data.name, "n": _py(data.n), "noise": _py(data.noise),
                           "test_fraction": _py(data.test_fraction), "seed": _py(data.seed)}
    else:
        p = "data.points"
        obj["data"] = {
            "points": {"inputs": _array_out(data.X_train, p + ".inputs"),
                       "targets": _array_out(data.Y_train, p + ".targets"),
                       "test_inputs": _array_out(data.X_test, p + ".test_inputs"),
                       "test_targets": _array_out(data.Y_test, p + ".test_targets")},
            "input_names": list(data.input_names),
            "target_names": list(data.target_names),
            "kind": data.kind,
            "source": data.source,
        }
    layout = project.layout
    if layout is not None and any(pos is not None for row in layout for pos in row):
        obj["layout"] = [[None if pos is None else [_py(c) for c in pos] for pos in row]
                         for row in layout]
    obj["history"] = {"epochs": _history_out(project.history.epochs)}
    state = project.optimizer_state
    if state is not None:
        kinds = SLOT_KINDS.get(tr.optimizer, ())
        slots = state.get("slots", [])
        params = net.parameters()
        if not _slots_fit(slots, kinds, params):
            # The optimizer would throw these away and start from zeros at its
            # next step (Optimizer._ensure_slots); saving none is the same.
            slots = []
        out = []
        for s, kind in enumerate(slots):
            arrays = []
            for p, a in enumerate(kind):
                arrays.append(_array_out(
                    a, f"optimizer_state.slots[{s}][{p}]",
                    f"the optimizer's {kinds[s]} for {_param_note(p)} have a value"))
            out.append(arrays)
        obj["optimizer_state"] = {"t": _py(state.get("t")), "slots": out}
    return obj


# ================================================================== public API

def _checked_obj(project: Project, source: str) -> dict:
    try:
        obj = _to_obj(project)
        _project_from_obj(obj)  # the checks of load: never write what load refuses
    except Invalid as e:
        raise e.with_source(source) from None
    return obj


def project_to_dict(project: Project) -> dict:
    """The file's JSON value for ``project`` (plain dicts, lists, numbers, text).

    Raises FileFormatError when the project holds something a file cannot:
    NaN or infinite weights, biases or optimizer state, or anything that
    loading would refuse (e.g. data that does not fit the network).
    """
    return _checked_obj(project, "<memory>")


def project_from_dict(obj, source: str = "<memory>") -> Project:
    """A Project from a parsed .nnsim JSON value; validates everything.

    Older format versions are migrated; errors are FileFormatError naming
    ``source`` and the field.
    """
    try:
        return _project_from_obj(obj)
    except Invalid as e:
        raise e.with_source(source) from None
    except RecursionError:
        raise FileFormatError(source, "", "expected lists and objects nested a few "
                                          "levels deep, got nesting too deep") from None


def dumps(project: Project) -> str:
    """The canonical text of ``project`` (save -> load -> save is byte-identical)."""
    return dump(project_to_dict(project))


def _text_to_project(text, source: str) -> Project:
    try:
        if isinstance(text, (bytes, bytearray)):
            if len(text) > MAX_FILE_BYTES:
                raise _too_big(len(text))
            text = decode_bytes(bytes(text))
        elif not isinstance(text, str):
            raise Invalid("", f"expected JSON text, got {_describe(text)}")
        if len(text) > MAX_FILE_BYTES:
            raise _too_big(len(text.encode("utf-8", "surrogatepass")))
        return _project_from_obj(parse(text))
    except Invalid as e:
        raise e.with_source(source) from None
    except RecursionError:
        raise FileFormatError(source, "", "expected lists and objects nested a few "
                                          "levels deep, got nesting too deep") from None
    except MemoryError:
        raise FileFormatError(source, "", "expected a project that fits in memory, got "
                                          "one too big to load") from None


def loads(text: str | bytes, source: str = "<memory>") -> Project:
    """A Project from .nnsim text (str, or bytes taken as UTF-8)."""
    return _text_to_project(text, source)


def _too_big(size: int) -> Invalid:
    return Invalid("", f"expected a file of at most {MAX_FILE_BYTES / 1e6:g} MB, got "
                       f"{size / 1e6:.1f} MB")


def _read(path) -> bytes:
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise Invalid("", "expected a file, got a folder")
        if not stat.S_ISREG(st.st_mode):
            raise Invalid("", "expected a regular file, got a device, pipe or other "
                              "special file")
        if st.st_size > MAX_FILE_BYTES:
            raise _too_big(st.st_size)
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # the size may have changed meanwhile
    except FileNotFoundError as e:
        raise Invalid("", "expected an existing file, got no file at this path "
                          f"({e.strerror or 'No such file or directory'})") from None
    except PermissionError:
        raise Invalid("", "expected a file nnsim may read, got permission denied") from None
    except IsADirectoryError:
        raise Invalid("", "expected a file, got a folder") from None
    except OSError as e:
        raise Invalid("", "expected a readable file, got an error reading it "
                          f"({e.strerror or e})") from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(len(data))
    return data


def load_project(path) -> Project:
    """Read and validate the .nnsim file at ``path``."""
    source = os.fsdecode(os.fspath(path))
    try:
        data = _read(path)
    except Invalid as e:
        raise e.with_source(source) from None
    return _text_to_project(data, source)


def save_project(project: Project, path) -> None:
    """Write ``project`` to ``path`` atomically.

    FileFormatError when the project cannot be saved (NaN weights, ...);
    OSError (naming ``path``) when the file cannot be written. Either way
    an existing file at ``path`` is left untouched.
    """
    source = os.fsdecode(os.fspath(path))
    text = dump(_checked_obj(project, source))
    atomic_write_bytes(path, text.encode("utf-8"))
