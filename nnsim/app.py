"""The window's entry point; Qt is imported only when the window starts."""
from __future__ import annotations


def main(argv: list[str]) -> int:
    from .qt.app import main as qt_main
    return qt_main(argv)
