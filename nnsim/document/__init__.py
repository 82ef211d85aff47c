"""The open document: one source of truth and one QUndoStack (QtCore/QtGui only)."""
from .document import Document, EditError
from .run_mode import (DIVERGED, PAUSED, STOP_LOSS_REACHED, TARGET_REACHED, DivergenceInfo,
                       Runner)

__all__ = ["DIVERGED", "PAUSED", "STOP_LOSS_REACHED", "TARGET_REACHED", "DivergenceInfo",
           "Document", "EditError", "Runner"]
