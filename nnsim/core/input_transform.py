"""From the data's columns to the network's inputs: feature inputs and
standardisation, the one place that computes them.

The data stays what the user has (the points table shows it, the file holds
it); the network sees ``InputTransform.apply(X)`` of it:

1. feature inputs (two-input data only, as in TensorFlow Playground): the
   raw columns, then one column per chosen feature (x1², x2², x1·x2, sin x1,
   sin x2), in the order they were added, so adding one appends an input
   neuron and removing one removes its neuron;
2. standardisation (optional): every network input, features included,
   minus its mean, divided by its standard deviation, both taken from the
   TRAINING rows only (test rows and the decision map's grid use the same
   numbers, so nothing of the test set leaks into training).

Features come first so that their names mean what they say ("x1²" is the
square of the user's x1, the map's axis) and so that standardisation then
puts every input, derived or not, on the same scale; squaring a standardised
column instead would give a feature with mean 1 and its own spread again.

The transform is fitted once per data or option change (``network_data``),
never per epoch: the epoch engine trains on the arrays it returns, and with
the default options those are the data's own arrays (no copy).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .datasets import Dataset

Array = np.ndarray

# The file's name of each feature -> (its column from x1, x2; the canvas's name
# pattern, filled with the raw columns' names).
FEATURES: dict[str, tuple] = {
    "x1^2": (lambda X: X[:, 0] ** 2, "{0}\u00b2"),
    "x2^2": (lambda X: X[:, 1] ** 2, "{1}\u00b2"),
    "x1*x2": (lambda X: X[:, 0] * X[:, 1], "{0}\u00b7{1}"),
    "sin(x1)": (lambda X: np.sin(X[:, 0]), "sin {0}"),
    "sin(x2)": (lambda X: np.sin(X[:, 1]), "sin {1}"),
}
FEATURE_INPUTS = 2  # features are defined for two-input data
SCALE_RATIO = 10.0  # columns whose scales differ more than this: suggest standardising
OFF_CENTRE = 3.0  # a column whose mean is this many deviations from 0: suggest it too


@dataclass(frozen=True)
class InputOptions:
    """What the user chose; saved in the file (``inputs``)."""

    features: tuple[str, ...] = ()  # keys of FEATURES, in the order added
    standardize: bool = False

    @property
    def is_default(self) -> bool:
        return not self.features and not self.standardize

    def check(self, n_raw: int) -> None:
        """Raise ValueError naming the problem (the io layer adds the field)."""
        for f in self.features:
            if f not in FEATURES:
                raise ValueError(f"unknown feature {f!r} (choose from {', '.join(FEATURES)})")
        if len(set(self.features)) != len(self.features):
            raise ValueError("a feature is listed twice")
        if self.features and n_raw != FEATURE_INPUTS:
            raise ValueError(f"feature inputs need data with {FEATURE_INPUTS} input columns; "
                             f"this data has {n_raw}")

    def with_feature(self, name: str, on: bool) -> "InputOptions":
        if on and name not in self.features:
            return replace(self, features=self.features + (name,))
        if not on and name in self.features:
            return replace(self, features=tuple(f for f in self.features if f != name))
        return self


def feature_names(features, raw_names: list[str]) -> list[str]:
    """The canvas's names of the feature inputs, e.g. ["x1²", "sin x2"]."""
    return [FEATURES[f][1].format(*raw_names) for f in features]


def with_features(X: Array, features) -> Array:
    """The raw columns followed by the feature columns."""
    X = np.asarray(X, dtype=float)
    if not features:
        return X
    return np.column_stack([X] + [FEATURES[f][0](X) for f in features])


@dataclass(frozen=True)
class InputTransform:
    """Raw data rows -> network inputs, fitted on the training rows."""

    features: tuple[str, ...] = ()
    mean: Array | None = None  # per network input; None: not standardised
    std: Array | None = None

    @property
    def is_identity(self) -> bool:
        return not self.features and self.mean is None

    def apply(self, X: Array) -> Array:
        """Network inputs for raw rows ``X`` (n, n_raw): the same array when
        there is nothing to do, else one new float64 array."""
        if self.is_identity:
            return X
        Z = with_features(X, self.features)
        if self.mean is not None:
            Z = (Z - self.mean) / self.std  # a new array: the data is never changed
        return Z

    def raw_of(self, Z: Array, n_raw: int) -> Array:
        """The raw columns back from network inputs (the first ``n_raw``)."""
        Z = np.asarray(Z, dtype=float)[..., :n_raw]
        if self.mean is None:
            return Z
        return Z * self.std[:n_raw] + self.mean[:n_raw]


def fit(options: InputOptions, X_train: Array) -> InputTransform:
    """The transform for ``options``, its statistics from the training rows. A
    column that does not vary gets deviation 1 (only centred); no training
    rows: mean 0, deviation 1."""
    if not options.standardize:
        return InputTransform(tuple(options.features))
    Z = with_features(X_train, options.features)
    if len(Z) == 0:
        return InputTransform(tuple(options.features), np.zeros(Z.shape[1]), np.ones(Z.shape[1]))
    with np.errstate(all="ignore"):
        mean = Z.mean(axis=0)
        std = Z.std(axis=0)
    std = np.where(np.isfinite(std) & (std > 0), std, 1.0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    return InputTransform(tuple(options.features), mean, std)


def network_data(raw: Dataset, options: InputOptions) -> tuple[Dataset, InputTransform]:
    """The data set the network trains on (same rows, same order, same
    targets) and the transform that made it. The default options return
    ``raw`` itself."""
    options.check(raw.n_inputs)
    t = fit(options, raw.X_train)
    if t.is_identity:
        return raw, t
    names = list(raw.input_names) + feature_names(t.features, list(raw.input_names))
    return Dataset(t.apply(raw.X_train), raw.Y_train, t.apply(raw.X_test), raw.Y_test,
                   raw.kind, raw.name, names, list(raw.target_names)), t


def scale_ratio(X: Array) -> float:
    """How many times the largest column's scale exceeds the smallest's; a
    column's scale is its root mean square, so an offset counts as much as a
    spread (1 for fewer than two non-zero columns)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or len(X) == 0 or X.shape[1] < 2:
        return 1.0
    with np.errstate(all="ignore"):
        rms = np.sqrt(np.mean(X * X, axis=0))
    rms = rms[np.isfinite(rms) & (rms > 0)]
    if len(rms) < 2:
        return 1.0
    return float(rms.max() / rms.min())


def scaling_advice(X: Array, names: list[str]) -> str | None:
    """One line suggesting to standardise, or None: when the columns' scales
    differ more than SCALE_RATIO times, or a column lies far from 0 (its mean
    more than OFF_CENTRE deviations away: every unit of the first layer then
    starts on the same side, often saturated, as raw iris measurements do)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or len(X) < 2:
        return None
    ratio = scale_ratio(X)
    if ratio > SCALE_RATIO:
        return (f"The input columns differ in scale by {ratio:.0f} times: "
                f"standardise the inputs so that each counts alike.")
    with np.errstate(all="ignore"):
        mean, std = X.mean(axis=0), X.std(axis=0)
    for j, (m, s) in enumerate(zip(mean, std)):
        if np.isfinite(m) and np.isfinite(s) and abs(m) > OFF_CENTRE * max(s, 1e-12) \
                and abs(m) > 1.0:
            return (f"{names[j]} lies far from 0 (mean {m:.3g}, deviation {s:.3g}): "
                    f"standardise the inputs so that training can start.")
    return None
