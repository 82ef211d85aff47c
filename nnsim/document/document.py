"""The open document.

Views call the methods here (commands and queries) and listen to one signal,
``changed(Change)``, emitted once per command, undo, redo, step or save;
nothing is read back from a view. The document owns all the state; its
stepper computes on copies (see ``_new_stepper``). Every edit is one
undoable command; training (updates, epochs, step back) is recorded too, as
one merged "Training" command, so undo and the unsaved-changes mark always
tell the truth about the weights.
"""
from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..core import edit, layout, limits
from ..core.naming import ARROW, fmt_setting, layer_name, neuron_name
from ..core.combinations import Proposal, output_proposal, warnings_for
from ..core import diagnosis as diagnosis_rules
from ..core.limits import CANVAS_MAX_UNITS, canvas_refusal
from ..core.datasets import Dataset, DataSpec
from ..core.history_log import StepLog, as_epoch_log
from ..core import input_transform
from ..core.input_transform import FEATURE_INPUTS, InputOptions
from ..core.network import Network
from ..core.optimizers import Optimizer
from ..core.points import edited_points, with_column
from ..core.project import History, ImportedData, Project, data_to_dataset
from ..core import prediction
from ..core.stepper import MicroStep, Snapshot, Stepper
from ..core.training import TrainingConfig
from ..io import load_project, save_project
from . import events, kept_runs, refs
from .change import EDIT_CHANGES, SAVED, STEPPED, TRAINED, Change
from .disk_state import DiskStamp
from .commands import (DATA_MERGE_ID, SETTING_MERGE_ID, TRAINING_MERGE_ID, Memento, StateCommand,
                       merge_on_top)

UNDO_LIMIT = 500


class EditError(ValueError):
    """An edit the network does not allow; the message is for the user."""


def lecture_project() -> Project:
    """A new document: the lecture's 2-2-1 sigmoid shape on the xor truth
    table, with random weights (not the lecture's), and a title that says so."""
    net = Network.build(2, [2, 1], ["sigmoid", "sigmoid"], loss="mse",
                        rng=np.random.default_rng(0))
    # shuffle off: a newcomer's first pass traces row 1 (the file says so explicitly)
    return Project(net, TrainingConfig(learning_rate=0.5, shuffle=False), DataSpec("xor_table"),
                   title="New network (2-2-1, random weights)")


