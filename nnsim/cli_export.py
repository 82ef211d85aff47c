"""`nnsim export` and `nnsim import`: networks to and from the tools that
train at scale (ONNX, PyTorch), on core + io only (see docs/export.md)."""
from __future__ import annotations

import argparse
from pathlib import Path

EXPORT_FORMATS = ("onnx", "pytorch")
EXPORT_EXAMPLE = """examples:
  nnsim export net.nnsim --to onnx net.onnx
  nnsim export net.nnsim --to onnx net.onnx --dtype float64
  nnsim export net.nnsim --to pytorch net.py   (then: python net.py --epochs 100)
see docs/export.md"""


def add_parsers(sub) -> None:
    """Register the two subcommands on ``sub`` (cli.build_parser's subparsers)."""
    export = sub.add_parser(
        "export", help="the network as an ONNX model or a PyTorch training script",
        description="Write the network's forward pass as an ONNX model, or the network, "
                    "its data, loss and optimiser as a standalone PyTorch script.",
        epilog=EXPORT_EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("file", help="the .nnsim file")
    export.add_argument("--to", required=True, choices=EXPORT_FORMATS, help="what to write")
    export.add_argument("out", help="where to write it (.onnx or .py)")
    export.add_argument("--dtype", choices=("float32", "float64"),
                        help="ONNX only: the model's number type (default float32)")
    imp = sub.add_parser(
        "import", help="a plain MLP from an ONNX model as a .nnsim file",
        description="Read an ONNX model made of Gemm (or MatMul + Add) layers with Sigmoid, "
                    "Tanh, Relu, LeakyRelu, Softmax or no activation, and write it as a "
                    ".nnsim file to step through.",
        epilog="example:\n  nnsim import model.onnx model.nnsim",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("model", help="the .onnx file")
    imp.add_argument("out", help="the .nnsim file to write")


def run_export(args) -> int:
    from .io import load_project
    project = load_project(args.file)
    if args.to == "onnx":
        from .io.onnx_export import export_onnx
        export_onnx(project.network, args.out, args.dtype or "float32",
                    project.title or Path(args.file).stem)
    else:
        if args.dtype is not None:
            raise ValueError("--dtype is for --to onnx; the PyTorch script trains in float64")
        from .io.pytorch_export import export_pytorch
        export_pytorch(project, args.out, Path(args.file).name)
    print(f"wrote {args.out}")
    return 0


def run_import(args) -> int:
    from .io.onnx_import import import_onnx
    project = import_onnx(args.model, args.out)
    sizes = "-".join(str(n) for n in project.network.sizes)
    acts = ", ".join(layer.activation for layer in project.network.layers)
    print(f"wrote {args.out}: a {sizes} network ({acts}), loss {project.network.loss}")
    return 0
