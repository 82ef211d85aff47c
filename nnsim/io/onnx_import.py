"""Plain MLPs from ONNX files as nnsim projects (``nnsim import MODEL.onnx
OUT.nnsim``, File > Open of a .onnx file).

nnsim takes a chain of layers from the one input to an output: each layer a
``Gemm`` (any ``alpha``/``beta``/``transB``, no ``transA``) or a ``MatMul``
with an optional ``Add`` of a bias, then at most one activation: ``Sigmoid``,
``Tanh``, ``Relu``, ``LeakyRelu`` (slope 0.01, nnsim's), ``PRelu`` with one
slope of 0.01 (what nnsim exports in float64), ``Softmax`` over the units, or
none. ``Identity`` and a ``Cast`` of the input to a float type are passed
through. After the last layer, the nodes that only shape the outputs of a
classifier exported by scikit-learn (labels: ``ArgMax``,
``ArrayFeatureExtractor``, ``Reshape``, ``Cast``; the two-column
probabilities of a binary one: ``Sub``, ``Concat``; ``ZipMap``) are left out.
Anything else is refused with one line naming the operator.

Weights and biases are read as float64 (a float32 model's numbers exactly as
stored); a model that nnsim exported in float64 comes back bit for bit, with
its loss (kept in the model's metadata). Other models get the loss that fits
the output (cross-entropy for softmax, bce for sigmoid, else mse) and data:
a built-in set of the network's shape if there is one, else random placeholder
points (see :func:`placeholder_data`), so the network can be stepped at once.

``onnx`` is imported only when a file is read (nnsim.io.optional).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core import activations as act
from ..core.datasets import BUILTIN, DataSpec
from ..core.network import Layer, Network
from ..core.project import ImportedData, Project
from ..core.training import TrainingConfig
from .errors import FileFormatError
from .optional import require

PURPOSE = "opening ONNX models"
ACTIVATION_OPS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "Relu": "relu",
                  "LeakyRelu": "leaky_relu", "PRelu": "leaky_relu", "Softmax": "softmax"}
PASS_THROUGH = {"Identity"}
# what follows the network in a classifier exported by skl2onnx: labels and
# the two columns of a binary classifier's probabilities; left out
OUTPUT_SHAPING = {"ArgMax", "ArrayFeatureExtractor", "Reshape", "Cast", "Sub", "Concat",
                  "ZipMap", "Identity", "Flatten"}
TAKES = ("nnsim opens plain MLPs: Gemm, or MatMul + Add, with Sigmoid, Tanh, Relu, "
         "LeakyRelu, Softmax or no activation")
FLOAT_TYPES = {1, 11}  # TensorProto.FLOAT, DOUBLE
LOSS_FOR_OUTPUT = {"softmax": "cross_entropy", "sigmoid": "bce"}
PLACEHOLDER_ROWS = 40


class _Refused(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _refuse_node(node) -> _Refused:
    name = f" (node {node.name!r})" if node.name else ""
    return _Refused(f"cannot take the operator {node.op_type}{name}; {TAKES}")


def network_from_onnx(model) -> tuple[Network, dict]:
    """The network of an ``onnx.ModelProto`` and notes about it (``loss``
    from the metadata or None, ``dropped``: the output nodes left out).
    Raises _Refused."""
    from onnx import numpy_helper

    g = model.graph
    consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    nodes = []
    for n in g.node:
        if n.op_type == "Constant" and n.domain in ("", "ai.onnx"):
            for a in n.attribute:
                if a.name == "value":
                    consts[n.output[0]] = numpy_helper.to_array(a.t)
                    break
            else:
                raise _refuse_node(n)
            continue
        nodes.append(n)
    inputs = [i for i in g.input if i.name not in consts]
    if len(inputs) != 1:
        raise _Refused(f"expected one input, got {len(inputs)}; {TAKES}")
    x_name = inputs[0].name
    consumers: dict[str, list] = {}
    for n in nodes:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def const(name: str, node) -> np.ndarray:
        if name not in consts:
            raise _Refused(f"the operator {node.op_type} (node {node.name!r}) takes two "
                           f"computed inputs, not weights; {TAKES}")
        return np.asarray(consts[name], dtype=np.float64)

    def next_node(t: str):
        """The node after tensor ``t`` on the chain; None where only output
        shaping (or nothing) follows. Branches are refused."""
        cs = consumers.get(t, [])
        chain = [c for c in cs if c.op_type not in OUTPUT_SHAPING or c.op_type in PASS_THROUGH]
        if len(chain) > 1:
            raise _Refused(f"{t!r} feeds {len(chain)} nodes "
                           f"({', '.join(c.op_type for c in chain)}): branches are not a "
                           f"plain MLP; {TAKES}")
        if chain:
            return chain[0]
        return cs[0] if len(cs) == 1 else None  # a Cast of the input, or the tail

    layers: list[Layer] = []
    t, n_in = x_name, _width(inputs[0])
    node = next_node(t)
    if node is not None and node.op_type == "Cast":  # skl2onnx casts the input
        to = next((a.i for a in node.attribute if a.name == "to"), None)
        if to not in FLOAT_TYPES:
            raise _refuse_node(node)
        t, node = node.output[0], next_node(node.output[0])
    while node is not None:
        op = node.op_type
        if op in PASS_THROUGH:
            t, node = node.output[0], next_node(node.output[0])
            continue
        if op not in ("Gemm", "MatMul"):
            if layers:  # after the last layer: what shapes the outputs (_check_tail)
                break
            raise _refuse_node(node)
        if op == "Gemm":
            attrs = {a.name: (a.f if a.type == 1 else a.i) for a in node.attribute}
            if attrs.get("transA", 0) or node.input[0] != t:
                raise _refuse_node(node)
            W = const(node.input[1], node)
            if attrs.get("transB", 0):
                W = W.T
            W = W * attrs.get("alpha", 1.0) if attrs.get("alpha", 1.0) != 1.0 else W
            b = (const(node.input[2], node) if len(node.input) > 2 and node.input[2]
                 else np.zeros(W.shape[1]))
            if attrs.get("beta", 1.0) != 1.0:
                b = b * attrs["beta"]
            t = node.output[0]
        elif op == "MatMul":
            if node.input[0] != t:
                raise _refuse_node(node)
            W = const(node.input[1], node)
            t = node.output[0]
            b = np.zeros(W.shape[-1] if W.ndim else 0)
            nxt = next_node(t)
            if nxt is not None and nxt.op_type == "Add":
                other = [i for i in nxt.input if i != t]
                if len(other) != 1:
                    raise _refuse_node(nxt)
                b = const(other[0], nxt)
                t = nxt.output[0]
        else:
            raise _refuse_node(node)
        if n_in is None and W.ndim == 2:  # the input's width was not given
            n_in = W.shape[0]
        if W.ndim != 2 or b.size != W.shape[1] or W.shape[0] != n_in:
            raise _Refused(f"layer {len(layers) + 1} ({node.op_type} {node.name!r}): weights "
                           f"{W.shape} and bias {b.shape} do not make a layer of "
                           f"{n_in} inputs")
        activation = "linear"
        node = next_node(t)
        while node is not None and node.op_type in PASS_THROUGH:
            t, node = node.output[0], next_node(node.output[0])
        if node is not None and node.op_type in ACTIVATION_OPS:
            activation = _activation(node, consts)
            t, node = node.output[0], next_node(node.output[0])
        layers.append(Layer(np.ascontiguousarray(W), b.reshape(-1).copy(), activation))
        n_in = W.shape[1]
        if node is not None and node.op_type not in {"Gemm", "MatMul"} | PASS_THROUGH:
            break
    if not layers:
        raise _Refused(f"found no layer after the input; {TAKES}")
    dropped = _check_tail(t, consumers, g)
    meta = {p.key: p.value for p in model.metadata_props}
    net = Network(layers[0].W.shape[0], layers, "mse")
    loss = meta.get("nnsim.loss")
    return net, {"loss": loss if loss in ("mse", "bce", "cross_entropy") else None,
                 "dropped": dropped}


def _width(value_info) -> int | None:
    dims = value_info.type.tensor_type.shape.dim
    if len(dims) == 2 and dims[1].HasField("dim_value"):
        return int(dims[1].dim_value)
    return None


def _activation(node, consts) -> str:
    name = ACTIVATION_OPS[node.op_type]
    attrs = {a.name: a for a in node.attribute}
    if node.op_type == "LeakyRelu":
        alpha = attrs["alpha"].f if "alpha" in attrs else 0.01
        if np.float32(alpha) != np.float32(act.LEAKY_SLOPE):
            raise _Refused(f"LeakyRelu (node {node.name!r}) has the slope {alpha:g}; nnsim's "
                           f"leaky ReLU has {act.LEAKY_SLOPE:g}")
    if node.op_type == "PRelu":
        slope = consts.get(node.input[1])
        if slope is None or np.asarray(slope).size != 1 or \
                float(np.asarray(slope).reshape(-1)[0]) != act.LEAKY_SLOPE:
            raise _Refused(f"PRelu (node {node.name!r}) has slopes other than one of "
                           f"{act.LEAKY_SLOPE:g}; nnsim's leaky ReLU has {act.LEAKY_SLOPE:g}")
    if node.op_type == "Softmax":
        axis = attrs["axis"].i if "axis" in attrs else -1
        if axis not in (-1, 1):
            raise _Refused(f"Softmax (node {node.name!r}) over axis {axis}; nnsim's softmax "
                           "runs over a layer's units (axis 1)")
    return name


def _check_tail(t: str, consumers, graph) -> list[str]:
    """The network ends at ``t``: everything computed from it must only shape
    outputs (OUTPUT_SHAPING) and ``t`` or such an output must be a graph
    output. Returns the left-out operators."""
    outputs = {o.name for o in graph.output}
    dropped, seen, todo = [], set(), [t]
    reaches_output = t in outputs
    while todo:
        name = todo.pop()
        for c in consumers.get(name, []):
            if id(c) in seen:
                continue
            seen.add(id(c))
            if c.op_type not in OUTPUT_SHAPING:
                raise _refuse_node(c)
            dropped.append(c.op_type)
            for o in c.output:
                reaches_output |= o in outputs
                todo.append(o)
    if not reaches_output:
        raise _Refused(f"the layers do not lead to an output of the model; {TAKES}")
    return dropped


def _data_for(net: Network, seed: int = 0) -> tuple[DataSpec | ImportedData, str]:
    """A built-in set of the network's shape and kind, or placeholder points."""
    out = net.layers[-1].activation
    kind = ("multiclass" if out == "softmax" and net.n_outputs > 1 else
            "binary" if out == "sigmoid" and net.n_outputs == 1 else "regression")
    for info in BUILTIN.values():
        if (info.n_inputs, info.n_outputs, info.kind) == (net.n_inputs, net.n_outputs, kind) \
                and info.name != "xor_table":
            return DataSpec(info.name), f"the built-in data set {info.name!r}"
    return placeholder_data(net, kind, seed), "random placeholder points"


