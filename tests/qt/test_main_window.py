"""The main window, used as a user uses it: real actions, buttons, keys and
clicks on the canvas viewport."""
import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from nnsim.document import Document
from nnsim.examples import DEFAULT_EXAMPLE, example_path
from nnsim.qt.main_window import MainWindow
from nnsim.qt.preferences import Preferences
from nnsim.qt.selection import EdgeRef, NeuronRef

from window_helpers import open_window


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.ini", (1400, 900))
    return w


def click_on(window, ref, button=Qt.MouseButton.LeftButton):
    item = window.scene.item_for(ref)
    pos = window.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(window.view.viewport(), button, Qt.KeyboardModifier.NoModifier, pos)


def button_for(window, action):
    return window.step_bar.widgetForAction(action)


def test_opens_on_the_lecture_network(window):
    assert window.windowTitle().startswith(f"{DEFAULT_EXAMPLE} (example)")
    assert window.document.path is None  # Save must not overwrite the shipped example
    assert window.document.network.sizes == [2, 2, 2]
    assert window.status_phase.text() == "Phase: between passes"


def test_build_a_network_with_clicks_actions_and_keys(window, qtbot):
    doc = window.document
    click_on(window, NeuronRef(1, 0))
    assert window.selection == NeuronRef(1, 0)
    window.act_add_neuron.trigger()
    assert window.document.network.sizes == [2, 3, 2]
    click_on(window, NeuronRef(1, 2))
    window.act_add_layer_after.trigger()
    assert doc.network.sizes == [2, 3, 2, 2]
    click_on(window, NeuronRef(2, 1))
    QTest.keyClick(window, Qt.Key.Key_Delete)  # remove the selected neuron
    assert doc.network.sizes == [2, 3, 1, 2]
    assert "Remove neuron" in window.act_undo.text()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.network.sizes == [2, 3, 2, 2]
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert doc.network.sizes == [2, 3, 1, 2]
    assert window.isWindowModified() and window.windowTitle().endswith("— nnsim")


def test_remove_and_restore_a_connection_through_the_canvas(window):
    doc = window.document
    click_on(window, EdgeRef(2, 1, 0))
    assert window.selection == EdgeRef(2, 1, 0)
    window.act_remove_selected.trigger()
    assert not doc.network.layers[1].mask[1, 0]
    window.act_restore_connection.trigger()
    assert doc.network.layers[1].mask is None


def test_refused_edits_are_explained(window):
    click_on(window, NeuronRef(1, 1))
    window.act_remove_selected.trigger()  # h2 goes: one hidden neuron left
    assert window.document.network.sizes == [2, 1, 2] and not window.errors
    click_on(window, NeuronRef(1, 0))
    window.act_remove_selected.trigger()  # the last one stays, and the window says why
    assert window.document.network.sizes == [2, 1, 2]
    assert window.errors and "at least one neuron" in window.errors[-1]


def test_step_a_pass_with_the_step_bar_buttons(window, qtbot):
    doc = window.document
    L = len(doc.network.layers)
    forward, backward, update = (button_for(window, a) for a in
                                 (window.act_forward, window.act_backward, window.act_update))
    assert not backward.isEnabled() and not update.isEnabled()
    for _ in range(L + 1):  # forward through every layer, then the loss
        qtbot.mouseClick(forward, Qt.MouseButton.LeftButton)
    assert doc.snapshot.loss is not None
    assert window.status_loss.text() == f"Loss (this pass): {doc.snapshot.loss:.4g}"
    assert not forward.isEnabled() and backward.isEnabled()
    for _ in range(L):
        qtbot.mouseClick(backward, Qt.MouseButton.LeftButton)
    assert update.isEnabled()
    before = doc.network.layers[0].W.copy()
    qtbot.mouseClick(update, Qt.MouseButton.LeftButton)
    snap = doc.snapshot
    np.testing.assert_array_equal(snap.weights_before[0][0], before)
    np.testing.assert_allclose(doc.network.layers[0].W, before - snap.learning_rate * snap.dW[0])
    QTest.keyClick(window, Qt.Key.Key_Backspace)  # step back undoes the update exactly
    np.testing.assert_array_equal(doc.network.layers[0].W, before)


def test_keyboard_stepping_and_sample_choice(window):
    window.step_bar.sample_box.setValue(3)  # numbered from 1, like the Data panel's rows
    assert window.document.next_indices() == (2,)
    assert "#3" in window.step_bar.sample_label.text()
    QTest.keyClick(window, Qt.Key.Key_F)
    assert window.document.snapshot.step.label == "Forward layer 1"
    np.testing.assert_array_equal(window.document.snapshot.X, window.document.dataset.X_train[[2]])
    QTest.keyClick(window, Qt.Key.Key_E)  # a whole epoch
    assert window.document.epoch == 2


