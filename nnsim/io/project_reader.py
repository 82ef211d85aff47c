"""JSON value -> Project: reading a parsed ``.nnsim`` file.

``_project_from_obj`` checks the format name and version, runs the
migrations of an older file, then reads each section (network, training,
data, layout, history, optimizer state) with the checkers of ``validators``
and builds the core objects. Every problem is raised as
:class:`~nnsim.io.errors.Invalid` naming the field; ``project_file`` adds
the file name. Limits are checked before anything is allocated.
"""
from __future__ import annotations

import re

import numpy as np

from ..core import activations as actmod
from ..core import losses as lossmod
from ..core.datasets import BUILTIN, KINDS, DataSpec
from ..core.initializers import INITIALIZERS, init_weights
from ..core.input_transform import FEATURE_INPUTS, FEATURES, InputOptions
from ..core.network import Layer, Network
from ..core.optimizers import DEFAULT_PARAMS, OPTIMIZERS
from ..core.project import History, ImportedData, Project, placeholder_data
from ..core import naming
from ..core.limits import MAX_LEARNING_RATE, MAX_REGULARIZATION_RATE, MAX_SEED
from ..core.regularization import REGULARIZATIONS
from ..core.training import DTYPES, TrainingConfig
from .errors import Invalid
from .history_columns import history_in
from .migrations import MIGRATIONS
from .packed import is_packed, unpack
from .format_rules import (BUILTIN_DATA_KEYS, DATA_MAX_N, DATA_MIN_N, FORMAT_NAME,
                           INPUT_TRANSFORM_KEYS,
                           FORMAT_VERSION, LAYER_KEYS, MAX_COORDINATE, MAX_COUNT, MAX_LAYERS,
                           MAX_PARAMETERS, MAX_STEPS, MAX_UNITS, NETWORK_KEYS,
                           POINTS_DATA_KEYS, POINTS_KEYS, SLOT_KINDS, STATE_KEYS, TOP_KEYS,
                           TRAINING_KEYS, _OPTIMIZER_PARAM_RULES,
                           _UNIT_FRACTION)
from .validators import (_MISSING, _bool, _choice, _describe, _index_path,
                         _int, _key, _list, _matrix, _n, _number, _object, _param_note,
                         _plural, _string, _table, _vector)


# ============================================== arrays: lists, or packed (v2)

def _matrix_in(v, path: str, rows: int, cols: int, note: str = "") -> np.ndarray:
    return unpack(v, path, (rows, cols)) if is_packed(v) else \
        _matrix(v, path, rows, cols, note)


def _vector_in(v, path: str, n: int, note: str = "") -> np.ndarray:
    return unpack(v, path, (n,)) if is_packed(v) else _vector(v, path, n, note)


def _table_in(v, path: str, cols: int, note: str, rows: int | None = None,
              rows_note: str = "") -> np.ndarray:
    if not is_packed(v):
        return _table(v, path, cols, note, rows, rows_note)
    a = unpack(v, path, (None, cols))
    if rows is not None and len(a) != rows:
        raise Invalid(path, f"expected {_plural(rows, 'row')}{rows_note}, got {_n(len(a))}")
    return a


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
    return n_inputs, loss, specs


def _layers(specs: list, training: TrainingConfig) -> list[Layer]:
    # One generator for the whole network, used layer by layer in order; a
    # layer whose weights are in the file draws no random numbers.
    rng = np.random.default_rng(training.seed)
    layers = []
    for lo, path, n_in, units, activation in specs:
        if "weights" in lo:
            W = _matrix_in(lo["weights"], path + ".weights", n_in, units,
                           f" (rows: {_plural(n_in, 'neuron')} feeding in, columns: "
                           f"{_plural(units, 'neuron')} of this layer)")
        else:
            W = init_weights(training.initializer, n_in, units, rng)
        b = (_vector_in(lo["bias"], path + ".bias", units, " (one per neuron)")
             if "bias" in lo else np.zeros(units))
        train_bias = _bool(lo.get("train_bias", True), path + ".train_bias",
                           " (false keeps this layer's biases fixed during training)")
        mask = None
        if "mask" in lo:
            mask = _matrix(lo["mask"], path + ".mask", n_in, units,
                           " of true/false like the weights", kind="bool")
            if mask.all():
                mask = None  # fully connected: the same as no mask
        layers.append(Layer(W, b, activation, mask, train_bias))
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
    regularization = _choice(tr.get("regularization", "none"), "training.regularization",
                             REGULARIZATIONS)
    regularization_rate = _number(tr.get("regularization_rate", 0.0),
                                  "training.regularization_rate",
                                  f"a number from 0 to {MAX_REGULARIZATION_RATE:g}",
                                  lambda f: 0.0 <= f <= MAX_REGULARIZATION_RATE)
    cfg = TrainingConfig(learning_rate=lr, batch_size=batch_size, optimizer=optimizer,
                         optimizer_params=params, epochs=epochs, seed=seed,
                         initializer=initializer, shuffle=shuffle, stop_loss=stop_loss,
                         dtype=dtype, regularization=regularization,
                         regularization_rate=regularization_rate)
    try:
        cfg.validate()
    except ValueError as e:
        raise _core_error(e, "training") from None
    return cfg


