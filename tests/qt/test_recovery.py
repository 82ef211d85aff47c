"""Crash recovery: kill a running app with SIGKILL, start again, restore."""
import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from nnsim.document.recovery import RecoveryStore
from nnsim.examples import example_path
from nnsim.io import load_project, save_project
from nnsim.qt.main_window import MainWindow
from nnsim.qt.preferences import Preferences

APP = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from nnsim.document.recovery import RecoveryStore
    from nnsim.qt.main_window import MainWindow
    app = QApplication([])
    window = MainWindow(recovery=RecoveryStore(sys.argv[1]))
    window.show()
    window.document.set_weight(1, 0, 0, 0.123456789)
    window.document.add_neuron(1)
    def wait_for_autosave():
        if list(Path(sys.argv[1]).glob("*.nnsim")):
            print("autosaved", flush=True)
        else:
            QTimer.singleShot(50, wait_for_autosave)
    wait_for_autosave()
    app.exec()
""")


def make_window(qtbot, tmp_path, folder, restore=True):
    w = MainWindow(preferences=Preferences(tmp_path / "prefs.ini"),
                   recovery=RecoveryStore(folder))
    w.ask_restore = lambda rec: restore
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(w)
    return w


def test_work_survives_a_killed_app(qtbot, tmp_path):
    folder = tmp_path / "recovery"
    app = subprocess.Popen([sys.executable, "-c", APP, str(folder)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    try:
        assert app.stdout.readline().strip() == "autosaved", app.stderr.read()
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=30)
    assert app.returncode == -signal.SIGKILL

    window = make_window(qtbot, tmp_path, folder)
    assert window.offer_recovery()
    doc = window.document
    assert doc.network.sizes == [2, 3, 2]  # the default example with one more neuron
    assert doc.network.layers[0].W[0, 0] == 0.123456789
    assert doc.modified and window.isWindowModified()
    assert not RecoveryStore(folder).abandoned()  # offered once, not again
    window.close()
    assert not list(folder.glob("*.nnsim"))  # a normal exit leaves nothing behind


def test_declining_deletes_the_copy_and_keeps_the_document(qtbot, tmp_path):
    folder = tmp_path / "recovery"
    folder.mkdir()
    dead = RecoveryStore(folder, key="dead")  # no window holds its lock
    w = make_window(qtbot, tmp_path, folder, restore=False)
    w.document.set_weight(1, 0, 0, 0.5)
    assert dead.save(w.document)
    before = w.document
    assert not w.offer_recovery()
    assert w.document is before and not list(folder.glob(f"{dead.key}.*"))


def test_saving_removes_the_recovery_copy(qtbot, tmp_path):
    folder = tmp_path / "recovery"
    w = make_window(qtbot, tmp_path, folder)
    w.document.set_weight(1, 0, 0, 0.5)
    assert w.autosaver.save_now()
    w.autosaver.wait()
    copy = w.autosaver.store.project_file
    assert copy.exists()
    w.document.save(tmp_path / "saved.nnsim")
    assert not copy.exists()


# A window that trains in run mode and is killed mid-run; its autosave comes at
# the latest AUTOSAVE_MAX_WAIT_S after the first unsaved change (shortened here
# so that the test takes seconds, not 30 s; the schedule itself is proved with
# a fake clock in tests/document/test_autosave.py).
RUNNING_APP = textwrap.dedent("""
    import sys, json
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    import nnsim.document.recovery as recovery
    from nnsim.document.recovery import RecoveryStore
    from nnsim.qt.main_window import MainWindow
    recovery.AUTOSAVE_MAX_WAIT_S = 2.0
    app = QApplication([])
    window = MainWindow(recovery=RecoveryStore(sys.argv[1]))
    window.show()
    window.document.set_training(epochs=100_000_000)
    window.runner.play()
    def wait_for_autosave():
        infos = list(Path(sys.argv[1]).glob("*.json"))
        if infos and window.runner.is_running:
            epochs = json.loads(infos[0].read_text()).get("epochs", 0)
            if epochs > 0:
                print(epochs, flush=True)
                return
        QTimer.singleShot(50, wait_for_autosave)
    wait_for_autosave()
    app.exec()
