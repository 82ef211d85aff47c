"""Where the canvas labels go and how large they are (a part of NetworkScene).

Labels (numbers, headers, legend) keep one size ON SCREEN at any zoom up to
100 %: each is scaled by label_scale = text_scale / zoom, so what the class
reads is the palette's pixel size times the text-size setting (beyond 100 %
they grow with the network, up to LABEL_GROWTH). Zooming out never shrinks a
number into a smudge that then has to be hidden; labels that no longer find
room are left out instead, those of the selection and of the layer just
computed first in line for room. The view's fit (view.py) takes the largest
zoom at which the network and its fixed-size labels fit the canvas.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF

from ..selection import EdgeRef, NeuronRef
from . import palette, placement
from .edit_controls import GAP as CONTROL_GAP, SIZE as CONTROL_SIZE
from .items import NEURON_RADIUS, EdgeItem, NeuronItem

# With more edges than this, only the labels near the visible part are placed.
VISIBLE_ONLY_EDGES = 400
# The text-size setting (1 = the palette's pixel sizes on screen).
TEXT_SCALE_MIN, TEXT_SCALE_MAX = 0.6, 3.0
LABEL_MODES = ("auto", "values", "gradients", "both")
# A gap between two layers whose edges are this many times more than the
# labels its area on screen could hold is left unlabelled (a wall of boxes
# is unreadable, and placing thousands of labels costs a click its speed);
# four times more for the layer just computed.
CROWDED = 4.0
# Labels grow with a network shown above 100 %, up to this factor.
LABEL_GROWTH = 1.4
# Labels whose new sizes still fit where they are keep their places (run
# mode's frames); after this many such relabels every label is placed afresh
# (labels left without room get another chance, grown ones leave crossings).
REPLACE_EVERY = 10
# More grown labels than this in others' way: every label is placed afresh.
MOVE_MAX = 40
# When no relabel came for this long after one that kept the places (the run
# paused), every label is placed afresh.
SETTLE_MS = 400


_NOWHERE = (np.inf, np.inf, -np.inf, -np.inf)  # a rectangle that overlaps nothing


class _KeptPlaces:
    """Where the last placement put the labels: the fixed obstacles, the
    rectangle of each label shown (as placed: edge labels with their margin)
    and every label's box height (its number of lines)."""

    def __init__(self, obstacles, labels, rects, heights, scale, bounds):
        self.obstacles = np.asarray(obstacles, dtype=float).reshape(-1, 4)
        self.labels = list(labels)
        self.is_neuron = np.array([isinstance(lab.owner, NeuronItem) for lab in labels],
                                  dtype=bool)
        # each neuron label's row among the neuron labels
        self.neuron_index = np.cumsum(self.is_neuron) - 1
        self.bounds = bounds  # where neuron labels may go (what the fit shows)
        self.rows = {label: i for i, label in enumerate(labels)}
        self.rects = np.asarray(rects, dtype=float).reshape(-1, 4)
        self.heights = heights
        self.scale = scale
        self.kept = 0  # relabels since that kept every place


