"""Views ask the document: no widget reaches the document's stepper (its
computing engine) or the core stepper module."""
import re
from pathlib import Path

import nnsim.qt

QT = Path(nnsim.qt.__file__).parent


def test_no_view_reads_the_stepper():
    offenders = [f"{path.relative_to(QT)}:{n}: {line.strip()}"
                 for path in sorted(QT.rglob("*.py"))
                 for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                 if re.search(r"\.\_?stepper\b|core\.stepper|core import stepper", line)]
    assert offenders == []
