"""Run mode at full speed trains in the training process (a real one here).
What a user relies on: pausing keeps exactly what the window showed, edits
during a run take effect, step back works frame by frame, and when the
training process fails (crashes, errors) the run goes on in the window
without losing anything. The tests wait on signals and messages, not on time."""
import numpy as np
import pytest

from nnsim.core.run_mode import protocol
from nnsim.core.run_mode.protocol import quit_message
from nnsim.document import PAUSED, TARGET_REACHED, Document, Runner
from nnsim.document.run_mode import training_process
from nnsim.examples import example_path
from nnsim.io import load_project

TIMEOUT = 30_000


@pytest.fixture
def doc(qtbot):
    d = Document.open(example_path("circle-tanh"))
    d.set_training(epochs=1_000_000)
    return d


@pytest.fixture
def runner(doc):
    r = Runner(doc)
    r.use_process = True
    yield r
    r.pause()


def cli_params(epochs):
    """The CLI's loop on the same file: parameters after ``epochs`` epochs."""
    project = load_project(example_path("circle-tanh"))
    stepper = project.make_stepper(project.dataset())
    stepper.step_epochs(epochs)
    return [p.copy() for p in project.network.parameters()]


def equal(a, b):
    return all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))


def run_until(qtbot, runner, doc, epochs):
    runner.play()
    qtbot.waitUntil(lambda: len(doc.epoch_results) >= epochs, timeout=TIMEOUT)


def wait_for_all_it_sent(qtbot, process, doc) -> list:
    """Run the event loop until everything ``process`` sent so far has
    arrived: a load of no epochs is answered at once, after all that the
    training process sent before. Returns the messages, that progress last."""
    session = training_process.new_session()
    assert process.load(doc._stepper, session, 0, None)
    got = []

    def answered():
        got.extend(process.messages())
        return any(m is not None and m[0].get("session") == session for m in got)
    qtbot.waitUntil(answered, timeout=TIMEOUT)
    return got


def test_pause_keeps_the_last_frame_and_play_resumes_bit_for_bit(qtbot, doc, runner):
    run_until(qtbot, runner, doc, 3)
    process = runner._lease.process
    with qtbot.waitSignal(runner.paused) as paused:
        runner.pause()
    assert paused.args == [PAUSED] and runner.process_failure is None
    n = len(doc.epoch_results)
    # the training process is told to stop; whatever it still sends is not taken
    assert process in training_process._idle
    got = wait_for_all_it_sent(qtbot, process, doc)
    assert got[-1][0]["final"] == protocol.EPOCHS
    assert len(doc.epoch_results) == n
    assert [r.epoch for r in doc.epoch_results] == list(range(1, n + 1))
    assert equal(doc.network.parameters(), cli_params(n))
    doc.set_training(epochs=n + 20)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED]
    assert len(doc.epoch_results) == n + 20
    assert equal(doc.network.parameters(), cli_params(n + 20))


def test_step_back_after_a_run_returns_to_an_earlier_frame_exactly(qtbot, doc, runner):
    run_until(qtbot, runner, doc, 5)
    runner.pause()
    n = len(doc.epoch_results)
    assert doc.step_back()
    m = len(doc.epoch_results)
    assert m < n
    assert equal(doc.network.parameters(), cli_params(m))


def test_an_edit_during_a_run_takes_effect(qtbot, doc, runner, tmp_path):
    run_until(qtbot, runner, doc, 2)
    doc.add_neuron(1)  # a new structure, training starts afresh: the training process is reloaded
    doc.save(tmp_path / "edited.nnsim")  # the state the run goes on from
    qtbot.waitUntil(lambda: len(doc.epoch_results) >= 3, timeout=TIMEOUT)
    runner.pause()
    assert runner.process_failure is None
    n = len(doc.epoch_results)
    project = load_project(tmp_path / "edited.nnsim")
    assert project.history.epochs == []
    project.make_stepper(project.dataset()).step_epochs(n)
    assert doc.network.sizes == project.network.sizes
    assert equal(doc.network.parameters(), project.network.parameters())


def test_a_crash_of_the_process_moves_the_run_into_the_window(qtbot, doc, runner):
    doc.set_training(epochs=400)
    run_until(qtbot, runner, doc, 1)
    runner._lease.process._proc.kill()
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        pass
    assert paused.args == [TARGET_REACHED]
    assert "ended" in runner.process_failure
    assert len(doc.epoch_results) == 400
    assert equal(doc.network.parameters(), cli_params(400))  # nothing lost, nothing twice


def test_an_error_in_the_process_moves_the_run_into_the_window(qtbot, doc, runner, monkeypatch):
    real = protocol.load_message

    def broken(*args, **kwargs):
        header, arrays = real(*args, **kwargs)
        header["network"]["loss"] = "no such loss"
        return header, arrays
    monkeypatch.setattr(training_process, "load_message", broken)
    doc.set_training(epochs=30)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED]
    assert "no such loss" in runner.process_failure
    assert "Error" not in runner.process_failure  # words for a user, not a class name
    assert equal(doc.network.parameters(), cli_params(30))


def test_the_process_exits_cleanly_when_told_or_when_the_app_closes_its_input():
    process = training_process.TrainingProcess()
    assert process.alive
    process._proc.stdin.close()
    assert process._proc.wait(timeout=10) == 0
    assert not process.alive
    process = training_process.TrainingProcess()
    assert process._send(quit_message())  # its reader thread still waits on stdin
    assert process._proc.wait(timeout=10) == 0  # not an abort at interpreter shutdown
    process.close()


def test_a_training_process_is_reused_for_the_next_run(qtbot, doc, runner):
    doc.set_training(epochs=5)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        runner.play()
    assert runner._lease.process is None  # given back when the run ended
    idle = list(training_process._idle)
    assert idle and idle[0].alive
    doc.set_training(epochs=10)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED] and runner.process_failure is None
    assert training_process._idle == idle  # the same training process again
    assert len(doc.epoch_results) == 15  # a run of 5, then a run of 10
    assert equal(doc.network.parameters(), cli_params(15))


def test_without_a_python_to_start_the_run_trains_in_the_window(qtbot, doc, runner, monkeypatch):
    monkeypatch.setattr(training_process, "_idle", [])
    monkeypatch.setattr(training_process.sys, "executable", "/no/such/python")
    doc.set_training(epochs=20)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED]
    assert "could not be started" in runner.process_failure
    assert equal(doc.network.parameters(), cli_params(20))


def test_the_training_process_imports_nothing_from_the_users_folder(qtbot, doc, runner,
                                                                     tmp_path, monkeypatch):
    """Issue 16 item 4: a numpy.py, an nnsim/ folder or a module the process
    imports, planted where the user starts the app (or on PYTHONPATH), are
    never imported by the training process (`python -m` would put that folder
    first on sys.path); Play still trains there, with the app's nnsim and NumPy."""
    marker = tmp_path / "imported.txt"
    plant = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\nraise SystemExit(3)\n"
    for name in ("numpy.py", "runpy.py", "framing.py"):
        (tmp_path / name).write_text(plant)
    (tmp_path / "nnsim").mkdir()
    (tmp_path / "nnsim" / "__init__.py").write_text(plant)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr(training_process, "_idle", [])  # a new process, started here
    doc.set_training(epochs=5)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED]
    assert runner.process_failure is None  # trained in the training process
    assert equal(doc.network.parameters(), cli_params(5))
    assert not marker.exists()
