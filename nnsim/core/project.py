"""Everything a user made, in one object: what a .nnsim file holds.

``nnsim.io`` turns a Project into JSON and back; the document layer of the
GUI owns one Project; the CLI trains one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .history_log import EpochLog, as_epoch_log
from .input_transform import InputOptions, InputTransform, network_data
from .layout import Layout
from .naming import input_names, target_names
from .datasets import BUILTIN, Dataset, DataSpec, make
from .network import Network
from .optimizers import Optimizer
from .stepper import Stepper
from .training import TrainingConfig


@dataclass
class ImportedData:
    """Points a user imported (CSV); saved inside the file."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    input_names: list[str]
    target_names: list[str]
    kind: str
    source: str = ""  # the file it came from, for the user's information


def data_to_dataset(data: "DataSpec | ImportedData") -> Dataset:
    """The arrays of a built-in spec (generated) or of imported points."""
    if isinstance(data, DataSpec):
        return make(data)
    return Dataset(data.X_train, data.Y_train, data.X_test, data.Y_test, data.kind,
                   "imported", list(data.input_names), list(data.target_names))


def placeholder_data(n_inputs: int, n_outputs: int, loss: str) -> "DataSpec | ImportedData":
    """The data of a file that leaves ``data`` out: the XOR table when the
    network fits it (2 inputs, 1 output), else no points in the network's
    shape. Made-up points would teach nothing; empty columns of the right
    width open, step nothing and say so, and wait for the user's rows (typed
    or imported) instead of crashing on a data set of another shape."""
    table = BUILTIN["xor_table"]
    if (table.n_inputs, table.n_outputs) == (n_inputs, n_outputs):
        return DataSpec("xor_table")
    kind = ("binary" if loss == "bce" and n_outputs == 1 else
            "multiclass" if loss == "cross_entropy" and n_outputs >= 2 else "regression")
    X, Y = np.zeros((0, n_inputs)), np.zeros((0, n_outputs))
    return ImportedData(X, Y, X.copy(), Y.copy(), input_names(n_inputs),
                        target_names(kind, n_outputs), kind)


def is_placeholder(data, n_inputs: int, n_outputs: int, loss: str) -> bool:
    """True when ``data`` is the empty placeholder :func:`placeholder_data`
    gives this network (a file then leaves ``data`` out, as it was read)."""
    empty = placeholder_data(n_inputs, n_outputs, loss)
    return (isinstance(empty, ImportedData) and isinstance(data, ImportedData)
            and all(getattr(data, k).shape == getattr(empty, k).shape
                    for k in ("X_train", "Y_train", "X_test", "Y_test"))
            and (list(data.input_names), list(data.target_names), data.kind, data.source)
            == (empty.input_names, empty.target_names, empty.kind, empty.source))


@dataclass
class History:
    """The loss curve, saved with the file."""

    epochs: EpochLog = field(default_factory=EpochLog)  # of EpochResult (a list works too)


@dataclass
class Project:
    network: Network
    training: TrainingConfig = field(default_factory=TrainingConfig)
    data: DataSpec | ImportedData = field(default_factory=lambda: DataSpec("xor_table"))
    title: str = ""
    description: str = ""
    # Neuron positions on the canvas (see core/layout.py); None = all automatic.
    layout: Layout | None = None
    history: History = field(default_factory=History)
    optimizer_state: dict | None = None
    # Feature inputs and standardisation (core/input_transform.py): what the
    # network sees of the data; the default is the data's columns as they are.
    inputs: InputOptions = field(default_factory=InputOptions)

    def dataset(self) -> Dataset:
        """The data as the user has it (raw columns)."""
        return data_to_dataset(self.data)

    def network_data(self, raw: Dataset | None = None) -> tuple[Dataset, InputTransform]:
        """The data as the network sees it (``raw``: this project's data,
        already made), and the transform that made it."""
        return network_data(raw or self.dataset(), self.inputs)

    def make_optimizer(self) -> Optimizer:
        opt = Optimizer(self.training.optimizer, self.training.optimizer_params)
        if self.optimizer_state is not None:
            opt.load_state(self.optimizer_state)
        return opt

    def make_stepper(self, dataset: Dataset | None = None) -> Stepper:
        """A stepper that continues from the saved training state; it trains
        on ``dataset`` (default: the network's inputs of this project's data)."""
        st = Stepper(self.network, self.training, dataset or self.network_data()[0],
                     self.make_optimizer())
        st.epoch_results = as_epoch_log(self.history.epochs)
        st.epoch = len(st.epoch_results) + 1
        st.updates = st.optimizer.t  # the saved optimiser counts the updates done
        return st
