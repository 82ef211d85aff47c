"""A data set of one training row and no test rows (Mazur's blackboard
example), and one of no rows at all, through everything a user does: micro-
steps, Step epoch, run mode, the loss plot and its read-out, the decision
map, the Data panel's counts and ``nnsim train``, with every warning turned
into an error and nothing on stderr."""
from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from nnsim.core.network import Network
from nnsim.core.project import ImportedData, Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document
from nnsim.io import save_project
from nnsim.qt.main_window import MainWindow

from window_helpers import open_window

ROOT = Path(__file__).resolve().parents[2]


def one_row_project(kind: str, rows: int = 1) -> Project:
    net = Network.build(2, [2, 1], ["sigmoid", "sigmoid"], loss="mse",
                        rng=np.random.default_rng(0))
    X = np.array([[0.05, 0.10]] * rows).reshape(rows, 2)
    Y = np.array([[1.0 if kind == "binary" else 0.99]] * rows).reshape(rows, 1)
    data = ImportedData(X, Y, X[:0], Y[:0], ["x1", "x2"], ["y"], kind)
    return Project(net, TrainingConfig(learning_rate=0.5, epochs=30, shuffle=False), data)


@pytest.fixture
def strict():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def make_window(qtbot, tmp_path, project: Project) -> MainWindow:
    return open_window(qtbot, tmp_path / "prefs.ini", document=Document(project))


@pytest.mark.parametrize("kind", ["binary", "regression"])
def test_one_row_everywhere_without_warnings(qtbot, tmp_path, capfd, strict, kind):
    w = make_window(qtbot, tmp_path, one_row_project(kind))
    doc = w.document
    summary = w.data_panel.summary_label.text()
    assert "1 training point, no test points" in summary and "1 points" not in summary
    assert "1 training row, 0 test rows" in w.data_panel.points_label.text()
    assert w.data_panel.n_box.value() == 1  # not the built-in sets' minimum of 4
    steps = len(doc.plan)
    for _ in range(steps):  # forward, loss, backward, update of row 1
        w.step_next()
        np.testing.assert_array_equal(doc.snapshot.X, [[0.05, 0.10]])
    assert "#1: x = (0.05, 0.1)" in w.step_bar.sample_label.text()
    assert len(doc.epoch_results) == 1  # one update is a whole epoch of one row
    w.loss_plot.refresh_now()
    w.grab()  # the loss plot with its lone epoch (no test loss)
    assert capfd.readouterr().err == ""
    w.training_panel.step_button.click()  # Step epoch
    assert doc.epoch_results[-1].test_loss is None
    w.decision_map.refresh_now(force=True)
    w.loss_plot.refresh_now()
    w.grab()  # paint the loss plot with its lone epoch (no test loss) and the map
    assert capfd.readouterr().err == ""
    w.training_panel.play_button.click()  # run mode to 30 epochs
    qtbot.waitUntil(lambda: not w.runner.is_running, timeout=30_000)
    results = doc.epoch_results
    assert len(results) >= 30 and all(r.test_loss is None for r in results)
    assert np.isfinite(results[-1].train_loss)
    w.grab()
    readout = w.loss_plot.hover_at(QPointF(3, results[2].train_loss))
    assert readout.startswith("epoch 3: train ") and "test" not in readout \
        and "NaN" not in readout
    assert w.errors == []
    out, err = capfd.readouterr()
    assert err == ""


def test_no_rows_shows_and_steps_nothing_without_warnings(qtbot, tmp_path, capfd, strict):
    w = make_window(qtbot, tmp_path, one_row_project("regression", rows=0))
    assert "0 training points, no test points" in w.data_panel.summary_label.text()
    w.decision_map.refresh_now(force=True)
    w.grab()
    w.step_next()
    w.step_sample()
    assert len(w.errors) == 2 and all("no training rows" in e for e in w.errors)
    w.training_panel.play_button.click()
    assert "no training rows" in w.training_panel.error_label.text()
    assert not w.runner.is_running
    out, err = capfd.readouterr()
    assert err == ""


def nnsim_train(path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-W", "error", "-m", "nnsim", "train", str(path),
                           "--epochs", "20", "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_nnsim_train_one_row_and_no_rows(tmp_path):
    path = tmp_path / "mazur.nnsim"
    save_project(one_row_project("regression"), path)
    run = nnsim_train(path)
    assert run.returncode == 0 and run.stderr == ""
    assert "train loss:" in run.stdout and "test loss" not in run.stdout \
        and "nan" not in run.stdout.lower()
    empty = tmp_path / "empty.nnsim"
    save_project(one_row_project("regression", rows=0), empty)
    run = nnsim_train(empty)
    assert run.returncode != 0 and "no training rows" in run.stderr
    assert "Traceback" not in run.stderr
