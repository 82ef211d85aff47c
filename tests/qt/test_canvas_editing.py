"""Building a network in a few clicks (issue 14): − / + beside each layer's
header, + between two layers, a neuron count in the inspector, Add Neuron
that keeps the selection, Delete, a connection restored by dragging one
neuron onto the other, the view fitted again after each structural edit, and
undo texts that use the canvas's names."""
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnsim.document import Document
from nnsim.qt.canvas import export as canvas_export
from nnsim.qt.selection import EdgeRef, NeuronRef

from window_helpers import open_window


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path / "prefs.ini", size=(1400, 900), document=Document())


def press(view, scene_point, button=Qt.MouseButton.LeftButton):
    QTest.mouseClick(view.viewport(), button, Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(scene_point))


def click_button(window, button):
    assert button.isVisible(), button.tooltip
    press(window.view, button.scenePos())
    QApplication.processEvents()


def sizes(window):
    return list(window.document.network.sizes)


def test_header_buttons_add_and_remove_neurons_with_named_undo_steps(window):
    doc, scene = window.document, window.scene
    assert sizes(window) == [2, 2, 1]
    minus, plus = scene.header_buttons[1]
    click_button(window, plus)
    assert sizes(window) == [2, 3, 1]
    assert doc.undo_stack.undoText() == "Add neuron h3"
    click_button(window, window.scene.header_buttons[1][0])  # the scene was rebuilt
    assert sizes(window) == [2, 2, 1]
    assert doc.undo_stack.undoText() == "Remove neuron h3"
    # the input layer's +: an input, and the data gets its column
    click_button(window, window.scene.header_buttons[0][1])
    assert sizes(window) == [3, 2, 1] and doc.dataset.n_inputs == 3
    assert doc.undo_stack.undoText().startswith("Add neuron x3")
    assert "click" not in " ".join(window.errors)
    assert window.errors == []


def test_the_button_between_two_layers_inserts_a_hidden_layer_there(window):
    doc, scene = window.document, window.scene
    inserts = [b for b in scene.insert_buttons if b.isVisible()]
    assert inserts, "no + between layers at 1400x900"
    click_button(window, inserts[0])
    assert len(doc.network.layers) == 3
    assert doc.undo_stack.undoText().startswith("Add Hidden ")


def test_add_neuron_keeps_the_selection_so_the_next_press_works(window):
    doc = window.document
    window.scene.select(NeuronRef(1, 0))
    for _ in range(3):
        window.act_add_neuron.trigger()
    assert sizes(window) == [2, 5, 1] and window.errors == []
    assert window.scene.selection == NeuronRef(1, 0)
    assert window.inspector.units_box.value() == 5


def test_delete_removes_the_selection(window, qtbot):
    window.scene.select(NeuronRef(1, 1))
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert sizes(window) == [2, 1, 1]
    window.scene.select(EdgeRef(2, 0, 0))
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert not window.document.network.layers[1].mask[0, 0]
    assert window.document.undo_stack.undoText() == "Remove connection h1 \u2192 out1"


def drag(view, a, b):
    """Press on scene point ``a``, move in steps, release on ``b``."""
    vp = view.viewport()
    pa, pb = view.mapFromScene(a), view.mapFromScene(b)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pa)
    for t in (0.25, 0.5, 0.75, 1.0):
        p = QPoint(int(pa.x() + t * (pb.x() - pa.x())), int(pa.y() + t * (pb.y() - pa.y())))
        QTest.mouseMove(vp, p)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pb)


def test_dragging_one_neuron_onto_another_restores_their_connection(window):
    doc, scene = window.document, window.scene
    doc.set_connection(1, 1, 0, False)  # x2 -> h1 removed
    before = [list(r) for r in doc.positions()]
    drag(window.view, scene.neurons[0][1].pos(), window.scene.neurons[1][0].pos())
    assert doc.network.layers[0].mask is None or doc.network.layers[0].mask[1, 0]
    assert doc.undo_stack.undoText() == "Restore connection x2 \u2192 h1"
    assert [list(r) for r in doc.positions()] == before  # connected, not moved
    assert window.scene.selection == EdgeRef(1, 1, 0)
    # onto a neuron already connected: nothing changes, nothing moves
    count = doc.undo_stack.count()
    drag(window.view, window.scene.neurons[0][0].pos(), window.scene.neurons[1][1].pos())
    assert doc.undo_stack.count() == count
    assert [list(r) for r in doc.positions()] == before


def test_the_view_fits_again_after_a_structural_edit_even_after_a_zoom(window):
    view = window.view
    view.set_zoom(view.zoom * 3)  # zoomed in by hand
    window.scene.select(NeuronRef(1, 0))
    window.act_add_layer_after.trigger()
    QApplication.processEvents()
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.content_rect())
    assert window.scene.selection == NeuronRef(2, 0)  # the new layer: Add Neuron grows it


def test_the_inspectors_neuron_count_sets_a_layer_in_one_step(window, qtbot):
    doc = window.document
    window.scene.select(NeuronRef(1, 0))
    box = window.inspector.units_box
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "8")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert sizes(window) == [2, 8, 1]
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == "Set Hidden to 8 neurons"
    box.setValue(3)  # fewer: removed at the end; the selection stays
    assert sizes(window) == [2, 3, 1]
    assert window.scene.selection == NeuronRef(1, 0)
    doc.undo_stack.undo()
    assert sizes(window) == [2, 8, 1]


def test_a_count_the_canvas_cannot_hold_is_refused_and_named():
    from nnsim.document import EditError
    doc = Document()
    doc.set_units(1, 150)
    with pytest.raises(EditError, match="1 to 256"):
        doc.set_units(1, 0)
    doc.add_layer(2, 100)
    with pytest.raises(EditError, match="connections"):
        doc.set_units(2, 200)  # 150 x 200 connections: more than the canvas draws
    assert list(doc.network.sizes) == [2, 150, 100, 1]


def test_four_hidden_layers_of_eight_in_a_handful_of_operations(window):
    """It took about 30 right-clicks; now: three Add Layer After and four counts."""
    operations = 0
    window.scene.select(NeuronRef(1, 0))
    for k in range(1, 4):
        window.act_add_layer_after.trigger()  # selects the new layer's first neuron
        operations += 1
    for k in range(1, 5):
        window.scene.select(NeuronRef(k, 0))
        window.inspector.units_box.setValue(8)
        operations += 1
    assert sizes(window) == [2, 8, 8, 8, 8, 1]
    assert operations <= 8 and window.errors == []


def test_presentation_mode_and_exports_leave_the_buttons_out(window):
    scene = window.scene
    assert any(b.isVisible() for b in scene._edit_control_items())
    window.set_presentation(True)
    assert not any(b.isVisible() for b in window.scene._edit_control_items())
    window.set_presentation(False)
    assert any(b.isVisible() for b in window.scene._edit_control_items())
    with canvas_export.laid_out_for_export(window.scene):
        assert not any(b.isVisible() for b in window.scene._edit_control_items())
    assert any(b.isVisible() for b in window.scene._edit_control_items())
