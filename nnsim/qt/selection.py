"""What the user selected on the canvas; shared by the canvas, the inspector
and the main window's actions. Views hold these ids, never the values."""
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
