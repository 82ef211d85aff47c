"""Structural edits of a network, as pure functions.

Each takes a network and returns a new one (the argument is untouched), so
the document layer can keep the before and after states for undo. New
connections get weights from the initialiser and the Generator passed in;
existing weights are kept wherever their connection still exists.

Layer indices here count the input layer as 0, as on the canvas: layer k >= 1
is ``network.layers[k - 1]``.
"""
from __future__ import annotations

import numpy as np

from .initializers import init_weights
from .network import Layer, Network

from .limits import canvas_refusal


def _check_layer(net: Network, k: int, allow_input: bool = False) -> None:
    lo = 0 if allow_input else 1
    if not lo <= k <= len(net.layers):
        raise ValueError(f"there is no layer {k}")


def insert_layer(net: Network, position: int, units: int, activation: str,
                 initializer: str, rng: np.random.Generator) -> Network:
    """A new hidden layer at ``position`` (1 = right after the inputs, up to
    the output layer's index: the output layer always stays last)."""
    if not 1 <= position <= len(net.layers):
        raise ValueError("a new layer goes between the inputs and the output layer")
    sizes = net.sizes
    sizes.insert(position, units)
    reason = canvas_refusal(sizes)
    if reason:
        raise ValueError(f"one more layer is too many: {reason}")
    new = net.copy()
    n_in = new.sizes[position - 1]
    layer = Layer(init_weights(initializer, n_in, units, rng), np.zeros(units), activation)
    following = new.layers[position - 1]
    # the layer after it now reads from the new layer: its weights are new too
    following.W = init_weights(initializer, units, following.units, rng)
    following.mask = None
    new.layers.insert(position - 1, layer)
    new.validate()
    return new


def remove_layer(net: Network, k: int, initializer: str, rng: np.random.Generator) -> Network:
    """Remove hidden layer k; the layer after it is reconnected to the one before."""
    _check_layer(net, k)
    if k == len(net.layers):
        raise ValueError("the output layer cannot be removed; remove a hidden layer instead")
    new = net.copy()
    del new.layers[k - 1]
    following = new.layers[k - 1]
    following.W = init_weights(initializer, new.sizes[k - 1], following.units, rng)
    following.mask = None
    new.validate()
    return new


def _fixed_size_reason(net: Network, k: int) -> str | None:
    if k == 0:
        return "the input layer has one neuron per input column of the data"
    if k == len(net.layers):
        return "the output layer has one neuron per target of the data"
    return None


def add_neuron(net: Network, k: int, initializer: str, rng: np.random.Generator,
               data_follows: bool = False) -> Network:
    """One more neuron at the end of layer k, fully connected. The input and
    output layers have one neuron per column of the data: only when the
    caller grows the data too (``data_follows``)."""
    _check_layer(net, k, allow_input=True)
    reason = _fixed_size_reason(net, k)
    if reason and not data_follows:
        raise ValueError(f"{reason}; change the data to change its size")
    sizes = net.sizes
    sizes[k] += 1
    reason = canvas_refusal(sizes)
    if reason:
        raise ValueError(f"one more neuron is too many: {reason}")
    new = net.copy()
    if k > 0:  # its own weights and bias (an input has none)
        layer = new.layers[k - 1]
        layer.W = np.hstack([layer.W, init_weights(initializer, layer.n_in, 1, rng)])
        layer.b = np.append(layer.b, 0.0)
        if layer.mask is not None:
            layer.mask = np.hstack([layer.mask, np.ones((layer.n_in, 1), dtype=bool)])
    else:
        new.n_inputs += 1
    if k < len(new.layers):  # the weights out of it
        following = new.layers[k]
        following.W = np.vstack([following.W,
                                 init_weights(initializer, 1, following.units, rng)])
        if following.mask is not None:
            following.mask = np.vstack([following.mask,
                                        np.ones((1, following.units), dtype=bool)])
    new.validate()
    return new


