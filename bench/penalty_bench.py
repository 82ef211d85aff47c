"""L1/L2 regularisation's cost in the epoch engine: epochs with a penalty
against the same epochs without, interleaved in one run (the 'no penalty'
side is the engine's ordinary path, so its own cost shows as a ratio of 1)."""
from __future__ import annotations

import numpy as np

from .cases import CASES, make_data
from .stats import median


def _stepper(case, kind: str):
    from nnsim.core.datasets import from_arrays
    from nnsim.core.network import Network
    from nnsim.core.stepper import Stepper
    from nnsim.core.training import TrainingConfig
    X, Y = make_data(case)
    data = from_arrays(X, Y, test_fraction=0.0, seed=0,
                       kind="binary" if Y.shape[1] == 1 else "multiclass")
    net = Network.build(case.sizes[0], list(case.sizes[1:]), list(case.activations),
                        loss=case.loss, rng=np.random.default_rng(0))
    cfg = TrainingConfig(learning_rate=case.learning_rate, batch_size=case.batch, seed=0,
                         regularization=kind, regularization_rate=0.0 if kind == "none" else 1e-3)
    return Stepper(net, cfg, data)


def bench_penalty(repeats: int, quick: bool) -> list[dict]:
    import time
    out = []
    for name in ("2-4-4-1", "2-8x6-2", "784-128-64-10"):
        case = CASES[name]
        epochs = {"2-4-4-1": 400, "2-8x6-2": 20, "784-128-64-10": 1}[name]
        if quick:
            epochs = max(1, epochs // 4)
        steppers = {k: _stepper(case, k) for k in ("none", "l2", "l1")}
        times = {k: [] for k in steppers}
        for _ in range(repeats):
            for kind, st in steppers.items():  # interleaved: the same machine load
                t0 = time.perf_counter()
                st.step_epochs(epochs)
                times[kind].append((time.perf_counter() - t0) / epochs)
        base = median(times["none"])
        out.append({"case": name, "none_s": base,
                    "l2_ratio": median(times["l2"]) / base,
                    "l1_ratio": median(times["l1"]) / base})
    return out