def placeholder_data(net: Network, kind: str, seed: int = 0) -> ImportedData:
    """Points to step the network on when no built-in set fits: random
    inputs in [-1, 1] and random targets the output can reach (one-hot
    classes for a softmax, 0 or 1 for a sigmoid, [-1, 1] for tanh, else
    normal numbers). Not the model's own outputs: those would give a loss
    gradient of zero and nothing to see. Meant to be replaced by the user's
    data (File > Import CSV); the project's description says so."""
    rng = np.random.default_rng(seed)
    n, t = PLACEHOLDER_ROWS, net.n_outputs
    X = rng.uniform(-1.0, 1.0, size=(n, net.n_inputs))
    out = net.layers[-1].activation
    if out == "softmax":
        Y = np.eye(t)[rng.integers(0, t, size=n)]
    elif out == "sigmoid":
        Y = rng.integers(0, 2, size=(n, t)).astype(float)
    elif out == "tanh":
        Y = rng.uniform(-1.0, 1.0, size=(n, t))
    else:
        Y = rng.normal(size=(n, t))
    n_test = n // 5
    names_in = [f"x{i + 1}" for i in range(net.n_inputs)]
    names_out = ([f"class {j}" for j in range(t)] if kind == "multiclass" else
                 ["y"] if t == 1 else [f"y{j + 1}" for j in range(t)])
    return ImportedData(X[n_test:], Y[n_test:], X[:n_test], Y[:n_test], names_in, names_out,
                        kind, "placeholder: random points")


