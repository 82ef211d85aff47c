"""Built-in data sets, splitting, imported arrays and accuracy."""
import math

import numpy as np
import pytest

from nnsim.core.datasets import (BUILTIN, DataSpec, Dataset, accuracy,
                                 from_arrays, make, split)

GENERATED = [name for name in BUILTIN if name != "xor_table"]


def _all_rows(ds: Dataset):
    return np.vstack([ds.X_train, ds.X_test]), np.vstack([ds.Y_train, ds.Y_test])


def _arrays(ds: Dataset):
    return ds.X_train, ds.Y_train, ds.X_test, ds.Y_test


def test_builtin_order_and_infos():
    assert list(BUILTIN) == ["xor_table", "xor", "circle", "gaussians", "spiral",
                             "moons", "three_class", "plane", "multi_gaussian"]
    for name, info in BUILTIN.items():
        assert info.name == name
        assert info.kind in ("binary", "multiclass", "regression")
        assert info.description.endswith(".") and len(info.description) < 100


@pytest.mark.parametrize("name", list(BUILTIN))
def test_builtin_shapes_kind_and_finite_values(name):
    info = BUILTIN[name]
    ds = make(DataSpec(name, n=50))
    assert (ds.kind, ds.name) == (info.kind, name)
    assert (ds.n_inputs, ds.n_outputs) == (info.n_inputs, info.n_outputs)
    assert len(ds.input_names) == info.n_inputs
    assert len(ds.target_names) == info.n_outputs
    for a, cols in zip(_arrays(ds), [info.n_inputs, info.n_outputs] * 2):
        assert a.dtype == np.float64 and a.ndim == 2 and a.shape[1] == cols
        assert np.all(np.isfinite(a))
    X, Y = _all_rows(ds)
    # inputs are usable unscaled: roughly within [-1, 1]^2 (noise 0.1 on top)
    assert np.abs(X).max() < 1.6
    if info.kind != "regression":
        assert set(np.unique(Y)) <= {0.0, 1.0}
    else:
        assert np.abs(Y).max() <= 1.05


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_is_bit_identical_and_another_seed_differs(name):
    a = make(DataSpec(name, n=60, seed=3))
    b = make(DataSpec(name, n=60, seed=3))
    c = make(DataSpec(name, n=60, seed=4))
    for x, y in zip(_arrays(a), _arrays(b)):
        assert x.tobytes() == y.tobytes()
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("n, f, n_test", [(200, 0.2, 40), (200, 0.0, 0),
                                          (10, 0.25, 3), (7, 0.5, 4),
                                          (4, 0.99, 3)])
def test_split_sizes_add_up_and_honour_test_fraction(n, f, n_test):
    ds = make(DataSpec("circle", n=n, test_fraction=f))
    assert len(ds.X_test) == len(ds.Y_test) == n_test
    assert len(ds.X_train) == len(ds.Y_train) == n - n_test
    assert ds.X_test.shape[1] == 2  # an empty test set is still 2-D


def test_split_is_a_shuffled_partition_of_the_rows():
    X = np.arange(20.0).reshape(10, 2)
    Y = X[:, :1] * 10
    Xtr, Ytr, Xte, Yte = split(X, Y, 0.3, np.random.default_rng(0))
    assert (len(Xtr), len(Xte)) == (7, 3)
    both = np.vstack([Xtr, Xte])
    assert sorted(both[:, 0]) == list(X[:, 0])
    assert not np.all(np.diff(Xtr[:, 0]) > 0)  # shuffled, not a block of rows
    np.testing.assert_array_equal(np.vstack([Ytr, Yte]), both[:, :1] * 10)
    # one row: it stays for training whatever the fraction
    Xtr, _, Xte, _ = split(X[:1], Y[:1], 0.9, np.random.default_rng(0))
    assert (len(Xtr), len(Xte)) == (1, 0)


def test_xor_table_is_exactly_the_truth_table():
    ds = make(DataSpec("xor_table", n=500, noise=0.5, test_fraction=0.5, seed=9))
    table_x = [[0, 0], [0, 1], [1, 0], [1, 1]]
    table_y = [[0], [1], [1], [0]]
    for X, Y in [(ds.X_train, ds.Y_train), (ds.X_test, ds.Y_test)]:
        np.testing.assert_array_equal(X, table_x)
        np.testing.assert_array_equal(Y, table_y)
    ds.X_test[0, 0] = 5.0  # train and test are separate arrays
    assert ds.X_train[0, 0] == 0.0


@pytest.mark.parametrize("name", [n for n in GENERATED if BUILTIN[n].kind == "binary"])
@pytest.mark.parametrize("n", [4, 101])
def test_binary_sets_are_balanced(name, n):
    ds = make(DataSpec(name, n=n))
    _, Y = _all_rows(ds)
    assert len(Y) == n
    assert Y.sum() == n // 2
    if n > 4:  # shuffled: the classes are mixed, not in two blocks
        assert np.count_nonzero(np.diff(ds.Y_train[:, 0])) > 10