class LabelLayout:
    """NetworkScene's label sizes and places (a mixin: the scene holds the
    state, see NetworkScene.__init__)."""

    # -- text size, label mode, zoom ----------------------------------------------------
    def set_text_scale(self, scale: float) -> None:
        """The text-size setting: canvas labels at ``scale`` times their
        normal size on screen (clamped to TEXT_SCALE_MIN..TEXT_SCALE_MAX)."""
        scale = min(TEXT_SCALE_MAX, max(TEXT_SCALE_MIN, float(scale)))
        if scale == self.text_scale:
            return
        self.text_scale = scale
        self._apply_label_scale(force=True)
        self._place_labels()
        self.content_resized.emit()

    def set_label_mode(self, mode: str) -> None:
        """What the labels show: "auto" (what the phase computed), "values"
        (w, a), "gradients" (dL/dw, delta) or "both" (w with dL/dw)."""
        if mode not in LABEL_MODES:
            raise ValueError(f"unknown label mode {mode!r}; one of {', '.join(LABEL_MODES)}")
        if mode == self.label_mode:
            return
        self.label_mode = mode
        self._needs_placement = True
        self.relabel()
        self.content_resized.emit()

    def set_legend_key(self, shown: bool) -> None:
        """The legend's colour key shown, or only its status lines (in
        presentation mode the numbers get the room; the key is in Help)."""
        if shown == self.legend_key:
            return
        self.legend_key = shown
        self.legend.set_key_shown(shown)
        self._apply_label_scale(force=True)
        self._place_labels()
        self.content_resized.emit()

    def set_legend_side(self, side: str, room: tuple[float, float] | None = None) -> None:
        """Put the legend "right" of the network or "below" it, at most
        ``room`` (width, height) screen pixels large."""
        self.legend_room = room
        if side != self.legend_side:
            self.legend_side = side
            self.legend.set_columns(2 if side == "below" else 1)
            self._place_headers()
            self._needs_placement = True

    def set_view_zoom(self, zoom: float, place_now: bool = False) -> None:
        """The view's scale (1 = 100 %): labels are rescaled to keep their
        size on screen and placed again (after a short pause, so a wheel
        zoom places once; at once with ``place_now``)."""
        self._view_zoom = zoom
        changed = self._apply_label_scale(force=place_now)
        if place_now:
            self._place_labels()
        elif changed or self._needs_placement:
            self._place_timer.start()

    def predict_content_rect(self, zoom: float) -> QRectF:
        """content_rect() as it would be at ``zoom`` (for the view's fit):
        neuron labels, headers and legend are scaled for it."""
        self._scale_fixed_labels(self._label_scale_for(zoom))
        return self.content_rect()

    def view_scrolled(self) -> None:
        """The view shows another part of the scene (big networks place only
        the labels in view)."""
        if self._visible_only():
            self._place_timer.start()

    def _label_scale_for(self, zoom: float) -> float:
        """Labels at text_scale on screen, and larger with a network shown
        larger than 100 % (up to LABEL_GROWTH: a big canvas, bigger numbers)."""
        zoom = max(zoom, 1e-6)
        return self.text_scale * self.fit_shrink * min(max(zoom, 1.0), LABEL_GROWTH) / zoom

    def screen_text_factor(self, zoom: float) -> float:
        """How many times their normal size the labels are on screen at ``zoom``."""
        return self._label_scale_for(zoom) * max(zoom, 1e-6)

    def _apply_label_scale(self, force: bool = False) -> bool:
        """Scale every label for the current zoom; False if nothing changed."""
        s = self._label_scale_for(self._view_zoom)
        if not force and abs(s - self.label_scale) < 0.02 * self.label_scale:
            return False
        self.label_scale = s
        self._scale_fixed_labels(s)
        for grid in self.edges[1:]:
            for row in grid:
                for e in row:
                    if e.label.isVisible():
                        e.label.setScale(s)
        return True

    def _scale_fixed_labels(self, s: float) -> None:
        """Neuron labels, headers and legend at scale ``s``, in their places."""
        for row in self.neurons:
            for n in row:
                if n.label.scale() != s:
                    n.label.setScale(s)
        for item in self.headers + self._edit_control_items():
            if item.scale() != s:
                item.setScale(s)
        # the legend shrinks to stay within legend_room (the numbers come first)
        legend = s
        if self.legend_room is not None:
            box = self.legend.boundingRect()
            w, h = box.width() * self.text_scale, box.height() * self.text_scale
            legend = s * min(1.0, self.legend_room[0] / w, self.legend_room[1] / h)
        if self.legend.scale() != legend:
            self.legend.setScale(legend)
        self._place_neuron_labels()
        self._place_headers()

    def _visible_only(self) -> bool:
        return (self._n_edges > VISIBLE_ONLY_EDGES and bool(self.views())
                and not self.exporting)

    def _visible_region(self) -> QRectF | None:
        if not self._visible_only():
            return None
        view = self.views()[0]
        rect = view.mapToScene(view.viewport().rect()).boundingRect()
        return rect.adjusted(-rect.width() / 2, -rect.height() / 2,
                             rect.width() / 2, rect.height() / 2)

    def _value_labels(self):
        for row in self.neurons:
            for n in row:
                yield n.label
        for grid in self.edges[1:]:
            for row in grid:
                for e in row:
                    yield e.label

    # -- placing labels ---------------------------------------------------------------
    def current_layer(self) -> int | None:
        """The layer the last micro-step computed (its labels go first)."""
        snap = self.document.snapshot
        if snap is None or snap.step is None:
            return None
        if snap.step.kind in ("forward", "backward"):
            return snap.step.layer
        if snap.step.kind == "loss":
            return len(self._sizes) - 1
        return None

    def _layer_order(self) -> list[int]:
        """Layers by priority for room: the one just computed, then outwards."""
        n = len(self._sizes)
        now = self.current_layer()
        if now is None:
            now = n - 1  # between passes and after the update: from the output back
        return sorted(range(n), key=lambda k: (abs(k - now), -k))

    def _crowded_gaps(self) -> frozenset:
        """The gaps (by target layer) with far more edges than their area on
        screen holds labels (see CROWDED); they stay unlabelled."""
        if not self.views() or len(self._sizes) < 2:
            return frozenset()
        z, ts = self._view_zoom, self.text_scale
        label_area = (60 * ts) * (palette.VALUE_PX * 1.6 * ts)  # a typical one-line box, px^2
        now = self.current_layer()
        crowded = set()
        for k in range(1, len(self._sizes)):
            pts = self.neurons[k - 1] + self.neurons[k]
            xs, ys = [n.x() for n in pts], [n.y() for n in pts]
            area = ((max(xs) - min(xs)) * z) * ((max(ys) - min(ys) + 2 * NEURON_RADIUS) * z)
            room = CROWDED * area / label_area * (4 if k == now else 1) + 8
            if self._sizes[k - 1] * self._sizes[k] > room:
                crowded.add(k)
        return frozenset(crowded)

    def _place_neuron_labels(self) -> None:
        for row in self.neurons:
            for item in row:
                _place_under(item)

    def _place_headers(self) -> None:
        """Headers above the highest neuron, on as few lines as keep
        neighbours apart; the legend right of or below it all."""
        s = self.headers[0].scale()  # the headers' (see _scale_fixed_labels)
        top = min(n.y() for row in self.neurons for n in row) - NEURON_RADIUS - 8 * s
        h = max(hd.boundingRect().height() for hd in self.headers) * s
        xs = [sum(n.x() for n in row) / len(row) for row in self.neurons]
        texts = [hd.boundingRect().width() * s for hd in self.headers]
        # with the edit controls: − and + beside each header, the inserts above
        controls = self.edit_controls and len(self.header_buttons) == len(self.headers)

        def lines_for(widths: list[float]) -> list[int]:
            """Each header's line: the first on which it clears its neighbour."""
            ends: list[float] = []  # the right end of the last header on each line
            out = []
            for k in range(len(widths)):
                left = xs[k] - widths[k] / 2
                line = next((i for i, end in enumerate(ends) if end + 4 * s <= left), len(ends))
                if line == len(ends):
                    ends.append(0.0)
                ends[line] = xs[k] + widths[k] / 2
                out.append(line)
            return out

        lines = lines_for(texts)
        # − and + beside the headers when all fit on one line (crowded columns
        # would stack them and shrink the network: the inspector's neuron count
        # and the context menu still do it there)
        # They take no room of their own (the fit and the numbers never make
        # way for them): the outer layers keep both inside the network's width.
        side = (CONTROL_SIZE + CONTROL_GAP) * s
        widths = [w + 2 * side for w in texts]
        buttons = controls and max(lines_for(widths)) == 0
        if not buttons:
            widths = texts
        step, last = CONTROL_SIZE * s + 2 * s, len(self.headers) - 1
        for k, header in enumerate(self.headers):
            y = top - h / 2 - lines[k] * h
            header.setPos(xs[k], y)
            if controls:
                minus, plus = self.header_buttons[k]
                near = texts[k] / 2 + CONTROL_GAP * s + CONTROL_SIZE * s / 2
                if k == 0 and last > 0:  # "Input − +"
                    minus.setPos(xs[k] + near, y)
                    plus.setPos(xs[k] + near + step, y)
                elif k == last and last > 0:  # "− + Output"
                    minus.setPos(xs[k] - near - step, y)
                    plus.setPos(xs[k] - near, y)
                else:
                    minus.setPos(xs[k] - near, y)
                    plus.setPos(xs[k] + near, y)
                minus.setVisible(buttons)
                plus.setVisible(buttons)
        lines_top = top - h * (max(lines) + 1)
        if controls:
            # the + between two layers, in the gap between their headers when
            # it fits there (no extra line: the numbers keep their room)
            need = 3 * CONTROL_SIZE * s  # clear of the − / + on either side
            def reach(k: int, right: bool) -> float:
                """How far layer k's header and buttons reach to one side."""
                n = (2 if (k == 0) == right else 0) if k in (0, last) and last > 0 else 1
                return texts[k] / 2 + (n * side if buttons else 0.0)
            for k, button in enumerate(self.insert_buttons):
                gap_left = xs[k] + reach(k, True)
                gap_right = xs[k + 1] - reach(k + 1, False)
                fits = lines[k] == lines[k + 1] == 0 and gap_right - gap_left >= need
                button.setVisible(fits)
                button.setPos((gap_left + gap_right) / 2, top - h / 2)
        half = [max(NEURON_RADIUS, n.label.boundingRect().width() * s / 2)
                for row in self.neurons for n in row]
        cx = [n.x() for row in self.neurons for n in row]
        left = min(min(x - w for x, w in zip(cx, half)),
                   min(x - w / 2 for x, w in zip(xs, texts)))
        right = max(max(x + w for x, w in zip(cx, half)),
                    max(x + w / 2 for x, w in zip(xs, texts)))
        if self.legend_side == "below":
            bottom = max(n.label.sceneBoundingRect().bottom() if n.label.lines
                         else n.y() + NEURON_RADIUS for row in self.neurons for n in row)
            self.legend.setPos(left, bottom + 16 * s)
        else:
            self.legend.setPos(right + 20 * s, lines_top)

    def _place_labels(self) -> None:
        """Show every label that finds room: neuron labels under their neuron,
        edge labels on their edge (see placement.py), overlapping nothing.
        The selection and the layer just computed go first; a label without
        room is hidden (and counted in hidden_labels)."""
        self._place_timer.stop()
        self._settle_timer.stop()
        if not self.neurons:
            return
        crowded = self._crowded_gaps()
        if crowded != self._crowded:
            self._crowded = crowded
            if self._stale_gaps - crowded:  # gaps that get room need their texts
                self._needs_placement = True
                self.relabel()  # makes the texts, then places them
                return
        s = self.label_scale
        # the legend's size depends on its text; give it room for the note
        self.legend.set_state(list(self._status) + [""], self._showing)
        self._place_headers()

        def rect_of(item):
            b = item.sceneBoundingRect()
            return (b.left(), b.top(), b.right(), b.bottom())

        pad = NEURON_RADIUS + 3
        circles = [(n.x() - pad, n.y() - pad, n.x() + pad, n.y() + pad)
                   for row in self.neurons for n in row]
        fixed = circles + [rect_of(h) for h in self.headers] + [rect_of(self.legend)]
        fixed += [rect_of(b) for b in self._edit_control_items() if b.isVisible()]
        hidden = 0

        # neuron labels, by priority; each must clear every circle and the
        # labels accepted before it
        order = self._layer_order()
        sel = self._selection
        neurons = [n for k in order for n in self.neurons[k]]
        if isinstance(sel, NeuronRef):
            first = self.item_for(sel)
            neurons.remove(first)
            neurons.insert(0, first)
        taken = np.array(fixed, dtype=float).reshape(-1, 4)
        accepted = []
        self._place_neuron_labels()
        b = self.content_rect()
        bounds = (b.left() - 1, b.top() - 1, b.right() + 1, b.bottom() + 1)
        for n in neurons:
            label = n.label
            if not label.lines:
                label.setVisible(False)
                continue
            _place_under(n)
            w, h = label.box[0] * s, label.box[1] * s
            # under its circle; else beside it, right then left (in a
            # tight column the neuron below takes the room under it)
            beside = NEURON_RADIUS + 4 * s + w / 2
            for dx, dy in ((0.0, None), (beside, 0.0), (-beside, 0.0)):
                if dy is not None:
                    label.setPos(n.x() + dx, n.y() + dy)
                c = label.pos()
                r = np.array((c.x() - w / 2, c.y() - h / 2, c.x() + w / 2, c.y() + h / 2))
                clear = bool(bounds[0] <= r[0] and r[2] <= bounds[2]  # (what the fit shows)
                             and bounds[1] <= r[1] and r[3] <= bounds[3]
                             and not np.any((taken[:, 0] < r[2]) & (r[0] < taken[:, 2])
                                            & (taken[:, 1] < r[3]) & (r[1] < taken[:, 3])))
                if clear:
                    break
            if not clear and n.ref == sel:  # the selection shows its number anyway
                _place_under(n)
                c = label.pos()
                r = np.array((c.x() - w / 2, c.y() - h / 2, c.x() + w / 2, c.y() + h / 2))
                clear = True
            label.setVisible(clear)
            if clear:
                taken = np.vstack([taken, r])
                accepted.append(tuple(r))
            else:
                _place_under(n)
                hidden += 1
        obstacles = fixed + accepted

        # edge labels: the labels to place, gap by gap as arrays
        # (placement.Gap), the gaps in order of priority; the selected edge's
        # label before them all (it alone even in a crowded gap)
        region = self._visible_region()
        if self._lone is not None and self._lone.ref != sel:
            self._lone.label.setVisible(False)  # the last selection's
        lone = self._lone = self.item_for(sel) if isinstance(sel, EdgeRef) else None
        if lone is not None and not (lone.present and lone.label.lines):
            lone = None
        if lone is not None:
            r = self._place_alone(lone, obstacles, s)
            for n in self._overlapped_neuron_labels(r):  # room for the selection
                n.label.setVisible(False)
                hidden += 1
            obstacles = obstacles + [r]
        region = self._visible_region()
        xs = [[n.x() for n in row] for row in self.neurons]
        ys = [[n.y() for n in row] for row in self.neurons]
        gaps, all_ends, gap_items = [], [], []
        for k in [k for k in order if k >= 1]:
            if k in crowded:  # unlabelled: hidden once, then left alone (speed)
                mask = self.document.network.layers[k - 1].mask
                hidden += int(mask.sum()) if mask is not None else len(self.edges[k]) * len(
                    self.edges[k][0])
                if k not in self._gaps_hidden:
                    for row in self.edges[k]:
                        for e in row:
                            e.label.setVisible(False)
                    self._gaps_hidden.add(k)
                if lone is not None and lone.ref.layer == k:
                    hidden -= 1
                    lone.label.setVisible(True)
                continue
            self._gaps_hidden.discard(k)
            x0s, y0s, x1s, y1s = xs[k - 1], ys[k - 1], xs[k], ys[k]
            ends, rows, widths, heights, targets, items = [], [], [], [], [], []
            for i, row in enumerate(self.edges[k]):
                x0, y0 = x0s[i], y0s[i]
                for j, e in enumerate(row):
                    if not e.present:
                        e.label.setVisible(False)
                        continue
                    label = e.label
                    # (edges sit at the scene origin: _bounds is in scene coordinates)
                    if e is lone:
                        pass
                    elif label.lines and (region is None or region.intersects(e._bounds)):
                        w, h = label.box
                        rows.append(len(ends))
                        widths.append(w * s + 2)
                        heights.append(h * s + 2)
                        targets.append(j)
                        items.append(e)
                    else:
                        label.setVisible(False)
                    ends.append((x0, y0, x1s[j], y1s[j]))
            E = np.array(ends, dtype=float).reshape(-1, 4)

            def gap(rows, widths, heights, targets):
                rows = np.array(rows, dtype=int)
                return placement.Gap(E[rows], np.array(widths, dtype=float),
                                     np.array(heights, dtype=float),
                                     np.array(targets, dtype=int),
                                     np.full(len(rows), self._sizes[k]), rows)
            gaps.append(gap(rows, widths, heights, targets))
            all_ends.append(E)
            gap_items.append(items)
        placed = placement.place_gaps(gaps, obstacles, all_ends, cache=self._crossings)
        for gap, got, items in zip(gaps, placed, gap_items):
            t = placement.TS[np.maximum(got, 0)]
            E = gap.ends
            x = E[:, 0] + t * (E[:, 2] - E[:, 0])
            y = E[:, 1] + t * (E[:, 3] - E[:, 1])
            for e, c, tt, xx, yy in zip(items, got.tolist(), t.tolist(), x.tolist(), y.tolist()):
                if c < 0:  # no room
                    e.label.setVisible(False)
                    hidden += 1
                    continue
                e.label_t = tt
                if e.label.scale() != s:
                    e.label.setScale(s)
                e.label.setPos(xx, yy)
                e.label.setVisible(True)
        self.hidden_labels = hidden
        self._needs_placement = False
        self._keep_places(fixed, bounds)
        self._set_legend()
        self._update_scene_rect()
        self.chain_paths.follow()  # the product of a path on show avoids the new places

    @staticmethod
    def _label_rect(label, s: float) -> tuple:
        """A label's rectangle as placement counts it (edge labels with a margin)."""
        pad = 2.0 if isinstance(label.owner, EdgeItem) else 0.0
        w, h = label.box[0] * s + pad, label.box[1] * s + pad
        c = label.pos()
        return (c.x() - w / 2, c.y() - h / 2, c.x() + w / 2, c.y() + h / 2)

    def _keep_places(self, obstacles, bounds) -> None:
        s = self.label_scale
        shown = [lab for lab in self._value_labels() if lab.lines and lab.isVisible()]
        self._kept = _KeptPlaces(obstacles, shown, [self._label_rect(lab, s) for lab in shown],
                                 {lab: lab.box[1] for lab in self._value_labels()}, s, bounds)

    def _fit_in_place(self, labels) -> bool:
        """Whether ``labels``, whose boxes changed size, still overlap nothing
        where they are (then every label keeps its place, and the new sizes
        are taken as placed). No inside a pass, when a label gained, lost or
        changed its lines (it must be placed), or a placement is due anyway."""
        # Only between passes (run mode's frames, an epoch stepped), where no
        # layer goes first for room: a grown label that finds none is left out
        # until the next placement. Inside a pass the whole placement decides
        # (the layer just computed first).
        snap = self.document.snapshot
        kept = getattr(self, "_kept", None)
        if (kept is None or (snap is not None and snap.step is not None)
                or self._needs_placement or self._place_timer.isActive()
                or kept.scale != self.label_scale or kept.kept >= REPLACE_EVERY
                or self._crowded_gaps() != self._crowded):  # (a gap gets or loses room)
            return False
        rows, rects, labels_shown = [], [], []
        for label in labels:
            if not label.lines or kept.heights.get(label) != label.box[1]:
                return False
            row = kept.rows.get(label)
            if row is not None:  # (a hidden label stays hidden: it found no room)
                rows.append(row)
                labels_shown.append(label)
                rects.append(self._label_rect(label, kept.scale))
        if rows:
            new = np.array(rects)
            now = kept.rects.copy()
            now[rows] = new
            everything = np.vstack([kept.obstacles, now])
            hit = ((new[:, None, 0] < everything[None, :, 2])
                   & (everything[None, :, 0] < new[:, None, 2])
                   & (new[:, None, 1] < everything[None, :, 3])
                   & (everything[None, :, 1] < new[:, None, 3]))
            hit[np.arange(len(rows)), len(kept.obstacles) + np.array(rows)] = False  # itself
            over = np.flatnonzero(hit.any(axis=1)).tolist()
            if len(over) > MOVE_MAX:
                return False
            n_fixed = len(kept.obstacles)
            for i in over:
                # a grown edge label in another's way moves along its edge; the
                # edge labels in a grown neuron label's way move (as placing
                # does, neuron labels first); nothing else moves
                blocking = self._overlapping(kept.obstacles, now, rows[i])
                if not blocking:
                    continue  # a move before made room
                if isinstance(labels_shown[i].owner, EdgeItem):
                    movers = [(labels_shown[i], rows[i])]
                elif self._neuron_label_room(labels_shown[i], rows[i], kept, now):
                    movers = [(kept.labels[j - n_fixed], j - n_fixed)  # edge labels only
                              for j in self._overlapping(kept.obstacles, now, rows[i])]
                else:  # no room under or beside its neuron
                    movers = [(labels_shown[i], None)]
                for label, row in movers:
                    if row is not None and self._move_on_edge(label, row, kept.obstacles, now):
                        continue
                    row = kept.rows.pop(label)
                    label.setVisible(False)  # no room: left out, as placing does
                    now[row] = _NOWHERE
                    self.hidden_labels += 1
            if over:
                self.chain_paths.follow()
            kept.rects = now
        kept.kept += 1
        self._settle_timer.start()  # once the frames stop: every label placed afresh
        return True

    @staticmethod
    def _overlapping(obstacles: np.ndarray, rects: np.ndarray, row: int) -> list[int]:
        """Which of obstacles + rects (one numbering) overlap rects[row], itself left out."""
        r = rects[row]
        everything = np.vstack([obstacles, rects])
        hit = ((r[0] < everything[:, 2]) & (everything[:, 0] < r[2])
               & (r[1] < everything[:, 3]) & (everything[:, 1] < r[3]))
        hit[len(obstacles) + row] = False
        return np.flatnonzero(hit).tolist()

    @staticmethod
    def _neuron_label_room(label, row: int, kept, rects: np.ndarray) -> bool:
        """Put a neuron's label under its circle, else beside it, right then
        left (as placing does), where it overlaps no circle, header or other
        neuron label and stays in the content's bounds; False if it finds no
        such spot (it stays where it was). ``rects`` gets its new place."""
        n, s = label.owner, kept.scale
        w, h = label.box[0] * s, label.box[1] * s
        under = n.y() + NEURON_RADIUS + 4 + label.boundingRect().height() * label.scale() / 2
        beside = NEURON_RADIUS + 4 * s + w / 2
        fixed = np.vstack([kept.obstacles, np.delete(rects[kept.is_neuron],
                                                     kept.neuron_index[row], axis=0)])
        l, t, r, b = kept.bounds
        for x, y in ((n.x(), under), (n.x() + beside, n.y()), (n.x() - beside, n.y())):
            box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            if not (l <= box[0] and box[2] <= r and t <= box[1] and box[3] <= b):
                continue
            if np.any((fixed[:, 0] < box[2]) & (box[0] < fixed[:, 2])
                      & (fixed[:, 1] < box[3]) & (box[1] < fixed[:, 3])):
                continue
            label.setPos(x, y)
            rects[row] = box
            return True
        return False

    def _move_on_edge(self, label, row: int, obstacles: np.ndarray, rects: np.ndarray) -> bool:
        """Move an edge label (row ``row`` of ``rects``, the labels shown) to
        the best spot of its edge where it overlaps no obstacle and no other
        label shown; False if it is a neuron's or finds no room. ``rects``
        gets its new place."""
        edge = label.owner
        if not isinstance(edge, EdgeItem):
            return False
        p, q = edge.source.pos(), edge.target.pos()
        x0, y0, x1, y1 = p.x(), p.y(), q.x(), q.y()
        w, h = rects[row, 2] - rects[row, 0], rects[row, 3] - rects[row, 1]
        others = np.vstack([obstacles, np.delete(rects, row, axis=0)])
        got = placement.first_free_spot((x0, y0, x1, y1), w, h, edge.ref.target,
                                        self._sizes[edge.ref.layer], others)
        if got < 0:
            return False
        t = float(placement.TS[got])
        x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        edge.label_t = t
        label.setPos(x, y)
        rects[row] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        return True

    def _place_alone(self, edge: EdgeItem, obstacles, s: float) -> tuple:
        """Put the selected edge's label on its edge, where it overlaps none
        of ``obstacles`` if it can, else in the middle; returns its rect."""
        w, h = edge.label.box[0] * s + 2, edge.label.box[1] * s + 2
        p, q = edge.source.pos(), edge.target.pos()
        gap = placement.Gap(np.array([[p.x(), p.y(), q.x(), q.y()]]), np.array([w]),
                            np.array([h]), np.array([edge.ref.target]),
                            np.array([self._sizes[edge.ref.layer]]), np.array([-1]))
        got = int(placement.place_gaps([gap], obstacles)[0][0])
        edge.label_t = float(placement.TS[got]) if got >= 0 else 0.5
        if edge.label.scale() != s:
            edge.label.setScale(s)
        c = edge.point_at(edge.label_t)
        edge.label.setPos(c)
        edge.label.setVisible(True)
        return (c.x() - w / 2, c.y() - h / 2, c.x() + w / 2, c.y() + h / 2)

    def _overlapped_neuron_labels(self, rect: tuple) -> list:
        box = QRectF(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1])
        return [n for row in self.neurons for n in row
                if n.label.isVisible() and n.label.sceneBoundingRect().intersects(box)]

    def network_rect(self) -> QRectF:
        """The part of the scene the neurons occupy."""
        rect = QRectF()
        for row in self.neurons:
            for n in row:
                rect = rect.united(n.sceneBoundingRect())
        return rect

    def content_rect(self) -> QRectF:
        """The part of the scene the network, its neuron labels, headers and
        legend occupy."""
        rect = QRectF()
        for row in self.neurons:
            for n in row:
                rect = rect.united(n.sceneBoundingRect())
                if n.label.lines:
                    rect = rect.united(n.label.sceneBoundingRect())
        for h in self.headers:
            rect = rect.united(h.sceneBoundingRect())
        if self.legend is not None:
            rect = rect.united(self.legend.sceneBoundingRect())
        return rect

    def _update_scene_rect(self) -> None:
        rect = self.content_rect()
        m = max(rect.width(), rect.height(), 400.0)
        self.setSceneRect(rect.adjusted(-m, -m, m, m))


def _place_under(item: NeuronItem) -> None:
    """A neuron's value label just below its circle."""
    label = item.label
    h = label.boundingRect().height() * label.scale()
    label.setPos(item.x(), item.y() + NEURON_RADIUS + 4 + h / 2)
