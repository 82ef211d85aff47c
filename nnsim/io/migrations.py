"""MIGRATIONS[v - 1] turns the dict of a version-v file into a version v+1
dict (plain JSON values in, plain JSON values out; it may raise Invalid).
Loading a version-v file runs MIGRATIONS[v - 1:] in order, then validates the
result as the current version. Bump ``format_rules.FORMAT_VERSION`` and append
one function here for every change that an older nnsim would misread."""
from __future__ import annotations

from typing import Callable

from .format_rules import FORMAT_VERSION
from .history_columns import v1_to_v2  # version 2: the history as columns, long arrays packed

MIGRATIONS: list[Callable[[dict], dict]] = [v1_to_v2]
assert len(MIGRATIONS) == FORMAT_VERSION - 1
