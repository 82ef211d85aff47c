"""The file layer: the .nnsim format, validation, migrations, atomic save,
and CSV import.

NumPy and the standard library only (no Qt), so the CLI and tests load files
without a display. The format is documented in ``docs/file-format.md``.
"""
from .atomic import atomic_write_bytes
from .csv_import import (CsvCancelled, CsvData, CsvError, CsvFormat, preview, read_csv, sniff,
                         to_imported)
from .errors import FileFormatError, user_message
from .project_file import (FORMAT_NAME, FORMAT_VERSION, MAX_FILE_BYTES, MAX_LAYERS,
                           MAX_PARAMETERS, MAX_UNITS, MIGRATIONS, dumps, load_project,
                           loads, project_from_dict, project_to_dict, save_project)

__all__ = [
    "FORMAT_NAME", "FORMAT_VERSION", "MIGRATIONS", "MAX_FILE_BYTES", "MAX_LAYERS",
    "MAX_UNITS", "MAX_PARAMETERS", "FileFormatError", "project_to_dict",
    "project_from_dict", "dumps", "loads", "load_project", "save_project",
    "atomic_write_bytes", "user_message", "CsvCancelled", "CsvData", "CsvError", "CsvFormat", "preview",
    "read_csv", "sniff", "to_imported",
]
