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

import numpy as np

from . import activations as act
from . import losses
from . import losses as lossmod
from .datasets import Dataset, accuracy
from .initializers import INITIALIZERS
from .limits import MAX_LEARNING_RATE, MAX_SEED
from .network import Network
from .optimizers import Optimizer

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

    def validate(self) -> None:
        lr = self.learning_rate
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and 0 < lr <= MAX_LEARNING_RATE):
            raise ValueError(f"training.learning_rate: expected a number above 0 and at most "
                             f"{MAX_LEARNING_RATE:g}, got {lr!r}")
        if not (isinstance(self.batch_size, int) and self.batch_size >= 1):
            raise ValueError(f"training.batch_size: expected an integer of at least 1, "
                             f"got {self.batch_size!r}")
        if not (isinstance(self.epochs, int) and self.epochs >= 0):
            raise ValueError(f"training.epochs: expected an integer of at least 0, got {self.epochs!r}")
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


def train_batch(network: Network, optimizer: Optimizer, X: Array, Y: Array, lr: float) -> float:
    """One forward, backward and update on one batch; returns the batch loss.
    Frozen biases (``Layer.train_bias`` False) are left as they are."""
    g = network.gradients(X, Y)
    grads = []
    for dW, db in zip(g.dWs, g.dbs):
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


