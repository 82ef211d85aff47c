"""What a valid ``.nnsim`` file may hold, as plain data: the format's name and
version, the migrations from older versions, the size limits (re-exported from
``nnsim.core.limits``), the keys each object may have, and the rules for a
few values.

No checking code lives here: the reader (``project_reader``), the writer
(``project_writer``) and the public API (``project_file``, ``nnsim.io``)
share these definitions. ``docs/file-format.md`` documents the same rules
for people.
"""
from __future__ import annotations

import math
from typing import Callable

# The limits (MAX_FILE_BYTES, MAX_LAYERS, ...) are defined in nnsim.core.limits;
# the reader checks them before anything is allocated.
from ..core.limits import (DATA_MAX_N, DATA_MIN_N, MAX_COORDINATE, MAX_COUNT,  # noqa: F401
                           MAX_LAYERS, MAX_PARAMETERS, MAX_STEPS, MAX_UNITS)
from ..core.limits import FILE_MAX_BYTES as MAX_FILE_BYTES  # noqa: F401

FORMAT_NAME = "nnsim"
FORMAT_VERSION = 2

# Every version older than FORMAT_VERSION has its migration in migrations.py.

# Saved arrays per parameter, per optimizer (Optimizer.slots), and what they are.
SLOT_KINDS = {"sgd": (), "momentum": ("velocities",),
              "adam": ("first moments", "second moments")}

TOP_KEYS = ("format", "version", "title", "description", "network", "training",
            "data", "layout", "history", "optimizer_state", "input_transform")
NETWORK_KEYS = ("inputs", "loss", "layers")
LAYER_KEYS = ("units", "activation", "weights", "bias", "train_bias", "mask")
TRAINING_KEYS = ("learning_rate", "batch_size", "optimizer", "optimizer_params",
                 "epochs", "seed", "initializer", "shuffle", "stop_loss", "dtype",
                 "regularization", "regularization_rate")
BUILTIN_DATA_KEYS = ("builtin", "n", "noise", "test_fraction", "seed")
POINTS_DATA_KEYS = ("points", "input_names", "target_names", "kind", "source")
POINTS_KEYS = ("inputs", "targets", "test_inputs", "test_targets")
EPOCH_KEYS = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
STATE_KEYS = ("t", "slots")
INPUT_TRANSFORM_KEYS = ("features", "standardize")

# How a history entry spells a loss that is not a finite number (the writer,
# project_writer._float_out, writes the same words).
_NONFINITE_TEXT = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

_UNIT_FRACTION = "a number from 0 up to (not including) 1"
_OPTIMIZER_PARAM_RULES: dict[str, tuple[str, Callable[[float], bool]]] = {
    "momentum": (_UNIT_FRACTION, lambda f: 0.0 <= f < 1.0),
    "beta1": (_UNIT_FRACTION, lambda f: 0.0 <= f < 1.0),
    "beta2": (_UNIT_FRACTION, lambda f: 0.0 <= f < 1.0),
    "epsilon": ("a number above 0 and at most 1", lambda f: 0.0 < f <= 1.0),
}
