"""Run mode stops at the history's cap (``limits.MAX_HISTORY_EPOCHS``, the
most a file keeps: the window's memory stays bounded, and what it holds
always saves and reopens), says why, and a Play at the cap trains nothing.
The cap is lowered here; the training process is told how many epochs are
left, so it cannot overshoot either."""
import pytest

from nnsim.core import limits
from nnsim.document import HISTORY_FULL, TARGET_REACHED, Document, Runner
from nnsim.examples import example_path
from nnsim.io import history_columns

TIMEOUT = 30_000
CAP = 12


@pytest.fixture
def capped(monkeypatch):
    monkeypatch.setattr(limits, "MAX_HISTORY_EPOCHS", CAP)
    monkeypatch.setattr(history_columns, "MAX_EPOCHS", CAP)  # the loader's limit too


@pytest.fixture(params=["process", "in-window"])
def runner(request, qtbot, clock, capped):
    doc = Document.open(example_path("circle-tanh"))
    doc.set_training(epochs=25)
    r = Runner(doc, clock=clock)
    r.use_process = request.param == "process"
    yield r
    r.pause()
    assert r.process_failure is None


def test_run_mode_stops_at_the_cap_and_says_so(qtbot, runner, tmp_path):
    doc = runner.document
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [HISTORY_FULL]
    assert not runner.is_running
    assert len(doc.epoch_results) == CAP and runner.history_room == 0
    assert [r.epoch for r in doc.epoch_results] == list(range(1, CAP + 1))
    # Play again: nothing is trained, and the reason comes again
    with qtbot.waitSignal(runner.paused, timeout=1000) as again:
        runner.play()
    assert again.args == [HISTORY_FULL] and not runner.is_running
    assert len(doc.epoch_results) == CAP
    # the full history saves and reopens, exactly
    path = tmp_path / "full.nnsim"
    doc.save(path)
    back = Document.open(path)
    assert back.epoch_results == doc.epoch_results


def test_a_run_that_starts_near_the_cap_trains_up_to_it(qtbot, runner):
    doc = runner.document
    doc.step_epochs(CAP - 3)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [HISTORY_FULL]
    assert len(doc.epoch_results) == CAP and runner.done == 3


def test_the_target_still_comes_first_below_the_cap(qtbot, runner):
    runner.document.set_training(epochs=5)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED]
    assert len(runner.document.epoch_results) == 5


def test_stepping_by_hand_stops_at_the_cap_too(capped):
    """Step Epoch, Step Mini-batch and the micro-steps refuse what would not
    fit, naming the limit; what the history holds still saves."""
    from nnsim.document import EditError
    doc = Document.open(example_path("circle-tanh"))
    doc.step_epochs(CAP - 3)
    with pytest.raises(EditError, match="3 more fit"):
        doc.step_epochs(4)
    assert len(doc.epoch_results) == CAP - 3
    doc.step_epochs(3)
    for step in (doc.step_epochs, doc.step_batch, doc.micro_step):
        with pytest.raises(EditError, match=f"file keeps at most {CAP}"):  # noqa: B023
            step()
    assert len(doc.epoch_results) == CAP
    doc.reset_training()
    doc.step_epochs(1)  # a reset makes room again
    assert len(doc.epoch_results) == 1
