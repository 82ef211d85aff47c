"""The inspector: the chain rule of the selected connection or neuron, with
the live numbers of the cycle being stepped.

For a connection it shows the weight (editable), each factor of
dL/dw = dL/da · da/dz · dz/dw with its formula and numbers, the product (the
number on the edge), for a hidden weight the sum over every path to the loss,
for a mini-batch the sum over its samples, and the update w := w − η·g. For a
neuron: z, a and δ with their formulas, its bias (editable) and dL/db, its
activation (a combo, on every layer; softmax only on the output layer),
warnings about odd output/loss pairs in place, and, for an output neuron
after the loss step, its share of the loss. "Check gradient" compares backprop with a
central difference on the cycle's batch.

The explanations and the check's verdict come from the document
(:mod:`nnsim.document.explanations`: the core's chain rule and gradient check
on the snapshot on show) as structured data, laid out here by their fields
(a factor's kind, a path's neurons) without reading their text back; names
and number formats are the canvas's (:mod:`nnsim.core.naming`), so the
inspector and the edge labels read the same. The loss combo lives in the main
window's toolbar.
"""
from __future__ import annotations

import html
import math
import re

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSizePolicy, QSpinBox, QTextBrowser, QVBoxLayout,
                               QWidget)

from ..core import activations as act
from ..core import losses
from ..document import (Document, EditError, check_gradient, explain, explain_bias,
                        shown_snapshot)
from ..document.explanations import bias_paths
from ..document.explanations import (Explanation, Factor, FactorKind, NeuronExplanation,
                                     Quantity, SampleTerm, Update, Verdict)
from .canvas import palette
from ..core.limits import CANVAS_MAX_UNITS
from ..core.naming import fmt, fmt_full, fmt_setting, fmt_vector, neuron_name
from .number_entry import parse_number
from .selection import EdgeRef, NeuronRef

DOT = "\u00b7"
HIDDEN_ACTIVATIONS = [name for name in act.ACTIVATIONS if name not in act.OUTPUT_ONLY]
OUTPUT_ACTIVATIONS = list(act.ACTIVATIONS)
WARNING_STYLE = ("color: #5c3c00; background: #fff4d6; border: 1px solid #e0b84c; "
                 "border-radius: 3px; padding: 4px;")

MUTED = palette.TEXT_MUTED.name()
# How the lecture's loss relates to the one of Mazur's worked example.
MAZUR_NOTE = ("Mazur's E = ½·Σ (target − out)² is (t/2)·L for one "
              "sample: with t = 2 outputs it equals this mean exactly.")
STYLE = f"""
h3 {{ font-size: 100%; font-weight: 600; margin-top: 12px; margin-bottom: 4px; }}
p {{ margin-top: 2px; margin-bottom: 4px; }}
.muted {{ color: {MUTED}; }}
.note {{ color: {MUTED}; font-size: 92%; }}
.pending {{ color: #8a6d00; }}
td {{ padding: 1px 4px; vertical-align: top; }}
td.how {{ padding-left: 18px; padding-bottom: 5px; }}
.sym {{ white-space: nowrap; }}
.val {{ font-weight: 600; white-space: nowrap; }}
.big {{ font-size: 110%; }}
a.path {{ color: {palette.TEXT.name()}; text-decoration: none; }}
"""
PATH_LINK = "path:"  # the href of a path's row: "path:3" is the sample's fourth path


# -- text helpers -------------------------------------------------------------------

_EXP = re.compile(r"e\^((?:\u2212|-)?[a-zA-Z]\([^)]*\)|\(?-?[0-9][0-9.e+\-]*\)?)")
_SUB = re.compile(r"(?<![A-Za-z])([abzwyLδ])\(([A-Za-z0-9_ \u2192]+)\)")


def rich(text: str) -> str:
    """A chain-rule string as rich text: a(out1) -> a with subscript out1,
    e^z -> e with superscript z."""
    s = html.escape(text, quote=False)
    s = _EXP.sub(lambda m: f"e<sup>{m.group(1)}</sup>", s)
    s = _SUB.sub(lambda m: f"{m.group(1)}<sub>{m.group(2).replace(' ', '')}</sub>", s)
    return s


def _color(value: float, kind: str) -> str:
    return palette.text_color(value, kind).name()


NEUTRAL = "neutral"  # z, a, x: values the canvas does not colour


def val(value: float | None, kind: str = palette.GRADIENT, digits: int = 4) -> str:
    """A value in bold, coloured as the canvas colours that quantity
    (weights blue/orange, gradients green/magenta, z and a plain)."""
    if value is None:
        return "<span class='pending'>not computed yet</span>"
    color = palette.TEXT.name() if kind == NEUTRAL else _color(value, kind)
    return (f"<span class='val' style='color:{color}; font-weight:600'>"
            f"{html.escape(fmt(value, digits))}</span>")


def _op(value: float) -> str:
    s = fmt(value)
    return f"({s})" if s.startswith("-") else s


