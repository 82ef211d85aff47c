"""The loss landscape (core/landscape.py): a 200-point curve and a 100x100
grid, vectorised against the naive loop (set the parameter, ask the network
for its loss) in the same run."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .stats import calibrate, median, time_call

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
TARGET_S = 0.050  # the lecture network, curve or grid


def _case(name: str):
    from nnsim.io import load_project
    project = load_project(EXAMPLES / f"{name}.nnsim")
    data = project.dataset()
    X = np.vstack([data.X_train, data.X_test])  # every row: the larger case
    Y = np.vstack([data.Y_train, data.Y_test])
    return project.network, X, Y


def _naive(net, params, value_lists, X, Y):
    net = net.copy()
    grid = np.empty(tuple(len(v) for v in value_lists))
    for index in np.ndindex(grid.shape):
        for p, values, i in zip(params, value_lists, index):
            layer = net.layers[p.layer - 1]
            if p.is_bias:
                layer.b[p.target] = values[i]
            else:
                layer.W[p.source, p.target] = values[i]
        grid[index] = net.loss_value(X, Y)
    return grid


def bench_landscape(repeats: int, quick: bool) -> list[dict]:
    from nnsim.core import landscape
    from nnsim.core.landscape import Param
    out = []
    for name in ("lecture-xor", "spiral-deep"):
        net, X, Y = _case(name)
        p, q = Param(1, 0, 0), Param(len(net.layers), 0, 0)  # first layer, output layer
        pv = p.value(net) + np.linspace(-2, 2, 200)
        gp = p.value(net) + np.linspace(-2, 2, 100)
        gq = q.value(net) + np.linspace(-2, 2, 100)
        qv = q.value(net) + np.linspace(-2, 2, 200)
        jobs = {
            "200-point curve, first-layer weight": (
                lambda: landscape.loss_curve(net, p, pv, X, Y),
                lambda: _naive(net, [p], [pv], X, Y)),
            "200-point curve, output weight": (
                lambda: landscape.loss_curve(net, q, qv, X, Y),
                lambda: _naive(net, [q], [qv], X, Y)),
            "100x100 grid": (lambda: landscape.loss_grid(net, p, gp, q, gq, X, Y),
                             lambda: _naive(net, [p, q], [gp, gq], X, Y)),
        }
        for what, (fast, naive) in jobs.items():
            with np.errstate(all="ignore"):
                np.testing.assert_allclose(fast(), naive(), rtol=1e-12, atol=1e-12)
                inner = calibrate(fast, 0.05 if not quick else 0.02)
                t_fast = median(time_call(fast, repeats, inner))
                t_naive = median(time_call(naive, max(1, repeats // 3 if not quick else 1)))
            out.append({"case": f"{name} ({'-'.join(map(str, net.sizes))}, {len(X)} rows)",
                        "what": what, "vectorised_s": t_fast, "naive_s": t_naive,
                        "ratio": t_naive / t_fast,
                        "target_s": TARGET_S if name == "lecture-xor" else None})
    return out
