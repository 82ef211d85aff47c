"""Names of a neuron and of a connection in the open network.

Views hold these (the selection), never the values; ``Document.exists`` and
``Document.value_of`` answer for them. ``nnsim.qt.selection`` re-exports them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NeuronRef:
    layer: int  # 0 = input layer
    neuron: int  # 0-based


@dataclass(frozen=True)
class EdgeRef:
    layer: int  # the layer the connection goes into (>= 1): W of network.layers[layer - 1]
    source: int  # i: neuron of layer - 1
    target: int  # j: neuron of layer


Selection = NeuronRef | EdgeRef | None


def exists(ref, sizes) -> bool:
    """Whether ``ref`` names a neuron or connection of a network of these layer sizes."""
    if isinstance(ref, NeuronRef):
        return 0 <= ref.layer < len(sizes) and 0 <= ref.neuron < sizes[ref.layer]
    if isinstance(ref, EdgeRef):
        return (1 <= ref.layer < len(sizes) and 0 <= ref.source < sizes[ref.layer - 1]
                and 0 <= ref.target < sizes[ref.layer])
    return False
