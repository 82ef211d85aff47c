"""A neuron added to or removed from the input or output layer takes its data
column with it, in one undoable command (how a typed example such as
Mazur's 2-2-2 gets its second output)."""
import numpy as np

from nnsim.core.datasets import DataSpec
from nnsim.core.project import ImportedData
from nnsim.document import Document
from nnsim.io import load_project, save_project


def test_an_output_neuron_brings_a_target_column_of_zeros(qtbot):
    doc = Document()  # 2-2-1 on the xor table
    y = doc.dataset.Y_train[:, 0].copy()
    doc.add_neuron(2)
    assert doc.network.sizes == [2, 2, 2]
    assert doc.dataset.target_names == ["y1", "y2"]
    np.testing.assert_array_equal(doc.dataset.Y_train, np.column_stack([y, np.zeros(4)]))
    assert doc.dataset.kind == "regression"  # rows such as (0, 0) are no longer one class
    assert "target column" in doc.undo_stack.undoText()
    for _ in doc.plan:  # the network and the data fit: a whole cycle runs
        doc.micro_step()
    assert doc.snapshot.Y.shape == (1, 2)
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.network.sizes == [2, 2, 1] and isinstance(doc.project.data, DataSpec)
    assert doc.dataset.target_names == ["y"]


def test_an_input_neuron_brings_an_input_column_and_removing_it_takes_it_away(qtbot):
    doc = Document()
    doc.add_neuron(0)
    assert doc.network.sizes == [3, 2, 1] and doc.dataset.input_names == ["x1", "x2", "x3"]
    assert doc.network.layers[0].W.shape == (3, 2)
    np.testing.assert_array_equal(doc.dataset.X_train[:, 2], 0.0)
    doc.remove_neuron(0, 0)  # x1 goes, with its column
    assert doc.network.sizes == [2, 2, 1] and doc.dataset.input_names == ["x1", "x2"]
    np.testing.assert_array_equal(doc.dataset.X_train[:, 1], 0.0)  # the new column stayed


def test_removing_an_output_keeps_the_other_targets_and_their_names(qtbot, tmp_path):
    doc = Document()
    X = np.array([[0.05, 0.10]])
    data = ImportedData(X, np.array([[0.01, 0.99, 0.5]]), X[:0], np.zeros((0, 3)),
                        ["i1", "i2"], ["o1", "o2", "o3"], "regression", "typed")
    doc.set_data(data)
    assert doc.network.sizes[-1] == 3
    doc.remove_neuron(2, 1)
    assert doc.dataset.target_names == ["o1", "o3"]
    np.testing.assert_array_equal(doc.dataset.Y_train, [[0.01, 0.5]])
    doc.add_neuron(2)
    assert doc.dataset.target_names == ["o1", "o3", "y3"]  # a user's names are kept
    save_project(doc.project, tmp_path / "typed.nnsim")  # the column is saved as points
    assert load_project(tmp_path / "typed.nnsim").dataset().target_names == ["o1", "o3", "y3"]
