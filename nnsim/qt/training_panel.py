"""The training panel: run controls and the training settings, for a dock.

Run controls on top (Play/Pause, Step epoch, Reset, speed, progress, a status
line and, when training blows up, what went wrong with a way back); the
settings below (learning rate as text and as a log-scale slider, batch size,
optimiser and its parameters, initialiser, seed, epochs per run, stop loss).

Every settings change is one ``document.set_training(...)`` call: undoable,
saved in the file, merged with repeated changes of the same setting (a
slider scrub is one undo step). The panel is a view: it refreshes from the
document on a ``changed`` with the ``settings`` flag (also after undo) and
never keeps values of
its own. Errors are shown in the panel through :meth:`show_error`.
"""
from __future__ import annotations

import math
from functools import wraps

from PySide6.QtCore import QRect, QSignalBlocker, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QFrame,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QScrollArea, QSizePolicy, QSlider, QSpinBox,
                               QStyle, QVBoxLayout, QWidget)

from .number_entry import parse_number
from ..core.initializers import INITIALIZERS
from ..core import limits
from ..core.limits import MAX_LEARNING_RATE, MAX_REGULARIZATION_RATE, MAX_SEED
from ..core.naming import fmt, fmt_epoch_rate, fmt_percent, fmt_setting
from ..core.optimizers import DEFAULT_PARAMS, OPTIMIZERS
from ..core.regularization import REGULARIZATIONS, TITLES as PENALTY_TITLES
from ..document import (DIVERGED, HISTORY_FULL, PAUSED, STOP_LOSS_REACHED, TARGET_REACHED,
                        DivergenceInfo, Document, EditError, Runner)
from ..document.diagnosis_watch import DiagnosisWatch
from .findings_box import FindingsBox

# The learning-rate slider: log scale from 1e-5 to 10, 20 positions per decade.
LR_MIN_EXP, LR_MAX_EXP, LR_STEPS_PER_DECADE = -5, 1, 20

SPEEDS = [("1 epoch/s", 1.0), ("5 epochs/s", 5.0), ("20 epochs/s", 20.0),
          ("100 epochs/s", 100.0), ("as fast as possible", None)]
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam"}
INITIALIZER_NAMES = {"xavier": "Xavier (Glorot)", "he": "He (for ReLU)",
                     "uniform": "Uniform \u00b11"}
DEFAULT_STOP_LOSS = 0.01

ERROR_COLOR = "#b00020"
MUTED_COLOR = "#5f6368"
PLAY_TEXT, PAUSE_TEXT = "\u25b6  Play", "\u275a\u275a  Pause"


# The rate a penalty starts with when chosen (TensorFlow Playground's smallest).
DEFAULT_PENALTY_RATE = 0.001


def slider_to_lr(position: int) -> float:
    """The learning rate at a slider position, to 2 significant digits."""
    value = 10.0 ** (LR_MIN_EXP + position / LR_STEPS_PER_DECADE)
    return float(f"{value:.2g}")


def lr_to_slider(lr: float) -> int:
    """The nearest slider position (clamped to the slider's range)."""
    top = (LR_MAX_EXP - LR_MIN_EXP) * LR_STEPS_PER_DECADE
    if not (lr > 0 and math.isfinite(lr)):
        return 0
    return max(0, min(top, round((math.log10(lr) - LR_MIN_EXP) * LR_STEPS_PER_DECADE)))


