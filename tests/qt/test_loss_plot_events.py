"""The loss plot as a user meets it after changing things while training:
each change is a marker on the x axis at its epoch, with a tooltip; a
same-shape data switch asks keep or afresh, and every epoch count agrees;
the hover read-out goes when the mouse leaves."""
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QTimer
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QApplication

from nnsim.document import Document

from window_helpers import open_window

sys.path.insert(0, str(Path(__file__).parent.parent / "document"))
from fake_clock import FakeClock  # noqa: E402

TIMEOUT = 20_000


def run(qtbot, window, epochs):
    """Play a run of ``epochs`` epochs in the window's process, clock standing still."""
    runner = window.runner
    runner.use_process = False
    runner._clock = FakeClock()
    window.document.set_training(epochs=epochs)
    with qtbot.waitSignal(runner.paused, timeout=TIMEOUT):
        window.training_panel.play_button.click()


def pick_data(window, name):
    box = window.data_panel.set_box
    box.setCurrentIndex(box.findData(name))


def test_changes_while_training_are_marked_on_the_curve(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.json", document=Document())
    plot = w.loss_plot
    run(qtbot, w, 40)
    w.training_panel.lr_edit.setText("0.1")
    w.training_panel.lr_edit.editingFinished.emit()
    assert w.document.project.training.learning_rate == 0.1
    w.document.set_activation(1, "tanh")
    run(qtbot, w, 10)
    w.act_step_back.trigger()
    w.act_step_back.trigger()
    plot.refresh_now()
    qtbot.wait(100)  # the view fits the curve as it paints
    assert plot.event_marks == [
        (40.0, "epoch 40: learning rate 0.5 \u2192 0.1"),
        (40.0, "epoch 40: layer 1 activation sigmoid \u2192 tanh"),
        (48.0, "epoch 48: stepped back from epoch 50 to 48")]
    # the marker's tooltip is the event's
    spots = plot.event_dots.points()
    assert [s.data() for s in spots] == [tip for _x, tip in plot.event_marks]
    # it sits on the x axis, inside the plot
    (x0, x1), (y0, y1) = plot.plot.getViewBox().viewRange()
    for s in spots:
        assert x0 <= s.pos().x() <= x1 and y0 < s.pos().y() < y0 + 0.2 * (y1 - y0)
    # the read-out at that epoch names the events too
    text = plot.hover_at(QPointF(40, 0))
    assert "\u25b2 learning rate 0.5 \u2192 0.1" in text
    # undo takes the step back's event away with it
    w.document.undo_stack.undo()
    plot.refresh_now()
    assert [tip for _x, tip in plot.event_marks] == [
        "epoch 40: learning rate 0.5 \u2192 0.1", "epoch 40: layer 1 activation sigmoid \u2192 tanh"]


def test_the_per_update_view_marks_events_at_their_update(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.json", document=Document())
    doc, plot = w.document, w.loss_plot
    w.act_step_sample.trigger()
    w.act_step_sample.trigger()
    doc.set_training(learning_rate=0.2)
    plot.per_update_box.click()
    plot.refresh_now()
    assert plot.event_marks == [(2.0, "update 2: learning rate 0.5 \u2192 0.2")]


def test_a_same_shape_data_switch_asks_keep_or_afresh(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.json", document=Document())
    doc, panel = w.document, w.data_panel
    run(qtbot, w, 30)
    asked = []
    panel.ask_keep_or_afresh = lambda: asked.append(1) or "afresh"
    pick_data(w, "circle")
    assert asked and doc.project.data.name == "circle"
    assert len(doc.epoch_results) == 0 and doc.epoch == 1
    w.loss_plot.refresh_now()
    assert w.loss_plot.event_marks == [
        (0.0, "epoch 0: Use data set circle: new weights, new history")]
    run(qtbot, w, 30)
    assert "30 of 30" in w.training_panel.status_label.text()
    # keep: the curve goes on, marked, and the run panel counts as the plot does
    panel.ask_keep_or_afresh = lambda: "keep"
    pick_data(w, "moons")
    assert len(doc.epoch_results) == 30
    run(qtbot, w, 20)
    w.loss_plot.refresh_now()
    assert w.loss_plot.train_data[0][-1] == 50
    assert w.training_panel.status_label.text() == "done: epoch 50 (20 of 20 this run)"
    assert (30.0, "epoch 30: data circle \u2192 moons") in w.loss_plot.event_marks
    # cancel: nothing changes
    panel.ask_keep_or_afresh = lambda: None
    pick_data(w, "xor_table")
    assert doc.project.data.name == "moons" and len(doc.epoch_results) == 50


def test_the_question_offers_keep_afresh_and_cancel(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.json", document=Document())
    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        seen.extend(b.text() for b in box.buttons())
        keep = next(b for b in box.buttons() if b.text() == "Keep the weights")
        keep.click()
    QTimer.singleShot(0, answer)
    assert w.data_panel.ask_keep_or_afresh() == "keep"
    assert sorted(seen) == ["Cancel", "Keep the weights", "Start afresh"]


def test_the_hover_read_out_goes_when_the_mouse_leaves(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.json", document=Document())
    plot = w.loss_plot
    w.document.step_epochs(5)
    plot.refresh_now()
    qtbot.wait(100)
    viewport = plot.plot_widget.viewport()
    QApplication.sendEvent(viewport, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
    vb = plot.plot.getViewBox()
    scene_pos = vb.mapViewToScene(QPointF(3, w.document.epoch_results[2].train_loss))
    plot.plot_widget.scene().sigMouseMoved.emit(scene_pos)
    plot._on_mouse_moved((scene_pos,))
    assert plot.hover_label.startswith("epoch 3: train")
    QApplication.sendEvent(viewport, QEvent(QEvent.Type.Leave))
    assert plot.hover_label == ""
    plot._on_mouse_moved((scene_pos,))  # the rate limiter's late move after leaving
    assert plot.hover_label == ""


def test_the_accuracy_axis_title_is_not_clipped(qtbot, tmp_path):
    from nnsim.core.datasets import DataSpec
    from nnsim.qt.loss_plot import ACCURACY_MIN_HEIGHT, LossPlotWidget
    doc = Document()
    doc.set_data(DataSpec("circle", n=60, seed=1))
    doc.step_epochs(5)
    w = LossPlotWidget(doc)
    qtbot.addWidget(w)
    for size in ((640, ACCURACY_MIN_HEIGHT), (1280, 420), (1920, 700)):
        w.resize(*size)
        w.show()
        qtbot.wait(50)
        w.refresh_now()
        assert w.acc_widget.isVisible()
        axis = w.acc_plot.getAxis("left")
        title = axis.label.mapRectToScene(axis.label.boundingRect())
        view = w.acc_widget.sceneRect()
        assert view.top() <= title.top() and title.bottom() <= view.bottom(), size


def test_the_mouse_on_a_marker_shows_its_tooltip(qtbot):
    from PySide6.QtTest import QTest
    from nnsim.qt.loss_plot import LossPlotWidget
    doc = Document()
    doc.step_epochs(20)
    doc.set_training(learning_rate=0.1)
    doc.step_epochs(10)
    w = LossPlotWidget(doc)
    qtbot.addWidget(w)
    w.resize(600, 300)
    w.show()
    qtbot.wait(100)
    w.refresh_now()
    qtbot.wait(100)
    spot = w.event_dots.points()[0]
    at = w.plot_widget.mapFromScene(w.event_dots.mapToScene(spot.pos()))
    QTest.mouseMove(w.plot_widget.viewport(), at)
    qtbot.waitUntil(lambda: w.hover_label != "", timeout=2000)
    assert w.plot.getViewBox().toolTip() == "epoch 20: learning rate 0.5 \u2192 0.1"
    assert w.hover_label.endswith("\u25b2 learning rate 0.5 \u2192 0.1")
