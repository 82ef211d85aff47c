"""What the app and the training process say to each other.

The app sends commands:

- ``load``: everything a :class:`~nnsim.core.stepper.Stepper` at an epoch
  boundary needs to continue exactly (network, settings, optimiser state, the
  epoch cursor and the shuffling stream's state, and the data set unless the
  training process holds it already); the training process starts training
  this *session* at once, and an earlier session ends;
- ``want`` {session}: send progress after the slice in progress (a slice
  of training is a few milliseconds, whatever the size of an epoch);
- ``halt``: stop training (the app keeps the progress it was last sent);
- ``quit`` (or the end of the pipe): exit.

The training process answers with *progress*: the state where its last
slice of training ended (often inside an epoch: ``position`` says how far),
and the batch losses and epoch results since the previous progress; the
epoch's order only when the epoch changed since the last progress or load. It sends progress when asked, and unasked when a session ends by
itself (``final`` says why: EPOCHS, STOP_LOSS, NOT_FINITE or UNATTENDED). Or
it sends an ``error`` {session, message}. The app adopts progress with
:meth:`Stepper.adopt`, so epochs trained in the training process equal, bit
for bit, the same epochs trained in the app. Arrays keep their dtype and
bytes, floats in headers round-trip exactly (``framing.py``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..datasets import Dataset
from ..history_log import EpochLog
from ..network import Layer, Network
from ..optimizers import Optimizer
from ..stepper import Stepper
from ..training import TrainingConfig

Array = np.ndarray

# Why a session ended by itself (``Progress.final``).
EPOCHS = "epochs"  # it trained the epochs it was loaded with
STOP_LOSS = "stop loss"  # the training loss fell below the stop loss
NOT_FINITE = "not finite"  # the loss or a parameter stopped being a finite number
UNATTENDED = "unattended"  # nobody asked for progress for a long while (process.py)


@dataclass
class Progress:
    """Training done in the training process since the last progress, and
    where it stands."""

    session: int
    params: list[Array]  # [W1, b1, W2, b2, ...] where the last slice ended
    optimizer_t: int
    optimizer_slots: list[list[Array]]
    epoch: int  # the epoch in progress next (1-based)
    position: int  # samples of that epoch trained (progress inside an epoch)
    order: Array | None  # that epoch's order; None: the same epoch as the last progress
    rng_state: dict
    updates: int  # updates done in all
    first_update: int  # the update number of step_losses[0]
    step_losses: Array  # the batch losses since the last progress
    epoch_results: EpochLog
    final: str | None = None  # why the session ended (EPOCHS ... UNATTENDED); None: it goes on


# -- the app's side: commands out, progress in ---------------------------------------------
def _position(stepper, with_order: bool = True) -> tuple[dict, dict]:
    header = {"epoch": stepper.epoch, "position": stepper.position, "updates": stepper.updates,
              "rng": stepper.rng.bit_generator.state}
    if not with_order:
        return header, {}
    return header, {"order": np.asarray(stepper.order, dtype=np.int64)}


def load_message(stepper, session: int, epochs: int, stop_loss: float | None,
                 data_key: int, include_data: bool) -> tuple[dict, dict]:
    """The ``load`` that lets the training process continue ``stepper`` for up
    to ``epochs`` epochs (stopping below ``stop_loss``). The stepper must be
    between cycles (no micro-steps half done). ``data_key`` names the data
    set; its arrays go along only when ``include_data``."""
    if stepper.cycle is not None:
        raise ValueError("finish the cycle in progress before training in the training process")
    net, opt, data = stepper.network, stepper.optimizer, stepper.data
    arrays: dict[str, Array] = {}
    layers = []
    for k, layer in enumerate(net.layers):
        arrays[f"W{k}"], arrays[f"b{k}"] = layer.W, layer.b
        if layer.mask is not None:
            arrays[f"mask{k}"] = layer.mask
        layers.append({"activation": layer.activation, "masked": layer.mask is not None,
                       "train_bias": bool(layer.train_bias)})
    for i, kind in enumerate(opt.slots):
        for j, s in enumerate(kind):
            arrays[f"slot{i}_{j}"] = s
    position, more = _position(stepper)
    arrays.update(more)
    if include_data:
        for name in ("X_train", "Y_train", "X_test", "Y_test"):
            arrays[name] = getattr(data, name)
    header = {
        "type": "load", "session": session, "epochs": int(epochs), "stop_loss": stop_loss,
        "network": {"n_inputs": net.n_inputs, "loss": net.loss, "layers": layers},
        "training": asdict(stepper.config),
        "optimizer": {"name": opt.name, "params": opt.params, "t": opt.t,
                      "kinds": len(opt.slots)},
        "position": position,
        "data": {"key": data_key, "kind": data.kind, "included": include_data},
    }
    return header, arrays


def want_message(session: int) -> dict:
    return {"type": "want", "session": session}


def halt_message() -> dict:
    return {"type": "halt"}


def quit_message() -> dict:
    return {"type": "quit"}


def parse_progress(header: dict, arrays: dict[str, Array]) -> Progress:
    n_params = int(header["n_params"])
    slots = [[arrays[f"slot{i}_{j}"] for j in range(n_params)]
             for i in range(int(header["optimizer"]["kinds"]))]
    pos = header["position"]
    return Progress(
        session=int(header["session"]),
        params=[arrays[f"p{i}"] for i in range(n_params)],
        optimizer_t=int(header["optimizer"]["t"]), optimizer_slots=slots,
        epoch=int(pos["epoch"]), position=int(pos["position"]), order=arrays.get("order"),
        rng_state=pos["rng"], updates=int(pos["updates"]), first_update=int(header["first_update"]),
        step_losses=arrays["step_losses"],
        epoch_results=_epoch_log(arrays["epoch_results"]),
        final=header.get("final"))


def _epoch_log(columns: Array) -> EpochLog:
    log = EpochLog()
    log.extend_columns(columns.reshape(-1, EpochLog.NCOLS))
    return log


# -- the training process's side: a load in, progress (or an error) out ---------------------
def dataset_from_load(header: dict, arrays: dict[str, Array]) -> Dataset:
    d = header["data"]
    return Dataset(arrays["X_train"], arrays["Y_train"], arrays["X_test"], arrays["Y_test"],
                   d["kind"], "loaded", [], [])


def stepper_from_load(header: dict, arrays: dict[str, Array], data: Dataset) -> Stepper:
    """A stepper that continues where the app's stepper was."""
    spec = header["network"]
    layers = [Layer(arrays[f"W{k}"], arrays[f"b{k}"], l["activation"],
                    arrays[f"mask{k}"] if l["masked"] else None, bool(l["train_bias"]))
              for k, l in enumerate(spec["layers"])]
    net = Network(int(spec["n_inputs"]), layers, spec["loss"])
    net.validate()
    config = TrainingConfig(**header["training"])
    config.validate()
    o = header["optimizer"]
    opt = Optimizer(o["name"], o["params"])
    n_params = 2 * len(layers)
    opt.load_state({"t": o["t"], "slots": [[arrays[f"slot{i}_{j}"] for j in range(n_params)]
                                           for i in range(int(o["kinds"]))]})
    stepper = Stepper(net, config, data, opt)
    pos = header["position"]
    stepper.epoch, stepper.position, stepper.updates = (
        int(pos["epoch"]), int(pos["position"]), int(pos["updates"]))
    stepper.order = arrays["order"]
    stepper.order.setflags(write=False)
    stepper.rng.bit_generator.state = pos["rng"]
    stepper._rng_state = None
    return stepper