def test_save_reopen_and_compare(window, tmp_path):
    doc = window.document
    doc.add_neuron(1)
    doc.step_epochs(3)
    path = tmp_path / "mine.nnsim"
    window.ask_save_path = lambda *a, **k: str(path)
    window.act_save_as.trigger()
    window.saver.wait()  # the file is written in the background
    assert path.exists() and not window.isWindowModified()
    assert window.windowTitle().startswith("mine.nnsim")
    reopened = Document.open(path)
    for a, b in zip(reopened.network.parameters(), doc.network.parameters()):
        np.testing.assert_array_equal(a, b)
    assert reopened.project.history.epochs == doc.project.history.epochs
    assert window.prefs.recent_files()[0] == str(path.resolve())


def test_unsaved_changes_prompt(window, tmp_path, qtbot):
    window.document.set_weight(1, 0, 0, 0.5)
    answers = []
    window.ask_save_changes = lambda: answers.pop(0)
    answers.append(QMessageBox.StandardButton.Cancel)
    assert not window.close() and window.isVisible()
    answers.append(QMessageBox.StandardButton.Cancel)
    window.act_new.trigger()
    assert window.document.network.layers[0].W[0, 0] == 0.5  # nothing was lost
    path = tmp_path / "saved.nnsim"
    window.ask_save_path = lambda *a, **k: str(path)
    answers.append(QMessageBox.StandardButton.Save)
    assert window.close()
    assert Document.open(path).network.layers[0].W[0, 0] == 0.5


def test_a_failed_open_leaves_the_document_untouched(window, tmp_path):
    doc = window.document
    doc.set_weight(1, 0, 0, 0.25)
    bad = tmp_path / "broken.nnsim"
    bad.write_text('{"format": "nnsim", "version": 1, "network": {"inputs": 2, "layers": [{"units": 0}]}}')
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert not window.open_path(bad)
    assert window.document is doc and doc.network.layers[0].W[0, 0] == 0.25
    assert "broken.nnsim" in window.errors[-1] and "units" in window.errors[-1]


def test_export_png_and_svg(window, tmp_path):
    png, svg = tmp_path / "net.png", tmp_path / "net.svg"
    assert window.export_canvas(png) and window.export_canvas(svg)
    image = QImage(str(png))
    assert image.width() > 300 and image.height() > 200
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text


def test_screenshot_from_the_command_line(tmp_path):
    out = tmp_path / "shot.png"
    run = subprocess.run([sys.executable, "-m", "nnsim", str(example_path(DEFAULT_EXAMPLE)),
                          "--screenshot", str(out), "--steps", "5", "--size", "1500x950",
                          "--select", "2,1,1"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1500, 950)


@pytest.mark.parametrize("error", [
    OSError(28, "No space left on device"),
    PermissionError(13, "Permission denied"),
])
def test_a_failed_save_tells_the_user_and_keeps_everything(window, tmp_path, error):
    path = tmp_path / "mine.nnsim"
    window.ask_save_path = lambda *a, **k: str(path)
    window.act_save_as.trigger()
    window.saver.wait()
    on_disk = path.read_bytes()
    window.document.set_weight(1, 0, 0, 0.75)
    real_replace = os.replace

    def failing_replace(src, dst):  # the last step of the atomic write fails
        error.filename = str(dst)
        raise error
    os.replace = failing_replace
    try:
        window.act_save.trigger()
        window.saver.wait()
    finally:
        os.replace = real_replace
    assert window.errors and error.strerror in window.errors[-1] and "mine.nnsim" in window.errors[-1]
    assert path.read_bytes() == on_disk  # the old file is intact
    assert window.isWindowModified() and window.document.network.layers[0].W[0, 0] == 0.75
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".ini") == ["mine.nnsim"]


def test_a_directory_as_save_target_is_refused(window, tmp_path):
    window.ask_save_path = lambda *a, **k: str(tmp_path)
    window.document.set_weight(1, 0, 0, 0.75)
    assert not window.file_save_as(wait=True)
    assert window.errors and window.isWindowModified()


