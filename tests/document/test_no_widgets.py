"""The document layer uses QtCore/QtGui only: importing it loads no widgets."""
import subprocess
import sys


def test_document_imports_no_widgets():
    code = ("import sys, nnsim.document; "
            "bad = [m for m in sys.modules if m.startswith('PySide6.QtWidgets') "
            "or m.split('.')[0] == 'pyqtgraph']; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
