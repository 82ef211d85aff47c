"""The training panel, used as a user would: type, press Enter, drag, click."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnsim.document import Document, EditError, Runner
from nnsim.examples import example_path
from nnsim.qt.training_panel import TrainingPanel, lr_to_slider, slider_to_lr

from window_helpers import type_into

TIMEOUT = 30_000


@pytest.fixture
def doc(qtbot):
    d = Document.open(example_path("circle-tanh"))
    d.set_training(epochs=20)
    d.undo_stack.clear()
    return d


@pytest.fixture
def panel(qtbot, doc):
    runner = Runner(doc)
    p = TrainingPanel(doc, runner)
    qtbot.addWidget(p)
    p.resize(320, 600)
    p.show()
    p.errors = []
    p.show_error = p.errors.append  # what the user would read
    return p


@pytest.mark.parametrize("text, value", [("0.03", 0.03), ("1e-3", 0.001), (" 2.5 ", 2.5),
                                         ("0,5", 0.5), ("100", 100.0)])
def test_typing_a_learning_rate_sets_it(qtbot, panel, doc, text, value):
    type_into(qtbot, panel.lr_edit, text)
    assert doc.project.training.learning_rate == value
    assert panel.lr_slider.value() == lr_to_slider(value)
    assert panel.errors == []
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Set learning rate"


@pytest.mark.parametrize("text, words", [("abc", "not a number"), ("", "not a number"),
                                         ("-1", "above 0"), ("0", "above 0"),
                                         ("nan", "finite"), ("inf", "finite"),
                                         ("2e9", "limit")])
def test_bad_learning_rate_text_is_refused_with_a_message(qtbot, panel, doc, text, words):
    type_into(qtbot, panel.lr_edit, text)
    assert doc.project.training.learning_rate == 0.3
    assert doc.undo_stack.count() == 0
    assert len(panel.errors) == 1 and words in panel.errors[0]
    assert "stays 0.3" in panel.errors[0]
    assert panel.lr_edit.text() == "0.3"  # the field shows the rate in force


def test_the_real_message_is_shown_in_the_panel(qtbot, doc):
    panel = TrainingPanel(doc, Runner(doc))
    qtbot.addWidget(panel)
    panel.show()
    type_into(qtbot, panel.lr_edit, "fast")
    assert panel.error_label.isVisible()
    assert "\u201cfast\u201d is not a number" in panel.error_label.text()
    type_into(qtbot, panel.lr_edit, "0.2")
    assert not panel.error_label.isVisible()
    assert doc.project.training.learning_rate == 0.2


def test_a_slider_scrub_is_one_undo_step_and_keeps_the_text_in_sync(qtbot, panel, doc):
    slider = panel.lr_slider
    slider.setFocus()
    start = slider.value()
    for _ in range(7):
        qtbot.keyClick(slider, Qt.Key.Key_Left)
    assert slider.value() == start - 7
    lr = doc.project.training.learning_rate
    assert lr == slider_to_lr(start - 7) < 0.3
    assert panel.lr_edit.text() == f"{lr:g}"
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.project.training.learning_rate == 0.3
    assert panel.lr_edit.text() == "0.3" and slider.value() == lr_to_slider(0.3)


def test_slider_spans_1e_5_to_10_on_a_log_scale():
    assert slider_to_lr(0) == 1e-5
    assert slider_to_lr(lr_to_slider(10)) == 10
    assert slider_to_lr(lr_to_slider(0.1)) == 0.1
    assert lr_to_slider(1e9) == lr_to_slider(10)  # clamped, the text shows the rest


def test_undo_refreshes_every_field(qtbot, panel, doc):
    panel.batch_spin.setValue(24)
    panel.seed_spin.setValue(7)
    assert (doc.project.training.batch_size, doc.project.training.seed) == (24, 7)
    assert panel.batch_hint.text() == "10 updates per epoch"
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert panel.batch_spin.value() == 10 and panel.seed_spin.value() == 2
    assert panel.batch_hint.text() == "24 updates per epoch"


def test_full_batch_hint(qtbot, panel, doc):
    panel.batch_spin.setValue(panel.batch_spin.maximum())
    assert doc.project.training.batch_size == len(doc.dataset.X_train)
    assert "full batch" in panel.batch_hint.text()


def test_optimizer_parameters_appear_for_the_chosen_optimizer(qtbot, panel, doc):
    combo = panel.optimizer_combo
    assert not panel.beta1_spin.isVisible() and not panel.momentum_spin.isVisible()
    combo.setCurrentIndex(combo.findData("adam"))
    assert doc.project.training.optimizer == "adam"
    assert panel.beta1_spin.isVisible() and panel.beta2_spin.isVisible()
    assert panel.epsilon_edit.isVisible() and not panel.momentum_spin.isVisible()
    assert panel.beta1_spin.value() == 0.9 and panel.epsilon_edit.text() == "1e-08"
    panel.beta1_spin.setValue(0.8)
    assert doc.project.training.optimizer_params["beta1"] == 0.8
    type_into(qtbot, panel.epsilon_edit, "1e-6")
    assert doc.project.training.optimizer_params["epsilon"] == 1e-6
    type_into(qtbot, panel.epsilon_edit, "zero")
    assert doc.project.training.optimizer_params["epsilon"] == 1e-6 and panel.errors
    combo.setCurrentIndex(combo.findData("momentum"))
    assert panel.momentum_spin.isVisible() and not panel.beta1_spin.isVisible()
    assert doc.project.training.optimizer_params == {"momentum": 0.9}
    doc.undo_stack.undo()
    assert combo.currentData() == "adam" and panel.beta1_spin.isVisible()


def test_initializer_seed_epochs_and_stop_loss(qtbot, panel, doc):
    c = panel.initializer_combo
    c.setCurrentIndex(c.findData("he"))
    assert doc.project.training.initializer == "he"
    panel.epochs_spin.setValue(1234)
    assert doc.project.training.epochs == 1234
    assert not panel.stop_edit.isEnabled()
    qtbot.mouseClick(panel.stop_check, Qt.MouseButton.LeftButton)
    assert doc.project.training.stop_loss == 0.01 and panel.stop_edit.isEnabled()
    type_into(qtbot, panel.stop_edit, "0.005")
    assert doc.project.training.stop_loss == 0.005
    type_into(qtbot, panel.stop_edit, "-1")
    assert doc.project.training.stop_loss == 0.005 and "negative" in panel.errors[-1]
    panel.stop_check.setChecked(False)
    assert doc.project.training.stop_loss is None


def test_an_edit_error_is_shown_not_raised(qtbot, panel, doc, monkeypatch):
    def refuse(**changes):
        raise EditError("training.batch_size: refused for this test")
    monkeypatch.setattr(doc, "set_training", refuse)
    panel.batch_spin.setValue(20)
    assert panel.errors == ["training.batch_size: refused for this test"]
    assert panel.batch_spin.value() == 10  # back to the document's value


def test_play_pause_button_runs_and_stops(qtbot, panel, doc):
    doc.set_training(epochs=1_000_000)
    button = panel.play_button
    with qtbot.waitSignal(panel.runner.progress, timeout=TIMEOUT,
                          check_params_cb=lambda done, target: done > 0):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert panel.runner.is_running and "Pause" in button.text()
    assert panel.status_label.text().startswith("epoch ")
    assert " of 1,000,000 \u00b7 " in panel.status_label.text()
    with qtbot.waitSignal(panel.runner.paused, timeout=TIMEOUT):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not panel.runner.is_running and "Play" in button.text()
    n = len(doc.epoch_results)
    qtbot.wait(50)
    assert len(doc.epoch_results) == n > 0
    assert panel.status_label.text().startswith("paused at epoch")


def test_progress_bar_reaches_the_target(qtbot, panel, doc):
    bar = panel.progress_bar
    assert bar.value() == 0 and bar.maximum() == 20
    with qtbot.waitSignal(panel.runner.paused, timeout=TIMEOUT):
        qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert bar.value() == bar.maximum() == 20
    assert panel.status_label.text() == "done: 20 of 20 epochs"
    assert "training loss" in panel.loss_label.text()
    assert "Play" in panel.play_button.text()


def test_step_epoch_and_reset_buttons(qtbot, panel, doc):
    start = [p.copy() for p in doc.network.parameters()]
    qtbot.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    assert len(doc.epoch_results) == 1
    assert "1 epoch trained" in panel.loss_label.text()
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    assert doc.epoch_results == []
    assert all(np.array_equal(a, b) for a, b in zip(doc.network.parameters(), start))
    assert panel.loss_label.text() == "not trained yet"


def test_speed_combo_sets_the_runner_speed(qtbot, panel):
    combo = panel.speed_combo
    assert combo.currentText() == "as fast as possible" and panel.runner.speed is None
    combo.setCurrentIndex(combo.findData(20.0))
    assert panel.runner.speed == 20.0
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "1 epoch/s", "5 epochs/s", "20 epochs/s", "100 epochs/s", "as fast as possible"]


def test_a_divergence_is_explained_with_a_way_back(qtbot):
    doc = Document.open(example_path("plane-regression"))
    runner = Runner(doc)
    panel = TrainingPanel(doc, runner)
    qtbot.addWidget(panel)
    panel.show()
    type_into(qtbot, panel.lr_edit, "1e9")
    assert doc.project.training.learning_rate == 1e9
    with qtbot.waitSignal(runner.diverged, timeout=TIMEOUT):
        qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert panel.divergence_box.isVisible()
    text = panel.divergence_label.text()
    assert text.startswith("Training diverged in epoch") and "try 0.1" in text
    assert panel.status_label.text().startswith("diverged at epoch")
    assert panel.use_lr_button.text() == "Use learning rate 0.1"
    qtbot.mouseClick(panel.step_back_button, Qt.MouseButton.LeftButton)
    assert all(np.isfinite(p).all() for p in doc.network.parameters())
    assert all(r.finite for r in doc.epoch_results)
    # it says where it landed, and the suggestion stays one click away
    assert panel.divergence_box.isVisible() and not panel.step_back_button.isVisible()
    assert panel.divergence_label.text().startswith("Stepped back to ")
    assert "try 0.1" in panel.divergence_label.text()
    assert panel.status_label.text().startswith("stepped back to epoch ")
    assert panel.use_lr_button.isVisible() and panel.use_lr_button.text() == "Use learning rate 0.1"
    qtbot.mouseClick(panel.use_lr_button, Qt.MouseButton.LeftButton)
    assert doc.project.training.learning_rate == 0.1
    assert not panel.use_lr_button.isVisible()


def test_switching_documents(qtbot, panel, doc):
    other = Document.open(example_path("plane-regression"))
    panel.set_document(other)
    assert panel.lr_edit.text() == "0.1" and panel.runner.document is other
    type_into(qtbot, panel.lr_edit, "0.05")
    assert other.project.training.learning_rate == 0.05
    assert doc.project.training.learning_rate == 0.3
    doc.set_training(learning_rate=0.7)  # the old document no longer drives the panel
    assert panel.lr_edit.text() == "0.05"


def test_shuffle_box_asks_for_shuffling_and_follows_undo(qtbot, panel, doc):
    box = panel.shuffle_check
    assert box.isChecked() == doc.project.training.shuffle
    start = box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert doc.project.training.shuffle is (not start)
    assert doc.undo_stack.undoText() == "Set shuffle"
    doc.undo_stack.undo()
    assert doc.project.training.shuffle is start and box.isChecked() is start
