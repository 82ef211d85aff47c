"""The loss plot shows the document's history, per epoch or per update, with
log scale, hover read-out, kept runs, a divergence marker and throttled redraws."""
import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from nnsim.document import Change
from nnsim.core.naming import fmt
from nnsim.core.training import EpochResult
from nnsim.document import Document
from nnsim.qt.loss_plot import LossPlotWidget
from nnsim.qt.loss_series import TrailingMean, trailing_mean

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def doc(qtbot):
    return Document()  # the lecture's 2-2-1 sigmoid network on xor (no test set)


@pytest.fixture
def spiral(qtbot):
    return Document.open(EXAMPLES / "spiral-deep.nnsim")


def make_plot(qtbot, doc) -> LossPlotWidget:
    w = LossPlotWidget(doc)
    qtbot.addWidget(w)
    w.resize(600, 400)
    w.show()
    return w


def xy(curve):
    x, y = curve.getOriginalDataset()  # getData() is clipped to the view
    return (np.array([]), np.array([])) if x is None else (np.asarray(x), np.asarray(y))


def test_epoch_curves_hold_the_epoch_results(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    spiral.step_epochs(5)
    w.refresh_now()
    res = spiral.epoch_results
    assert len(res) == 5
    x, train = xy(w.train_curve)
    _, test = xy(w.test_curve)
    assert list(x) == [1, 2, 3, 4, 5]
    assert np.allclose(train, [r.train_loss for r in res])
    assert np.allclose(test, [r.test_loss for r in res])
    _, acc = xy(w.train_acc_curve)
    assert np.allclose(acc, [100 * r.train_accuracy for r in res])
    assert w.acc_widget.isVisible()  # classification data
    assert w.plot.getAxis("left").labelText == "loss"
    assert w.acc_plot.getAxis("bottom").labelText == "epoch"
    assert w.legend_labels() == ["train", "test"]
    assert "epoch 5: train" in w.status_label.text()


def test_a_short_plot_leaves_accuracy_to_the_status_line(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    spiral.step_epochs(2)
    w.refresh_now()
    assert w.acc_widget.isVisible()
    assert w.plot.getAxis("bottom").label.isVisible() is False  # the accuracy plot's axis says it
    w.resize(600, 220)
    qtbot.waitUntil(lambda: not w.acc_widget.isVisible())
    assert w.plot.getAxis("bottom").label.isVisible()
    r = spiral.epoch_results[-1]
    assert f"accuracy {100 * r.train_accuracy:.1f}% / {100 * r.test_accuracy:.1f}%" \
        in w.status_label.text()


def test_the_plot_follows_training_by_itself(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    spiral.step_epochs(3)
    qtbot.waitUntil(lambda: len(xy(w.train_curve)[0]) == 3)


def test_regression_hides_accuracy(qtbot):
    d = Document.open(EXAMPLES / "plane-regression.nnsim")
    w = make_plot(qtbot, d)
    d.step_epochs(2)
    w.refresh_now()
    assert not w.acc_widget.isVisible()
    assert w.plot.getAxis("bottom").labelText == "epoch"


def test_per_update_view_shows_the_batch_losses(qtbot, doc):
    w = make_plot(qtbot, doc)
    w.per_update_box.click()
    assert w.per_update
    for _ in range(len(doc.plan)):  # one whole cycle of micro-steps
        doc.micro_step()
    doc.step_batch()
    doc.step_sample()
    w.refresh_now()
    x, y = xy(w.step_curve)
    losses = doc.step_losses
    assert len(losses) == 3
    assert list(x) == [u for u, _ in losses]
    assert np.allclose(y, [v for _, v in losses])
    assert w.plot.getAxis("bottom").labelText == "update"
    assert not w.train_curve.isVisible() and w.step_curve.isVisible()
    assert not w.acc_widget.isVisible()
    assert w.legend_labels()[0] == "batch loss"


def test_per_update_view_follows_step_back(qtbot, doc):
    w = make_plot(qtbot, doc)
    w.per_update_box.click()
    doc.step_batch()
    doc.step_batch()
    w.refresh_now()
    assert len(xy(w.step_curve)[0]) == 2
    doc.step_back()
    doc.step_batch()  # the same update again, before the plot redraws
    w.refresh_now()
    x, y = xy(w.step_curve)
    assert list(x) == [1, 2]
    assert np.allclose(y, [v for _, v in doc.step_losses])
    doc.step_back()
    w.refresh_now()
    assert list(xy(w.step_curve)[0]) == [1]


def test_epoch_view_says_when_no_epoch_finished(qtbot, doc):
    w = make_plot(qtbot, doc)
    doc.step_sample()
    w.refresh_now()
    assert len(xy(w.train_curve)[0]) == 0
    assert "Per update" in w.status_label.text()


def naive_mean(y, w):
    out = []
    for i in range(len(y)):
        win = y[max(0, i - w + 1):i + 1]
        win = win[np.isfinite(win)]
        out.append(win.mean() if len(win) else np.nan)
    return np.array(out)


def test_running_mean_of_the_batch_loss():
    y = np.array([1.0, 3.0, np.nan, 5.0, 7.0])
    m = trailing_mean(y, 2)
    assert m[0] == 1 and m[1] == 2 and m[2] == 3 and m[3] == 5 and m[4] == 6
    rng = np.random.default_rng(3)
    y = rng.random(1000) * 1e-4
    y[[5, 6, 300]] = [np.nan, np.inf, 1e12]  # a spike does not spoil later precision
    y[700:720] = np.nan
    for w in (1, 2, 7, 64, 100):
        assert np.allclose(trailing_mean(y, w), naive_mean(y, w), rtol=1e-9, equal_nan=True)


def test_running_mean_is_incremental():
    rng = np.random.default_rng(4)
    y = rng.random(500)
    tm = TrailingMean()
    tm.update(y[:100], 0, 10)
    tm.update(y[:230], 100, 10)
    tm.update(y[:150], 150, 10)  # shrank (step back)
    y2 = y.copy()
    y2[140:] = rng.random(360)
    got = tm.update(y2, 140, 10)
    assert np.allclose(got, naive_mean(y2, 10))
    assert np.allclose(tm.update(y2, 500, 25), naive_mean(y2, 25))  # new window: all


def test_log_toggle_sets_log_mode(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    spiral.step_epochs(3)
    w.log_box.click()
    assert w.plot.getAxis("left").logMode
    assert w.plot.getAxis("left").labelText == "loss (log scale)"
    w.refresh_now()
    # the curve's data stay the losses; pyqtgraph draws their log
    assert np.allclose(w.train_data[1], [r.train_loss for r in spiral.epoch_results])
    assert np.allclose(w.train_curve.getData()[1][-1],
                       np.log10(spiral.epoch_results[-1].train_loss))
    w.log_box.click()
    assert not w.plot.getAxis("left").logMode


def test_hover_reads_out_the_nearest_epoch(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    spiral.step_epochs(4)
    w.refresh_now()
    r = spiral.epoch_results[2]
    text = w.hover_at(QPointF(3.2, r.train_loss))
    assert text.startswith("epoch 3: train ")
    assert f"train {r.train_loss:.4g}" in text and f"test {r.test_loss:.4g}" in text
    assert "accuracy" in text
    assert w.hover_label == text
    # through the mouse signal, as the user moves the mouse
    vb = w.plot.getViewBox()
    vb.autoRange()
    scene_pos = vb.mapViewToScene(QPointF(1.1, r.train_loss))
    w._on_mouse_moved((scene_pos,))
    assert w.hover_label.startswith("epoch 1: train")
    w._on_mouse_moved((QPointF(-50, -50),))  # outside the plot
    assert w.hover_label == ""


def test_keep_run_adds_a_labelled_overlay(qtbot, doc):
    w = make_plot(qtbot, doc)
    doc.step_epochs(3)
    w.refresh_now()
    live = xy(w.train_curve)
    w.keep_button.click()
    assert w.kept_runs == ["lr 0.5, sigmoid, 3 epochs"]
    assert "lr 0.5, sigmoid, 3 epochs" in w.legend_labels()
    kept = xy(w.kept_curves[0])
    assert np.array_equal(kept[0], live[0]) and np.allclose(kept[1], live[1])
    # the overlay stays frozen while the live curve grows
    doc.set_training(learning_rate=2.0)
    doc.step_epochs(2)
    w.refresh_now()
    assert len(xy(w.train_curve)[0]) == 5
    assert len(xy(w.kept_curves[0])[0]) == 3
    w.keep_button.click()
    assert w.kept_runs == ["lr 0.5, sigmoid, 3 epochs", "lr 2, sigmoid, 5 epochs"]
    pens = [c.opts["pen"].color().name() for c in w.kept_curves]
    assert pens[0] != pens[1]  # different colours
    # kept runs belong to their document: another one shows none of them...
    other = Document.open(EXAMPLES / "spiral-deep.nnsim")
    w.set_document(other)
    w.refresh_now()
    assert w.kept_runs == [] and len(xy(w.train_curve)[0]) == 0
    assert not any(label.startswith("lr ") for label in w.legend_labels())
    assert not w.clear_button.isEnabled()
    # ...and they are back with their document, until cleared
    w.set_document(doc)
    w.refresh_now()
    assert w.kept_runs == ["lr 0.5, sigmoid, 3 epochs", "lr 2, sigmoid, 5 epochs"]
    assert all(c in w.plot.items for c in w.kept_curves)
    w.clear_button.click()
    assert w.kept_runs == [] and doc.kept_runs == [] and not any(
        label.startswith("lr ") for label in w.legend_labels())
    assert not w.clear_button.isEnabled()


def test_kept_runs_of_another_document_leave_the_plot_and_its_axes(qtbot, doc, spiral):
    w = make_plot(qtbot, doc)
    doc.set_training(epochs=3000)
    doc.step_epochs(300)
    w.keep_run()
    w.set_document(spiral)
    spiral.step_epochs(3)
    w.refresh_now()
    qtbot.wait(50)
    (x0, x1), _ = w.plot.getViewBox().viewRange()
    assert x1 < 10  # fits the 3 epochs on show, not the other document's 300
    assert not any(item.kept for item in w.plot.items if hasattr(item, "kept"))


def test_the_same_settings_kept_twice_get_told_apart(qtbot, doc):
    w = make_plot(qtbot, doc)
    doc.step_epochs(1)
    w.keep_run()
    w.keep_run()
    assert w.kept_runs == ["lr 0.5, sigmoid, 1 epoch", "lr 0.5, sigmoid, 1 epoch (2)"]


def test_keep_is_disabled_without_a_history(qtbot, doc):
    w = make_plot(qtbot, doc)
    w.refresh_now()
    assert not w.keep_button.isEnabled()


def test_a_diverged_history_plots_and_shows_the_marker(qtbot):
    d = Document.open(EXAMPLES / "plane-regression.nnsim")
    d.set_training(learning_rate=50.0)
    w = make_plot(qtbot, d)
    d.step_epochs(20)  # stops at the first non-finite epoch
    res = d.epoch_results
    assert not res[-1].finite
    w.refresh_now()
    x, y = xy(w.train_curve)
    assert len(x) == len(res)
    assert np.isfinite(y[:-1]).all() and np.isnan(y[-1])
    assert w.diverged_text == f"diverged at epoch {res[-1].epoch}"
    assert w.diverged_line.isVisible()
    assert "diverged" in w.status_label.text()
    w.log_box.click()
    w.refresh_now()
    w.per_update_box.click()
    first_bad = next(u for u, v in d.step_losses if not math.isfinite(v))
    assert w.diverged_text == f"diverged at update {first_bad}"
    w.hover_at(QPointF(first_bad, 0))  # read-out of a non-finite loss
    assert "\u221e" in w.hover_label or "NaN" in w.hover_label


def test_a_nan_history_plots(qtbot, doc):
    w = make_plot(qtbot, doc)
    doc.step_epochs(2)
    doc.epoch_results.append(EpochResult(3, math.nan, None))
    doc.changed.emit(Change(history=True))
    w.refresh_now()
    assert len(xy(w.train_curve)[0]) == 3
    assert w.diverged_text == "diverged at epoch 3"
    doc.epoch_results.pop()  # as a step back does
    doc.changed.emit(Change(history=True))
    w.refresh_now()
    assert w.diverged_text == ""


def test_many_signals_cause_one_redraw(qtbot, doc):
    w = make_plot(qtbot, doc)
    qtbot.waitUntil(lambda: not w._timer.isActive())
    before = w.redraw_count
    for _ in range(50):
        doc.step_sample()  # each emits trained and stepped
    assert w.redraw_count == before  # nothing drawn yet, only marked
    qtbot.waitUntil(lambda: w.redraw_count > before)
    assert w.redraw_count == before + 1
    assert not w._timer.isActive()  # and no other redraw pending


def test_a_hidden_plot_waits_until_shown(qtbot, doc):
    w = make_plot(qtbot, doc)
    qtbot.waitUntil(lambda: not w._timer.isActive())
    w.hide()
    before = w.redraw_count
    doc.step_epochs(2)
    qtbot.waitUntil(lambda: not w._timer.isActive())
    assert w.redraw_count == before
    w.show()
    qtbot.waitUntil(lambda: len(xy(w.train_curve)[0]) == 2)


def test_a_million_updates_redraw_incrementally(qtbot, doc):
    w = make_plot(qtbot, doc)
    w.per_update_box.click()
    doc.step_losses.extend((i + 1, 1.0 / (i + 1)) for i in range(1_000_000))
    doc.changed.emit(Change(history=True))
    w.refresh_now()
    assert len(w.step_data[0]) == 1_000_000  # the whole history, for the read-out
    # the curve draws its pyramid's buckets in view: a few thousand points
    assert len(xy(w.step_curve)[0]) <= max_points(w, w.plot)
    assert not w.step_curve.opts["clipToView"] and not w.step_curve.opts["autoDownsample"]
    doc.step_losses.append((1_000_001, 0.5))
    doc.changed.emit(Change(history=True))
    w.refresh_now()
    assert w.step_data[1][-1] == 0.5
    window = w._mean_window()
    tail = [v for _, v in doc.step_losses[-window:]]
    assert w.step_mean_data[1][-1] == pytest.approx(np.mean(tail))
    assert xy(w.step_curve)[0][-1] <= 1_000_001 and np.nanmax(xy(w.step_curve)[1]) == 1.0


def test_an_exploded_loss_does_not_flatten_the_linear_plot(qtbot):
    d = Document.open(EXAMPLES / "plane-regression.nnsim")
    w = make_plot(qtbot, d)
    d.step_epochs(8)
    d.set_training(learning_rate=3.0)
    d.step_epochs(30)
    w.refresh_now()
    early = max(r.train_loss for r in d.epoch_results[:5])
    top = w.plot.getViewBox().viewRange()[1][1]
    assert top < 4 * early  # the early curve stays readable; the explosion leaves the top
    w.log_box.click()
    w.refresh_now()
    qtbot.waitUntil(lambda: w.plot.getViewBox().viewRange()[1][1] > 100)  # log10: all of it


def test_grid_lines_sit_on_the_axis_ticks_in_linear_and_log_scale(qtbot, spiral):
    from nnsim.qt.plot_grid import PlotGrid
    w = make_plot(qtbot, spiral)
    spiral.step_epochs(30)
    for log in (False, True):
        w.log_box.setChecked(log)
        w.refresh_now()
        qtbot.wait(10)
        grid = next(i for i in w.plot.items if isinstance(i, PlotGrid))
        (x0, x1), (y0, y1) = w.plot.getViewBox().viewRange()
        major = grid.lines()[0]
        xs = sorted(l.x1() for l in major if l.x1() == l.x2())
        ys = sorted(l.y1() for l in major if l.y1() == l.y2())
        # the same values the axes label, every one inside the view
        bottom = w.plot.getAxis("bottom").tickValues(x0, x1, w.plot.getViewBox().width())[0][1]
        left = w.plot.getAxis("left").tickValues(y0, y1, w.plot.getViewBox().height())[0][1]
        assert xs == sorted(v for v in bottom if x0 <= v <= x1) and len(xs) >= 2
        assert ys == sorted(v for v in left if y0 <= v <= y1) and len(ys) >= 2
        assert grid.zValue() < w.train_curve.zValue()


def test_long_histories_are_drawn_with_thin_lines(qtbot, doc):
    from nnsim.qt.loss_curves import DENSE_POINTS
    w = make_plot(qtbot, doc)
    results = doc.epoch_results
    results += [EpochResult(k, 1.0 / k, None) for k in range(1, 11)]
    doc.changed.emit(Change(history=True))
    w.refresh_now()
    assert w.train_curve.opts["pen"].widthF() == 2  # a short curve reads better bold
    results += [EpochResult(k, 1.0 / k, None) for k in range(11, DENSE_POINTS + 10)]
    doc.changed.emit(Change(history=True))
    w.refresh_now()
    assert w.train_curve.opts["pen"].widthF() == 1  # Qt strokes wide lines slowly
    assert w.test_curve.opts["pen"].style() != w.train_curve.opts["pen"].style()  # still dashed


def test_a_single_epoch_shows_as_a_dot(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    spiral.step_epochs(1)
    w.refresh_now()
    assert w.train_curve.opts["symbol"] == "o"  # one point draws no line
    spiral.step_epochs(1)
    w.refresh_now()
    assert w.train_curve.opts["symbol"] is None


def test_the_loss_axis_makes_room_for_long_tick_labels_and_the_plots_line_up(qtbot, doc):
    w = make_plot(qtbot, doc)
    results = doc.epoch_results
    results += [EpochResult(k, 0.5 / k, None) for k in range(1, 5)]
    doc.changed.emit(Change(history=True))
    w.refresh_now()
    qtbot.wait(20)
    narrow = w.plot.getAxis("left").width()
    results += [EpochResult(k, -1.5e20 * k, None) for k in range(5, 9)]
    doc.changed.emit(Change(history=True))
    w.refresh_now()
    qtbot.wait(20)
    wide = w.plot.getAxis("left").width()
    assert wide > narrow
    assert w.acc_plot.getAxis("left").width() == pytest.approx(wide, abs=1)


def test_a_slow_redraw_makes_the_plot_redraw_less_often(qtbot, doc, monkeypatch):
    """A huge history costs tens of ms a redraw: the plot then waits longer
    between redraws, so the canvas and the clicks keep most of the time."""
    from nnsim.qt import loss_plot
    w = make_plot(qtbot, doc)
    clock = iter([10.0, 10.090, 20.0, 20.005])  # a redraw of 90 ms, then one of 5 ms
    monkeypatch.setattr(loss_plot, "_clock", lambda: next(clock))
    w.refresh_now()
    assert w._timer.interval() == pytest.approx(90 / loss_plot.REDRAW_SHARE, abs=1)
    w.refresh_now()
    assert w._timer.interval() == loss_plot.REDRAW_MS


# -- long histories: drawn from a min/max pyramid --------------------------------------
def long_history(n, seed=0):
    """``n`` epochs as EpochLog columns: a noisy decay, spikes, a gap."""
    rng = np.random.default_rng(seed)
    cols = np.zeros((n, 8))
    cols[:, 0] = np.arange(1, n + 1)
    cols[:, 1] = np.exp(-cols[:, 0] / (n / 5)) + 0.05 * rng.random(n)
    cols[:, 2] = 1.1 * cols[:, 1]
    cols[:, 3] = 0.5 + 0.4 * rng.random(n)
    cols[:, 4] = 0.8
    cols[123_456, 1] = 40.0  # the largest loss, one epoch
    cols[77_776, 1] = 1e-4  # the smallest
    cols[150_000:150_500, 2] = np.nan  # a gap in the test loss
    return cols


def max_points(w, plot):
    from nnsim.qt.loss_curves import BUCKETS_PER_PX, PAN_MARGIN
    width = plot.getViewBox().width()
    return 2 * (BUCKETS_PER_PX * width * (1 + 2 * PAN_MARGIN) + 4)


def test_a_long_history_draws_only_the_buckets_in_view(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    w.resize(800, 500)
    cols = long_history(200_000)
    spiral.epoch_results.extend_columns(cols)
    spiral.changed.emit(Change(history=True))
    w.refresh_now()
    for curve, plot in ((w.train_curve, w.plot), (w.test_curve, w.plot),
                        (w.train_acc_curve, w.acc_plot), (w.test_acc_curve, w.acc_plot)):
        x, y = xy(curve)
        assert 100 < len(x) <= max_points(w, plot)  # a few thousand points, not 200,000
        assert not curve.opts["clipToView"] and not curve.opts["autoDownsample"]
    _, y = xy(w.train_curve)
    assert np.nanmax(y) == 40.0 and np.nanmin(y) == 1e-4  # the peaks stay
    _, y = xy(w.train_acc_curve)
    assert np.nanmax(y) == 100 * cols[:, 3].max()
    # the whole history stays readable as data
    x, train = w.train_data
    assert len(x) == 200_000 and np.array_equal(train, cols[:, 1])
    # the auto-range fits the whole curve: the view has all epochs and both peaks
    w.plot_widget.grab()
    (x0, x1), (y0, y1) = w.plot.getViewBox().viewRange()
    assert x0 <= 1 and x1 >= 200_000 and y0 <= 1e-4 and y1 >= 40
    w.log_box.click()
    w.refresh_now()
    w.plot_widget.grab()
    (x0, x1), (y0, y1) = w.plot.getViewBox().viewRange()
    assert y0 <= -4 and y1 >= math.log10(40)  # log10 of the smallest and largest loss
    assert w.train_curve.opts["pen"].widthF() == 1  # a long curve stays thin


def test_zooming_into_a_long_history_shows_the_raw_epochs(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    cols = long_history(200_000)
    spiral.epoch_results.extend_columns(cols)
    spiral.changed.emit(Change(history=True))
    w.refresh_now()
    qtbot.waitUntil(lambda: not w._timer.isActive())
    before = w.redraw_count
    w.plot.getViewBox().setXRange(100_000, 100_060, padding=0)  # as a zoom does
    qtbot.waitUntil(lambda: w.redraw_count > before)  # the new range asks for a redraw
    for curve, col in ((w.train_curve, 1), (w.test_curve, 2)):
        x, y = xy(curve)
        assert x[0] < 100_000 and x[-1] > 100_060  # the view and a little more
        assert np.array_equal(x, np.arange(x[0], x[-1] + 1))  # every epoch, raw
        assert np.array_equal(y, cols[x.astype(int) - 1, col])
    # the read-out gives the epoch's exact numbers
    r = spiral.epoch_results[100_029]
    text = w.hover_at(QPointF(100_030.2, 0.5))
    assert text.startswith("epoch 100030: ")
    assert f"train {fmt(r.train_loss)}" in text and f"test {fmt(r.test_loss)}" in text
    # a zoom into the gap shows it, and a pan elsewhere draws the epochs there
    w.plot.getViewBox().setXRange(140_000, 160_000, padding=0)
    w.refresh_now()
    x, y = xy(w.test_curve)
    inside = (x > 150_001 + 64) & (x < 150_500 - 64)
    assert inside.any() and np.isnan(y[inside]).all()
    assert np.nanmax(y[(x >= 140_000) & (x <= 160_000)]) == np.nanmax(cols[139_999:160_000, 2])
    # the read-out of the big spike, whatever is drawn around it
    assert "train 40" in w.hover_at(QPointF(123_457, 0))


def test_a_settled_long_plot_stops_redrawing(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    spiral.epoch_results.extend_columns(long_history(200_000))
    spiral.changed.emit(Change(history=True))
    qtbot.waitUntil(lambda: w.redraw_count > 0 and not w._timer.isActive())
    w.plot_widget.grab()  # the auto-range follows the data: no other slice is needed
    qtbot.wait(150)
    count = w.redraw_count
    qtbot.wait(200)
    assert w.redraw_count == count and not w._timer.isActive()


def test_a_step_back_truncates_a_long_history(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    cols = long_history(200_000)
    cols[150_000:150_500, 2] = 0.5  # no gap
    cols[180_000, 1] = 60.0  # a later, larger spike
    cols[190_000:, 1] = np.inf  # and divergence
    results = spiral.epoch_results
    results.extend_columns(cols)
    spiral.changed.emit(Change(history=True))
    w.refresh_now()
    assert w.diverged_text == "diverged at epoch 190001"
    assert np.nanmax(xy(w.train_curve)[1]) == 60.0
    del results[160_000:]  # as a step back does
    spiral.changed.emit(Change(history=True))
    w.refresh_now()
    x, y = xy(w.train_curve)
    assert x[-1] <= 160_000 and np.nanmax(y) == 40.0
    assert w.diverged_text == ""
    assert len(w.train_data[0]) == 160_000
    w.plot_widget.grab()
    (_x0, x1), (_y0, y1) = w.plot.getViewBox().viewRange()
    assert 160_000 <= x1 < 190_000 and 40 <= y1 < 60  # (the old range went past 200,000)
    # new, different epochs after the step back
    more = long_history(200_000, seed=1)[160_000:170_000]
    more[5, 1] = 50.0
    results.extend_columns(more)
    spiral.changed.emit(Change(history=True))
    w.refresh_now()
    x, y = xy(w.train_curve)
    assert x[-1] <= 170_000 and np.nanmax(y) == 50.0
    assert np.array_equal(w.train_data[1][160_000:], more[:, 1])


def test_a_kept_long_run_is_drawn_from_its_pyramid(qtbot, spiral):
    w = make_plot(qtbot, spiral)
    cols = long_history(200_000)
    spiral.epoch_results.extend_columns(cols)
    spiral.changed.emit(Change(history=True))
    w.keep_run()
    kept = w.kept_curves[0]
    x, y = xy(kept)
    assert len(x) <= max_points(w, w.plot) and np.nanmax(y) == 40.0
    assert kept.series_length == 200_000
    w.plot.getViewBox().setXRange(100_000, 100_060, padding=0)
    w.refresh_now()
    x, y = xy(kept)
    assert np.array_equal(y, cols[x.astype(int) - 1, 1])