""")


def test_a_run_killed_mid_run_restores_its_epochs(qtbot, tmp_path):
    """Issue 16: kill -9 after 30 s of Play restored 0 of 100,905 epochs."""
    folder = tmp_path / "recovery"
    app = subprocess.Popen([sys.executable, "-c", RUNNING_APP, str(folder)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    try:
        line = app.stdout.readline().strip()
        assert line.isdigit(), app.stderr.read()
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=30)
    window = make_window(qtbot, tmp_path, folder)
    offered = []
    window.ask_restore = lambda rec: offered.append(rec.describe()) or True
    assert window.offer_recovery()
    epochs = len(window.document.project.history.epochs)
    assert epochs >= int(line) > 0
    assert offered[0].endswith(f", {epochs:,} epochs trained")
    assert window.document.modified and window.document.path is None


def test_after_restoring_the_first_save_asks_where_preset_to_the_original(qtbot, tmp_path):
    """Issue 16: a planted recovery file made Ctrl+S overwrite an arbitrary
    path without a dialog."""
    folder = tmp_path / "recovery"
    victim = tmp_path / "victim.nnsim"
    victim.write_text("precious")
    w = make_window(qtbot, tmp_path, folder)
    w.document.set_weight(1, 0, 0, 0.5)
    planted = RecoveryStore(folder, key="planted")
    assert planted.save(w.document)
    (folder / "planted.json").write_text(
        '{"original_path": "%s", "name": "victim.nnsim", "saved_at": 0}' % victim)
    texts = []
    w.ask_restore = lambda rec: texts.append(rec.describe()) or True
    assert w.offer_recovery()
    assert texts[0].startswith("Unsaved changes to victim.nnsim from ")
    asked = []

    def ask_save_path(*a, **k):
        asked.append(w._dialog_dir())
        return ""  # the user cancels the dialog
    w.ask_save_path = ask_save_path
    w.act_save.trigger()
    w.saver.wait()
    assert asked == [str(tmp_path)]  # Save As, starting next to the suggested file
    assert victim.read_text() == "precious" and w.document.modified


def test_a_file_open_in_another_window_is_noticed(qtbot, tmp_path):
    folder = tmp_path / "recovery"
    path = tmp_path / "shared.nnsim"
    path.write_bytes(example_path("circle-tanh").read_bytes())
    first, second = make_window(qtbot, tmp_path, folder), make_window(qtbot, tmp_path, folder)
    assert first.open_path(path)
    asked = []
    second.ask_open_elsewhere = lambda p, others: asked.append(others[0].describe()) or False
    before = second.document
    assert not second.open_path(path)
    assert second.document is before
    assert asked and asked[0].startswith("another window of this nnsim, since ")
    # once the first window closes the file, nobody asks
    first.set_document(before.__class__())
    assert second.open_path(path) and len(asked) == 1


def test_a_stale_marker_of_a_dead_process_is_ignored(qtbot, tmp_path):
    folder = tmp_path / "recovery"
    path = tmp_path / "shared.nnsim"
    path.write_bytes(example_path("circle-tanh").read_bytes())
    w = make_window(qtbot, tmp_path, folder)
    marker = w.open_files._dir(path) / "gone.json"
    marker.parent.mkdir(parents=True)
    marker.write_text('{"pid": %d, "host": "%s", "since": 0}' % (2**22 + 12345,
                                                                   socket.gethostname()))
    w.ask_open_elsewhere = lambda p, others: pytest.fail("asked about a dead process")
    assert w.open_path(path) and not marker.exists()


@pytest.mark.parametrize("answer", ["cancel", "overwrite", "save_as"])
def test_a_file_changed_on_disk_is_not_overwritten_without_asking(qtbot, tmp_path, answer):
    path = tmp_path / "mine.nnsim"
    path.write_bytes(example_path("circle-tanh").read_bytes())
    w = make_window(qtbot, tmp_path, tmp_path / "recovery")
    assert w.open_path(path)
    w.document.set_weight(1, 0, 0, 0.5)
    other = load_project(path)  # another window or program saves its version
    other.title = "the other version"
    save_project(other, path)
    buttons = {"cancel": QMessageBox.StandardButton.Cancel,
               "overwrite": QMessageBox.StandardButton.Save,
               "save_as": QMessageBox.StandardButton.SaveAll}
    asked = []
    w.ask_overwrite_changed = lambda p: asked.append(p) or buttons[answer]
    copy = tmp_path / "mine-2.nnsim"
    w.ask_save_path = lambda *a, **k: str(copy)
    w.act_save.trigger()
    w.saver.wait()
    assert asked == [path]
    on_disk = load_project(path)
    if answer == "overwrite":
        assert on_disk.network.layers[0].W[0, 0] == 0.5 and not w.document.modified
    else:
        assert on_disk.title == "the other version"
    assert copy.exists() == (answer == "save_as")
    # after an explicit overwrite (or a save elsewhere) the next save asks no more
    if answer != "cancel":
        w.document.set_weight(1, 0, 0, 0.25)
        w.act_save.trigger()
        w.saver.wait()
        assert len(asked) == 1


def test_a_failed_autosave_is_told_in_the_status_bar(qtbot, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the recovery folder should be")
    w = make_window(qtbot, tmp_path, blocked)
    w.document.set_weight(1, 0, 0, 0.5)
    with qtbot.waitSignal(w.autosaver.written, timeout=30_000) as written:
        assert w.autosaver.save_now()
    assert written.args == [False]
    message = w.statusBar().currentMessage()
    assert message.startswith("The recovery copy could not be updated (") and "Save" in message


def test_closing_during_a_save_waits_for_it_instead_of_asking(qtbot, tmp_path, monkeypatch):
    import threading
    import nnsim.document.saving as saving
    release, real = threading.Event(), saving.save_project

    def slow(project, path):
        release.wait(30)
        real(project, path)
    monkeypatch.setattr(saving, "save_project", slow)
    w = make_window(qtbot, tmp_path, tmp_path / "recovery")
    path = tmp_path / "mine.nnsim"
    w.ask_save_path = lambda *a, **k: str(path)
    w.document.set_weight(1, 0, 0, 0.5)
    w.act_save_as.trigger()
    assert w.saver.busy and w.isWindowModified()  # the window is free while it writes
    w.ask_save_changes = lambda: pytest.fail("asked although the save was under way")
    QTimer.singleShot(0, release.set)  # the write ends while close() waits for it
    assert w.close()
    assert load_project(path).network.layers[0].W[0, 0] == 0.5
