"""Run mode: timer-driven chunks of whole epochs through the document, with a
target, a stop loss, pause, live settings, a divergence report and a loop
that stays responsive. The runners read a fake clock (``conftest.py``): time
passes as the tests say, never as the machine happens to run."""
import math

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QTimer

from fake_clock import FakeClock
from nnsim.core.network import Network
from nnsim.document import (DIVERGED, PAUSED, STOP_LOSS_REACHED, TARGET_REACHED, Document,
                            DivergenceInfo, Runner)
from nnsim.examples import example_path
from nnsim.io import load_project

TIMEOUT = 30_000  # ms; the runs below take well under a second


def params(doc):
    return [p.copy() for p in doc.network.parameters()]


def finite(doc):
    return all(np.isfinite(p).all() for p in doc.network.parameters())


@pytest.fixture
def circle(qtbot):
    doc = Document.open(example_path("circle-tanh"))
    doc.set_training(epochs=25)
    return doc


@pytest.fixture(params=["process", "in-window"])
def runner(request, circle, clock):
    """At full speed a run trains in the training process; without it (or
    when it fails) in the window's own. Both must behave the same."""
    r = Runner(circle, clock=clock)
    r.use_process = request.param == "process"
    yield r
    r.pause()
    assert r.process_failure is None


@pytest.fixture
def inline_runner(circle, clock):
    """Chunks and frames in the window's own process."""
    r = Runner(circle, clock=clock)
    r.use_process = False
    return r


def not_ticking(runner) -> bool:
    """The runner's timer is stopped: nothing more is trained or taken."""
    return not runner._timer.isActive()


def full_loss(doc):
    d = doc.dataset
    return doc.network.loss_value(d.X_train, d.Y_train)


def test_play_trains_to_the_target_and_the_loss_falls(qtbot, circle, runner):
    before = full_loss(circle)
    progress = []
    runner.progress.connect(lambda done, target: progress.append((done, target)))
    with qtbot.waitSignal(runner.started, timeout=1000):
        runner.play()
    assert runner.is_running
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        pass
    assert paused.args == [TARGET_REACHED]
    assert not runner.is_running
    assert len(circle.epoch_results) == 25
    assert [r.epoch for r in circle.epoch_results] == list(range(1, 26))
    assert full_loss(circle) < 0.8 * before
    assert circle.epoch_results[-1].train_loss == pytest.approx(full_loss(circle))
    assert progress[-1] == (25, 25) and runner.done == 25
    dones = [d for d, _ in progress]
    assert dones == sorted(dones)


def test_a_run_is_one_undo_step_and_matches_the_cli_bit_for_bit(qtbot, circle, runner):
    start = params(circle)
    count = circle.undo_stack.count()
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        runner.play()
    assert circle.undo_stack.count() == count + 1
    assert circle.undo_stack.undoText() == "Training"
    # the CLI's loop on the same file and settings gives the same weights
    project = load_project(example_path("circle-tanh"))
    project.training.epochs = 25
    stepper = project.make_stepper(project.dataset())
    stepper.step_epochs(25)
    for a, b in zip(circle.network.parameters(), project.network.parameters()):
        assert np.array_equal(a, b)
    circle.undo_stack.undo()
    assert all(np.array_equal(a, b) for a, b in zip(params(circle), start))
    assert circle.epoch_results == []


def test_play_again_after_the_target_starts_a_new_run(qtbot, circle, runner):
    for total in (25, 50):
        with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
            runner.play()
        assert paused.args == [TARGET_REACHED]
        assert runner.done == 25 and len(circle.epoch_results) == total


def test_the_run_stops_once_the_loss_is_below_the_stop_loss(qtbot, circle, runner):
    # where a plain run of the same file passes below a chosen loss
    project = load_project(example_path("circle-tanh"))
    losses = [r.train_loss for r in project.make_stepper(project.dataset()).step_epochs(60)]
    stop = losses[39] * (1 + 1e-9)
    expected = next(k for k, loss in enumerate(losses) if loss < stop) + 1
    circle.set_training(epochs=5000, stop_loss=stop)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [STOP_LOSS_REACHED]
    assert len(circle.epoch_results) == expected <= 40
    assert circle.epoch_results[-1].train_loss < stop


