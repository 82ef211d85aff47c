"""A network's forward pass as an ONNX model (File > Export > ONNX…,
``nnsim export FILE --to onnx OUT.onnx``).

One input, ``input`` (batch, n_inputs), and one output, ``output`` (batch,
n_outputs): the output layer's activations, what ``Network.predict`` gives.
Each layer is a ``Gemm`` (x @ W + b, with W as nnsim stores it, (n_in, n_out),
removed connections written as zero weights) followed by its activation:
``Sigmoid``, ``Tanh``, ``Relu``, ``PRelu`` with a slope of 0.01 for the
leaky ReLU (a tensor of the model's own float type: ``LeakyRelu``'s ``alpha``
is a 32-bit attribute, which would move a float64 model off nnsim's 0.01),
``Softmax`` over the units, and nothing for ``linear``. Opset 17, float32 by
default or float64. The loss, the data and the training settings are not
part of the graph; the loss and the names are kept in the model's metadata
(``nnsim.loss``, ``nnsim.activations``) so ``nnsim import`` restores them.

``onnx`` is imported only when a model is built (nnsim.io.optional).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.activations import LEAKY_SLOPE
from ..core.network import Network
from .atomic import atomic_write_bytes
from .optional import require

OPSET = 17
IR_VERSION = 8  # the IR version of opset 17: runtimes from 2021 on open the model
DTYPES = ("float32", "float64")
INPUT, OUTPUT = "input", "output"
PURPOSE = "exporting to ONNX"

# nnsim activation -> the ONNX operator (None: no node, z is the activation)
OPERATORS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "leaky_relu": "PRelu",
             "softmax": "Softmax", "linear": None}


def onnx_model(network: Network, dtype: str = "float32", name: str = "nnsim network"):
    """The ``onnx.ModelProto`` of ``network``'s forward pass (checked by
    ``onnx.checker``). Raises ValueError for an unknown dtype or weights that
    float32 cannot hold."""
    onnx = require("onnx", PURPOSE)
    from onnx import TensorProto, helper, numpy_helper

    if dtype not in DTYPES:
        raise ValueError(f"--dtype: expected one of {', '.join(DTYPES)}, got {dtype!r}")
    np_type = np.dtype(dtype)
    elem = TensorProto.FLOAT if dtype == "float32" else TensorProto.DOUBLE
    nodes, inits = [], []

    def constant(tensor_name: str, values) -> str:
        values = np.asarray(values, dtype=np.float64)
        with np.errstate(over="ignore"):  # checked just below
            cast = values.astype(np_type)
        if not np.isfinite(cast).all() and np.isfinite(values).all():
            raise ValueError(f"{tensor_name}: a weight is beyond the range of float32 "
                             f"(largest {np.abs(values).max():g}); export with --dtype float64")
        inits.append(numpy_helper.from_array(cast, tensor_name))
        return tensor_name

    x, last = INPUT, len(network.layers)
    for k, layer in enumerate(network.layers, start=1):
        op = OPERATORS[layer.activation]
        z = OUTPUT if (k == last and op is None) else f"z{k}"
        nodes.append(helper.make_node(
            "Gemm", [x, constant(f"W{k}", layer.effective_W), constant(f"b{k}", layer.b)], [z],
            name=f"layer{k}", doc_string=f"layer {k}: z = x @ W{k} + b{k} "
                                         "(W as (inputs, neurons); removed connections are 0)"))
        x = z
        if op is None:
            continue
        a = OUTPUT if k == last else f"a{k}"
        if op == "PRelu":
            inputs = [z, constant(f"slope{k}", [LEAKY_SLOPE])]
        else:
            inputs = [z]
        attrs = {"axis": -1} if op == "Softmax" else {}
        nodes.append(helper.make_node(op, inputs, [a], name=f"{layer.activation}{k}", **attrs))
        x = a

    graph = helper.make_graph(
        nodes, "nnsim",
        [helper.make_tensor_value_info(INPUT, elem, ["batch", network.n_inputs])],
        [helper.make_tensor_value_info(OUTPUT, elem, ["batch", network.n_outputs])],
        initializer=inits,
        doc_string=f"{name}: the forward pass exported by nnsim (output: the output "
                   "layer's activations)")
    model = helper.make_model(graph, producer_name="nnsim",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    model.doc_string = name
    helper.set_model_props(model, {
        "nnsim.loss": network.loss,
        "nnsim.activations": ",".join(l.activation for l in network.layers),
    })
    onnx.checker.check_model(model, full_check=True)
    return model


def export_onnx(network: Network, path: str | Path, dtype: str = "float32",
                name: str | None = None) -> None:
    """Write ``network``'s forward pass to ``path`` (atomically: the old file,
    if any, stays whole when writing fails)."""
    model = onnx_model(network, dtype, name or Path(path).stem)
    atomic_write_bytes(str(path), model.SerializeToString())
