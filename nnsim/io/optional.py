"""Packages nnsim uses for one feature only (onnx for ONNX export and import),
imported when the feature is used, so the app and the CLI start without them.
"""
from __future__ import annotations

import importlib


class MissingPackage(ValueError):
    """An optional package is not installed; ``str(e)`` is one line saying
    which, what needs it and how to install it."""


def require(module: str, purpose: str, package: str | None = None):
    """``module`` imported, or MissingPackage naming ``purpose`` (e.g.
    "exporting to ONNX") and the pip command that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingPackage(f"{purpose} needs the Python package {package or module!r}, "
                             f"which is not installed (pip install {package or module})"
                             ) from None
