"""When the diagnosis runs: at pause, after an edit, at most four times a
second during a run (on the runner's clock), never in the epoch loop; and
the loss curve it reads starts at the last settings change."""
import numpy as np

from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document, Runner
from nnsim.document import diagnosis_watch
from nnsim.document.diagnosis_watch import DiagnosisWatch

from fake_clock import FakeClock


def jumping_document() -> Document:
    net = Network.build(2, [2, 1], ["sigmoid", "sigmoid"], loss="bce",
                        rng=np.random.default_rng(0))
    cfg = TrainingConfig(learning_rate=50.0, batch_size=80, epochs=100)
    return Document(Project(net, cfg, DataSpec("xor", n=100, seed=0)))


class Counting:
    def __init__(self, doc):
        self.calls = 0
        real = doc.diagnosis

        def counted(*a):
            self.calls += 1
            return real(*a)
        doc.diagnosis = counted


def test_during_a_run_at_most_four_diagnoses_a_second(qtbot, monkeypatch):
    doc = jumping_document()
    runner = Runner(doc)
    clock = FakeClock()
    watch = DiagnosisWatch(runner, clock=clock)
    count = Counting(doc)
    monkeypatch.setattr(Runner, "is_running", property(lambda self: True))
    for _ in range(40):  # 40 frames in 1.2 s: diagnosed at 0.27, 0.54, 0.81 and 1.08 s
        clock.advance(0.03)
        doc.step_epochs(1)  # a frame adopted: no diagnosis for the change itself
        runner.progress.emit(1, 100)
    assert diagnosis_watch.INTERVAL_S == 0.25 and count.calls == 4
    monkeypatch.undo()
    runner.paused.emit("paused")  # a pause diagnoses at once
    assert count.calls == 5
    assert watch.findings == doc.diagnosis(0)


def test_the_curve_is_read_from_the_last_settings_change(qtbot):
    doc = jumping_document()
    runner = Runner(doc)
    watch = DiagnosisWatch(runner)
    doc.step_epochs(100)
    assert [f.kind for f in watch.findings if f.kind == "learning rate"] == ["learning rate"]
    doc.set_training(learning_rate=5.0)
    assert not any(f.kind == "learning rate" for f in watch.findings)
    doc.undo_stack.undo()  # back to 50: its jumps are ahead, not behind
    assert not any(f.kind == "learning rate" for f in watch.findings)
    doc.step_epochs(50)
    assert any(f.kind == "learning rate" for f in watch.findings)


def test_a_slow_diagnosis_runs_less_often_to_take_at_most_a_tenth_of_the_time(
        qtbot, monkeypatch):
    doc = jumping_document()
    runner = Runner(doc)
    clock = FakeClock()
    watch = DiagnosisWatch(runner, clock=clock)
    real = doc.diagnosis
    calls = []

    def slow(*a):  # one diagnosis "takes" 0.1 s
        calls.append(clock.now)
        clock.advance(0.1)
        return real(*a)
    doc.diagnosis = slow
    watch.refresh()
    monkeypatch.setattr(Runner, "is_running", property(lambda self: True))
    for _ in range(100):  # 100 frames over 3 s
        clock.advance(0.03)
        runner.progress.emit(1, 100)
    assert diagnosis_watch.MAX_SHARE == 0.1
    gaps = np.diff(calls)
    assert len(calls) >= 3 and np.all(gaps >= 1.0 - 1e-9)  # 0.1 s in every second at most


def test_the_diagnosis_of_absurd_targets_prints_no_numpy_warning():
    """Targets of 1e200 overflow the constant-prediction loss (a variance):
    the diagnosis says what it can and NumPy says nothing on stderr."""
    import warnings
    import numpy as np
    from nnsim.core.network import Network
    from nnsim.core.project import ImportedData, Project
    from nnsim.core.training import TrainingConfig
    from nnsim.document import Document
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (20, 2))
    Y = rng.uniform(-1, 1, (20, 1)) * 1e200
    net = Network.build(2, [3, 1], ["tanh", "linear"], loss="mse", rng=rng)
    doc = Document(Project(net, TrainingConfig(), ImportedData(X, Y, X[:0], Y[:0], ["a", "b"],
                                                              ["y"], "regression")))
    from nnsim.core.diagnosis import constant_loss
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert constant_loss("mse", Y) == float("inf")  # the variance overflows
        doc.step_epochs(3)
        doc.diagnosis()
