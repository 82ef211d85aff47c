"""Training settings and the coarse training path (no snapshots).

The stepper's micro-steps and ``train_batch`` share the same math: both call
the forward/backward code of ``network.py`` and the same optimiser, so
stepping by hand and stepping by the mini-batch agree.

Whole epochs run through :class:`EpochEngine`: the same formulas (the same
activation, loss and optimiser arithmetic, step for step), fused for speed.
It preallocates every buffer, keeps all parameters (and optimiser slots) in
one flat array so an update is a couple of NumPy calls for the whole network,
folds each hidden layer's bias into its matrix product, skips dL/dx of the
input layer, and works out the batch losses of an epoch in one go at its end.
Results agree with ``train_batch`` to rounding (about 1e-15 relative per
step), and the same seed gives bit-identical runs. ``TrainingConfig.dtype =
"float32"`` computes epochs in single precision (parameters are stored back
as float64 after every epoch): faster for large networks.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import activations as act
from . import losses
from . import losses as lossmod
from .datasets import Dataset, accuracy
from .initializers import INITIALIZERS
from .limits import MAX_COUNT, MAX_LEARNING_RATE, MAX_SEED
from .network import Network
from .optimizers import Optimizer
from . import regularization
from .regularization import Penalty

Array = np.ndarray

DTYPES = ("float64", "float32")


@dataclass
class TrainingConfig:
    learning_rate: float = 0.1
    batch_size: int = 1
    optimizer: str = "sgd"
    optimizer_params: dict = field(default_factory=dict)
    epochs: int = 100  # the target of "train" / run mode
    seed: int = 0
    initializer: str = "xavier"
    shuffle: bool = True
    stop_loss: float | None = None  # stop once the training loss is below this
    # Compute precision of whole epochs (step_epochs): "float64" (the default,
    # as everywhere else) or "float32", faster for large networks. Micro-steps
    # and single batches always compute in float64.
    dtype: str = "float64"
    # L1/L2 penalty on the weights (core/regularization.py): "none", "l1", "l2"
    regularization: str = "none"
    regularization_rate: float = 0.0

    @property
    def penalty(self) -> Penalty:
        return Penalty(self.regularization, float(self.regularization_rate))

    def validate(self) -> None:
        lr = self.learning_rate
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and 0 < lr <= MAX_LEARNING_RATE):
            raise ValueError(f"training.learning_rate: expected a number above 0 and at most "
                             f"{MAX_LEARNING_RATE:g}, got {lr!r}")
        # the file's ranges (nnsim.io's reader checks the same limits)
        if not (isinstance(self.batch_size, int) and 1 <= self.batch_size <= MAX_COUNT):
            raise ValueError(f"training.batch_size: expected a whole number from 1 to "
                             f"{MAX_COUNT:,}, got {self.batch_size!r}")
        if not (isinstance(self.epochs, int) and 0 <= self.epochs <= MAX_COUNT):
            raise ValueError(f"training.epochs: expected a whole number from 0 to {MAX_COUNT:,}, "
                             f"got {self.epochs!r}")
        Optimizer(self.optimizer, self.optimizer_params)  # raises on unknown names
        if not (isinstance(self.seed, int) and not isinstance(self.seed, bool)
                and 0 <= self.seed <= MAX_SEED):
            raise ValueError(f"training.seed: expected a whole number from 0 to {MAX_SEED}, "
                             f"got {self.seed!r}")
        if self.initializer not in INITIALIZERS:
            raise ValueError(f"training.initializer: expected one of {', '.join(INITIALIZERS)}, "
                             f"got {self.initializer!r}")
        if not isinstance(self.shuffle, bool):
            raise ValueError(f"training.shuffle: expected true or false, got {self.shuffle!r}")
        if self.dtype not in DTYPES:
            raise ValueError(f"training.dtype: expected one of {', '.join(DTYPES)}, "
                             f"got {self.dtype!r}")
        stop = self.stop_loss
        if stop is not None and not (isinstance(stop, (int, float)) and math.isfinite(stop)
                                     and stop >= 0):
            raise ValueError(f"training.stop_loss: expected a number of at least 0 or nothing, "
                             f"got {stop!r}")
        regularization.validate(self.regularization, self.regularization_rate)


@dataclass
class EpochResult:
    epoch: int  # 1-based number of the epoch just finished
    train_loss: float  # full training set, after the epoch
    test_loss: float | None
    train_accuracy: float | None = None
    test_accuracy: float | None = None

    @property
    def finite(self) -> bool:
        return math.isfinite(self.train_loss) and (
            self.test_loss is None or math.isfinite(self.test_loss))


def train_batch(network: Network, optimizer: Optimizer, X: Array, Y: Array, lr: float,
                penalty: Penalty = regularization.NONE) -> float:
    """One forward, backward and update on one batch; returns the batch's
    data loss. Frozen biases (``Layer.train_bias`` False) are left as they
    are; ``penalty`` adds its term to each weight's gradient."""
    g = network.gradients(X, Y)
    grads = []
    for dW, db in zip(penalty.add_to(network, g.dWs), g.dbs):
        grads += [dW, db]
    params = network.parameters()
    optimizer.step(params, grads, lr, network.frozen_parameters())
    return g.loss


