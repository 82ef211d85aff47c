"""Step Back as a user meets it: one press goes back one visible unit (an
epoch after a run, an update after Step Sample, a micro-step after Next
Step), and its tooltip says beforehand where it lands."""
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from nnsim.document import Document

from window_helpers import open_window

sys.path.insert(0, str(Path(__file__).parent.parent / "document"))
from fake_clock import FakeClock  # noqa: E402


def press(qtbot, window, key):
    """The key's action, as the shortcut triggers it."""
    action = {Qt.Key.Key_Backspace: window.act_step_back, Qt.Key.Key_E: window.act_step_epoch,
              Qt.Key.Key_S: window.act_step_sample, Qt.Key.Key_Space: window.act_next}[key]
    assert action.isEnabled()
    action.trigger()


def test_step_back_after_a_run_goes_back_one_epoch_per_press(qtbot, tmp_path):
    doc = Document()
    w = open_window(qtbot, tmp_path / "prefs.json", document=doc)
    runner = w.runner
    runner.use_process = False
    runner._clock = FakeClock()  # the clock stands still: the whole run is one chunk
    doc.set_training(epochs=123)
    with qtbot.waitSignal(runner.paused, timeout=20_000):
        runner.play()
    assert len(doc.epoch_results) == 123
    losses = [r.train_loss for r in doc.epoch_results]
    assert w.act_step_back.toolTip() == "Back to epoch 122"
    press(qtbot, w, Qt.Key.Key_Backspace)
    assert len(doc.epoch_results) == 122 and doc.epoch == 123
    assert w.statusBar().currentMessage() == "Stepped back to epoch 122"
    assert w.act_step_back.toolTip() == "Back to epoch 121"
    press(qtbot, w, Qt.Key.Key_Backspace)
    assert [r.train_loss for r in doc.epoch_results] == losses[:121]  # the same epochs
    # the weights are those of 121 epochs trained afresh
    fresh = Document()
    fresh.set_training(epochs=123)
    fresh.step_epochs(121)
    for a, b in zip(doc.network.parameters(), fresh.network.parameters()):
        assert np.array_equal(a, b)


def test_step_back_after_a_sample_and_after_micro_steps(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.json")
    doc = w.document
    press(qtbot, w, Qt.Key.Key_E)  # one epoch (4 updates of the xor table)
    press(qtbot, w, Qt.Key.Key_S)
    assert doc.updates == 5
    assert w.act_step_back.toolTip() == "Back to before update 5 (sample 1)"
    press(qtbot, w, Qt.Key.Key_Space)
    press(qtbot, w, Qt.Key.Key_Space)
    assert w.act_step_back.toolTip() == "Back to before forward layer 2 of update 6 (sample 2)"
    press(qtbot, w, Qt.Key.Key_Backspace)
    assert doc.snapshot.step.label == "Forward layer 1"
    press(qtbot, w, Qt.Key.Key_Backspace)
    assert doc.snapshot is None and doc.updates == 5
    press(qtbot, w, Qt.Key.Key_Backspace)
    assert doc.updates == 4 and len(doc.epoch_results) == 1
    assert w.act_step_back.toolTip() == "Back to the start (no epoch trained)"
    press(qtbot, w, Qt.Key.Key_Backspace)
    assert doc.updates == 0 and not w.act_step_back.isEnabled()
    assert w.act_step_back.toolTip() == "Nothing to step back to"
