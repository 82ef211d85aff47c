"""The open document to the tools that train at scale (File > Export Network
> ONNX… / PyTorch Script…): what ``nnsim export`` writes, from the document's
state, so a view exports without importing nnsim.io (docs/export.md)."""
from __future__ import annotations

from pathlib import Path

from ..io.onnx_export import DTYPES as ONNX_DTYPES
from ..io.onnx_export import export_onnx
from ..io.pytorch_export import export_pytorch
from .document import Document


def export_network_onnx(document: Document, path: str | Path, dtype: str = "float32") -> None:
    """The network's forward pass as an ONNX model. Raises ValueError (also
    when the onnx package is missing: one line saying so) or OSError; the old
    file, if any, is left whole."""
    title = document.project.title or Path(document.display_name).stem
    export_onnx(document.network, path, dtype, title)


def export_network_pytorch(document: Document, path: str | Path) -> None:
    """The network, its data, loss, optimiser and settings as a standalone
    PyTorch script. Raises OSError; the old file, if any, is left whole."""
    export_pytorch(document.project, path, document.display_name)


__all__ = ["ONNX_DTYPES", "export_network_onnx", "export_network_pytorch"]
