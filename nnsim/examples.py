"""The example networks shipped in resources/examples/.

In a source checkout (and the editable install ``make`` does) they are read
from ``resources/examples`` beside the package; an installed wheel carries
them as data files in ``<prefix>/share/nnsim/examples`` (pyproject.toml).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from .io import FileFormatError, load_project

SOURCE_DIR = Path(__file__).resolve().parent.parent / "resources" / "examples"
INSTALLED_DIR = Path(sys.prefix) / "share" / "nnsim" / "examples"
DEFAULT_EXAMPLE = "lecture-xor"


def examples_dir(candidates=(SOURCE_DIR, INSTALLED_DIR)) -> Path:
    """The first folder that holds the examples (the source one by default)."""
    for d in candidates:
        if (d / f"{DEFAULT_EXAMPLE}.nnsim").is_file():
            return d
    return candidates[0]


EXAMPLES_DIR = examples_dir()


def example_path(name: str) -> Path:
    return EXAMPLES_DIR / f"{name}.nnsim"


def list_examples() -> list[str]:
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.nnsim"))


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