def test_absurd_weights_and_learning_rate_never_crash(window, qtbot):
    assert window.open_path(example_path("plane-regression"))  # a linear output can overflow
    doc = window.document
    doc.set_weight(1, 0, 0, 1e300)
    doc.set_training(learning_rate=1e9)
    for _ in range(len(doc.plan)):  # a whole pass by hand, labels and all
        QTest.keyClick(window, Qt.Key.Key_Space)
    assert "inf" in window.scene.tooltip_text(EdgeRef(1, 0, 0)).lower() \
        or not np.isfinite(doc.snapshot.loss)
    with qtbot.waitSignal(window.runner.paused, timeout=20000) as paused:
        window.act_play.trigger()
    assert paused.args == ["diverged"]
    assert window.runner.divergence is not None  # reported, never silent
    assert "diverged" in window.statusBar().currentMessage()
    assert window.selection is not None  # the canvas points at where it happened


def test_a_failed_training_process_is_told_and_the_run_goes_on(window, qtbot):
    runner = window.runner
    runner.use_process = True
    window.document.set_training(epochs=10**6)
    window.act_play.trigger()
    qtbot.waitUntil(lambda: runner._lease.process is not None
                    and len(window.document.epoch_results) > 0, timeout=30_000)
    runner._lease.process._proc.kill()  # the training process dies
    qtbot.waitUntil(lambda: runner.process_failure is not None, timeout=30_000)
    assert "Training goes on in this window" in window.statusBar().currentMessage()
    n = len(window.document.epoch_results)
    qtbot.waitUntil(lambda: len(window.document.epoch_results) > n + 5, timeout=30_000)
    assert runner.is_running
    window.act_play.trigger()  # pause
    assert not runner.is_running


def test_the_run_speed_is_remembered_for_the_next_window(window, tmp_path, qtbot):
    panel = window.training_panel
    assert window.runner.speed is None  # as fast as possible by default
    assert panel.select_speed(5.0)
    assert window.runner.speed == 5.0
    window.prefs.sync()
    again = MainWindow(preferences=Preferences(tmp_path / "prefs.ini"))
    qtbot.addWidget(again)
    again.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert again.runner.speed == 5.0
    assert again.training_panel.speed_combo.currentData() == 5.0
    panel.select_speed(None)
    window.prefs.sync()
    assert Preferences(tmp_path / "prefs.ini").run_speed(1.0) is None


def test_a_broken_run_speed_preference_is_ignored(tmp_path):
    prefs = Preferences(tmp_path / "prefs.ini")
    for bad in ("fast", "-3", "nan", "inf", ""):
        prefs._s.setValue("run_speed", bad)
        assert prefs.run_speed(7.0) == 7.0


def test_switching_documents_leaves_one_scene_one_inspector_and_one_data_panel(qtbot, tmp_path):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication
    from nnsim.qt.canvas.scene import NetworkScene
    from nnsim.qt.canvas.view import NetworkView
    from nnsim.qt.data_panel import DataPanel
    from nnsim.qt.inspector import InspectorPanel
    from nnsim.qt.main_window import MainWindow
    from nnsim.qt.preferences import Preferences
    from nnsim.examples import example_path
    window = MainWindow(None, Preferences(tmp_path / "prefs.ini"))
    qtbot.addWidget(window)
    for i in range(10):
        if i % 2:
            window.file_new()
        else:
            assert window.open_path(example_path("mazur-2-2-2"))
    # what the event loop does next: the deletions asked for with deleteLater
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)

    def alive(cls):
        return [o for o in window.findChildren(cls)]
    assert len(alive(NetworkScene)) == 1 and len(alive(NetworkView)) == 1
    assert len(alive(InspectorPanel)) == 1 and len(alive(DataPanel)) == 1
    assert alive(NetworkScene)[0] is window.scene and window.view.scene() is window.scene


def test_running_out_of_memory_while_opening_is_one_message_and_changes_nothing(
        window, tmp_path, monkeypatch):
    """Past the loader (whose own memory errors are FileFormatErrors), building
    the document may still run out of memory: one message, the document stays."""
    doc = window.document
    doc.set_weight(1, 0, 0, 0.25)
    path = tmp_path / "big.nnsim"
    path.write_bytes(example_path("circle-tanh").read_bytes())
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard

    def out_of_memory(*_args, **_kwargs):
        raise MemoryError
    monkeypatch.setattr("nnsim.qt.main_window.Document.open", out_of_memory)
    assert not window.open_path(path)
    assert window.document is doc and doc.network.layers[0].W[0, 0] == 0.25
    assert len(window.errors) == 1 and "not enough memory" in window.errors[0]
    assert "big.nnsim" in window.errors[0]
