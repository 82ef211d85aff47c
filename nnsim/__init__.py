"""nnsim: a neural-network simulator that shows every number of backpropagation."""

__version__ = "0.1.0"
