"""New data never changes the output activation or the loss by itself: the
data panel asks (Change / Keep) and a change is one undo step with the data."""
import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from nnsim.core.datasets import DataSpec
from nnsim.document import Document
from nnsim.qt.data_panel import DataPanel


@pytest.fixture
def doc(qtbot):
    return Document()  # the lecture's 2-2-1 sigmoid network with mse, on xor


@pytest.fixture
def panel(qtbot, doc):
    p = DataPanel(doc)
    qtbot.addWidget(p)
    p.confirm_resize = lambda message: True  # the resize question is tested elsewhere
    p.show()
    return p


def answer_output_question(button_text: str, seen: list):
    """Click a button of the output question when it comes up, as the user does."""
    def click():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and box.objectName() == "output_question"
        seen.append(box.text())
        button = next(b for b in box.buttons() if b.text() == button_text)
        button.click()
    QTimer.singleShot(0, click)


def import_csv(qtbot, panel, path):
    panel.ask_csv_path = lambda: str(path)
    qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    dialog = panel.csv_dialog
    with qtbot.waitSignal(panel.document.changed, check_params_cb=lambda c: c.data):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    return dialog


def output(doc):
    return doc.network.layers[-1].activation, doc.network.loss


def test_soft_targets_keep_the_sigmoid_output_and_ask_nothing(qtbot, panel, doc, tmp_path):
    path = tmp_path / "soft.csv"
    path.write_text("x1,x2,y\n0,0,0.01\n0,1,0.99\n1,0,0.99\n1,1,0.01\n0.5,0.5,0.99\n",
                    encoding="utf-8")
    panel.confirm_output = lambda q: pytest.fail(f"asked: {q}")
    import_csv(qtbot, panel, path)
    assert sorted(np.vstack([doc.dataset.Y_train, doc.dataset.Y_test])[:, 0]) == \
        [0.01, 0.01, 0.99, 0.99, 0.99]
    assert output(doc) == ("sigmoid", "mse") and doc.network.sizes == [2, 2, 1]
    assert doc.undo_stack.count() == 1


def three_class_csv(tmp_path):
    path = tmp_path / "three.csv"
    rows = [f"{i % 3 + 0.1 * i},{(i * 7) % 5},{'abc'[i % 3]}" for i in range(12)]
    path.write_text("x1,x2,kind\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_three_classes_propose_softmax_and_keep_keeps_the_output(qtbot, panel, doc, tmp_path):
    seen = []
    answer_output_question("Keep", seen)
    import_csv(qtbot, panel, three_class_csv(tmp_path))
    assert seen == ["The targets are 3 classes: use softmax with cross-entropy on the output?"]
    assert doc.dataset.kind == "multiclass" and doc.network.sizes == [2, 2, 3]
    assert output(doc) == ("sigmoid", "mse")  # kept, as the user said
    assert doc.undo_stack.count() == 1


def test_change_sets_softmax_and_cross_entropy_in_the_same_undo_step(qtbot, panel, doc,
                                                                     tmp_path):
    seen = []
    answer_output_question("Change", seen)
    import_csv(qtbot, panel, three_class_csv(tmp_path))
    assert len(seen) == 1
    assert output(doc) == ("softmax", "cross_entropy") and doc.network.sizes == [2, 2, 3]
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == ("Import three.csv (a softmax output with "
                                         "cross_entropy)")
    doc.undo_stack.undo()  # data, size and output together
    assert output(doc) == ("sigmoid", "mse") and doc.network.sizes == [2, 2, 1]
    assert doc.project.data == DataSpec("xor_table")


def test_regression_targets_beyond_the_sigmoid_propose_a_linear_output(qtbot, panel, doc):
    seen = []
    answer_output_question("Change", seen)
    with qtbot.waitSignal(doc.changed, check_params_cb=lambda c: c.data):
        panel.set_box.setCurrentIndex(panel.set_box.findData("plane"))
    assert len(seen) == 1 and "linear output (keeping MSE)" in seen[0]
    assert output(doc) == ("linear", "mse") and doc.undo_stack.count() == 1


def test_a_loss_change_never_touches_the_activation(doc):
    for loss in ("bce", "cross_entropy", "mse"):
        doc.set_loss(loss)
        assert output(doc) == ("sigmoid", loss)


def test_the_toolbar_loss_keeps_the_output_and_its_tooltip_warns(qtbot, tmp_path):
    from nnsim.qt.main_window import MainWindow
    from nnsim.qt.preferences import Preferences
    window = MainWindow(preferences=Preferences(tmp_path / "prefs.ini"))
    window.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.show()
    doc, box = window.document, window.loss_box
    plain = "The loss of the network (the output activation stays as it is)"
    assert output(doc) == ("sigmoid", "mse") and box.toolTip() == plain
    box.setCurrentText("cross_entropy")
    box.activated.emit(box.currentIndex())  # what choosing it in the popup sends
    assert output(doc) == ("sigmoid", "cross_entropy")  # the activation stays
    assert "Cross-entropy without softmax" in box.toolTip()
    doc.undo_stack.undo()
    assert output(doc) == ("sigmoid", "mse") and box.toolTip() == plain


def test_keep_is_not_asked_again_when_the_same_set_is_made_again(qtbot, panel, doc):
    seen = []
    answer_output_question("Keep", seen)
    with qtbot.waitSignal(doc.changed, check_params_cb=lambda c: c.data):
        panel.set_box.setCurrentIndex(panel.set_box.findData("plane"))
    assert len(seen) == 1 and output(doc) == ("sigmoid", "mse")
    panel.confirm_output = lambda q: pytest.fail(f"asked again: {q}")
    with qtbot.waitSignal(doc.changed, check_params_cb=lambda c: c.data):
        qtbot.mouseClick(panel.new_seed_button, Qt.MouseButton.LeftButton)
    assert doc.project.data.seed == 1 and output(doc) == ("sigmoid", "mse")
    # kept, and said where the output is chosen
    assert any("cannot reach 0" in w for w in doc.warnings())