def test_pause_from_a_progress_slot_stops_adding_epochs(qtbot, circle, runner):
    circle.set_training(epochs=1_000_000)
    reasons = []
    runner.paused.connect(reasons.append)

    def on_progress(done, target):
        if done > 0:
            runner.pause()
    runner.progress.connect(on_progress)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        runner.play()
    n = len(circle.epoch_results)
    assert 0 < n < 1_000_000 and not runner.is_running and not_ticking(runner)
    QCoreApplication.processEvents()
    assert len(circle.epoch_results) == n
    assert reasons == [PAUSED]


def test_play_after_pause_resumes_the_same_run(qtbot, circle, runner):
    circle.set_training(epochs=60)  # chunks of a few epochs (the clock fixture)
    runner.progress.connect(lambda done, target: runner.pause() if 0 < done < 60 else None)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        runner.play()
    first = runner.done
    runner.progress.disconnect()
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED]
    assert len(circle.epoch_results) == 60 and runner.done == 60 and first < 60


def test_a_learning_rate_change_mid_run_takes_effect_without_reset(qtbot, circle, runner):
    circle.set_training(epochs=1_000_000)
    stepper = circle._stepper
    at = []

    def on_progress(done, target):
        if not at:
            at.append(len(circle.epoch_results))
            circle.set_training(learning_rate=0.05)
        elif len(circle.epoch_results) >= at[0] + 3:
            runner.pause()
    runner.progress.connect(on_progress)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        runner.play()
    total = len(circle.epoch_results)
    assert circle._stepper is stepper  # not rebuilt, not reset
    assert circle.project.training.learning_rate == 0.05
    assert [r.epoch for r in circle.epoch_results] == list(range(1, total + 1))
    assert total > at[0]
    # the epochs after the change used the new rate: replay with the core
    project = load_project(example_path("circle-tanh"))
    replay = project.make_stepper(project.dataset())
    replay.step_epochs(at[0])
    project.training.learning_rate = 0.05
    replay.step_epochs(total - at[0])
    for a, b in zip(circle.network.parameters(), project.network.parameters()):
        assert np.array_equal(a, b)


def test_divergence_pauses_with_a_report_and_steps_back_to_finite(qtbot, clock):
    doc = Document.open(example_path("plane-regression"))
    doc.set_training(learning_rate=1e9)
    runner = Runner(doc, clock=clock)
    reasons = []
    runner.paused.connect(reasons.append)
    with qtbot.waitSignal(runner.diverged, timeout=TIMEOUT) as diverged:
        runner.play()
    info = diverged.args[0]
    assert isinstance(info, DivergenceInfo) and runner.divergence is info
    assert reasons == [DIVERGED] and not runner.is_running
    assert info.where in ("weight", "bias", "loss")
    if info.where == "loss":
        assert finite(doc) and not math.isfinite(doc.epoch_results[-1].train_loss)
        assert info.layer is None and "loss" in info.location
    else:
        assert info.layer >= 1 and info.j is not None and "layer" in info.location
    assert info.learning_rate == 1e9 and info.suggested_learning_rate == 0.1
    assert "1e+09" in info.cause and "too large" in info.cause and "0.1" in info.cause
    assert info.message.startswith(f"Training diverged in epoch {info.epoch}")
    assert runner.step_back_to_finite()
    assert finite(doc)
    assert all(r.finite for r in doc.epoch_results)
    assert runner.divergence is info  # its suggestion stays


def test_step_epoch_reports_a_divergence_too(qtbot, clock):
    doc = Document.open(example_path("plane-regression"))
    doc.set_training(learning_rate=1e9)
    runner = Runner(doc, clock=clock)
    infos = []
    runner.diverged.connect(infos.append)
    for _ in range(5):
        runner.step_epoch()
        if infos:
            break
    assert infos and infos[0].epoch == len(doc.epoch_results)
    assert runner.step_back_to_finite() and finite(doc)


