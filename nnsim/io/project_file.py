"""The ``.nnsim`` project file: Project <-> JSON, with validation and migrations.

Documented key by key in ``docs/file-format.md``. Loading validates every
value and raises :class:`FileFormatError` naming the file and the field;
saving runs the very same checks on what it is about to write, so nnsim never
writes a file it would refuse to open. Nothing is ever pickled or evaluated.

This module is the public API (``dumps``, ``loads``, ``load_project``,
``save_project``, ``project_to_dict``, ``project_from_dict``) and the reading
of files and text; the rest is one module per job:

- ``format_rules``: the format's name, version, migrations, limits and keys
- ``validators``: the small checkers and the words of their messages
- ``project_reader``: JSON value -> Project
- ``project_writer``: Project -> JSON value
"""
from __future__ import annotations

import os
import stat

from ..core.project import Project
from .atomic import atomic_write_bytes
from .errors import FileFormatError, Invalid
# FORMAT_NAME ... MAX_PARAMETERS are re-exported: nnsim.io and the docs name
# them from here (nnsim.io.project_file.MIGRATIONS); MAX_FILE_BYTES is also
# looked up here by the file reading below.
from .format_rules import (FORMAT_NAME, FORMAT_VERSION, MAX_FILE_BYTES, MAX_LAYERS,
                           MAX_PARAMETERS, MAX_UNITS, MIGRATIONS)
from .jsontext import decode_bytes, dump, parse
from .project_reader import _project_from_obj
from .project_writer import _to_obj
from .validators import _describe

__all__ = [
    "FORMAT_NAME", "FORMAT_VERSION", "MIGRATIONS", "MAX_FILE_BYTES", "MAX_LAYERS",
    "MAX_UNITS", "MAX_PARAMETERS", "project_to_dict", "project_from_dict", "dumps",
    "loads", "load_project", "save_project",
]


# ================================================================== public API

def _checked_obj(project: Project, source: str) -> dict:
    try:
        obj = _to_obj(project)
        _project_from_obj(obj)  # the checks of load: never write what load refuses
    except Invalid as e:
        raise e.with_source(source) from None
    return obj


def project_to_dict(project: Project) -> dict:
    """The file's JSON value for ``project`` (plain dicts, lists, numbers, text).

    Raises FileFormatError when the project holds something a file cannot:
    NaN or infinite weights, biases or optimizer state, or anything that
    loading would refuse (e.g. data that does not fit the network).
    """
    return _checked_obj(project, "<memory>")


def project_from_dict(obj, source: str = "<memory>") -> Project:
    """A Project from a parsed .nnsim JSON value; validates everything.

    Older format versions are migrated; errors are FileFormatError naming
    ``source`` and the field.
    """
    try:
        return _project_from_obj(obj)
    except Invalid as e:
        raise e.with_source(source) from None
    except RecursionError:
        raise FileFormatError(source, "", "expected lists and objects nested a few "
                                          "levels deep, got nesting too deep") from None


def dumps(project: Project) -> str:
    """The canonical text of ``project`` (save -> load -> save is byte-identical)."""
    return dump(project_to_dict(project))


def _text_to_project(text, source: str) -> Project:
    try:
        if isinstance(text, (bytes, bytearray)):
            if len(text) > MAX_FILE_BYTES:
                raise _too_big(len(text))
            text = decode_bytes(bytes(text))
        elif not isinstance(text, str):
            raise Invalid("", f"expected JSON text, got {_describe(text)}")
        if len(text) > MAX_FILE_BYTES:
            raise _too_big(len(text.encode("utf-8", "surrogatepass")))
        return _project_from_obj(parse(text))
    except Invalid as e:
        raise e.with_source(source) from None
    except RecursionError:
        raise FileFormatError(source, "", "expected lists and objects nested a few "
                                          "levels deep, got nesting too deep") from None
    except MemoryError:
        raise FileFormatError(source, "", "expected a project that fits in memory, got "
                                          "one too big to load") from None


def loads(text: str | bytes, source: str = "<memory>") -> Project:
    """A Project from .nnsim text (str, or bytes taken as UTF-8)."""
    return _text_to_project(text, source)


def _too_big(size: int) -> Invalid:
    return Invalid("", f"expected a file of at most {MAX_FILE_BYTES / 1e6:g} MB, got "
                       f"{size / 1e6:.1f} MB")


def _read(path) -> bytes:
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise Invalid("", "expected a file, got a folder")
        if not stat.S_ISREG(st.st_mode):
            raise Invalid("", "expected a regular file, got a device, pipe or other "
                              "special file")
        if st.st_size > MAX_FILE_BYTES:
            raise _too_big(st.st_size)
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # the size may have changed meanwhile
    except FileNotFoundError as e:
        raise Invalid("", "expected an existing file, got no file at this path "
                          f"({e.strerror or 'No such file or directory'})") from None
    except PermissionError:
        raise Invalid("", "expected a file nnsim may read, got permission denied") from None
    except IsADirectoryError:
        raise Invalid("", "expected a file, got a folder") from None
    except OSError as e:
        raise Invalid("", "expected a readable file, got an error reading it "
                          f"({e.strerror or e})") from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(len(data))
    return data


def load_project(path) -> Project:
    """Read and validate the .nnsim file at ``path``."""
    source = os.fsdecode(os.fspath(path))
    try:
        data = _read(path)
    except Invalid as e:
        raise e.with_source(source) from None
    return _text_to_project(data, source)


def save_project(project: Project, path) -> None:
    """Write ``project`` to ``path`` atomically.

    FileFormatError when the project cannot be saved (NaN weights, ...);
    OSError (naming ``path``) when the file cannot be written. Either way
    an existing file at ``path`` is left untouched.
    """
    source = os.fsdecode(os.fspath(path))
    text = dump(_checked_obj(project, source))
    atomic_write_bytes(path, text.encode("utf-8"))
