"""The open document: one source of truth and one QUndoStack (QtCore/QtGui only)."""
from ..core.stepper import MicroStep, Snapshot
from ..io import FileFormatError, user_message  # what a view says when a file is refused
from .change import Change
from .document import Document, EditError
from .exports import ONNX_DTYPES, export_network_onnx, export_network_pytorch
from .explanations import check_gradient, explain, explain_bias, shown_snapshot
from .handout import (export_worked_solution, handout_format, sample_on_show,
                      worked_solution_text)
from .refs import EdgeRef, NeuronRef
from .run_mode import (DIVERGED, HISTORY_FULL, PAUSED, STOP_LOSS_REACHED, TARGET_REACHED,
                       DivergenceInfo, Runner)

__all__ = ["DIVERGED", "HISTORY_FULL", "PAUSED", "Change", "STOP_LOSS_REACHED", "TARGET_REACHED",
           "DivergenceInfo", "Document", "EdgeRef", "EditError", "MicroStep", "NeuronRef",
           "Runner", "Snapshot", "check_gradient", "explain", "explain_bias",
           "export_worked_solution", "ONNX_DTYPES", "export_network_onnx",
           "export_network_pytorch", "handout_format", "sample_on_show", "shown_snapshot",
           "worked_solution_text", "FileFormatError", "user_message"]