# ======================================================================== data

def _count_words(n_in: int, n_out: int) -> str:
    return f"{_plural(n_in, 'input')} and {_plural(n_out, 'output')}"


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
    # no rows is allowed: the Data panel can delete every row before typing new ones
    X = _table_in(pts.get("inputs", _MISSING), "data.points.inputs", n_in, in_note)
    Y = _table_in(pts.get("targets", _MISSING), "data.points.targets", n_out, out_note,
                  rows=len(X), rows_note=" (one per row of data.points.inputs)")
    Xt = _table_in(pts.get("test_inputs", []), "data.points.test_inputs", n_in, in_note)
    Yt = _table_in(pts.get("test_targets", []), "data.points.test_targets", n_out, out_note,
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
                         naming.input_names(n_in))
    target_names = _names(d.get("target_names", _MISSING), "data.target_names", n_out,
                          naming.target_names(kind, n_out))
    source = _string(d.get("source", ""), "data.source")
    return ImportedData(X, Y, Xt, Yt, input_names, target_names, kind, source)


def _input_transform(v, n_inputs: int) -> InputOptions:
    """Feature inputs and standardisation (core/input_transform.py). The
    network's inputs are the data's columns followed by the features."""
    d = _object(v, "input_transform", INPUT_TRANSFORM_KEYS)
    raw = _list(d.get("features", []), "input_transform.features",
                f"a list of feature names ({', '.join(FEATURES)})")
    features = []
    for i, f in enumerate(raw):
        name = _choice(f, f"input_transform.features[{i}]", FEATURES)
        if name in features:
            raise Invalid(f"input_transform.features[{i}]",
                          f"expected each feature once, got {name!r} twice")
        features.append(name)
    if features and n_inputs - len(features) != FEATURE_INPUTS:
        raise Invalid("input_transform.features",
                      f"expected network.inputs to be {FEATURE_INPUTS} data columns plus one "
                      f"per feature ({FEATURE_INPUTS + len(features)}), got {n_inputs}")
    standardize = _bool(d.get("standardize", False), "input_transform.standardize")
    return InputOptions(tuple(features), standardize)


# ============================================== layout, history, optimizer state

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
            within = f"a number from -{_n(int(MAX_COORDINATE))} to {_n(int(MAX_COORDINATE))}"
            x, y = (_number(c, f"{p}[{i}]", within, lambda f: abs(f) <= MAX_COORDINATE)
                    for i, c in enumerate(pos))
            row.append((x, y))
        out.append(row)
    # all automatic is the same as no layout (and saved as none)
    return out if any(pos is not None for row in out for pos in row) else None


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
                a = _matrix_in(arr, ppath, shape[0], shape[1], f" like {_param_note(p)}")
            else:
                a = _vector_in(arr, ppath, shape[0], f" like {_param_note(p)}")
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
    inputs = (_input_transform(top["input_transform"], n_inputs)
              if "input_transform" in top else InputOptions())
    n_raw = n_inputs - len(inputs.features)  # the data has the network's inputs but the features
    if "data" in top:
        data = _data(top["data"], n_raw, sizes[-1])
    else:  # the placeholder: the XOR table, or empty columns in the network's shape
        data = placeholder_data(n_raw, sizes[-1], loss)
    layout = _layout(top["layout"], sizes) if "layout" in top else None
    history = history_in(top["history"]) if "history" in top else History()
    state = (_optimizer_state(top["optimizer_state"], training.optimizer, layers)
             if "optimizer_state" in top else None)

    network = Network(n_inputs, layers, loss)
    try:
        network.validate()
    except ValueError as e:
        raise _core_error(e, "network") from None
    return Project(network=network, training=training, data=data, title=title,
                   description=description, layout=layout, history=history,
                   optimizer_state=state, inputs=inputs)
