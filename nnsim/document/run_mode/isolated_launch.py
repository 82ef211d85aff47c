"""How the training process is started so that it runs the app's own code
and nothing from the user's folder.

``python -m MODULE`` puts the current folder first on ``sys.path``: a
``numpy.py`` (or an ``nnsim/`` folder) where the user started the app would be
imported by the training process. So the interpreter starts isolated (``-I``:
no current folder, no ``PYTHON*`` variables, no user site), and the boot line
puts back exactly the folders the app itself imported nnsim and NumPy from:
the same code as the window's, wherever it was installed (a checkout, an
editable install, a virtual environment).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy

import nnsim

# -c's arguments are the folders to search first; then the module runs as __main__
_BOOT = ("import sys; sys.path[:0] = sys.argv[1:]; import runpy; "
         "runpy.run_module({module!r}, run_name='__main__', alter_sys=True)")


def import_roots() -> list[str]:
    """The folders the app's nnsim and NumPy packages were imported from."""
    roots = []
    for package in (nnsim, numpy):
        root = str(Path(package.__file__).resolve().parent.parent)
        if root not in roots:
            roots.append(root)
    return roots


def isolated_command(module: str) -> list[str]:
    """The command line that runs ``module`` as ``python -m`` would, isolated
    from the current folder and the environment. ``-B``: no .pyc files written
    (``-I`` ignores PYTHONDONTWRITEBYTECODE)."""
    return [sys.executable, "-I", "-B", "-c", _BOOT.format(module=module), *import_roots()]
