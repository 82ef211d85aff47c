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

LECTURE_EXAMPLES = ("gradient-descent-one-weight", "logistic-regression", "lecture-xor")


@pytest.mark.parametrize("name", LECTURE_EXAMPLES)
def test_the_lecture_examples_use_its_loss_and_step_row_1_first(name):
    project = load_project(example_path(name))
    assert project.network.loss == "mse"  # the lecture's mean squared error
    assert project.training.shuffle is False and project.training.batch_size >= 1
    stepper = project.make_stepper(project.dataset())
    assert stepper.next_indices()[0] == 0  # the first sample stepped is row 1


def test_gradient_descent_walks_the_one_weight_to_2():
    project = load_project(example_path("gradient-descent-one-weight"))
    net = project.network
    assert net.sizes == [1, 1] and net.layers[0].activation == "linear"
    assert net.layers[0].W[0, 0] == 0.5 and net.layers[0].b[0] == 0.0
    data = project.dataset()
    X = np.vstack([data.X_train, data.X_test])
    Y = np.vstack([data.Y_train, data.Y_test])
    np.testing.assert_array_equal(Y, 2 * X)  # the points lie on y = 2x
    stepper = project.make_stepper(data)
    walk = [net.layers[0].W[0, 0]]
    for _ in range(12):  # the first two epochs, sample by sample: w climbs towards 2
        stepper.step_sample()
        walk.append(stepper.network.layers[0].W[0, 0])
    assert all(a < b < 2 for a, b in zip(walk, walk[1:])), walk
    assert walk[-1] > 1.9
    # measured: w 2.0 and b 6e-15 (test loss 9e-29) after the saved 20 epochs
    project, data, last = regression("gradient-descent-one-weight", 1e-5, 1e-4)
    assert project.network.layers[0].W[0, 0] == pytest.approx(2.0, abs=1e-3)
    assert project.network.layers[0].b[0] == pytest.approx(0.0, abs=1e-3)


def test_gradient_descent_diverges_with_the_learning_rate_its_description_names():
    project = load_project(example_path("gradient-descent-one-weight"))
    assert "learning rate of 0.5" in project.description
    project.training.learning_rate = 0.5
    stepper = project.make_stepper(project.dataset())
    with np.errstate(all="ignore"):
        results = stepper.step_epochs(5)
    assert [r.train_loss for r in results] == sorted(r.train_loss for r in results)
    assert results[-1].train_loss > 100


def test_logistic_regression_is_one_sigmoid_neuron_with_the_lectures_loss():
    # measured: test accuracy 100%, test loss 0.0063 (mse)
    project, data, last = classification("logistic-regression", 0.95, 0.02)
    net = project.network
    assert net.sizes == [2, 1] and net.layers[0].activation == "sigmoid"


def test_lecture_xor_learns_xor_and_xnor_with_a_margin():
    # measured: loss 0.0011, outputs xor 0.962 / 0.970 / 0.032 / 0.030
    project, data, last = classification("lecture-xor", 1.0, 0.005)
    outputs = project.network.predict(data.X_test)
    np.testing.assert_array_equal(data.X_test, [[1, 0], [0, 1], [0, 0], [1, 1]])
    xor = [1.0, 1.0, 0.0, 0.0]  # row 1 has x1 = 1: its x1 -> h1 gradient is not 0
    np.testing.assert_array_equal(data.Y_test, np.column_stack([xor, [1 - v for v in xor]]))
    assert np.all(np.abs(outputs - data.Y_test) < 0.1), outputs


def test_lecture_xor_keeps_the_lectures_initial_weights():
    net = load_project(example_path("lecture-xor")).network
    assert net.sizes == [2, 2, 2]  # input, hidden and output layers, two outputs
    assert [layer.activation for layer in net.layers] == ["sigmoid", "sigmoid"]
    assert net.loss == "mse"
    np.testing.assert_array_equal(net.layers[0].W, [[0.15, 0.25], [0.2, 0.3]])
    np.testing.assert_array_equal(net.layers[0].b, [0.35, 0.35])
    np.testing.assert_array_equal(net.layers[1].W, [[0.4, 0.5], [0.45, 0.55]])
    np.testing.assert_array_equal(net.layers[1].b, [0.6, 0.6])


def test_lecture_xor_hidden_weight_sums_two_paths_as_its_description_says():
    from nnsim.core import chainrule
    project = load_project(example_path("lecture-xor"))
    assert "x1 \u2192 h1" in project.description and "two paths" in project.description
    stepper = project.make_stepper(project.dataset())
    for _ in stepper.plan:
        snap = stepper.micro_step()
        if snap.step.label.startswith("Backward") and snap.step.layer == 1:
            break
    e = chainrule.explain_weight(project.network, snap, 1, 0, 0)
    assert e.status == "ready" and e.n_paths == 2
    (sample,) = e.samples
    assert [p.route[-2] for p in sample.paths] == ["out1", "out2"]  # ... -> out_k -> L
    assert sum(p.product for p in sample.paths) == pytest.approx(snap.dW[0][0, 0], abs=1e-15)
    assert all(p.product != 0 for p in sample.paths)


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


def test_mazur_learns_his_one_sample_with_the_biases_frozen():
    # measured: loss 3.51e-05 after 10,000 updates (his post: 0.0000351085),
    # outputs 0.0159 / 0.984 for the targets 0.01 / 0.99
    project, data, last = train("mazur-2-2-2")
    assert last.test_loss is None  # one training row, no test rows
    assert last.train_loss < 1e-4, last
    np.testing.assert_allclose(project.network.predict(data.X_train), data.Y_train, atol=0.01)
    assert [layer.b.tolist() for layer in project.network.layers] == [[0.35, 0.35], [0.6, 0.6]]


# -- every file --------------------------------------------------------------

LEARNING_TESTS = {
    "gradient-descent-one-weight", "lecture-xor", "logistic-regression", "mazur-2-2-2",
    "circle-tanh", "spiral-deep", "softmax-three-class", "plane-regression", "hills-regression",
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