def test_the_event_loop_stays_responsive_during_a_long_run(qtbot, circle, runner):
    circle.set_training(epochs=1_000_000)
    seen = []

    def on_progress(done, target):
        if done > 0 and not seen:
            seen.append("scheduled")
            QTimer.singleShot(0, lambda: seen.append((runner.is_running, runner.done)))
    runner.progress.connect(on_progress)
    runner.play()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=TIMEOUT)
    running, done = seen[1]
    assert running and 0 < done < 1_000_000
    runner.pause()


def test_a_slow_speed_trains_one_epoch_at_a_time(qtbot, circle, runner):
    runner.set_speed(1)
    with qtbot.waitSignal(runner.progress, timeout=TIMEOUT,
                          check_params_cb=lambda done, target: done > 0) as first:
        runner.play()
    assert first.args == [1, 25]
    runner.pause()
    assert len(circle.epoch_results) == 1
    with pytest.raises(ValueError):
        runner.set_speed(0)
    runner.set_speed(None)
    assert runner.speed is None


def test_step_epoch_pauses_and_trains_one_epoch(qtbot, circle, runner):
    circle.set_training(epochs=1_000_000)
    runner.play()
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.step_epoch()
    assert paused.args == [PAUSED]
    n = len(circle.epoch_results)
    runner.step_epoch()
    assert len(circle.epoch_results) == n + 1 and not runner.is_running


def test_set_document_pauses_and_trains_the_new_document(qtbot, circle, runner):
    circle.set_training(epochs=1_000_000)
    runner.play()
    other = Document(name="other")
    other.set_training(epochs=3)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        runner.set_document(other)
    n = len(circle.epoch_results)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED]
    assert len(other.epoch_results) == 3
    assert len(circle.epoch_results) == n


def test_reset_during_a_run_counts_the_run_afresh(qtbot, circle, runner):
    circle.set_training(epochs=1_000_000)
    runner.progress.connect(lambda done, target: runner.pause() if done else None)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        runner.play()
    circle.reset_training()
    assert circle.epoch_results == [] and runner.done == 0


def test_rate_is_measured(qtbot, circle, runner):
    assert runner.rate is None
    circle.set_training(epochs=300)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        runner.play()
    assert runner.rate is not None and runner.rate > 0


def test_a_hand_built_network_runs_too(qtbot, clock):
    net = Network.build(2, [2, 1], ["sigmoid", "sigmoid"], rng=np.random.default_rng(0))
    doc = Document()
    doc.project.network = net
    doc.set_training(epochs=4)
    runner = Runner(doc, clock=clock)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED]


def test_chunks_between_frames_are_announced_together(qtbot, circle, clock, inline_runner):
    """Slow views get fewer frames: the chunks in between hold the document's
    signals back, and the end of the run announces the final state."""
    runner = inline_runner
    circle.set_training(epochs=30)
    clock.step = 2 * runner.budget_s  # every epoch uses up a chunk's budget
    runner.frame_s = 3600.0  # after the first chunk, no frame until the run ends
    trained_at, progress = [], []
    circle.changed.connect(lambda c: c.history and trained_at.append(len(circle.epoch_results)))
    runner.progress.connect(lambda done, target: progress.append(done))
    count = circle.undo_stack.count()
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED]
    assert len(circle.epoch_results) == 30
    assert trained_at[0] < 30 and trained_at[-1] == 30 and len(trained_at) == 2
    assert progress[-1] == 30 and len(progress) <= 3  # play, the first frame, the end
    assert circle.undo_stack.count() == count + 1  # still one undo step
    assert not circle.signalsBlocked()


def test_pausing_between_frames_announces_the_held_back_chunks(qtbot, circle, clock,
                                                              inline_runner):
    runner = inline_runner
    circle.set_training(epochs=1_000_000)
    clock.step = 2 * runner.budget_s  # a chunk per epoch
    runner.frame_s = 3600.0
    trained_at = []
    circle.changed.connect(lambda c: c.history and trained_at.append(len(circle.epoch_results)))
    runner.play()
    qtbot.waitUntil(lambda: len(circle.epoch_results) >= 5, timeout=TIMEOUT)
    runner.pause()
    assert trained_at[-1] == len(circle.epoch_results) >= 5


