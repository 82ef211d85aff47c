"""The open document: one source of truth and one QUndoStack (QtCore/QtGui only)."""
from .document import Document, EditError

__all__ = ["Document", "EditError"]