class LiveText(QWidget):
    """A read-out that changes many times a second (the status line).

    Unlike QLabel, setting its text never asks the window to lay itself out
    again (a QLabel does, which costs milliseconds per change in a full
    window): its height is fixed to ``lines`` lines and it only repaints.
    """

    def __init__(self, lines: int = 1, parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""
        self._lines = lines
        self._color: QColor | None = None
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.update()

    def set_color(self, color: str | None) -> None:
        new = QColor(color) if color else None
        if new != self._color:
            self._color = new
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(120, self.fontMetrics().lineSpacing() * self._lines + 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, self.sizeHint().height())

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setPen(self._color or self.palette().color(self.foregroundRole()))
        p.drawText(QRect(0, 0, self.width(), self.height()),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                   | Qt.TextFlag.TextWordWrap, self._text)
        p.end()


def _guarded(method):
    """Show an EditError (or ValueError) in the panel instead of raising."""
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (EditError, ValueError) as e:
            self.show_error(str(e))
            self.refresh()
            return None
    return wrapper


class TrainingPanel(QWidget):
    def __init__(self, document: Document, runner: Runner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("training_panel")
        self.document: Document | None = None
        self.runner = runner
        self._last_reason: str | None = None
        self._build()
        runner.started.connect(self._on_started)
        runner.paused.connect(self._on_paused)
        runner.progress.connect(self._on_progress)
        runner.diverged.connect(self._on_diverged)
        # what goes wrong in a run that stays finite (dead units, a stuck or jumping loss)
        self.diagnosis = DiagnosisWatch(runner, self)
        self.diagnosis.updated.connect(self.findings_box.show_findings)
        self.set_document(document)
        # As narrow as the content allows (it never scrolls sideways); the
        # height scrolls, so a short window (a 1280x720 projector) still fits.
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.setMinimumWidth(self._content.minimumSizeHint().width() + bar)

    # -- building -------------------------------------------------------------------
    def _build(self) -> None:
        # In a scroll area: a short dock scrolls instead of squeezing the
        # divergence report or the settings.
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("training_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setObjectName("training_content")
        outer = QVBoxLayout(content)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.setSpacing(8)
        outer.addWidget(self._build_run_group())
        outer.addWidget(self._build_settings_group())
        outer.addStretch(1)
        self.scroll_area.setWidget(content)
        self._content = content
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.scroll_area)

    def sizeHint(self) -> QSize:
        """All of the content (the scroll area alone would ask for less)."""
        hint = self._content.sizeHint()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return QSize(hint.width() + bar, hint.height())

    def _named(self, widget, name: str, tip: str = ""):
        widget.setObjectName(name)
        if tip:
            widget.setToolTip(tip)
        return widget

    def _build_run_group(self) -> QGroupBox:
        box = QGroupBox("Run", self)
        lay = QVBoxLayout(box)
        lay.setSpacing(6)
        buttons = QHBoxLayout()
        self.play_button = self._named(QPushButton(PLAY_TEXT), "play_button",
                                       "Train epoch after epoch until the target, the stop loss "
                                       "or Pause")
        self.play_button.setDefault(False)
        self.play_button.clicked.connect(self._on_play_clicked)
        self.step_button = self._named(QPushButton("Step epoch"), "step_epoch_button",
                                       "Train one epoch (pauses a run)")
        self.step_button.clicked.connect(self._on_step_clicked)
        self.reset_button = self._named(QPushButton("Reset"), "reset_button",
                                        "Back to the weights the seed gives, with an empty "
                                        "loss history (undoable)")
        self.reset_button.clicked.connect(self._on_reset_clicked)
        for b in (self.play_button, self.step_button, self.reset_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)

        speed_row = QHBoxLayout()
        speed_label = QLabel("Speed")
        self.speed_combo = self._named(QComboBox(), "speed_combo",
                                       "How fast Play trains (a slow speed lets you watch "
                                       "the weights change)")
        for text, speed in SPEEDS:
            self.speed_combo.addItem(text, speed)
        self.speed_combo.setCurrentIndex(len(SPEEDS) - 1)
        self.speed_combo.currentIndexChanged.connect(self._on_speed_chosen)
        speed_label.setBuddy(self.speed_combo)
        speed_row.addWidget(speed_label)
        speed_row.addWidget(self.speed_combo, 1)
        lay.addLayout(speed_row)

        self.progress_bar = self._named(QProgressBar(), "progress_bar",
                                        "Epochs of this run toward the target")
        self.progress_bar.setTextVisible(False)  # the status line below says it in words
        self.progress_bar.setMaximumHeight(12)
        lay.addWidget(self.progress_bar)
        self.status_label = self._named(LiveText(1), "status_label")
        lay.addWidget(self.status_label)
        self.loss_label = self._named(LiveText(2), "loss_label")
        self.loss_label.set_color(MUTED_COLOR)
        lay.addWidget(self.loss_label)

        self.divergence_box = self._named(QFrame(), "divergence_box")
        self.divergence_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.divergence_box.setStyleSheet(
            "#divergence_box { background: #fdecee; border: 1px solid #e8a5ad; "
            "border-radius: 4px; }")
        dl = QVBoxLayout(self.divergence_box)
        dl.setContentsMargins(8, 6, 8, 6)
        self.divergence_label = self._named(QLabel(), "divergence_label")
        self.divergence_label.setWordWrap(True)
        self.divergence_label.setStyleSheet(f"color: {ERROR_COLOR}; background: transparent;")
        self.divergence_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        dl.addWidget(self.divergence_label)
        db = QHBoxLayout()
        self.step_back_button = self._named(QPushButton("Step back to finite"),
                                            "step_back_button",
                                            "Undo the training that diverged (the weights "
                                            "before it were finite)")
        self.step_back_button.clicked.connect(self._on_step_back_clicked)
        self.use_lr_button = self._named(QPushButton(), "use_suggested_lr_button",
                                         "Set the suggested learning rate (undoable)")
        self.use_lr_button.clicked.connect(self._on_use_lr_clicked)
        db.addWidget(self.step_back_button)
        db.addWidget(self.use_lr_button)
        dl.addLayout(db)
        self.divergence_box.hide()
        lay.addWidget(self.divergence_box)
        self.findings_box = FindingsBox(self._apply_remedy)
        lay.addWidget(self.findings_box)
        return box

    def _build_settings_group(self) -> QGroupBox:
        box = QGroupBox("Training settings", self)
        outer = QVBoxLayout(box)
        self.error_label = self._named(QLabel(), "error_label")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error_label.hide()
        outer.addWidget(self.error_label)
        form = self.form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        outer.addLayout(form)

        # learning rate: text and a log-scale slider
        self.lr_edit = self._named(QLineEdit(), "learning_rate_edit",
                                   "The learning rate \u03b7 of w := w \u2212 \u03b7\u00b7g. "
                                   "Type any number above 0, e.g. 0.03 or 1e-3, and press Enter.")
        self.lr_edit.setMaximumWidth(76)
        self.lr_edit.editingFinished.connect(self._on_lr_edited)
        self.lr_slider = self._named(QSlider(Qt.Orientation.Horizontal), "learning_rate_slider",
                                     "Learning rate on a log scale, from 1e-5 to 10")
        self.lr_slider.setRange(0, (LR_MAX_EXP - LR_MIN_EXP) * LR_STEPS_PER_DECADE)
        self.lr_slider.setSingleStep(1)
        self.lr_slider.setPageStep(LR_STEPS_PER_DECADE)
        self.lr_slider.setTickInterval(LR_STEPS_PER_DECADE)
        self.lr_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.lr_slider.valueChanged.connect(self._on_lr_slider)
        lr_row = QHBoxLayout()
        lr_row.setSpacing(6)
        lr_row.addWidget(self.lr_edit)
        lr_row.addWidget(self.lr_slider, 1)
        form.addRow("Learning rate", lr_row)
        self.lr_scale = QLabel("1e-5 \u2026 10 (log scale)")
        self.lr_scale.setStyleSheet(f"color: {MUTED_COLOR}; font-size: 90%;")
        self.lr_scale.setAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("", self.lr_scale)

        # batch size
        self.batch_spin = self._named(QSpinBox(), "batch_size_spin",
                                      "Samples per update (1 = plain stochastic gradient "
                                      "descent; the whole set = full-batch)")
        self.batch_spin.setKeyboardTracking(False)
        self.batch_spin.setMinimum(1)
        self.batch_spin.valueChanged.connect(self._on_batch_changed)
        self.batch_hint = self._named(QLabel(), "batch_hint")
        self.batch_hint.setStyleSheet(f"color: {MUTED_COLOR};")
        self.batch_hint.setWordWrap(True)
        batch_row = QHBoxLayout()
        batch_row.addWidget(self.batch_spin)
        batch_row.addWidget(self.batch_hint, 1)
        form.addRow("Batch size", batch_row)

        # optimiser and its parameters
        self.optimizer_combo = self._named(QComboBox(), "optimizer_combo",
                                           "How each update uses the gradient")
        for name in OPTIMIZERS:
            self.optimizer_combo.addItem(OPTIMIZER_NAMES.get(name, name), name)
        self.optimizer_combo.currentIndexChanged.connect(self._on_optimizer_chosen)
        form.addRow("Optimiser", self.optimizer_combo)
        self.momentum_spin = self._param_spin("momentum", 0.0, 0.999, 3, 0.01,
                                              "Fraction of the last step carried into the next")
        self.beta1_spin = self._param_spin("beta1", 0.0, 0.999, 3, 0.01,
                                           "Decay of Adam's running mean of the gradient")
        self.beta2_spin = self._param_spin("beta2", 0.0, 0.99999, 5, 0.0001,
                                           "Decay of Adam's running mean of the squared gradient")
        self.epsilon_edit = self._named(QLineEdit(), "epsilon_edit",
                                        "Added to Adam's denominator to avoid dividing by 0")
        self.epsilon_edit.editingFinished.connect(self._on_epsilon_edited)
        self._param_widgets = {"momentum": self.momentum_spin, "beta1": self.beta1_spin,
                               "beta2": self.beta2_spin, "epsilon": self.epsilon_edit}
        form.addRow("    Momentum", self.momentum_spin)
        form.addRow("    \u03b2\u2081", self.beta1_spin)
        form.addRow("    \u03b2\u2082", self.beta2_spin)
        form.addRow("    \u03b5", self.epsilon_edit)

        # regularisation: a penalty on the weights and its rate
        self.penalty_combo = self._named(
            QComboBox(), "regularization_combo",
            "A penalty on the weights added to the loss: L2 adds \u03bb\u00b7\u00bd\u03a3w\u00b2 "
            "(each dL/dw gains \u03bb\u00b7w), L1 adds \u03bb\u00b7\u03a3|w| (each dL/dw gains "
            "\u03bb\u00b7sign(w)); biases are not penalised")
        for name in REGULARIZATIONS:
            self.penalty_combo.addItem(PENALTY_TITLES[name].capitalize(), name)
        self.penalty_combo.currentIndexChanged.connect(self._on_penalty_chosen)
        self.penalty_rate_edit = self._named(
            QLineEdit(), "regularization_rate_edit",
            "The penalty's rate \u03bb, e.g. 0.001 or 3e-4; press Enter")
        self.penalty_rate_edit.setMaximumWidth(76)
        self.penalty_rate_edit.editingFinished.connect(self._on_penalty_rate_edited)
        penalty_row = QHBoxLayout()
        penalty_row.addWidget(self.penalty_combo)
        penalty_row.addWidget(QLabel("\u03bb"))
        penalty_row.addWidget(self.penalty_rate_edit)
        penalty_row.addStretch(1)
        form.addRow("Regularisation", penalty_row)

        # initialiser and seed
        self.initializer_combo = self._named(QComboBox(), "initializer_combo",
                                             "How Reset and new layers draw their weights")
        for name in INITIALIZERS:
            self.initializer_combo.addItem(INITIALIZER_NAMES.get(name, name), name)
        self.initializer_combo.currentIndexChanged.connect(self._on_initializer_chosen)
        form.addRow("Initialiser", self.initializer_combo)
        self.seed_spin = self._named(QSpinBox(), "seed_spin",
                                     "Random seed of the initial weights and the shuffling: "
                                     "the same seed gives the same run")
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.valueChanged.connect(self._on_seed_changed)
        self.shuffle_check = self._named(QCheckBox("Shuffle each epoch"), "shuffle_check",
                                         "Visit the training rows in a new random order every "
                                         "epoch (from the seed); off: row 1, 2, 3, ... as in "
                                         "the Data panel")
        self.shuffle_check.toggled.connect(self._on_shuffle_toggled)
        form.addRow("Seed", self.seed_spin)
        # a row of its own: beside the seed it widened the dock by ~90 px, which
        # the canvas lacks at 1280x720 (the panel scrolls, height is no issue)
        form.addRow("", self.shuffle_check)

        # the run's target
        self.epochs_spin = self._named(QSpinBox(), "epochs_spin",
                                       "How many epochs Play trains")
        self.epochs_spin.setRange(1, 10_000_000)
        self.epochs_spin.setGroupSeparatorShown(True)
        self.epochs_spin.setKeyboardTracking(False)
        self.epochs_spin.valueChanged.connect(self._on_epochs_changed)
        form.addRow("Epochs per run", self.epochs_spin)
        self.stop_check = self._named(QCheckBox("Stop when loss <"), "stop_loss_check",
                                      "End the run early once the training loss is below "
                                      "this number")
        self.stop_check.toggled.connect(self._on_stop_toggled)
        self.stop_edit = self._named(QLineEdit(), "stop_loss_edit")
        self.stop_edit.setMaximumWidth(90)
        self.stop_edit.editingFinished.connect(self._on_stop_edited)
        stop_row = QHBoxLayout()
        stop_row.addWidget(self.stop_check)
        stop_row.addWidget(self.stop_edit)
        stop_row.addStretch(1)
        form.addRow(stop_row)
        return box

    def _param_spin(self, key: str, lo: float, hi: float, decimals: int, step: float,
                    tip: str) -> QDoubleSpinBox:
        spin = self._named(QDoubleSpinBox(), f"{key}_spin", tip)
        spin.setRange(lo, hi)
        spin.setDecimals(decimals)
        spin.setSingleStep(step)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(lambda v, k=key: self._set_optimizer_param(k, v))
        return spin

    # -- the document -------------------------------------------------------------------
    def set_document(self, document: Document) -> None:
        """Show (and edit) another document; the runner is switched too."""
        if self.document is not None:
            for signal, slot in self._connections():
                signal.disconnect(slot)
        self.document = document
        self.runner.set_document(document)
        self.diagnosis.set_document(document)
        for signal, slot in self._connections():
            signal.connect(slot)
        self._last_reason = None
        self.divergence_box.hide()
        self.clear_error()
        self.refresh()

    def _connections(self):
        return [(self.document.changed, self._on_document_changed)]

    def _on_document_changed(self, change) -> None:
        if change.settings:
            self.refresh()
        if change.history:
            self._on_trained()

    # -- messages (one place, so tests can patch it) ---------------------------------------
    def show_error(self, text: str) -> None:
        self.error_label.setText(f"\u26a0 {text}")
        self.error_label.show()

    def clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    # -- document -> widgets ----------------------------------------------------------------
    def refresh(self) -> None:
        """Show the document's settings (no signals back to the document)."""
        cfg = self.document.project.training
        widgets = [self.lr_edit, self.lr_slider, self.batch_spin, self.optimizer_combo,
                   self.momentum_spin, self.beta1_spin, self.beta2_spin, self.epsilon_edit,
                   self.initializer_combo, self.seed_spin, self.shuffle_check, self.epochs_spin,
                   self.stop_check, self.stop_edit, self.penalty_combo, self.penalty_rate_edit]
        blockers = [QSignalBlocker(w) for w in widgets]
        try:
            self.lr_edit.setText(fmt_setting(cfg.learning_rate))
            self.lr_edit.setStyleSheet("")
            self.lr_slider.setValue(lr_to_slider(cfg.learning_rate))
            n_train = len(self.document.dataset.X_train)
            self.batch_spin.setMaximum(max(n_train, cfg.batch_size, 1))
            self.batch_spin.setValue(cfg.batch_size)
            self._set_combo(self.optimizer_combo, cfg.optimizer)
            params = {**DEFAULT_PARAMS.get(cfg.optimizer, {}), **cfg.optimizer_params}
            for key, widget in self._param_widgets.items():
                visible = key in DEFAULT_PARAMS.get(cfg.optimizer, {})
                self.form.setRowVisible(widget, visible)
                if not visible:
                    continue
                if isinstance(widget, QLineEdit):
                    widget.setText(fmt_setting(params[key]))
                else:
                    widget.setValue(params[key])
            self._set_combo(self.penalty_combo, cfg.regularization)
            self.penalty_rate_edit.setText(fmt_setting(cfg.regularization_rate))
            self.penalty_rate_edit.setEnabled(cfg.regularization != "none")
            self._set_combo(self.initializer_combo, cfg.initializer)
            self.seed_spin.setValue(min(cfg.seed, self.seed_spin.maximum()))
            self.shuffle_check.setChecked(cfg.shuffle)
            self.epochs_spin.setValue(max(cfg.epochs, 1))
            self.stop_check.setChecked(cfg.stop_loss is not None)
            self.stop_edit.setEnabled(cfg.stop_loss is not None)
            if cfg.stop_loss is not None:
                self.stop_edit.setText(fmt_setting(cfg.stop_loss))
            elif not self.stop_edit.text():
                self.stop_edit.setText(fmt_setting(DEFAULT_STOP_LOSS))
        finally:
            del blockers
        self._update_batch_hint()
        self._update_run_display()

    @staticmethod
    def _set_combo(combo: QComboBox, data) -> None:
        i = combo.findData(data)
        if i >= 0:
            combo.setCurrentIndex(i)

    def _update_batch_hint(self) -> None:
        n = len(self.document.dataset.X_train)
        b = self.document.project.training.batch_size
        if n == 0:
            self.batch_hint.setText("no training samples")
        elif b >= n:
            self.batch_hint.setText("1 update per epoch (full batch)")
        else:
            updates = math.ceil(n / b)
            self.batch_hint.setText(f"{updates:,} updates per epoch")
        self.batch_hint.setToolTip(f"The training set has {n:,} samples")

    # -- widgets -> document -------------------------------------------------------------
    def _apply(self, **changes) -> bool:
        try:
            self.document.set_training(**changes)
        except EditError as e:
            self.show_error(str(e))
            self.refresh()
            return False
        self.clear_error()
        return True

    def _on_lr_edited(self) -> None:
        current = self.document.project.training.learning_rate
        try:
            value = parse_number(self.lr_edit.text(), "learning rate", allow="positive",
                                 maximum=MAX_LEARNING_RATE, example="0.03 or 1e-3")
        except ValueError as e:
            self.show_error(f"{e} The learning rate stays {fmt_setting(current)}.")
            self.refresh()
            return
        if value == current:
            self.lr_edit.setText(fmt_setting(current))
            self.clear_error()
            return
        self._apply(learning_rate=value)

    def _on_lr_slider(self, position: int) -> None:
        self._apply(learning_rate=slider_to_lr(position))

    def _on_batch_changed(self, value: int) -> None:
        self._apply(batch_size=int(value))

    def _on_optimizer_chosen(self, index: int) -> None:
        name = self.optimizer_combo.itemData(index)
        self._apply(optimizer=name, optimizer_params=dict(DEFAULT_PARAMS[name]))

    def _set_optimizer_param(self, key: str, value: float) -> None:
        cfg = self.document.project.training
        params = {**DEFAULT_PARAMS.get(cfg.optimizer, {}), **cfg.optimizer_params}
        params[key] = float(value)
        self._apply(optimizer_params=params)

    def _on_epsilon_edited(self) -> None:
        try:
            value = parse_number(self.epsilon_edit.text(), "epsilon", allow="positive",
                                 maximum=1.0, example="1e-8")
        except ValueError as e:
            self.show_error(str(e))
            self.refresh()
            return
        self._set_optimizer_param("epsilon", value)

    def _on_penalty_chosen(self, index: int) -> None:
        kind = self.penalty_combo.itemData(index)
        rate = self.document.project.training.regularization_rate
        if kind != "none" and rate == 0:
            rate = DEFAULT_PENALTY_RATE  # a penalty of rate 0 would do nothing
        self._apply(regularization=kind, regularization_rate=rate if kind != "none" else 0.0)

    def _on_penalty_rate_edited(self) -> None:
        cfg = self.document.project.training
        try:
            value = parse_number(self.penalty_rate_edit.text(), "regularisation rate",
                                 allow="non_negative", maximum=MAX_REGULARIZATION_RATE,
                                 example="0.001 or 3e-4")
        except ValueError as e:
            self.show_error(f"{e} The rate stays {fmt_setting(cfg.regularization_rate)}.")
            self.refresh()
            return
        if value != cfg.regularization_rate:
            self._apply(regularization_rate=value)
        else:
            self.clear_error()

    def _on_initializer_chosen(self, index: int) -> None:
        self._apply(initializer=self.initializer_combo.itemData(index))

    def _on_seed_changed(self, value: int) -> None:
        self._apply(seed=int(value))

    def _on_shuffle_toggled(self, checked: bool) -> None:
        self._apply(shuffle=bool(checked))

    def _on_epochs_changed(self, value: int) -> None:
        self._apply(epochs=int(value))

    def _stop_value(self) -> float:
        return parse_number(self.stop_edit.text(), "stop loss", allow="non_negative",
                            example="0.01")

    def _on_stop_toggled(self, checked: bool) -> None:
        if not checked:
            self._apply(stop_loss=None)
            return
        try:
            value = self._stop_value()
        except ValueError:
            value = DEFAULT_STOP_LOSS
        self._apply(stop_loss=value)

    def _on_stop_edited(self) -> None:
        if not self.stop_check.isChecked():
            return
        try:
            value = self._stop_value()
        except ValueError as e:
            self.show_error(str(e))
            self.refresh()
            return
        self._apply(stop_loss=value)

    # -- run controls ------------------------------------------------------------------------
    @_guarded
    def _on_play_clicked(self, _checked: bool = False) -> None:
        self.clear_error()
        self.runner.toggle()

    @_guarded
    def _on_step_clicked(self, _checked: bool = False) -> None:
        self.clear_error()
        self.divergence_box.hide()
        self.runner.step_epoch()
        self._update_run_display()

    @_guarded
    def _on_reset_clicked(self, _checked: bool = False) -> None:
        self.runner.pause()
        self.document.reset_training()
        self.runner.divergence = None
        self._last_reason = None
        self.divergence_box.hide()
        self.clear_error()
        self._update_run_display()

    @_guarded
    def _on_speed_chosen(self, index: int) -> None:
        self.runner.set_speed(self.speed_combo.itemData(index))

    def select_speed(self, speed: float | None) -> bool:
        """Choose the run speed ``speed`` (None: as fast as possible) if it is
        one the menu offers; False otherwise."""
        for i in range(self.speed_combo.count()):
            if self.speed_combo.itemData(i) == speed:
                self.speed_combo.setCurrentIndex(i)
                return True
        return False

    @_guarded
    def _on_step_back_clicked(self, _checked: bool = False) -> None:
        if self.runner.step_back_to_finite():
            # say where it landed; the suggested learning rate stays one click away
            info = self.runner.divergence
            cause = f" {info.cause[0].upper()}{info.cause[1:]}" if info is not None else ""
            self.divergence_label.setText(f"{self.runner.landing}{cause}")
            self.step_back_button.hide()
            self._last_reason = "stepped back"
            self._update_run_display()
        else:
            self.show_error("There is no finite state to step back to; press Reset to start "
                            "again from the seed.")

    @_guarded
    def _on_use_lr_clicked(self, _checked: bool = False) -> None:
        info = self.runner.divergence
        if info is not None:
            self._apply(learning_rate=info.suggested_learning_rate)
            self.use_lr_button.setVisible(
                info.suggested_learning_rate != self.document.project.training.learning_rate)

    @_guarded
    def _apply_remedy(self, remedy) -> None:
        """Take a finding's suggestion (a ``core.diagnosis.Remedy``): one undoable edit."""
        if remedy.setting == "learning_rate":
            self._apply(learning_rate=remedy.value)
        elif remedy.setting == "activation":
            self.document.set_activation(remedy.layer, remedy.value)
        elif remedy.setting == "standardize":
            self.runner.pause()
            self.document.set_standardize(True)
            self.document.reinitialize()
        elif remedy.setting == "reinitialize":
            self.runner.pause()
            self.document.reinitialize()

    # -- runner -> widgets ------------------------------------------------------------------
    def _on_started(self) -> None:
        self._last_reason = None
        self.divergence_box.hide()
        self.play_button.setText(PAUSE_TEXT)
        self.play_button.setToolTip("Pause training (the run can be resumed)")
        self._update_run_display()

    def _on_paused(self, reason: str) -> None:
        self._last_reason = reason
        self.play_button.setText(PLAY_TEXT)
        self.play_button.setToolTip("Train epoch after epoch until the target, the stop loss "
                                    "or Pause")
        self._update_run_display()

    def _on_progress(self, done: int, target: int) -> None:
        self._update_run_display()

    def _on_trained(self) -> None:
        if not self.runner.is_running:  # while running, progress updates the display
            self._update_run_display()

    def _on_diverged(self, info: DivergenceInfo) -> None:
        self._last_reason = DIVERGED
        self.divergence_label.setText(info.message)
        self.step_back_button.show()
        self.use_lr_button.setText(f"Use learning rate {fmt_setting(info.suggested_learning_rate)}")
        self.use_lr_button.setVisible(  # no rate helps inputs or weights far too large
            info.culprit == "learning rate"
            and info.suggested_learning_rate != self.document.project.training.learning_rate)
        self.divergence_box.show()
        self._update_run_display()

    def _update_run_display(self) -> None:
        r = self.runner
        done, target = r.done, r.target
        self.progress_bar.setRange(0, max(target, 1))
        self.progress_bar.setValue(min(done, target))
        reason = self._last_reason
        color = ""
        total = r.trained_epochs
        # the loss plot counts every epoch of the history: so does the run's line
        of = (f"{done:,} of {target:,}" if total == done
              else f"{total:,} ({done:,} of {target:,} this run)")
        # an epoch of a big data set is trained in slices: how far the one in progress is
        part = self.document.epoch_fraction
        percent = f"{math.floor(100 * part)}%"
        inside = f"{done + 1:,} of {target:,}: {percent}" if 0 < part < 1 and done < target \
            else None
        self.status_label.setToolTip(
            f"{percent} of the samples of epoch {done + 1:,} are trained" if inside else "")
        full = not r.is_running and reason == HISTORY_FULL
        if full:
            self.status_label.setToolTip(
                f"A file keeps at most {limits.MAX_HISTORY_EPOCHS:,} epochs of history, so run "
                f"mode stops there. Reset the training to train afresh.")
        if r.is_running:
            text = f"epoch {inside or of} \u00b7 {fmt_epoch_rate(r.rate)}"
        elif reason == PAUSED and inside:
            text = f"paused in epoch {inside}"
        elif reason == DIVERGED:
            text = f"diverged at epoch {of}"
            color = ERROR_COLOR
        elif reason == TARGET_REACHED:
            text = (f"done: {done:,} of {target:,} epochs" if total == done
                    else f"done: epoch {of}")
        elif reason == STOP_LOSS_REACHED:
            stop = self.document.project.training.stop_loss
            below = f" below {fmt_setting(stop)}" if stop is not None else ""
            text = f"stopped at epoch {of}: the loss is{below}"
        elif reason == PAUSED:
            text = f"paused at epoch {of}"
        elif full:
            text = f"history full at epoch {total:,}"
            color = ERROR_COLOR
        elif reason == "stepped back":
            text = (f"stepped back to epoch {len(self.document.epoch_results):,}: "
                    f"the weights are finite")
        else:
            text = f"ready to train {target:,} epochs"
        self.status_label.setText(text)
        self.status_label.set_color(color or None)
        results = self.document.epoch_results
        if results:
            last = results[-1]
            line1 = f"training loss {fmt(last.train_loss)}"
            if last.test_loss is not None:
                line1 += f" \u00b7 test {fmt(last.test_loss)}"
            n = len(results)
            line2 = f"{n:,} epoch{'s' if n != 1 else ''} trained"
            if last.train_accuracy is not None:
                line2 = f"accuracy {fmt_percent(last.train_accuracy, 0)} \u00b7 " + line2
            if full:  # (the status line says why the run stopped; this, the way on)
                line2 = "a file's limit: reset to train on"
            self.loss_label.setText(f"{line1}\n{line2}")
        else:
            self.loss_label.setText("not trained yet")
