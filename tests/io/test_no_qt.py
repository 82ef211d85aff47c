"""nnsim.io imports neither Qt nor pyqtgraph (the CLI runs without a display)."""
import subprocess
import sys


def test_io_imports_no_qt():
    code = ("import sys, nnsim.io; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'PyQt5', 'PyQt6', 'shiboken6', 'pyqtgraph')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
