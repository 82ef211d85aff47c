"""The desktop window (PySide6 widgets). Import PySide6 before pyqtgraph."""
import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
