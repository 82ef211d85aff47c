"""Crash recovery: kill a running app with SIGKILL, start again, restore."""
import os
import signal
import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QMessageBox

from nnsim.document.recovery import RecoveryStore
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
        if (Path(sys.argv[1]) / f"{os.getpid()}.nnsim").exists():
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
    assert not RecoveryStore(folder, pid=-1).abandoned()  # offered once, not again
    window.close()
    assert not list(folder.glob("*.nnsim"))  # a normal exit leaves nothing behind


def test_declining_deletes_the_copy_and_keeps_the_document(qtbot, tmp_path):
    folder = tmp_path / "recovery"
    folder.mkdir()
    dead = RecoveryStore(folder, pid=2**22 + 12345)  # no such process
    w = make_window(qtbot, tmp_path, folder, restore=False)
    w.document.set_weight(1, 0, 0, 0.5)
    assert dead.save(w.document)
    before = w.document
    assert not w.offer_recovery()
    assert w.document is before and not list(folder.glob(f"{dead.pid}.*"))


def test_saving_removes_the_recovery_copy(qtbot, tmp_path):
    folder = tmp_path / "recovery"
    w = make_window(qtbot, tmp_path, folder)
    w.document.set_weight(1, 0, 0, 0.5)
    assert w.autosaver.save_now()
    assert (folder / f"{os.getpid()}.nnsim").exists()
    w.document.save(tmp_path / "saved.nnsim")
    assert not (folder / f"{os.getpid()}.nnsim").exists()
