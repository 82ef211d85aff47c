"""File > Examples: the shipped examples by their title, in the lecture's order.

The list is read from the example files each time the menu opens, so a new
example file shows up without a code change.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..examples import EXAMPLES_DIR
from ..io import FileFormatError, load_project

# The order the lecture meets them in; any other example follows, by title.
LECTURE_ORDER = ("gradient-descent-one-weight", "logistic-regression", "lecture-xor",
                 "mazur-2-2-2")


@dataclass(frozen=True)
class Example:
    path: Path
    title: str
    description: str


def shipped_examples(folder: Path = EXAMPLES_DIR) -> list[Example]:
    """The examples in ``folder`` that load, in the lecture's order."""
    found = []
    for path in folder.glob("*.nnsim"):
        try:
            project = load_project(path)
        except (FileFormatError, OSError, ValueError):
            continue  # a broken file is not offered (opening it would only fail)
        found.append(Example(path, project.title or path.stem, project.description))

    def rank(e: Example):
        stem = e.path.stem
        first = LECTURE_ORDER.index(stem) if stem in LECTURE_ORDER else len(LECTURE_ORDER)
        return first, e.title.casefold()
    return sorted(found, key=rank)


def fill_examples_menu(menu, open_example) -> None:
    """(Re)fill ``menu`` with one action an example; ``open_example(Example)``."""
    menu.clear()
    examples = shipped_examples()
    if not examples:
        menu.addAction("(no examples found)").setEnabled(False)
    for e in examples:
        action = menu.addAction(e.title.replace("&", "&&"), lambda e=e: open_example(e))
        action.setStatusTip(e.description)