def test_three_class_is_balanced_one_hot():
    _, Y = _all_rows(make(DataSpec("three_class", n=100)))
    np.testing.assert_array_equal(Y.sum(axis=1), 1.0)
    assert sorted(Y.sum(axis=0)) == [33, 33, 34]


def test_xor_without_noise_follows_the_sign_rule():
    X, Y = _all_rows(make(DataSpec("xor", n=400, noise=0.0)))
    np.testing.assert_array_equal(Y[:, 0], (X[:, 0] * X[:, 1] < 0))
    assert np.abs(X).min() > 0.01  # off the axes, where the rule flips
    assert np.abs(X).max() <= 1.0


def test_circle_without_noise_is_inside_one_outside_zero():
    X, Y = _all_rows(make(DataSpec("circle", n=400, noise=0.0)))
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_array_equal(Y[:, 0], r < 0.6)
    assert r[Y[:, 0] == 1].max() <= 0.5 and r[Y[:, 0] == 0].min() >= 0.7
    assert r.max() <= 1.0


def test_gaussians_without_noise_are_split_by_the_diagonal():
    X, Y = _all_rows(make(DataSpec("gaussians", n=1000, noise=0.0)))
    np.testing.assert_array_equal(Y[:, 0], X.sum(axis=1) > 0)


def test_three_class_without_noise_is_nearest_centre():
    X, Y = _all_rows(make(DataSpec("three_class", n=900, noise=0.0)))
    angles = np.radians([90.0, 210.0, 330.0])
    centres = 0.5 * np.column_stack([np.cos(angles), np.sin(angles)])
    nearest = np.argmin(((X[:, None, :] - centres) ** 2).sum(axis=2), axis=1)
    np.testing.assert_array_equal(nearest, Y.argmax(axis=1))


def test_moons_and_spiral_without_noise_lie_on_their_curves():
    X, Y = _all_rows(make(DataSpec("moons", n=300, noise=0.0)))
    P = X * 1.5 + [0.5, 0.25]  # back to the unit half circles
    upper, lower = P[Y[:, 0] == 0], P[Y[:, 0] == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= 0 and lower[:, 1].max() <= 0.5

    X, Y = _all_rows(make(DataSpec("spiral", n=300, noise=0.0)))
    r = np.hypot(X[:, 0], X[:, 1])
    angle = np.arctan2(X[:, 0], X[:, 1])  # x = r sin t, y = r cos t
    expected = 1.75 * 2 * np.pi * r + np.pi * Y[:, 0]
    wrapped = np.angle(np.exp(1j * (angle - expected)))
    np.testing.assert_allclose(wrapped, 0.0, atol=1e-9)


def test_regression_targets_without_noise():
    X, Y = _all_rows(make(DataSpec("plane", n=100, noise=0.0)))
    np.testing.assert_allclose(Y[:, 0], (X[:, 0] + 2 * X[:, 1]) / 3)
    X, Y = _all_rows(make(DataSpec("multi_gaussian", n=2000, noise=0.0)))
    assert Y.max() > 0.8 and Y.min() < -0.8 and np.abs(Y).max() <= 1.001
    # a hill near (0.5, 0.5), a valley near (-0.5, 0.5)
    near = lambda c: np.hypot(*(X - c).T) < 0.1  # noqa: E731
    assert Y[near([0.5, 0.5])].min() > 0.8
    assert Y[near([-0.5, 0.5])].max() < -0.8


def test_noise_is_gaussian_jitter_on_the_inputs_only():
    # the plane's target comes from the clean point, so with noise the residual
    # against the noisy inputs is the jitter: std noise * sqrt(1 + 4) / 3
    X, Y = _all_rows(make(DataSpec("plane", n=4000, noise=0.1)))
    resid = Y[:, 0] - (X[:, 0] + 2 * X[:, 1]) / 3
    assert resid.std() == pytest.approx(0.1 * math.sqrt(5) / 3, rel=0.1)
    # labels do not move with the points
    X, Y = _all_rows(make(DataSpec("circle", n=400, noise=0.3)))
    assert Y.sum() == 200 and np.abs(X).max() > 1.0


def test_batch_returns_2d_training_rows():
    ds = make(DataSpec("three_class", n=30))
    X, Y = ds.batch([2, 0])
    np.testing.assert_array_equal(X, ds.X_train[[2, 0]])
    np.testing.assert_array_equal(Y, ds.Y_train[[2, 0]])
    X, Y = ds.batch(np.int64(5))
    assert X.shape == (1, 2) and Y.shape == (1, 3)
    assert ds.batch(slice(0, 4))[0].shape == (4, 2)


@pytest.mark.parametrize("Y, kind, names", [
    ([0, 1, 1, 0, 1], "binary", ["y"]),
    ([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]], "multiclass",
     ["class 0", "class 1", "class 2"]),
    ([0.5, 1, 0, 2, 3], "regression", ["y"]),
    ([[0, 1], [1, 1], [1, 0], [0, 1], [1, 0]], "regression", ["y1", "y2"]),
    ([[0, 0], [1, 0], [1, 0], [0, 1], [1, 0]], "regression", ["y1", "y2"]),
])
def test_from_arrays_infers_the_kind(Y, kind, names):
    X = np.arange(10).reshape(5, 2)
    ds = from_arrays(X, Y, test_fraction=0.4)
    assert (ds.kind, ds.name, ds.target_names) == (kind, "imported", names)
    assert ds.input_names == ["x1", "x2"]
    assert ds.X_train.dtype == np.float64 and ds.Y_train.ndim == 2
    assert (len(ds.X_train), len(ds.X_test)) == (3, 2)
    # rows stay paired with their targets through the shuffle
    X_all, Y_all = _all_rows(ds)
    order = np.argsort(X_all[:, 0])
    np.testing.assert_array_equal(X_all[order], X)
    np.testing.assert_array_equal(Y_all[order], np.asarray(Y, float).reshape(5, -1))