def evaluate(network: Network, data: Dataset, epoch: int) -> EpochResult:
    """Loss (and accuracy for classification) on the whole train and test sets."""
    def measure(X, Y):
        if len(X) == 0:
            return None, None
        with np.errstate(all="ignore"):
            zs, acts = network.forward(X)
            loss = losses.get(network.loss).value(acts[-1], Y, zs[-1],
                                                  network.layers[-1].activation)
        acc = accuracy(Y, acts[-1]) if data.kind != "regression" else None
        return loss, acc

    train_loss, train_acc = measure(data.X_train, data.Y_train)
    test_loss, test_acc = measure(data.X_test, data.Y_test)
    return EpochResult(epoch, train_loss, test_loss, train_acc, test_acc)


# -- the fused epoch engine ---------------------------------------------------
# (its elementwise kernels are activations.py's forward_into / backward_into)

# Above this many bytes the training inputs are gathered batch by batch
# instead of once per epoch in shuffled order.
EPOCH_GATHER_MAX_BYTES = 16 * 2**20
EVAL_CHUNK_ROWS = 4096


class _BatchFrame(NamedTuple):
    """Views of the engine's per-batch buffers for a batch of m rows."""
    z: list            # per layer (m, n_k): the layer's z
    a_with_ones: list  # per hidden layer (m, n_k + 1): its a and a ones column (the bias)
    a: list            # the same without the ones column
    delta: list        # per layer (m, n_k): dL/dz
    scratch: list      # per layer (m, n_k): the activation kernels' float scratch
    flags: list        # per layer (m, n_k) bool scratch; (m, 1) floats for a softmax output
    inputs: Array | None  # the batch's inputs, gathered per batch (None: gathered per epoch)


