"""What the user selected on the canvas; shared by the canvas, the inspector
and the main window's actions. Views hold these ids, never the values (the
document answers for them: ``Document.exists``, ``Document.value_of``)."""
from __future__ import annotations

from ..document.refs import EdgeRef, NeuronRef, Selection

__all__ = ["EdgeRef", "NeuronRef", "Selection"]
