"""Document.set_points: the typed points as one undoable command, checked
with messages that name the row and the column; and which sample a newcomer
steps first (shuffle off for new documents and the lecture example)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import ImportedData, Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document, EditError
from nnsim.examples import example_path
from nnsim.io import load_project

E2, E1 = np.zeros((0, 2)), np.zeros((0, 1))


def test_set_points_turns_a_builtin_set_into_saved_points(qtbot, tmp_path):
    doc = Document()  # xor_table
    X = np.array([[0.05, 0.10]])
    doc.set_points(X, [[1.0]], E2, E1, "Type a row")
    data = doc.project.data
    assert isinstance(data, ImportedData) and data.source == "xor_table, edited"
    assert data.kind == "binary" and data.input_names == ["x1", "x2"]
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == "Type a row (points of xor_table, edited)"
    doc.save(tmp_path / "one.nnsim")
    again = load_project(tmp_path / "one.nnsim").data
    np.testing.assert_array_equal(again.X_train, X)
    assert again.X_test.shape == (0, 2)
    doc.undo_stack.undo()
    assert doc.project.data == DataSpec("xor_table") and len(doc.dataset.X_train) == 4
    doc.undo_stack.redo()
    np.testing.assert_array_equal(doc.dataset.X_train, X)


@pytest.mark.parametrize("X, Y, Xt, Yt, message", [
    ([[0.1, np.nan]], [[1.0]], E2, E1, "row 1, x2: nan is not a finite number"),
    ([[0.1, 0.2]], [[1.0]], [[0, 0], [np.inf, 0]], [[0.0], [1.0]],
     "test row 2, x1: inf is not a finite number"),
    ([[0.1, 0.2, 0.3]], [[1.0]], E2, E1, "expected rows of 2 inputs"),
    ([[0.1, 0.2], [0, 0]], [[1.0]], E2, E1, "every row needs its inputs and its targets"),
])
def test_bad_points_are_refused_and_change_nothing(qtbot, X, Y, Xt, Yt, message):
    doc = Document()
    before = doc.project.data
    with pytest.raises(EditError, match=message.replace("(", r"\(")):
        doc.set_points(X, Y, Xt, Yt, "bad")
    assert doc.project.data is before and doc.undo_stack.count() == 0


def test_too_many_points_are_refused(qtbot, monkeypatch):
    import nnsim.core.points as points
    monkeypatch.setattr(points, "MAX_POINTS", 3)
    doc = Document()
    with pytest.raises(EditError, match="4 rows are too many: the data holds at most 3 rows"):
        doc.set_points(np.zeros((4, 2)), np.zeros((4, 1)), E2, E1, "paste")


def test_binary_targets_other_than_0_1_make_it_regression(qtbot):
    doc = Document()
    doc.set_points([[0.05, 0.10]], [[0.99]], E2, E1, "Set y")
    assert doc.project.data.kind == "regression"
    assert doc.undo_stack.undoText() == "Set y (points of xor_table, edited; now regression)"


def test_class_targets_must_stay_one_hot(qtbot):
    net = Network.build(2, [3], ["softmax"], loss="cross_entropy", rng=np.random.default_rng(0))
    Y = np.eye(3)
    data = ImportedData(np.zeros((3, 2)), Y, E2, np.zeros((0, 3)), ["a", "b"],
                        ["r", "g", "b"], "multiclass")
    doc = Document(Project(net, TrainingConfig(), data))
    bad = Y.copy()
    bad[1] = [0.5, 0.5, 0]
    with pytest.raises(EditError, match="row 2: the targets of a class set must be one-hot"):
        doc.set_points(np.zeros((3, 2)), bad, E2, np.zeros((0, 3)), "Set g")
    assert doc.project.data is data


def test_no_rows_is_a_document_that_says_there_is_no_sample(qtbot, tmp_path):
    doc = Document()
    doc.set_points(E2, E1, E2, E1, "Delete 8 rows")
    assert not doc.has_samples and doc.next_indices() == ()
    for step in (doc.micro_step, doc.step_sample, lambda: doc.step_epochs(1)):
        with pytest.raises(EditError, match="no training rows"):
            step()
    doc.save(tmp_path / "empty.nnsim")  # saved and opened again: nothing lost
    again = Document.open(tmp_path / "empty.nnsim")
    assert again.dataset.X_train.shape == (0, 2) and not again.has_samples


def test_a_new_document_steps_row_1_first(qtbot):
    doc = Document()
    assert doc.project.training.shuffle is False
    traced = []
    for _ in range(len(doc.plan) * 4):  # one epoch of the 4 rows, by hand
        snap = doc.micro_step()
        if snap.step.kind == "forward" and snap.step.layer == 1:
            traced.append(snap.sample_indices[0])
    assert traced == [0, 1, 2, 3]


def test_the_lecture_example_steps_row_1_first(qtbot):
    doc = Document.from_example(example_path("lecture-xor"))
    assert doc.project.training.shuffle is False
    assert doc.micro_step().sample_indices == (0,)
    raw = json.loads(example_path("lecture-xor").read_text())
    assert raw["training"]["shuffle"] is False  # said in the file, not left to a default


def test_a_file_without_shuffle_still_shuffles(qtbot, tmp_path):
    path = tmp_path / "old.nnsim"
    path.write_text(json.dumps({"format": "nnsim", "version": 1,
                                "network": {"inputs": 2, "layers": [{"units": 1, "activation": "sigmoid"}]}}))
    assert load_project(path).training.shuffle is True


def test_shuffle_is_one_undoable_setting(qtbot):
    doc = Document()
    doc.set_training(shuffle=True)
    assert doc.project.training.shuffle is True and doc.undo_stack.undoText() == "Set shuffle"
    doc.undo_stack.undo()
    assert doc.project.training.shuffle is False
