"""Training settings and the coarse training path (no snapshots).

The stepper's micro-steps and these functions share the same math: both call
``Network.gradients``-style forward/backward code of ``network.py`` and the
same optimiser, so stepping by hand and training by the epoch agree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import losses
from .datasets import Dataset, accuracy
from .initializers import INITIALIZERS
from .network import Network
from .optimizers import Optimizer

Array = np.ndarray

MAX_LEARNING_RATE = 1e9  # beyond this a number is a typo, not an experiment


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
                and 0 <= self.seed < 2**32):
            raise ValueError(f"training.seed: expected a whole number from 0 to {2**32 - 1}, "
                             f"got {self.seed!r}")
        if self.initializer not in INITIALIZERS:
            raise ValueError(f"training.initializer: expected one of {', '.join(INITIALIZERS)}, "
                             f"got {self.initializer!r}")
        if not isinstance(self.shuffle, bool):
            raise ValueError(f"training.shuffle: expected true or false, got {self.shuffle!r}")
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
    """One forward, backward and update on one batch; returns the batch loss."""
    g = network.gradients(X, Y)
    grads = []
    for dW, db in zip(g.dWs, g.dbs):
        grads += [dW, db]
    params = network.parameters()
    optimizer.step(params, grads, lr)
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
