"""The computational graph, live: micrograd's draw_dot drawn with Qt.

Two scopes: the selected neuron (its inputs and weights, the products, the
sum with the bias, the activation), or the whole network and its loss (only
offered up to MAX_WHOLE_PARAMETERS). Boxes fill in as the step bar goes:
values with the forward steps, gradients with the backward steps.

Local derivatives: once the backward pass reaches an operation, each arrow
into it is labelled with ∂node/∂input (graph_items.py), so the chain rule
reads off the picture: grad(input) = Σ over its arrows of label × grad(node).

Legibility: the view fits the graph to its area but never shows text below
MIN_TEXT_PX. Where the usual layout would be cut in height at that size (the
dock strip of a 1280x720 window) it switches to a compact one (one-line
boxes, closer rows), which pans sideways only; the "Enlarge" button floats
the dock over the main window at ENLARGE_SHARE of its size, where a neuron's
graph fits whole ("Dock" puts it back). A graph too big even there (the
whole network) scrolls: drag to pan, the wheel zooms.

Selection both ways: clicking a box (or its operation) emits
``ref_clicked(NeuronRef | EdgeRef)``; ``show_selection(ref)`` highlights the
boxes of a canvas selection and, in the neuron scope, shows that neuron.
The view reads ``document.network`` and ``document.snapshot`` only, redraws at
most ~30 times a second and only while visible.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QComboBox, QDockWidget, QGraphicsScene, QGraphicsView,
                               QHBoxLayout, QLabel, QSpinBox, QToolButton, QVBoxLayout, QWidget)

from ..core.comp_graph import CompGraph, network_graph, neuron_graph, offers_whole_network
from ..core.naming import PARTIAL, neuron_name
from .graph_items import (CIRCLE_GAP, COMPACT_LABEL_GAP, COMPACT_ROW_GAP, FONT_PX, LABEL_GAP,
                          MIN_TEXT_PX, ROW_GAP, SLOT_GAP, LocalLabel, NodeBox, OpCircle, arrow,
                          arrow_via, label_size, layout, slot_width)
from .selection import EdgeRef, NeuronRef
from .redraw_throttle import RedrawThrottle, on_screen

REDRAW_MS = 33  # ~30 redraws a second at most
NEURON, NETWORK = "neuron", "network"
MAX_FIT_SCALE = 1.5
# "Enlarge": the dock floats over the main window at this share of its size.
# At 1280x720 the bottom dock strip leaves the graph ~130 px (one neuron's
# graph needs ~190 at the 11 px text floor, and ~1050 wide with its local
# derivatives): floating it at 80% x 85% of the window gives ~1000 x 550, where
# a neuron's graph fits whole. Relative to the window (which the user sized
# to the screen), not to the screen: a dock floated by its title bar keeps
# its small docked size, hence the button.
ENLARGE_SHARE = (0.8, 0.85)


def canvas_ref(node_ref: tuple | None):
    """The canvas's NeuronRef/EdgeRef of a node's ("neuron"/"edge", ...) ref."""
    if node_ref is None:
        return None
    return EdgeRef(*node_ref[1:]) if node_ref[0] == "edge" else NeuronRef(*node_ref[1:])


def graph_ref(ref) -> tuple | None:
    if isinstance(ref, EdgeRef):
        return ("edge", ref.layer, ref.source, ref.target)
    if isinstance(ref, NeuronRef):
        return ("neuron", ref.layer, ref.neuron)
    return None


class GraphCanvas(QGraphicsView):
    """Fits the graph, with a floor on the text size; the wheel zooms."""

    def __init__(self, scene: QGraphicsScene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.fitted = True  # follows resizes until the user zooms
        self.margin = 8  # around the graph (4 in the compact layout)
        self.cut = False  # the fitted graph does not fit whole at the text floor
        self.focus: QPointF | None = None  # what to keep in view when the graph is cut

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self, focus: QPointF | None = None) -> None:
        """The whole graph, or (too big for legible text) its part around ``focus``."""
        self.fitted = True
        if focus is not None:
            self.focus = focus
        m = self.margin
        rect = self.scene().itemsBoundingRect().adjusted(-m, -m, m, m)
        if rect.isEmpty():
            return
        vp = self.viewport().size()
        scale = min(vp.width() / rect.width(), vp.height() / rect.height(), MAX_FIT_SCALE)
        scale = max(scale, MIN_TEXT_PX / FONT_PX)
        self.cut = rect.width() * scale > vp.width() + 1 or rect.height() * scale > vp.height() + 1
        self.resetTransform()
        self.scale(scale, scale)
        self.setSceneRect(rect)
        self.centerOn(rect.center() if self.focus is None else self.focus)

    def wheelEvent(self, event) -> None:
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.fitted = False
        self.scale(factor, factor)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fitted:
            self.fit()


class GraphView(QWidget):
    ref_clicked = Signal(object)  # NeuronRef | EdgeRef of a clicked node

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = None
        self.scope = NEURON
        self.selection = None  # the canvas's NeuronRef/EdgeRef
        self.sample = 0
        self.graph: CompGraph | None = None
        self.boxes: dict[str, NodeBox] = {}
        self.circles: dict[str, OpCircle] = {}
        self.local_labels: dict[tuple[str, str], LocalLabel] = {}  # (node, input) ids
        self._slots: dict[str, float] = {}  # the width of each operation's label slot
        self.compact = False  # one-line boxes, for a view too low for the usual ones
        self._usual_height: float | None = None  # the usual layout's height, this graph
        self.redraw_count = 0  # for tests: how many graphs were built
        self._shape = None  # node ids and scope last laid out
        self._sizes: dict = {}  # their boxes' sizes
        self._press = None  # where a left click began on the graph
        self.redraw = RedrawThrottle(self, self.refresh_now, REDRAW_MS)
        self.redraw_timer = self.redraw.timer
        self._build_ui()
        self.set_document(document)

    def _build_ui(self) -> None:
        self.scope_box = QComboBox(self)
        self.scope_box.setObjectName("graph_scope")
        self.scope_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.scope_box.activated.connect(self._on_scope_chosen)
        self.sample_box = QSpinBox(self)
        self.sample_box.setObjectName("graph_sample")
        self.sample_box.setPrefix("sample ")
        self.sample_box.valueChanged.connect(self._on_sample_chosen)
        self.note = QLabel(self)
        self.note.setObjectName("graph_note")
        self.note.setWordWrap(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.scope_box)
        bar.addWidget(self.sample_box)
        bar.addWidget(self.note, 1)
        self.enlarge_button = QToolButton(self)
        self.enlarge_button.setObjectName("graph_enlarge")
        self.enlarge_button.setText("Enlarge")
        self.enlarge_button.setToolTip("Float the graph in a larger window over the main window "
                                       "(again: put it back in its dock)")
        self.enlarge_button.clicked.connect(self.toggle_enlarged)
        bar.addWidget(self.enlarge_button)
        self.scene = QGraphicsScene(self)
        self.canvas = GraphCanvas(self.scene, self)
        self.canvas.setObjectName("graph_canvas")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(bar)
        box.addWidget(self.canvas, 1)
        self.canvas.viewport().installEventFilter(self)

    def dock(self) -> QDockWidget | None:
        w = self.parentWidget()
        while w is not None and not isinstance(w, QDockWidget):
            w = w.parentWidget()
        return w

    def enlarged(self) -> bool:
        dock = self.dock()
        return dock is not None and dock.isFloating()

    def toggle_enlarged(self) -> None:
        """Float the dock over the main window at ENLARGE_SHARE of its size
        (the graph refits), or put it back where it was docked."""
        dock = self.dock()
        if dock is None:
            return
        self._watch_dock(dock)
        if dock.isFloating():
            dock.setFloating(False)
            dock.raise_()  # back in its tab, in front (where it was when enlarged)
        else:
            main = dock.parentWidget().window() if dock.parentWidget() else self.window()
            frame = main.geometry()
            w, h = int(frame.width() * ENLARGE_SHARE[0]), int(frame.height() * ENLARGE_SHARE[1])
            dock.setFloating(True)
            dock.resize(w, h)
            dock.move(frame.center().x() - w // 2, frame.center().y() - h // 2)
            dock.raise_()
        self.canvas.fitted = True  # a zoom of the small view means nothing in the big one
        self._update_enlarge_button()
        self._on_document_changed()  # the layout and the note for the new room

    def _watch_dock(self, dock: QDockWidget) -> None:
        if getattr(self, "_watched_dock", None) is not dock:
            self._watched_dock = dock
            dock.topLevelChanged.connect(self._update_enlarge_button)

    def _update_enlarge_button(self, *_args) -> None:
        floating = self.enlarged()
        self.enlarge_button.setText("Dock" if floating else "Enlarge")
        self.enlarge_button.setVisible(self.dock() is not None)

    def sizeHint(self) -> QSize:
        return QSize(600, 170)

    # -- the document ------------------------------------------------------------------
    def set_document(self, document) -> None:
        if self.document is not None:
            self._connect(self.document, False)
        self.document = document
        self._connect(document, True)
        self.selection = None
        self._on_document_changed()

    def _connect(self, doc, on: bool) -> None:
        # the one place this view listens to the document
        if on:
            doc.changed.connect(self._on_document_changed)
        else:
            doc.changed.disconnect(self._on_document_changed)

    def _on_document_changed(self, change=None) -> None:
        if change is not None and not (change.numbers or change.settings):
            return  # a save, a layout move: nothing the graph shows
        self.redraw.mark()

    def on_screen(self) -> bool:
        return on_screen(self)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        dock = self.dock()
        if dock is not None:
            self._watch_dock(dock)
        self._update_enlarge_button()
        self.dock_shown(True)

    def dock_shown(self, shown: bool) -> None:
        """The dock came to the front (its visibilityChanged): catch up."""
        self.redraw.exposed(shown)

    # -- what is shown -----------------------------------------------------------------
    def show_selection(self, ref) -> None:
        """The canvas's selection: highlighted here (the neuron scope shows
        its neuron, or an edge's target neuron)."""
        self.selection = ref
        if self.scope == NEURON:
            self._on_document_changed()
        else:
            self._highlight()

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        self._on_document_changed()

    def _on_scope_chosen(self, index: int) -> None:
        self.set_scope(self.scope_box.itemData(index))

    def _on_sample_chosen(self, value: int) -> None:
        if value - 1 != self.sample:  # the box counts from 1
            self.sample = value - 1
            self._on_document_changed()

    def _neuron_on_show(self) -> tuple[int, int] | None:
        """The neuron whose graph the neuron scope shows: the selected one, an
        edge's target, or (nothing selected) the first output."""
        sizes = self.document.network.sizes
        s = self.selection
        if isinstance(s, EdgeRef) and 1 <= s.layer < len(sizes) and s.target < sizes[s.layer]:
            return s.layer, s.target
        if isinstance(s, NeuronRef) and 0 <= s.layer < len(sizes) and s.neuron < sizes[s.layer]:
            return (s.layer, s.neuron) if s.layer >= 1 else None
        return len(sizes) - 1, 0

    def _update_controls(self, snap) -> None:
        whole = offers_whole_network(self.document.network)
        if not whole and self.scope == NETWORK:
            self.scope = NEURON
        items = [("Selected neuron", NEURON)] + (
            [("Whole network and loss", NETWORK)] if whole else [])
        if [self.scope_box.itemData(i) for i in range(self.scope_box.count())] != \
                [d for _, d in items]:
            self.scope_box.clear()
            for text, data in items:
                self.scope_box.addItem(text, data)
        self.scope_box.setCurrentIndex(self.scope_box.findData(self.scope))
        self.scope_box.setToolTip("" if whole else "The whole network's graph is offered up to "
                                  "30 weights and biases")
        n = 1 if snap is None else snap.X.shape[0]
        self.sample = min(self.sample, n - 1)
        self.sample_box.blockSignals(True)
        self.sample_box.setRange(1, n)
        self.sample_box.setValue(self.sample + 1)
        self.sample_box.setSuffix(f" of {n} in the mini-batch")
        self.sample_box.blockSignals(False)
        self.sample_box.setVisible(n > 1)

    def refresh_now(self) -> None:
        """Build the graph from the document and draw it (tests call this
        instead of waiting for the timer)."""
        self.redraw.done()
        doc = self.document
        net, snap = doc.network, doc.snapshot
        self._update_controls(snap)
        self.redraw_count += 1
        if self.scope == NETWORK:
            graph = network_graph(net, snap, self.sample)
            note = "Every neuron and the loss, for one sample"
        else:
            on_show = self._neuron_on_show()
            if on_show is None:
                self._clear("An input has no operation: select a neuron of a later "
                            "layer (or a connection) to see its graph.")
                return
            k, j = on_show
            graph = neuron_graph(net, snap, k, j, self.sample)
            note = f"Neuron {neuron_name(net.sizes, k, j)}; select another on the canvas"
            if net.layers[k - 1].activation == "softmax":
                note += " (its z's gradient comes through every softmax output)"
        if snap is None:
            note += " — press Forward to fill in the values"
        elif snap.penalty.active:  # the weights' grads include it; the graph has no node for it
            note += f" (+ {snap.penalty.title} penalty on the weights: not drawn)"
        self._show(graph)
        legend = f"on each arrow: × {PARTIAL}node/{PARTIAL}input, the local derivative"
        if self.enlarged() and any(lb.text() for lb in self.local_labels.values()):
            # only in the big window: in the strip the longer note would wrap,
            # take height and could flip the compact layout back and forth
            note += "; " + legend
        self.note.setText(note)
        tip = legend + "; grad(input) = Σ over its arrows of × · grad(node)"
        if snap is not None and snap.penalty.active:
            tip += (f". A weight's grad also includes the {snap.penalty.title} penalty's term "
                    + ("λ·w" if snap.penalty.kind == "l2" else "λ·sign(w)")
                    + ", which the graph does not draw (the inspector shows it)")
        self.note.setToolTip(tip)
        # (a hint in the note would wrap it and take the low strip's height)
        self.enlarge_button.setToolTip(
            ("The graph does not fit here at a readable size (drag to pan). " if
             self.canvas.cut and not self.enlarged() else "") +
            "Float the graph in a larger window over the main window (again: put it back "
            "in its dock)")

    def _clear(self, note: str) -> None:
        self.scene.clear()
        self.boxes, self.circles, self.graph, self._shape = {}, {}, None, None
        self.local_labels, self._usual_height = {}, None
        self.note.setText(note)

    def _show(self, graph: CompGraph) -> None:
        self.graph = graph
        b = graph.batch_size
        same = (graph.scope, tuple(n.id for n in graph.nodes)) == \
            (None if self._shape is None else self._shape[:2])
        compact = self._want_compact(graph, same)
        shape = (graph.scope, tuple(n.id for n in graph.nodes), compact)
        if shape == self._shape and all(  # same boxes, room for the numbers: new numbers only
                NodeBox.size_for(n, b, compact)[0] <= self._sizes[n.id][0] and
                (n.is_leaf or slot_width(n) <= self._slots[n.id]) for n in graph.nodes):
            for n in graph.nodes:
                self.boxes[n.id].set_node(n, b)
                if n.id in self.circles:
                    self.circles[n.id].node = n
            for label in self.local_labels.values():
                label.set_node(graph.node(label.node.id))
            self._highlight()
            return
        # boxes and slots only grow in one graph
        grown, grown_slots = (self._sizes, self._slots) if shape == self._shape else ({}, {})
        self.compact = compact
        self.canvas.margin = 4 if compact else 8
        self.scene.clear()
        self.boxes, self.circles, self.local_labels = {}, {}, {}
        sizes, room, op_widths, slots, pos = self._geometry(graph, compact, grown, grown_slots)
        label_h = label_size("×0")[1]
        for n in graph.nodes:
            box = self.boxes[n.id] = NodeBox(n)
            box.compact = compact
            box.set_node(n, b)
            if not n.is_leaf:
                circle = self.circles[n.id] = OpCircle(n)
                circle.setToolTip(box.toolTip())
        for n in graph.nodes:
            box = self.boxes[n.id]
            box.set_size(*sizes[n.id])
            box.setPos(pos[n.id])
            self.scene.addItem(box)
        for n in graph.nodes:
            if n.is_leaf:
                continue
            circle = self.circles[n.id]
            target = pos[n.id] + QPointF(-CIRCLE_GAP, sizes[n.id][1] / 2)
            circle.setPos(target)
            self.scene.addItem(circle)
            self.scene.addItem(arrow(target, target + QPointF(CIRCLE_GAP, 0)))
            into = target - QPointF(circle.width, 0)
            slot_right = into.x() - SLOT_GAP
            slot_left = slot_right - slots[n.id]
            drawn = sorted((k for k, i in enumerate(n.inputs) if i in self.boxes),
                           key=lambda k: pos[n.inputs[k]].y() + sizes[n.inputs[k]][1] / 2)
            gap = COMPACT_LABEL_GAP if compact else LABEL_GAP
            top = target.y() - (len(drawn) * label_h + (len(drawn) - 1) * gap) / 2
            for row, k in enumerate(drawn):
                i = n.inputs[k]
                y = top + row * (label_h + gap) + label_h / 2
                src = pos[i] + QPointF(sizes[i][0], sizes[i][1] / 2)
                self.scene.addItem(arrow_via(src, QPointF(slot_left, y), QPointF(slot_right, y),
                                             into))
                label = self.local_labels[(n.id, i)] = LocalLabel(n, k, slots[n.id])
                label.setPos(slot_left, y)
                self.scene.addItem(label)
        self._shape, self._sizes, self._slots = shape, sizes, slots
        self._highlight()
        self.canvas.fit(self._focus())

    @staticmethod
    def _geometry(graph: CompGraph, compact: bool, grown: dict, grown_slots: dict):
        """Box sizes, the room each takes in its column (its labels' stack
        may be taller than the box), the width left of each operation's box
        (circle and label slot), the slots' widths and the boxes' places."""
        b = graph.batch_size
        sizes, room, op_widths, slots = {}, {}, {}, {}
        label_h = label_size("×0")[1]
        for n in graph.nodes:
            w, h = NodeBox.size_for(n, b, compact)
            sizes[n.id] = (max(w, grown.get(n.id, (0, 0))[0]), h)
            room[n.id] = sizes[n.id]
            if not n.is_leaf:
                slots[n.id] = max(slot_width(n), grown_slots.get(n.id, 0.0))
                op_widths[n.id] = OpCircle.width_for(n) + slots[n.id] + SLOT_GAP
                drawn = sum(1 for i in n.inputs if i in graph)
                gap = COMPACT_LABEL_GAP if compact else LABEL_GAP
                stack = drawn * label_h + max(0, drawn - 1) * gap
                room[n.id] = (sizes[n.id][0], max(sizes[n.id][1], stack))
        pos = layout(graph, room, op_widths, COMPACT_ROW_GAP if compact else ROW_GAP)
        for n in graph.nodes:  # a box centred in its room
            pos[n.id] = pos[n.id] + QPointF(0, (room[n.id][1] - sizes[n.id][1]) / 2)
        return sizes, room, op_widths, slots, pos

    def _want_compact(self, graph: CompGraph, same: bool) -> bool:
        """Compact boxes (one line each, closer rows) when the usual layout
        would not fit the view's height at the text floor: the low dock strip
        of a 1280x720 window. Decided on the usual layout's height only (not
        on the layout on show), so it does not flip back and forth."""
        if same and self._usual_height is not None:
            height = self._usual_height
        else:
            sizes, room, _ops, _slots, pos = self._geometry(graph, False, {}, {})
            height = max((pos[i].y() + sizes[i][1] for i in pos), default=0.0)
            self._usual_height = height
        return self._too_low(self.canvas.viewport().height())

    def _too_low(self, viewport_height: int) -> bool:
        """The usual layout, with its margins, is cut at the text floor."""
        return (self._usual_height + 16) * MIN_TEXT_PX / FONT_PX > viewport_height

    def local_texts(self, node_label: str) -> dict[str, str | None]:
        """The local-derivative labels on the arrows into a node, by the
        input's label: {"a(h1)": "×0.4", "w(h1 → out1)": "×0.6225"}."""
        node = self.graph.by_label(node_label)
        return {self.graph.node(i).label: self.local_labels[(node.id, i)].text()
                for i in node.inputs if (node.id, i) in self.local_labels}

    def _focus(self):
        """Where a graph too big for the view is centred: the highlighted
        boxes, else the neuron's activation (or L), else the middle."""
        boxes = [b for b in self.boxes.values() if b.highlighted] or \
            [self.boxes[n.id] for n in self.graph.nodes[-1:]]
        rect = boxes[0].sceneBoundingRect()
        for b in boxes[1:]:
            rect = rect.united(b.sceneBoundingRect())
        return rect.center()

    def _highlight(self) -> None:
        ref = graph_ref(self.selection)
        for node_id, box in self.boxes.items():
            on = ref is not None and box.node.ref == ref
            box.set_highlighted(on)
            if node_id in self.circles:
                self.circles[node_id].set_highlighted(on)

    def highlighted_labels(self) -> list[str]:
        return [b.node.label for b in self.boxes.values() if b.highlighted]

    # -- clicks ------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        """A click (not a drag to pan) on a box or an operation selects its
        neuron or connection on the canvas."""
        kind = event.type()
        if kind == QEvent.Type.Resize and self.graph is not None and \
                self._usual_height is not None:
            if self._too_low(event.size().height()) != self.compact:
                self._on_document_changed()  # the other layout fits this height better
            return False
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position()
        elif kind == QEvent.Type.MouseButtonRelease and \
                event.button() == Qt.MouseButton.LeftButton and self._press is not None:
            moved = (event.position() - self._press).manhattanLength()
            self._press = None
            item = self.canvas.itemAt(event.position().toPoint()) if moved < 5 else None
            node = getattr(item, "node", None)
            ref = canvas_ref(node.ref) if node is not None else None
            if ref is not None:
                self.ref_clicked.emit(ref)
        return False
