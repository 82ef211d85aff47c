"""Run mode with a data set whose epoch is long: training goes in slices
smaller than an epoch, so Pause acts at the next slice, progress inside the
epoch is reported, and a run paused inside an epoch and resumed ends with
the CLI's numbers, bit for bit. The window sends the data set to the
training process once per load, as it is (no copy), and keeps one order
per epoch. Runners in the window's process read a fake clock (conftest.py);
nothing here waits on time."""
import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication

from nnsim.core import history_log
from nnsim.core.network import Network
from nnsim.core.project import ImportedData, Project
from nnsim.core.run_mode import framing
from nnsim.core.run_mode.slicing import FIRST_SAMPLES
from nnsim.core.training import TrainingConfig
from nnsim.document import TARGET_REACHED, Document, Runner
from nnsim.document.run_mode import training_process

TIMEOUT = 60_000
ROWS = 30_000  # batch 1: an epoch is 30,000 updates, many slices of training


def project(rows=ROWS, seed=0) -> Project:
    rng = np.random.default_rng(seed)
    net = Network.build(2, [4, 1], ["tanh", "sigmoid"], loss="bce", rng=rng)
    X = rng.uniform(-1, 1, (rows, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    data = ImportedData(X, Y, X[:50], Y[:50], ["x1", "x2"], ["y"], "binary")
    return Project(net, TrainingConfig(learning_rate=0.1, batch_size=1, seed=3, epochs=1), data)


def cli_params(epochs):
    p = project()
    p.make_stepper(p.dataset()).step_epochs(epochs)
    return p.network.parameters()


def equal(a, b):
    return all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))


def settle(n=20):
    for _ in range(n):
        QCoreApplication.processEvents()


@pytest.fixture
def doc(qtbot):
    return Document(project())


def test_pause_inside_a_long_epoch_acts_at_the_next_slice(qtbot, doc, clock):
    runner = Runner(doc, clock=clock)
    runner.use_process = False
    runner.play()
    runner._on_timeout()  # one chunk, as the runner's timer runs it
    # the chunk stopped at its time budget, a few slices in (10 ms a clock reading
    # here, three readings a slice): nowhere near the epoch's end
    trained = doc.epoch_fraction * ROWS
    assert 0 < trained <= 3 * FIRST_SAMPLES and len(doc.epoch_results) == 0
    runner.pause()
    settle()
    assert doc.epoch_fraction * ROWS == trained and not runner.is_running  # nothing more


@pytest.mark.parametrize("where", ["process", "in-window"])
def test_a_run_paused_inside_an_epoch_and_resumed_matches_the_cli(qtbot, doc, clock, where):
    runner = Runner(doc, clock=clock)
    runner.use_process = where == "process"
    done = []
    runner.progress.connect(lambda d, t: done.append((d, doc.epoch_fraction)))
    runner.play()
    qtbot.waitUntil(lambda: 0 < doc.epoch_fraction, timeout=TIMEOUT)
    runner.pause()
    fraction = doc.epoch_fraction
    assert 0 < fraction < 1 and len(doc.epoch_results) == 0
    assert any(d == 0 and 0 < f < 1 for d, f in done)  # progress told inside the epoch
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()
    assert paused.args == [TARGET_REACHED] and runner.process_failure is None
    assert len(doc.epoch_results) == 1 and doc.epoch_fraction == 0
    assert equal(doc.network.parameters(), cli_params(1))
    runner.pause()


def test_the_data_set_goes_to_the_training_process_once_and_uncopied(qtbot, doc, monkeypatch):
    sent = []
    real_parts = framing.parts

    def spy(header, arrays=None, borrow=frozenset()):
        out = real_parts(header, arrays, borrow)
        if header.get("type") == "load":
            sent.append({id(m.obj) for m in out[1:] if isinstance(m, memoryview)})
        return out
    monkeypatch.setattr(training_process.framing, "parts", spy)
    doc.set_training(epochs=2)
    runner = Runner(doc)
    runner.use_process = True
    orders = []
    doc.changed.connect(lambda _c: orders.append(doc._stepper.order))
    runner.play()
    qtbot.waitUntil(lambda: doc.epoch_fraction > 0, timeout=TIMEOUT)
    runner.pause()
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT) as paused:
        runner.play()  # a second load: the training process holds the data already
    assert paused.args == [TARGET_REACHED]
    d = doc.dataset
    assert len(sent) == 2
    assert sent[0] == {id(d.X_train), id(d.Y_train), id(d.X_test),
                       id(d.Y_test)}  # the document's own arrays
    assert sent[1] == set()  # not sent again
    # one order per epoch in the window, however many frames adopted progress
    assert len({id(o) for o in orders}) <= 2 + 1


def test_the_per_update_losses_stay_bounded_in_the_document(qtbot, monkeypatch):
    monkeypatch.setattr(history_log, "STEP_LOG_ROWS", 2048)
    monkeypatch.setattr(history_log, "RECENT_ROWS", 512)
    doc = Document(project(rows=100))
    held = []
    for _ in range(8):
        doc.step_epochs(20)  # 2,000 updates
        held.append(doc.step_losses.nbytes)
    assert len(doc.epoch_results) == 160  # the epochs (the file's history) all kept
    assert doc.step_losses[-1][0] == 16_000  # the latest update, exact
    assert max(held) <= 2 * 2048 * 16  # 16,000 updates in at most the cap's buffer