def _rows(symbol: str, steps: list[str], note: str, value: str, bold: bool = False) -> str:
    """One quantity as table rows: the symbol and its value on one line, how
    it is computed indented below (full width, so it reads in a narrow dock)."""
    sym = f"<b>{symbol}</b>" if bold else symbol
    below = "<br>".join(f"= {s}" for s in steps)
    if note:
        below += ("<br>" if below else "") + f"<span class='note'>{note}</span>"
    rows = f"<tr><td class='sym'>{sym}</td><td align='right'>= {value}</td></tr>"
    if below:
        rows += f"<tr><td colspan='2' class='how'>{below}</td></tr>"
    return rows


def subscripted(letter: str, subscript: str) -> str:
    """A symbol from its parts as rich text: ("w", "x1→h2") -> w with subscript x1→h2."""
    return f"{html.escape(letter)}<sub>{html.escape(subscript.replace(' ', ''))}</sub>"


def _weight_symbol(source: str, target: str) -> str:
    return subscripted("w", f"{source}\u2192{target}")


def _factor_rows(factors) -> str:
    rows = []
    for f in factors:
        steps = [rich(f.formula)] if f.formula else []
        if f.numbers and f.numbers != fmt(f.value) and f.numbers != f.formula:
            steps.append(rich(f.numbers))
        rows.append(_rows(rich(f.symbol), steps, rich(f.note) if f.note else "",
                          val(f.value, _kind(f))))
    return "<table cellspacing='0' width='100%'>" + "".join(rows) + "</table>"


def _kind(f: Factor) -> str:
    """Weights on a path are coloured as weights, activations and targets
    plain, the rest (derivatives) as gradients."""
    if f.kind == FactorKind.WEIGHT:
        return palette.WEIGHT
    if f.kind in (FactorKind.INPUT, FactorKind.ACTIVATION, FactorKind.TARGET):
        return NEUTRAL
    return palette.GRADIENT


LOSS_FORMULAS = {
    "mse": ("L = 1/n \u03a3<sub>samples</sub> 1/t \u03a3<sub>outputs</sub> (y \u2212 a)\u00b2",
            "\u2202L/\u2202a = 2/(n\u00b7t)\u00b7(a \u2212 y) for each output of each sample"),
    "bce": ("L = \u22121/n \u03a3<sub>samples</sub> 1/t \u03a3<sub>outputs</sub> "
            "[y\u00b7log a + (1 \u2212 y)\u00b7log(1 \u2212 a)]",
            "with a sigmoid output: \u2202L/\u2202z = (a \u2212 y)/(n\u00b7t); with any other: "
            "\u2202L/\u2202a = (a \u2212 y)/(a\u00b7(1 \u2212 a))/(n\u00b7t)"),
    "cross_entropy": ("L = \u22121/n \u03a3<sub>samples</sub> \u03a3<sub>outputs</sub> "
                      "y\u00b7log a",
                      "with a softmax output: \u2202L/\u2202z = (a \u2212 y)/n; with any other: "
                      "\u2202L/\u2202a = \u2212y/(n\u00b7a)"),
}


def layer_words(sizes: list[int], k: int) -> str:
    """'the input layer', 'the hidden layer', 'hidden layer 2', 'the output layer'."""
    last = len(sizes) - 1
    if k == 0:
        return "the input layer"
    if k == last:
        return "the output layer"
    return "the hidden layer" if last == 2 else f"hidden layer {k}"


def _path_rows(term: SampleTerm, grouped: bool) -> str:
    """One sample's paths to the loss as rows (route, factors, product) and
    their sum. Each row is a link, so pointing at it names the path (see
    InspectorPanel._on_link_hovered)."""
    out = ["<p class='note'>Point at a path to see it on the canvas.</p>",
           "<table cellspacing='0' width='100%'>"]
    for n, p in enumerate(term.paths):
        route = " \u2192 ".join(p.route)
        product = f" {DOT} ".join(_op(f.value) for f in p.factors)
        count = (f" <span class='note'>({p.grouped_paths:,} paths)</span>"
                 if grouped and p.grouped else "")
        link = f"<a class='path' href='{PATH_LINK}{n}'>"
        out.append(f"<tr><td>{link}{html.escape(route)}{count}<br>"
                   f"<span class='note'>{product}</span></a></td>"
                   f"<td align='right'>{link}{val(p.product)}</a></td></tr>")
    if len(term.paths) > 1:
        out.append(f"<tr><td><b>sum</b></td><td align='right'>= {val(term.total)}</td></tr>")
    out.append("</table>")
    return "".join(out)


# -- the panel ------------------------------------------------------------------------

