"""Built-in data sets and imported arrays, split into training and test rows.

Every array is float64 and 2-D: X is (n, n_inputs), Y is (n, n_outputs).
The 2-D inputs of all built-in sets lie roughly within [-1, 1]^2, so a network
and a decision map can use them unscaled.

All randomness comes from one ``np.random.default_rng(spec.seed)``: the points
are drawn first, then the same Generator shuffles them for the split. The same
spec therefore gives bit-identical arrays in the GUI and in the CLI.

``noise`` means the same for every generator except ``xor_table``: the standard
deviation of gaussian jitter added to each input coordinate, in input units,
after the clean point (and its label or target) has been made. So labels and
targets always belong to the clean point; noise only blurs the picture.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from . import naming
from .limits import DATA_MAX_N, DATA_MIN_N

Array = np.ndarray

KINDS = ("binary", "multiclass", "regression")



@dataclass(frozen=True)
class DataSpec:
    """What to generate. Checked by ``make``, which raises ValueError."""
    name: str                   # one of BUILTIN
    n: int = 200                # points in total (train + test); ignored by xor_table
    noise: float = 0.1          # std of gaussian jitter on the inputs, in input units
    test_fraction: float = 0.2  # 0 <= f < 1
    seed: int = 0


@dataclass
class Dataset:
    """Training and test rows of one data set, each pair 2-D float64."""
    X_train: Array
    Y_train: Array
    X_test: Array
    Y_test: Array
    kind: str                   # "binary", "multiclass" or "regression"
    name: str                   # builtin name, or "imported"
    input_names: list[str]      # e.g. ["x1", "x2"]
    target_names: list[str]     # e.g. ["y"] or ["class 0", "class 1", "class 2"]

    @property
    def n_inputs(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.Y_train.shape[1]

    def batch(self, indices) -> tuple[Array, Array]:
        """Rows of the training set: (X, Y), 2-D even for a single index."""
        if not isinstance(indices, slice):
            # a single int would drop a dimension; keep (1, n) instead
            indices = np.atleast_1d(np.asarray(indices, dtype=np.intp))  # [] too
        return self.X_train[indices], self.Y_train[indices]


@dataclass(frozen=True)
class BuiltinInfo:
    name: str
    n_inputs: int
    n_outputs: int
    kind: str
    description: str            # one short sentence a learner understands


def _info(name, n_outputs, kind, description):
    return BuiltinInfo(name, 2, n_outputs, kind, description)


BUILTIN: dict[str, BuiltinInfo] = {info.name: info for info in (
    _info("xor_table", 1, "binary",
          "The four rows of the XOR truth table: the output is 1 when exactly "
          "one input is 1."),
    _info("xor", 1, "binary",
          "Points in four squares: class 1 where x1 and x2 have opposite signs."),
    _info("circle", 1, "binary",
          "Class 1 inside a circle, class 0 on a ring around it."),
    _info("gaussians", 1, "binary",
          "Two round clouds of points, one per class; a straight line "
          "separates them."),
    _info("spiral", 1, "binary",
          "Two spirals wound around each other, one per class; a hard one."),
    _info("moons", 1, "binary",
          "Two interlocking half circles, one per class."),
    _info("three_class", 3, "multiclass",
          "Three clouds of points, one per class, with one-hot targets."),
    _info("plane", 1, "regression",
          "The target is a tilted plane, y = (x1 + 2*x2)/3."),
    _info("multi_gaussian", 1, "regression",
          "The target is a landscape of two hills and two valleys."),
)}


# ---------------------------------------------------------------- validation

def _is_int(v) -> bool:
    return isinstance(v, Integral) and not isinstance(v, bool)


def _is_real(v) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def _show(v) -> str:
    # NumPy 2 writes np.float64(0.5) for repr; a learner should read 0.5
    return repr(v.item() if isinstance(v, np.generic) else v)


def _check_test_fraction(f, field_name: str) -> float:
    if not (_is_real(f) and math.isfinite(f) and 0.0 <= f < 1.0):
        raise ValueError(
            f"{field_name}: expected a number from 0 up to (not including) 1, "
            f"got {_show(f)}")
    return float(f)


def _check_spec(spec: DataSpec) -> None:
    # Every field is checked whatever the name, so a stored spec stays valid
    # when the user switches to another data set.
    if not isinstance(spec.name, str) or spec.name not in BUILTIN:
        raise ValueError(f"data.name: expected one of {', '.join(BUILTIN)}, "
                         f"got {_show(spec.name)}")
    if not (_is_int(spec.n) and DATA_MIN_N <= spec.n <= DATA_MAX_N):
        raise ValueError(f"data.n: expected an integer from {DATA_MIN_N} to {DATA_MAX_N}, "
                         f"got {_show(spec.n)}")
    if not (_is_real(spec.noise) and math.isfinite(spec.noise)
            and spec.noise >= 0):
        raise ValueError(f"data.noise: expected a finite number >= 0, "
                         f"got {_show(spec.noise)}")
    _check_test_fraction(spec.test_fraction, "data.test_fraction")
    # default_rng refuses negative seeds; say so in our own words
    if not (_is_int(spec.seed) and spec.seed >= 0):
        raise ValueError(f"data.seed: expected an integer >= 0, "
                         f"got {_show(spec.seed)}")


# ---------------------------------------------------------------- generators
# Each takes (n, rng) and returns clean (X, Y) with classes in blocks;
# make() adds the noise and the shuffled split.

def _class_counts(n: int, k: int) -> list[int]:
    # n//k each; the remainder goes to the first classes, so class 1 of a
    # binary set always has exactly n//2 points
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _labels(counts: list[int]) -> Array:
    """Binary targets (n, 1): counts[0] zeros, then counts[1] ones."""
    return np.repeat([0.0, 1.0], counts)[:, None]


def _xor(n, rng):
    n0, n1 = _class_counts(n, 2)
    # |x| in [margin, 1] keeps the clean points off the axes, where the label flips
    margin = 0.05
    mag = rng.uniform(margin, 1.0, size=(n, 2))
    s1 = rng.choice([-1.0, 1.0], size=n)
    # class 0: same signs (x1*x2 > 0); class 1: opposite signs (x1*x2 < 0)
    s2 = np.concatenate([s1[:n0], -s1[n0:]])
    X = mag * np.column_stack([s1, s2])
    return X, _labels([n0, n1])


def _disk_points(r_lo, r_hi, count, rng):
    # r = sqrt(uniform in [r_lo^2, r_hi^2]) spreads points evenly over the area
    r = np.sqrt(rng.uniform(r_lo ** 2, r_hi ** 2, size=count))
    t = rng.uniform(0.0, 2 * np.pi, size=count)
    return np.column_stack([r * np.cos(t), r * np.sin(t)])


def _circle(n, rng):
    n0, n1 = _class_counts(n, 2)
    ring = _disk_points(0.7, 1.0, n0, rng)     # class 0 outside
    inner = _disk_points(0.0, 0.5, n1, rng)    # class 1 inside
    return np.vstack([ring, inner]), _labels([n0, n1])


def _blob(centre, std, count, rng):
    """Gaussian cloud cut off at 3 std, so clouds that far apart never overlap."""
    pts = rng.normal(0.0, std, size=(count, 2))
    far = np.hypot(pts[:, 0], pts[:, 1]) > 3 * std
    while far.any():  # redraw the rare far points (same rng, so reproducible)
        pts[far] = rng.normal(0.0, std, size=(int(far.sum()), 2))
        far = np.hypot(pts[:, 0], pts[:, 1]) > 3 * std
    return pts + np.asarray(centre, dtype=float)


# Centres and spreads chosen so that 3 std stays short of the halfway point
# between centres: the clean clouds are separable.
_GAUSSIAN_CENTRES = ((-0.5, -0.5), (0.5, 0.5))
_GAUSSIAN_STD = 0.2         # 3 std = 0.6 < 0.707, the distance to x1 + x2 = 0
_THREE_CLASS_CENTRES = tuple(  # on a circle of radius 0.5, a third of a turn apart
    (0.5 * math.cos(math.radians(a)), 0.5 * math.sin(math.radians(a)))
    for a in (90.0, 210.0, 330.0))
_THREE_CLASS_STD = 0.14     # 3 std = 0.42 < 0.433, half the centre distance


def _gaussians(n, rng):
    counts = _class_counts(n, 2)
    X = np.vstack([_blob(c, _GAUSSIAN_STD, m, rng)
                   for c, m in zip(_GAUSSIAN_CENTRES, counts)])
    return X, _labels(counts)


def _spiral(n, rng):
    # TensorFlow Playground's spiral, radius scaled to 1: 1.75 turns per arm,
    # the second arm rotated by half a turn
    counts = _class_counts(n, 2)
    parts = []
    for k, m in enumerate(counts):
        r = rng.uniform(0.0, 1.0, size=m)
        t = 1.75 * 2 * np.pi * r + k * np.pi
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    return np.vstack(parts), _labels(counts)


def _moons(n, rng):
    # sklearn's make_moons shape (x in [-1, 2], y in [-0.5, 1]), centred and
    # shrunk by 1.5 so it fits [-1, 1] x [-0.5, 0.5] without distortion
    n0, n1 = _class_counts(n, 2)
    t0 = rng.uniform(0.0, np.pi, size=n0)
    t1 = rng.uniform(0.0, np.pi, size=n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = (np.vstack([upper, lower]) - [0.5, 0.25]) / 1.5
    return X, _labels([n0, n1])


def _three_class(n, rng):
    counts = _class_counts(n, 3)
    X = np.vstack([_blob(c, _THREE_CLASS_STD, m, rng)
                   for c, m in zip(_THREE_CLASS_CENTRES, counts)])
    Y = np.repeat(np.eye(3), counts, axis=0)
    return X, Y


def _plane(n, rng):
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    return X, ((X[:, 0] + 2.0 * X[:, 1]) / 3.0)[:, None]


# (x1, x2, sign) of each bump: hills on one diagonal, valleys on the other
_BUMPS = ((-0.5, -0.5, 1.0), (0.5, 0.5, 1.0), (-0.5, 0.5, -1.0), (0.5, -0.5, -1.0))
_BUMP_STD = 0.3


def _bumps(X: Array) -> Array:
    y = np.zeros(len(X))
    for cx, cy, sign in _BUMPS:
        d2 = (X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2
        y += sign * np.exp(-d2 / (2 * _BUMP_STD ** 2))
    return y


# Scale by the peak on a fine grid, so the target spans about [-1, 1]
# whatever the bumps are; a fixed constant keeps every seed on the same surface.
_GRID = np.stack(np.meshgrid(*[np.linspace(-1.0, 1.0, 201)] * 2), -1).reshape(-1, 2)
_BUMP_SCALE = 1.0 / np.abs(_bumps(_GRID)).max()
del _GRID


def _multi_gaussian(n, rng):
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    return X, (_BUMP_SCALE * _bumps(X))[:, None]


_GENERATORS = {
    "xor": _xor, "circle": _circle, "gaussians": _gaussians, "spiral": _spiral,
    "moons": _moons, "three_class": _three_class, "plane": _plane,
    "multi_gaussian": _multi_gaussian,
}

_XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


# ---------------------------------------------------------------- public API

def make(spec: DataSpec) -> Dataset:
    """Generate the built-in data set ``spec`` describes (ValueError if invalid)."""
    _check_spec(spec)
    info = BUILTIN[spec.name]
    if spec.name == "xor_table":
        # a truth table has nothing to hold out: test on the same four rows
        return Dataset(_XOR_X.copy(), _XOR_Y.copy(), _XOR_X.copy(), _XOR_Y.copy(),
                       info.kind, info.name, ["x1", "x2"],
                       naming.target_names(info.kind, info.n_outputs))
    rng = np.random.default_rng(spec.seed)
    X, Y = _GENERATORS[spec.name](int(spec.n), rng)
    if spec.noise > 0:  # skipping the draw keeps noise 0 exactly clean
        X = X + rng.normal(0.0, float(spec.noise), size=X.shape)
    parts = split(X, Y, spec.test_fraction, rng)
    return Dataset(*parts, kind=info.kind, name=info.name,
                   input_names=naming.input_names(info.n_inputs),
                   target_names=naming.target_names(info.kind, info.n_outputs))


def split(X: Array, Y: Array, test_fraction: float,
          rng: np.random.Generator) -> tuple[Array, Array, Array, Array]:
    """Shuffle the rows and split them: (X_train, Y_train, X_test, Y_test).

    The test set gets round(n * test_fraction) rows (halves round up), but
    never all of them: at least one row stays for training.
    """
    f = _check_test_fraction(test_fraction, "test_fraction")
    n = len(X)
    if n < 1 or len(Y) != n:
        raise ValueError(f"split: expected X and Y with the same number of rows "
                         f"(at least 1), got {len(X)} and {len(Y)}")
    n_test = min(int(math.floor(n * f + 0.5)), n - 1)
    order = rng.permutation(n)
    train, test = order[n_test:], order[:n_test]
    return X[train], Y[train], X[test], Y[test]


def _as_2d(a, field_name: str) -> Array:
    try:
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{field_name}: expected numbers in a table of rows "
                         f"and columns") from None
    if a.ndim == 1:  # a plain list of values is one column
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{field_name}: expected a non-empty 2-D table, "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{field_name}: expected finite numbers, found NaN or inf")
    return a


def _is_binary(Y: Array) -> bool:
    return Y.shape[1] == 1 and bool(np.all((Y == 0) | (Y == 1)))


def _is_one_hot(Y: Array) -> bool:
    return (Y.shape[1] >= 2 and bool(np.all((Y == 0) | (Y == 1)))
            and bool(np.all(Y.sum(axis=1) == 1)))


def from_arrays(X, Y, *, test_fraction: float = 0.2, seed: int = 0,
                name: str = "imported", input_names: list[str] | None = None,
                target_names: list[str] | None = None,
                kind: str | None = None) -> Dataset:
    """Wrap the user's own points (e.g. from a CSV file) as a shuffled Dataset.

    A 1-D X or Y is taken as one column. ``kind`` is inferred when None: one
    column of only 0/1 is binary, several columns with one 1 per row is
    multiclass, anything else regression.
    """
    X, Y = _as_2d(X, "X"), _as_2d(Y, "Y")
    if len(X) != len(Y):
        raise ValueError(f"Y: expected {len(X)} rows like X, got {len(Y)}")
    if kind is None:
        kind = ("binary" if _is_binary(Y) else
                "multiclass" if _is_one_hot(Y) else "regression")
    elif kind not in KINDS:
        raise ValueError(f"kind: expected one of {', '.join(KINDS)}, "
                         f"got {_show(kind)}")
    elif kind == "binary" and not _is_binary(Y):
        raise ValueError("Y: kind binary needs one column of only 0 and 1")
    elif kind == "multiclass" and not _is_one_hot(Y):
        raise ValueError("Y: kind multiclass needs two or more columns with "
                         "exactly one 1 in each row (one-hot)")
    if input_names is None:
        input_names = naming.input_names(X.shape[1])
    if target_names is None:
        target_names = naming.target_names(kind, Y.shape[1])
    if len(input_names) != X.shape[1]:
        raise ValueError(f"input_names: expected {X.shape[1]} names, "
                         f"got {len(input_names)}")
    if len(target_names) != Y.shape[1]:
        raise ValueError(f"target_names: expected {Y.shape[1]} names, "
                         f"got {len(target_names)}")
    if not (_is_int(seed) and seed >= 0):
        raise ValueError(f"seed: expected an integer >= 0, got {_show(seed)}")
    parts = split(X, Y, test_fraction, np.random.default_rng(seed))
    return Dataset(*parts, kind=kind, name=name, input_names=list(input_names),
                   target_names=list(target_names))


def accuracy(Y_true, A) -> float:
    """Fraction of rows classified correctly (NaN for no rows).

    One column: class 1 when the output is above 0.5 (targets likewise).
    Several columns: the class is the column with the largest value.
    """
    Y_true = np.asarray(Y_true, dtype=np.float64)
    A = np.asarray(A, dtype=np.float64)
    if Y_true.ndim == 1:
        Y_true = Y_true[:, None]
    if A.ndim == 1:
        A = A[:, None]
    if Y_true.shape != A.shape or Y_true.ndim != 2:
        raise ValueError(f"accuracy: targets {Y_true.shape} and outputs "
                         f"{A.shape} must have the same 2-D shape")
    if len(A) == 0:
        return float("nan")
    if A.shape[1] == 1:
        correct = (A[:, 0] > 0.5) == (Y_true[:, 0] > 0.5)
    else:
        correct = np.argmax(A, axis=1) == np.argmax(Y_true, axis=1)
    return float(np.mean(correct))
