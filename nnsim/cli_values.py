"""Command-line values, for `nnsim train/trace/explain` and the window's
options alike: checked while the arguments are parsed, before any file is read
or anything is trained, within the same limits the file validators use
(:mod:`nnsim.core.limits`). argparse names the option in each refusal
("argument --epochs: expected a whole number from 1 to 1,000,000,000, ...").

Values may start with a minus: ``--input -0.5,0.3``, ``--target -1``.
argparse takes such a word for an option of its own and answers only
"expected one argument"; :class:`ValueParser` hands it to the option instead.
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from typing import Callable

from .core.limits import MAX_LEARNING_RATE, MAX_REGULARIZATION_RATE

# a word that is a value, not an option: a minus, then a digit, a point and a
# digit, or a spelled-out non-finite number (refused later with its own words)
_NEGATIVE_VALUE = re.compile(r"-(\d|\.\d|inf|nan)", re.IGNORECASE)


class ValueParser(argparse.ArgumentParser):
    """An ArgumentParser whose options take values that start with a minus."""

    def parse_known_args(self, args=None, namespace=None):
        args = self._glue_negative_values(list(sys.argv[1:] if args is None else args))
        return super().parse_known_args(args, namespace)

    def _glue_negative_values(self, argv: list[str]) -> list[str]:
        """``--input -0.5,0.3`` as ``--input=-0.5,0.3`` for each option of
        this parser that takes one value (a subcommand's parser does its own)."""
        takes_value = {s for a in self._actions if a.option_strings and a.nargs is None
                       for s in a.option_strings}
        out: list[str] = []
        for n, word in enumerate(argv):
            if word == "--":  # what follows is positional, left as it is
                return out + argv[n:]
            if out and out[-1] in takes_value and _NEGATIVE_VALUE.match(word):
                out[-1] += "=" + word
            else:
                out.append(word)
        return out


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def whole(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``lo`` to ``hi``."""
    def convert(text: str) -> int:
        words = f"expected a whole number from {lo:,} to {hi:,}"
        try:
            value = int(text.strip(), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{words}, got {_shown(text)}") from None
        if not lo <= value <= hi:
            got = str(value) if len(str(value)) <= 30 else f"a number with {len(str(value))} digits"
            raise argparse.ArgumentTypeError(f"{words}, got {got}")
        return value
    convert.__name__ = "whole number"
    return convert


def finite(text: str) -> float:
    """An argparse type: a finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {_shown(text)}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {_shown(text)}")
    return value


def learning_rate(text: str) -> float:
    """An argparse type: a learning rate, above 0 and at most MAX_LEARNING_RATE
    (training.learning_rate's range in a file)."""
    value = finite(text)
    if not 0 < value <= MAX_LEARNING_RATE:
        raise argparse.ArgumentTypeError(f"expected a learning rate above 0 and at most "
                                         f"{int(MAX_LEARNING_RATE):,}, got {_shown(text)}")
    return value


def penalty_rate(text: str) -> float:
    """An argparse type: an L1/L2 rate, from 0 to MAX_REGULARIZATION_RATE
    (training.regularization_rate's range in a file)."""
    value = finite(text)
    if not 0 <= value <= MAX_REGULARIZATION_RATE:
        raise argparse.ArgumentTypeError(f"expected a rate from 0 to "
                                         f"{MAX_REGULARIZATION_RATE:g}, got {_shown(text)}")
    return value


def vector(text: str) -> list[float]:
    """An argparse type: comma-separated finite numbers such as -0.5,0.3."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {_shown(text)}")
    return [finite(p) for p in parts]


# Shown at the end of each --help: a user copies an example before reading the rest.
EXAMPLES = {
    "nnsim": """examples:
  nnsim                                     open the window on the lecture's network
  nnsim net.nnsim                           open a file in the window
  nnsim train net.nnsim --epochs 500 --lr 0.05 --out trained.nnsim
  nnsim trace net.nnsim --input -0.5,0.3 --target -1
  nnsim explain net.nnsim --sample 0 --out step.md
  nnsim export net.nnsim --to onnx net.onnx        (or --to pytorch net.py)
  nnsim import model.onnx net.nnsim
  nnsim net.nnsim --screenshot out.png --size 1280x720 --steps 3

Each command explains its options: nnsim train --help, nnsim trace --help, ...""",
    "train": """examples:
  nnsim train net.nnsim                     the file's epochs, learning rate and data
  nnsim train net.nnsim --epochs 500 --lr 0.05 --batch-size 8 --out trained.nnsim
  nnsim train net.nnsim --seed 4 --epochs 100   afresh: new weights from seed 4
  nnsim train net.nnsim --l2 0.001          with L2 regularisation (--l1 likewise)""",
    "trace": """examples:
  nnsim trace net.nnsim --input -0.5,0.3 --target -1
  nnsim trace net.nnsim --sample 0 --lr 0.5 --json

Values may start with a minus: --input -0.5,0.3 and --input=-0.5,0.3 are the same.""",
    "explain": """examples:
  nnsim explain net.nnsim                   sample 0 of the file's data, as Markdown
  nnsim explain net.nnsim --input -1,0.5 --target 0 --out step.html""",
}