class EpochEngine:
    """Whole epochs of mini-batch training for one network, fused.

    Built by ``Stepper.step_epochs`` for one call and dropped after it. All
    parameters live in one flat buffer (``params_flat``), layer k as an
    (n_in + 1, n_out) block of it (``param_blocks[k]``, the bias in the last
    row), so an optimiser update is a few whole-array operations; the
    gradient (``grads_flat``) and the optimiser's slots (``slots_flat``) are
    laid out the same. With float64 the network's ``W`` and ``b`` (and the
    optimiser's slots) become views into these buffers, so nothing is copied
    back; with float32 they are written back (as float64) by ``store``.

    ``X`` (N, n_in) and ``Y`` (N, t) are the training rows (``X`` may already
    be in the compute dtype); ``X_test``/``Y_test`` may have no rows.
    """

    def __init__(self, network: Network, optimizer: Optimizer, X: Array, Y: Array,
                 X_test: Array, Y_test: Array, kind: str, batch_size: int,
                 dtype: str = "float64", penalty: Penalty = regularization.NONE):
        self.network, self.optimizer, self.kind = network, optimizer, kind
        dt = self.dtype = np.dtype(dtype)
        self.float64 = dt == np.float64
        layers = network.layers
        self.n_layers = L = len(layers)
        self.sizes = sizes = network.sizes
        N = self.n_rows = len(X)
        self.inputs = X if X.dtype == dt else X.astype(dt)
        self.targets = np.ascontiguousarray(Y, dtype=dt)
        self.targets_f64 = Y
        self.test_inputs, self.test_targets = X_test, Y_test
        self.loss = lossmod.get(network.loss)
        self.out_act = layers[-1].activation
        self.batch_size = B = max(1, min(batch_size, N))

        # parameters and gradient: layer k is an (n_in + 1, n_out) block of
        # the flat buffer, the bias in the last row
        shapes = [(sizes[k] + 1, sizes[k + 1]) for k in range(L)]
        total = sum(r * c for r, c in shapes)
        self.params_flat = np.empty(total, dt)
        self.grads_flat = np.empty(total, dt)
        self.param_blocks = self._blocks(self.params_flat, shapes)
        self.grad_blocks = self._blocks(self.grads_flat, shapes)
        for k, layer in enumerate(layers):
            self.param_blocks[k][:-1] = layer.W
            self.param_blocks[k][-1] = layer.b
        # removed connections (Layer.mask False): True where removed, per layer
        self.removed = [None if l.mask is None else ~l.mask for l in layers]
        self.masked = any(r is not None for r in self.removed)
        # a masked layer multiplies by a copy of its block with the removed
        # weights zeroed (refreshed before every forward pass)
        self.masked_copies = [None if r is None else np.empty_like(self.param_blocks[k])
                              for k, r in enumerate(self.removed)]
        self.weight_blocks = [self.param_blocks[k] if copy is None else copy
                              for k, copy in enumerate(self.masked_copies)]
        self.weights_transposed = [w[:-1].T for w in self.weight_blocks]  # no bias row
        self._frames: dict = {}

        # optimiser slots (momentum: velocities; adam: first and second
        # moments), flat like the parameters
        opt = optimizer
        params = network.parameters()
        self.n_slots = {"sgd": 0, "momentum": 1, "adam": 2}[opt.name]
        self.slots_flat = []
        if self.n_slots:
            opt._ensure_slots(params, self.n_slots)
            self.slots_flat = [np.empty(total, dt) for _ in range(self.n_slots)]
            self.slot_blocks = [self._blocks(flat, shapes) for flat in self.slots_flat]
            for kind in range(self.n_slots):
                for k in range(L):
                    self.slot_blocks[kind][k][:-1] = opt.slots[kind][2 * k]
                    self.slot_blocks[kind][k][-1] = opt.slots[kind][2 * k + 1]
            self.update_scratch = np.empty(total, dt)  # the update's terms
            self.adam_denominator = np.empty(total, dt) if self.n_slots == 2 else None
        # frozen biases (Layer.train_bias False): their gradient row is zeroed
        # before every update and their slots are held at zero, so the flat
        # update leaves them exactly as they are (Optimizer.step_deltas' rule)
        self.frozen_bias = [k for k, l in enumerate(layers) if not l.train_bias]
        for k in self.frozen_bias:
            for kind in range(self.n_slots):
                self.slot_blocks[kind][k][-1] = 0.0
        # L1/L2: the penalty's term is added to the gradient before each update,
        # λ per connected weight (0 on the bias rows and removed connections)
        self.penalty_kind = penalty.kind if penalty.active else None
        if self.penalty_kind is not None:
            scale = np.zeros(total, dt)
            for k, block in enumerate(self._blocks(scale, shapes)):
                block[:-1] = penalty.rate if self.removed[k] is None else \
                    np.where(self.removed[k], 0.0, penalty.rate)
            self.penalty_scale, self.penalty_scratch = scale, np.empty(total, dt)
        if self.float64:  # the network and the optimiser see the engine's numbers
            for k, layer in enumerate(layers):
                layer.W, layer.b = self.param_blocks[k][:-1], self.param_blocks[k][-1]
            for kind in range(self.n_slots):
                for k in range(L):
                    opt.slots[kind][2 * k] = self.slot_blocks[kind][k][:-1]
                    opt.slots[kind][2 * k + 1] = self.slot_blocks[kind][k][-1]

        # per-batch buffers (see _BatchFrame); hidden activations carry a
        # column of ones, so a product adds the bias
        self.batch_z = [np.empty((B, n), dt) for n in sizes[1:]]
        self.batch_a_with_ones = [np.ones((B, n + 1), dt) for n in sizes[1:-1]]
        self.batch_delta = [np.empty((B, n), dt) for n in sizes[1:]]
        self.batch_scratch = [np.empty((B, n), dt) for n in sizes[1:]]
        self.batch_flags = [np.empty((B, n), bool) for n in sizes[1:]]
        self.softmax_scratch = np.empty((B, 1), dt)
        # the epoch's output z and a and its targets, in the epoch's (batch)
        # order: the batch losses are computed from them after the epoch
        t = sizes[-1]
        self.epoch_z_out = np.empty((N, t), dt)
        self.epoch_a_out = np.empty((N, t), dt)
        self.epoch_targets = np.empty((N, t), dt)
        # small enough: the inputs (with a ones column) are gathered once per
        # epoch in its order (epoch_inputs), else batch by batch (batch_inputs)
        self.gather_epoch = N * (sizes[0] + 1) * dt.itemsize <= EPOCH_GATHER_MAX_BYTES
        # one batch of all rows: trained in their natural order (see _run_full_batch)
        self.full_batch = self.gather_epoch and B == N
        self._fresh = False  # epoch_z_out/_a_out hold this epoch's forward pass (full batch)
        if self.full_batch:
            self.inputs_with_ones = np.ones((N, sizes[0] + 1), dt)  # natural order
            self.inputs_with_ones[:, :-1] = self.inputs
        if not self.gather_epoch:
            self.batch_inputs = np.empty((B, sizes[0]), dt)
        self.epoch_inputs = None  # made when first needed
        self.forward_into = [act.get(l.activation).forward_into for l in layers]
        self.backward_into = [act.get(l.activation).backward_into for l in layers]
        # the output delta
        fused = self.loss.fused_with == self.out_act
        # cross-entropy with softmax: the targets' row sums, when not all 1
        # (target_row_sums in natural order, epoch_target_sums in the epoch's)
        self.target_row_sums = self.epoch_target_sums = None
        if fused and self.loss.name == "cross_entropy":
            sums = self.targets.sum(axis=1, keepdims=True)
            self.target_row_sums = None if bool(np.all(sums == 1.0)) else sums
            self.epoch_target_sums = (None if self.target_row_sums is None
                                      else np.empty((N, 1), dt))
        # "generic": any other pair, dL/da times the activation's derivative
        # (its Jacobian for a softmax) as in Loss.output_delta
        elementwise_out = self.backward_into[-1] is not None
        self.delta_kind = ("ce" if fused and self.loss.name == "cross_entropy"
                           else "fused" if fused
                           else "mse" if self.loss.name == "mse" and elementwise_out
                           else "generic")
        self._eval_buffers = None
        self._train_labels = None

    @staticmethod
    def _blocks(flat: Array, shapes: list[tuple[int, int]]) -> list[Array]:
        """Consecutive views of ``flat``, one of each shape."""
        blocks, o = [], 0
        for r, c in shapes:
            blocks.append(flat[o:o + r * c].reshape(r, c))
            o += r * c
        return blocks

    # -- training ----------------------------------------------------------------------
    def _frame(self, m: int) -> _BatchFrame:
        """Views of every per-batch buffer for a batch of ``m`` rows (cached)."""
        f = self._frames.get(m)
        if f is None:
            last = self.n_layers - 1
            out_flags = (self.softmax_scratch[:m] if self.out_act == "softmax"
                         else self.batch_flags[last][:m])
            f = self._frames[m] = _BatchFrame(
                [z[:m] for z in self.batch_z],
                [a[:m] for a in self.batch_a_with_ones],
                [a[:m, :-1] for a in self.batch_a_with_ones],
                [d[:m] for d in self.batch_delta],
                [s[:m] for s in self.batch_scratch],
                [fl[:m] for fl in self.batch_flags[:last]] + [out_flags],
                None if self.gather_epoch else self.batch_inputs[:m])
        return f

    def slice_end(self, start: int, samples: int | None) -> int:
        """Where a slice of about ``samples`` rows from row ``start`` of the
        epoch ends: on a batch boundary (counted from ``start``), or at the
        epoch's end. None: the epoch's end."""
        N, B = self.n_rows, self.batch_size
        if samples is None or self.full_batch and start == 0:
            return N
        return min(N, start + max(1, -(-int(samples) // B)) * B)

    def run(self, order: Array, start: int, learning_rate: float,
            stop: int | None = None) -> list[float]:
        """Train on rows ``order[start:stop]`` in batches (``stop``: a
        ``slice_end``; None: the epoch's end); returns the batch losses.
        Slices of one epoch give the same numbers, bit for bit, as the whole
        epoch in one call: each batch only reads its own rows."""
        N, B = self.n_rows, self.batch_size
        stop = N if stop is None else stop
        if self.full_batch and start == 0:
            return self._run_full_batch(learning_rate)
        self._fresh = False
        n_in = self.sizes[0]
        z_out, a_out, targets = self.epoch_z_out, self.epoch_a_out, self.epoch_targets
        rows = order[start:stop]  # only this slice's rows are gathered
        np.take(self.targets, rows, axis=0, out=targets[start:stop])
        gather = self.gather_epoch
        if gather:
            if self.epoch_inputs is None:
                self.epoch_inputs = np.ones((N, n_in + 1), self.dtype)
            inputs = self.epoch_inputs
            np.take(self.inputs, rows, axis=0, out=inputs[start:stop, :n_in])
        target_sums = self.epoch_target_sums
        if target_sums is not None:
            np.take(self.target_row_sums, rows, axis=0, out=target_sums[start:stop])
        for s in range(start, stop, B):
            e = min(s + B, N)
            f = self._frame(e - s)
            if gather:
                x = inputs[s:e]
            else:
                x = np.take(self.inputs, order[s:e], axis=0, out=f.inputs)
            z, a = z_out[s:e], a_out[s:e]
            self._forward(x, f, z, a)
            self._backward(x, f, z, a, targets[s:e],
                           None if target_sums is None else target_sums[s:e])
            self._update(learning_rate)
        return self._batch_losses(start, B, stop)

    def _run_full_batch(self, learning_rate: float) -> list[float]:
        """One batch of all rows. The order of the rows changes nothing but
        rounding, so they stay in their natural order, and the forward pass
        that measured the last epoch is the forward pass of this one."""
        f = self._frame(self.n_rows)
        x, z, a = self.inputs_with_ones, self.epoch_z_out, self.epoch_a_out
        if not self._fresh:
            self._forward(x, f, z, a)
            rows = self._row_losses(z, a, self.targets, self.target_row_sums)
            self._fresh_loss = float(rows.sum()) / self.n_rows
        loss = self._fresh_loss
        self._backward(x, f, z, a, self.targets, self.target_row_sums)
        self._update(learning_rate)
        self._fresh = False
        return [loss]

    def _forward(self, x: Array, f: _BatchFrame, z: Array, a: Array) -> None:
        """Forward pass of one batch ``x`` (with the ones column when the
        inputs are gathered per epoch) into the frame ``f`` and the output
        buffers ``z``, ``a``."""
        Z, A1, A, _D, T, M, _x = f  # z, a_with_ones, a, delta, scratch, flags
        W, fwd, last = self.weight_blocks, self.forward_into, self.n_layers - 1
        if self.masked:
            self._refresh_masked()
        if x.shape[1] == self.sizes[0]:  # no ones column: add the bias
            np.matmul(x, W[0][:-1], out=Z[0])
            np.add(Z[0], W[0][-1], out=Z[0])
        else:
            np.matmul(x, W[0], out=Z[0])
        for k in range(last):
            if k:
                np.matmul(A1[k - 1], W[k], out=Z[k])
            fwd[k](Z[k], A[k], T[k], M[k])
        if last:
            np.matmul(A1[last - 1], W[last], out=z)
        else:
            np.copyto(z, Z[0])
        fwd[last](z, a, T[last], M[last])

    def _backward(self, x: Array, f: _BatchFrame, z: Array, a: Array, y: Array,
                  ysum: Array | None) -> None:
        """dL/dz of every layer and the gradient (grads_flat) of one batch."""
        Z, A1, A, D, T, M, _x = f  # z, a_with_ones, a, delta, scratch, flags
        G, WT, bwd = self.grad_blocks, self.weights_transposed, self.backward_into
        last = self.n_layers - 1
        m, t = len(z), self.sizes[-1]
        d, kind = D[last], self.delta_kind
        if kind == "ce":
            if ysum is not None:
                np.multiply(a, ysum, out=d)
                np.subtract(d, y, out=d)
            else:
                np.subtract(a, y, out=d)
            np.divide(d, m, out=d)
        elif kind == "fused":
            np.subtract(a, y, out=d)
            np.divide(d, m * t, out=d)
        elif kind == "mse":
            np.subtract(a, y, out=d)
            np.multiply(d, 2.0 / (m * t), out=d)
            bwd[last](d, z, a, d, T[last], M[last])
        else:
            np.copyto(d, self.loss.output_delta(a, y, z, act.get(self.out_act)))
        for k in range(last, -1, -1):
            d = D[k]
            if k:
                np.matmul(A1[k - 1].T, d, out=G[k])
            elif x.shape[1] != self.sizes[0]:
                np.matmul(x.T, d, out=G[0])
            else:
                np.matmul(x.T, d, out=G[0][:-1])
                np.sum(d, axis=0, out=G[0][-1])
            if self.removed[k] is not None:
                G[k][:-1][self.removed[k]] = 0.0
            if k:
                g = D[k - 1]
                np.matmul(d, WT[k], out=g)
                bwd[k - 1](g, Z[k - 1], A[k - 1], g, T[k - 1], M[k - 1])

    def _refresh_masked(self) -> None:
        """Copy the weights into the masked layers' copies, removed ones as zero."""
        for k, removed in enumerate(self.removed):
            if removed is not None:
                copy = self.masked_copies[k]
                np.copyto(copy, self.param_blocks[k])
                copy[:-1][removed] = 0.0

    def _update(self, lr: float) -> None:
        """optimizers.Optimizer.step_deltas + step, on the flat buffers."""
        opt, P, G = self.optimizer, self.params_flat, self.grads_flat
        if self.penalty_kind is not None:  # regularisation.Penalty.gradient, flat
            T = self.penalty_scratch
            if self.penalty_kind == "l2":
                np.multiply(P, self.penalty_scale, out=T)
            else:
                np.sign(P, out=T)
                np.multiply(T, self.penalty_scale, out=T)
            np.add(G, T, out=G)
        for k in self.frozen_bias:
            self.grad_blocks[k][-1] = 0.0
        opt.t += 1
        if self.n_slots == 0:  # sgd
            np.multiply(G, -lr, out=G)
            np.add(P, G, out=P)
        elif self.n_slots == 1:  # momentum
            V, T = self.slots_flat[0], self.update_scratch
            np.multiply(V, opt.params["momentum"], out=V)
            np.multiply(G, lr, out=T)
            np.subtract(V, T, out=V)
            np.add(P, V, out=P)
        else:  # adam
            p = opt.params
            b1, b2, eps = p["beta1"], p["beta2"], p["epsilon"]
            c1, c2 = 1.0 - b1 ** opt.t, 1.0 - b2 ** opt.t
            M, V = self.slots_flat
            T, denom = self.update_scratch, self.adam_denominator
            np.multiply(M, b1, out=M)
            np.multiply(G, 1.0 - b1, out=T)
            np.add(M, T, out=M)
            np.multiply(V, b2, out=V)
            np.multiply(G, 1.0 - b2, out=T)
            np.multiply(T, G, out=T)
            np.add(V, T, out=V)
            np.divide(M, c1, out=T)
            np.multiply(T, -lr, out=T)
            np.divide(V, c2, out=denom)
            np.sqrt(denom, out=denom)
            np.add(denom, eps, out=denom)
            np.divide(T, denom, out=T)
            np.add(P, T, out=P)

    def _row_losses(self, z: Array, a: Array, y: Array, ysum: Array | None) -> Array:
        """Each row's loss, not yet divided by the number of rows (float64)."""
        if not self.float64:
            z, a, y = (v.astype(np.float64) for v in (z, a, y))
        return self.loss.row_losses(a, y, z, self.out_act, ysum)

    def _batch_losses(self, start: int, B: int, stop: int) -> list[float]:
        """The loss of each batch of rows ``start:stop`` just run (from their
        stored outputs). Every batch is summed by ``reduceat``, whose sum of a
        segment does not depend on the rows around it, so a batch's loss is
        the same however the epoch was sliced (``sum`` may round differently)."""
        if start >= stop:
            return []
        sums = self.epoch_target_sums
        rows = self._row_losses(self.epoch_z_out[start:stop], self.epoch_a_out[start:stop],
                                self.epoch_targets[start:stop],
                                None if sums is None else sums[start:stop])
        n = stop - start
        firsts = np.arange(0, n, B)
        sums = np.add.reduceat(rows, firsts)
        sums /= np.minimum(B, n - firsts)
        return sums.tolist()

    # -- after an epoch ---------------------------------------------------------------
    def all_finite(self) -> bool:
        return bool(np.isfinite(self.params_flat).all())

    def store(self) -> None:
        """Write float32 parameters and slots back into the network and the optimiser."""
        if self.float64:
            return
        net, opt = self.network, self.optimizer
        for k, layer in enumerate(net.layers):
            layer.W = self.param_blocks[k][:-1].astype(np.float64)
            if k not in self.frozen_bias:  # a frozen one keeps its float64 value
                layer.b = self.param_blocks[k][-1].astype(np.float64)
            for kind in range(self.n_slots):
                opt.slots[kind][2 * k] = self.slot_blocks[kind][k][:-1].astype(np.float64)
                opt.slots[kind][2 * k + 1] = self.slot_blocks[kind][k][-1].astype(np.float64)

    def _forward_all(self, X: Array) -> tuple[Array, Array]:
        """Output z and a for every row of X (in chunks), in the compute dtype."""
        n, dt, L = len(X), self.dtype, self.n_layers
        t = self.sizes[-1]
        z_out, a_out = np.empty((n, t), dt), np.empty((n, t), dt)
        C = min(max(n, 1), max(self.batch_size, EVAL_CHUNK_ROWS))  # rows per chunk
        if self._eval_buffers is None or len(self._eval_buffers[2][0]) < C:
            self._eval_buffers = (
                [np.empty((C, m), dt) for m in self.sizes[1:-1]],  # hidden z
                [np.ones((C, m + 1), dt) for m in self.sizes[1:-1]],  # hidden a, ones
                [np.empty((C, m), dt) for m in self.sizes[1:]],  # scratch
                [np.empty((C, m), bool) for m in self.sizes[1:]],  # flags
                np.empty((C, 1), dt))  # softmax scratch
        Z, A1, T, M, softmax_scratch = self._eval_buffers
        if self.masked:
            self._refresh_masked()
        W = self.weight_blocks
        for c0 in range(0, n, C):
            c1 = min(c0 + C, n)
            m = c1 - c0
            x = X[c0:c1]
            if x.dtype != dt:
                x = x.astype(dt)
            for k in range(L):
                z = z_out[c0:c1] if k == L - 1 else Z[k][:m]
                if k == 0:
                    np.matmul(x, W[0][:-1], out=z)
                    np.add(z, W[0][-1], out=z)
                else:
                    np.matmul(A1[k - 1][:m], W[k], out=z)
                if k == L - 1:
                    flags = softmax_scratch[:m] if self.out_act == "softmax" else M[k][:m]
                    self.forward_into[k](z, a_out[c0:c1], T[k][:m], flags)
                else:
                    self.forward_into[k](z, A1[k][:m, :-1], T[k][:m], M[k][:m])
        return z_out, a_out

    def _labels(self, Y: Array) -> Array:
        """What accuracy() compares: class index per row (or y > 0.5)."""
        return Y[:, 0] > 0.5 if Y.shape[1] == 1 else np.argmax(Y, axis=1)

    def _measured(self, z, a, Y, rows, labels) -> tuple[float, float | None]:
        """The loss (mean of the rows' losses) and the accuracy."""
        n = len(z)
        loss = float(rows.sum()) / n
        if not math.isfinite(loss):  # the reference's handling of inf and NaN
            z64, a64 = z.astype(np.float64), a.astype(np.float64)
            loss = self.loss.value(a64, Y, z64, self.out_act)
        acc = None
        if self.kind != "regression":
            guess = a[:, 0] > 0.5 if a.shape[1] == 1 else np.argmax(a, axis=1)
            acc = np.count_nonzero(guess == labels) / n
        return loss, acc

    def evaluate(self, epoch: int) -> EpochResult:
        """Like :func:`evaluate`, with the engine's arithmetic."""
        def measure(X, Y, labels, ysum):
            n = len(X)
            if n == 0:
                return None, None
            z, a = self._forward_all(X)
            return self._measured(z, a, Y, self._row_losses(z, a, Y, ysum), labels)

        if self._train_labels is None:
            self._train_labels = self._labels(self.targets_f64)
            self._test_labels = self._labels(self.test_targets) if len(self.test_targets) else None
            ce = self.delta_kind == "ce"
            self._train_ysum = self.targets_f64.sum(axis=1, keepdims=True) if ce else None
            self._test_ysum = self.test_targets.sum(axis=1, keepdims=True) if ce else None
            if ce and bool(np.all(self._train_ysum == 1.0)):
                self._train_ysum = None
            if ce and len(self.test_targets) and bool(np.all(self._test_ysum == 1.0)):
                self._test_ysum = None
        if self.full_batch:  # measured by the forward pass the next epoch trains with
            z, a = self.epoch_z_out, self.epoch_a_out
            self._forward(self.inputs_with_ones, self._frame(self.n_rows), z, a)
            rows = self._row_losses(z, a, self.targets, self.target_row_sums)
            self._fresh, self._fresh_loss = True, float(rows.sum()) / self.n_rows
            train_loss, train_acc = self._measured(z, a, self.targets_f64, rows,
                                                   self._train_labels)
        else:
            train_loss, train_acc = measure(self.inputs, self.targets_f64, self._train_labels,
                                            self._train_ysum)
        test_loss, test_acc = measure(self.test_inputs, self.test_targets, self._test_labels,
                                      self._test_ysum)
        return EpochResult(epoch, train_loss, test_loss, train_acc, test_acc)
