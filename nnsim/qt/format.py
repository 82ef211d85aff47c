"""How numbers are written everywhere in the window (one source of truth)."""
from __future__ import annotations

import math

SIG_DIGITS = 4


def fmt(x: float, digits: int = SIG_DIGITS) -> str:
    """Compact, 4 significant digits: 0.1523, -2.31e-05, 1.2e+04, nan."""
    x = float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def fmt_vector(values) -> str:
    return "(" + ", ".join(fmt(v) for v in values) + ")"
