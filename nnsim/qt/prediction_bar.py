"""Predict, then reveal: a bar above the canvas that asks for one number of
the next micro-step before the step shows it.

Inline, not a dialog, so the canvas stays in view. Keyboard only: the answer
field has the focus, Enter checks (and then runs the step, so the canvas
reveals the number), Esc skips (the step runs too). The question, the true
value and the formula come from the document; the bar only keeps the
session's score.
"""
from __future__ import annotations

from html import escape
from typing import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..core.prediction import AnswerError, Question, check, parse_answer
from .selection import EdgeRef, NeuronRef

IDLE_TEXT = ("Predict mode is on: press Forward, Backward, Update or Space, and type the "
             "number the step will show first.")
COLOURS = {"right": "#1b7f3b", "wrong": "#b3261e", "invalid": "#8a5a00", "skipped": "#555"}


class PredictionBar(QFrame):
    score_changed = Signal(str)  # "3 of 4 right, 1 skipped"
    finished = Signal()  # answered or skipped: the keyboard can go back to the canvas

    def __init__(self, parent: QWidget | None = None, rng: np.random.Generator | None = None):
        super().__init__(parent)
        self.setObjectName("prediction_bar")
        self.setStyleSheet("#prediction_bar { background: #fff8e1; "
                           "border-bottom: 1px solid #e6d08a; }")
        self.rng = rng if rng is not None else np.random.default_rng()
        self.document = None
        self.question: Question | None = None  # the open question (None: none asked)
        self._perform: Callable[[], object] | None = None
        self._stepping = False  # our own step is running: its signal is no change
        self.right = self.wrong = self.skipped = 0

        self.prompt = QLabel(IDLE_TEXT, self)
        self.prompt.setObjectName("prediction_prompt")
        self.prompt.setWordWrap(True)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("prediction_answer")
        # the keys in the field itself: the prompt keeps the room at 1280x720
        self.edit.setPlaceholderText("Enter checks, Esc skips")
        self.edit.setToolTip("Type the number the step will show, then Enter; Esc skips")
        self.edit.setFixedWidth(self.edit.fontMetrics().horizontalAdvance(
            self.edit.placeholderText()) + 24)
        self.edit.returnPressed.connect(self.answer)
        self.edit.installEventFilter(self)  # Esc skips
        self.score_label = QLabel(self)
        self.score_label.setObjectName("prediction_score")
        self.result = QLabel(self)
        self.result.setObjectName("prediction_result")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # the question (then the verdict) and the score on the first line, the
        # formula with the numbers under it: three lines at most at 1280x720
        top = QHBoxLayout()
        top.addWidget(self.prompt, 1)
        top.addWidget(self.edit)
        top.addSpacing(8)
        top.addWidget(self.score_label, 0, Qt.AlignmentFlag.AlignTop)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 4)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.result)
        self._show_idle()
        self._show_score()
        self.hide()

    # -- the session ------------------------------------------------------------
    @property
    def pending(self) -> bool:
        return self.question is not None

    @property
    def score(self) -> str:
        answered = self.right + self.wrong
        text = f"{self.right} of {answered} right" if answered else "no answers yet"
        return text + (f", {self.skipped} skipped" if self.skipped else "")

    def set_document(self, document) -> None:
        """Follow another document; an open question about the old one goes."""
        if self.document is not None:
            self.document.changed.disconnect(self._on_document_changed)
        self.document = document
        document.changed.connect(self._on_document_changed)
        self.cancel()

    def ask(self, perform: Callable[[], object], selection=None) -> None:
        """Ask for a number of the next micro-step; ``perform`` runs that step
        once the user has answered or skipped."""
        if self.pending:  # asked already: back to the answer field
            self.edit.setFocus()
            return
        neuron = edge = None
        if isinstance(selection, NeuronRef):
            neuron = (selection.layer, selection.neuron)
        elif isinstance(selection, EdgeRef):
            edge = (selection.layer, selection.source, selection.target)
        self.question = self.document.prediction_question(self.rng, neuron, edge)
        self._perform = perform
        self.prompt.setText(f"<b>{escape(self.question.prompt)}:</b>")
        self.prompt.setToolTip(f"The {self.question.step.label.lower()} step computes it")
        self.result.setText("")
        self.result.hide()
        self.edit.clear()
        self.edit.show()
        self.show()
        self.edit.setFocus()

    def answer(self) -> None:
        """Enter: check the typed number; not a number: say so and ask again."""
        if not self.pending:
            return
        typed = self.edit.text()
        try:
            parse_answer(typed)
        except AnswerError as e:
            self._show_result("invalid", escape(str(e)))
            self.edit.selectAll()
            return
        question = self.question
        value, explanation = self._run_step()
        verdict = check(question, typed, value)
        if verdict.status == "right":
            self.right += 1
        else:
            self.wrong += 1
        self._finish(verdict.status, verdict.message, explanation)

    def skip(self) -> None:
        """Esc: no answer; the step runs and shows its number."""
        if not self.pending:
            return
        symbol = self.question.symbol
        value, explanation = self._run_step()
        self.skipped += 1
        self._finish("skipped", f"Skipped: {symbol} = {explanation.rsplit(' = ', 1)[-1]}.",
                     explanation)

    def cancel(self) -> None:
        """Drop an open question without stepping (the mode went off, the
        network or the cycle changed under it)."""
        self.question, self._perform = None, None
        self._show_idle()

    # -- inside -------------------------------------------------------------------
    def _run_step(self) -> tuple[float, str]:
        question, perform = self.question, self._perform
        self.question, self._perform = None, None
        self._stepping = True
        try:
            perform()
        finally:
            self._stepping = False
        return self.document.prediction_reveal(question)

    def _finish(self, status: str, message: str, explanation: str) -> None:
        self.edit.hide()
        self.prompt.setText(f"<b style='color:{COLOURS[status]}'>{escape(message)}</b>")
        self._show_result(status, escape(explanation))
        self._show_score()
        self.finished.emit()

    def _show_result(self, status: str, html: str) -> None:
        self.result.setProperty("status", status)
        self.result.setText(f"<span style='color:{COLOURS[status]}'>{html}</span>")
        self.result.show()

    def _show_idle(self) -> None:
        self.prompt.setText(IDLE_TEXT)
        self.prompt.setToolTip("")
        for w in (self.edit, self.result):
            w.hide()

    def _show_score(self) -> None:
        self.score_label.setText(f"Score: {self.score}")
        self.score_changed.emit(self.score)

    def _on_document_changed(self, change) -> None:
        if not change.numbers:
            return  # a save or a layout move leaves the question standing
        if self.pending and not self._stepping:  # stepped or edited some other way
            self.cancel()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.edit and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Escape):
            self.skip()
            return True
        return super().eventFilter(watched, event)
