"""Starting the app: no display gives one line, not a Qt abort; an exception
escaping a slot is shown in a dialog and the app keeps running."""
import os
import subprocess
import sys

import pytest

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from nnsim.qt import app as app_module


def test_no_display_prints_one_line_and_exits_2():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    run = subprocess.run([sys.executable, "-m", "nnsim"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnsim: error: no display")
    assert "nnsim train" in lines[0]


@pytest.mark.qt_no_exception_capture  # the app's own hook must see it
def test_an_exception_in_a_slot_shows_a_dialog_and_the_app_lives_on(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    old_hook = sys.excepthook
    app_module.install_exception_hook(lambda: None)
    try:
        def broken_slot():
            raise RuntimeError("a bug in a slot")
        QTimer.singleShot(0, broken_slot)
        qtbot.waitUntil(lambda: bool(shown), timeout=2000)
        assert "RuntimeError: a bug in a slot" in shown[0]
        fired = []
        QTimer.singleShot(0, lambda: fired.append(True))
        qtbot.waitUntil(lambda: bool(fired), timeout=2000)  # the event loop still runs
    finally:
        sys.excepthook = old_hook
