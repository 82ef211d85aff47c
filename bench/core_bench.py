"""Core benchmarks: epoch-mode training throughput against PyTorch and
scikit-learn, and the teaching micro-step cycle."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import refimpl
from .cases import Case, initial_weights, make_data, make_network
from .stats import calibrate, median, time_call

ROOT = Path(__file__).resolve().parent.parent


# -- the sides ------------------------------------------------------------------
class NnsimSide:
    name = "nnsim"

    def __init__(self, case: Case, X, Y, dtype: str):
        from nnsim.core.datasets import Dataset
        from nnsim.core.training import TrainingConfig
        kind = "multiclass" if Y.shape[1] > 1 else "binary"
        self.data = Dataset(X, Y, X[:0], Y[:0], kind, "bench",
                            [f"x{i}" for i in range(X.shape[1])],
                            [f"y{j}" for j in range(Y.shape[1])])
        self.net = make_network(case)
        extra = {"dtype": dtype} if dtype != "float64" else {}
        self.config = TrainingConfig(learning_rate=case.learning_rate, batch_size=case.batch,
                                     seed=0, **extra)

    def run(self, epochs: int) -> float:
        from nnsim.core.stepper import Stepper
        st = Stepper(self.net.copy(), self.config, self.data)
        t0 = time.perf_counter()
        st.step_epochs(epochs)
        dt = time.perf_counter() - t0
        if not np.isfinite(st.epoch_results[-1].train_loss):
            raise RuntimeError("nnsim diverged in the benchmark")
        return dt


class LocalSide:
    def __init__(self, framework, version, impl):
        self.name, self.version, self.impl = framework, version, impl

    def run(self, epochs: int) -> float:
        return self.impl.run(epochs)


class RemoteSide:
    """A framework in another interpreter, through bench.worker."""

    def __init__(self, framework: str, python: str):
        self.name = framework
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen([python, "-m", "bench.worker"], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.version = self._ask({"cmd": "info", "framework": framework}).get("version")

    def _ask(self, msg: dict) -> dict:
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the worker exited")
        out = json.loads(line)
        if "error" in out:
            raise RuntimeError(out["error"])
        return out

    def prepare(self, case: Case, weights, X, Y, dtype: str, threads: int) -> None:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "case.npz")
            arrays = {"X": X, "Y": Y}
            for k, (W, b) in enumerate(weights):
                arrays[f"W{k}"], arrays[f"b{k}"] = W, b
            np.savez(path, **arrays)
            self._ask({"cmd": "prepare", "framework": self.name, "case": case.name,
                       "npz": path, "dtype": dtype, "threads": threads})

    def run(self, epochs: int) -> float:
        return float(self._ask({"cmd": "run", "epochs": epochs})["seconds"])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def torch_python_candidates(explicit: str | None) -> list[str]:
    out = []
    if explicit:
        out.append(explicit)
    if os.environ.get("NNSIM_BENCH_TORCH_PYTHON"):
        out.append(os.environ["NNSIM_BENCH_TORCH_PYTHON"])
    venv = ROOT / ".venv-bench" / "bin" / "python"
    if venv.exists() and os.path.abspath(venv) != os.path.abspath(sys.executable):
        out.append(str(venv))
    return out


class Frameworks:
    """Finds each reference framework here or in another interpreter."""

    def __init__(self, wanted: list[str], torch_python: str | None):
        self.notes: list[str] = []
        self.remote: dict[str, RemoteSide] = {}
        self.local: dict[str, str] = {}
        for fw in wanted:
            version = refimpl.available(fw)
            if version:
                self.local[fw] = version
                continue
            if fw == "torch":
                for py in torch_python_candidates(torch_python):
                    try:
                        side = RemoteSide("torch", py)
                    except (OSError, RuntimeError):
                        continue
                    if side.version:
                        self.remote["torch"] = side
                        self.notes.append(f"PyTorch {side.version} runs in {py} (a subprocess)")
                        break
                    side.close()
            if fw not in self.remote:
                extra = ("pip install torch==2.13.0 (Python 3.11 CPU wheel), or pass "
                         "--torch-python" if fw == "torch" else "pip install scikit-learn")
                self.notes.append(f"{fw} is not installed here: its columns are skipped "
                                  f"(`make bench` installs it; or {extra})")

    @property
    def names(self) -> list[str]:
        return [fw for fw in ("torch", "sklearn") if fw in self.local or fw in self.remote]

    def version(self, fw: str) -> str:
        return self.local.get(fw) or self.remote[fw].version

    def side(self, fw, case, weights, X, Y, dtype, threads):
        if fw in self.local:
            return LocalSide(fw, self.local[fw],
                             refimpl.prepare(fw, case, weights, X, Y, dtype, threads))
        r = self.remote[fw]
        r.prepare(case, weights, X, Y, dtype, threads)
        return r

    def close(self) -> None:
        for r in self.remote.values():
            r.close()


# -- training throughput ---------------------------------------------------------------
def bench_training(case: Case, dtype: str, fws: Frameworks, threads: int, repeats: int,
                   target_s: float, log) -> dict:
    """Epoch-mode training: nnsim vs each framework, interleaved repeats.
    Returns seconds per epoch (medians) and paired ratios other/nnsim."""
    X, Y = make_data(case)
    weights = initial_weights(case)
    nn = NnsimSide(case, X, Y, dtype)
    sides = [nn]
    skipped = {}
    for fw in fws.names:
        try:
            sides.append(fws.side(fw, case, weights, X, Y, dtype, threads))
        except Exception as e:  # a framework that cannot run this case is skipped
            skipped[fw] = f"{type(e).__name__}: {e}"
    for s in sides:  # warm up (imports, caches, first-call costs)
        s.run(1)
    t1 = min(nn.run(1) for _ in range(2))
    epochs = max(1, int(round(target_s / t1)))
    log(f"  {case.name} {dtype}: {epochs} epochs per sample, {repeats} repeats, "
        f"{', '.join(s.name for s in sides)}")
    times = {s.name: [] for s in sides}
    for r in range(repeats):
        order = sides[r % len(sides):] + sides[:r % len(sides)]  # rotate who goes first
        for s in order:
            times[s.name].append(s.run(epochs) / epochs)
    out = {"case": case.name, "dtype": dtype, "epochs": epochs, "repeats": repeats,
           "seconds_per_epoch": {k: median(v) for k, v in times.items()},
           "ratio": {}, "skipped": skipped}
    for s in sides[1:]:
        out["ratio"][s.name] = median([o / m for o, m in zip(times[s.name], times["nnsim"])])
    return out


# -- the teaching micro-step cycle ---------------------------------------------------
def bench_micro_cycle(case: Case, repeats: int) -> dict:
    """One full cycle (forward 1..L, loss, backward L..1, update) of one sample,
    a Snapshot after every micro-step, as the Forward/Backward buttons run it."""
    from nnsim.core.datasets import Dataset
    from nnsim.core.stepper import Stepper
    from nnsim.core.training import TrainingConfig
    X, Y = make_data(case)
    kind = "multiclass" if Y.shape[1] > 1 else "binary"
    data = Dataset(X, Y, X[:0], Y[:0], kind, "bench", ["x1", "x2"],
                   [f"y{j}" for j in range(Y.shape[1])])
    st = Stepper(make_network(case), TrainingConfig(learning_rate=case.learning_rate,
                                                    batch_size=1, seed=0), data)
    n = len(st.plan)

    def cycle():
        for _ in range(n):
            st.micro_step()

    def sample():  # the same update without snapshots (the Step Sample button)
        st.step_sample()

    with np.errstate(all="ignore"):
        inner = calibrate(cycle, 0.05)
        inner_s = calibrate(sample, 0.05)
        cyc, smp = [], []
        for _ in range(repeats):
            cyc += time_call(cycle, 1, inner)
            smp += time_call(sample, 1, inner_s)
    return {"case": case.name, "micro_steps": n, "cycle_s": median(cyc),
            "sample_s": median(smp), "ratio_to_sample": median(cyc) / median(smp)}
