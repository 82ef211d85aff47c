"""The loss plot's memory does not grow with the history (issue 16): it reads
the document's own columns, draws a long history as a min/max envelope of a
few thousand points (a one-epoch spike still shows), and keeps a pyramid of a
bounded size; the hover read-out still gives each epoch's exact numbers."""
import gc
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from nnsim.core.history_log import EpochLog
from nnsim.core.naming import fmt
from nnsim.core.project import History
from nnsim.document import Document
from nnsim.io import load_project
from nnsim.qt import peak_pyramid
from nnsim.qt.loss_curves import BUCKETS_PER_PX, PAN_MARGIN
from nnsim.qt.loss_plot import LossPlotWidget

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
N = 200_000
SPIKE, DIP = 123_457, 77_777  # epochs (1-based)


def history(n: int) -> np.ndarray:
    rng = np.random.default_rng(4)
    cols = np.zeros((n, 8))
    cols[:, 0] = np.arange(1, n + 1)
    cols[:, 1] = np.exp(-cols[:, 0] / (n / 5)) + 0.05 * rng.random(n)
    cols[:, 2] = 1.1 * cols[:, 1]
    cols[:, 3] = 0.5 + 0.4 * rng.random(n)
    cols[:, 4] = 0.8
    cols[SPIKE - 1, 1] = 40.0
    cols[DIP - 1, 1] = 1e-5
    return cols


@pytest.fixture
def long_doc(qtbot):
    """The spiral example with N epochs of history, opened as a document, and
    two more epochs trained through the document."""
    project = load_project(EXAMPLES / "spiral-deep.nnsim")
    log = EpochLog()
    log.extend_columns(history(N))
    project.history = History(log)
    doc = Document(project)
    doc.step_epochs(2)
    return doc


def make_plot(qtbot, doc) -> LossPlotWidget:
    w = LossPlotWidget(doc)
    qtbot.addWidget(w)
    w.resize(700, 450)
    w.show()
    return w


def drawn(curve):
    x, y = curve.getOriginalDataset()
    return np.asarray(x), np.asarray(y)


def test_a_long_history_costs_the_plot_no_memory_per_epoch(qtbot, long_doc, monkeypatch):
    monkeypatch.setattr(peak_pyramid, "MAX_STORED", 1024)  # the cap, reached here
    w = make_plot(qtbot, long_doc)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        w.refresh_now()
        w.plot_widget.grab()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # the history itself is 64 bytes an epoch (12.8 MB); the plot kept 80
    # bytes an epoch of copies of it before, and now a fixed few hundred kB
    assert held < 1_000_000, held
    for curve, plot in ((w.train_curve, w.plot), (w.test_curve, w.plot),
                        (w.train_acc_curve, w.acc_plot), (w.test_acc_curve, w.acc_plot)):
        x, y = drawn(curve)
        assert 0 < len(x) <= 2 * (BUCKETS_PER_PX * plot.getViewBox().width() + 4)
        assert curve.pyramid.nbytes <= 2 * 2 * 2 * 1024 * 8
    # the envelope keeps the one-epoch spike and dip
    _x, y = drawn(w.train_curve)
    assert np.nanmax(y) == 40.0 and np.nanmin(y) == 1e-5
    assert w.train_curve.series_length == N + 2


def test_the_hover_read_out_gives_the_exact_epoch(qtbot, long_doc):
    w = make_plot(qtbot, long_doc)
    w.refresh_now()
    results = long_doc.epoch_results
    for epoch in (SPIKE, DIP, 150_001, N + 2):
        r = results[epoch - 1]
        text = w.hover_at(QPointF(epoch, 1.0))
        assert text.startswith(f"epoch {epoch}: train {fmt(r.train_loss)}, test {fmt(r.test_loss)}")
    # zoomed in: the raw epochs, exactly
    w.plot.getViewBox().setXRange(SPIKE - 30, SPIKE + 30, padding=0)
    w.refresh_now()
    x, y = drawn(w.train_curve)
    assert np.array_equal(y, results.columns[x.astype(int) - 1, 1])
    assert 40.0 in y and PAN_MARGIN > 0