def progress_message(stepper, session: int, final: str | None,
                     with_order: bool = True) -> tuple[dict, dict]:
    """Progress: ``stepper``'s state, and all its batch losses and epoch
    results (the training process empties both lists after each progress).
    ``with_order`` False leaves out the epoch's order (as many numbers as
    training rows), which the app has when the epoch is the one it was last
    sent or loaded with: a big data set's order then travels once an epoch,
    not once a frame."""
    params = stepper.network.parameters()
    arrays = {f"p{i}": p for i, p in enumerate(params)}
    opt = stepper.optimizer
    for i, kind in enumerate(opt.slots):
        for j, s in enumerate(kind):
            arrays[f"slot{i}_{j}"] = s
    position, more = _position(stepper, with_order)
    arrays.update(more)
    steps = stepper.step_losses.columns
    arrays["step_losses"] = steps[:, 1]
    first = int(steps[0, 0]) if len(steps) else stepper.updates + 1
    arrays["epoch_results"] = stepper.epoch_results.columns
    header = {"type": "progress", "session": session, "n_params": len(params),
              "optimizer": {"t": opt.t, "kinds": len(opt.slots)}, "position": position,
              "first_update": first, "final": final}
    return header, arrays


def error_message(session: int | None, text: str) -> dict:
    """An error in session ``session``: ``text`` is the traceback."""
    return {"type": "error", "session": session, "message": text}
