"""The main window: canvas in the centre, step bar, inspector, status bar,
menus for files, editing, stepping, the view and help. Its docks, text size
and presentation mode are in window_layout.py."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QComboBox, QFileDialog, QLabel, QMainWindow, QMessageBox,
                               QVBoxLayout, QWidget)

from ..core import losses
from ..document import (Document, EditError, FileFormatError, Runner, export_network_onnx,
                        export_network_pytorch, export_worked_solution, user_message)
from ..examples import DEFAULT_EXAMPLE, Example, example_path
from ..document.disk_state import REFRESH_S, OpenElsewhere, OpenFiles
from ..document.recovery import Autosaver, Recoverable, RecoveryStore
from ..document.saving import DocumentSaver, SaveOutcome
from .allocator import fix_mmap_threshold
from .canvas import export as canvas_export
from .canvas.scene import NetworkScene
from .canvas.view import NetworkView
from ..core.naming import fmt
from .data_panel import DataPanel
from .decision_map import DecisionMapWidget
from .graph_view import GraphView
from .examples_menu import fill_examples_menu
from .file_drops import IMPORT, OPEN, FileDropFilter, drop_action, refusal
from .help import HelpDialog, about_html, first_steps_html
from .info_bar import InfoBar
from .inspector import InspectorPanel
from .landscape_view import LandscapeView
from .loss_plot import LossPlotWidget
from .prediction_bar import PredictionBar
from .preferences import Preferences
from .selection import EdgeRef, NeuronRef
from .step_bar import StepBar
from .training_panel import TrainingPanel
from .window_layout import WindowLayoutMixin

FILE_FILTER = "nnsim networks (*.nnsim);;All files (*)"
# File > Open also takes plain ONNX MLPs (docs/export.md)
OPEN_FILTER = ("nnsim networks and ONNX models (*.nnsim *.onnx);;nnsim networks (*.nnsim);;"
               "ONNX models (*.onnx);;All files (*)")
# File > Export Network > ONNX…: the filter chosen is the model's number type
ONNX_FILTERS = {"ONNX model, float32 (*.onnx)": "float32", "ONNX model, float64 (*.onnx)": "float64"}
SOLUTION_FILTER = "Markdown (*.md);;HTML (*.html);;LaTeX (*.tex)"  # the format follows the suffix


class MainWindow(WindowLayoutMixin, QMainWindow):
    def __init__(self, document: Document | None = None, preferences: Preferences | None = None,
                 recovery: RecoveryStore | None = None):
        super().__init__()
        fix_mmap_threshold()  # run mode must not fragment the window's heap (allocator.py)
        self.setObjectName("main_window")
        self.prefs = preferences or Preferences()
        self.autosaver = Autosaver(recovery or RecoveryStore(), self)
        # saves run in a worker thread; markers tell other windows what is open here
        self.saver = DocumentSaver(self)
        self.saver.finished.connect(self._on_saved)
        self.autosaver.written.connect(self._on_autosaved)
        self.open_files = OpenFiles(self.autosaver.store.folder)
        self._marker_timer = QTimer(self)
        self._marker_timer.timeout.connect(self.open_files.refresh)
        self._marker_timer.start(round(REFRESH_S * 1000))
        self.setAcceptDrops(True)
        self._file_drops = FileDropFilter(self, self.open_dropped)
        self._init_layout()
        self.document: Document | None = None
        self.selection = None
        self.view: NetworkView | None = None
        self.scene: NetworkScene | None = None
        self.inspector: InspectorPanel | None = None
        self._help_dialogs: dict[str, HelpDialog] = {}
        self._make_central()
        self._make_actions()
        self._make_docks()
        self._make_menus()
        self._make_toolbars()
        self._make_status_bar()
        self.runner: Runner | None = None
        if document is None:
            document, example = self._default_document()
        else:
            example = None
        self.set_document(document)
        if example is not None:
            self.info_bar.show_note(example.title, example.description)
        self.set_text_scale(self.text_scale)  # (enables Larger/Smaller Text right)

    def _make_central(self) -> None:
        """The canvas, under a bar that tells what an example is about."""
        central = QWidget(self)
        central.setObjectName("canvas_area")
        self._central_layout = QVBoxLayout(central)
        self._central_layout.setContentsMargins(0, 0, 0, 0)
        self._central_layout.setSpacing(0)
        self.info_bar = InfoBar(central)
        self._central_layout.addWidget(self.info_bar)
        self.prediction_bar = PredictionBar(central)
        self.prediction_bar.finished.connect(lambda: self.view.setFocus())
        self._central_layout.addWidget(self.prediction_bar)
        self.setCentralWidget(central)

    # -- dialogs (one place, so tests can patch them) -------------------------
    def show_error(self, title: str, message: str) -> None:
        # plain text: messages quote file and column names as the user typed them
        box = QMessageBox(QMessageBox.Icon.Warning, title, message,
                          QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def ask_save_changes(self) -> QMessageBox.StandardButton:
        """Save / Discard / Cancel for a modified document."""
        return QMessageBox.question(
            self, "Unsaved changes",
            f"Save the changes to {self.document.display_name} before closing it?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)

    def ask_restore(self, recoverable: Recoverable) -> bool:
        where = (f"\n\nSave will ask where to write it (suggested: {recoverable.original_path})."
                 if recoverable.original_path else "")
        answer = QMessageBox.question(
            self, "Restore unsaved work?",
            f"nnsim did not close properly last time.\n\n{recoverable.describe()}.\n\n"
            f"Restore them? No deletes the recovered copy.{where}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def offer_recovery(self) -> bool:
        """After an abnormal exit, offer the autosaved copy; True if restored."""
        for rec in self.autosaver.store.abandoned():
            if not self.ask_restore(rec):
                rec.discard()
                continue
            try:
                document = Document.recovered(rec.project_file, rec.original_path, rec.name)
            except (FileFormatError, OSError) as e:
                self.show_error("Could not restore", user_message(e))
                continue
            if not self.maybe_save():
                return False
            self.set_document(document)
            rec.discard()
            self.autosaver.save_now()
            return True
        return False

    def ask_open_elsewhere(self, path, others: list[OpenElsewhere]) -> bool:
        """The file is open in another window: open it here too?"""
        answer = QMessageBox.question(
            self, "File already open",
            f"{Path(path).name} is open in {others[0].describe()}.\n\nOpen it here too? "
            "Saving in one window would then overwrite the other's changes (nnsim asks "
            "before it does).",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Open

    def ask_overwrite_changed(self, path) -> QMessageBox.StandardButton:
        """The file changed on disk since it was opened: Save (overwrite it),
        Save As (keep both) or Cancel."""
        box = QMessageBox(QMessageBox.Icon.Warning, "File changed on disk",
                          f"{Path(path).name} was changed on disk since you opened it "
                          "(by another window or program).\n\nOverwrite it with your "
                          "version, or save yours under another name?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.SaveAll
                          | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Save).setText("Overwrite")
        box.button(QMessageBox.StandardButton.SaveAll).setText("Save As…")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return QMessageBox.StandardButton(box.exec())

    def ask_open_path(self) -> str:
        return QFileDialog.getOpenFileName(self, "Open network", self._dialog_dir(), OPEN_FILTER)[0]

    def ask_save_path(self, title: str = "Save network as", suffix: str = ".nnsim",
                      filter: str = FILE_FILTER) -> str:
        start = self._dialog_dir()
        known = self.document.path or self.document.suggested_path
        if known:
            start = str(known.with_suffix(suffix))
        path = QFileDialog.getSaveFileName(self, title, start, filter)[0]
        if path and not Path(path).suffix:
            path += suffix
        return path

    def _dialog_dir(self) -> str:
        known = self.document and (self.document.path or self.document.suggested_path)
        return str(known.parent) if known else ""

    # -- the document -----------------------------------------------------------
    @staticmethod
    def _default_document() -> tuple[Document, Example | None]:
        """The lecture's network, and the example it came from (None: the
        example file is missing and the network is built in code)."""
        path = example_path(DEFAULT_EXAMPLE)
        try:
            document = Document.from_example(path)
        except (FileFormatError, OSError):
            return Document(), None
        project = document.project
        return document, Example(path, project.title, project.description)

    def set_document(self, document: Document) -> None:
        old = self.document
        # the views of the old document go with it (hidden now, deleted by the
        # event loop), so switching documents leaves one of each
        retired = [w for w in (self.view, self.inspector) if w is not None]
        for w in retired:
            w.hide()
        retired += [o for o in (self.scene,) if o is not None]
        self.document = document
        document.setParent(self)
        self.scene = NetworkScene(document, self)
        self.scene.set_text_scale(self._canvas_text_scale())
        self.scene.set_legend_key(not self.presenting)
        self.scene.set_edit_controls(not self.presenting)
        self.scene.set_label_mode(self.label_mode)
        self._apply_heat_maps()
        if self.view is not None:
            self._central_layout.removeWidget(self.view)
        self.view = NetworkView(self.scene, self)
        self.view.setObjectName("network_view")
        self._central_layout.addWidget(self.view, 1)
        self.info_bar.hide()  # an example's note is shown by open_example
        self.inspector = InspectorPanel(document, self)
        self.inspector.set_previews(not self.act_predict.isChecked())
        self.inspector_dock.setWidget(self.inspector)
        if self.runner is None:  # the first document: make the panels
            self.runner = Runner(document, self)
            self.runner.diverged.connect(self._on_diverged)
            self.runner.process_failed.connect(self._on_training_process_failed)
            self.runner.paused.connect(self.autosaver.save_soon)  # keep the run so far
            self.training_panel = TrainingPanel(document, self.runner, self)
            # the neurons the run panel's findings name, marked on the canvas
            self.training_panel.diagnosis.updated.connect(
                lambda found: self.scene.set_flagged(n for f in found for n in f.neurons))
            self.scene.set_flagged(n for f in self.training_panel.diagnosis.findings
                                   for n in f.neurons)
            self.training_dock.setWidget(self.training_panel)
            self.training_panel.select_speed(self.prefs.run_speed(self.runner.speed))
            self.training_panel.speed_combo.currentIndexChanged.connect(
                lambda _i: self.prefs.set_run_speed(self.runner.speed))
            self.loss_plot = LossPlotWidget(document, self)
            self.loss_dock.setWidget(self.loss_plot)
            self.decision_map = DecisionMapWidget(document, self)
            self.map_dock.setWidget(self.decision_map)
            self.graph_view = GraphView(document, self)
            self.graph_view.ref_clicked.connect(lambda ref: self.scene.select(ref))
            self.graph_dock.setWidget(self.graph_view)
            self.graph_dock.visibilityChanged.connect(self.graph_view.dock_shown)
            self.map_dock.visibilityChanged.connect(self.decision_map.on_exposed)
            self.landscape = LandscapeView(document, self)
            self.landscape_dock.setWidget(self.landscape)
        else:
            self.training_panel.set_document(document)  # switches the runner too
            self.loss_plot.set_document(document)
            self.decision_map.set_document(document)
            self.graph_view.set_document(document)
            self.landscape.set_document(document)
        old_panel = self.data_scroll.takeWidget()
        if old_panel is not None:
            old_panel.deleteLater()
        self.data_panel = DataPanel(document, self)
        self.data_scroll.setWidget(self.data_panel)
        self.prediction_bar.set_document(document)
        self.scene.selection_changed.connect(self._on_selection_changed)
        # the chain rule's paths of the inspector's sum, drawn on the canvas
        self.inspector.paths_highlighted.connect(self.scene.highlight_paths)
        self.inspector.reselect.connect(self.scene.select)
        self.scene.highlight_paths(self.inspector.shown_paths)
        self.autosaver.watch(document)
        self.open_files.hold(document.path)
        document.undo_stack.cleanChanged.connect(self._update_title)
        document.changed.connect(self._on_document_changed)
        self._bind_undo_actions(document)
        self.step_bar.set_sample_count(len(document.dataset.X_train))
        self.step_bar.set_pinned(document.pinned)
        self.selection = None
        self._update_title()
        self._refresh_controls()
        for obj in retired:
            obj.deleteLater()
        if old is not None:
            old.deleteLater()
        self.view.fit_to_window()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name}[*] — nnsim")
        self.setWindowModified(self.document.modified)

    # -- actions ------------------------------------------------------------------
    def _action(self, name: str, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        a = QAction(text, self)
        a.setObjectName(name)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            a.setToolTip(f"{tip} ({a.shortcut().toString()})" if shortcut else tip)
            a.setStatusTip(tip)
        a.triggered.connect(slot)
        self.addAction(a)
        return a

    def _make_actions(self) -> None:
        A, K = self._action, QKeySequence.StandardKey
        self.act_new = A("new", "&New", self.file_new, K.New)
        self.act_open = A("open", "&Open…", self.file_open, K.Open)
        self.act_save = A("save", "&Save", self.file_save, K.Save)
        self.act_save_as = A("save_as", "Save &As…", self.file_save_as, K.SaveAs)
        self.act_export_png = A("export_png", "Export Canvas as &PNG…", self.export_png)
        self.act_export_svg = A("export_svg", "Export Canvas as S&VG…", self.export_svg)
        self.act_export_solution = A("export_solution", "Export &Worked Solution…",
                                     self.export_solution, tip="One training step on the "
                                     "sample on show, written out in full (Markdown, HTML "
                                     "or LaTeX)")
        self.act_export_onnx = A("export_onnx", "&ONNX…", self.export_onnx,
                                 tip="The forward pass as an ONNX model (float32 or float64)")
        self.act_export_pytorch = A("export_pytorch", "&PyTorch Script…", self.export_pytorch,
                                    tip="A standalone PyTorch script: the network, its data, "
                                    "loss and optimiser, trainable on one machine or several")
        self.act_quit = A("quit", "&Quit", self.close, K.Quit)
        self.act_undo = A("undo", "&Undo", lambda: self.document.undo_stack.undo(), K.Undo)
        self.act_redo = A("redo", "&Redo", lambda: self.document.undo_stack.redo(), "Ctrl+Shift+Z")
        self.act_undo.setProperty("help_name", "Undo")
        self.act_redo.setProperty("help_name", "Redo")

        edit = "Select a neuron or connection on the canvas first"
        self.act_add_layer_before = A("add_layer_before", "Add Layer &Before",
                                      lambda: self._add_layer(after=False), "Ctrl+Shift+L",
                                      "Add a hidden layer before the selected layer")
        self.act_add_layer_after = A("add_layer_after", "Add &Layer After",
                                     lambda: self._add_layer(after=True), "Ctrl+L",
                                     "Add a hidden layer after the selected layer")
        self.act_remove_layer = A("remove_layer", "Remove La&yer", self._remove_layer,
                                  "Ctrl+Shift+Delete", "Remove the selected hidden layer")
        self.act_add_neuron = A("add_neuron", "Add &Neuron", self._add_neuron, "Insert",
                                "Add a neuron to the selected layer")
        self.act_remove_selected = A("remove_selected", "&Remove Selected",
                                     self._remove_selected, K.Delete,
                                     "Remove the selected neuron or connection")
        self.act_restore_connection = A("restore_connection", "Restore &Connection",
                                        self._restore_connection, "Ctrl+Insert",
                                        "Restore the selected removed connection")
        self.act_reinit = A("reinitialize", "Re-&initialise Weights",
                            lambda: self._guard(self.document.reinitialize), "Ctrl+I",
                            "New random weights from the chosen initialiser")
        for a in (self.act_add_layer_before, self.act_add_layer_after, self.act_remove_layer,
                  self.act_add_neuron, self.act_remove_selected, self.act_restore_connection):
            a.setStatusTip(a.statusTip() + f" — {edit.lower()}")

        # Ctrl+= / Ctrl+- / Ctrl+0 size the text (what a class needs most);
        # the canvas's zoom has Ctrl+Alt and the mouse wheel.
        self.act_fit = A("fit", "&Fit to Window", lambda: self.view.fit_to_window(), "Ctrl+Alt+0")
        self.act_zoom_in = A("zoom_in", "Zoom &In",
                             lambda: self.view.set_zoom(self.view.zoom * 1.25), "Ctrl+Alt+=")
        self.act_zoom_out = A("zoom_out", "Zoom &Out",
                              lambda: self.view.set_zoom(self.view.zoom * 0.8), "Ctrl+Alt+-")
        self._make_view_actions()
        self.act_first_steps = A("first_steps", "&First Steps", self.show_first_steps,
                                 K.HelpContents, "What to press first, what the colours mean")
        self.act_about = A("about", "&About nnsim", self.show_about)

        self.act_forward = A("forward", "Forward ▶", self.step_forward, "F",
                             "Compute the next layer's z and a (or the loss)")
        self.act_backward = A("backward", "◀ Backward", self.step_backward, "B",
                              "Compute the next layer's delta and dL/dw, from the output back")
        self.act_update = A("update", "Update", self.step_update, "U",
                            "Apply w := w − η·dL/dw to every weight")
        self.act_next = A("next", "Next Step", self.step_next, "Space",
                          "Whatever comes next: forward, loss, backward or update")
        self.act_step_sample = A("step_sample", "Step Sample", self.step_sample, "S",
                                 "Finish this pass, or train on the next sample")
        self.act_step_batch = A("step_batch", "Step Mini-batch", self.step_batch, "M",
                                "Finish this pass, or train on the next mini-batch")
        self.act_step_epoch = A("step_epoch", "Step Epoch", self.step_epoch, "E",
                                "Train to the end of the current epoch")
        self.act_step_back = A("step_back", "Step Back", self.step_back, "Backspace",
                               "Go back one step of what you did (a micro-step, an update or "
                               "an epoch), exactly")
        self.act_reset = A("reset", "Reset", lambda: self._guard(self.document.reset_training),
                           "Ctrl+R", "Back to the seed's initial weights and an empty history")
        self.act_play = A("play", "Play / Pause", lambda: self.runner.toggle(), "P",
                          "Train toward the epoch target, or pause")
        self.act_predict = A("predict", "&Predict Before Each Step", self._set_predicting,
                             "Ctrl+Shift+P", "Before Forward, Backward or Update shows its "
                             "numbers, type one of them and see if you were right")
        self.act_predict.setCheckable(True)  # off each session
        self.act_import_csv = A("import_csv", "&Import CSV…", lambda: self.data_panel.import_csv(),
                                tip="Train on your own data from a CSV file")

    def _bind_undo_actions(self, document: Document) -> None:
        # bound methods, not lambdas: Qt drops them when the window goes away
        document.undo_stack.indexChanged.connect(self._refresh_undo_actions)
        document.undo_stack.cleanChanged.connect(self._refresh_undo_actions)
        self._refresh_undo_actions()

    def _refresh_undo_actions(self) -> None:
        stack = self.document.undo_stack
        self.act_undo.setEnabled(stack.canUndo())
        self.act_redo.setEnabled(stack.canRedo())
        self.act_undo.setText(f"&Undo {stack.undoText()}".rstrip())
        self.act_redo.setText(f"&Redo {stack.redoText()}".rstrip())

    def _make_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        m.addActions([self.act_new, self.act_open])
        self.examples_menu = m.addMenu("E&xamples")
        self.examples_menu.setObjectName("examples_menu")
        self.examples_menu.aboutToShow.connect(self._fill_examples_menu)
        self._fill_examples_menu()  # filled now too, so it is never empty when shown
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addSeparator()
        m.addActions([self.act_save, self.act_save_as])
        m.addSeparator()
        m.addAction(self.act_import_csv)
        m.addActions([self.act_export_png, self.act_export_svg, self.act_export_solution])
        export_menu = m.addMenu("Export Ne&twork")  # N, E, X: taken
        export_menu.setObjectName("export_network_menu")
        export_menu.addActions([self.act_export_onnx, self.act_export_pytorch])
        m.addSeparator()
        m.addAction(self.act_quit)
        m = bar.addMenu("&Edit")
        m.addActions([self.act_undo, self.act_redo])
        m.addSeparator()
        m.addActions([self.act_add_layer_before, self.act_add_layer_after, self.act_remove_layer,
                      self.act_add_neuron, self.act_remove_selected, self.act_restore_connection])
        m.addSeparator()
        m.addAction(self.act_reinit)
        m = bar.addMenu("&View")
        self.view_menu = m
        self._add_view_actions(m)
        m.addSeparator()
        m.addActions([self.act_fit, self.act_zoom_in, self.act_zoom_out])
        m.addSeparator()
        for dock in self.docks:
            m.addAction(dock.toggleViewAction())
        m = bar.addMenu("&Step")
        m.addActions([self.act_forward, self.act_backward, self.act_update, self.act_next])
        m.addAction(self.act_predict)
        m.addSeparator()
        m.addActions([self.act_step_sample, self.act_step_batch, self.act_step_epoch,
                      self.act_play])
        m.addSeparator()
        m.addActions([self.act_step_back, self.act_reset])
        m = bar.addMenu("&Help")
        m.addActions([self.act_first_steps, self.act_about])

    def _make_toolbars(self) -> None:
        tb = self.addToolBar("Edit")
        tb.setObjectName("edit_bar")
        self.edit_bar = tb
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tb.addActions([self.act_add_layer_after, self.act_remove_layer, self.act_add_neuron,
                       self.act_remove_selected, self.act_restore_connection])
        tb.addSeparator()
        tb.addAction(self.act_reinit)
        tb.addSeparator()
        tb.addWidget(QLabel(" Loss: "))
        self.loss_box = QComboBox(self)
        self.loss_box.setObjectName("loss_box")
        self.loss_box.addItems(list(losses.LOSSES))
        self.loss_box.activated.connect(
            lambda: self._guard(self.document.set_loss, self.loss_box.currentText()))
        tb.addWidget(self.loss_box)
        tb.addSeparator()
        tb.addAction(self.act_fit)
        self.addToolBarBreak()
        self.step_bar = StepBar(self)
        self.step_bar.addActions([self.act_forward, self.act_backward, self.act_update])
        self.step_bar.addSeparator()
        self.step_bar.addActions([self.act_step_sample, self.act_step_batch,
                                  self.act_step_epoch, self.act_step_back, self.act_reset])
        self.step_bar.add_widgets()
        self.step_bar.sample_chosen.connect(self._on_sample_chosen)
        self.addToolBar(self.step_bar)

    def _make_status_bar(self) -> None:
        self.status_phase = QLabel()
        self.status_sample = QLabel()
        self.status_epoch = QLabel()
        self.status_loss = QLabel()
        self.status_points = QLabel()
        for w, name in ((self.status_phase, "status_phase"), (self.status_sample, "status_sample"),
                        (self.status_epoch, "status_epoch"), (self.status_loss, "status_loss"),
                        (self.status_points, "status_points")):
            w.setObjectName(name)
            self.statusBar().addPermanentWidget(w)
        self.status_score = QLabel()
        self.status_score.setObjectName("status_score")
        self.status_score.hide()
        self.statusBar().addPermanentWidget(self.status_score)
        self.prediction_bar.score_changed.connect(
            lambda text: self.status_score.setText(f"Predictions: {text}"))

    # -- keeping controls true to the document ---------------------------------
    def _refresh_controls(self) -> None:
        doc = self.document
        self.loss_box.setCurrentText(doc.network.loss)
        self.loss_box.setToolTip("\n".join(["The loss of the network (the output activation "
                                            "stays as it is)"] + doc.warnings()))
        self.step_bar.set_sample_count(len(doc.dataset.X_train))
        self._apply_heat_maps()  # the data or the network's inputs may have changed
        self._refresh_step_actions()

    def _refresh_step_actions(self) -> None:
        st = self.document
        kind = st.next_step.kind
        self.act_forward.setEnabled(kind in ("forward", "loss"))
        self.act_forward.setText("Loss ▶" if kind == "loss" else "Forward ▶")
        self.act_backward.setEnabled(kind == "backward")
        self.act_update.setEnabled(kind == "update")
        self.act_step_back.setEnabled(st.can_step_back)
        self.act_step_back.setToolTip(st.step_back_text or "Nothing to step back to")
        for act in (self.act_step_sample, self.act_step_batch, self.act_step_epoch):
            act.setEnabled(self.document.has_samples)
        if not self.document.has_samples:
            self.act_forward.setEnabled(False)
        self.step_bar.show_next(st.next_step, st.in_cycle)
        self.step_bar.set_pinned(st.pinned)  # also when the Data panel picked the sample
        idx = st.next_indices()
        X, Y = self.document.network_data.batch(list(idx))
        self.step_bar.show_sample(idx, X, Y)
        self._refresh_status()

    def _refresh_status(self) -> None:
        doc = st = self.document
        snap = doc.snapshot
        self.status_phase.setText(f"Phase: {snap.step.label.lower()}" if snap and snap.step
                                  else "Phase: between passes")
        idx = st.next_indices()
        self.status_sample.setText("Sample: none (no training rows)" if not idx
                                   else f"Sample: #{idx[0] + 1}" if len(idx) == 1
                                   else f"Mini-batch: {len(idx)} samples")
        self.status_epoch.setText(f"Epoch: {st.epoch}  Updates: {st.updates}")
        if snap is not None and snap.loss is not None:
            self.status_loss.setText(f"Loss (this pass): {fmt(snap.loss)}")
        elif st.epoch_results:
            self.status_loss.setText(f"Training loss: {fmt(st.epoch_results[-1].train_loss)}")
        else:
            self.status_loss.setText("Loss: not computed yet")
        n_train, n_test = len(doc.dataset.X_train), len(doc.dataset.X_test)
        self.status_points.setText(f"Points: {n_train + n_test} ({n_train} train, {n_test} test)")

    def _on_document_changed(self, change) -> None:
        if change.path:
            self._update_title()
        if change.structure or change.values or change.settings or change.data:
            self._refresh_controls()  # the step actions too
        elif change.step or change.history:
            self._refresh_step_actions()

    def _on_selection_changed(self, selection) -> None:
        self.selection = selection
        self.inspector.show_selection(selection)
        self.decision_map.show_neuron(selection if isinstance(selection, NeuronRef) else None)
        self.graph_view.show_selection(selection)
        self.landscape.show_parameter(selection)

    def _on_diverged(self, info) -> None:
        """Show where training first stopped being finite (the training panel
        explains why and offers to step back)."""
        if info.where == "weight":
            ref = EdgeRef(info.layer, info.i, info.j)
        elif info.where == "bias":
            ref = NeuronRef(info.layer, info.j)
        else:
            ref = NeuronRef(len(self.document.network.layers), 0)
        self.scene.select(ref)
        self.training_dock.raise_()
        self.statusBar().showMessage(info.message, 15000)

    def _on_training_process_failed(self, reason: str) -> None:
        self.statusBar().showMessage(
            f"Training goes on in this window, which may be slower and redraw less often "
            f"({reason}).", 15000)

    def _on_sample_chosen(self, index) -> None:
        self._guard(self.document.pin_sample, index)
        self._refresh_step_actions()

    def _guard(self, fn, *args):
        """Run an edit; a refused edit is explained, never a traceback."""
        try:
            return fn(*args)
        except EditError as e:
            self.show_error("That edit is not possible", str(e))
        except ValueError as e:
            self.show_error("nnsim", str(e))
        return None

    # -- editing through the selection ------------------------------------------
    def _selected_layer(self) -> int | None:
        s = self.selection
        if isinstance(s, (NeuronRef, EdgeRef)):
            return s.layer
        self.show_error("Nothing selected", "Select a neuron (or a connection) on the canvas first.")
        return None

    def _add_layer(self, after: bool) -> None:
        k = self._selected_layer()
        if k is None:
            return
        L = len(self.document.network.layers)
        position = k + 1 if after else k
        if position < 1 or position > L:
            where = "after the output layer" if after else "before the input layer"
            self.show_error("That edit is not possible",
                            f"A layer cannot go {where}: new layers are hidden layers "
                            "between the inputs and the output layer.")
            return
        self._guard(self.document.add_layer, position)
        if len(self.document.network.layers) > L:
            self.scene.select(NeuronRef(position, 0))  # the next Add Neuron grows it

    def _remove_layer(self) -> None:
        k = self._selected_layer()
        if k is None:
            return
        if k == 0:
            self.show_error("That edit is not possible",
                            "The input layer cannot be removed: it holds the data's inputs.")
            return
        self._guard(self.document.remove_layer, k)

    def _add_neuron(self) -> None:
        k = self._selected_layer()
        if k is not None:
            self._guard(self.document.add_neuron, k)

    def _remove_selected(self) -> None:
        s = self.selection
        if isinstance(s, NeuronRef):
            self._guard(self.document.remove_neuron, s.layer, s.neuron)
        elif isinstance(s, EdgeRef):
            self._guard(self.document.set_connection, s.layer, s.source, s.target, False)
        else:
            self._selected_layer()  # explains what to select

    def _restore_connection(self) -> None:
        s = self.selection
        if isinstance(s, EdgeRef):
            self._guard(self.document.set_connection, s.layer, s.source, s.target, True)
        else:
            self.show_error("Nothing selected", "Select a removed (dashed) connection first.")

    # -- stepping ------------------------------------------------------------------
    def _micro_step(self, kinds: tuple[str, ...]) -> None:
        if self.document.next_step.kind in kinds:
            self._step_or_predict()

    def _step_or_predict(self) -> None:
        """One micro-step; in predict mode the bar asks first, then steps."""
        if self.act_predict.isChecked():
            self.prediction_bar.ask(lambda: self._guard(self.document.micro_step),
                                    self.selection)
        else:
            self._guard(self.document.micro_step)

    def _set_predicting(self, on: bool) -> None:
        bar = self.prediction_bar
        bar.cancel()
        bar.setVisible(on)
        self.inspector.set_previews(not on)
        self.status_score.setVisible(on)
        self.status_score.setText(f"Predictions: {bar.score}")

    def step_forward(self) -> None:
        self._micro_step(("forward", "loss"))

    def step_backward(self) -> None:
        self._micro_step(("backward",))

    def step_update(self) -> None:
        self._micro_step(("update",))

    def step_next(self) -> None:
        self._step_or_predict()

    def step_sample(self) -> None:
        self._guard(self.document.step_sample)

    def step_batch(self) -> None:
        self._guard(self.document.step_batch)

    def step_epoch(self) -> None:
        self._guard(self.document.step_epochs, 1)

    def step_back(self) -> None:
        where = self.document.step_back_text
        if self.document.step_back() and where:
            self.statusBar().showMessage(where.replace("Back to", "Stepped back to", 1), 6000)

    # -- help ------------------------------------------------------------------------
    def _show_help(self, key: str, title: str, html: str) -> HelpDialog:
        """A non-modal help window (one of each kind), raised when asked again."""
        dialog = self._help_dialogs.get(key)
        if dialog is None:
            dialog = self._help_dialogs[key] = HelpDialog(title, html, self)
            dialog.setObjectName(f"{key}_dialog")
        else:
            dialog.browser.setHtml(html)
        dialog.show()
        dialog.raise_()
        return dialog

    def show_first_steps(self) -> None:
        self._show_help("first_steps", "First steps — nnsim", first_steps_html(self))

    def show_about(self) -> None:
        self._show_help("about", "About nnsim", about_html())

    # -- files ------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to close the current document."""
        self.saver.wait()  # a save under way decides whether anything is unsaved
        if not self.document.modified:
            return True
        answer = self.ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.file_save(wait=True)
        return answer == QMessageBox.StandardButton.Discard

    def file_new(self) -> None:
        if self.maybe_save():
            self.set_document(Document())

    def file_open(self) -> None:
        path = self.ask_open_path()
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        """Open a file, asking to save first; a failed open changes nothing."""
        others = self.open_files.others(path)
        if others and not self.ask_open_elsewhere(path, others):
            return False
        if not self.maybe_save():
            return False
        try:
            document = Document.open(path)
        except (FileFormatError, OSError, ValueError) as e:
            self.show_error("Could not open the file", user_message(e))
            return False
        except MemoryError:  # beyond the loader (its own is a FileFormatError)
            self.show_error("Could not open the file", f"{path}: there is not enough memory "
                            "to open it; the open network stays as it is.")
            return False
        self.set_document(document)
        self.prefs.add_recent_file(path)
        return True

    def file_save(self, wait: bool = False) -> bool:
        """Save to the document's file (Save As when it has none). The file is
        written in the background (``wait``: until it is written; False when
        it could not be); True when the save started."""
        doc = self.document
        if doc.path is None:
            return self.file_save_as(wait)
        stamp = doc.disk_stamp
        if stamp is not None and stamp.changed_on_disk(doc.path):
            answer = self.ask_overwrite_changed(doc.path)
            if answer == QMessageBox.StandardButton.SaveAll:
                return self.file_save_as(wait)
            if answer != QMessageBox.StandardButton.Save:
                return False
        return self._save_to(doc.path, wait)

    def file_save_as(self, wait: bool = False) -> bool:
        path = self.ask_save_path()
        if not path:
            return False
        others = self.open_files.others(path) if Path(path) != self.document.path else []
        if others and not self.ask_open_elsewhere(path, others):
            return False
        return self._save_to(Path(path), wait)

    def _save_to(self, path: Path, wait: bool = False) -> bool:
        if wait:
            return self.saver.save_and_wait(self.document, path).ok
        self.saver.save(self.document, path)
        self.statusBar().showMessage(f"Saving {path}…")
        return True

    def _on_saved(self, outcome: SaveOutcome) -> None:
        if not outcome.ok:
            self.statusBar().clearMessage()
            self.show_error("Could not save the file", outcome.error)
            return
        self.prefs.add_recent_file(outcome.path)
        self.open_files.hold(outcome.path)
        self.statusBar().showMessage(
            f"Saved {outcome.path}" if outcome.current else
            f"Saved {outcome.path} as it was when Save was pressed (it changed since: "
            "still marked unsaved)", 4000)

    def _on_autosaved(self, ok: bool) -> None:
        if not ok:
            self.statusBar().showMessage(
                f"The recovery copy could not be updated ({self.autosaver.last_error}); "
                "the last good copy is kept. Save to keep your work.", 15000)

    def _fill_examples_menu(self) -> None:
        fill_examples_menu(self.examples_menu, self.open_example)

    def open_example(self, example: Example) -> bool:
        """An untitled copy of a shipped example, with its description shown."""
        if not self.maybe_save():
            return False
        try:
            document = Document.from_example(example.path)
        except (FileFormatError, OSError, ValueError) as e:
            self.show_error("Could not open the example", user_message(e))
            return False
        self.set_document(document)
        self.info_bar.show_note(example.title, example.description)
        if self.presenting:  # shown when presentation mode ends
            self.info_bar.hide()
            self._info_was_shown = True
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.prefs.recent_files()
        if not files:
            self.recent_menu.addAction("(no recent files)").setEnabled(False)
        for f in files:
            self.recent_menu.addAction(f, lambda f=f: self.open_path(f))

    # -- export ------------------------------------------------------------------------
    def export_png(self) -> None:
        path = self.ask_save_path("Export canvas as PNG", ".png", "PNG images (*.png)")
        if path:
            self.export_canvas(path)

    def export_svg(self) -> None:
        path = self.ask_save_path("Export canvas as SVG", ".svg", "SVG images (*.svg)")
        if path:
            self.export_canvas(path)

    def export_canvas(self, path: str | Path) -> bool:
        """The whole network with every number of the current step, PNG or
        SVG by the file's suffix (see canvas/export.py)."""
        try:
            ok = canvas_export.export_canvas(self.scene, path, self.document.display_name)
        except canvas_export.ExportTooLarge as e:
            self.show_error("Could not export", f"{path}: {e}")
            return False
        if not ok:
            self.show_error("Could not export", f"{path}: the image could not be written")
        return ok

    def export_solution(self) -> None:
        path = self.ask_save_path("Export worked solution", ".md", SOLUTION_FILTER)
        if path:
            self.export_worked_solution(path)

    def export_worked_solution(self, path: str | Path) -> bool:
        """The worked solution of one SGD step on the sample on show (what
        `nnsim explain FILE --sample K` writes), in the format of the suffix."""
        try:
            export_worked_solution(self.document, path)
        except (OSError, ValueError) as e:
            self.show_error("Could not export", str(e))
            return False
        return True

    def export_onnx(self) -> None:
        start = self._dialog_dir()
        if self.document.path:
            start = str(self.document.path.with_suffix(".onnx"))
        path, chosen = QFileDialog.getSaveFileName(self, "Export network as ONNX", start,
                                                   ";;".join(ONNX_FILTERS))
        if path:
            self.export_network(path if Path(path).suffix else path + ".onnx",
                                ONNX_FILTERS.get(chosen, "float32"))

    def export_pytorch(self) -> None:
        path = self.ask_save_path("Export network as a PyTorch script", ".py",
                                  "Python scripts (*.py)")
        if path:
            self.export_network(path)

    def export_network(self, path: str | Path, dtype: str = "float32") -> bool:
        """ONNX (.onnx, in ``dtype``) or a PyTorch script (any other suffix),
        what `nnsim export` writes."""
        try:
            if Path(path).suffix.lower() == ".onnx":
                export_network_onnx(self.document, path, dtype)
            else:
                export_network_pytorch(self.document, path)
        except (OSError, ValueError) as e:
            self.show_error("Could not export", user_message(e))
            return False
        self.statusBar().showMessage(f"Exported {path}", 4000)
        return True

    # -- window events -----------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.maybe_save():
            self.runner.pause()
            self._save_layout()
            self.saver.shutdown()
            self.autosaver.stop()
            self.open_files.release()
            event.accept()
        else:
            event.ignore()

    def open_dropped(self, paths: list[str]) -> bool:
        """A file dropped on the window: a network opens (asking to save
        first, as File > Open does), a CSV file opens the import dialog, any
        other file is refused in one line. Of several files the first counts."""
        path = paths[0]
        action = drop_action(path)
        if action == OPEN:
            opened = self.open_path(path)
        elif action == IMPORT:
            self.data_dock.show()
            self.data_dock.raise_()
            self.data_panel.import_csv_path(path)
            opened = True
        else:
            self.show_error("Cannot open the dropped file", refusal(path))
            return False
        if len(paths) > 1:
            self.statusBar().showMessage(
                f"{len(paths)} files dropped: only {Path(path).name} was used", 6000)
        return opened

