"""Help > First steps and Help > About.

The colour table comes from the canvas legend's rows and the shortcut table
from the window's menus, so both stay true when those change.
"""
from __future__ import annotations

import platform
from html import escape

import numpy
import PySide6
import pyqtgraph
from PySide6.QtCore import qVersion
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMenuBar, QTextBrowser, QVBoxLayout

from .. import __version__
from .canvas import palette
from .canvas.items import LegendItem


class HelpDialog(QDialog):
    """A non-modal window with one page of text (the window keeps working)."""

    def __init__(self, title: str, html: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)
        self.resize(640, 560)


def _key(action) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcut_rows(menu_bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for every menu action with a shortcut, in menu order."""
    rows = []

    def walk(menu, where):
        for a in menu.actions():
            if a.menu() is not None:
                walk(a.menu(), f"{where} \u203a {_plain(a.menu().title())}")
            elif not a.isSeparator() and not a.shortcut().isEmpty():
                keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                                 for k in a.shortcuts())
                # "help_name": a stable name for actions whose text changes (Undo <edit>)
                rows.append((where, a.property("help_name") or _plain(a.text()), keys))
    for top in menu_bar.actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.menu().title()))
    return rows


def _swatch(kind: str, color) -> str:
    if kind == "text":
        return ""
    c = color.name()
    if kind == "line":
        return f'<span style="color:{c}; font-size:large"><b>\u2501\u2501\u2501</b></span>'
    if kind == "dash":
        return f'<span style="color:{c}"><b>- - -</b></span>'
    if kind == "flag":  # the canvas's dashed ring with a "!" (a neuron the run panel names)
        return f'<span style="color:{c}"><b>\u25cc!</b></span>'
    return f'<span style="background:{c}">&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;</span>'


def first_steps_html(window) -> str:
    """What to press first, what the canvas shows, and every shortcut."""
    k = lambda action: f"<b>{escape(_key(action))}</b>"  # noqa: E731
    w = window
    steps = [
        f"Press {k(w.act_next)} (Next Step) again and again: forward through the layers "
        "(every z and a), then the loss, then backward (every \u03b4 and \u2202L/\u2202w), "
        "then the update of every weight.",
        "Click a connection or a neuron: the Inspector spells out its chain rule with the "
        "numbers of this pass.",
        f"{k(w.act_step_back)} (Step Back) goes back exactly one step of what you did: a "
        "micro-step, an update, or an epoch; its tooltip says where it lands. "
        f"{k(w.act_step_sample)} finishes the sample, {k(w.act_step_epoch)} the epoch.",
        f"{k(w.act_play)} (Play / Pause) trains toward the epoch target; the Loss plot and the "
        "Decision map follow.",
        "File \u203a Examples opens the lecture's other networks. "
        f"{k(w.act_present)} (Presentation Mode) shows just the canvas, with larger text, "
        f"for a class; {k(w.act_larger_text)} and {k(w.act_smaller_text)} change the text size.",
    ]
    legend = "".join(f"<tr><td>{_swatch(kind, color)}</td><td>{escape(text)}</td></tr>"
                     for kind, _what, color, text in LegendItem.ROWS)
    selection = palette.SELECTION.name()
    legend += (f'<tr><td><span style="color:{selection}"><b>\u25ef</b></span></td>'
               "<td>the selected neuron or connection</td></tr>")
    keys = "".join(f"<tr><td>{escape(menu)}</td><td>{escape(name)}</td>"
                   f"<td><b>{escape(key)}</b></td></tr>"
                   for menu, name, key in shortcut_rows(window.menuBar()))
    return (
        "<h2>First steps</h2><h3>What to press first</h3><ol>"
        + "".join(f"<li>{s}</li>" for s in steps) + "</ol>"
        "<h3>What the canvas shows</h3>"
        f"<table cellspacing='4'>{legend}</table>"
        f"<p>A connection's line is wider the larger its value is compared with the largest "
        f"value of the same kind on the canvas (from {palette.MIN_WIDTH:g} to "
        f"{palette.MAX_WIDTH:g} px). View \u203a Edge Labels chooses what the connections' "
        "labels show.</p>"
        f"<h3>Keyboard shortcuts</h3><table cellspacing='4'>{keys}</table>")


def versions() -> dict[str, str]:
    return {"nnsim": __version__,
            "Python": platform.python_version(),
            "PySide6": PySide6.__version__,
            "Qt (runtime)": qVersion(),
            "NumPy": numpy.__version__,
            "pyqtgraph": pyqtgraph.__version__}


def about_html() -> str:
    rows = "".join(f"<tr><td>{escape(name)}</td><td><b>{escape(v)}</b></td></tr>"
                   for name, v in versions().items())
    return ("<h2>nnsim</h2><p>A neural-network simulator that shows every number of "
            "backpropagation: step forward and backward through a network you drew, with "
            "every z, a, \u03b4 and \u2202L/\u2202w on the canvas.</p>"
            f"<table cellspacing='4'>{rows}</table>")
