"""CSV files for the import dialog: reading, sniffing, previewing and turning
columns into points. The rules are the file layer's (nnsim.io.csv_import);
views reach them through the document layer, like every file-format rule."""
from ..io.csv_import import (MAX_ROWS, SEPARATORS, ClassSuggestion, CsvCancelled, CsvData,
                             CsvError, CsvFormat, preview_lines, read_csv, sniff,
                             suggest_classes, to_imported)

__all__ = ["MAX_ROWS", "SEPARATORS", "ClassSuggestion", "CsvCancelled", "CsvData", "CsvError",
           "CsvFormat", "preview_lines", "read_csv", "sniff", "suggest_classes", "to_imported"]
