"""The worked-solution handout of the open document (File > Export Worked
Solution…): what ``nnsim explain FILE --sample K`` writes, for the sample on
show, so a view exports it without importing nnsim.io.

The step explained is one plain SGD step on one training row
(:func:`nnsim.core.worked_solution.traced_step`), from the weights the cycle
on show started with (or, between cycles, the current weights): the handout
and the canvas then show the same forward pass.
"""
from __future__ import annotations

import copy
from pathlib import Path

from ..core.worked_solution import traced_step, worked_solution
from ..io.atomic import atomic_write_bytes
from ..io.handout import FORMATS, render
from .document import Document
from .explanations import shown_snapshot

# A file's suffix -> the handout format (the CLI's --out rule).
SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
                  ".tex": "tex", ".latex": "tex"}


def handout_format(path: str | Path) -> str | None:
    """"md", "html" or "tex" by the file's suffix (None: not one of them)."""
    return SUFFIX_FORMATS.get(Path(path).suffix.lower())


def sample_on_show(document: Document) -> int:
    """The training row the canvas shows: the cycle's first sample, or between
    cycles the next one (the pinned sample when one is pinned)."""
    snap = shown_snapshot(document)
    if snap is not None:
        return int(snap.sample_indices[0])
    try:
        indices = document.next_indices()
    except (IndexError, ValueError):  # no training rows
        indices = ()
    return int(indices[0]) if indices else 0


def worked_solution_text(document: Document, sample_index: int, fmt: str) -> str:
    """One SGD step on training row ``sample_index`` written out in full, as
    Markdown, HTML or LaTeX (``fmt``: one of nnsim.io.handout.FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown handout format {fmt!r} (choose from {', '.join(FORMATS)})")
    data = document.network_data  # the inputs the network sees
    if not 0 <= sample_index < len(data.X_train):
        raise ValueError(f"sample {sample_index} does not exist: the training set has "
                         f"{len(data.X_train)} samples")
    network = document.network.copy()
    snap = shown_snapshot(document)
    if snap is not None:  # the weights the cycle on show started from
        network.set_parameters([p.copy() for pair in snap.weights_before for p in pair])
    before = network.copy()
    # traced_step trains its own stepper: it gets copies, the document keeps its state
    step = traced_step(network, copy.deepcopy(document.project.training), data, sample_index)
    title = document.project.title or Path(document.display_name).stem
    return render(worked_solution(before, step, f"One training step of {title}"), fmt)


def export_worked_solution(document: Document, path: str | Path,
                           sample_index: int | None = None) -> None:
    """Write the handout of ``sample_index`` (default: the sample on show) to
    ``path`` in the format its suffix names. Raises ValueError for an unknown
    suffix and OSError when the file cannot be written (the old file, if any,
    is left as it was)."""
    fmt = handout_format(path)
    if fmt is None:
        raise ValueError(f"{Path(path).name}: the file name should end in .md, .html or .tex")
    index = sample_on_show(document) if sample_index is None else sample_index
    text = worked_solution_text(document, index, fmt)
    atomic_write_bytes(str(path), text.encode("utf-8"))


__all__ = ["export_worked_solution", "handout_format", "sample_on_show",
           "worked_solution_text"]
