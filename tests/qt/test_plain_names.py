"""Names a user supplies are shown as typed, never as markup (issue 16 item
9): CSV column names and class labels that look like HTML (a bold tag, an
image tag that would load a local file) appear literally in the Data panel,
the points table, the CSV dialog, the decision map's axes, title, legend and
read-out, the window title, and every tooltip."""
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QGraphicsTextItem, QGraphicsView, QLabel, QWidget

from nnsim.core.project import ImportedData
from nnsim.document import Document
from nnsim.examples import example_path
from window_helpers import open_window

# each name carries a marker; wherever the marker shows, the whole name must
BOLD, IMAGE, AMP = "<b>bo1d</b>", "<img src='/etc/hostname'>im4ge", "a&amp;mp3"
CLASS_A, CLASS_B = "<i>it2</i>", "<u>un5</u>"
MARKERS = {"bo1d": BOLD, "im4ge": IMAGE, "mp3": AMP, "it2": CLASS_A, "un5": CLASS_B}


def displayed(text: str, rich: bool) -> str:
    """What Qt shows for ``text``: HTML rendered to its plain text."""
    if not rich:
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def label_text(label: QLabel) -> str:
    fmt = label.textFormat()
    rich = fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText
                                             and GuiQt.mightBeRichText(label.text()))
    return displayed(label.text(), rich)


def tooltip_text(tip: str) -> str:
    return displayed(tip, GuiQt.mightBeRichText(tip))


def everything_shown(root: QWidget) -> list[tuple[str, str]]:
    """(where, displayed text) of every label, tooltip, header and graphics
    text under ``root``."""
    out = [("window title", root.windowTitle())]
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, QLabel):
            out.append((f"label {w.objectName()}", label_text(w)))
        if w.toolTip():
            out.append((f"tooltip of {type(w).__name__}", tooltip_text(w.toolTip())))
        if isinstance(w, QGraphicsView) and w.scene() is not None:
            for item in w.scene().items():
                if isinstance(item, QGraphicsTextItem):
                    out.append((f"graphics text {type(item).__name__}", item.toPlainText()))
        model = getattr(w, "model", lambda: None)() if hasattr(w, "horizontalHeader") else None
        if model is not None:
            for c in range(model.columnCount()):
                for role, rich in ((Qt.ItemDataRole.DisplayRole, False),
                                   (Qt.ItemDataRole.ToolTipRole, True)):
                    v = model.headerData(c, Qt.Orientation.Horizontal, role)
                    if isinstance(v, str):
                        out.append(("table header", displayed(v, rich and GuiQt.mightBeRichText(v))))
    return out


def check_literal(root: QWidget) -> list[str]:
    """Places where a marker shows without its whole name (markup was rendered)."""
    bad = []
    for where, text in everything_shown(root):
        for marker, name in MARKERS.items():
            if marker in text and name not in text:
                bad.append(f"{where}: {text!r}")
    return bad


def hostile_document() -> Document:
    doc = Document.open(example_path("lecture-xor"))
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    doc.set_data(ImportedData(X, Y, X[:0], Y[:0], [BOLD, IMAGE], [CLASS_A, CLASS_B],
                              "multiclass", f"/tmp/{AMP}.csv"), "Import")
    return doc


def test_names_that_look_like_html_are_shown_as_typed(qtbot, tmp_path):
    doc = hostile_document()
    doc.project.title = BOLD
    window = open_window(qtbot, tmp_path / "prefs.ini", document=doc)
    window.decision_map.refresh_now()
    window.decision_map.hover_label.setText(window.decision_map.read_out(0.5, 0.5))
    qtbot.wait(1)
    shown = " ".join(t for _, t in everything_shown(window))
    for name in (BOLD, IMAGE, CLASS_A, CLASS_B):
        assert name in shown  # the test sees the names where they are shown
    assert check_literal(window) == []


def test_csv_column_names_and_class_labels_are_shown_as_typed(qtbot, tmp_path):
    csv = tmp_path / "hostile.csv"
    csv.write_text(f'"{BOLD}","{IMAGE}",label\n' + "".join(
        f"{i % 2},{i % 3},{CLASS_A if i % 2 else CLASS_B}\n" for i in range(12)))
    window = open_window(qtbot, tmp_path / "prefs.ini")
    panel = window.data_panel
    panel.ask_csv_path = lambda: str(csv)
    qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    dialog = panel.csv_dialog
    assert dialog is not None and dialog.isVisible()
    shown = " ".join(t for _, t in everything_shown(dialog))
    for name in (BOLD, IMAGE, CLASS_A):
        assert name in shown
    assert check_literal(dialog) == []
    dialog.reject()
