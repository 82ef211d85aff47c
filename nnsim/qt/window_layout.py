"""The main window's layout for a classroom: the docks, presentation mode,
the canvas text size and edge labels, and the layout remembered between
sessions. A mixin of MainWindow (it uses the window's actions and scene).

Laid out for a projector: at 1280x720 the canvas keeps most of the room, and
Presentation Mode shows just the canvas and the step bar, with larger text.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFrame, QMenu, QScrollArea

from .canvas.heat_maps import playground_style
from .preferences import LABEL_MODES, TEXT_SCALE_RANGE

PRESENTATION_TEXT = 1.5  # presentation mode's canvas text, times the chosen size
TEXT_STEP = 1.2  # one Larger Text / Smaller Text step
# Default dock sizes, chosen so the canvas keeps about 600x400 px at 1280x720;
# the plots' strip grows with the window's height.
SIDE_WIDTH, INSPECTOR_WIDTH, BOTTOM_HEIGHT, BOTTOM_SHARE = 290, 350, 170, 0.25
DEFAULT_SIZE = QSize(1600, 1000)  # at most, and at most 90 % of the screen,
SMALLEST_DEFAULT = QSize(1280, 720)  # but a projector's size at least
LABEL_MODE_TEXTS = {"auto": "&Auto (follows the step)", "values": "&Values",
                    "gradients": "&Gradients", "both": "&Both"}


class WindowLayoutMixin:
    def _init_layout(self) -> None:
        screen = self.screen().availableGeometry().size()
        self.resize(DEFAULT_SIZE.boundedTo(screen * 0.9).expandedTo(SMALLEST_DEFAULT))
        self.text_scale = self.prefs.text_scale()
        self.label_mode = self.prefs.label_mode()
        self.presenting = False
        self._before_presenting = None  # the docks' state to come back to
        self._info_was_shown = False
        self._sized_docks = False  # until first shown, or restored from preferences

    def _make_docks(self) -> None:
        # Loss and Decision map side by side in a low strip across the window
        # (the map needs about 420 px of width to draw well, which no side
        # column can spare at 1280x720); Training and Data tabbed on the left,
        # the Inspector on the right. One group of tabs only: Qt 6.11 leaves a
        # stray tab bar on the window when two groups are made before it shows.
        self.inspector_dock = self._dock("Inspector", "inspector_dock",
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.training_dock = self._dock("Training", "training_dock",
                                        Qt.DockWidgetArea.LeftDockWidgetArea)
        self.data_dock = self._dock("Data", "data_dock", Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.training_dock, self.data_dock)
        self.training_dock.raise_()
        self.loss_dock = self._dock("Loss", "loss_dock", Qt.DockWidgetArea.BottomDockWidgetArea)
        self.map_dock = self._dock("Decision map", "map_dock",
                                   Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.loss_dock, self.map_dock, Qt.Orientation.Horizontal)
        # the graph and the landscape are tabbed with the map once the window
        # shows (a second group of tabs made before that leaves a stray tab bar)
        self.graph_dock = self._dock("Computational graph", "graph_dock",
                                     Qt.DockWidgetArea.BottomDockWidgetArea)
        self.landscape_dock = self._dock("Loss landscape", "landscape_dock",
                                         Qt.DockWidgetArea.BottomDockWidgetArea)
        # The data panel is recreated with each document; its scroll area stays.
        self.data_scroll = QScrollArea(self)
        self.data_scroll.setObjectName("data_scroll")
        self.data_scroll.setWidgetResizable(True)
        self.data_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.data_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.data_dock.setWidget(self.data_scroll)

    @property
    def docks(self) -> tuple[QDockWidget, ...]:
        return (self.inspector_dock, self.training_dock, self.data_dock, self.loss_dock,
                self.map_dock, self.graph_dock, self.landscape_dock)

    def _dock(self, title: str, name: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        # Closable: without it Qt greys out the dock's toggle in the View menu.
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized_docks:
            self._sized_docks = True
            # after the first layout pass: Qt overrides dock sizes set before it
            QTimer.singleShot(0, self._default_dock_sizes)

    def _default_dock_sizes(self) -> None:
        H, V = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
        self.tabifyDockWidget(self.map_dock, self.graph_dock)
        self.tabifyDockWidget(self.map_dock, self.landscape_dock)
        self.map_dock.raise_()
        self.resizeDocks([self.training_dock, self.inspector_dock],
                         [SIDE_WIDTH, INSPECTOR_WIDTH], H)
        self.resizeDocks([self.loss_dock],
                         [max(BOTTOM_HEIGHT, int(self.height() * BOTTOM_SHARE))], V)
        half = max(1, self.width() // 2)
        self.resizeDocks([self.loss_dock, self.map_dock], [half, half], H)

    # -- the View menu's actions -------------------------------------------------------
    def _make_view_actions(self) -> None:
        A = self._action
        self.act_larger_text = A("larger_text", "&Larger Text",
                                 lambda: self.set_text_scale(self.text_scale * TEXT_STEP),
                                 "Ctrl+=", "Larger text on the canvas")
        self.act_larger_text.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self.act_smaller_text = A("smaller_text", "&Smaller Text",
                                  lambda: self.set_text_scale(self.text_scale / TEXT_STEP),
                                  "Ctrl+-", "Smaller text on the canvas")
        self.act_normal_text = A("normal_text", "&Normal Text Size",
                                 lambda: self.set_text_scale(1.0), "Ctrl+0",
                                 "The canvas text at its normal size")
        self.act_present = A("presentation", "&Presentation Mode",
                             lambda: self.set_presentation(self.act_present.isChecked()), "F5",
                             "Just the canvas and the step bar, with larger text (again: back)")
        self.act_present.setCheckable(True)
        self.act_heat_maps = A("heat_maps", "&Heat Maps in Neurons",
                               lambda: self.set_heat_maps(self.act_heat_maps.isChecked()),
                               "Ctrl+H", "Each neuron shows its output over the input plane "
                               "(networks with two inputs)")
        self.act_heat_maps.setCheckable(True)
        self.heat_maps_choice = self.prefs.heat_maps()  # None: each network's default
        self.label_mode_group = QActionGroup(self)
        self.label_mode_group.setExclusive(True)
        self.label_mode_actions: dict[str, QAction] = {}
        for mode in LABEL_MODES:
            a = A(f"labels_{mode}", LABEL_MODE_TEXTS[mode],
                  lambda _=False, m=mode: self.set_label_mode(m))
            a.setCheckable(True)
            a.setChecked(mode == self.label_mode)
            self.label_mode_group.addAction(a)
            self.label_mode_actions[mode] = a

    def _add_view_actions(self, menu: QMenu) -> None:
        menu.addAction(self.act_present)
        menu.addSeparator()
        menu.addAction(self.act_heat_maps)
        menu.addActions([self.act_larger_text, self.act_smaller_text, self.act_normal_text])
        labels = menu.addMenu("&Edge Labels")
        labels.addActions(list(self.label_mode_actions.values()))

    # -- the view: text size, edge labels, presentation mode ---------------------------
    def _canvas_text_scale(self) -> float:
        return self.text_scale * (PRESENTATION_TEXT if self.presenting else 1.0)

    def set_text_scale(self, scale: float) -> None:
        """The canvas text size (1.0 = normal), remembered for the next session."""
        lo, hi = TEXT_SCALE_RANGE
        self.text_scale = min(hi, max(lo, round(scale, 3)))
        self.prefs.set_text_scale(self.text_scale)
        self.act_larger_text.setEnabled(self.text_scale < hi)
        self.act_smaller_text.setEnabled(self.text_scale > lo)
        self.scene.set_text_scale(self._canvas_text_scale())

    def set_label_mode(self, mode: str) -> None:
        """What the edge labels show: "auto", "values", "gradients" or "both"."""
        self.label_mode = mode
        self.label_mode_actions[mode].setChecked(True)
        self.prefs.set_label_mode(mode)
        self.scene.set_label_mode(mode)

    def set_heat_maps(self, on: bool) -> None:
        """Heat maps in the neurons on or off, remembered for every network
        from now on."""
        self.heat_maps_choice = bool(on)
        self.prefs.set_heat_maps(self.heat_maps_choice)
        self._apply_heat_maps()

    def _apply_heat_maps(self) -> None:
        """The canvas's heat maps as chosen, or, never chosen, on for the
        built-in two-input classification sets (heat_maps.playground_style);
        the action is greyed out for a network without two inputs."""
        heat = self.scene.heat_maps
        on = self.heat_maps_choice
        if on is None:
            on = playground_style(self.document)
        heat.set_enabled(on)
        available = heat.available
        self.act_heat_maps.setEnabled(available)
        self.act_heat_maps.setChecked(on and available)

    def set_presentation(self, on: bool) -> None:
        """Just the canvas and the step bar, with larger text; off brings the
        docks and toolbars back as they were."""
        if on != self.presenting:
            if on:
                self._before_presenting = self.saveState()
                self._info_was_shown = self.info_bar.isVisible()
                for dock in self.docks:
                    dock.hide()
                self.edit_bar.hide()
                self.info_bar.hide()
                self.statusBar().hide()
            else:
                self.restoreState(self._before_presenting)
                self.statusBar().show()
                self.info_bar.setVisible(self._info_was_shown)
            self.presenting = on
            self.scene.set_text_scale(self._canvas_text_scale())
            self.scene.set_legend_key(not on)
            self.scene.set_edit_controls(not on)  # the class sees numbers, not buttons
            self.centralWidget().layout().activate()
            self.layout().activate()  # the canvas gets its new size now, then fits it
            self.view.fit_to_window()
        self.act_present.setChecked(on)

    def restore_layout(self) -> None:
        """The window's size and docks as the user left them, never bigger than
        the screen nor smaller than the window's minimum."""
        geometry, state = self.prefs.geometry(), self.prefs.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None and self.restoreState(state):
            self._sized_docks = True
        screen = self.screen().availableGeometry()
        minimum = self.minimumSizeHint().expandedTo(self.minimumSize())
        size = self.size().boundedTo(screen.size()).expandedTo(minimum)
        if size != self.size():
            self.resize(size)
        if not screen.intersects(self.frameGeometry()):
            self.move(screen.topLeft())

    def _save_layout(self) -> None:
        self.prefs.set_geometry(self.saveGeometry())
        self.prefs.set_window_state(self._before_presenting if self.presenting
                                    else self.saveState())

