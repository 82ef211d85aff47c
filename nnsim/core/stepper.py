"""The stepper: training as a debugger steps through a program.

One *cycle* works on one mini-batch (one sample when the batch size is 1, or
a sample the user pinned). Its plan for L layers is::

    forward 1 .. forward L, loss, backward L .. backward 1, update

and every micro-step returns a frozen :class:`Snapshot` of everything the
cycle has computed so far (layers not computed yet are ``None``, so a view can
never show stale numbers). Coarser steps (sample, mini-batch, epoch, N epochs)
run the same math through :func:`training.train_batch` without snapshots.

Step back pops a *mark* pushed before every step. A mark holds the cursor and
the random state, plus a copy of the parameters and optimiser state when the
step it precedes changes them; the partial cycle is recomputed on restore
(it is deterministic), so step back is exact.

One press goes back one *visible unit*: a micro-step after a micro-step, an
update after Step Sample / Step Mini-batch, and one epoch after epochs (Step
Epoch, or a run-mode frame that trained 123 epochs at once). For the last,
the stepper restores the mark before the epochs and trains them again up to
the epoch before (training is deterministic, and the mark keeps the settings
that step ran with), leaving a mark at each epoch on the way, so the next
press is a plain pop. :meth:`Stepper.step_back_target` says where the next
press lands, for the button's tooltip.

Marks are bounded (see ``_bound_marks``): the last ``MIN_HISTORY`` steps are
all kept; older ones are thinned by half whenever the count reaches twice
that (keeping only marks with a full copy of the state), so the further
back, the sparser; and while the parameter copies pass ``MAX_MARK_BYTES``
the older half is thinned the same way. A press into a thinned stretch of
epochs still goes back one epoch (it trains again from the mark before);
into a thinned stretch of other steps it lands on the mark that is left,
and the tooltip names it.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import losses
from .datasets import Dataset
from . import history_log
from .history_log import EpochLog, StepLog
from .network import Network
from .optimizers import Optimizer
from . import regularization
from .regularization import Penalty
from .training import EpochEngine, EpochResult, TrainingConfig, evaluate, train_batch

Array = np.ndarray

# Step back reaches the last this many steps one by one (older ones sparser)...
MIN_HISTORY = 1000
# ...unless the parameter copies the marks hold pass this many bytes (a big
# network in run mode: 20,000 weights with Adam are 480 kB a mark); then the
# older half is thinned.
MAX_MARK_BYTES = 128 * 2**20

_PLANS: dict[int, tuple] = {}  # the micro-step plan per number of layers


def _frozen(x: Array) -> Array:
    x.setflags(write=False)
    return x


@dataclass(frozen=True)
class MicroStep:
    kind: str  # "forward" | "loss" | "backward" | "update"
    layer: int | None = None  # 1-based non-input layer for forward/backward

    @property
    def label(self) -> str:
        if self.layer is None:
            return self.kind.capitalize()
        return f"{self.kind.capitalize()} layer {self.layer}"


@dataclass(frozen=True)
class Snapshot:
    """What one cycle has computed up to and including ``step``.

    Per-layer tuples have one entry per non-input layer (index 0 = layer 1),
    except ``a``, whose index 0 is the input batch. Arrays are read-only and
    2-D ``(batch, units)``; dW is ``(n_in, n_out)`` like W.
    """

    step: MicroStep | None  # None: the cycle has not started
    next_step: MicroStep | None  # None: the cycle is complete
    epoch: int
    sample_indices: tuple[int, ...]
    X: Array
    Y: Array
    z: tuple
    a: tuple
    loss: float | None
    loss_shares: Array | None  # each output unit's share of the loss, (batch, t)
    delta: tuple
    dW: tuple
    db: tuple
    weights_before: tuple  # ((W, b), ...) at the start of the cycle
    weights_after: tuple | None  # after the update
    learning_rate: float
    # the L1/L2 penalty the cycle's dW includes (core/regularization.py)
    penalty: Penalty = regularization.NONE


class _Cycle:
    """The partial results of one forward/backward/update cycle."""

    def __init__(self, network: Network, indices: tuple[int, ...], X: Array, Y: Array):
        L = len(network.layers)
        self.indices, self.X, self.Y = indices, _frozen(X), _frozen(Y)
        self.done = 0  # micro-steps completed
        self.z: list = [None] * L
        self.a: list = [self.X] + [None] * L
        self.delta: list = [None] * L
        self.dW: list = [None] * L
        self.db: list = [None] * L
        self.grad_a_prev: list = [None] * L  # dL/da of the layer below, per layer
        self.loss = None
        self.shares = None
        self.weights_before = tuple((_frozen(l.W.copy()), _frozen(l.b.copy()))
                                    for l in network.layers)
        self.weights_after = None
        self.learning_rate = None
        self.penalty = regularization.NONE  # set by the first backward step


def _mark_bytes(m: "_Mark") -> int:
    if m.params is None:
        return 0
    n = sum(p.nbytes for p in m.params)
    return n + sum(s.nbytes for kind in m.optimizer_state["slots"] for s in kind)


# What the step after a mark was: one unit for step back.
MICRO, UPDATE, EPOCHS = "micro", "update", "epochs"


@dataclass(frozen=True)
class BackTarget:
    """Where the next Step Back lands (for the tooltip and the status line)."""

    kind: str  # "epoch": ``epochs`` epochs finished; "update": before update ``update``;
    #          "micro": before micro-step ``step`` of update ``update``
    epochs: int  # finished epochs afterwards
    update: int  # the next update's number afterwards (1-based)
    samples: tuple[int, ...] = ()  # that update's training rows (0-based), if known
    step: MicroStep | None = None

    @property
    def text(self) -> str:
        if self.kind == "epoch":
            return ("Back to the start (no epoch trained)" if self.epochs == 0
                    else f"Back to epoch {self.epochs:,}")
        where = ""
        if len(self.samples) == 1:
            where = f" (sample {self.samples[0] + 1})"
        elif self.samples:
            where = f" (mini-batch of {len(self.samples)})"
        if self.kind == "micro":
            return f"Back to before {self.step.label.lower()} of update {self.update:,}{where}"
        return f"Back to before update {self.update:,}{where}"


@dataclass
class _Mark:
    epoch: int
    position: int
    order: Array
    rng_state: dict
    pinned: int | None
    cycle_indices: tuple | None
    cycle_done: int
    updates: int
    n_step_losses: int
    n_epoch_results: int
    params: list | None = None
    optimizer_state: dict | None = None
    kind: str = MICRO  # the step that followed (MICRO, UPDATE or EPOCHS)
    config: TrainingConfig | None = None  # the settings that step ran with
    gap: bool = False  # marks after it were thinned out: it is not one step back

    @property
    def at_epoch_end(self) -> bool:
        """Whether the mark is exactly between two epochs."""
        return self.position == 0 and self.cycle_indices is None


class Stepper:
    def __init__(self, network: Network, config: TrainingConfig, data: Dataset,
                 optimizer: Optimizer | None = None, shuffle_seed: int | None = None):
        self.network, self.config, self.data = network, config, data
        self.optimizer = optimizer or Optimizer(config.optimizer, config.optimizer_params)
        # Shuffling has its own stream, so it does not depend on initialisation.
        seed = config.seed if shuffle_seed is None else shuffle_seed
        self.rng = np.random.default_rng([seed, 1])
        self._rng_state: dict | None = None
        self._kept_engine = None  # (key, EpochEngine) of the last step_epochs (float64)
        self.epoch = 1  # the epoch in progress, 1-based
        self.position = 0  # next index into self.order
        self.order = self._new_order()
        self.pinned: int | None = None  # a training sample traced instead of the next batch
        self.updates = 0
        self.step_losses = StepLog()  # (update number, batch loss), as a list
        self.epoch_results = EpochLog()  # EpochResults, as a list
        self.cycle: _Cycle | None = None
        self._marks: deque[_Mark] = deque()
        self._mark_bytes = 0  # held by the marks' parameter and optimiser copies

    # -- the plan -------------------------------------------------------
    def _plan(self) -> tuple[MicroStep, ...]:
        L = len(self.network.layers)
        plan = _PLANS.get(L)
        if plan is None:
            plan = _PLANS[L] = tuple(
                [MicroStep("forward", k) for k in range(1, L + 1)] + [MicroStep("loss")]
                + [MicroStep("backward", k) for k in range(L, 0, -1)] + [MicroStep("update")])
        return plan

    @property
    def plan(self) -> list[MicroStep]:
        return list(self._plan())

    @property
    def next_step(self) -> MicroStep:
        return self._plan()[self.cycle.done if self.cycle else 0]

    @property
    def in_cycle(self) -> bool:
        return self.cycle is not None

    def next_indices(self) -> tuple[int, ...]:
        """The training samples the next cycle (or the current one) works on."""
        if self.cycle is not None:
            return self.cycle.indices
        if self.pinned is not None:
            return (self.pinned,)
        return tuple(int(i) for i in self.order[self.position:self.position + self.config.batch_size])

    def pin_sample(self, index: int | None) -> None:
        """Trace training sample ``index`` in the following cycles (None: follow the epoch)."""
        if index is not None and not 0 <= index < len(self.data.X_train):
            raise ValueError(f"sample {index} does not exist; the training set has "
                             f"{len(self.data.X_train)} samples")
        self.pinned = index

    # -- micro-steps ------------------------------------------------------
    def micro_step(self) -> Snapshot:
        step = self.next_step
        self._push_mark(with_params=step.kind == "update", kind=MICRO)
        return self._snapshot_of(self._run(step), step)

    def _start_cycle(self) -> None:
        idx = self.next_indices()
        X, Y = self.data.batch(list(idx))
        self.cycle = _Cycle(self.network, idx, np.array(X, dtype=float), np.array(Y, dtype=float))

    def _run(self, step: MicroStep) -> _Cycle:
        """Compute one micro-step; returns the cycle it belonged to."""
        if self.cycle is None:
            self._start_cycle()
        c, net = self.cycle, self.network
        if step.kind == "forward":
            k = step.layer - 1
            z, a = net.layers[k].forward(c.a[k])
            c.z[k], c.a[k + 1] = _frozen(z), _frozen(a)
        elif step.kind == "loss":
            loss = losses.get(net.loss)
            shares = loss.elementwise(c.a[-1], c.Y, c.z[-1], net.layers[-1].activation)
            c.shares, c.loss = _frozen(shares), float(np.sum(shares))
        elif step.kind == "backward":
            k = step.layer - 1
            if k == len(net.layers) - 1:
                delta = net.output_delta(c.z[k], c.a[k + 1], c.Y)
            else:
                delta = net.hidden_delta(k, c.grad_a_prev[k + 1], c.z[k], c.a[k + 1])
            grad_prev, dW, db = net.layers[k].backward(delta, c.a[k])
            if k == len(net.layers) - 1:  # the whole backward pass uses one setting
                c.penalty = self.config.penalty
            penalty = c.penalty
            if penalty.active:  # dL/dw = the data loss's chain rule + the penalty's term
                dW = dW + penalty.gradient(net.layers[k].W, net.layers[k].mask)
            c.delta[k], c.dW[k], c.db[k] = _frozen(delta), _frozen(dW), _frozen(db)
            c.grad_a_prev[k] = grad_prev
        else:  # update
            self._update(c)
        c.done += 1
        if step.kind == "update":
            self.cycle = None
            self._advance(len(c.indices))
        return c

    def _update(self, c: _Cycle) -> None:
        grads = []
        for dW, db in zip(c.dW, c.db):
            grads += [dW, db]
        lr = self.config.learning_rate
        params = self.network.parameters()
        # dL/db of a frozen bias stays in the snapshot (it is the true
        # derivative); only the update leaves that bias as it is
        changes = self.optimizer.step_deltas(params, grads, lr,
                                             self.network.frozen_parameters())
        # New arrays, never in place: earlier snapshots keep their weights.
        new = [np.asarray(p + d, dtype=float) for p, d in zip(params, changes)]
        for k, layer in enumerate(self.network.layers):
            layer.W, layer.b = new[2 * k], new[2 * k + 1]
        c.weights_after = tuple((_frozen(l.W.copy()), _frozen(l.b.copy()))
                                for l in self.network.layers)
        c.learning_rate = lr
        self.updates += 1
        self.step_losses.append((self.updates, c.loss))
        self._bound_step_losses()

    def _advance(self, n_samples: int, measure=None) -> None:
        """Move the epoch cursor after an update; finish the epoch at its end
        (``measure(epoch)`` gives its EpochResult; default :func:`evaluate`)."""
        if self.pinned is not None:
            return
        self.position += n_samples
        if self.position >= len(self.order):
            self.epoch_results.append(measure(self.epoch) if measure is not None
                                      else evaluate(self.network, self.data, self.epoch))
            self.epoch += 1
            self.position = 0
            self.order = self._new_order()

    def _new_order(self) -> Array:
        n = len(self.data.X_train)
        order = self.rng.permutation(n) if self.config.shuffle else np.arange(n)
        self._rng_state = None  # drawn from: the state a mark keeps has changed
        return _frozen(order)

    def _rng_state_now(self) -> dict:
        """The shuffling stream's state (the dict is kept until the next draw)."""
        if self._rng_state is None:
            self._rng_state = self.rng.bit_generator.state
        return self._rng_state

    def current(self) -> Snapshot | None:
        """The cycle in progress, or None between cycles."""
        c = self.cycle
        if c is None or c.done == 0:
            return None
        return self._snapshot_of(c, self._plan()[c.done - 1])

    def _snapshot_of(self, c: _Cycle, step: MicroStep) -> Snapshot:
        return Snapshot(
            step=step, next_step=self.next_step if self.cycle is c else None,
            epoch=self.epoch, sample_indices=c.indices, X=c.X, Y=c.Y,
            z=tuple(c.z), a=tuple(c.a), loss=c.loss, loss_shares=c.shares,
            delta=tuple(c.delta), dW=tuple(c.dW), db=tuple(c.db),
            weights_before=c.weights_before, weights_after=c.weights_after,
            learning_rate=self.config.learning_rate if c.learning_rate is None
            else c.learning_rate, penalty=c.penalty)

    # -- coarse steps (same math, no snapshots) -----------------------------
    def _finish_cycle(self) -> None:
        while self.cycle is not None:
            self._run(self.next_step)

    def step_batch(self, size: int | None = None) -> float:
        """Finish the cycle in progress, or train on the next mini-batch
        (``size`` samples; default the batch size). Returns the batch loss."""
        self._push_mark(with_params=True, kind=UPDATE)
        if self.cycle is not None:
            self._finish_cycle()
            return self.step_losses[-1][1]
        if self.pinned is not None:
            idx = [self.pinned]
        else:
            n = size or self.config.batch_size
            idx = [int(i) for i in self.order[self.position:self.position + n]]
        X, Y = self.data.batch(idx)
        loss = train_batch(self.network, self.optimizer, X, Y, self.config.learning_rate,
                           self.config.penalty)
        self.updates += 1
        self.step_losses.append((self.updates, loss))
        self._bound_step_losses()
        self._advance(len(idx))
        return loss

    def step_sample(self) -> float:
        return self.step_batch(1)

    def step_epochs(self, n: int = 1, *, stop_loss: float | None = None,
                    on_epoch: Callable[[EpochResult], bool | None] | None = None,
                    slice_samples: int | None = None,
                    on_slice: Callable[[], bool | None] | None = None
                    ) -> list[EpochResult]:
        """Finish the current epoch, then run whole epochs, ``n`` in all.

        Stops early when the training loss or a weight is not finite, the
        loss falls below ``stop_loss``, or ``on_epoch`` returns True.
        Epochs run through :class:`~nnsim.core.training.EpochEngine`, in the
        config's compute dtype.

        ``slice_samples``: train in slices of about this many samples (whole
        batches) and call ``on_slice()`` after each; when it returns True
        training stops there, possibly inside an epoch (``position`` keeps
        the place). The next call continues the epoch, and the numbers are
        the same, bit for bit, as without slices. ``slice_samples`` may be a
        callable that gives each slice's size (see ``run_mode.slicing``).
        """
        self._push_mark(with_params=True, kind=EPOCHS)
        self._finish_cycle()
        results = []
        pinned, self.pinned = self.pinned, None  # epochs always cover the whole set
        try:
            engine = self._engine() if n > 0 and len(self.data.X_train) else None
            while len(results) < n:
                with np.errstate(all="ignore"):  # divergence is reported, not raised
                    r = self._run_slice(engine, slice_samples() if callable(slice_samples)
                                        else slice_samples)
                    if engine is not None:
                        engine.store()
                    if r is None:  # inside an epoch
                        if on_slice is not None and on_slice():
                            break
                        continue
                    finite = (engine.all_finite() if engine is not None
                              else self.network.all_finite())
                results.append(r)
                if (not r.finite or not finite or (stop_loss is not None and r.train_loss < stop_loss)
                        or (on_epoch is not None and on_epoch(r))
                        or (on_slice is not None and len(results) < n and on_slice())):
                    break
        finally:
            self.pinned = pinned
        if engine is not None:
            self._keep_engine(engine)
        return results

    @property
    def epoch_fraction(self) -> float:
        """How much of the epoch in progress is trained (0 at its start)."""
        n = len(self.order)
        return self.position / n if n else 0.0

    def _engine_key(self) -> list:
        """What a kept engine was built for: the objects themselves (held, so
        compared by identity without an id being reused). Any new array
        (set_parameters, load_state, an edit), setting or data set makes a
        different key."""
        net, opt, cfg = self.network, self.optimizer, self.config
        key = [self.data, self.data.X_train, cfg.batch_size, cfg.dtype, net, net.loss, opt,
               opt.name]
        for l in net.layers:
            key += [l, l.W, l.b, l.mask, l.activation, l.train_bias]
        return key + [s for kind in opt.slots for s in kind]

    def _keep_engine(self, engine: EpochEngine) -> None:
        # float64 only: there the network's and the optimiser's arrays are
        # views of the engine's buffers, so an unchanged key means unchanged
        # numbers (a float32 engine holds rounded copies)
        self._kept_engine = (self._engine_key(), engine) if engine.float64 else None

    def _engine(self) -> EpochEngine:
        kept, self._kept_engine = self._kept_engine, None
        key = self._engine_key()
        if kept is not None and len(kept[0]) == len(key) and all(
                a is b or (isinstance(a, (int, str, bool)) and a == b)
                for a, b in zip(kept[0], key)):
            engine = kept[1]
            engine._fresh = False  # its last forward pass may not be of these weights
            return engine
        data, cfg = self.data, self.config
        X = data.X_train
        if cfg.dtype != "float64":  # the converted inputs are kept for the next call
            cached = getattr(self, "_x_cache", None)
            if cached is None or cached[0] is not X or cached[1].dtype != cfg.dtype:
                with np.errstate(over="ignore"):  # inputs beyond float32 become inf
                    self._x_cache = (X, np.ascontiguousarray(X, dtype=cfg.dtype))
            X = self._x_cache[1]
        with np.errstate(all="ignore"):  # float32 casts of 1e300 are inf: divergence reports it
            return EpochEngine(self.network, self.optimizer, X, data.Y_train, data.X_test,
                               data.Y_test, data.kind, cfg.batch_size, cfg.dtype, cfg.penalty)

    def _run_slice(self, engine: EpochEngine | None,
                   samples: int | None) -> EpochResult | None:
        """Train the next slice of the epoch in progress (``samples``: about
        how many; None: the rest of the epoch). Its EpochResult when the
        slice ended the epoch, else None."""
        if engine is None:  # no training rows: nothing to train, still an epoch
            self._advance(len(self.order) - self.position)
            return self.epoch_results[-1]
        epoch = self.epoch
        stop = engine.slice_end(self.position, samples)
        losses = engine.run(self.order, self.position, self.config.learning_rate, stop)
        self.step_losses.extend_losses(self.updates + 1, losses)
        self.updates += len(losses)
        self._bound_step_losses()
        if stop < len(self.order):
            self.position = stop
            return None
        self._advance(len(self.order) - self.position, engine.evaluate)
        return self.epoch_results[-1] if self.epoch != epoch else None

    def adopt(self, progress) -> None:
        """Continue from epochs trained by run mode's training process from this
        stepper's state (a :class:`~nnsim.core.run_mode.protocol.Progress`).
        It counts as one step: step back returns to the state before it."""
        if self.cycle is not None:
            raise ValueError("cannot adopt training while a cycle is in progress")
        if progress.order is None and progress.epoch != self.epoch:
            raise ValueError("progress into a new epoch must carry that epoch's order")
        self._push_mark(with_params=True, kind=EPOCHS)
        self.network.set_parameters(progress.params)
        self.optimizer.load_state({"t": progress.optimizer_t, "slots": progress.optimizer_slots})
        if progress.order is not None:  # else the epoch's order, which this stepper has
            self.order = _frozen(progress.order)
        self.epoch, self.position = progress.epoch, progress.position
        self.rng.bit_generator.state = progress.rng_state
        self._rng_state = None
        self.step_losses.extend_losses(progress.first_update, progress.step_losses)
        self.updates = progress.updates
        self.epoch_results.extend(progress.epoch_results)
        self._bound_step_losses()

    def _bound_step_losses(self) -> None:
        """Keep the per-update losses in bounded memory (``StepLog.compacted``):
        a new log, so views and snapshots of the old one stay as they were.
        A mark's place in it is the rows up to the mark's update."""
        if len(self.step_losses) <= history_log.STEP_LOG_ROWS:
            return
        log = self.step_losses.compacted()
        updates = log.columns[:, 0]
        for m in self._marks:
            m.n_step_losses = int(np.searchsorted(updates, m.updates, side="right"))
        self.step_losses = log

    # -- step back ----------------------------------------------------------
    @property
    def can_step_back(self) -> bool:
        return bool(self._marks)

    def _push_mark(self, with_params: bool, kind: str) -> None:
        c = self.cycle
        m = _Mark(self.epoch, self.position, self.order, self._rng_state_now(),
                  self.pinned, c.indices if c else None, c.done if c else 0,
                  self.updates, len(self.step_losses), len(self.epoch_results),
                  kind=kind, config=self.config)
        if with_params:
            m.params = [p.copy() for p in self.network.parameters()]
            m.optimizer_state = self.optimizer.state()
        self._marks.append(m)
        self._mark_bytes += _mark_bytes(m)
        self._bound_marks()

    def _bound_marks(self) -> None:
        """Dense recent marks, sparse older ones, within the memory budget."""
        marks = self._marks
        if len(marks) >= 2 * MIN_HISTORY:
            self._thin(len(marks) - MIN_HISTORY)
        while len(marks) > 1 and self._mark_bytes > MAX_MARK_BYTES:
            if not self._thin(len(marks) // 2):  # nothing left to thin: the oldest go
                self._mark_bytes -= _mark_bytes(marks.popleft())

    def _thin(self, n: int) -> bool:
        """Halve the oldest ``n`` marks, keeping every other one that holds a
        full copy of the state (one without parameters relies on the weights
        not changing after it). False when there were fewer than two."""
        marks = self._marks
        old = [marks.popleft() for _ in range(n)]
        full = [m for m in old if m.params is not None]
        if len(full) < 2:
            marks.extendleft(reversed(old))
            return False
        keep = {id(m) for m in full[::2]}
        kept: list[_Mark] = []
        for m in old:
            if id(m) in keep:
                kept.append(m)
                continue
            self._mark_bytes -= _mark_bytes(m)
            # the step after the kept mark now spans this one's: still epochs
            # trained with one set of settings (replayable), or a gap?
            if kept and (m.kind != EPOCHS or m.gap or m.config is not kept[-1].config):
                kept[-1].gap = True
        marks.extendleft(reversed(kept))
        return True

    def _epoch_target(self) -> int | None:
        """After epochs: the finished epochs one press leaves (the epoch
        before the one on show); None when the last step was no epoch step."""
        m = self._marks[-1] if self._marks else None
        if m is None or m.kind != EPOCHS or m.gap:
            return None
        done = len(self.epoch_results)
        at_end = self.position == 0 and self.cycle is None
        target = done - 1 if at_end else done
        if m.n_epoch_results < target or (m.n_epoch_results == target and m.at_epoch_end):
            return target
        return None  # the mark itself is the epoch before (or within it)

    def step_back_target(self) -> BackTarget | None:
        """Where the next :meth:`step_back` lands; None when it cannot."""
        if not self._marks:
            return None
        target = self._epoch_target()
        if target is not None:
            return BackTarget("epoch", target, 0)
        m = self._marks[-1]
        if m.at_epoch_end and (m.kind == EPOCHS or m.gap):
            return BackTarget("epoch", m.n_epoch_results, m.updates + 1)
        if m.cycle_indices is not None:
            samples = m.cycle_indices
        elif m.pinned is not None:
            samples = (m.pinned,)
        else:
            size = (m.config or self.config).batch_size
            samples = tuple(int(i) for i in m.order[m.position:m.position + size])
        if m.cycle_indices is not None and m.cycle_done > 0:
            return BackTarget("micro", m.n_epoch_results, m.updates + 1, samples,
                              self._plan()[m.cycle_done])
        return BackTarget("update", m.n_epoch_results, m.updates + 1, samples)

    def step_back(self) -> Snapshot | None:
        """Go back one visible unit (see the module's doc), exactly; returns
        the restored partial cycle."""
        if not self._marks:
            raise IndexError("nothing to step back to")
        target = self._epoch_target()
        m = self._marks.pop()
        self._mark_bytes -= _mark_bytes(m)
        self._restore(m)
        if target is not None and len(self.epoch_results) < target:
            # train those epochs again, with the settings they ran with; each
            # leaves its mark, so the next press is a plain pop
            config, self.config = self.config, m.config
            try:
                while len(self.epoch_results) < target:
                    with np.errstate(all="ignore"):
                        self.step_epochs(1)
            finally:
                self.config = config
        return self.current()

    def _restore(self, m: _Mark) -> None:
        """Put the state back to mark ``m``."""
        if m.params is not None:
            self.network.set_parameters(m.params)
            self.optimizer.load_state(m.optimizer_state)
        self.epoch, self.position, self.order = m.epoch, m.position, m.order
        self.rng.bit_generator.state = m.rng_state
        self._rng_state = m.rng_state
        self.pinned, self.updates = m.pinned, m.updates
        del self.step_losses[m.n_step_losses:]
        del self.epoch_results[m.n_epoch_results:]
        self.cycle = None
        if m.cycle_indices is not None:
            X, Y = self.data.batch(list(m.cycle_indices))
            self.cycle = _Cycle(self.network, m.cycle_indices,
                                np.array(X, dtype=float), np.array(Y, dtype=float))
            for step in self._plan()[:m.cycle_done]:
                self._run(step)

    def forget_history(self) -> None:
        """Drop the cycle in progress and all marks (after an edit of the
        network, whose earlier states no longer apply)."""
        self.cycle = None
        self._marks.clear()
        self._mark_bytes = 0
