"""The example networks shipped in resources/examples/."""
from __future__ import annotations

from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "resources" / "examples"
DEFAULT_EXAMPLE = "lecture-xor"


def example_path(name: str) -> Path:
    return EXAMPLES_DIR / f"{name}.nnsim"


def list_examples() -> list[str]:
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.nnsim"))
