"""The run panel says how far a long epoch is when a run pauses inside it
(run mode trains an epoch of a big data set in slices)."""
import numpy as np

from nnsim.core.network import Network
from nnsim.core.project import ImportedData, Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document
from window_helpers import open_window

TIMEOUT = 60_000


def long_epoch_project(rows=200_000) -> Project:
    rng = np.random.default_rng(0)
    net = Network.build(2, [4, 1], ["tanh", "sigmoid"], loss="bce", rng=rng)
    X = rng.uniform(-1, 1, (rows, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    data = ImportedData(X, Y, X[:50], Y[:50], ["x1", "x2"], ["y"], "binary")
    return Project(net, TrainingConfig(learning_rate=0.1, batch_size=1, seed=3, epochs=1), data)


def test_the_run_panel_shows_how_far_inside_the_epoch(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.ini", document=Document(long_epoch_project()))
    w.runner.use_process = False  # its first chunk stops at 40 ms, inside the epoch
    w.runner.play()
    qtbot.waitUntil(lambda: w.document.epoch_fraction > 0, timeout=TIMEOUT)
    w.runner.pause()
    percent = int(100 * w.document.epoch_fraction)
    text = w.training_panel.status_label.text()
    assert text == f"paused in epoch 1 of 1: {percent}%"
    assert w.training_panel.status_label.toolTip() == \
        f"{percent}% of the samples of epoch 1 are trained"
