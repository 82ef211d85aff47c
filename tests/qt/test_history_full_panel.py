"""The run panel says why a run stopped at the history's cap (the most a file
keeps) and what to do; the cap is lowered for the test."""
import pytest

from nnsim.core import limits
from nnsim.document import Document
from nnsim.examples import example_path
from window_helpers import open_window

CAP = 9


@pytest.mark.parametrize("use_process", [True, False])
def test_the_run_panel_says_the_history_is_full(qtbot, tmp_path, monkeypatch, use_process):
    monkeypatch.setattr(limits, "MAX_HISTORY_EPOCHS", CAP)
    doc = Document.open(example_path("circle-tanh"))
    doc.set_training(epochs=50)
    w = open_window(qtbot, tmp_path / "prefs.ini", document=doc)
    w.runner.use_process = use_process
    panel = w.training_panel
    w.runner.play()
    qtbot.waitUntil(lambda: not w.runner.is_running, timeout=30_000)
    assert len(doc.epoch_results) == CAP
    assert panel.status_label.text() == f"history full at epoch {CAP}"
    assert f"at most {CAP:,} epochs" in panel.status_label.toolTip()
    assert panel.loss_label.text().endswith("a file's limit: reset to train on")
    # Play at the cap trains nothing and says it again
    w.runner.play()
    assert not w.runner.is_running and len(doc.epoch_results) == CAP
    assert panel.status_label.text() == f"history full at epoch {CAP}"
