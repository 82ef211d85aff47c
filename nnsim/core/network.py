"""The layered network: per-layer weights, biases, masks and activations.

Conventions (DESIGN.md section 4): a non-input layer has ``W`` of shape
``(n_in, n_out)`` where ``W[i, j]`` is the weight from neuron i of the previous
layer into neuron j, ``b`` of shape ``(n_out,)``, an optional boolean ``mask``
of W's shape (False = connection removed) and its own activation. Batches are
2-D ``(batch, n)`` even for one sample. Everything is float64 unless a
compute dtype is chosen for speed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import activations as act
from . import losses as lossmod
from .initializers import init_weights

Array = np.ndarray


@dataclass
class Layer:
    """One non-input layer.

    forward(x)  x: (batch, n_in)  -> z, a: (batch, n_out)
    backward(delta, x)  delta = dL/dz: (batch, n_out)
        -> dL/da_prev: (batch, n_in), dW: (n_in, n_out), db: (n_out,)
    """

    W: Array
    b: Array
    activation: str
    mask: Array | None = None  # bool (n_in, n_out); None means fully connected
    # False: training leaves b as it is (dL/db is still computed and shown)
    train_bias: bool = True

    @property
    def n_in(self) -> int:
        return self.W.shape[0]

    @property
    def units(self) -> int:
        return self.W.shape[1]

    @property
    def effective_W(self) -> Array:
        """W with removed connections as zero (the weight is kept for restore)."""
        return self.W if self.mask is None else np.where(self.mask, self.W, 0.0)

    def forward(self, x: Array) -> tuple[Array, Array]:
        z = x @ self.effective_W
        z += self.b
        return z, act.get(self.activation).function(z)

    def backward(self, delta: Array, x: Array) -> tuple[Array, Array, Array]:
        dW = x.T @ delta
        if self.mask is not None:
            dW = np.where(self.mask, dW, 0.0)
        return delta @ self.effective_W.T, dW, delta.sum(axis=0)

    def copy(self) -> "Layer":
        return Layer(self.W.copy(), self.b.copy(), self.activation,
                     None if self.mask is None else self.mask.copy(), self.train_bias)


@dataclass
class Gradients:
    """Everything one forward + backward pass over a batch computes."""

    loss: float
    zs: list[Array]  # per layer (batch, units)
    activations: list[Array]  # a per layer, index 0 = the input batch
    deltas: list[Array]  # dL/dz per layer
    dWs: list[Array]
    dbs: list[Array]


@dataclass
class Network:
    n_inputs: int
    layers: list[Layer] = field(default_factory=list)
    loss: str = "mse"

    # -- construction ---------------------------------------------------
    @classmethod
    def build(cls, n_inputs: int, units: list[int], activations: list[str],
              loss: str = "mse", initializer: str = "xavier",
              rng: np.random.Generator | None = None) -> "Network":
        rng = rng if rng is not None else np.random.default_rng(0)
        layers, n_in = [], n_inputs
        for n_out, name in zip(units, activations, strict=True):
            layers.append(Layer(init_weights(initializer, n_in, n_out, rng),
                                np.zeros(n_out), name))
            n_in = n_out
        net = cls(n_inputs, layers, loss)
        net.validate()
        return net

    def copy(self) -> "Network":
        return Network(self.n_inputs, [l.copy() for l in self.layers], self.loss)

    @property
    def sizes(self) -> list[int]:
        return [self.n_inputs] + [l.units for l in self.layers]

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].units

    @property
    def n_parameters(self) -> int:
        return sum(l.W.size + l.b.size for l in self.layers)

    def validate(self) -> None:
        """Raise ValueError naming the first problem of structure or settings."""
        if self.n_inputs < 1:
            raise ValueError("the network needs at least one input")
        if not self.layers:
            raise ValueError("the network needs at least one layer after the inputs")
        lossmod.get(self.loss)  # any loss goes with any output (combinations.py warns)
        n_in = self.n_inputs
        for k, layer in enumerate(self.layers, start=1):
            act.get(layer.activation)
            if layer.units < 1:
                raise ValueError(f"layer {k} has no neurons")
            if layer.W.shape != (n_in, layer.units) or layer.b.shape != (layer.units,):
                raise ValueError(f"layer {k}: weights {layer.W.shape} do not fit "
                                 f"{n_in} inputs and {layer.units} neurons")
            if layer.mask is not None and layer.mask.shape != layer.W.shape:
                raise ValueError(f"layer {k}: mask shape {layer.mask.shape} "
                                 f"differs from weights {layer.W.shape}")
            if layer.activation in act.OUTPUT_ONLY and k != len(self.layers):
                raise ValueError(f"layer {k}: {layer.activation} is only allowed "
                                 "on the output layer")
            n_in = layer.units

    # -- the math -------------------------------------------------------
    def forward(self, X: Array) -> tuple[list[Array], list[Array]]:
        """zs per layer and activations (index 0 = X)."""
        zs, activations = [], [X]
        for layer in self.layers:
            z, a = layer.forward(activations[-1])
            zs.append(z)
            activations.append(a)
        return zs, activations

    def predict(self, X: Array) -> Array:
        a = X
        for layer in self.layers:
            a = layer.forward(a)[1]
        return a

    def loss_value(self, X: Array, Y: Array) -> float:
        zs, activations = self.forward(X)
        return lossmod.get(self.loss).value(activations[-1], Y, zs[-1],
                                            self.layers[-1].activation)

    def output_delta(self, z: Array, a: Array, Y: Array) -> Array:
        out = self.layers[-1]
        return lossmod.get(self.loss).output_delta(a, Y, z, act.get(out.activation))

    def hidden_delta(self, k: int, grad_a: Array, z: Array, a: Array) -> Array:
        """dL/dz of layer k (0-based) from dL/da of that layer."""
        return act.backward(act.get(self.layers[k].activation), grad_a, z, a)

    def gradients(self, X: Array, Y: Array) -> Gradients:
        """One batched forward and backward pass (no update)."""
        zs, activations = self.forward(X)
        loss = lossmod.get(self.loss).value(activations[-1], Y, zs[-1],
                                            self.layers[-1].activation)
        L = len(self.layers)
        deltas: list = [None] * L
        dWs: list = [None] * L
        dbs: list = [None] * L
        delta = self.output_delta(zs[-1], activations[-1], Y)
        for k in range(L - 1, -1, -1):
            deltas[k] = delta
            grad_prev, dWs[k], dbs[k] = self.layers[k].backward(delta, activations[k])
            if k > 0:
                delta = self.hidden_delta(k - 1, grad_prev, zs[k - 1], activations[k])
        return Gradients(loss, zs, activations, deltas, dWs, dbs)

    # -- parameters as a flat list [W1, b1, W2, b2, ...] ---------------
    def parameters(self) -> list[Array]:
        out = []
        for l in self.layers:
            out += [l.W, l.b]
        return out

    def frozen_parameters(self) -> frozenset[int]:
        """Indices into :meth:`parameters` that training must not change
        (the biases of layers with ``train_bias`` False)."""
        return frozenset(2 * k + 1 for k, l in enumerate(self.layers) if not l.train_bias)

    def set_parameters(self, params: list[Array]) -> None:
        for k, l in enumerate(self.layers):
            l.W = np.array(params[2 * k], dtype=float)
            l.b = np.array(params[2 * k + 1], dtype=float)

    def all_finite(self) -> bool:
        return all(np.isfinite(p).all() for p in self.parameters())
