"""The one error a broken .nnsim file (or an unsaveable project) raises."""
from __future__ import annotations


class FileFormatError(ValueError):
    """A file (or a project about to be saved) that nnsim cannot accept.

    ``str(e)`` is one sentence, ``"<file>: <field path>: <what was expected>,
    got <what>"``, for example
    ``net.nnsim: network.layers[1].weights: expected 2x3 (...), got 3x2``.
    The parts are also kept: ``source`` (the file name, or ``"<memory>"``),
    ``field`` (a JSON path with 0-based indices, ``""`` for the whole file, or
    ``"line 3, column 7"`` where the text itself is broken) and ``detail``.
    """

    def __init__(self, source: str, field: str, detail: str):
        self.source, self.field, self.detail = source, field, detail
        super().__init__(": ".join([p for p in (source, field) if p] + [detail]))

    def __reduce__(self):  # keep the three parts when pickled between processes
        return type(self), (self.source, self.field, self.detail)


def user_message(e: BaseException) -> str:
    """One line for the user: an OSError as "<path>: <reason>", anything else
    as its message with line breaks folded (CLI, dialogs and start-up alike)."""
    if isinstance(e, OSError) and e.filename:
        return f"{e.filename}: {e.strerror or e}"
    return " ".join(str(e).split())


class Invalid(Exception):
    """Internal: a problem at ``field``; the entry points add the file name."""

    def __init__(self, field: str, detail: str):
        super().__init__(field, detail)
        self.field, self.detail = field, detail

    def with_source(self, source: str) -> FileFormatError:
        return FileFormatError(source, self.field, self.detail)