def project_from_onnx(path: str | Path) -> Project:
    """The project of an ONNX file; raises FileFormatError with one line
    naming the file and what it cannot take, MissingPackage without onnx."""
    onnx = require("onnx", PURPOSE)
    source = str(path)
    try:
        model = onnx.load(source)
    except OSError:
        raise
    except Exception as e:  # a protobuf DecodeError and the like: not an ONNX file
        raise FileFormatError(source, "", f"not an ONNX model ({type(e).__name__})") from None
    try:
        net, notes = network_from_onnx(model)
        net.loss = notes["loss"] or LOSS_FOR_OUTPUT.get(net.layers[-1].activation, "mse")
        net.validate()
    except _Refused as e:
        raise FileFormatError(source, "", e.detail) from None
    except ValueError as e:
        raise FileFormatError(source, "", str(e)) from None
    for layer in net.layers:
        if not (np.isfinite(layer.W).all() and np.isfinite(layer.b).all()):
            raise FileFormatError(source, "", "a weight or bias is not a finite number")
    data, data_note = _data_for(net)
    left_out = sorted(set(notes["dropped"]))
    description = (f"Imported from {Path(source).name}. Data: {data_note}"
                   + ("; replace them with your own (File > Import CSV)" if
                      data_note.endswith("placeholder points") else "")
                   + "." + (f" Left out: the output shaping ({', '.join(left_out)})."
                            if left_out else ""))
    title = (model.doc_string if model.producer_name == "nnsim" else "") or Path(source).stem
    return Project(net, TrainingConfig(), data, title=" ".join(title.split()),
                   description=description)


def import_onnx(model_path: str | Path, out_path: str | Path) -> Project:
    """``nnsim import``: the model as a .nnsim file; returns its project."""
    from .project_file import save_project
    project = project_from_onnx(model_path)
    save_project(project, out_path)
    return project
