"""The data panel's input options: feature inputs and standardisation.

What the network sees of the data (core/input_transform.py, reached through
the document): for two-input data, feature inputs x1², x2², x1·x2, sin x1,
sin x2 as toggle buttons (each adds or removes an input neuron, one undo
step); for any data, "Standardise inputs" with the training rows' means and
deviations shown. A one-line prompt suggests standardising when the columns'
scales differ by more than 10 times or a column lies far from 0. The points
table keeps showing the data as typed or imported.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QLabel, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from ..core.naming import fmt
from ..document import Document, EditError
from .plain_text import plain_label, tooltip

MUTED = "#5f6368"
FEATURES_PER_ROW = 3
# a chosen feature must read as chosen from across the room: filled, as Playground does
CHECKED_STYLE = ("QPushButton:checked { background: #2166ac; color: white; "
                 "border: 1px solid #174a7c; border-radius: 3px; font-weight: bold; }")
ADVICE_COLOR = "#8a4b00"  # dark amber: a suggestion, not an error
ERROR_COLOR = "#b00020"


class InputOptionsWidget(QWidget):
    """Feature inputs and standardisation of the document's data."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("input_options")
        self.document: Document | None = None

        # three buttons a row: the panel stays as narrow as its dock
        self.feature_buttons: dict[str, QPushButton] = {}
        self.features_box = QWidget(self)
        self.features_grid = QGridLayout(self.features_box)
        self.features_grid.setContentsMargins(0, 0, 0, 0)
        self.features_grid.setHorizontalSpacing(4)
        self.features_grid.setVerticalSpacing(2)
        self.features_label = QLabel("Feature inputs (extra input neurons):", self.features_box)
        self.features_grid.addWidget(self.features_label, 0, 0, 1, FEATURES_PER_ROW)

        self.standardize_box = QCheckBox("Standardise inputs", self)
        self.standardize_box.setObjectName("standardize_box")
        self.standardize_box.setToolTip(
            "The network sees each input minus its mean, divided by its standard deviation, "
            "both from the training rows; test rows, traced samples and the map use the "
            "same numbers. The points table keeps your values.")
        self.standardize_box.toggled.connect(self._on_standardize_toggled)
        self.stats_label = QLabel(self)
        self.stats_label.setObjectName("stats_label")
        self.stats_label.setWordWrap(True)
        self.stats_label.setTextFormat(Qt.TextFormat.RichText)
        self.stats_label.setStyleSheet(f"color: {MUTED};")
        self.advice_label = plain_label(QLabel(self))  # names as typed
        self.advice_label.setObjectName("advice_label")
        self.advice_label.setWordWrap(True)
        self.advice_label.setStyleSheet(f"color: {ADVICE_COLOR};")
        self.message_label = plain_label(QLabel(self))
        self.message_label.setObjectName("input_message_label")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.features_box)
        layout.addWidget(self.advice_label)
        layout.addWidget(self.standardize_box)
        layout.addWidget(self.stats_label)
        layout.addWidget(self.message_label)
        self.set_document(document)

    def set_document(self, document: Document) -> None:
        if self.document is not None:
            self.document.changed.disconnect(self._on_document_changed)
        self.document = document
        document.changed.connect(self._on_document_changed)
        self.refresh()

    def _on_document_changed(self, change) -> None:
        if change.data:
            self.refresh()

    def refresh(self) -> None:
        """Show the document's choice (after any data change, undo too)."""
        doc = self.document
        choices = doc.feature_choices()
        if [key for key, _, _ in choices] != list(self.feature_buttons):
            self._build_feature_buttons(choices)
        for key, name, on in choices:
            button = self.feature_buttons[key]
            button.blockSignals(True)
            button.setText(name)
            button.setChecked(on)
            button.blockSignals(False)
        self.features_box.setVisible(bool(choices))
        self.standardize_box.blockSignals(True)
        self.standardize_box.setChecked(doc.input_options.standardize)
        self.standardize_box.blockSignals(False)
        stats = doc.input_statistics()
        self.stats_label.setText("<br>".join(
            f"{html.escape(name)}: mean {fmt(m)}, deviation {fmt(s)}" for name, m, s in stats))
        self.stats_label.setVisible(bool(stats))
        advice = doc.scaling_advice()
        self.advice_label.setText(advice or "")
        self.advice_label.setVisible(bool(advice))
        self.message_label.hide()

    def _build_feature_buttons(self, choices) -> None:
        for button in self.feature_buttons.values():
            self.features_grid.removeWidget(button)
            button.deleteLater()
        self.feature_buttons = {}
        for n, (key, name, _) in enumerate(choices):
            button = QPushButton(name, self.features_box)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setObjectName(f"feature_{key}")
            button.setCheckable(True)
            button.setStyleSheet(CHECKED_STYLE)
            button.setToolTip(tooltip(f"Give the network {name} as one more input neuron "
                                      "(computed from each point)"))  # names as typed
            button.toggled.connect(lambda on, key=key: self._on_feature_toggled(key, on))
            self.features_grid.addWidget(button, 1 + n // FEATURES_PER_ROW, n % FEATURES_PER_ROW)
            self.feature_buttons[key] = button

    # -- changes ---------------------------------------------------------------------
    def _on_feature_toggled(self, key: str, on: bool) -> None:
        self._run(lambda: self.document.set_feature(key, on))

    def _on_standardize_toggled(self, on: bool) -> None:
        self._run(lambda: self.document.set_standardize(on))

    def _run(self, command) -> None:
        try:
            command()
        except EditError as e:
            self.refresh()
            self.message_label.setText(str(e))
            self.message_label.show()
