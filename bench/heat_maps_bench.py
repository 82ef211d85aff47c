"""Heat maps in the neurons (nnsim/qt/canvas/heat_maps.py) in run mode on
spiral-deep: epochs per second with the maps on and off against the CLI's
loop on the same file (interleaved, in the same run), how often the maps
were redrawn, and what one redraw costs."""
from __future__ import annotations

import tempfile
from pathlib import Path

from .stats import median, time_call

EXAMPLE = "spiral-deep"


def _one_update_s(repeats: int) -> float:
    """One redraw of every neuron's map (forward pass, colours, QImages),
    the weights changed each time (as in run mode)."""
    from nnsim.document import Document
    from nnsim.examples import example_path
    from nnsim.qt.canvas.scene import NetworkScene
    from .gui_bench import _app
    _app()
    doc = Document.from_example(example_path(EXAMPLE))
    scene = NetworkScene(doc)
    heat = scene.heat_maps
    heat.set_enabled(True)
    b = doc.network.layers[0].b

    def update():
        b[0] += 1e-3  # new weights: the maps are computed again
        heat.refresh_now()
    return median(time_call(update, repeats))


def bench_heat_maps(seconds: float, repeats: int, log) -> dict:
    from nnsim.examples import example_path
    from nnsim.io import load_project, save_project
    from .gui_bench import _cli_rate, _gui_rate
    with tempfile.TemporaryDirectory() as d:
        project = load_project(example_path(EXAMPLE))
        project.training.epochs = 10**6
        path = Path(d) / "run.nnsim"
        save_project(project, path)
        log(f"  heat maps {EXAMPLE}: CLI, run mode with maps off and on, {seconds:g} s each, "
            "twice")
        cli, off, on = [], [], []
        for _ in range(2):  # interleaved, so a busy machine slows every side alike
            cli.append(_cli_rate(path, seconds))
            off.append(_gui_rate(path, seconds, heat_maps=False))
            on.append(_gui_rate(path, seconds, heat_maps=True))
        # where a frame's time goes in the window, maps on (exclusive times per tick)
        parts = _gui_rate(path, seconds / 2, breakdown=True, heat_maps=True)["per_tick"]
    rate = lambda rs: median([r["rate"] for r in rs])  # noqa: E731
    return {"example": EXAMPLE, "cli_rate": median(cli), "off_rate": rate(off),
            "on_rate": rate(on), "on_ratio": rate(on) / median(cli),
            "off_ratio": rate(off) / median(cli),
            "heat_maps_per_s": median([r["heat_maps_per_s"] for r in on]),
            "paints_per_s": median([r["paints_per_s"] for r in on]),
            "wait_p95_s": max(r["wait_p95_s"] for r in on),
            "update_s": _one_update_s(repeats),
            "tick_heat_maps_s": parts.get("canvas: heat maps", 0.0),
            "tick_canvas_labels_s": parts.get("canvas: labels and pens", 0.0),
            "tick_total_s": sum(v for k, v in parts.items() if not k.startswith("other"))}
