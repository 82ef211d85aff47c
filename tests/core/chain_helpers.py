"""Steppers on random data for the chain-rule tests: biases off zero so every
term of a sum matters, targets one-hot, 0/1 or normal."""
import numpy as np

from nnsim.core.datasets import Dataset
from nnsim.core.network import Network
from nnsim.core.stepper import Stepper
from nnsim.core.training import TrainingConfig


def custom(sizes, activations, loss, batch_size, seed=3, n=12, targets=None, optimizer="sgd"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    t = sizes[-1]
    if targets == "onehot":
        Y = np.eye(t)[rng.integers(0, t, size=n)]
    elif targets == "binary":
        Y = rng.integers(0, 2, size=(n, t)).astype(float)
    else:
        Y = rng.normal(size=(n, t))
    data = Dataset(X, Y, X[:0], Y[:0], "regression", "test",
                   [f"x{i + 1}" for i in range(sizes[0])], [f"y{j + 1}" for j in range(t)])
    net = Network.build(sizes[0], sizes[1:], activations, loss=loss, initializer="uniform",
                        rng=rng)
    for layer in net.layers:  # biases off zero, so every term matters
        layer.b = rng.normal(scale=0.3, size=layer.b.shape)
    cfg = TrainingConfig(learning_rate=0.3, batch_size=batch_size, seed=seed, optimizer=optimizer)
    return Stepper(net, cfg, data), net


def run_until(st, label):
    while True:
        snap = st.micro_step()
        if snap.step.label == label:
            return snap


def full_cycle(st):
    return [st.micro_step() for _ in st.plan][-1]