class EpochEngine:
    """Whole epochs of mini-batch training for one network, fused.

    Built by ``Stepper.step_epochs`` for one call and dropped after it. With
    float64 the network's ``W`` and ``b`` (and the optimiser's slots) become
    views into the engine's flat buffers, so nothing is copied back; with
    float32 they are written back (as float64) after every epoch.

    ``X`` (N, n_in) and ``Y`` (N, t) are the training rows (``X`` may already
    be in the compute dtype); ``X_test``/``Y_test`` may have no rows.
    """

    def __init__(self, network: Network, optimizer: Optimizer, X: Array, Y: Array,
                 X_test: Array, Y_test: Array, kind: str, batch_size: int,
                 dtype: str = "float64"):
        self.network, self.optimizer, self.kind = network, optimizer, kind
        dt = self.dtype = np.dtype(dtype)
        self.float64 = dt == np.float64
        layers = network.layers
        self.L = L = len(layers)
        self.sizes = sizes = network.sizes
        N = self.N = len(X)
        self.X = X if X.dtype == dt else X.astype(dt)
        self.Y = np.ascontiguousarray(Y, dtype=dt)
        self.Y64 = Y
        self.X_test, self.Y_test = X_test, Y_test
        self.loss = lossmod.get(network.loss)
        self.out_act = layers[-1].activation
        self.B = B = max(1, min(batch_size, N))

        # parameters: layer k is an (n_in + 1, n_out) block, bias in the last row
        shapes = [(sizes[k] + 1, sizes[k + 1]) for k in range(L)]
        total = sum(r * c for r, c in shapes)
        self.P = np.empty(total, dt)
        self.G = np.empty(total, dt)
        self.Pk, self.Gk, o = [], [], 0
        for (r, c) in shapes:
            self.Pk.append(self.P[o:o + r * c].reshape(r, c))
            self.Gk.append(self.G[o:o + r * c].reshape(r, c))
            o += r * c
        for k, layer in enumerate(layers):
            self.Pk[k][:-1] = layer.W
            self.Pk[k][-1] = layer.b
        self.notmask = [None if l.mask is None else ~l.mask for l in layers]
        self.Eff = [None if m is None else np.empty_like(self.Pk[k])
                    for k, m in enumerate(self.notmask)]
        self.masked = any(m is not None for m in self.notmask)
        # the blocks the products use (removed connections zeroed when masked)
        self.W = [self.Pk[k] if E is None else E for k, E in enumerate(self.Eff)]
        self.WT = [w[:-1].T for w in self.W]
        self._frames: dict = {}

        # optimiser slots, flat like the parameters
        opt = optimizer
        params = network.parameters()
        self.kinds = {"sgd": 0, "momentum": 1, "adam": 2}[opt.name]
        self.S = []
        if self.kinds:
            opt._ensure_slots(params, self.kinds)
            for kind in range(self.kinds):
                self.S.append(np.empty(total, dt))
            self.Sk = [[S[self._offset(k):self._offset(k) + r * c].reshape(r, c)
                        for k, (r, c) in enumerate(shapes)] for S in self.S]
            for kind in range(self.kinds):
                for k in range(L):
                    self.Sk[kind][k][:-1] = opt.slots[kind][2 * k]
                    self.Sk[kind][k][-1] = opt.slots[kind][2 * k + 1]
            self.T1 = np.empty(total, dt)
            self.T2 = np.empty(total, dt) if self.kinds == 2 else None
        # frozen biases (Layer.train_bias False): their gradient row is zeroed
        # before every update and their slots are held at zero, so the flat
        # update leaves them exactly as they are (Optimizer.step_deltas' rule)
        self.frozen_bias = [k for k, l in enumerate(layers) if not l.train_bias]
        for k in self.frozen_bias:
            for kind in range(self.kinds):
                self.Sk[kind][k][-1] = 0.0
        if self.float64:  # the network and the optimiser see the engine's numbers
            for k, layer in enumerate(layers):
                layer.W, layer.b = self.Pk[k][:-1], self.Pk[k][-1]
            for kind in range(self.kinds):
                for k in range(L):
                    opt.slots[kind][2 * k] = self.Sk[kind][k][:-1]
                    opt.slots[kind][2 * k + 1] = self.Sk[kind][k][-1]

        # per-batch buffers; hidden activations carry a column of ones (the bias)
        self.Z = [np.empty((B, n), dt) for n in sizes[1:]]
        self.A = [np.ones((B, n + 1), dt) for n in sizes[1:-1]]
        self.D = [np.empty((B, n), dt) for n in sizes[1:]]
        self.TMP = [np.empty((B, n), dt) for n in sizes[1:]]
        self.MB = [np.empty((B, n), bool) for n in sizes[1:]]
        self.col = np.empty((B, 1), dt)
        t = sizes[-1]
        self.ZE = np.empty((N, t), dt)  # output z and a of the epoch, in batch order
        self.AE = np.empty((N, t), dt)
        self.YE = np.empty((N, t), dt)
        self.gather_epoch = N * (sizes[0] + 1) * dt.itemsize <= EPOCH_GATHER_MAX_BYTES
        # one batch of all rows: trained in their natural order (see _run_full_batch)
        self.full_batch = self.gather_epoch and B == N
        self._fresh = False  # ZE/AE hold this epoch's forward pass (full batch)
        if self.full_batch:
            self.XN = np.ones((N, sizes[0] + 1), dt)
            self.XN[:, :-1] = self.X
        if not self.gather_epoch:
            self.xb = np.empty((B, sizes[0]), dt)
        self.XE = None  # the inputs in the epoch's order (made when first needed)
        self.fwd = [act.get(l.activation).forward_into for l in layers]
        self.bwd = [act.get(l.activation).backward_into for l in layers]
        # the output delta
        fused = self.loss.fused_with == self.out_act
        self.ysum = self.YSE = None  # row sums of the targets, when not all 1
        if fused and self.loss.name == "cross_entropy":
            ysum = self.Y.sum(axis=1, keepdims=True)
            self.ysum = None if bool(np.all(ysum == 1.0)) else ysum
            self.YSE = None if self.ysum is None else np.empty((N, 1), dt)
        # "generic": any other pair, dL/da times the activation's derivative
        # (its Jacobian for a softmax) as in Loss.output_delta
        elementwise_out = self.bwd[-1] is not None
        self.delta_kind = ("ce" if fused and self.loss.name == "cross_entropy"
                           else "fused" if fused
                           else "mse" if self.loss.name == "mse" and elementwise_out
                           else "generic")
        self._eval_buffers = None
        self._train_labels = None

    def _offset(self, k: int) -> int:
        return sum((self.sizes[j] + 1) * self.sizes[j + 1] for j in range(k))

    # -- training ----------------------------------------------------------------------
    def _frame(self, m: int) -> tuple:
        """Views of every per-batch buffer for a batch of ``m`` rows (cached)."""
        f = self._frames.get(m)
        if f is None:
            L = self.L
            f = self._frames[m] = (
                [z[:m] for z in self.Z],
                [a[:m] for a in self.A],  # with the ones column
                [a[:m, :-1] for a in self.A],  # the activations alone
                [d[:m] for d in self.D],
                [t[:m] for t in self.TMP],
                [mb[:m] for mb in self.MB[:L - 1]]
                + [self.col[:m] if self.out_act == "softmax" else self.MB[L - 1][:m]],
                None if self.gather_epoch else self.xb[:m])
        return f

    def run(self, order: Array, start: int, learning_rate: float) -> list[float]:
        """Train on rows ``order[start:]`` in batches; returns the batch losses."""
        if self.full_batch and start == 0:
            return self._run_full_batch(learning_rate)
        self._fresh = False
        N, B = self.N, self.B
        n0 = self.sizes[0]
        ZE, AE, YE = self.ZE, self.AE, self.YE
        np.take(self.Y, order, axis=0, out=YE)
        gather = self.gather_epoch
        if gather:
            if self.XE is None:
                self.XE = np.ones((N, n0 + 1), self.dtype)
            XE = self.XE
            np.take(self.X, order, axis=0, out=XE[:, :n0])
        YSE = self.YSE
        if YSE is not None:
            np.take(self.ysum, order, axis=0, out=YSE)
        for s in range(start, N, B):
            e = min(s + B, N)
            f = self._frame(e - s)
            if gather:
                x = XE[s:e]
            else:
                x = np.take(self.X, order[s:e], axis=0, out=f[6])
            z, a = ZE[s:e], AE[s:e]
            self._forward(x, f, z, a)
            self._backward(x, f, z, a, YE[s:e], None if YSE is None else YSE[s:e])
            self._update(learning_rate)
        return self._batch_losses(start, B)

    def _run_full_batch(self, learning_rate: float) -> list[float]:
        """One batch of all rows. The order of the rows changes nothing but
        rounding, so they stay in their natural order, and the forward pass
        that measured the last epoch is the forward pass of this one."""
        f = self._frame(self.N)
        if not self._fresh:
            self._forward(self.XN, f, self.ZE, self.AE)
            self._fresh_loss = float(self._row_losses(self.ZE, self.AE, self.Y,
                                                      self.ysum).sum()) / self.N
        loss = self._fresh_loss
        self._backward(self.XN, f, self.ZE, self.AE, self.Y, self.ysum)
        self._update(learning_rate)
        self._fresh = False
        return [loss]

    def _forward(self, x: Array, f: tuple, z: Array, a: Array) -> None:
        """Forward pass of one batch ``x`` (with the ones column when the
        inputs are gathered per epoch) into the frame ``f`` and the output
        buffers ``z``, ``a``."""
        Z, Aall, Aact, _D, T, M, _xb = f
        W, fwd, last = self.W, self.fwd, self.L - 1
        if self.masked:
            self._refresh_masked()
        if x.shape[1] == self.sizes[0]:  # no ones column: add the bias
            np.matmul(x, W[0][:-1], out=Z[0])
            np.add(Z[0], W[0][-1], out=Z[0])
        else:
            np.matmul(x, W[0], out=Z[0])
        for k in range(last):
            if k:
                np.matmul(Aall[k - 1], W[k], out=Z[k])
            fwd[k](Z[k], Aact[k], T[k], M[k])
        if last:
            np.matmul(Aall[last - 1], W[last], out=z)
        else:
            np.copyto(z, Z[0])
        fwd[last](z, a, T[last], M[last])

    def _backward(self, x: Array, f: tuple, z: Array, a: Array, y: Array,
                  ysum: Array | None) -> None:
        """dL/dz of every layer and the gradient (flat, in self.G) of one batch."""
        Z, Aall, Aact, D, T, M, _xb = f
        Gk, WT, bwd, last = self.Gk, self.WT, self.bwd, self.L - 1
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
                np.matmul(Aall[k - 1].T, d, out=Gk[k])
            elif x.shape[1] != self.sizes[0]:
                np.matmul(x.T, d, out=Gk[0])
            else:
                np.matmul(x.T, d, out=Gk[0][:-1])
                np.sum(d, axis=0, out=Gk[0][-1])
            if self.notmask[k] is not None:
                Gk[k][:-1][self.notmask[k]] = 0.0
            if k:
                g = D[k - 1]
                np.matmul(d, WT[k], out=g)
                bwd[k - 1](g, Z[k - 1], Aact[k - 1], g, T[k - 1], M[k - 1])

    def _refresh_masked(self) -> None:
        """Copy the weights into the masked layers' buffers, removed ones as zero."""
        for k, nm in enumerate(self.notmask):
            if nm is not None:
                E = self.Eff[k]
                np.copyto(E, self.Pk[k])
                E[:-1][nm] = 0.0

    def _update(self, lr: float) -> None:
        """optimizers.Optimizer.step_deltas + step, on the flat buffers."""
        opt, P, G = self.optimizer, self.P, self.G
        for k in self.frozen_bias:
            self.Gk[k][-1] = 0.0
        opt.t += 1
        if self.kinds == 0:
            np.multiply(G, -lr, out=G)
            np.add(P, G, out=P)
        elif self.kinds == 1:
            V, T = self.S[0], self.T1
            np.multiply(V, opt.params["momentum"], out=V)
            np.multiply(G, lr, out=T)
            np.subtract(V, T, out=V)
            np.add(P, V, out=P)
        else:
            p = opt.params
            b1, b2, eps = p["beta1"], p["beta2"], p["epsilon"]
            c1, c2 = 1.0 - b1 ** opt.t, 1.0 - b2 ** opt.t
            M, V, T, T2 = self.S[0], self.S[1], self.T1, self.T2
            np.multiply(M, b1, out=M)
            np.multiply(G, 1.0 - b1, out=T)
            np.add(M, T, out=M)
            np.multiply(V, b2, out=V)
            np.multiply(G, 1.0 - b2, out=T)
            np.multiply(T, G, out=T)
            np.add(V, T, out=V)
            np.divide(M, c1, out=T)
            np.multiply(T, -lr, out=T)
            np.divide(V, c2, out=T2)
            np.sqrt(T2, out=T2)
            np.add(T2, eps, out=T2)
            np.divide(T, T2, out=T)
            np.add(P, T, out=P)

    def _row_losses(self, z: Array, a: Array, y: Array, ysum: Array | None) -> Array:
        """Each row's loss, not yet divided by the number of rows (float64)."""
        if not self.float64:
            z, a, y = (v.astype(np.float64) for v in (z, a, y))
        return self.loss.row_losses(a, y, z, self.out_act, ysum)

    def _batch_losses(self, start: int, B: int) -> list[float]:
        """The loss of each batch of the epoch just run (from its stored outputs)."""
        N = self.N
        if start >= N:
            return []
        ysum = None if self.YSE is None else self.YSE[start:]
        rows = self._row_losses(self.ZE[start:], self.AE[start:], self.YE[start:], ysum)
        n = N - start
        if n <= B:
            return [float(rows.sum()) / n]
        firsts = np.arange(0, n, B)
        sums = np.add.reduceat(rows, firsts)
        sums /= np.minimum(B, n - firsts)
        return sums.tolist()

    # -- after an epoch ---------------------------------------------------------------
    def all_finite(self) -> bool:
        return bool(np.isfinite(self.P).all())

    def store(self) -> None:
        """Write float32 parameters and slots back into the network and the optimiser."""
        if self.float64:
            return
        net, opt = self.network, self.optimizer
        for k, layer in enumerate(net.layers):
            layer.W = self.Pk[k][:-1].astype(np.float64)
            if k not in self.frozen_bias:  # a frozen one keeps its float64 value
                layer.b = self.Pk[k][-1].astype(np.float64)
            for kind in range(self.kinds):
                opt.slots[kind][2 * k] = self.Sk[kind][k][:-1].astype(np.float64)
                opt.slots[kind][2 * k + 1] = self.Sk[kind][k][-1].astype(np.float64)

    def _forward_all(self, X: Array) -> tuple[Array, Array]:
        """Output z and a for every row of X (in chunks), in the compute dtype."""
        n, dt, L = len(X), self.dtype, self.L
        t = self.sizes[-1]
        Zo, Ao = np.empty((n, t), dt), np.empty((n, t), dt)
        C = min(max(n, 1), max(self.B, EVAL_CHUNK_ROWS))
        if self._eval_buffers is None or len(self._eval_buffers[2][0]) < C:
            self._eval_buffers = (
                [np.empty((C, m), dt) for m in self.sizes[1:-1]],
                [np.ones((C, m + 1), dt) for m in self.sizes[1:-1]],
                [np.empty((C, m), dt) for m in self.sizes[1:]],
                [np.empty((C, m), bool) for m in self.sizes[1:]],
                np.empty((C, 1), dt))
        Zb, Ab, Tb, Mb, col = self._eval_buffers
        if self.masked:
            self._refresh_masked()
        W = self.W
        for c0 in range(0, n, C):
            c1 = min(c0 + C, n)
            m = c1 - c0
            x = X[c0:c1]
            if x.dtype != dt:
                x = x.astype(dt)
            for k in range(L):
                z = Zo[c0:c1] if k == L - 1 else Zb[k][:m]
                if k == 0:
                    np.matmul(x, W[0][:-1], out=z)
                    np.add(z, W[0][-1], out=z)
                else:
                    np.matmul(Ab[k - 1][:m], W[k], out=z)
                if k == L - 1:
                    self.fwd[k](z, Ao[c0:c1], Tb[k][:m],
                                col[:m] if self.out_act == "softmax" else Mb[k][:m])
                else:
                    self.fwd[k](z, Ab[k][:m, :-1], Tb[k][:m], Mb[k][:m])
        return Zo, Ao

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
            self._train_labels = self._labels(self.Y64)
            self._test_labels = self._labels(self.Y_test) if len(self.Y_test) else None
            ce = self.delta_kind == "ce"
            self._train_ysum = self.Y64.sum(axis=1, keepdims=True) if ce else None
            self._test_ysum = self.Y_test.sum(axis=1, keepdims=True) if ce else None
            if ce and bool(np.all(self._train_ysum == 1.0)):
                self._train_ysum = None
            if ce and len(self.Y_test) and bool(np.all(self._test_ysum == 1.0)):
                self._test_ysum = None
        if self.full_batch:  # measured by the forward pass the next epoch trains with
            f = self._frame(self.N)
            self._forward(self.XN, f, self.ZE, self.AE)
            rows = self._row_losses(self.ZE, self.AE, self.Y, self.ysum)
            self._fresh, self._fresh_loss = True, float(rows.sum()) / self.N
            train_loss, train_acc = self._measured(self.ZE, self.AE, self.Y64, rows,
                                                   self._train_labels)
        else:
            train_loss, train_acc = measure(self.X, self.Y64, self._train_labels,
                                            self._train_ysum)
        test_loss, test_acc = measure(self.X_test, self.Y_test, self._test_labels,
                                      self._test_ysum)
        return EpochResult(epoch, train_loss, test_loss, train_acc, test_acc)
