"""Noise, number of points and test fraction apply while they change, as
Playground's sliders do, and one gesture is one undo step. The gesture's
timers are fired by the test (no sleeps)."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from nnsim.core.datasets import DataSpec
from nnsim.document import Document

from window_helpers import open_window


@pytest.fixture
def window(qtbot, tmp_path):
    doc = Document()
    doc.set_data(DataSpec("circle", 200, 0.1, 0.2, 7), "circle")
    doc.undo_stack.clear()
    return open_window(qtbot, tmp_path / "prefs.ini", document=doc)


def fire(timer):
    """The timer's interval passed (without waiting for it)."""
    timer.stop()
    timer.timeout.emit()


def end_gesture(panel):
    """What the timers do when the user stops: the throttle, then the gesture end."""
    if panel.live.throttle.isActive():
        fire(panel.live.throttle)
    fire(panel.live.gesture_end)


def test_the_first_change_applies_at_once(window):
    panel, doc = window.data_panel, window.document
    panel.noise_box.setValue(0.3)
    assert doc.project.data.noise == 0.3
    assert doc.dataset.X_train.shape == (160, 2)


def test_a_held_arrow_is_one_undo_step_and_ends_on_its_last_value(window):
    panel, doc = window.data_panel, window.document
    before = doc.dataset.X_train.copy()
    panel.noise_box.setFocus()
    for _ in range(6):  # 0.1 -> 0.4 in steps of 0.05, as a held arrow key
        QTest.keyClick(panel.noise_box, Qt.Key.Key_Up)
    # within the throttle interval only the first applied; the last is pending
    assert doc.project.data.noise == pytest.approx(0.15)
    end_gesture(panel)
    assert doc.project.data.noise == pytest.approx(0.4)
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == "Set noise of circle to 0.4"
    doc.undo_stack.undo()
    assert doc.project.data.noise == pytest.approx(0.1)
    assert (doc.dataset.X_train == before).all()
    assert panel.noise_box.value() == pytest.approx(0.1)


def test_values_applied_during_a_gesture_regenerate_the_points(window):
    panel, doc = window.data_panel, window.document
    panel.noise_box.setValue(0.2)
    first = doc.dataset.X_train.copy()
    fire(panel.live.throttle)  # the throttle interval passed
    panel.noise_box.setValue(0.5)  # applies again at once: a live preview
    assert doc.project.data.noise == 0.5
    assert not (doc.dataset.X_train == first).all()
    end_gesture(panel)
    assert doc.undo_stack.count() == 1


def test_two_gestures_are_two_undo_steps(window):
    panel, doc = window.data_panel, window.document
    panel.n_box.setValue(300)
    end_gesture(panel)
    panel.n_box.setValue(400)
    end_gesture(panel)
    assert len(doc.dataset.X_train) + len(doc.dataset.X_test) == 400
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.project.data.n == 300


def test_another_control_starts_another_gesture(window):
    panel, doc = window.data_panel, window.document
    panel.noise_box.setValue(0.25)
    panel.test_box.setValue(0.5)
    end_gesture(panel)
    assert doc.project.data == DataSpec("circle", 200, 0.25, 0.5, 7)
    assert len(doc.dataset.X_test) == 100
    assert [doc.undo_stack.text(i) for i in range(doc.undo_stack.count())] == [
        "Set noise of circle to 0.25", "Set test fraction of circle to 0.5"]


def test_imported_points_split_again_live(window):
    panel, doc = window.data_panel, window.document
    import numpy as np
    X = np.linspace(-1, 1, 40).reshape(20, 2)
    Y = (X[:, :1] > 0).astype(float)
    doc.set_points(X, Y, np.empty((0, 2)), np.empty((0, 1)), "Type points")
    count = doc.undo_stack.count()
    panel.test_box.setValue(0.25)
    end_gesture(panel)
    assert len(doc.dataset.X_test) == 5 and len(doc.dataset.X_train) == 15
    assert doc.undo_stack.count() == count + 1
    assert sorted(map(tuple, np.vstack([doc.dataset.X_train, doc.dataset.X_test]))) == \
        sorted(map(tuple, X))
