"""The example networks shipped in resources/examples/.

In a source checkout (and the editable install ``make`` does) they are read
from ``resources/examples`` beside the package; an installed wheel carries
them as data files in ``<prefix>/share/nnsim/examples`` (pyproject.toml).
"""
from __future__ import annotations

import sys
from pathlib import Path

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
