"""The ``.nnsim`` project file: Project <-> JSON, with validation and migrations.

Documented key by key in ``docs/file-format.md``. Loading validates every
value and raises :class:`FileFormatError` naming the file and the field;
saving runs the very same checks on what it is about to write, so nnsim never
writes a file it would refuse to open. Nothing is ever pickled or evaluated.

This module is the public API (``dumps``, ``loads``, ``load_project``,
``save_project``, ``project_to_dict``, ``project_from_dict``) and the reading
of files and text; the rest is one module per job:

- ``format_rules``: the format's name, version, limits and keys; ``migrations``: one
  function per older version
- ``validators``: the small checkers and the words of their messages
- ``project_reader``: JSON value -> Project
- ``project_writer``: Project -> JSON value
"""
from __future__ import annotations

import os

from ..core.project import Project
from .atomic import atomic_write_bytes
from .errors import FileFormatError, Invalid
# FORMAT_NAME ... MAX_PARAMETERS are re-exported: nnsim.io and the docs name
# them from here (nnsim.io.project_file.MIGRATIONS); MAX_FILE_BYTES is also
# looked up here by the file reading below.
from .format_rules import (FORMAT_NAME, FORMAT_VERSION, MAX_FILE_BYTES, MAX_LAYERS,
                           MAX_PARAMETERS, MAX_UNITS)
from .migrations import MIGRATIONS
from .jsontext import decode_bytes, dump, parse
from .load_budget import check_loadable, check_size, utf8_size
from .regular_files import NotARegularFile, open_regular_file
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


def _checked_text(project: Project, source: str) -> str:
    text = dump(_checked_obj(project, source))
    try:
        check_loadable(text, utf8_size(text))  # the reader's own check: it will reopen
    except Invalid as e:
        raise e.with_source(source) from None
    return text


def dumps(project: Project) -> str:
    """The canonical text of ``project`` (save -> load -> save is byte-identical).

    FileFormatError as ``project_to_dict``, and when the text would be more
    than ``load_project`` reads (over MAX_FILE_BYTES, or too much memory)."""
    return _checked_text(project, "<memory>")


def _text_to_project(text, source: str) -> Project:
    """Bytes (UTF-8) or str -> Project. A caller passing bytes should hold no
    other reference to them: they are dropped once decoded, before parsing."""
    try:
        if isinstance(text, (bytes, bytearray)):
            n_bytes = len(text)
            check_size(n_bytes)
            text = decode_bytes(bytes(text))  # the bytes are free from here on
        elif isinstance(text, str):
            n_bytes = utf8_size(text)
        else:
            raise Invalid("", f"expected JSON text, got {_describe(text)}")
        check_loadable(text, n_bytes)
        obj = parse(text)
        del text  # the parsed values replace it
        return _project_from_obj(obj)
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


def _read(path) -> bytes:
    # a FIFO, socket or device is refused before it is opened (opening a FIFO
    # for reading blocks until someone writes to it)
    try:
        check_size(os.stat(path).st_size)  # before opening, let alone reading
        with open_regular_file(path) as f:
            # read(n) allocates n bytes first: ask for what the file holds (one
            # byte more tells that it grew meanwhile), never for the whole limit
            size = min(os.fstat(f.fileno()).st_size, MAX_FILE_BYTES)
            data = f.read(size + 1)
            if len(data) > size:
                data += f.read(MAX_FILE_BYTES + 1 - len(data))
    except FileNotFoundError as e:
        raise Invalid("", "expected an existing file, got no file at this path "
                          f"({e.strerror or 'No such file or directory'})") from None
    except PermissionError:
        raise Invalid("", "expected a file nnsim may read, got permission denied") from None
    except IsADirectoryError:
        raise Invalid("", "expected a file, got a folder") from None
    except NotARegularFile as e:
        raise Invalid("", f"expected a regular file, got {e.kind}") from None
    except OSError as e:
        raise Invalid("", "expected a readable file, got an error reading it "
                          f"({e.strerror or e})") from None
    check_size(len(data))
    return data


def _read_or_refuse(path, source: str) -> bytes:
    try:
        return _read(path)
    except Invalid as e:
        raise e.with_source(source) from None


def load_project(path) -> Project:
    """Read and validate the .nnsim file at ``path``."""
    source = os.fsdecode(os.fspath(path))
    # no name holds the bytes here, so they are freed as soon as they are decoded
    return _text_to_project(_read_or_refuse(path, source), source)


def save_project(project: Project, path) -> None:
    """Write ``project`` to ``path`` atomically.

    FileFormatError when the project cannot be saved (NaN weights, ...);
    OSError (naming ``path``) when the file cannot be written. Either way
    an existing file at ``path`` is left untouched.
    """
    source = os.fsdecode(os.fspath(path))
    data = _checked_text(project, source).encode("utf-8")
    atomic_write_bytes(path, data)
