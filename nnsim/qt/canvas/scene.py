"""The network canvas scene: built from a Document, labelled from its Snapshot.

Data flow (DESIGN.md section 3): the scene reads ``document.network``,
``document.positions()`` and ``document.snapshot`` and calls document
methods; nothing is read back from an item to compute or save.

One ``changed(Change)`` per document event, by its flags:

- ``structure``  -> rebuild every item
- ``layout``     -> move items
- ``values``, ``step``, ``data`` -> relabel: texts, pens, fills only (no item
  is created or destroyed)

What the labels show follows the snapshot's ``None`` markers, so a layer not
computed yet in this pass shows no numbers, never stale ones.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QActionGroup, QKeyEvent, QTransform
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsProxyWidget, QGraphicsScene,
                               QHBoxLayout, QLabel, QLineEdit, QMenu, QMessageBox,
                               QToolTip, QVBoxLayout, QWidget)

from ...core import activations
from ...document import EditError
from ..selection import EdgeRef, NeuronRef
from . import palette
from .chain_paths import ChainPaths
from .edit_controls import ControlButton, header_buttons, insert_button
from . import placement
from .heat_maps import HeatMaps
from .items import (NEURON_RADIUS, Z_EDITOR, BandItem, EdgeItem, HaloItem, HeaderItem,
                    LegendItem, NeuronItem, ValueLabelItem)
# (VISIBLE_ONLY_EDGES: re-exported for the tests and the benchmark)
from .label_layout import (SETTLE_MS, VISIBLE_ONLY_EDGES, LabelLayout,  # noqa: F401
                           _place_under)
from ..number_entry import parse_number
from ..plain_text import tooltip
from ...core.naming import (ARROW, DELTA, PARTIAL, fmt, fmt_full, layer_name,
                     neuron_name)

# Above this many connections between two layers, labels drop their "w =" prefix.
VERBOSE_MAX_EDGES = 16
DRAG_THRESHOLD = 3.0


def show_warning(parent: QWidget | None, text: str, title: str = "Not possible") -> None:
    """Tell the user why an edit was refused (tests patch this); plain text,
    as the message may quote names the user typed."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                      parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def _sentence(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


@dataclass
class _Drag:
    item: NeuronItem
    press: QPointF
    start: QPointF
    moving: bool = False


class _LineEdit(QLineEdit):
    def __init__(self, on_cancel):
        super().__init__()
        self._on_cancel = on_cancel

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._on_cancel()
            return
        super().keyPressEvent(event)


class ValueEditor(QWidget):
    """The small in-place editor: "w(x1 → h1) = [0.15]"; Enter commits, Esc cancels."""

    def __init__(self, prompt: str, value: float, on_commit, on_cancel):
        super().__init__()
        self.setObjectName("canvasValueEditor")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.prompt = QLabel(prompt)
        self.line = _LineEdit(on_cancel)
        self.line.setText(fmt_full(value))
        self.line.selectAll()
        self.line.setMinimumWidth(110)
        self.line.returnPressed.connect(on_commit)
        self.line.setToolTip("Enter: set the value \u00b7 Esc: cancel")
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.message.setMaximumWidth(300)
        self.message.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.prompt)
        row.addWidget(self.line)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)
        box.setSpacing(2)
        box.addLayout(row)
        box.addWidget(self.message)
        self.setStyleSheet("#canvasValueEditor { background: white; "
                           "border: 1px solid #9aa0a6; border-radius: 4px; }")

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.adjustSize()
        self.line.selectAll()
        self.line.setFocus()


