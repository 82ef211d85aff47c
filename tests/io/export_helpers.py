"""Random projects for the export and import tests: every hidden and output
activation with every loss, biases off zero, a removed connection."""
from __future__ import annotations

import itertools

import numpy as np

from nnsim.core.activations import ACTIVATIONS, OUTPUT_ONLY
from nnsim.core.losses import LOSSES
from nnsim.core.network import Network
from nnsim.core.project import ImportedData, Project
from nnsim.core.training import TrainingConfig

HIDDEN = [a for a in ACTIVATIONS if a not in OUTPUT_ONLY]
OUTPUTS = list(ACTIVATIONS)
COMBINATIONS = list(itertools.product(HIDDEN, OUTPUTS, LOSSES))


def random_project(hidden: str, output: str, loss: str, *, seed: int = 0, masked: bool = True,
                   sizes=(3, 4, 3), optimizer: str = "sgd", batch_size: int = 5,
                   n: int = 12) -> Project:
    rng = np.random.default_rng(seed)
    net = Network.build(sizes[0], list(sizes[1:]), [hidden] * (len(sizes) - 2) + [output],
                        loss=loss, initializer="uniform", rng=rng)
    for layer in net.layers:
        layer.W = rng.normal(size=layer.W.shape)
        layer.b = rng.normal(scale=0.5, size=layer.b.shape)
    if masked:
        mask = np.ones(net.layers[0].W.shape, bool)
        mask[0, 1] = mask[2, 0] = False
        net.layers[0].mask = mask
    t = sizes[-1]
    X = rng.normal(size=(n, sizes[0]))
    if output == "softmax":
        Y, kind = np.eye(t)[rng.integers(0, t, size=n)], "multiclass"
    elif output == "sigmoid":
        Y, kind = rng.integers(0, 2, size=(n, t)).astype(float), "regression"
    else:
        Y, kind = rng.normal(size=(n, t)), "regression"
    names = ([f"class {j}" for j in range(t)] if kind == "multiclass"
             else [f"y{j + 1}" for j in range(t)])
    data = ImportedData(X[3:], Y[3:], X[:3], Y[:3], [f"x{i + 1}" for i in range(sizes[0])],
                        names, kind)
    cfg = TrainingConfig(learning_rate=0.05, batch_size=batch_size, optimizer=optimizer, seed=seed)
    return Project(net, cfg, data, title=f"{hidden}-{output}-{loss}")
