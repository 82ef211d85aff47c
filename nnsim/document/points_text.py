"""Points as text, for the Data panel's table: a typed cell, pasted rows,
copied rows. The rules are the CSV import's (nnsim.io); views reach them
through the document layer, like every other file-format rule."""
from ..io.pasted_rows import format_rows, parse_cell, parse_rows

__all__ = ["format_rows", "parse_cell", "parse_rows"]
