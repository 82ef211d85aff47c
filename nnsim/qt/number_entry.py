"""Reading a number a user typed (weight editors, learning rate, epsilon, ...):
one set of rules and wordings for every field."""
from __future__ import annotations

import math

from ..core.naming import fmt_setting


def parse_number(text: str, what: str = "value", *, allow: str = "any",
                 maximum: float | None = None, example: str = "0.25, -1.5 or 2e-3") -> float:
    """The number in ``text``; ValueError with a message naming ``what``.

    A single decimal comma is accepted (0,25). ``allow`` is "any",
    "non_negative" or "positive"; ``maximum`` caps the value.
    """
    t = text.strip()
    if "," in t and "." not in t and t.count(",") == 1:
        t = t.replace(",", ".")  # a decimal comma
    try:
        value = float(t)
    except ValueError:
        shown = text.strip() or "(nothing)"
        raise ValueError(f"\u201c{shown}\u201d is not a number: type a {what} such as "
                         f"{example}.") from None
    if not math.isfinite(value):
        raise ValueError(f"The {what} must be a finite number, not \u201c{text.strip()}\u201d.")
    if allow == "positive" and value <= 0:
        raise ValueError(f"The {what} must be above 0 (got {fmt_setting(value)}); "
                         f"try {example}.")
    if allow == "non_negative" and value < 0:
        raise ValueError(f"The {what} cannot be negative (got {fmt_setting(value)}).")
    if maximum is not None and value > maximum:
        raise ValueError(f"A {what} of {fmt_setting(value)} is above the limit of "
                         f"{fmt_setting(maximum)}; try {example}.")
    return value