def remove_neuron(net: Network, k: int, j: int, data_follows: bool = False) -> Network:
    """Remove neuron j of layer k with all its connections (an input or
    output neuron only when the caller removes its data column too)."""
    _check_layer(net, k, allow_input=True)
    reason = _fixed_size_reason(net, k)
    if reason and not data_follows:
        raise ValueError(f"{reason}; change the data to change its size")
    if not 0 <= j < net.sizes[k]:
        raise ValueError(f"layer {k} has no neuron {j + 1}")
    if net.sizes[k] == 1:
        raise ValueError("a layer keeps at least one neuron; remove the layer instead")
    new = net.copy()
    if k > 0:
        layer = new.layers[k - 1]
        layer.W = np.delete(layer.W, j, axis=1)
        layer.b = np.delete(layer.b, j)
        if layer.mask is not None:
            layer.mask = np.delete(layer.mask, j, axis=1)
    else:
        new.n_inputs -= 1
    if k < len(new.layers):
        following = new.layers[k]
        following.W = np.delete(following.W, j, axis=0)
        if following.mask is not None:
            following.mask = np.delete(following.mask, j, axis=0)
    new.validate()
    return new


def set_connection(net: Network, k: int, i: int, j: int, present: bool) -> Network:
    """Remove (present=False) or restore the connection from neuron i of layer
    k-1 into neuron j of layer k. A restored connection keeps its old weight."""
    _check_layer(net, k)
    new = net.copy()
    layer = new.layers[k - 1]
    if not (0 <= i < layer.n_in and 0 <= j < layer.units):
        raise ValueError(f"layer {k} has no connection {i + 1} -> {j + 1}")
    mask = np.ones(layer.W.shape, dtype=bool) if layer.mask is None else layer.mask
    mask[i, j] = present
    layer.mask = None if mask.all() else mask
    return new


def set_activation(net: Network, k: int, activation: str) -> Network:
    """Set layer k's activation; nothing else changes (any loss goes with any
    output: combinations.warnings_for says when a pair will not learn well)."""
    _check_layer(net, k)
    new = net.copy()
    new.layers[k - 1].activation = activation
    new.validate()
    return new


def set_loss(net: Network, loss: str) -> Network:
    """Set the loss; the output activation stays as it is."""
    new = net.copy()
    new.loss = loss
    new.validate()
    return new


def set_output(net: Network, activation: str, loss: str) -> Network:
    """Set the output layer's activation and the loss together."""
    new = net.copy()
    new.layers[-1].activation = activation
    new.loss = loss
    new.validate()
    return new


def set_parameter(net: Network, k: int, i: int | None, j: int, value: float) -> Network:
    """Set W[i, j] of layer k, or its bias b[j] when i is None."""
    _check_layer(net, k)
    if not np.isfinite(value):
        raise ValueError(f"a weight must be a finite number, not {value}")
    new = net.copy()
    layer = new.layers[k - 1]
    if i is None:
        layer.b[j] = value
    else:
        layer.W[i, j] = value
    return new


def set_train_bias(net: Network, k: int, train: bool) -> Network:
    """Freeze (train=False) or train again the biases of layer k."""
    _check_layer(net, k)
    new = net.copy()
    new.layers[k - 1].train_bias = bool(train)
    return new


def reinitialize(net: Network, initializer: str, rng: np.random.Generator) -> Network:
    """Fresh weights for every layer (biases zero), keeping structure and masks."""
    new = net.copy()
    for layer in new.layers:
        layer.W = init_weights(initializer, layer.n_in, layer.units, rng)
        layer.b = np.zeros(layer.units)
    return new


def fits_data(net: Network, n_inputs: int, n_outputs: int) -> bool:
    return net.n_inputs == n_inputs and net.n_outputs == n_outputs


def fit_to_data(net: Network, n_inputs: int, n_outputs: int,
                initializer: str, rng: np.random.Generator) -> Network:
    """The network resized to a data set: as many inputs as it has input
    columns, as many outputs as targets. Layers whose shape changes get fresh
    weights. Activations and the loss stay as they are: a better output for
    the data is only proposed (combinations.suggested_output)."""
    new = net.copy()
    if n_inputs < 1 or n_outputs < 1:
        raise ValueError("the data needs at least one input column and one target column")
    if new.n_inputs != n_inputs:
        first = new.layers[0]
        first.W = init_weights(initializer, n_inputs, first.units, rng)
        first.mask = None
        new.n_inputs = n_inputs
    out = new.layers[-1]
    if out.units != n_outputs:
        out.W = init_weights(initializer, out.n_in, n_outputs, rng)
        out.b = np.zeros(n_outputs)
        out.mask = None
    new.validate()
    return new
