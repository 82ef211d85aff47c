"""A dismissible bar above the canvas: what the example just opened is about.

It takes one line, so the canvas keeps its room on a 1280x720 projector: the
title and as much of the description as fits, "More" shows all of it. The
whole description is also at the top of the inspector while nothing is
selected.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class InfoBar(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("info_bar")
        self.setStyleSheet("#info_bar { background: #e8f0fe; border-bottom: 1px solid #c6d5f5; }")
        self.label = QLabel(self)
        self.label.setObjectName("info_text")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setMinimumWidth(1)  # the text is elided, never the bar widened
        self.more_button = QToolButton(self)
        self.more_button.setObjectName("info_more")
        self.more_button.setAutoRaise(True)
        self.more_button.setCheckable(True)
        self.more_button.setText("More")
        self.more_button.setToolTip("Show the whole description")
        self.more_button.toggled.connect(self._relayout)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("info_close")
        self.close_button.setText("\u2715")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide this note")
        self.close_button.clicked.connect(self.hide)
        self.title, self.text = "", ""
        self.note = ""  # title and description as plain text, for tests and tooltips
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 2, 4, 2)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_note(self, title: str, text: str) -> None:
        """Show ``title`` in bold and ``text`` after it; nothing to say hides the bar."""
        if not (title or text):
            self.hide()
            return
        self.title, self.text = title, text
        dash = " \u2014 " if title and text else ""
        self.note = f"{title}{dash}{text}"
        self.label.setToolTip(self.note)
        self.more_button.setChecked(False)
        self.show()
        self._relayout()

    @property
    def expanded(self) -> bool:
        return self.more_button.isChecked()

    def _relayout(self, *_args) -> None:
        """One elided line, or the whole note wrapped when expanded."""
        dash = " \u2014 " if self.title and self.text else ""
        title = f"<b>{escape(self.title)}</b>{dash}"
        if self.expanded:
            self.label.setWordWrap(True)
            self.label.setText(title + escape(self.text))
            self.more_button.setText("Less")
            self.more_button.show()
            return
        self.label.setWordWrap(False)
        metrics = self.label.fontMetrics()
        bold = self.label.font()
        bold.setBold(True)
        room = self.label.width() - QFontMetrics(bold).horizontalAdvance(self.title) \
            - metrics.horizontalAdvance(dash) - 4
        shown = metrics.elidedText(self.text, Qt.TextElideMode.ElideRight, max(room, 0))
        self.label.setText(title + escape(shown))
        self.more_button.setText("More")
        self.more_button.setVisible(shown != self.text)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self.expanded and self.note:
            self._relayout()
