"""The run panel's explanation of a failing run (``Document.diagnosis``):
each finding in words, its suggestion, and a button for each suggestion that
is a setting ("Use learning rate 5", "Use leaky ReLU in layer 1",
"Reinitialise"). The neurons it names are marked on the canvas.
"""
from __future__ import annotations

from html import escape
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

WARNING_TEXT = "#7a4a00"


class FindingsBox(QFrame):
    """Shows findings; ``apply(remedy)`` is called when a remedy's button is clicked."""

    def __init__(self, apply: Callable, parent=None):
        super().__init__(parent)
        self.setObjectName("findings_box")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#findings_box { background: #fff4dc; border: 1px solid #e0b65a; "
                           "border-radius: 4px; }")
        self._apply = apply
        self._shown: tuple = ()
        self.labels: list[QLabel] = []
        self.buttons: list[QPushButton] = []
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(8, 6, 8, 6)
        self._lay.setSpacing(6)
        self.hide()

    def texts(self) -> list[str]:
        """The findings on show, as plain text."""
        return [f.text for f in self._shown]

    def show_findings(self, findings) -> None:
        findings = tuple(findings)
        if findings == self._shown:
            return  # the same (four times a second during a run): no relayout
        self._shown = findings
        while self._lay.count():
            item = self._lay.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
            elif item.layout() is not None:
                while item.layout().count():
                    w = item.layout().takeAt(0).widget()
                    if w is not None:
                        w.deleteLater()
        self.labels, self.buttons = [], []
        seen = set()
        for f in findings:
            label = QLabel(f"\u26a0 {escape(f.message)} <b>{escape(f.suggestion)}</b>")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setObjectName("finding_label")
            label.setWordWrap(True)
            label.setStyleSheet(f"color: {WARNING_TEXT}; background: transparent;")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._lay.addWidget(label)
            self.labels.append(label)
            row = QHBoxLayout()
            for remedy in f.remedies:
                if remedy in seen:  # "Reinitialise" once, however many findings suggest it
                    continue
                seen.add(remedy)
                button = QPushButton(remedy.label)
                button.setObjectName("remedy_button")
                button.setToolTip("Take this suggestion (undoable)")
                button.clicked.connect(lambda _c=False, r=remedy: self._apply(r))
                row.addWidget(button)
                self.buttons.append(button)
            if row.count():
                row.addStretch(1)
                self._lay.addLayout(row)
        self.setVisible(bool(findings))
