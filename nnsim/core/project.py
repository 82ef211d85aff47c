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
from .datasets import Dataset, DataSpec, make
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
