"""The example networks in resources/examples load and learn with their own settings.

Each learning test trains the file exactly as `nnsim train FILE` does (the
file's learning rate, batch size, optimizer, epochs, seed and stop_loss; the
weights the file gives or draws from its seed) and checks a result that shows
the lesson worked. The thresholds sit well below what was measured on the
saved settings and on neighbouring seeds (see docs/examples.md), so a failure
means the example or the training path changed, not bad luck.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnsim.core.datasets import accuracy
from nnsim.examples import EXAMPLES_DIR, example_path, list_examples
from nnsim.io import load_project


def train(name: str):
    """Load an example and train it with its saved settings (the CLI's path)."""
    project = load_project(example_path(name))
    # the examples are fresh networks: nothing to continue from
    assert project.history.epochs == [] and project.optimizer_state is None
    cfg = project.training
    data = project.dataset()
    stepper = project.make_stepper(data)
    results = stepper.step_epochs(cfg.epochs, stop_loss=cfg.stop_loss)
    assert results, f"{name}: no epoch was run"
    last = results[-1]
    assert last.finite and project.network.all_finite(), f"{name}: training diverged"
    if cfg.stop_loss is None:
        assert len(results) == cfg.epochs
    return project, data, last


def classification(name, min_test_accuracy, max_test_loss):
    project, data, last = train(name)
    # the epoch result agrees with the trained network on the held-out points
    outputs = project.network.predict(data.X_test)
    assert last.test_accuracy == pytest.approx(accuracy(data.Y_test, outputs))
    assert last.test_accuracy >= min_test_accuracy, last
    assert last.test_loss < max_test_loss, last
    return project, data, last


def regression(name, max_test_loss, max_share_of_variance):
    project, data, last = train(name)
    assert last.test_accuracy is None  # no classes to count
    assert last.test_loss < max_test_loss, last
    # far better than always answering the mean of the targets
    assert last.test_loss < max_share_of_variance * float(np.var(data.Y_test)), last
    return project, data, last


# -- one learning test per example; measured values in the comments ---------

def test_lecture_xor_learns_the_truth_table_with_a_margin():
    # measured (rows in order, no shuffling): loss 0.0006, outputs 0.020 / 0.977 / 0.977 / 0.030
    project, data, last = classification("lecture-xor", 1.0, 0.005)
    outputs = project.network.predict(data.X_test)[:, 0]
    targets = data.Y_test[:, 0]
    assert list(targets) == [0.0, 1.0, 1.0, 0.0]
    assert np.all(outputs[targets == 1] > 0.9), outputs
    assert np.all(outputs[targets == 0] < 0.1), outputs


def test_lecture_xor_keeps_the_lectures_initial_weights():
    net = load_project(example_path("lecture-xor")).network
    assert [layer.activation for layer in net.layers] == ["sigmoid", "sigmoid"]
    assert net.loss == "mse"
    np.testing.assert_array_equal(net.layers[0].W, [[0.15, 0.25], [0.2, 0.3]])
    np.testing.assert_array_equal(net.layers[0].b, [0.35, 0.35])
    np.testing.assert_array_equal(net.layers[1].W, [[0.4], [0.45]])
    np.testing.assert_array_equal(net.layers[1].b, [0.6])


def test_logistic_regression_separates_the_two_clouds():
    # measured: test accuracy 100%, test loss 0.017
    classification("logistic-regression", 0.95, 0.05)


def test_circle_tanh_closes_the_boundary_around_the_inner_points():
    # measured: test accuracy 100%, test loss 0.028
    classification("circle-tanh", 0.95, 0.15)


def test_spiral_deep_separates_the_two_arms():
    # measured: test accuracy 100%, test loss 0.005
    classification("spiral-deep", 0.95, 0.15)


def test_softmax_three_class_sorts_the_three_clouds():
    # measured: test accuracy 96.7% (two test points lie in another class's
    # cloud), train accuracy 99.6%, test loss 0.18
    project, data, last = classification("softmax-three-class", 0.93, 0.5)
    assert last.train_accuracy >= 0.97, last
    probabilities = project.network.predict(data.X_test)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_plane_regression_fits_the_plane_down_to_the_noise():
    # measured: test loss 0.0002 (the input noise alone leaves about that)
    regression("plane-regression", 0.002, 0.01)


def test_hills_regression_fits_the_curved_landscape():
    # measured: test loss 0.004, against a target variance of 0.32
    regression("hills-regression", 0.03, 0.1)


# -- every file --------------------------------------------------------------

LEARNING_TESTS = {
    "lecture-xor", "logistic-regression", "circle-tanh", "spiral-deep",
    "softmax-three-class", "plane-regression", "hills-regression",
}


def test_every_example_has_a_learning_test():
    assert set(list_examples()) == LEARNING_TESTS


@pytest.mark.parametrize("name", list_examples())
def test_every_example_loads_with_a_title_and_a_description(name):
    path = example_path(name)
    assert path.parent == EXAMPLES_DIR
    project = load_project(path)
    assert project.title.strip() and project.description.strip()
    assert len(project.title) <= 60, "keep the title short"
    project.training.validate()
    data = project.dataset()
    assert data.n_inputs == project.network.n_inputs
    assert data.n_outputs == project.network.n_outputs
    assert math.isfinite(project.network.loss_value(data.X_train, data.Y_train))


def test_an_installed_copy_finds_the_examples_in_its_data_folder(tmp_path):
    from nnsim.examples import DEFAULT_EXAMPLE, examples_dir
    installed = tmp_path / "share" / "nnsim" / "examples"
    installed.mkdir(parents=True)
    (installed / f"{DEFAULT_EXAMPLE}.nnsim").write_text("{}")
    assert examples_dir((tmp_path / "no-source-checkout", installed)) == installed
    assert examples_dir((EXAMPLES_DIR, installed)) == EXAMPLES_DIR  # the source wins
