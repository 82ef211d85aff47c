"""The window in front of a class: projector sizes, the View menu (docks,
presentation mode, text size, edge labels), File > Examples, Help, and what
the window remembers. Used as a user uses it: menus, actions and keys."""
import json
import platform
import subprocess
import sys

import numpy
import pyqtgraph
import PySide6
import pytest
from PySide6.QtCore import QByteArray, QSize, Qt, qVersion
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

import nnsim
from nnsim.examples import DEFAULT_EXAMPLE, EXAMPLES_DIR, example_path
from nnsim.qt.canvas.scene import NetworkScene
from nnsim.examples import shipped_examples
from nnsim.qt.help import shortcut_rows
from nnsim.qt.main_window import MainWindow
from nnsim.qt.preferences import Preferences

from window_helpers import open_window


def make_window(qtbot, prefs_path, size=(1280, 720)):
    return open_window(qtbot, prefs_path, size)


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path / "prefs.ini")


def canvas_size(window) -> QSize:
    return window.view.viewport().size()


def menu_named(window, title):
    for a in window.menuBar().actions():
        if a.menu() is not None and a.menu().title().replace("&", "") == title:
            return a.menu()
    raise AssertionError(f"no menu {title}")


def visible_docks(window):
    return {d.objectName() for d in window.docks if d.isVisible()}


# -- the projector ----------------------------------------------------------------------
@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_the_window_fits_a_projector_and_the_canvas_keeps_the_room(window, qtbot, size):
    smallest = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert smallest.width() <= size[0] and smallest.height() <= size[1]
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size() == QSize(*size))
    # at startup a note says what the lecture's network is; the canvas keeps room
    canvas = canvas_size(window)
    assert window.info_bar.isVisible()
    assert canvas.width() >= 600 and canvas.height() >= 360
    QTest.mouseClick(window.info_bar.close_button, Qt.MouseButton.LeftButton)
    assert not window.info_bar.isVisible()
    qtbot.waitUntil(lambda: canvas_size(window).height() > canvas.height())
    assert canvas_size(window).width() >= 600 and canvas_size(window).height() >= 400
    for dock in window.docks:  # every panel still has room to show something
        if dock.isVisible() and not dock.visibleRegion().isEmpty():
            assert dock.width() >= 280 and dock.height() >= 150


