"""One ``changed`` per command or step, and one redraw per view for it."""
import numpy as np
import pytest

from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Change, Document
from nnsim.qt.canvas.scene import NetworkScene
from nnsim.qt.inspector import InspectorPanel
from nnsim.qt.selection import EdgeRef


@pytest.fixture
def doc(qtbot):
    net = Network.build(2, [2, 1], ["sigmoid", "sigmoid"], rng=np.random.default_rng(0))
    return Document(Project(net, TrainingConfig(learning_rate=0.5), DataSpec("xor_table")))


def record(doc):
    changes = []
    doc.changed.connect(changes.append)
    return changes


def count_calls(monkeypatch, obj, name):
    calls = []
    original = getattr(obj, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)
    monkeypatch.setattr(obj, name, counted)
    return calls


def test_a_weight_edit_is_one_change_and_one_inspector_text(qtbot, monkeypatch, doc):
    panel = InspectorPanel(doc)
    qtbot.addWidget(panel)
    panel.show_selection(EdgeRef(1, 0, 1))
    scene = NetworkScene(doc)
    html = count_calls(monkeypatch, panel.browser, "setHtml")
    relabels = count_calls(monkeypatch, scene, "relabel")
    changes = record(doc)
    doc.set_weight(1, 0, 1, 0.75)
    assert len(changes) == 1 and changes[0].values and not changes[0].structure
    assert len(html) == 1 and panel.value_edit.text() == "0.75"
    assert len(relabels) == 1


def test_a_micro_step_is_one_change(qtbot, doc):
    changes = record(doc)
    doc.micro_step()  # forward: nothing trained
    assert changes == [Change(step=True)]
    for _ in range(len(doc.plan) - 1):
        doc.micro_step()  # ... up to the update
    assert len(changes) == len(doc.plan)
    assert changes[-1] == Change(values=True, history=True, step=True)


def test_undo_redo_and_a_setting_are_one_change_each(qtbot, doc):
    doc.add_neuron(1)
    changes = record(doc)
    doc.undo_stack.undo()
    doc.undo_stack.redo()
    doc.set_training(learning_rate=0.25)
    doc.step_epochs(3)
    assert [c.structure for c in changes] == [True, True, False, False]
    assert changes[2] == Change(settings=True)
    assert changes[3] == Change(values=True, history=True, step=True)


def test_changed_is_the_documents_only_signal():
    old = ("structure_changed", "values_changed", "stepped", "settings_changed",
           "layout_changed", "data_changed", "trained", "path_changed")
    assert [name for name in old if hasattr(Document, name)] == []


def test_a_weight_typed_in_the_inspector_is_one_text(qtbot, monkeypatch, doc):
    from PySide6.QtCore import Qt
    panel = InspectorPanel(doc)
    qtbot.addWidget(panel)
    panel.show_selection(EdgeRef(1, 0, 1))
    html = count_calls(monkeypatch, panel.browser, "setHtml")
    changes = record(doc)
    panel.value_edit.setFocus()
    panel.value_edit.selectAll()
    qtbot.keyClicks(panel.value_edit, "0.75")
    qtbot.keyClick(panel.value_edit, Qt.Key.Key_Return)
    assert doc.value_of(EdgeRef(1, 0, 1)) == 0.75
    assert len(changes) == 1 and len(html) == 1
