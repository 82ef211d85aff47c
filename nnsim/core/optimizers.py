"""Optimisers. Their state (velocities, moments, step count) belongs to the
network state: it is saved in files and restored by step back."""
from __future__ import annotations

from collections.abc import Collection

import numpy as np

Array = np.ndarray

OPTIMIZERS = ("sgd", "momentum", "adam")
SLOT_KINDS = {"sgd": 0, "momentum": 1, "adam": 2}  # state arrays kept per parameter
DEFAULT_PARAMS = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "adam": {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}


class Optimizer:
    """Updates a list of parameter arrays in place from their gradients."""

    def __init__(self, name: str = "sgd", params: dict | None = None):
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r} (choose from {', '.join(OPTIMIZERS)})")
        self.name = name
        self.params = {**DEFAULT_PARAMS[name], **(params or {})}
        unknown = set(self.params) - set(DEFAULT_PARAMS[name])
        if unknown:
            raise ValueError(f"optimizer {name} has no parameter {sorted(unknown)[0]!r}")
        for key, value in self.params.items():
            lo_ok = value > 0 if key == "epsilon" else value >= 0
            hi_ok = value <= 1 if key == "epsilon" else value < 1
            if not (isinstance(value, (int, float)) and not isinstance(value, bool)
                    and lo_ok and hi_ok):
                allowed = "above 0 and at most 1" if key == "epsilon" else "from 0 up to (not including) 1"
                raise ValueError(f"training.optimizer_params.{key}: expected a number {allowed}, "
                                 f"got {value!r}")
        self.t = 0  # number of updates done
        self.slots: list[list[Array]] = []  # per slot kind, one array per parameter

    def reset(self) -> None:
        self.t, self.slots = 0, []

    def _ensure_slots(self, params: list[Array], kinds: int) -> None:
        """(Re)create zero slots when missing or when the structure changed."""
        fits = len(self.slots) == kinds and all(
            len(kind) == len(params) and all(s.shape == p.shape for s, p in zip(kind, params))
            for kind in self.slots)
        if not fits:
            self.slots = [[np.zeros_like(p) for p in params] for _ in range(kinds)]

    def _hold(self, frozen: Collection[int]) -> None:
        """Zero the slots of the frozen parameters: with a zero gradient they
        then stay zero, so the parameter's change is exactly 0 under every
        optimiser (a velocity left from before freezing would move it)."""
        for kind in self.slots:
            for i in frozen:
                kind[i][...] = 0.0

    def step_deltas(self, params: list[Array], grads: list[Array], lr: float,
                    frozen: Collection[int] = ()) -> list[Array]:
        """The change to add to each parameter (advances the optimiser state).
        Parameters whose index is in ``frozen`` get a change of exactly 0:
        their gradient counts as zero and their slots are held at zero."""
        if frozen:
            grads = [np.zeros_like(g) if i in frozen else g for i, g in enumerate(grads)]
        self.t += 1
        if self.name == "sgd":
            return [-lr * g for g in grads]
        if self.name == "momentum":
            self._ensure_slots(params, 1)
            self._hold(frozen)
            mu = self.params["momentum"]
            out = []
            for v, g in zip(self.slots[0], grads):
                v *= mu
                v -= lr * g
                out.append(v.copy())
            return out
        self._ensure_slots(params, 2)
        self._hold(frozen)
        b1, b2, eps = self.params["beta1"], self.params["beta2"], self.params["epsilon"]
        c1, c2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
        out = []
        for m, v, g in zip(self.slots[0], self.slots[1], grads):
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * g * g
            out.append(-lr * (m / c1) / (np.sqrt(v / c2) + eps))
        return out

    def step(self, params: list[Array], grads: list[Array], lr: float,
             frozen: Collection[int] = ()) -> None:
        for p, d in zip(params, self.step_deltas(params, grads, lr, frozen)):
            p += d

    # -- state ----------------------------------------------------------
    def state(self) -> dict:
        return {"t": self.t, "slots": [[s.copy() for s in kind] for kind in self.slots]}

    def load_state(self, state: dict) -> None:
        self.t = int(state["t"])
        self.slots = [[np.array(s, dtype=float) for s in kind] for kind in state["slots"]]
