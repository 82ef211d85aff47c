"""Where a run-mode frame's time goes in the window: spiral-deep, heat maps
on, 6 s of run mode under cProfile at a window size; canvas repaints,
frames and heat-map redraws per second, and ms per frame by part.

    OPENBLAS_NUM_THREADS=1 QT_QPA_PLATFORM=offscreen python -m bench.frame_profile 1920x1080

(cProfile inflates Python-heavy parts: compare parts and runs, not with bench's figures.)
"""
import cProfile, pstats, sys, tempfile, time
from pathlib import Path
from . import gui_bench as gb
from .gui_bench import _Window
from nnsim.document import Document
from nnsim.examples import example_path
from nnsim.io import load_project, save_project
from PySide6.QtCore import QEvent, QObject
size = sys.argv[1] if len(sys.argv) > 1 else "1920x1080"
gb.SIZE = tuple(int(v) for v in size.split("x"))
d = tempfile.mkdtemp()
project = load_project(example_path("spiral-deep")); project.training.epochs = 10**6
path = Path(d) / "run.nnsim"; save_project(project, path)
win = _Window(Document.open(path)); w = win.w
w.set_heat_maps(True); win.settle(200)
paints = [0]
class C(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint: paints[0] += 1
        return False
c = C(); w.view.viewport().installEventFilter(c)
runner = w.runner; runner.set_speed(None); runner.play(); win.settle(1000)
paints[0] = 0; h0 = w.scene.heat_maps.render_count; e0 = runner.trained_epochs
pr = cProfile.Profile(); t0 = time.perf_counter(); c0 = time.process_time()
pr.enable(); win.settle(6000); pr.disable()
dt = time.perf_counter() - t0; cpu = time.process_time() - c0
runner.pause()
st = pstats.Stats(pr).stats
def cum(file_part, func):
    return sum(v[3] for (f, l, n), v in st.items() if file_part in f and n == func)
def calls(file_part, func):
    return sum(v[1] for (f, l, n), v in st.items() if file_part in f and n == func)
frames = max(1, calls("document.py", "adopt_training"))
parts = [("canvas relabel (all)", cum("canvas/scene.py", "relabel")),
         ("  full label placement (_place_labels)", cum("label_layout.py", "_place_labels")),
         # (crossings calls crossings_many after this change, and was the whole count before)
         ("    crossing counts", max(cum("placement.py", "crossings"), cum("placement.py", "crossings_many"))),
         ("  kept places check (_fit_in_place)", cum("label_layout.py", "_fit_in_place")),
         ("  heat maps", cum("heat_maps.py", "refresh_now")),
         ("decision map refresh", cum("decision_map.py", "refresh_now")),
         ("decision map boundary trace", cum("IsocurveItem.py", "generatePath") + cum("isocurve.py", "generatePath")),
         ("pyqtgraph views paint (loss plot, map)", cum("GraphicsView.py", "paintEvent")),
         ("canvas item paints (Python)", cum("canvas/items.py", "paint")),
         ("loss plot refresh", cum("loss_plot.py", "refresh_now")),
         ("inspector", cum("inspector.py", "_on_document_changed"))]
print(f"{size}: canvas repaints {paints[0]/dt:.1f}/s, frames {frames/dt:.1f}/s, heat redraws "
      f"{(w.scene.heat_maps.render_count-h0)/dt:.1f}/s, window CPU {cpu/dt:.0%} (profiled), "
      f"CPU per frame {cpu/frames*1e3:.0f} ms, full placements {calls('label_layout.py', '_place_labels')} in {frames} frames")
for name, v in parts:
    print(f"   {name:45s} {v/frames*1e3:6.1f} ms/frame")
win.close()
