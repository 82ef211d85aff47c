"""A dismissible bar above the canvas: what the example just opened is about."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class InfoBar(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("info_bar")
        self.setStyleSheet("#info_bar { background: #e8f0fe; border-bottom: 1px solid #c6d5f5; }")
        self.label = QLabel(self)
        self.label.setObjectName("info_text")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("info_close")
        self.close_button.setText("\u2715")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide this note")
        self.close_button.clicked.connect(self.hide)
        self.note = ""
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 4, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_note(self, title: str, text: str) -> None:
        """Show ``title`` in bold and ``text`` after it; nothing to say hides the bar."""
        if not (title or text):
            self.hide()
            return
        dash = " \u2014 " if title and text else ""
        self.note = f"{title}{dash}{text}"  # as plain text, for tests and tooltips
        self.label.setText(f"<b>{escape(title)}</b>{dash}{escape(text)}")
        self.show()