def test_the_frame_interval_follows_the_views_cost(qtbot, circle, clock, inline_runner):
    """A view that takes 60 ms per redraw: frames come further apart, so that
    training keeps most of the time."""
    runner = inline_runner
    circle.set_training(epochs=1_000_000)
    assert runner.frame_s < 0.3
    circle.changed.connect(lambda c: c.values and clock.advance(0.06))  # the slow view's work
    runner.progress.connect(
        lambda done, target: runner.pause() if runner.frame_s > 0.3 else None)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        runner.play()
    assert runner.frame_s > 0.3


def cli_params(lr, epochs):
    """The weights the CLI reaches after ``epochs`` of plane-regression at ``lr``."""
    project = load_project(example_path("plane-regression"))
    project.training.learning_rate = lr
    project.make_stepper(project.dataset()).step_epochs(epochs)
    return project.network.parameters()


@pytest.mark.parametrize("use_process", [True, False])
def test_step_back_to_finite_lands_before_the_loss_ran_away(qtbot, clock, use_process):
    # at 1.05 the loss goes 0.563, 0.648, 0.952, 6.01, 138, ... and overflows in epoch 376:
    # the epochs before the overflow are finite but not sane (weights up to 1e150)
    doc = Document.open(example_path("plane-regression"))
    doc.set_training(learning_rate=1.05, epochs=10_000)
    runner = Runner(doc, clock=clock)
    runner.use_process = use_process
    with qtbot.waitSignal(runner.diverged, timeout=TIMEOUT) as diverged:
        runner.play()
    assert diverged.args[0].epoch > 300
    assert runner.step_back_to_finite()
    assert len(doc.epoch_results) == 3 and finite(doc)
    assert max(np.abs(p).max() for p in doc.network.parameters()) < 100
    assert runner.landing == ("Stepped back to epoch 3 (training loss 0.9521): the last state "
                              "before the loss ran away, with weights of a sane size.")
    # exactly the state the CLI reaches after those epochs
    for a, b in zip(doc.network.parameters(), cli_params(1.05, 3)):
        assert np.array_equal(a, b)
    assert runner.divergence.suggested_learning_rate == 0.01


def test_weights_already_huge_after_one_epoch_step_back_to_the_start(qtbot, clock):
    doc = Document.open(example_path("plane-regression"))
    start = [p.copy() for p in doc.network.parameters()]
    doc.set_training(learning_rate=3.0, epochs=10_000)  # weights of 1e10 after epoch 1
    runner = Runner(doc, clock=clock)
    with qtbot.waitSignal(runner.diverged, timeout=TIMEOUT):
        runner.play()
    assert runner.step_back_to_finite()
    assert len(doc.epoch_results) == 0
    assert all(np.array_equal(a, b) for a, b in zip(doc.network.parameters(), start))
    assert runner.landing.startswith("Stepped back to the start (no epoch trained)")


def test_after_a_settings_change_step_back_to_finite_trains_the_same_epochs_again(qtbot):
    doc = Document.open(example_path("plane-regression"))
    doc.set_training(learning_rate=1.05, epochs=10_000)
    # the clock stands still, so the whole run is one chunk: step back trains it again
    runner = Runner(doc, clock=FakeClock())
    runner.use_process = False
    with qtbot.waitSignal(runner.diverged, timeout=TIMEOUT):
        runner.play()
    doc.set_training(learning_rate=0.01)
    assert runner.step_back_to_finite()
    assert len(doc.epoch_results) == 3 and finite(doc)
    # at the learning rate they were trained with, not the new one
    for a, b in zip(doc.network.parameters(), cli_params(1.05, 3)):
        assert np.array_equal(a, b)
    assert doc.project.training.learning_rate == 0.01