class Document(QObject):
    # Once per command, undo, redo, step or adopted run-mode frame: a Change
    # (change.py) whose flags say what kind of state changed.
    changed = Signal(object)

    def __init__(self, project: Project | None = None, path: str | Path | None = None,
                 parent: QObject | None = None, name: str | None = None):
        """``path``: the file Save writes to (None: Save asks). ``name``: what
        the title shows when there is no path (default "Untitled"; a new
        document without a project: its title)."""
        super().__init__(parent)
        if project is None:
            project = lecture_project()
            name = name or project.title
        self._name = name
        self.project = project
        self.project.layout = layout.fitted(self.project.layout, self.project.network.sizes)
        self.path = Path(path) if path else None
        # Save As starts here when there is no path (a recovered copy's
        # original file: a suggestion, never written without asking)
        self.suggested_path: Path | None = None
        # the file as this document last saw it (opened or saved): Save asks
        # before overwriting a file someone else changed since
        self.disk_stamp: DiskStamp | None = None
        # counts the changes to what the file holds (a save marks the document
        # saved only if none came while it wrote)
        self.revision = 0
        self.changed.connect(self._count_revision)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self._draws = 0  # how many fresh weight draws were made (seeds the next)
        self.dataset: Dataset = self.project.dataset()  # the data as the user has it
        self._fit_inputs()  # network_data: as the network sees it
        # Training state the file does not hold, owned here like the rest:
        # the per-update losses (the loss plot's curve) and the update count.
        self._step_losses = StepLog()
        self._updates = (self.project.optimizer_state or {}).get("t", 0)
        self._events: tuple = ()  # on the loss curve (events.py); recorded by the commands
        self._afresh = False  # the edit in progress starts training afresh
        self.kept_runs: list = []  # the loss plot's runs kept for comparison (kept_runs.py)
        self.snapshot: Snapshot | None = None
        self._stepper: Stepper = self._new_stepper()

    @classmethod
    def open(cls, path: str | Path, parent: QObject | None = None) -> "Document":
        """Load a file; raises FileFormatError (a ValueError) with one clear
        message, or EditError when the network is too big for the canvas.
        An ONNX model (.onnx) becomes an untitled, unsaved document: Save
        asks for a .nnsim file instead of overwriting the model."""
        if Path(path).suffix.lower() == ".onnx":
            return cls._from_onnx(path, parent)
        project = load_project(path)
        reason = canvas_refusal(project.network.sizes)
        if reason:
            raise EditError(f"{path}: this network is too big for the window: {reason}. "
                            f"Train it with `nnsim train {path}` instead.")
        document = cls(project, path, parent)
        document.disk_stamp = DiskStamp.of(path)
        return document

    @classmethod
    def _from_onnx(cls, path: str | Path, parent: QObject | None) -> "Document":
        from ..io.onnx_import import project_from_onnx  # onnx is loaded only now
        project = project_from_onnx(path)
        reason = canvas_refusal(project.network.sizes)
        if reason:
            raise EditError(f"{path}: this network is too big for the window: {reason}. "
                            f"Import it with `nnsim import {path} OUT.nnsim` instead.")
        document = cls(project, None, parent, name=f"{Path(path).stem} (from ONNX)")
        document.undo_stack.resetClean()  # not saved anywhere yet
        return document

    @classmethod
    def from_example(cls, path: str | Path) -> "Document":
        """An untitled copy of a shipped example: Save asks for a new file
        instead of overwriting the example."""
        return cls(load_project(path), None, name=f"{Path(path).stem} (example)")

    @classmethod
    def recovered(cls, project_file: str | Path, original_path: str | Path | None,
                  name: str | None) -> "Document":
        """The autosaved copy of a document after an abnormal exit: it differs
        from any file on disk, so it starts modified. ``original_path`` comes
        from the recovery copy's own notes, which anyone may have written: it
        is only where Save As starts, never written without asking. Raises
        FileFormatError."""
        document = cls(load_project(project_file), None, name=name)
        document.suggested_path = Path(original_path) if original_path else None
        document.undo_stack.resetClean()
        return document

    # -- state -------------------------------------------------------------
    @property
    def network(self) -> Network:
        return self.project.network

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        return self.path.name if self.path else (self._name or "Untitled")

    def positions(self) -> list[list[tuple[float, float]]]:
        return layout.resolve(self.project.layout, self.network.sizes)

    def _new_stepper(self) -> Stepper:
        """A stepper that continues from the document's state. It computes
        on its own copies of the network and the settings: training changes
        the document only through ``_take_training``, settings through
        ``_push_settings``."""
        p = self.project
        st = Stepper(p.network.copy(), copy.deepcopy(p.training), self.network_data,
                     p.make_optimizer())
        st.epoch_results = as_epoch_log(p.history.epochs)
        st.epoch = len(st.epoch_results) + 1
        st.step_losses = self._step_losses.snapshot()
        st.updates = self._updates
        return st

    def _take_training(self) -> None:
        """Make what the stepper just trained the document's state."""
        st, p = self._stepper, self.project
        p.network = st.network.copy()
        p.optimizer_state = st.optimizer.state()
        p.history = History(st.epoch_results.snapshot())
        self._step_losses = st.step_losses.snapshot()
        self._updates = st.updates

    def _push_settings(self) -> None:
        """Give the stepper a copy of the new settings (a learning rate changed
        while running takes effect at the next batch); a different optimiser
        starts from the document's optimiser state."""
        st, cfg = self._stepper, self.project.training
        st.config = copy.deepcopy(cfg)
        if st.optimizer.name != cfg.optimizer or \
                st.optimizer.params != Optimizer(cfg.optimizer, cfg.optimizer_params).params:
            st.optimizer = self.project.make_optimizer()

    def _memento(self) -> Memento:
        """A copy of the document's state."""
        p = self.project
        return Memento(p.network, p.layout, p.training, p.data, p.optimizer_state,
                       p.history, self._step_losses, self._updates, events=self._events,
                       inputs=p.inputs).copy()

    def _restore(self, m: Memento, kind: str) -> None:
        p = self.project
        p.training = copy.deepcopy(m.training)
        self._events = m.events
        if kind != "layout":
            p.optimizer_state = m.optimizer_state
        if kind not in ("settings", "layout"):
            p.network, p.data, p.history = m.network, m.data, m.history
            p.inputs = m.inputs
            self._step_losses, self._updates = m.step_losses, m.updates
        if kind != "settings":
            p.layout = m.layout
        if kind == "data":
            self.dataset = p.dataset()
        self._apply(kind)

    def _apply(self, kind: str) -> None:
        """Bring the stepper in line with the document after an edit (or its
        undo) of ``kind``, then tell the views, once."""
        if kind == "settings":
            self._push_settings()
        elif kind != "layout":
            if kind == "data":
                self._fit_inputs()
            self._rebuild_stepper()
        self.changed.emit(EDIT_CHANGES[kind])

    def _fit_inputs(self) -> None:
        """The network's inputs from the data: computed once per change of
        the data or the input options (core/input_transform.py), never per
        epoch; the stepper, run mode and the views all use these."""
        self.network_data, self.input_transform = self.project.network_data(self.dataset)

    def _forget_training(self, p: Project) -> None:
        """An edit that starts training afresh (new weights or structure)."""
        p.history, p.optimizer_state = History(), None
        self._step_losses, self._updates = StepLog(), 0
        self._afresh = True

    def _rebuild_stepper(self) -> None:
        """A stepper for the current state (step back starts afresh)."""
        self._stepper = self._new_stepper()
        self.snapshot = None

    # -- edits -------------------------------------------------------------
    def _edit(self, text: str, kind: str, change, merge_id: int = -1, merge_key=None) -> None:
        """Apply ``change(project)`` as one undoable command."""
        before = self._memento()
        self._afresh = False
        try:
            change(self.project)
        except ValueError as e:
            self._restore(before.copy(), kind)  # nothing changed after all
            raise EditError(str(e)) from None
        self._events = events.after_edit(self._events, before, self.project,
                                         len(self.project.history.epochs), self._updates,
                                         text, self._afresh)
        self.project.layout = layout.fitted(self.project.layout, self.network.sizes)
        after = self._memento()
        self.undo_stack.push(StateCommand(self, text, before, after, kind, merge_id, merge_key))
        self._apply(kind)

    def _rng(self) -> np.random.Generator:
        self._draws += 1
        return np.random.default_rng([self.project.training.seed, self._draws])

    def _init(self) -> str:
        return self.project.training.initializer

    def add_layer(self, position: int, units: int = 2, activation: str = "sigmoid") -> None:
        """A hidden layer at ``position`` (1 = after the inputs; at most the output's index)."""
        def change(p):
            p.network = edit.insert_layer(p.network, position, units, activation,
                                          self._init(), self._rng())
            p.layout = layout.insert_layer(p.layout, position, units)
            self._forget_training(p)
        sizes = list(self.network.sizes)
        new = sizes[:position] + [units] + sizes[position:]
        self._edit(f"Add {layer_name(new, position)} ({units} {activation} neurons)",
                   "structure", change)

    def remove_layer(self, k: int) -> None:
        def change(p):
            p.network = edit.remove_layer(p.network, k, self._init(), self._rng())
            p.layout = layout.remove_layer(p.layout, k)
            self._forget_training(p)
        self._edit(f"Remove {layer_name(self.network.sizes, k)} "
                   f"({self.network.sizes[k]} neurons)", "structure", change)

    def _data_side(self, k: int) -> str | None:
        """"input"/"target" when layer k has one neuron per data column."""
        return "input" if k == 0 else "target" if k == len(self.network.layers) else None

    def add_neuron(self, k: int) -> None:
        """One more neuron in layer k. In the input or output layer the data
        gets a column too (0 in every row, to type into), in the same command:
        that is how a typed example such as Mazur's gets its second output."""
        side = self._data_side(k)
        if side == "input" and self.project.inputs.features:
            raise EditError("the input layer ends with feature inputs; turn them off in the "
                            "Data panel before adding a data column")

        def change(p):
            self._grow(p, k, side)
            self._forget_training(p)
        what = f"; the data gets a {side} column of zeros" if side else ""
        new = list(self.network.sizes)
        new[k] += 1
        self._edit(f"Add neuron {neuron_name(new, k, new[k] - 1)}{what}",
                   "data" if side else "structure", change)

    def remove_neuron(self, k: int, j: int) -> None:
        """Remove neuron j of layer k (in the input or output layer with its
        data column, in the same command). A feature input's neuron: the
        feature is turned off."""
        side = self._data_side(k)
        features = self.project.inputs.features
        if side == "input" and features:
            n_raw = self.dataset.n_inputs
            if j >= n_raw:
                self.set_feature(features[j - n_raw], False)
                return
            raise EditError("the input layer ends with feature inputs; turn them off in the "
                            "Data panel before removing a data column")

        def change(p):
            self._shrink(p, k, j, side)
            self._forget_training(p)
        what = f" and its {side} column" if side else ""
        self._edit(f"Remove neuron {self.neuron_label(self.network.sizes, k, j)}{what}",
                   "data" if side else "structure", change)

    def _grow(self, p, k: int, side: str | None) -> None:
        """One neuron more at the end of layer k (and its data column)."""
        p.network = edit.add_neuron(p.network, k, self._init(), self._rng(),
                                    data_follows=side is not None)
        p.layout = layout.add_neuron(p.layout, k)
        if side is not None:
            p.data = with_column(p.data, self.dataset, side)
            self.dataset = data_to_dataset(p.data)

    def _shrink(self, p, k: int, j: int, side: str | None) -> None:
        """Neuron j of layer k removed (and its data column)."""
        p.network = edit.remove_neuron(p.network, k, j, data_follows=side is not None)
        p.layout = layout.remove_neuron(p.layout, k, j)
        if side is not None:
            p.data = with_column(p.data, self.dataset, side, remove=j)
            self.dataset = data_to_dataset(p.data)

    def set_units(self, k: int, n: int) -> None:
        """Layer k gets ``n`` neurons, added or removed at its end, in one
        command (the inspector's neuron count; in the input or output layer
        the data's columns follow, as with add_neuron)."""
        sizes = list(self.network.sizes)
        if not 0 <= k < len(sizes):
            raise EditError(f"There is no layer {k}.")
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= CANVAS_MAX_UNITS:
            raise EditError(f"A layer has 1 to {CANVAS_MAX_UNITS} neurons here, not {n}.")
        if n == sizes[k]:
            return
        side = self._data_side(k)
        if side == "input" and self.project.inputs.features:
            raise EditError("the input layer ends with feature inputs; turn them off in the "
                            "Data panel before changing the data's columns")
        refused = canvas_refusal(sizes[:k] + [n] + sizes[k + 1:])
        if refused:
            raise EditError(f"The canvas could not show the network: {refused}.")

        def change(p):
            while p.network.sizes[k] < n:
                self._grow(p, k, side)
            while p.network.sizes[k] > n:
                self._shrink(p, k, p.network.sizes[k] - 1, side)
            self._forget_training(p)
        what = f" (and the data's {side} columns)" if side else ""
        self._edit(f"Set {layer_name(sizes, k)} to {n} neurons{what}",
                   "data" if side else "structure", change)

    def set_connection(self, k: int, i: int, j: int, present: bool) -> None:
        def change(p):
            p.network = edit.set_connection(p.network, k, i, j, present)
        verb = "Restore" if present else "Remove"
        sizes = self.network.sizes
        name = f"{self.neuron_label(sizes, k - 1, i)} {ARROW} {self.neuron_label(sizes, k, j)}"
        self._edit(f"{verb} connection {name}", "structure", change)

    def set_activation(self, k: int, name: str) -> None:
        if self.network.layers[k - 1].activation == name:
            return

        def change(p):
            p.network = edit.set_activation(p.network, k, name)
        self._edit(f"Set activation of {layer_name(self.network.sizes, k)} to {name}",
                   "structure", change)

    def set_loss(self, name: str) -> None:
        if self.network.loss == name:
            return

        def change(p):
            p.network = edit.set_loss(p.network, name)
        self._edit(f"Set loss to {name}", "structure", change)

    def set_weight(self, k: int, i: int, j: int, value: float) -> None:
        def change(p):
            p.network = edit.set_parameter(p.network, k, i, j, value)
        sizes = self.network.sizes  # a feature input by its name, as on the canvas
        name = f"w({self.neuron_label(sizes, k - 1, i)} {ARROW} {neuron_name(sizes, k, j)})"
        self._edit(f"Set {name} to {fmt_setting(value)}", "values", change)

    def set_bias(self, k: int, j: int, value: float) -> None:
        def change(p):
            p.network = edit.set_parameter(p.network, k, None, j, value)
        self._edit(f"Set b({neuron_name(self.network.sizes, k, j)}) to {fmt_setting(value)}",
                   "values", change)

    def set_train_bias(self, k: int, train: bool) -> None:
        """Freeze (``train`` False) or train again the biases of layer k
        (1 = the first layer after the inputs). The training history stays."""
        if 1 <= k <= len(self.network.layers) and self.network.layers[k - 1].train_bias == train:
            return

        def change(p):
            p.network = edit.set_train_bias(p.network, k, train)
        verb = "Train" if train else "Freeze"
        self._edit(f"{verb} the biases of {layer_name(self.network.sizes, k)}", "values", change)

    def reinitialize(self) -> None:
        """Fresh random weights (a new draw each time, reproducible from the seed)."""
        def change(p):
            p.network = edit.reinitialize(p.network, self._init(), self._rng())
            self._forget_training(p)
        self._edit("Re-initialise weights", "values", change)

    def reset_training(self) -> None:
        """Back to the weights the seed gives and an empty history."""
        def change(p):
            p.network = edit.reinitialize(p.network, self._init(),
                                          np.random.default_rng(p.training.seed))
            self._forget_training(p)
        self._edit("Reset training", "values", change)

    def set_data(self, data: DataSpec | ImportedData, text: str = "Change data",
                 output: tuple[str, str] | None = None, afresh: bool = False,
                 merge_key=None) -> None:
        """Use another data set (built-in spec or imported points). When the
        network's input or output size does not fit, it is resized in the same
        command (see ``data_fits`` to ask the user first). Activations and the
        loss stay, unless ``output`` = (activation, loss) is given: an accepted
        ``output_proposal``, set in the same command. ``afresh``: new weights
        and a new history too (see ``asks_keep_or_afresh``); else the trained
        weights carry on, and the loss curve marks the change. Consecutive
        calls with the same ``merge_key`` (one gesture on a live control) are
        one undo step."""
        dataset = data_to_dataset(data)

        def change(p):
            if afresh:
                p.network = edit.reinitialize(p.network, self._init(), self._rng())
                self._forget_training(p)
            if p.inputs.features and dataset.n_inputs != FEATURE_INPUTS:
                p.inputs = replace(p.inputs, features=())  # features need two columns
            n_in = dataset.n_inputs + len(p.inputs.features)
            if not edit.fits_data(p.network, n_in, dataset.n_outputs):
                p.network = edit.fit_to_data(p.network, n_in, dataset.n_outputs,
                                             self._init(), self._rng())
                self._forget_training(p)
            if output is not None and output != (p.network.layers[-1].activation,
                                                 p.network.loss):
                p.network = edit.set_output(p.network, *output)
            p.data = data
            self.dataset = dataset
        if output is not None:
            text += f" (a {output[0]} output with {output[1]})"
        if merge_key is None:
            self._edit(text, "data", change)
        else:
            self._edit(text, "data", change, DATA_MERGE_ID, merge_key)

    def output_proposal(self, data: DataSpec | ImportedData) -> Proposal | None:
        """The question to ask before ``set_data(data)`` when the data calls
        for another output activation or loss (None: nothing to ask)."""
        d = data_to_dataset(data)
        net = self.network
        n_in = self._network_inputs(d)
        if not edit.fits_data(net, n_in, d.n_outputs):  # only the sizes matter here
            net = edit.fit_to_data(net, n_in, d.n_outputs, self._init(),
                                   np.random.default_rng(0))
        old = self.dataset
        # the same set again (regenerated, a new seed, split again): asked before already
        same_set = (type(data) is type(self.project.data) and
                    (data.name == self.project.data.name if isinstance(data, DataSpec)
                     else data.source == self.project.data.source))
        task_changed = d.kind != old.kind or d.n_outputs != old.n_outputs or not same_set
        return output_proposal(net, d.kind, np.vstack([d.Y_train, d.Y_test]), task_changed)

    def set_output(self, activation: str, loss: str) -> None:
        """The output layer's activation and the loss together, one command."""
        net = self.network
        if (net.layers[-1].activation, net.loss) == (activation, loss):
            return

        def change(p):
            p.network = edit.set_output(p.network, activation, loss)
        self._edit(f"Use a {activation} output with {loss}", "structure", change)

    def warnings(self) -> list[str]:
        """What is odd about the output activation, the loss and the data."""
        return warnings_for(self.network, self.dataset.kind, self.dataset.Y_train)

    def set_points(self, X_train, Y_train, X_test, Y_test, text: str) -> None:
        """Use these rows as the data set's points (typed, pasted, added or
        deleted in the Data panel): one undoable command. The inputs and
        targets stay those of the data set; a built-in set becomes imported
        points ("xor_table, edited") so the edit is saved with the file.
        Raises EditError naming the row and column of a bad value."""
        try:
            data = edited_points(self.project.data, self.dataset, X_train, Y_train,
                                 X_test, Y_test)
        except ValueError as e:
            raise EditError(str(e)) from None
        notes = []
        if isinstance(self.project.data, DataSpec):  # say why the points are now saved
            notes.append(f"points of {self.project.data.name}, edited")
        if data.kind != self.dataset.kind:
            notes.append(f"now {data.kind}")
        if notes:
            text = f"{text} ({'; '.join(notes)})"
        self.set_data(data, text)

    def asks_keep_or_afresh(self, data: DataSpec | ImportedData) -> bool:
        """Whether switching to ``data`` should ask: keep the trained weights
        or start afresh? Yes for another data set of the same shape when the
        network has been trained (a new seed or split of the same set: no)."""
        trained = len(self.project.history.epochs) > 0 or self._updates > 0
        return (trained and self.data_fits(data)
                and events.data_name(data) != events.data_name(self.project.data))

    def data_fits(self, data: DataSpec | ImportedData) -> bool:
        d = data_to_dataset(data)
        return edit.fits_data(self.network, self._network_inputs(d), d.n_outputs)

    def _network_inputs(self, d: Dataset) -> int:
        """How many inputs the network needs for raw data ``d`` (the feature
        inputs stay while the data has two columns)."""
        features = self.project.inputs.features
        return d.n_inputs + (len(features) if d.n_inputs == FEATURE_INPUTS else 0)

    # -- input options: feature inputs and standardisation ----------------------
    @property
    def input_options(self) -> InputOptions:
        return self.project.inputs

    def input_names(self) -> list[str]:
        """The names of the network's inputs: the data's columns, then the
        features ("x1²", "x1·x2", "sin x1")."""
        return list(self.network_data.input_names)

    def neuron_label(self, sizes, k: int, j: int) -> str:
        """neuron_name, but a feature input by its feature ("x1²"): the
        canvas's names, for the chain rule's text (a ``chainrule`` namer)."""
        n_raw = self.dataset.n_inputs
        if k == 0 and j >= n_raw:
            names = self.input_names()
            if len(names) == sizes[0]:
                return names[j]
        return neuron_name(sizes, k, j)

    def raw_inputs(self, X) -> np.ndarray:
        """The data's values of network inputs ``X`` (rows): what the user
        typed, before standardisation (the raw columns only)."""
        return self.input_transform.raw_of(X, self.dataset.n_inputs)

    def feature_choices(self) -> list[tuple[str, str, bool]]:
        """(file name, canvas name, chosen) of each feature input, e.g.
        ("x1^2", "x1²", True); empty unless the data has two input columns."""
        if self.dataset.n_inputs != FEATURE_INPUTS:
            return []
        chosen = self.project.inputs.features
        names = input_transform.feature_names(input_transform.FEATURES,
                                              list(self.dataset.input_names))
        return [(f, name, f in chosen) for f, name in zip(input_transform.FEATURES, names)]

    def input_statistics(self) -> list[tuple[str, float, float]]:
        """(name, mean, standard deviation) of each network input as the
        training rows give them, when the inputs are standardised; else []."""
        t = self.input_transform
        if t.mean is None:
            return []
        return [(name, float(m), float(s))
                for name, m, s in zip(self.input_names(), t.mean, t.std)]

    def scaling_advice(self) -> str | None:
        """One line suggesting to standardise the inputs (columns of very
        different scales, or far from 0), or None; None once they are."""
        if self.project.inputs.standardize:
            return None
        return input_transform.scaling_advice(self.dataset.X_train, list(self.dataset.input_names))

    def set_standardize(self, on: bool) -> None:
        """Standardise every network input with the training rows' mean and
        deviation (or stop). The weights stay; the network sees new numbers."""
        if self.project.inputs.standardize == bool(on):
            return

        def change(p):
            p.inputs = replace(p.inputs, standardize=bool(on))
        self._edit("Standardise inputs" if on else "Use the inputs unscaled", "data", change)

    def set_feature(self, name: str, on: bool) -> None:
        """Add (``on``) or remove a feature input (input_transform.FEATURES):
        an input neuron with its weights, in one command; training starts afresh."""
        options = self.project.inputs.with_feature(name, on)
        if options == self.project.inputs:
            return
        try:
            options.check(self.dataset.n_inputs)
        except ValueError as e:
            raise EditError(str(e)) from None
        old = self.project.inputs.features
        label = input_transform.feature_names([name], list(self.dataset.input_names))[0]

        def change(p):
            if on:
                p.network = edit.add_neuron(p.network, 0, self._init(), self._rng(),
                                            data_follows=True)
                p.layout = layout.add_neuron(p.layout, 0)
            else:
                j = self.dataset.n_inputs + old.index(name)
                p.network = edit.remove_neuron(p.network, 0, j, data_follows=True)
                p.layout = layout.remove_neuron(p.layout, 0, j)
            p.inputs = options
            self._forget_training(p)
        self._edit(f"Add feature input {label}" if on else f"Remove feature input {label}",
                   "data", change)

    def move_neuron(self, k: int, j: int, x: float, y: float) -> None:
        def change(p):
            p.layout = layout.move_neuron(p.layout, k, j, x, y)
        self._edit(f"Move neuron {self.neuron_label(self.network.sizes, k, j)}", "layout",
                   change)

    def set_training(self, **changes) -> None:
        """Change training settings, e.g. ``set_training(learning_rate=0.5)``.
        Repeated changes of one setting merge into one undo step."""
        cfg = self.project.training
        new = replace(cfg, **changes)
        try:
            new.validate()
        except ValueError as e:
            raise EditError(str(e)) from None
        changed = {k: v for k, v in changes.items() if getattr(cfg, k) != v}
        if not changed:
            return
        name = ", ".join(k.replace("_", " ") for k in changed)

        def change(p):
            p.training = replace(p.training, **changed)
            if {"optimizer", "optimizer_params"} & set(changed):
                p.optimizer_state = None  # a new optimiser starts with fresh state
        self._edit(f"Set {name}", "settings", change, SETTING_MERGE_ID, ("setting", tuple(changed)))

    # -- stepping ------------------------------------------------------------
    NO_SAMPLES = "The data set has no training rows: add a row in the Data panel first."

    @property
    def has_samples(self) -> bool:
        return len(self.dataset.X_train) > 0

    def require_samples(self) -> None:
        """Raise EditError when there is no training row to step or train on."""
        if not self.has_samples:
            raise EditError(self.NO_SAMPLES)

    def require_history_room(self, epochs: int = 1) -> None:
        """Raise EditError when ``epochs`` more would not fit the history (a
        file keeps at most limits.MAX_HISTORY_EPOCHS; run mode stops there too)."""
        room = limits.MAX_HISTORY_EPOCHS - len(self.epoch_results)
        if epochs > room:
            raise EditError(f"The history is full: {len(self.epoch_results):,} epochs, and a "
                            f"file keeps at most {limits.MAX_HISTORY_EPOCHS:,}"
                            + (f" ({room:,} more fit)" if room > 0 else "")
                            + ". Reset training to train on.")

    def _record_training(self, before: Memento) -> Change:
        """Push the merged "Training" command when the step changed the
        weights or the history; the Change to announce."""
        self._take_training()
        after = self._memento()
        # History only grows or shrinks at its end: comparing the ends is enough
        # (a full comparison would cost O(epochs) on every step).
        h0, h1 = before.history.epochs, after.history.epochs
        same = (len(h0) == len(h1) and (not h0 or h0[-1] == h1[-1]) and all(
            np.array_equal(a, b) for a, b in zip(after.network.parameters(),
                                                 before.network.parameters())))
        if not same:
            if not merge_on_top(self.undo_stack, TRAINING_MERGE_ID, "training", after):
                self.undo_stack.push(StateCommand(self, "Training", before, after, "values",
                                                  TRAINING_MERGE_ID, "training"))
            return TRAINED
        return STEPPED

    def micro_step(self) -> Snapshot:
        self.require_samples()
        self.require_history_room()  # this step may end an epoch
        updates = self._stepper.next_step.kind == "update"
        before = self._memento() if updates else None
        with np.errstate(all="ignore"):
            snap = self._stepper.micro_step()
        self.snapshot = snap
        self.changed.emit(self._record_training(before) if updates else STEPPED)
        return snap

    def step_batch(self, size: int | None = None) -> float:
        self.require_samples()
        self.require_history_room()
        before = self._memento()
        with np.errstate(all="ignore"):
            loss = self._stepper.step_batch(size)
        self.snapshot = None
        self.changed.emit(self._record_training(before))
        return loss

    def step_sample(self) -> float:
        return self.step_batch(1)

    def step_epochs(self, n: int = 1, **kwargs) -> list:
        self.require_samples()
        self.require_history_room(n)
        before = self._memento()
        results = self._stepper.step_epochs(n, **kwargs)
        self.snapshot = None
        self.changed.emit(self._record_training(before))
        return results

    def adopt_training(self, progress) -> None:
        """Take epochs trained by run mode's training process (a
        ``core.run_mode.protocol.Progress`` from the stepper's current state): one
        step for step back, part of the merged "Training" undo step."""
        before = self._memento()
        self._stepper.adopt(progress)
        self.snapshot = None
        self.changed.emit(self._record_training(before))

    def step_back(self) -> bool:
        """Go back one step of what the user did (an epoch after epochs, see
        ``Stepper.step_back``); False when there is nothing to step back to."""
        if not self._stepper.can_step_back:
            return False
        before = self._memento()
        self.snapshot = self._stepper.step_back()
        self._note_step_back(len(before.history.epochs))
        self.changed.emit(self._record_training(before))
        return True

    def step_back_until(self, arrived) -> bool:
        """Step back until ``arrived(network, epoch_results)`` holds for the
        state reached (or nothing is left to step back to): one announced
        change, part of the merged "Training" undo step. Whether it arrived."""
        st = self._stepper
        before = self._memento()
        with np.errstate(all="ignore"):
            while not arrived(st.network, st.epoch_results) and st.can_step_back:
                self.snapshot = st.step_back()
        self._note_step_back(len(before.history.epochs))
        self.changed.emit(self._record_training(before))
        return arrived(st.network, st.epoch_results)

    def keep_run(self):
        """Keep the current curves for comparison (``kept_runs.KeptRun``, or
        None when nothing was trained); see ``kept_runs``."""
        return kept_runs.keep(self)

    def clear_kept_runs(self) -> None:
        self.kept_runs.clear()

    def _note_step_back(self, from_epochs: int) -> None:
        """A step back over whole epochs is an event on the loss curve."""
        self._events = events.after_step_back(self._events, from_epochs,
                                              len(self._stepper.epoch_results),
                                              self._stepper.updates)

    def pin_sample(self, index: int | None) -> None:
        self._stepper.pin_sample(index)
        self.snapshot = self._stepper.current()
        self.changed.emit(STEPPED)

    # -- queries for views (the stepper is the document's own) -----------------
    @property
    def next_step(self) -> MicroStep:
        """The micro-step the next Forward/Backward/Update click computes."""
        return self._stepper.next_step

    @property
    def plan(self) -> list[MicroStep]:
        """The micro-steps of one pass, in order."""
        return self._stepper.plan

    @property
    def in_cycle(self) -> bool:
        """Whether a pass was stepped part of the way."""
        return self._stepper.in_cycle

    def next_indices(self) -> tuple[int, ...]:
        """The training rows the next pass (or the one under way) works on."""
        return self._stepper.next_indices()

    @property
    def pinned(self) -> int | None:
        """The training row traced instead of the next batch (None: follow the epoch)."""
        return self._stepper.pinned

    @property
    def epoch(self) -> int:
        """The epoch in progress (1-based)."""
        return self._stepper.epoch

    @property
    def updates(self) -> int:
        return self._updates

    @property
    def can_step_back(self) -> bool:
        return self._stepper.can_step_back

    @property
    def events(self) -> tuple:
        """The loss curve's events (``events.Event``), oldest first."""
        return self._events

    @property
    def step_back_text(self) -> str | None:
        """Where the next Step Back lands, in words ("Back to epoch 412",
        "Back to before update 37 (sample 3)"); None when it cannot."""
        target = self._stepper.step_back_target()
        return target.text if target is not None else None

    @property
    def epoch_results(self):
        """The loss history, one EpochResult per finished epoch. Read only: the
        same log object until the history starts afresh or shrinks, so a plot
        can extend what it drew."""
        return self._stepper.epoch_results

    @property
    def epoch_fraction(self) -> float:
        """How much of the epoch in progress is trained, 0 to 1 (run mode
        stops inside an epoch of a big data set)."""
        return self._stepper.epoch_fraction

    @property
    def step_losses(self):
        """(update number, batch loss) per update; read only, as ``epoch_results``."""
        return self._stepper.step_losses

    def diagnosis(self, since_epoch: int = 0) -> list:
        """What is going wrong with training (``core.diagnosis.Finding``s, their
        ``neurons`` as NeuronRefs), read from the network, the training rows
        and the training loss of the epochs from ``since_epoch`` on (the loss
        curve since the settings last changed). Empty when nothing is."""
        cfg, data = self.project.training, self.network_data  # as the network reads it
        losses = self.epoch_results.columns[since_epoch:, 1]
        updates = -(-len(data.X_train) // max(cfg.batch_size, 1))
        with np.errstate(all="ignore"):  # absurd numbers (1e200 targets) warn nothing
            found = diagnosis_rules.diagnose(self.network, data.X_train, data.Y_train, losses,
                                             cfg.learning_rate, updates)
        return [replace(f, neurons=tuple(refs.NeuronRef(k, j) for k, j in f.neurons))
                for f in found]

    def exists(self, ref) -> bool:
        """Whether a NeuronRef or EdgeRef still names part of the network."""
        return refs.exists(ref, self.network.sizes)

    def value_of(self, ref) -> float | None:
        """The weight of an EdgeRef or the bias of a NeuronRef; None for an
        input neuron or a ref that no longer exists."""
        if not self.exists(ref):
            return None
        if isinstance(ref, refs.EdgeRef):
            return float(self.network.layers[ref.layer - 1].W[ref.source, ref.target])
        if ref.layer == 0:
            return None
        return float(self.network.layers[ref.layer - 1].b[ref.neuron])

    def prediction_question(self, rng: np.random.Generator, neuron=None,
                            edge=None) -> prediction.Question:
        """One number the next micro-step will compute, for predict-then-reveal:
        the selected ``neuron`` (layer, j) or ``edge`` (layer, i, j)'s when the
        step computes one, else one drawn with ``rng``."""
        questions = prediction.questions_for(self.network, self.next_step, self.next_indices())
        return prediction.pick(questions, rng, neuron, edge)

    def prediction_reveal(self, question: prediction.Question) -> tuple[float, str]:
        """Right after the question's step: the number the snapshot shows, and
        the formula with the live numbers that gave it."""
        snap = self.snapshot
        if snap is None or snap.step != question.step:
            raise ValueError(f"{question.step.label} has not just run")
        return (prediction.true_value(question, snap),
                prediction.explain(question, self.network, snap, self.project.training.optimizer))

    def gradient_check_values(self):
        """The batch of the pass on show (or of the next one), for a
        finite-difference check."""
        if self.snapshot is not None:
            return self.snapshot.X, self.snapshot.Y
        return self.network_data.batch(list(self._stepper.next_indices()))

    # -- files ---------------------------------------------------------------
    def _count_revision(self, change: Change) -> None:
        if (change.structure or change.values or change.settings or change.data
                or change.layout or change.history):
            self.revision += 1

    def file_snapshot(self) -> Project:
        """What a file of the document holds now, detached from it: later
        edits and training do not reach it (the history is shared copy-on-
        write, so this is cheap at any length). What a background save writes."""
        m, p = self._memento(), self.project
        return Project(m.network, m.training, m.data, p.title, p.description, m.layout,
                       m.history, m.optimizer_state, inputs=m.inputs)

    def mark_saved(self, path: str | Path, stamp: DiskStamp | None, clean: bool = True) -> None:
        """A save to ``path`` succeeded: the document now belongs to that file;
        it is marked unmodified only when ``clean`` (nothing changed while the
        file was written)."""
        if clean:
            self.undo_stack.setClean()
        self.path, self.suggested_path, self.disk_stamp = Path(path), None, stamp
        self.changed.emit(SAVED)

    def save(self, path: str | Path | None = None) -> None:
        """Save (atomically) in this thread; raises FileFormatError/OSError and
        stays modified on failure. The window saves in the background
        (``saving.DocumentSaver``)."""
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("the document has no file name yet; use Save As")
        save_project(self.project, target)
        self.mark_saved(target, DiskStamp.of(target))