class InspectorPanel(QWidget):
    """The right-hand dock: explains the selection with the live numbers.

    Signals:
        paths_highlighted(paths, focus): the chain rule's paths on show (a
            tuple of chainrule.Path, empty for none) and the one whose row the
            mouse is on (or None); the canvas draws them.
    """

    paths_highlighted = Signal(object, object)
    # a neuron to select again after an edit that rebuilt the canvas
    # (the count of its layer lowered: the neurons before the end stay)
    reselect = Signal(object)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspector_panel")
        self.document = document
        self.selection: NeuronRef | EdgeRef | None = None
        self.explanation = None  # the last chainrule result shown (for tests and tools)
        self.last_check: Verdict | None = None  # the gradient check's verdict on show
        self._check_for = None  # the selection and state last_check belongs to
        self._state_generation = 0  # changes of the document's numbers so far

        self.title = QLabel(self)
        self.title.setObjectName("inspector_title")
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self.title.setFont(f)
        self.title.setWordWrap(True)
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("inspector_subtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet(f"color: {MUTED};")
        self.summary = QLabel(self)
        self.summary.setObjectName("inspector_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        # room below the line for subscripts such as h1_2 (the label's own height clips them)
        self.summary.setMinimumHeight(int(self.summary.fontMetrics().height() * 1.6))
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        # the editable value and the activation
        self.value_label = QLabel("Weight", self)
        self.value_label.setContentsMargins(0, 0, 0, 3)
        self.value_edit = QLineEdit(self)
        self.value_edit.setObjectName("value_edit")
        self.value_edit.setToolTip("Type a new value and press Enter (undo with Ctrl+Z)")
        self.value_edit.returnPressed.connect(self._commit_value)
        self.value_edit.textEdited.connect(lambda _: self.edit_message.hide())
        self.activation_label = QLabel("Activation", self)
        self.activation_box = QComboBox(self)
        self.activation_box.setObjectName("activation_box")
        self.activation_box.addItems(HIDDEN_ACTIVATIONS)
        self.activation_box.setToolTip("The activation function of this whole layer")
        self.activation_box.activated.connect(self._commit_activation)
        self.activation_text = QLabel(self)
        self.activation_text.setObjectName("activation_text")
        self.activation_text.setWordWrap(True)
        self.activation_text.setStyleSheet(f"color: {MUTED};")
        # what is odd about the output and the loss (combinations.warnings_for)
        self.warning_label = QLabel(self)
        self.warning_label.setObjectName("warning_label")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.warning_label.hide()
        # frozen biases (Mazur's example keeps them fixed)
        self.train_bias_label = QLabel("Biases", self)
        self.train_bias_box = QCheckBox("train this layer's biases", self)
        self.train_bias_box.setObjectName("train_bias_box")
        self.train_bias_box.setToolTip("Unticked, every bias of this layer keeps its value "
                                       "when the weights are updated (it is still shown, and "
                                       "so is its gradient)")
        self.train_bias_box.clicked.connect(self._commit_train_bias)
        # the layer's size: type a count instead of pressing Add Neuron n times
        self.units_label = QLabel("Neurons", self)
        self.units_box = QSpinBox(self)
        self.units_box.setObjectName("units_box")
        self.units_box.setRange(1, CANVAS_MAX_UNITS)
        self.units_box.setKeyboardTracking(False)  # typing 12 is not 1, then 12
        self.units_box.setToolTip("Neurons in this layer: added or removed at its end "
                                  "(in the input or output layer the data's columns follow)")
        self.units_box.valueChanged.connect(self._commit_units)
        self.sample_label = QLabel("Sample", self)
        self.sample_box = QSpinBox(self)
        self.sample_box.setObjectName("sample_box")
        self.sample_box.setToolTip("Which sample of the mini-batch to break down")
        self.sample_box.valueChanged.connect(lambda _: self.refresh())
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.value_label, self.value_edit)
        act_row = QHBoxLayout()
        act_row.addWidget(self.activation_box)
        act_row.addWidget(self.activation_text, 1)
        form.addRow(self.activation_label, act_row)
        form.addRow(self.sample_label, self.sample_box)
        form.addRow(self.train_bias_label, self.train_bias_box)
        form.addRow(self.units_label, self.units_box)  # row 4
        self._form = form
        self.edit_message = QLabel(self)
        self.edit_message.setObjectName("edit_message")
        self.edit_message.setWordWrap(True)
        self.edit_message.setStyleSheet("color: #b00020;")
        self.edit_message.hide()

        # the gradient check
        self.check_button = QPushButton("Check gradient", self)
        self.check_button.setObjectName("check_button")
        self.check_button.setToolTip("Compare backprop's value with a central difference "
                                     "(L(w + ε) − L(w − ε)) / 2ε on the cycle's batch")
        self.check_button.clicked.connect(self.check_gradient)
        self.check_label = QLabel(self)
        self.check_label.setObjectName("check_label")
        self.check_label.setWordWrap(True)
        self.check_label.setTextFormat(Qt.TextFormat.RichText)
        self.check_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.check_label.hide()
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_button)
        check_row.addStretch(1)

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("explanation")
        self.browser.setOpenLinks(False)
        self.browser.document().setDefaultStyleSheet(STYLE)
        self.browser.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.browser.highlighted.connect(self._on_link_hovered)
        self.shown_paths: tuple = ()  # the paths of the sum on show (chainrule.Path)
        self.previews = True  # the update's new value before the Update step runs
        self.hovered_path = None  # the one whose row the mouse is on

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.edit_message)
        layout.addLayout(check_row)
        layout.addWidget(self.check_label)
        layout.addWidget(self.browser, 1)

        document.changed.connect(self._on_document_changed)
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(380, 700)  # the formulas read best at about this width

    # -- slots ------------------------------------------------------------------------
    def show_selection(self, selection) -> None:
        """Show a NeuronRef, an EdgeRef, or (None) the network overview."""
        if selection != self.selection:
            self.edit_message.hide()
            self.sample_box.blockSignals(True)
            self.sample_box.setValue(1)
            self.sample_box.blockSignals(False)
        self.selection = selection
        self.refresh()

    def _on_document_changed(self, change) -> None:
        """One rebuild of the text per change that touches what it explains
        (the history, a move or a save do not)."""
        if change.numbers:
            self._state_generation += 1  # a gradient check shown is of the state before
        if change.numbers or change.settings:
            self.refresh()

    # -- state --------------------------------------------------------------------------
    def _valid(self, sel):
        """The selection if it still exists in the network, else None."""
        return sel if self.document.exists(sel) else None

    def _state_key(self):
        """What a gradient check belongs to: the selection and the document's
        numbers (counted by the changes that touch them, no hashing)."""
        return (self.selection, self._state_generation)

    def refresh(self) -> None:
        """Recompute the explanation from the document and show it."""
        self.selection = self._valid(self.selection)
        doc = self.document
        snap = shown_snapshot(doc)
        sel = self.selection
        if isinstance(sel, EdgeRef):
            self.explanation = explain(doc, sel)
            self.bias_explanation = None
        elif isinstance(sel, NeuronRef):
            self.explanation = explain(doc, sel, sample=self._sample_position())
            self.bias_explanation = explain_bias(doc, sel)
        else:
            self.explanation = self.bias_explanation = None
        if self._check_for != self._state_key():
            self.last_check = None
            self.check_label.hide()
        self._update_controls(snap)
        self._render()

    def _update_controls(self, snap) -> None:
        sel, net = self.selection, self.document.network
        sizes = net.sizes
        editable = isinstance(sel, EdgeRef) or (isinstance(sel, NeuronRef) and sel.layer > 0)
        self._form.setRowVisible(0, editable)
        if editable:
            if isinstance(sel, EdgeRef):
                value = float(net.layers[sel.layer - 1].W[sel.source, sel.target])
                # a feature input by its name ("sin x1"), as on the canvas
                source = self.document.neuron_label(sizes, sel.layer - 1, sel.source)
                source = source.replace(" ", "\u2009")  # kept by subscripted()
                self.value_label.setText("<html>" + _weight_symbol(
                    source, neuron_name(sizes, sel.layer, sel.target)) + "</html>")
            else:
                value = float(net.layers[sel.layer - 1].b[sel.neuron])
                self.value_label.setText("<html>" + subscripted(
                    "b", neuron_name(sizes, sel.layer, sel.neuron)) + "</html>")
            if not (self.value_edit.hasFocus() and self.value_edit.isModified()):
                self.value_edit.setText(fmt_full(value))
        # the activation: a combo on every layer (softmax only on the output layer)
        is_neuron = isinstance(sel, NeuronRef) and sel.layer > 0
        output = is_neuron and sel.layer == len(sizes) - 1
        self._form.setRowVisible(1, is_neuron)
        self.activation_box.setVisible(is_neuron)
        self.activation_text.setVisible(output)
        if is_neuron:
            names = OUTPUT_ACTIVATIONS if output else HIDDEN_ACTIVATIONS
            self.activation_box.blockSignals(True)
            if [self.activation_box.itemText(i)
                    for i in range(self.activation_box.count())] != names:
                self.activation_box.clear()
                self.activation_box.addItems(names)
            self.activation_box.setCurrentText(net.layers[sel.layer - 1].activation)
            self.activation_box.blockSignals(False)
            self.activation_text.setText(f"loss: {net.loss} (in the toolbar)" if output else "")
        self._form.setRowVisible(3, is_neuron)
        if is_neuron:
            self.train_bias_box.setChecked(net.layers[sel.layer - 1].train_bias)
        any_neuron = isinstance(sel, NeuronRef)
        self._form.setRowVisible(4, any_neuron)
        if any_neuron and not self.units_box.hasFocus():
            self.units_box.blockSignals(True)
            self.units_box.setValue(sizes[sel.layer])
            self.units_box.blockSignals(False)
        # warnings about the output and the loss, where they are chosen
        touches_output = (sel is None or (is_neuron and output)
                          or (isinstance(sel, EdgeRef) and sel.layer == len(sizes) - 1))
        warnings = self.document.warnings() if touches_output else []
        self.warning_label.setText("\n".join(f"\u26a0 {w}" for w in warnings))
        self.warning_label.setVisible(bool(warnings))
        # which sample of the batch
        n = 0 if snap is None else snap.X.shape[0]
        if isinstance(sel, EdgeRef):
            e = self.explanation
            n = len(e.samples) if e.status == "ready" else 0
        show_samples = sel is not None and n > 1
        self._form.setRowVisible(2, show_samples)
        if show_samples:
            self.sample_box.blockSignals(True)
            self.sample_box.setRange(1, n)
            self.sample_box.setSuffix(f" of {snap.X.shape[0]} in the mini-batch")
            self.sample_box.blockSignals(False)
        # the gradient check
        can_check = editable and not (isinstance(sel, EdgeRef)
                                      and self.explanation.status == "removed")
        self.check_button.setVisible(sel is not None and editable)
        self.check_button.setEnabled(can_check)

    # -- rendering ----------------------------------------------------------------------
    def _sample_position(self) -> int:
        """The chosen sample's 0-based position in the mini-batch."""
        return max(self.sample_box.value() - 1, 0)

    def _render(self) -> None:
        sel, e = self.selection, self.explanation
        if isinstance(sel, EdgeRef):
            html_text = self._edge_html(e)
        elif isinstance(sel, NeuronRef):
            html_text = self._neuron_html(e, self.bias_explanation)
        else:
            html_text = self._overview_html()
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(html_text)
        self.browser.verticalScrollBar().setValue(scroll)
        self._announce_paths()

    # -- the paths on the canvas --
    def _paths_on_show(self) -> tuple:
        """The paths from the selected weight to the loss for the sample on
        show (none before the backward pass has reached the weight)."""
        e = self.explanation
        if isinstance(self.selection, NeuronRef):  # a hidden neuron: its bias's paths
            term = self._bias_term()
            return () if term is None else term.paths
        if not (isinstance(self.selection, EdgeRef) and isinstance(e, Explanation)
                and e.status == "ready" and e.samples):
            return ()
        return e.samples[min(self._sample_position(), len(e.samples) - 1)].paths

    def _announce_paths(self) -> None:
        self.shown_paths = self._paths_on_show()
        self.hovered_path = None  # the rows were just redrawn
        self.paths_highlighted.emit(self.shown_paths, None)

    def _on_link_hovered(self, url: QUrl) -> None:
        """The mouse entered a path's row (its link) or left it (an empty url)."""
        text = url.toString()
        path = None
        if text.startswith(PATH_LINK):
            index = int(text[len(PATH_LINK):])
            if 0 <= index < len(self.shown_paths):
                path = self.shown_paths[index]
        if path is not self.hovered_path:
            self.hovered_path = path
            self.paths_highlighted.emit(self.shown_paths, path)

    # -- a connection --
    def _edge_html(self, e: Explanation) -> str:
        net, doc = self.document.network, self.document
        sizes = net.sizes
        L = len(net.layers)
        k = e.layer
        self.title.setText(f"Weight {e.source_name} \u2192 {e.target_name}")
        self.subtitle.setText(f"Connection from {layer_words(sizes, k - 1)} into "
                              f"{layer_words(sizes, k)}")
        now = float(net.layers[k - 1].W[e.source, e.target])
        summary = [f"{_weight_symbol(e.source_name, e.target_name)} = "
                   f"{val(now, palette.WEIGHT)}"]
        if e.status == "ready":
            summary.append(f"{rich(e.symbol)} = {val(e.total)}")
        self.summary.setText("&nbsp;&nbsp;&nbsp;".join(summary))
        out = []
        if e.status == "removed":
            out.append(f"<p>{html.escape(e.message)}</p>")
            return "".join(out)
        out.append(f"<p class='muted'>{rich(e.rule)}</p>")
        if e.status == "pending":
            out.insert(0, self._sample_html(0))
            out.append(f"<p class='pending'>{rich(e.message)}</p>")
            if e.known:
                out.append("<h3>Already known, ready to be combined</h3>")
                out.append(_factor_rows(e.known))
            snap = doc.snapshot
            if snap is None:
                out.append("<p class='note'>Step forward to start a cycle on a training "
                           "sample; its numbers then appear here.</p>")
            return "".join(out)
        pos = min(self._sample_position(), len(e.samples) - 1)
        term = e.samples[pos]
        out.insert(0, self._sample_html(pos))
        if k == L:
            (path,) = term.paths
            out.append("<h3>The three factors</h3>" if len(path.factors) == 3
                       else "<h3>The factors</h3>")
            out.append(_factor_rows(path.factors))
            product = f" {DOT} ".join(_op(f.value) for f in path.factors)
            lhs = rich(e.symbol) if e.penalty is None else "the data loss's part"
            out.append(f"<p class='big'>{lhs} = {product} = {val(path.product)}</p>")
        else:
            out.append(self._paths_html(e, term))
        out.extend(f"<p class='note'>{rich(n)}</p>" for n in e.notes)
        if e.n_samples > 1:
            out.append("<h3>Sum over the mini-batch</h3>")
            out.append(f"<p class='note'>{rich(e.batch_note)}</p>")
            out.append("<table cellspacing='0'>")
            for t in e.samples:
                out.append(f"<tr><td>sample #{t.index + 1}</td><td align='right'>"
                           f"{val(t.total)}</td></tr>")
            if e.n_samples > len(e.samples):
                out.append(f"<tr><td colspan='2' class='muted'>\u2026 and "
                           f"{e.n_samples - len(e.samples)} more</td></tr>")
            lhs = rich(e.symbol) if e.penalty is None else "the data loss's part"
            out.append(f"<tr><td><b>{lhs}</b></td><td align='right'>= "
                       f"{val(e.data_total)}</td></tr></table>")
        if e.penalty is not None:
            out.append(self._penalty_html(e))
        out.append(self._update_html(e.update))
        return "".join(out)

    def _penalty_html(self, e: Explanation) -> str:
        """The regularisation's extra term of dL/dw, and the sum."""
        p = e.penalty
        return (f"<h3>Plus the {p.title} penalty's term</h3>"
                f"<p class='note'>{rich(p.note)}</p>"
                f"<p class='big'>{rich(p.formula)} = {rich(p.arithmetic)} = "
                f"{val(p.value)}</p>"
                f"<p class='big'>{rich(e.symbol)} = {val(e.data_total)} + {_op(p.value)} = "
                f"{val(e.total)}</p>")

    def _paths_html(self, e: Explanation, term: SampleTerm) -> str:
        j_name = e.target_name
        out = []
        if e.grouped:
            out.append(f"<h3>{e.n_paths:,} paths to the loss, grouped by the next neuron</h3>")
            out.append(f"<p class='note'>{rich(e.grouping_note)}</p>")
        elif e.n_paths == 1:
            out.append(f"<h3>The one path from {html.escape(j_name)} to the loss</h3>")
        else:
            out.append(f"<h3>Sum over the {e.n_paths} paths from {html.escape(j_name)} "
                       f"to the loss</h3>")
        if not term.paths:
            out.append("<p>No path: the gradient is 0.</p>")
            return "".join(out)
        out.append(_path_rows(term, e.grouped))
        # every distinct factor once, layer by layer from the loss down
        seen, legend = set(), []
        for position in range(max(len(p.factors) for p in term.paths)):
            for p in term.paths:
                f = p.factors[position] if position < len(p.factors) else None
                if f is not None and f.key not in seen:
                    seen.add(f.key)
                    legend.append(f)
        out.append("<h3>Where the factors come from</h3>" if len(term.paths) > 1
                   else "<h3>The factors along the path</h3>")
        out.append(_factor_rows(legend))
        return "".join(out)

    def _bias_paths_html(self, bias: Explanation) -> str:
        """A hidden neuron's dL/db for the sample on show, as the sum over
        its paths to the loss (one per next-layer neuron), rows to point at."""
        term = self._bias_term()
        if term is None or not term.paths:
            return ""
        name = html.escape(bias.target_name)
        which = f" (sample #{term.index + 1})" if bias.n_samples > 1 else ""
        out = [f"<h3>Its {len(term.paths)} path{'s' * (len(term.paths) != 1)} to the loss, "
               f"one per next neuron{which}</h3>"]
        if any(p.grouped for p in term.paths):
            out.append(f"<p class='note'>\u03b4 of each next neuron already sums every path "
                       f"from it to the loss, so each row stands for a group of paths "
                       f"from {name}.</p>")
        out.append(_path_rows(term, any(p.grouped for p in term.paths)))
        return "".join(out)

    def _bias_term(self):
        """The bias paths of the selected hidden neuron (None for an input or
        an output neuron, whose one path has no connection to show)."""
        sel, last = self.selection, len(self.document.network.sizes) - 1
        if not (isinstance(sel, NeuronRef) and 0 < sel.layer < last):
            return None
        return bias_paths(self.document, sel, sample=self._sample_position())

    def set_previews(self, shown: bool) -> None:
        """Predict-then-reveal mode hides what the Update step will give
        (else the answer to "the new weight?" is on show before the step)."""
        if shown != self.previews:
            self.previews = shown
            self.refresh()

    def _update_html(self, u: Update | None) -> str:
        if u is None:
            return ""
        if not u.applied and not self.previews:
            return ("<h3>The update (next: Update step)</h3><p class='note'>Predict mode: "
                    "the new value shows once the Update step has run.</p>")
        head = "<h3>The update</h3>" if u.applied else "<h3>The update (next: Update step)</h3>"
        body = [f"<p>{rich(u.formula)}</p>"]
        if u.arithmetic:
            new = val(u.new, palette.WEIGHT) if math.isfinite(u.new) else ""
            body.append(f"<p class='big'>= {u.arithmetic} = {new}</p>")
        if u.note and u.optimizer != "sgd":
            body.append(f"<p class='note'>{html.escape(u.note)}</p>")
        return head + "".join(body)

    # -- a neuron --
    def _neuron_html(self, n: NeuronExplanation, bias: Explanation | None) -> str:
        net = self.document.network
        sizes = net.sizes
        self.title.setText(f"Neuron {n.name}" if n.kind != "input" else f"Input {n.name}")
        where = layer_words(sizes, n.layer).removeprefix("the ")
        self.subtitle.setText(where[0].upper() + where[1:]
                              + (f", activation {n.activation}" if n.activation else ""))
        out, summary = [], []
        if n.kind == "input":
            if n.a is not None:
                summary.append(f"{html.escape(n.name)} = {val(n.a.value, NEUTRAL)}")
            self.summary.setText("&nbsp;&nbsp;&nbsp;".join(summary))
            out.append(self._sample_html(n.sample_position))
            out.append(f"<p>{html.escape(n.message)}</p>")
            if n.status == "idle":
                out.append("<p class='note'>Step forward to start a cycle.</p>")
            return "".join(out)
        if n.status == "idle":
            self.summary.setText(f"{subscripted('b', n.name)} = {val(n.bias, palette.WEIGHT)}")
            out.append(f"<p class='pending'>{html.escape(n.message)}</p>")
            out.append(self._neuron_formulas_only(n))
            return "".join(out)
        for q, kind in ((n.z, NEUTRAL), (n.a, NEUTRAL), (n.delta, palette.GRADIENT)):
            if q is not None and q.ready:
                summary.append(f"{rich(q.short_symbol)} = {val(q.value, kind)}")
        self.summary.setText("&nbsp;&nbsp;&nbsp;".join(summary))
        out.append(self._sample_html(n.sample_position))
        out.append("<h3>Forward: net input z and activation a</h3>")
        out.append(self._quantity_html(n.z, NEUTRAL))
        out.append(self._quantity_html(n.a, NEUTRAL, note=False))
        if n.loss_share is not None:
            out.append("<h3>Its share of the loss</h3>")
            out.append(self._quantity_html(n.loss_share, NEUTRAL, note=False))
            snap = self.document.snapshot
            if snap is not None and snap.loss is not None:
                extra = ""
                if n.n_samples > 1:
                    extra = (f" (this output, over the whole mini-batch: "
                             f"{fmt(n.loss_share_batch)})")
                out.append(f"<p class='note'>The loss L = {fmt(snap.loss)} is the sum of every "
                           f"output's share for every sample{extra}.</p>")
            if self.document.network.loss == "mse":
                out.append(f"<p class='note'>{MAZUR_NOTE}</p>")
        out.append("<h3>Backward: \u03b4 = \u2202L/\u2202z</h3>")
        d = n.delta
        if d is not None and d.ready and n.delta_factors:
            out.append(_factor_rows(n.delta_factors))
            product = f" {DOT} ".join(_op(f.value) for f in n.delta_factors)
            if len(n.delta_factors) > 1:
                out.append(f"<p class='big'>{rich(d.symbol)} = {product} = "
                           f"{val(d.value)}</p>")
            if d.note:
                out.append(f"<p class='note'>{rich(d.note)}</p>")
        else:
            out.append(self._quantity_html(d))
        if bias is not None:
            out.append(f"<h3>Its bias {rich(bias.parameter)}</h3>")
            if bias.status == "ready":
                per = " (summed over the mini-batch)" if bias.n_samples > 1 else ""
                out.append(f"<p>{rich(bias.rule)}{per} = {val(bias.total)}</p>")
                out.append(self._bias_paths_html(bias))
                out.append(self._update_html(bias.update))
            else:
                out.append(f"<p class='muted'>{rich(bias.rule)}</p>")
                out.append(f"<p class='pending'>{rich(bias.message)}</p>")
        return "".join(out)

    def _sample_html(self, pos: int) -> str:
        """Which sample the numbers belong to: its inputs and targets."""
        snap = self.document.snapshot
        if snap is None or not 0 <= pos < snap.X.shape[0]:
            return ""
        n = snap.X.shape[0]
        which = f" ({pos + 1} of {n} in the mini-batch)" if n > 1 else ""
        return (f"<p class='muted'>Sample #{snap.sample_indices[pos] + 1}{which}: "
                f"x = {fmt_vector(snap.X[pos])}, target y = {fmt_vector(snap.Y[pos])}</p>")

    def _quantity_html(self, q: Quantity | None, kind: str = palette.GRADIENT,
                       note: bool = True) -> str:
        if q is None:
            return ""
        if not q.ready:
            return (f"<p><b>{rich(q.symbol)}</b>: "
                    f"<span class='pending'>{rich(q.message)}</span></p>")
        steps = [rich(q.formula)] if q.formula else []
        if q.numbers and q.numbers != q.formula:
            steps.append(rich(q.numbers))
        extra = rich(q.note) if note and q.note else ""
        return ("<table cellspacing='0' width='100%'>"
                + _rows(rich(q.symbol), steps, extra, val(q.value, kind), bold=True) + "</table>")

    def _neuron_formulas_only(self, n: NeuronExplanation) -> str:
        name = n.name
        A = act.get(n.activation)
        return ("<p class='muted'>" + "<br>".join(rich(line) for line in (
            f"z({name}) = \u03a3 w\u00b7a + b({name})",
            f"a({name}) = f(z({name})), with f(z) = {A.formula}",
            f"\u03b4({name}) = \u2202L/\u2202z({name})")) + "</p>")

    # -- nothing selected --
    def _overview_html(self) -> str:
        doc = self.document
        net, snap = doc.network, doc.snapshot
        self.title.setText("Inspector")
        self.subtitle.setText("Select a connection or a neuron on the canvas to see how "
                              "its numbers are computed.")
        self.summary.setText("")
        loss = losses.get(net.loss)
        formula, derivative = LOSS_FORMULAS.get(net.loss, (rich(loss.formula), ""))
        out = []
        project = doc.project
        if project.description:  # what an example is about, and what to press first
            out += [f"<h3>{html.escape(project.title or 'About this network')}</h3>",
                    f"<p>{html.escape(project.description)}</p>"]
        out += [f"<h3>The loss: {html.escape(net.loss.replace('_', ' '))}</h3>",
               f"<p>{formula}</p>", f"<p>{derivative}</p>",
               "<p class='note'>n = samples in the mini-batch, t = outputs.</p>"]
        if net.loss == "mse":
            out.append(f"<p class='note'>{MAZUR_NOTE}</p>")
        if snap is not None and snap.loss is not None:
            out.append(f"<p>L for this cycle = {val(snap.loss, NEUTRAL)}</p>")
        lr = doc.project.training.learning_rate
        out.append(f"<p>Learning rate \u03b7 = {fmt_setting(lr)}</p>")
        nxt = doc.next_step
        out.append(f"<p class='muted'>Next step: {html.escape(nxt.label)}</p>")
        return "".join(out)

    # -- actions ------------------------------------------------------------------------
    def _commit_value(self) -> None:
        sel = self.selection
        if self.value_edit.text().strip() == fmt_full(self._current_value()):
            self.edit_message.hide()  # Enter on the value as shown: nothing to change
            self.value_edit.setModified(False)
            return
        try:
            value = parse_number(self.value_edit.text())
        except ValueError as e:
            self._show_message(str(e))
            return
        unchanged = value == self.document.value_of(sel)
        try:
            if not unchanged and isinstance(sel, EdgeRef):
                self.document.set_weight(sel.layer, sel.source, sel.target, value)
            elif not unchanged and isinstance(sel, NeuronRef) and sel.layer > 0:
                self.document.set_bias(sel.layer, sel.neuron, value)
        except (EditError, ValueError) as e:
            self._show_message(str(e))
            return
        self.edit_message.hide()
        self.value_edit.setModified(False)
        if unchanged:  # e.g. "0.50" for 0.5: show it as the network holds it
            self.refresh()  # (an edit was shown by the document's change already)

    def _current_value(self) -> float:
        """The selected weight or bias as the network holds it now."""
        value = self.document.value_of(self.selection)
        return math.nan if value is None else value

    def _commit_activation(self) -> None:
        sel = self.selection
        if not (isinstance(sel, NeuronRef) and sel.layer > 0):
            return
        try:
            self.document.set_activation(sel.layer, self.activation_box.currentText())
        except (EditError, ValueError) as e:
            self._show_message(str(e))
            self.refresh()

    def _commit_units(self, n: int) -> None:
        sel = self.selection
        if not isinstance(sel, NeuronRef) or self.document.network.sizes[sel.layer] == n:
            return
        try:
            self.document.set_units(sel.layer, n)
        except EditError as e:
            self._show_message(str(e))
            self.refresh()
            return
        self.reselect.emit(sel if sel.neuron < n else NeuronRef(sel.layer, n - 1))

    def _commit_train_bias(self, train: bool) -> None:
        sel = self.selection
        if isinstance(sel, NeuronRef) and sel.layer > 0:
            self.document.set_train_bias(sel.layer, train)

    def _show_message(self, text: str) -> None:
        self.edit_message.setText(text)
        self.edit_message.show()

    def check_gradient(self) -> None:
        """Central difference against backprop for the selected weight or bias:
        the core's verdict (nnsim.core.gradcheck.verdict), shown as it is."""
        sel = self.selection
        if not (isinstance(sel, EdgeRef) or (isinstance(sel, NeuronRef) and sel.layer > 0)):
            return
        v = check_gradient(self.document, sel)
        self.last_check = v
        self._check_for = self._state_key()
        outcome = ("<span style='color:#136b2b'>they agree</span>" if v.passed else
                   "<span style='color:#b00020'>they differ</span>")
        sym = "\u2202L/\u2202" + ("w" if isinstance(sel, EdgeRef) else "b")
        self.check_label.setText(
            f"<table cellspacing='0' cellpadding='1'>"
            f"<tr><td>central difference&nbsp;&nbsp;</td>"
            f"<td align='right'><b>{fmt(v.numeric, 10)}</b></td></tr>"
            f"<tr><td>backprop {sym}&nbsp;&nbsp;</td>"
            f"<td align='right'><b>{fmt(v.analytic, 10)}</b></td></tr>"
            f"<tr><td>difference</td><td align='right'>{fmt(v.abs_diff, 2)}</td></tr></table>"
            f"<span style='color:{MUTED}'>(L(w + \u03b5) \u2212 L(w \u2212 \u03b5)) / 2\u03b5, "
            f"\u03b5 = {v.eps:g}, on {v.on}: {outcome}; {html.escape(v.reason)}.</span>")
        self.check_label.show()


__all__ = ["InspectorPanel", "rich"]