def test_from_arrays_names_kind_and_errors():
    X, Y = [[1, 2], [3, 4], [5, 6]], [[0], [1], [0]]
    ds = from_arrays(X, Y, test_fraction=0, seed=1, name="mine",
                     input_names=["a", "b"], target_names=["t"], kind="regression")
    assert (ds.kind, ds.name, ds.input_names, ds.target_names) == \
        ("regression", "mine", ["a", "b"], ["t"])
    bad = [
        (dict(Y=[[0], [1]]), "Y: expected 3 rows"),
        (dict(X=[[1, np.nan], [3, 4], [5, 6]]), "X: expected finite"),
        (dict(X=[]), "X: expected a non-empty"),
        (dict(kind="binary", Y=[[0], [2], [0]]), "Y: kind binary"),
        (dict(kind="multiclass"), "Y: kind multiclass"),
        (dict(kind="labels"), "kind: expected one of"),
        (dict(input_names=["a"]), "input_names: expected 2 names"),
        (dict(test_fraction=1.0), "test_fraction: expected a number"),
    ]
    for change, message in bad:
        args = dict(X=X, Y=Y) | change
        with pytest.raises(ValueError, match=message):
            from_arrays(args.pop("X"), args.pop("Y"), **args)


def test_accuracy_on_hand_made_examples():
    # binary: outputs above 0.5 count as class 1
    assert accuracy([[1], [0], [1], [0]], [[0.9], [0.2], [0.4], [0.6]]) == 0.5
    assert accuracy([[1], [0]], [[0.51], [0.5]]) == 1.0
    assert accuracy(np.array([1.0, 0.0, 0.0]), np.array([0.7, 0.1, 0.3])) == 1.0
    # multiclass: the largest output is the predicted class
    Y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    A = [[0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]
    assert accuracy(Y, A) == pytest.approx(2 / 3)
    assert math.isnan(accuracy(np.zeros((0, 1)), np.zeros((0, 1))))
    with pytest.raises(ValueError, match="same 2-D shape"):
        accuracy([[1], [0]], [[1, 0], [0, 1]])


@pytest.mark.parametrize("change, message", [
    (dict(name="swirl"), "data.name: expected one of xor_table, xor, circle, "
                         "gaussians, spiral, moons, three_class, plane, "
                         "multi_gaussian, got 'swirl'"),
    (dict(n=3), "data.n: expected an integer from 4 to 1000000, got 3"),
    (dict(n=1_000_001), "data.n: expected an integer from 4 to 1000000, got 1000001"),
    (dict(n=50.0), "data.n: expected an integer from 4 to 1000000, got 50.0"),
    (dict(n=True), "data.n: expected an integer from 4 to 1000000, got True"),
    (dict(noise=-0.1), "data.noise: expected a finite number >= 0, got -0.1"),
    (dict(noise=float("nan")), "data.noise: expected a finite number >= 0, got nan"),
    (dict(noise=float("inf")), "data.noise: expected a finite number >= 0, got inf"),
    (dict(noise="0.1"), "data.noise: expected a finite number >= 0, got '0.1'"),
    (dict(test_fraction=1.0), "data.test_fraction: expected a number from 0 up "
                              "to (not including) 1, got 1.0"),
    (dict(test_fraction=-0.1), "data.test_fraction: expected a number from 0 up "
                               "to (not including) 1, got -0.1"),
    (dict(seed=-1), "data.seed: expected an integer >= 0, got -1"),
])
def test_bad_specs_fail_with_one_clear_message(change, message):
    spec = DataSpec(**({"name": "circle"} | change))
    with pytest.raises(ValueError) as err:
        make(spec)
    assert str(err.value) == message


def test_limits_are_accepted():
    assert len(_all_rows(make(DataSpec("xor", n=4, test_fraction=0.0)))[0]) == 4
    ds = make(DataSpec("spiral", n=np.int64(10), noise=0, test_fraction=0.0,
                       seed=2**40))
    assert len(ds.X_train) == 10
