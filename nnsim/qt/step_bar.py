"""The step bar: the stepping actions, the sample being traced and what comes next."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSpinBox, QToolBar, QWidget

from ..document import MicroStep
from ..core.naming import fmt_vector


class StepBar(QToolBar):
    """Shows the stepping actions, a sample chooser and a read-out of the
    traced sample. ``sample_chosen(index or None)``: None follows the epoch."""

    sample_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Step", parent)
        self.setObjectName("step_bar")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.sample_box = QSpinBox(self)
        self.sample_box.setObjectName("sample_box")
        self.sample_box.setPrefix("sample ")
        # numbered from 1 like the Data panel's rows; 0 is "next in epoch"
        self.sample_box.setSpecialValueText("next in epoch")
        self.sample_box.setMinimum(0)
        self.sample_box.setToolTip("The training sample to trace (its row in the Data "
                                   "panel): pick one, or follow the epoch")
        self.sample_box.valueChanged.connect(
            lambda v: self.sample_chosen.emit(None if v == 0 else v - 1))
        self.sample_label = QLabel(self)
        self.sample_label.setObjectName("sample_label")
        self.next_label = QLabel(self)
        self.next_label.setObjectName("next_label")

    def add_widgets(self) -> None:
        """Append the chooser and read-outs after the actions."""
        self.addSeparator()
        self.addWidget(QLabel(" Trace: "))
        self.addWidget(self.sample_box)
        self.addWidget(self.sample_label)
        self.addSeparator()
        self.addWidget(self.next_label)

    def set_sample_count(self, n: int) -> None:
        self.sample_box.blockSignals(True)
        self.sample_box.setMaximum(n)
        self.sample_box.blockSignals(False)

    def set_pinned(self, index: int | None) -> None:
        self.sample_box.blockSignals(True)
        self.sample_box.setValue(0 if index is None else index + 1)
        self.sample_box.blockSignals(False)

    def show_sample(self, indices: tuple[int, ...], X, Y) -> None:
        if not indices:
            self.sample_label.setText("  no sample: the data set has no training rows  ")
        elif len(indices) == 1:
            self.sample_label.setText(f"  #{indices[0] + 1}: x = {fmt_vector(X[0])}, "
                                      f"y = {fmt_vector(Y[0])}  ")
        else:
            self.sample_label.setText(f"  mini-batch of {len(indices)} samples "
                                      f"(#{', #'.join(str(i + 1) for i in indices[:4])}"
                                      f"{', …' if len(indices) > 4 else ''})  ")

    def show_next(self, step: MicroStep, in_cycle: bool) -> None:
        self.next_label.setText(f"  next: {step.label.lower()}"
                                + ("" if in_cycle else " (new pass)"))
