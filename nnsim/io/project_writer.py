"""Project -> JSON value: what ``save_project`` and ``dumps`` write.

``_to_obj`` builds the plain dicts, lists, numbers and text of the file, with
the keys in the order of the canonical file (``jsontext.dump`` keeps that
order, so save -> load -> save is byte-identical). It refuses (raises
:class:`~nnsim.io.errors.Invalid`) only arrays it cannot write, such as
non-finite weights; everything else is checked by reading the result back
with the reader (``project_file._checked_obj``), so nnsim never writes a file
it would refuse to open.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.datasets import BUILTIN, DataSpec
from ..core.project import Project, is_placeholder
from .errors import Invalid
from .history_columns import history_out
from .packed import PACK_ABOVE, pack
from .format_rules import FORMAT_NAME, FORMAT_VERSION, SLOT_KINDS
from .validators import _index_path, _param_note


# ================================================================ Project -> dict

def _py(v):
    """NumPy scalars as plain Python values; anything else unchanged."""
    return v.item() if isinstance(v, np.generic) else v


def _nonfinite_word(x: float) -> str:
    return "NaN" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _array_out(a, path: str, what: str | None = None) -> list | dict:
    """a.tolist() as float64, packed beyond ``PACK_ABOVE`` numbers; non-finite
    values refused (``what`` words it)."""
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise Invalid(path, "expected an array of numbers, got "
                            f"{type(a).__name__} that is not one") from None
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = np.argwhere(bad)[0]
        word = _nonfinite_word(float(arr[tuple(idx)]))
        detail = (f"{what} that is not a finite number ({word}); step back or "
                  "re-initialise before saving" if what else
                  f"expected a finite number, got {word}")
        raise Invalid(_index_path(path, idx), detail)
    return pack(arr) if arr.size > PACK_ABOVE else arr.tolist()


def _slots_fit(slots, kinds: tuple, params: list) -> bool:
    try:
        return len(slots) == len(kinds) and all(
            len(kind) == len(params) and all(np.shape(s) == p.shape
                                             for s, p in zip(kind, params))
            for kind in slots)
    except TypeError:
        return False


def _to_obj(project: Project) -> dict:
    net, tr = project.network, project.training
    layers = []
    for k, layer in enumerate(net.layers, start=1):
        path = f"network.layers[{k - 1}]"
        W = np.asarray(layer.W)
        d = {"units": int(W.shape[1]) if W.ndim == 2 else int(np.size(layer.b)),
             "activation": layer.activation,
             "weights": _array_out(W, path + ".weights", f"layer {k} has a weight"),
             "bias": _array_out(layer.b, path + ".bias", f"layer {k} has a bias")}
        if not layer.train_bias:  # written only when frozen: most files never need it
            d["train_bias"] = False
        if layer.mask is not None:
            mask = np.asarray(layer.mask)
            if not mask.all():
                d["mask"] = mask.tolist()
        layers.append(d)
    obj: dict = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "title": project.title,
        "description": project.description,
        "network": {"inputs": _py(net.n_inputs), "loss": net.loss, "layers": layers},
        "training": {
            "learning_rate": _py(tr.learning_rate),
            "batch_size": _py(tr.batch_size),
            "optimizer": tr.optimizer,
            "optimizer_params": ({k: _py(tr.optimizer_params[k])
                                  for k in sorted(tr.optimizer_params)}
                                 if isinstance(tr.optimizer_params, dict)
                                 else tr.optimizer_params),
            "epochs": _py(tr.epochs),
            "seed": _py(tr.seed),
            "initializer": tr.initializer,
            "shuffle": _py(tr.shuffle),
            "stop_loss": _py(tr.stop_loss),
        },
    }
    if tr.dtype != "float64":  # written only when chosen: most files never need it
        obj["training"]["dtype"] = tr.dtype
    if tr.regularization != "none" or tr.regularization_rate != 0:  # likewise
        obj["training"]["regularization"] = tr.regularization
        obj["training"]["regularization_rate"] = _py(tr.regularization_rate)
    data = project.data
    if isinstance(data, DataSpec):
        # The default data set is a placeholder while the network does not fit
        # it: then it is left out, as a hand-written file may leave it out.
        info = BUILTIN.get(data.name)
        fits = info is not None and [info.n_inputs, info.n_outputs] == \
            [_py(net.n_inputs) - len(project.inputs.features),
             layers[-1]["units"] if layers else None]
        if data != DataSpec("xor_table") or fits:
            obj["data"] = {"builtin": data.name, "n": _py(data.n), "noise": _py(data.noise),
                           "test_fraction": _py(data.test_fraction), "seed": _py(data.seed)}
    elif net.layers and is_placeholder(data, net.n_inputs, net.layers[-1].units, net.loss):
        pass  # no data chosen: left out, as the reader reads a file without it
    else:
        p = "data.points"
        obj["data"] = {
            "points": {"inputs": _array_out(data.X_train, p + ".inputs"),
                       "targets": _array_out(data.Y_train, p + ".targets"),
                       "test_inputs": _array_out(data.X_test, p + ".test_inputs"),
                       "test_targets": _array_out(data.Y_test, p + ".test_targets")},
            "input_names": list(data.input_names),
            "target_names": list(data.target_names),
            "kind": data.kind,
            "source": data.source,
        }
    if not project.inputs.is_default:  # written only when chosen (core/input_transform.py)
        obj["input_transform"] = {"features": list(project.inputs.features),
                                  "standardize": bool(project.inputs.standardize)}
    layout = project.layout
    if layout is not None and any(pos is not None for row in layout for pos in row):
        obj["layout"] = [[None if pos is None else [_py(c) for c in pos] for pos in row]
                         for row in layout]
    obj["history"] = history_out(project.history.epochs)
    state = project.optimizer_state
    if state is not None:
        kinds = SLOT_KINDS.get(tr.optimizer, ())
        slots = state.get("slots", [])
        params = net.parameters()
        if not _slots_fit(slots, kinds, params):
            # The optimizer would throw these away and start from zeros at its
            # next step (Optimizer._ensure_slots); saving none is the same.
            slots = []
        out = []
        for s, kind in enumerate(slots):
            arrays = []
            for p, a in enumerate(kind):
                arrays.append(_array_out(
                    a, f"optimizer_state.slots[{s}][{p}]",
                    f"the optimizer's {kinds[s]} for {_param_note(p)} have a value"))
            out.append(arrays)
        obj["optimizer_state"] = {"t": _py(state.get("t")), "slots": out}
    return obj
