"""User-supplied names (CSV columns, class labels, titles, file names) shown
exactly as typed, never as markup.

Qt guesses: a QLabel or a tooltip whose text looks like HTML is rendered as
rich text, and pyqtgraph's axis labels and titles are HTML. A column named
``<img src="/some/file">`` would then load a local image, ``<b>y</b>``
would show as a bold y. Every view puts a user's text through one of these.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel


def html_text(text: str) -> str:
    """``text`` to embed in HTML (a rich-text label, a pyqtgraph label)."""
    return escape(str(text), quote=False)


def plain_label(label: QLabel) -> QLabel:
    """``label`` showing its text as plain text, whatever it looks like."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def tooltip(text: str) -> str:
    """A tooltip showing ``text`` as typed (Qt renders a tooltip that looks
    like HTML as rich text; this one is HTML that says exactly the text)."""
    return GuiQt.convertFromPlainText(str(text), Qt.WhiteSpaceMode.WhiteSpaceNormal)