@pytest.mark.parametrize("size", ["1280x720", "1366x768", "1920x1080"])
def test_a_screenshot_has_exactly_the_size_asked(tmp_path, size):
    out = tmp_path / "shot.png"
    run = subprocess.run([sys.executable, "-m", "nnsim", str(example_path(DEFAULT_EXAMPLE)),
                          "--screenshot", str(out), "--steps", "5", "--size", size,
                          "--select", "2,1,1"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    image = QImage(str(out))
    assert f"{image.width()}x{image.height()}" == size


@pytest.mark.parametrize("args, says", [
    (["--size", "0x0"], "--size"),
    (["--size", "-5x3"], "--size"),
    (["--size", "99999x99999"], "--size"),
    (["--size", "300x200"], "the window needs at least"),
    (["--size", "wide"], "WxH"),
    (["--steps", "-1"], "--steps"),
    (["--steps", "many"], "--steps"),
])
def test_bad_command_line_input_gets_one_clear_line(tmp_path, args, says):
    run = subprocess.run([sys.executable, "-m", "nnsim", "--screenshot",
                          str(tmp_path / "shot.png"), *args],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnsim: error: ") and says in lines[0]
    assert not (tmp_path / "shot.png").exists()


# -- the View menu ----------------------------------------------------------------------
def test_every_dock_is_hidden_and_shown_from_the_view_menu(window, qtbot):
    view_menu = menu_named(window, "View")
    toggles = {a.text(): a for a in view_menu.actions()}
    for dock in window.docks:
        action = toggles[dock.windowTitle()]
        assert action.isEnabled() and action.isCheckable() and action.isChecked()
        action.trigger()
        assert not dock.isVisible() and not action.isChecked()
        action.trigger()
        assert dock.isVisible() and action.isChecked()
    # a dock beside the canvas gives its room to the canvas
    before = canvas_size(window)
    toggles["Inspector"].trigger()
    qtbot.waitUntil(lambda: canvas_size(window).width() > before.width())
    toggles["Loss"].trigger()  # the map beside it takes its room...
    toggles["Decision map"].trigger()  # ...so the bottom strip goes with them all
    toggles["Computational graph"].trigger()  # (tabbed with the map,
    toggles["Loss landscape"].trigger()  # and so is the landscape)
    qtbot.waitUntil(lambda: canvas_size(window).height() > before.height())


def test_presentation_mode_shows_the_canvas_and_the_step_bar_and_comes_back(window, qtbot):
    window.data_dock.raise_()  # the user's own arrangement must come back
    window.act_zoom_in.trigger()
    window.loss_dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: window.map_dock.x() == 0)  # the map took the loss plot's room
    shown = visible_docks(window)
    geometries = {d.objectName(): d.geometry() for d in window.docks if d.isVisible()}
    before = canvas_size(window)
    assert window.scene.text_scale == 1.0

    QTest.keyClick(window, Qt.Key.Key_F5)
    assert window.act_present.isChecked() and window.presenting
    assert visible_docks(window) == set()
    assert not window.edit_bar.isVisible() and not window.statusBar().isVisible()
    assert window.step_bar.isVisible() and window.menuBar().isVisible()
    assert window.scene.text_scale == pytest.approx(1.5)
    qtbot.waitUntil(lambda: canvas_size(window).width() > before.width() + 500)

    QTest.keyClick(window, Qt.Key.Key_F5)
    assert not window.act_present.isChecked() and not window.presenting
    assert visible_docks(window) == shown and window.edit_bar.isVisible()
    assert window.statusBar().isVisible()
    qtbot.waitUntil(lambda: {d.objectName(): d.geometry() for d in window.docks
                             if d.isVisible()} == geometries)
    # the Data tab is still the one in front
    assert window.training_dock.visibleRegion().isEmpty()
    assert not window.data_dock.visibleRegion().isEmpty()
    assert window.scene.text_scale == 1.0

    view_menu = menu_named(window, "View")
    assert window.act_present in view_menu.actions()
    window.act_present.trigger()  # the menu item does the same
    assert visible_docks(window) == set()
    window.act_present.trigger()
    assert visible_docks(window) == shown


def test_text_size_keys_change_the_canvas_text_and_are_remembered(window, qtbot, tmp_path):
    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.keyClick(window, Qt.Key.Key_Equal, ctrl)
    assert window.scene.text_scale == pytest.approx(1.2)
    QTest.keyClick(window, Qt.Key.Key_Minus, ctrl)
    QTest.keyClick(window, Qt.Key.Key_Minus, ctrl)
    assert window.scene.text_scale == pytest.approx(1 / 1.2, abs=1e-3)
    QTest.keyClick(window, Qt.Key.Key_0, ctrl)
    assert window.scene.text_scale == 1.0
    for _ in range(20):  # never beyond the largest size
        window.act_larger_text.trigger()
    assert not window.act_larger_text.isEnabled() and window.scene.text_scale == 3.0
    window.act_normal_text.trigger()
    window.act_larger_text.trigger()
    window.act_present.trigger()  # presentation mode enlarges the chosen size
    assert window.scene.text_scale == pytest.approx(1.2 * 1.5)
    window.act_present.trigger()
    window.act_new.trigger()  # a new document keeps the size
    assert window.scene.text_scale == pytest.approx(1.2)
    window.prefs.sync()
    again = make_window(qtbot, tmp_path / "prefs.ini")
    assert again.scene.text_scale == pytest.approx(1.2)


@pytest.mark.parametrize("bad", ["huge", "nan", "100", "-1", ""])
def test_a_broken_text_size_preference_is_ignored(qtbot, tmp_path, bad):
    prefs = Preferences(tmp_path / "prefs.ini")
    prefs._s.setValue("text_scale", bad)
    prefs._s.setValue("label_mode", "sideways")
    prefs.sync()
    window = make_window(qtbot, tmp_path / "prefs.ini")
    assert window.scene.text_scale == 1.0
    assert window.label_mode_actions["auto"].isChecked()


def test_edge_labels_menu_chooses_what_the_labels_show(qtbot, tmp_path, monkeypatch):
    calls = []
    real = NetworkScene.set_label_mode

    def recording(scene, mode):
        calls.append(mode)
        real(scene, mode)
    monkeypatch.setattr(NetworkScene, "set_label_mode", recording)
    window = make_window(qtbot, tmp_path / "prefs.ini")
    assert calls == ["auto"]
    labels = next(a.menu() for a in menu_named(window, "View").actions()
                  if a.menu() is not None and "Edge Labels" in a.menu().title())
    items = {a.text().replace("&", "").split(" ")[0]: a for a in labels.actions()}
    assert list(items) == ["Auto", "Values", "Gradients", "Both"]
    assert all(a.isCheckable() for a in items.values()) and items["Auto"].isChecked()
    for name in ("Gradients", "Both", "Values"):
        items[name].trigger()
        assert calls[-1] == name.lower()
        assert [a for a in items.values() if a.isChecked()] == [items[name]]
    window.act_new.trigger()  # the new document's canvas shows the same
    assert calls[-1] == "values"
    window.prefs.sync()
    again = make_window(qtbot, tmp_path / "prefs.ini")
    assert calls[-1] == "values" and again.label_mode_actions["values"].isChecked()


# -- File > Examples ----------------------------------------------------------------------
def test_examples_are_listed_by_title_in_the_lectures_order(window):
    menu = window.findChild(type(menu_named(window, "File")), "examples_menu")
    titles = [a.text().replace("&&", "&") for a in menu.actions()]
    shipped = {p.stem for p in EXAMPLES_DIR.glob("*.nnsim")}
    first = [s for s in ("gradient-descent-one-weight", "logistic-regression", "lecture-xor",
                         "mazur-2-2-2") if s in shipped]
    from nnsim.io import load_project
    title = {s: load_project(example_path(s)).title for s in shipped}
    rest = sorted((title[s] for s in shipped - set(first)), key=str.casefold)
    assert titles == [title[s] for s in first] + rest
    assert titles[0] == "Gradient descent on one weight"


def test_a_new_example_file_shows_up_and_a_broken_one_is_left_out(tmp_path):
    content = json.loads(example_path(DEFAULT_EXAMPLE).read_text())
    for stem, title in (("zebra", "A zebra"), ("mazur-2-2-2", "Mazur's example"),
                        ("apple", "An apple"), ("gradient-descent-one-weight", "One weight")):
        (tmp_path / f"{stem}.nnsim").write_text(json.dumps({**content, "title": title}))
    (tmp_path / "broken.nnsim").write_text("{ not json")
    assert [e.title for e in shipped_examples(tmp_path)] == [
        "One weight", "Mazur's example", "A zebra", "An apple"]


def test_an_example_opens_as_an_untitled_copy_with_its_description_shown(window):
    window.info_bar.close_button.click()
    menu = window.examples_menu
    action = next(a for a in menu.actions() if a.text() == "Logistic regression")
    action.trigger()
    doc = window.document
    assert doc.path is None and window.windowTitle().startswith("logistic-regression (example)")
    assert window.info_bar.isVisible()
    assert window.info_bar.note.startswith("Logistic regression \u2014 A single sigmoid neuron")
    assert window.info_bar.label.isVisible()
    window.act_new.trigger()  # another document: the note goes
    assert not window.info_bar.isVisible()


def test_opening_an_example_asks_about_unsaved_changes(window):
    window.document.set_weight(1, 0, 0, 0.75)
    edited = window.document
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Cancel
    next(a for a in window.examples_menu.actions() if a.text() == "Logistic regression").trigger()
    assert window.document is edited
    # the user gives up the edit: the window may close at the end of the test
    # (a window left open by Cancel stays on screen under the next tests' mouse)
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard


# -- Help -------------------------------------------------------------------------------------
def test_first_steps_says_what_to_press_what_colours_mean_and_every_shortcut(window, qtbot):
    QTest.keyClick(window, Qt.Key.Key_F1)
    dialog = window.findChild(type(window._help_dialogs["first_steps"]), "first_steps_dialog")
    assert dialog.isVisible()
    text = dialog.browser.toPlainText()
    assert "Space (Next Step)" in text and "F5 (Presentation Mode)" in text
    for phrase in ("weight w > 0", "weight w < 0", "gradient \u2202L/\u2202w > 0",
                   "removed connection", "the layer just computed", "wider"):
        assert phrase in text
    # every shortcut of the window, each with its action's name
    rows = {(name, keys) for _menu, name, keys in shortcut_rows(window.menuBar())}
    from PySide6.QtGui import QAction
    with_keys = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(with_keys) > 25
    for action in with_keys:
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert key in text
        assert any(key in keys for _name, keys in rows)
    assert ("Undo", "Ctrl+Z") in rows and ("Larger Text", "Ctrl+=, Ctrl++") in rows


def test_about_names_the_versions(window):
    help_menu = menu_named(window, "Help")
    next(a for a in help_menu.actions() if "About" in a.text()).trigger()
    text = window._help_dialogs["about"].browser.toPlainText()
    for version in (nnsim.__version__, platform.python_version(), PySide6.__version__,
                    qVersion(), numpy.__version__, pyqtgraph.__version__):
        assert version in text
    for name in ("nnsim", "Python", "PySide6", "Qt", "NumPy", "pyqtgraph"):
        assert name in text


# -- small things -------------------------------------------------------------------------
def test_a_new_document_says_what_it_is(window, tmp_path):
    window.act_new.trigger()
    assert window.windowTitle().startswith("New network (2-2-1, random weights)")
    path = tmp_path / "new.nnsim"
    window.ask_save_path = lambda *a, **k: str(path)
    window.act_save.trigger()
    window.saver.wait()
    assert '"title": "New network (2-2-1, random weights)"' in path.read_text()


def test_updates_in_the_status_bar_survive_save_and_reopen(window, tmp_path):
    QTest.keyClick(window, Qt.Key.Key_E)  # an epoch: 4 updates of one sample
    QTest.keyClick(window, Qt.Key.Key_E)
    shown = window.status_epoch.text()
    assert shown == "Epoch: 3  Updates: 8"
    path = tmp_path / "trained.nnsim"
    window.ask_save_path = lambda *a, **k: str(path)
    window.act_save_as.trigger()
    window.saver.wait()
    window.act_new.trigger()
    assert window.status_epoch.text() == "Epoch: 1  Updates: 0"
    assert window.open_path(path)
    assert window.status_epoch.text() == shown


def test_points_in_the_status_bar_count_train_and_test(window):
    data = window.document.dataset
    n_train, n_test = len(data.X_train), len(data.X_test)
    assert window.status_points.text() == \
        f"Points: {n_train + n_test} ({n_train} train, {n_test} test)"
    window.open_example(next(e for e in shipped_examples() if e.path.stem == "circle-tanh"))
    data = window.document.dataset
    assert n_train != len(data.X_train)
    assert window.status_points.text() == (
        f"Points: {len(data.X_train) + len(data.X_test)} "
        f"({len(data.X_train)} train, {len(data.X_test)} test)")


def reopened_window(qtbot, prefs_path):
    """The next session's window, started as the app starts it."""
    w = MainWindow(preferences=Preferences(prefs_path))
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(w)
    w.restore_layout()
    w.show()
    qtbot.waitExposed(w)
    return w


def test_window_size_docks_and_text_size_are_remembered(window, qtbot, tmp_path):
    window.resize(1000, 700)
    window.loss_dock.hide()
    window.act_larger_text.trigger()
    window.close()
    again = reopened_window(qtbot, tmp_path / "prefs.ini")
    screen = again.screen().availableGeometry()  # (offscreen: 800x800, so narrower)
    assert again.height() == 700 and again.width() <= min(1000, screen.width())
    assert not again.loss_dock.isVisible() and again.inspector_dock.isVisible()
    assert again.scene.text_scale == pytest.approx(1.2)


def test_a_remembered_layout_never_makes_the_window_bigger_than_the_screen(window, qtbot,
                                                                            tmp_path):
    window.resize(4000, 3000)
    window.act_present.trigger()  # closed while presenting: the docks come back next time
    window.close()
    again = reopened_window(qtbot, tmp_path / "prefs.ini")
    screen = again.screen().availableGeometry().size()
    smallest = again.minimumSizeHint().expandedTo(again.minimumSize())
    assert again.width() <= max(screen.width(), smallest.width())
    assert again.height() <= max(screen.height(), smallest.height())
    assert again.width() >= smallest.width() and again.height() >= smallest.height()
    assert not again.presenting and len(visible_docks(again)) == len(again.docks)


def test_a_broken_layout_preference_is_ignored(qtbot, tmp_path):
    prefs = Preferences(tmp_path / "prefs.ini")
    prefs._s.setValue("geometry", QByteArray(b"not a geometry"))
    prefs._s.setValue("window_state", "not a state")
    prefs.sync()
    window = reopened_window(qtbot, tmp_path / "prefs.ini")
    assert len(visible_docks(window)) == len(window.docks)
    assert window.width() >= window.minimumSizeHint().width()


def test_no_two_actions_share_a_shortcut(window):
    """An ambiguous key does nothing in Qt: each shortcut belongs to one action."""
    from PySide6.QtGui import QAction
    seen = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            name = key.toString()
            assert name not in seen, f"{name}: {seen[name]} and {action.text()}"
            seen[name] = action.text()
    assert {"Ctrl+=", "Ctrl+-", "Ctrl+0", "F5", "F1"} <= set(seen)


def test_an_example_opened_while_presenting_keeps_the_presentation(window):
    QTest.keyClick(window, Qt.Key.Key_F5)
    next(a for a in window.examples_menu.actions() if a.text() == "Logistic regression").trigger()
    assert window.presenting and visible_docks(window) == set()
    assert not window.info_bar.isVisible()
    assert window.scene.text_scale == pytest.approx(1.5)  # the new canvas is large too
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert window.info_bar.isVisible() and "Logistic regression" in window.info_bar.note
    assert window.scene.text_scale == 1.0