class NetworkScene(LabelLayout, QGraphicsScene):
    """The drawn network of one Document.

    Signals:
        selection_changed(object): a NeuronRef, an EdgeRef or None.
    Public methods:
        select(ref), selection, rebuild(), relabel(), content_rect(),
        set_text_scale(scale), text_scale, set_label_mode(mode), label_mode,
        interactive_item_at(scene_pos), context_menu(ref), edit_value(ref),
        tooltip_text(ref), set_document(document), highlight_paths(paths, focus),
        clear_paths().
    """

    selection_changed = Signal(object)
    content_resized = Signal()  # the labels changed size: a fitted view fits again
    reshaped = Signal()  # neurons or layers were added or removed: the view fits again

    def __init__(self, document, parent=None):
        super().__init__(parent)
        # No BSP index: every relabel changes the pens (so the geometry) of many
        # edges, and each change costs a BSP update (~20 us an edge), while long
        # diagonal edges make the tree useless for finding items anyway.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setBackgroundBrush(palette.BACKGROUND)
        self.document = None
        self._selection = None
        self._drag: _Drag | None = None
        self.editor: ValueEditor | None = None
        self._editor_proxy: QGraphicsProxyWidget | None = None
        self._editing = None
        self._closed_editor = None
        self.text_scale = 1.0
        self.label_mode = "auto"
        self.legend_key = True  # the legend's colour key (off: status lines only)
        self.edit_controls = True  # the − / + buttons (off in presentation mode and exports)
        # set by the view's fit: text larger than normal gives back up to this
        # share when otherwise a number of the step would find no room
        self.fit_shrink = 1.0
        self.label_scale = 1.0
        self.legend_side = "right"  # or "below" the network (the view's fit chooses)
        self.legend_room: tuple[float, float] | None = None  # its largest size on screen
        self.exporting = False  # export.py: every label placed, not only those in view
        self.hidden_labels = 0  # current labels (edges and neurons) left out for lack of room
        self._needs_placement = True
        self._stale_gaps: set[int] = set()  # gaps whose edge texts were skipped (crowded)
        self._crowded: frozenset = frozenset()  # gaps left unlabelled now
        self._view_zoom = 1.0
        self._n_edges = 0
        self._status: list[str] = []
        self._showing: frozenset = frozenset()
        self._crossings = placement.CrossingCache()  # kept between placements (speed)
        self._place_timer = QTimer(self)
        self._place_timer.setSingleShot(True)
        self._place_timer.setInterval(60)
        self._place_timer.timeout.connect(self._place_labels)
        self._settle_timer = QTimer(self)  # see LabelLayout._fit_in_place
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(SETTLE_MS)
        self._settle_timer.timeout.connect(self._place_labels)
        self.chain_paths = ChainPaths(self)  # the inspector's paths to the loss, drawn
        self.heat_maps = HeatMaps(self)  # the neurons' maps over the input plane (off)
        self._reset_items()
        self.set_document(document)

    # -- document ---------------------------------------------------------------
    def set_document(self, document) -> None:
        if self.document is not None:
            self.document.changed.disconnect(self._on_document_changed)
        self.document = document
        document.changed.connect(self._on_document_changed)
        self._selection = None
        self.rebuild()

    def _on_document_changed(self, change) -> None:
        """One redraw per change: rebuild, move, relabel (settings, the
        history and the file name show nothing on the canvas)."""
        if change.structure or list(self.document.network.sizes) != self._sizes:
            self.rebuild()
            return
        if change.layout:
            self._apply_positions()
            self._update_band(self.document.snapshot)
            self._place_labels()
        if change.numbers:
            self.relabel()

    # -- building -----------------------------------------------------------------
    def _reset_items(self) -> None:
        self._sizes: list[int] = []
        self.neurons: list[list[NeuronItem]] = []
        self.edges: list[list[list[EdgeItem]]] = [[]]  # edges[k][i][j], k >= 1
        self.headers: list[HeaderItem] = []
        self.header_buttons: list[tuple[ControlButton, ControlButton]] = []  # (−, +) per layer
        self.insert_buttons: list[ControlButton] = []  # between layers k and k + 1
        self.band: BandItem | None = None
        self.halo: HaloItem | None = None
        self.legend: LegendItem | None = None
        self._verbose = True
        self._gaps_hidden: set[int] = set()  # crowded gaps whose labels are all hidden
        self._lone = None  # the selected edge, whose label may show in a crowded gap
        self._items_generation = getattr(self, "_items_generation", 0) + 1
        self._flagged: frozenset = getattr(self, "_flagged", frozenset())
        self.chain_paths.items_lost()

    def rebuild(self) -> None:
        """Create every item from the document (on structure changes)."""
        self._close_editor()
        self._drag = None
        old_sizes = self._sizes
        had, self._selection = self._selection, None
        self._reset_items()
        self.clear()
        net = self.document.network
        sizes = self._sizes = list(net.sizes)
        for k, n in enumerate(sizes):
            row = []
            for j in range(n):
                item = NeuronItem(NeuronRef(k, j), self._neuron_name(k, j))
                item.label = ValueLabelItem(item)
                item.label.setScale(self.label_scale)
                self.addItem(item)
                self.addItem(item.label)
                row.append(item)
            self.neurons.append(row)
            header = HeaderItem()
            self.addItem(header)
            self.headers.append(header)
        for k in range(1, len(sizes)):
            grid = []
            for i, src in enumerate(self.neurons[k - 1]):
                row = []
                for j, dst in enumerate(self.neurons[k]):
                    edge = EdgeItem(EdgeRef(k, i, j), src, dst)
                    edge.label = ValueLabelItem(edge)
                    edge.label.setScale(self.label_scale)
                    src.edges.append(edge)
                    dst.edges.append(edge)
                    self.addItem(edge)
                    self.addItem(edge.label)
                    row.append(edge)
                grid.append(row)
            self.edges.append(grid)
        self._needs_placement = True
        self._n_edges = sum(a * b for a, b in zip(sizes, sizes[1:]))
        self._verbose = all(a * b <= VERBOSE_MAX_EDGES for a, b in zip(sizes, sizes[1:]))
        self._make_edit_controls(sizes)
        self.band, self.halo, self.legend = BandItem(), HaloItem(), LegendItem()
        self.legend.set_key_shown(self.legend_key)
        for item in (self.band, self.halo, self.legend):
            self.addItem(item)
        for item in self.headers + [self.legend]:
            item.setScale(self.label_scale)
        self._apply_positions(place=False)
        keep = had if self._still_names_the_same(had, old_sizes, sizes) else None
        self._selection = keep
        self.relabel()
        self.heat_maps.items_built()
        if keep is not None:
            self._show_selection(keep, True)
        elif had is not None:
            self.selection_changed.emit(None)
        self.chain_paths.redraw()
        self.set_flagged(self._flagged)
        if old_sizes and sizes != old_sizes:
            self.reshaped.emit()

    def _still_names_the_same(self, ref, old_sizes: list[int], sizes: list[int]) -> bool:
        """Whether ``ref`` (of the network before a rebuild) names the same
        neuron or connection now: the layers are the same ones and those it
        touches only grew (Add Neuron appends), so the selection can stay."""
        if ref is None or not self._valid(ref) or len(old_sizes) != len(sizes):
            return False
        touched = ((ref.layer,) if isinstance(ref, NeuronRef) else (ref.layer - 1, ref.layer))
        return all(sizes[k] >= old_sizes[k] for k in touched)

    def _make_edit_controls(self, sizes: list[int]) -> None:
        L = len(sizes) - 1
        for k, n in enumerate(sizes):
            names = [self._neuron_name(k, j) for j in range(n)]
            pair = header_buttons(k, names, k == 0, k == L)
            self.header_buttons.append(pair)
        for k in range(L):
            self.insert_buttons.append(insert_button(k + 1, layer_name(sizes, k),
                                                     layer_name(sizes, k + 1)))
        for item in self._edit_control_items():
            item.setScale(self.label_scale)
            item.setVisible(self.edit_controls)
            self.addItem(item)

    def _edit_control_items(self) -> list[ControlButton]:
        return [b for pair in self.header_buttons for b in pair] + self.insert_buttons

    def set_edit_controls(self, shown: bool) -> None:
        """Show or hide the − / + buttons (hidden in presentation mode)."""
        if shown == self.edit_controls:
            return
        self.edit_controls = shown
        for item in self._edit_control_items():
            item.setVisible(shown)
        self._place_headers()
        self.content_resized.emit()

    def activate_control(self, button: ControlButton) -> None:
        """A click on a − / + button: the edit it names, through the document."""
        a, doc = button.action, self.document
        if a.kind == "add_neuron":
            self._try(doc.add_neuron, a.layer)
        elif a.kind == "remove_neuron":
            self._try(doc.remove_neuron, a.layer, doc.network.sizes[a.layer] - 1)
        else:
            self._try(doc.add_layer, a.layer)

    def control_at(self, pos: QPointF) -> ControlButton | None:
        for item in self.items(pos):
            if isinstance(item, ControlButton) and item.isVisible():
                return item
        return None

    def set_flagged(self, neurons) -> None:
        """Mark these NeuronRefs (the run panel's findings) on the canvas."""
        self._flagged = frozenset(n for n in neurons if self._valid(n))
        for row in self.neurons:
            for item in row:
                item.set_flagged(item.ref in self._flagged)

    def flagged(self) -> frozenset:
        """The neurons marked for the run panel's findings."""
        return frozenset(item.ref for row in self.neurons for item in row if item.flagged)

    def _apply_positions(self, place: bool = False) -> None:
        positions = self.document.positions()
        for k, row in enumerate(self.neurons):
            for j, item in enumerate(row):
                x, y = positions[k][j]
                item.setPos(x, y)
        for grid in self.edges[1:]:
            for row in grid:
                for edge in row:
                    edge.sync()
        self._place_neuron_labels()
        self._place_headers()
        self.chain_paths.follow()
        if self._selection is not None:
            self._show_selection(self._selection, True)
        if place:
            self._place_labels()

    # -- selection ---------------------------------------------------------------
    @property
    def selection(self):
        return self._selection

    def _valid(self, ref) -> bool:
        """The ref exists in the network and has an item (the items are of its shape)."""
        return list(self.document.network.sizes) == list(self._sizes) and \
            self.document.exists(ref)

    def item_for(self, ref):
        """The NeuronItem or EdgeItem of a ref (None if it does not exist)."""
        if not self._valid(ref):
            return None
        if isinstance(ref, NeuronRef):
            return self.neurons[ref.layer][ref.neuron]
        return self.edges[ref.layer][ref.source][ref.target]

    def _show_selection(self, ref, on: bool) -> None:
        item = self.item_for(ref)
        if isinstance(item, NeuronItem):
            item.set_selected(on)
        elif isinstance(item, EdgeItem):
            self.halo.follow(item if on else None)

    def select(self, ref) -> None:
        """Select a neuron or an edge (None clears); emits selection_changed on change."""
        if ref is not None and not self._valid(ref):
            ref = None
        if ref == self._selection:
            return
        if self._selection is not None:
            self._show_selection(self._selection, False)
        self._selection = ref
        if ref is not None:
            self._show_selection(ref, True)
            self._make_room_for(ref)
        self.selection_changed.emit(ref)

    # -- the chain rule's paths ------------------------------------------------------
    def highlight_paths(self, paths, focus=None) -> None:
        """Glow the edges of ``paths`` (chainrule.Path, from the inspector's
        explanation); with ``focus``, only that path's, with its product on it."""
        self.chain_paths.show(paths, focus)

    def clear_paths(self) -> None:
        self.chain_paths.clear()

    def _make_room_for(self, ref) -> None:
        """A selected item whose number is not shown gets it (the selection
        goes first for room; in a crowded gap its text is made first)."""
        item = self.item_for(ref)
        label = item.label if item is not None else None
        if label is None or label.isVisible() or not self.neurons:
            return
        if isinstance(ref, EdgeRef) and ref.layer in self._crowded:
            self._needs_placement = True
            self.relabel()
        elif label.lines:
            self._place_labels()

    # -- what the labels show ------------------------------------------------------
    def _neuron_name(self, k: int, j: int) -> str:
        """x1, h2, out1 ...; a feature input by its feature ("x1²", "sin x2")."""
        return self.document.neuron_label(self._sizes, k, j)

    def _edge_name(self, k: int, i: int, j: int) -> str:
        """"x1 → h2", "x1² → h2": the connection by the canvas's names."""
        return f"{self._neuron_name(k - 1, i)} {ARROW} {self._neuron_name(k, j)}"

    def _input_values(self, snap):
        if snap is not None:
            return snap.X[0]
        doc = self.document
        try:
            idx = doc.next_indices()
            X = doc.network_data.X_train
            if idx and X.shape[1] == self._sizes[0]:
                return X[idx[0]]
        except (IndexError, AttributeError, ValueError):
            pass
        return None

    def relabel(self) -> None:
        """Texts, pens and fills from the document's current state (no new items)."""
        doc = self.document
        net = doc.network
        if list(net.sizes) != self._sizes:  # items of another shape: make new ones
            self.rebuild()
            return
        snap = doc.snapshot
        sizes, L = self._sizes, len(self._sizes) - 1
        v = self._verbose
        boxes = []  # the labels whose box changed size

        def put(label, lines) -> None:
            if label.set_lines(lines):
                boxes.append(label)

        # neurons ----------------------------------------------------------
        mode = self.label_mode
        x = self._input_values(snap)
        for j, item in enumerate(self.neurons[0]):
            lines = ((f"x = {fmt(x[j])}", palette.TEXT),) if x is not None else ()
            put(item.label, lines if mode != "gradients" else ())
            item.set_fill(palette.NEURON_FILL)
        for k in range(1, L + 1):
            for j, item in enumerate(self.neurons[k]):
                lines, fill = self._neuron_lines(snap, k, j, mode)
                put(item.label, lines)
                item.set_fill(fill)

        # edges -------------------------------------------------------------
        plans = [self._edge_plan(snap, k, mode) for k in range(1, L + 1)]
        largest = {}
        for k, kind, values, _, _ in plans:
            mask = net.layers[k - 1].mask
            vals = np.abs(values if mask is None else values[mask])
            vals = vals[np.isfinite(vals)]
            if vals.size:
                largest[kind] = max(largest.get(kind, 0.0), float(vals.max()))
        showing = set()
        pen_for, REMOVED = palette.pen_for_code, palette.REMOVED_CODE
        W, G = palette.WEIGHT, palette.GRADIENT
        for k, kind, values, style, extra in plans:
            mask = net.layers[k - 1].mask
            big = largest.get(kind, 0.0)
            grid = self.edges[k]
            top = palette.widest(len(grid) * len(grid[0]))
            # A crowded gap is left unlabelled (see CROWDED): its texts are
            # made when it gets room (see _place_labels).
            # (the selected edge's label is made there too: it keeps its room)
            texts = k not in self._crowded
            if texts:
                self._stale_gaps.discard(k)
            else:
                self._stale_gaps.add(k)
            sel = self._selection
            si, sj = ((sel.source, sel.target) if isinstance(sel, EdgeRef) and sel.layer == k
                      else (-1, -1))
            rows = values.tolist()
            extras = [e.tolist() for e in extra]
            codes = palette.edge_pen_codes(values, big, kind, top)
            masks = mask.tolist() if mask is not None else None
            for i, row in enumerate(grid):
                vrow, crow = rows[i], codes[i]
                xrows = [e[i] for e in extras]
                mrow = masks[i] if masks is not None else None
                for j, edge in enumerate(row):
                    present = mrow is None or mrow[j]
                    edge.present = present
                    if not present:
                        if edge.pen_key != REMOVED:
                            edge.pen_key = REMOVED
                            edge.setPen(pen_for(REMOVED))
                        put(edge.label, ())
                        continue
                    showing.add(kind)
                    code = crow[j]
                    if code != edge.pen_key:  # only edges whose look changed
                        edge.pen_key = code
                        edge.setPen(pen_for(code))
                    if not texts and (j != sj or i != si):
                        continue
                    val = vrow[j]
                    if style == "w":
                        lines = ((f"w = {fmt(val)}" if v else fmt(val),
                                  palette.text_color(val, W)),)
                    elif style == "g":
                        lines = ((f"{PARTIAL}L/{PARTIAL}w = {fmt(val)}" if v else fmt(val),
                                  palette.text_color(val, G)),)
                    elif style == "update":  # two short lines fit between crossing edges
                        w0 = xrows[0][j]
                        lines = ((f"w {fmt(w0)}" if v else fmt(w0), palette.text_color(w0, W)),
                                 (f"{ARROW} {fmt(val)}", palette.text_color(val, W)))
                    elif style == "w+g":  # the weight and its gradient side by side
                        w0 = xrows[0][j]
                        lines = ((f"w {fmt(w0)}" if v else fmt(w0), palette.text_color(w0, W)),
                                 (f"{PARTIAL}L/{PARTIAL}w {fmt(val)}" if v else fmt(val),
                                  palette.text_color(val, G)))
                    elif style == "update+g":
                        w0, g = xrows[0][j], xrows[1][j]
                        lines = ((f"w {fmt(w0)} {ARROW} {fmt(val)}", palette.text_color(val, W)),
                                 (f"{PARTIAL}L/{PARTIAL}w {fmt(g)}" if v else fmt(g),
                                  palette.text_color(g, G)))
                    else:  # "none": nothing of this mode computed yet
                        lines = ()
                    put(edge.label, lines)

        # headers, band, legend ------------------------------------------------
        for k, header in enumerate(self.headers):
            name = layer_name(sizes, k)
            header.set_text(name if k == 0 else f"{name} \u00b7 {net.layers[k - 1].activation}")
        self._status = self._status_lines(snap)
        self._showing = frozenset(showing)
        # New sizes that still overlap nothing where they are (most frames of
        # a run) keep every place; else every label is placed again.
        resized = bool(boxes) and not self._fit_in_place(boxes)
        if resized:
            self._place_neuron_labels()
        self._place_headers()
        self._update_band(snap)
        if isinstance(self._selection, EdgeRef):
            self.halo.follow(self.item_for(self._selection))
        if resized or self._needs_placement:
            self._place_labels()
        else:  # every box kept its size or still fits: every label keeps its place
            self._set_legend()
        self.heat_maps.schedule()

    def _neuron_lines(self, snap, k: int, j: int, mode: str):
        """What neuron j of layer k shows in this label mode, and its fill."""
        layer = self.document.network.layers[k - 1]
        if snap is None:  # between passes: its bias
            b = layer.b[j]
            lines = ((f"b = {fmt(b)}", palette.text_color(b, palette.WEIGHT)),)
            return (() if mode == "gradients" else lines), palette.NEURON_FILL
        G = palette.GRADIENT
        forward = snap.z[k - 1] is not None
        backward = snap.delta[k - 1] is not None
        updated = snap.weights_after is not None
        fill = (palette.NEURON_FILL if updated else palette.NEURON_FILL_BACKWARD if backward
                else palette.NEURON_FILL_FORWARD if forward else palette.NEURON_FILL)
        grads = ()
        if backward:
            d, db = snap.delta[k - 1][0, j], snap.db[k - 1][j]
            grads = ((f"{DELTA} = {fmt(d)}", palette.text_color(d, G)),
                     (f"{PARTIAL}L/{PARTIAL}b = {fmt(db)}", palette.text_color(db, G)))
        bias = ()
        if updated:
            b0, b1 = snap.weights_before[k - 1][1][j], snap.weights_after[k - 1][1][j]
            bias = ((f"b {fmt(b0)} {ARROW} {fmt(b1)}", palette.text_color(b1, palette.WEIGHT)),)
        act = ((f"a = {fmt(snap.a[k][0, j])}", palette.TEXT),) if forward else ()
        if mode == "values":
            return act + bias, fill
        if mode == "gradients":
            return grads, fill
        if mode == "both":
            return act + grads + bias, fill
        # auto: what the phase just computed
        if updated:
            return bias, fill
        if backward:
            return grads, fill
        if forward:
            lines = ((f"z = {fmt(snap.z[k - 1][0, j])}", palette.TEXT),) + act
            n = len(self.neurons[k])
            if (k == len(self._sizes) - 1 and snap.loss_shares is not None
                    and snap.loss_shares.shape[1] == n and snap.Y.shape[1] == n):
                lines += ((f"y = {fmt(snap.Y[0, j])}", palette.TEXT_MUTED),
                          (f"L share = {fmt(snap.loss_shares[0, j])}", palette.TEXT))
            return lines, fill
        return (), fill

    def _edge_plan(self, snap, k: int, mode: str):
        """(k, kind the pens show, their values, label style, extra arrays)
        for the edges into layer k in this label mode."""
        W, G = palette.WEIGHT, palette.GRADIENT
        if snap is None:
            w = self.document.network.layers[k - 1].W
            return (k, W, w, "none" if mode == "gradients" else "w", ())
        w0 = snap.weights_before[k - 1][0]
        g = snap.dW[k - 1]
        if snap.weights_after is not None:
            w1 = snap.weights_after[k - 1][0]
            if mode == "gradients" and g is not None:
                return (k, G, g, "g", ())
            if mode == "both" and g is not None:
                return (k, W, w1, "update+g", (w0, g))
            return (k, W, w1, "update", (w0,))
        if g is None:
            return (k, W, w0, "none" if mode == "gradients" else "w", ())
        if mode == "values":
            return (k, W, w0, "w", ())
        if mode == "both":
            return (k, G, g, "w+g", (w0,))
        return (k, G, g, "g", ())

    def _set_legend(self) -> None:
        status = list(self._status)
        if self.hidden_labels:
            n = self.hidden_labels
            status.append(f"{n} label{'s' if n != 1 else ''} need{'s' if n == 1 else ''} "
                          "room: zoom in")
        self.legend.set_state(status, self._showing)

    def _status_lines(self, snap) -> list[str]:
        doc = self.document
        if snap is None or snap.step is None:
            lines = ["Between passes", f"Next: {doc.next_step.label}"]
            try:
                indices = doc.next_indices()
            except (IndexError, ValueError):
                indices = ()
        else:
            nxt = snap.next_step.label if snap.next_step is not None else "a new pass"
            lines = [f"Done: {snap.step.label}", f"Next: {nxt}"]
            indices = snap.sample_indices
        if len(indices) == 1:
            lines.append(f"Training sample #{indices[0] + 1}")  # row numbers, from 1
        elif len(indices) > 1:
            lines.append(f"Neurons: sample 1 of {len(indices)} (#{indices[0] + 1})")
            lines.append(f"{PARTIAL}L/{PARTIAL}w, {PARTIAL}L/{PARTIAL}b: whole mini-batch")
        if snap is not None and snap.loss is not None:
            lines.append(f"Loss L = {fmt(snap.loss)}")
        warnings = doc.warnings()  # odd output/loss pairs: the inspector words them
        if warnings:
            n = len(warnings)
            lines.append(f"\u26a0 {n} warning{'s' * (n != 1)}: select an output")
        return lines

    def _update_band(self, snap) -> None:
        k = None
        if snap is not None and snap.step is not None:
            if snap.step.kind in ("forward", "backward"):
                k = snap.step.layer
            elif snap.step.kind == "loss":
                k = len(self._sizes) - 1
        if k is None:
            self.band.setVisible(False)
            return
        rect = QRectF()
        for item in self.neurons[k]:
            r = NEURON_RADIUS
            rect = rect.united(QRectF(item.x() - r, item.y() - r, 2 * r, 2 * r))
            if item.label.lines:
                rect = rect.united(item.label.sceneBoundingRect())
        rect = rect.united(self.headers[k].sceneBoundingRect())
        rect.adjust(-14, -8, 14, 8)
        self.band.setRect(rect)
        self.band.setVisible(True)

    # -- user input ---------------------------------------------------------------------
    def interactive_item_at(self, pos: QPointF):
        """The neuron or edge under a scene point (a label means its owner), or None."""
        for item in self.items(pos):
            if isinstance(item, (NeuronItem, EdgeItem)):
                return item
            if isinstance(item, ValueLabelItem) and item.lines:
                return item.owner
            if isinstance(item, QGraphicsProxyWidget):
                return None
        return None

    def _on_editor(self, pos: QPointF) -> bool:
        """Whether a scene point is on the in-place editor (which ignores the zoom,
        so the view's transform tells where it is)."""
        if self._editor_proxy is None:
            return False
        views = self.views()
        transform = views[0].transform() if views else QTransform()
        return self.itemAt(pos, transform) is self._editor_proxy

    def mousePressEvent(self, event) -> None:
        if self._on_editor(event.scenePos()):
            super().mousePressEvent(event)
            return
        self._close_editor()
        control = self.control_at(event.scenePos())
        if control is not None:
            if event.button() == Qt.MouseButton.LeftButton:
                self.activate_control(control)
            event.accept()
            return
        item = self.interactive_item_at(event.scenePos())
        if item is None:
            if event.button() == Qt.MouseButton.LeftButton:
                self.select(None)
            event.ignore()  # the view pans
            return
        self.select(item.ref)
        if event.button() == Qt.MouseButton.LeftButton and isinstance(item, NeuronItem):
            self._drag = _Drag(item, event.scenePos(), item.pos())
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        d = self._drag
        if d is None or not event.buttons() & Qt.MouseButton.LeftButton:
            super().mouseMoveEvent(event)
            return
        delta = event.scenePos() - d.press
        if not d.moving and delta.manhattanLength() < DRAG_THRESHOLD:
            return
        d.moving = True
        d.item.setPos(d.start + delta)
        for edge in d.item.edges:
            edge.sync()
        _place_under(d.item)
        if isinstance(self._selection, EdgeRef):
            self.halo.follow(self.item_for(self._selection))
        self.chain_paths.follow()
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        d, self._drag = self._drag, None
        if d is None:
            super().mouseReleaseEvent(event)
            return
        event.accept()
        if not d.moving:
            return
        target = self._neuron_under(event.scenePos(), d.item)
        if target is not None:  # dropped on another neuron: connect them, not move
            self._apply_positions(place=True)
            self._connect(d.item.ref, target.ref, event)
            return
        ref = d.item.ref
        pos = d.item.pos()
        try:
            self.document.move_neuron(ref.layer, ref.neuron, pos.x(), pos.y())
        except EditError as e:
            self._apply_positions(place=True)
            self._warn(str(e))

    def _neuron_under(self, pos: QPointF, dragged) -> NeuronItem | None:
        for item in self.items(pos):
            if isinstance(item, NeuronItem) and item is not dragged:
                return item
        return None

    def _connect(self, a: NeuronRef, b: NeuronRef, event) -> None:
        """A neuron dropped on another: restore their connection (if removed)."""
        lo, hi = sorted((a, b), key=lambda r: r.layer)
        if hi.layer - lo.layer != 1:
            text = (f"{self._neuron_name(a.layer, a.neuron)} and "
                    f"{self._neuron_name(b.layer, b.neuron)} are not in neighbouring layers: "
                    "a connection joins a layer to the next one.")
        else:
            ref = EdgeRef(hi.layer, lo.neuron, hi.neuron)
            name = self._edge_name(ref.layer, ref.source, ref.target)
            if self.item_for(ref).present:
                text = f"{name} is connected already."
            else:
                self._try(self.document.set_connection, ref.layer, ref.source, ref.target, True)
                self.select(ref)
                text = f"Restored {name}."
        QToolTip.showText(event.screenPos(), tooltip(text), self._parent_widget())

    def mouseDoubleClickEvent(self, event) -> None:
        if self._on_editor(event.scenePos()):
            super().mouseDoubleClickEvent(event)
            return
        item = self.interactive_item_at(event.scenePos())
        if item is None or event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        self._drag = None
        self.select(item.ref)
        self.edit_value(item.ref)
        event.accept()

    def contextMenuEvent(self, event) -> None:
        if self._on_editor(event.scenePos()):
            super().contextMenuEvent(event)
            return
        item = self.interactive_item_at(event.scenePos())
        if item is None:
            event.ignore()
            return
        self._close_editor()
        self.select(item.ref)
        menu = self.context_menu(item.ref)
        event.accept()
        menu.exec(event.screenPos())
        menu.deleteLater()

    def helpEvent(self, event) -> None:
        control = self.control_at(event.scenePos())
        if control is not None:
            QToolTip.showText(event.screenPos(), tooltip(control.tooltip), event.widget())
            event.accept()
            return
        item = self.interactive_item_at(event.scenePos())
        if item is None:
            QToolTip.hideText()
            event.ignore()
            return
        QToolTip.showText(event.screenPos(), tooltip(self.tooltip_text(item.ref)),
                          event.widget())
        event.accept()

    # -- menus and edits -------------------------------------------------------------------
    def _parent_widget(self) -> QWidget | None:
        views = self.views()
        return views[0] if views else None

    def _warn(self, message: str) -> None:
        show_warning(self._parent_widget(), _sentence(message))

    def _try(self, edit, *args) -> None:
        """Run a document edit; a refused edit is explained, not raised."""
        try:
            edit(*args)
        except EditError as e:
            self._warn(str(e))

    def context_menu(self, ref) -> QMenu:
        """The right-click menu of a neuron or an edge (the caller shows it)."""
        doc, sizes = self.document, self._sizes
        L = len(sizes) - 1
        menu = QMenu(self._parent_widget())

        def add(text, slot, enabled=True):
            act = menu.addAction(text)
            act.triggered.connect(slot)
            act.setEnabled(enabled)
            return act

        if isinstance(ref, NeuronRef):
            k, j = ref.layer, ref.neuron
            menu.setTitle(self._neuron_name(k, j))
            add("Add neuron to this layer", lambda: self._try(doc.add_neuron, k))
            add("Remove this neuron", lambda: self._try(doc.remove_neuron, k, j))
            menu.addSeparator()
            if k >= 1:
                add("Add layer before", lambda: self._try(doc.add_layer, k))
            if k < L:
                add("Add layer after", lambda: self._try(doc.add_layer, k + 1))
            if k >= 1:
                add("Remove layer", lambda: self._try(doc.remove_layer, k))
                sub = menu.addMenu("Activation")
                group = QActionGroup(sub)
                current = doc.network.layers[k - 1].activation
                for name in activations.ACTIVATIONS:
                    if name in activations.OUTPUT_ONLY and k != L:
                        continue
                    act = sub.addAction(name)
                    act.setCheckable(True)
                    act.setChecked(name == current)
                    group.addAction(act)
                    act.triggered.connect(lambda _=False, n=name: self._try(doc.set_activation, k, n))
                menu.addSeparator()
                add("Edit bias\u2026", lambda: self.edit_value(ref))
        elif isinstance(ref, EdgeRef):
            k, i, j = ref.layer, ref.source, ref.target
            menu.setTitle(self._edge_name(k, i, j))
            present = self.item_for(ref).present
            if present:
                add("Remove connection",
                    lambda: self._try(doc.set_connection, k, i, j, False))
            else:
                add("Restore connection",
                    lambda: self._try(doc.set_connection, k, i, j, True))
            add("Edit weight\u2026", lambda: self.edit_value(ref), enabled=present)
        return menu

    def edit_value(self, ref) -> bool:
        """Open the in-place editor for an edge's weight or a neuron's bias.
        Returns False when there is nothing to edit (an input, a removed edge)."""
        self._close_editor()
        item = self.item_for(ref)
        net, sizes = self.document.network, self._sizes
        if isinstance(ref, EdgeRef) and item is not None and item.present:
            value = float(net.layers[ref.layer - 1].W[ref.source, ref.target])
            prompt = f"w({self._edge_name(ref.layer, ref.source, ref.target)}) ="
            anchor = item.label.pos() if item.label.isVisible() else item.point_at(0.5)
        elif isinstance(ref, NeuronRef) and item is not None and ref.layer >= 1:
            value = float(net.layers[ref.layer - 1].b[ref.neuron])
            prompt = f"bias of {neuron_name(sizes, ref.layer, ref.neuron)} ="
            anchor = item.pos() + QPointF(0, NEURON_RADIUS + 6)
        else:
            return False
        self._editing = ref
        self.editor = ValueEditor(prompt, value, self._commit_editor, self._close_editor)
        self._editor_proxy = self.addWidget(self.editor)
        self._editor_proxy.setZValue(Z_EDITOR)
        self._editor_proxy.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.editor.adjustSize()
        self._editor_proxy.setPos(anchor)
        # centred on the anchor, in screen pixels (the proxy ignores the zoom)
        size = self.editor.size()
        self._editor_proxy.setTransform(
            QTransform.fromTranslate(-size.width() / 2, -size.height() / 2))
        self.editor.line.setFocus()
        self.setFocusItem(self._editor_proxy)
        return True

    def _commit_editor(self) -> None:
        if self.editor is None:
            return
        try:
            value = parse_number(self.editor.line.text())
        except ValueError as e:
            self.editor.show_message(str(e))
            return
        ref = self._editing
        self._close_editor()
        net = self.document.network
        if isinstance(ref, EdgeRef):
            if float(net.layers[ref.layer - 1].W[ref.source, ref.target]) != value:
                self._try(self.document.set_weight, ref.layer, ref.source, ref.target, value)
        else:
            if float(net.layers[ref.layer - 1].b[ref.neuron]) != value:
                self._try(self.document.set_bias, ref.layer, ref.neuron, value)

    def _close_editor(self) -> None:
        proxy, self._editor_proxy = self._editor_proxy, None
        self.editor, self._editing = None, None
        if proxy is not None:
            # We may be inside the editor's own key event: delete it later,
            # and hold the wrapper until then (removeItem hands it to Python).
            self.removeItem(proxy)
            proxy.deleteLater()
            self._closed_editor = proxy
            views = self.views()
            if views:
                views[0].setFocus()

    # -- tooltips ----------------------------------------------------------------------------
    def tooltip_text(self, ref) -> str:
        """Everything known about a neuron or an edge, with more digits."""
        doc, net, sizes = self.document, self.document.network, self._sizes
        snap, L = doc.snapshot, len(sizes) - 1
        f = fmt_full
        lines = []
        batch = len(snap.sample_indices) if snap is not None else 1
        if isinstance(ref, NeuronRef):
            k, j = ref.layer, ref.neuron
            name = self._neuron_name(k, j)
            if k == 0:
                n_raw = doc.dataset.n_inputs
                lines.append(f"{name}: input {j + 1}" if j < n_raw else
                             f"{name}: feature input {j + 1}, computed from each point")
                x = self._input_values(snap)
                if x is not None:
                    lines.append(f"x = {f(x[j])}")
                    if doc.input_options.standardize:
                        lines.append("(standardised: the data's value minus the mean, "
                                     "divided by the deviation)")
                        if j < n_raw:
                            lines.append(f"the data's value: {f(doc.raw_inputs(x)[j])}")
            else:
                layer = net.layers[k - 1]
                kind = "output" if k == L else "hidden"
                lines.append(f"{name}: {kind} neuron {j + 1} of layer {k} ({layer.activation})")
                if snap is not None and snap.weights_after is not None:
                    lines.append(f"bias b: {f(snap.weights_before[k - 1][1][j])} {ARROW} "
                                 f"{f(snap.weights_after[k - 1][1][j])}")
                else:
                    lines.append(f"bias b = {f(layer.b[j])}")
                if snap is not None:
                    if snap.z[k - 1] is not None:
                        lines.append(f"z = {f(snap.z[k - 1][0, j])}  (weighted sum of inputs + b)")
                        lines.append(f"a = {layer.activation}(z) = {f(snap.a[k][0, j])}")
                    else:
                        lines.append("z, a: not computed yet in this pass")
                    if k == L and snap.loss_shares is not None:
                        lines.append(f"target y = {f(snap.Y[0, j])}")
                        lines.append(f"share of the loss = {f(snap.loss_shares[0, j])}"
                                     f"  (L = {f(snap.loss)})")
                    if snap.delta[k - 1] is not None:
                        lines.append(f"{DELTA} = {PARTIAL}L/{PARTIAL}z = {f(snap.delta[k - 1][0, j])}")
                        lines.append(f"{PARTIAL}L/{PARTIAL}b = {f(snap.db[k - 1][j])}"
                                     + ("  (whole mini-batch)" if batch > 1 else ""))
            if batch > 1:
                lines.append(f"values for sample 1 of {batch} in the mini-batch")
        elif isinstance(ref, EdgeRef):
            k, i, j = ref.layer, ref.source, ref.target
            layer = net.layers[k - 1]
            lines.append(f"w({self._edge_name(k, i, j)}): from {self._neuron_name(k - 1, i)} "
                         f"into {self._neuron_name(k, j)}")
            present = layer.mask is None or bool(layer.mask[i, j])
            if not present:
                lines.append(f"removed connection (its weight {f(layer.W[i, j])} is kept)")
                lines.append("right-click to restore it")
            elif snap is not None and snap.weights_after is not None:
                w0 = snap.weights_before[k - 1][0][i, j]
                w1 = snap.weights_after[k - 1][0][i, j]
                lines.append(f"weight w: {f(w0)} {ARROW} {f(w1)}  (change {f(w1 - w0)})")
                lines.append(f"{PARTIAL}L/{PARTIAL}w = {f(snap.dW[k - 1][i, j])},  "
                             f"learning rate \u03b7 = {f(snap.learning_rate)}")
            else:
                lines.append(f"weight w = {f(layer.W[i, j])}")
                if snap is not None and snap.dW[k - 1] is not None:
                    lines.append(f"{PARTIAL}L/{PARTIAL}w = {f(snap.dW[k - 1][i, j])}"
                                 + ("  (whole mini-batch)" if batch > 1 else ""))
            if present:
                lines.append("double-click to edit the weight")
        return "\n".join(lines)

