"""core/input_transform.py: from the data's columns to the network's inputs
(feature inputs, then standardisation with the training rows' statistics)."""
import numpy as np
import pytest

from nnsim.core.datasets import DataSpec, Dataset, make
from nnsim.core.input_transform import (FEATURES, InputOptions, fit, feature_names, network_data,
                                        scale_ratio, scaling_advice, with_features)


def test_the_features_are_the_squares_product_and_sines_of_the_raw_columns():
    X = np.array([[0.5, -2.0], [3.0, 0.25]])
    Z = with_features(X, ("x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"))
    np.testing.assert_array_equal(Z[:, :2], X)
    np.testing.assert_allclose(Z[0, 2:], [0.25, 4.0, -1.0, np.sin(0.5), np.sin(-2.0)])
    np.testing.assert_allclose(Z[1, 2:], [9.0, 0.0625, 0.75, np.sin(3.0), np.sin(0.25)])


def test_feature_names_use_the_raw_columns_names():
    assert feature_names(tuple(FEATURES), ["x1", "x2"]) == \
        ["x1\u00b2", "x2\u00b2", "x1\u00b7x2", "sin x1", "sin x2"]
    assert feature_names(("x1*x2",), ["width", "height"]) == ["width\u00b7height"]


def test_the_default_options_give_the_data_itself_without_a_copy():
    raw = make(DataSpec("moons"))
    data, t = network_data(raw, InputOptions())
    assert data is raw and t.is_identity and t.apply(raw.X_test) is raw.X_test


def test_standardising_uses_the_training_rows_only_and_the_same_numbers_for_test_rows():
    raw = make(DataSpec("circle", n=300, seed=3))
    X = raw.X_train * [100.0, 0.01] + [5.0, -1.0]
    Xt = raw.X_test * [100.0, 0.01] + [5.0, -1.0]
    raw = Dataset(X, raw.Y_train, Xt, raw.Y_test, raw.kind, raw.name, ["a", "b"], ["y"])
    data, t = network_data(raw, InputOptions(standardize=True))
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1.0)
    np.testing.assert_allclose(t.mean, X.mean(axis=0))
    np.testing.assert_allclose(t.std, X.std(axis=0))
    np.testing.assert_allclose(data.X_test, (Xt - X.mean(axis=0)) / X.std(axis=0))
    assert not np.allclose(data.X_test.mean(axis=0), 0.0, atol=1e-6)  # no statistics of the test rows
    np.testing.assert_array_equal(data.Y_train, raw.Y_train)
    np.testing.assert_allclose(t.raw_of(data.X_test, 2), Xt)  # the tooltip's raw values
    assert raw.X_train is X and np.array_equal(raw.X_train, X)  # the data is untouched


def test_features_come_first_then_every_input_is_standardised():
    raw = make(DataSpec("xor", n=200, seed=1))
    data, t = network_data(raw, InputOptions(("x1*x2", "sin(x2)"), standardize=True))
    assert data.input_names == ["x1", "x2", "x1\u00b7x2", "sin x2"]
    Z = with_features(raw.X_train, ("x1*x2", "sin(x2)"))
    np.testing.assert_allclose(data.X_train, (Z - Z.mean(axis=0)) / Z.std(axis=0))
    np.testing.assert_allclose(data.X_train.std(axis=0), 1.0)


def test_a_constant_column_is_only_centred():
    t = fit(InputOptions(standardize=True), np.array([[1.0, 2.0], [3.0, 2.0]]))
    np.testing.assert_array_equal(t.std, [1.0, 1.0])
    np.testing.assert_array_equal(t.apply(np.array([[2.0, 5.0]])), [[0.0, 3.0]])


@pytest.mark.parametrize("options,n_raw,words", [
    (InputOptions(("x3^2",)), 2, "unknown feature 'x3^2'"),
    (InputOptions(("x1^2", "x1^2")), 2, "a feature is listed twice"),
    (InputOptions(("x1^2",)), 4, "feature inputs need data with 2 input columns; this data has 4"),
])
def test_bad_options_are_named(options, n_raw, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace("^", r"\^")):
        options.check(n_raw)


def test_scaling_is_suggested_for_columns_of_different_scale_or_far_from_zero():
    for name in ("xor_table", "xor", "circle", "moons", "spiral", "three_class"):
        assert scaling_advice(make(DataSpec(name)).X_train, ["x1", "x2"]) is None, name
    X = make(DataSpec("moons")).X_train
    assert scale_ratio(X * [100.0, 0.01]) > 1000
    assert "differ in scale by" in scaling_advice(X * [100.0, 0.01], ["x1", "x2"])
    far = scaling_advice(X + [0.0, 5.0], ["x1", "height"])  # as raw iris
    assert far.startswith("height lies far from 0 (mean 4.98, deviation 0.33)")
