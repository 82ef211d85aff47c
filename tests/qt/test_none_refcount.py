"""Regression guard: PySide6 6.12.0 on CPython 3.11 drops a reference to None
on every Qt call that returns nothing, and the interpreter aborts with
"Fatal Python error: none_dealloc" after a few thousand calls. The calls run
in a child process so that an abort fails this test instead of the suite."""
import subprocess
import sys
import textwrap

CALLS = 20_000

SCRIPT = textwrap.dedent(f"""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QPen
    from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsSimpleTextItem
    app = QApplication([])
    scene = QGraphicsScene()
    item = QGraphicsSimpleTextItem()
    scene.addItem(item)
    pen = QPen()
    before = sys.getrefcount(None)
    for i in range({CALLS}):
        item.setText("w = 0.15")
        item.setPos(float(i % 100), 0.0)
        item.setPen(pen)
        if i % 1000 == 0:
            app.processEvents()
    after = sys.getrefcount(None)
    print(before, after)
""")


def test_qt_calls_keep_the_reference_count_of_none():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, f"the interpreter died: {run.stderr[-2000:]}"
    before, after = map(int, run.stdout.split())
    # 3 calls x 20,000: a leak of one reference per call would show as -60,000
    assert after >= before - 100, f"None lost {before - after} references over {3 * CALLS} Qt calls"
