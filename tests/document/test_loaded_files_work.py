"""Validation and training agree (issue 16 item 5): any file that loads
steps through a full micro-step cycle, trains an epoch in the window's
document and in `nnsim train`, with no NumPy warning; a file that cannot is
refused at load with one line. Rendering: tests/qt/test_loaded_files_render.py."""
import json
import os
import tempfile
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from file_strategies import nnsim_files
from nnsim import cli
from nnsim.document import Document, EditError, FileFormatError

EXAMPLES = int(os.environ.get("NNSIM_HYPOTHESIS_EXAMPLES", "200"))
PLACEHOLDER = {"format": "nnsim", "version": 1, "network": {"inputs": 3, "layers": [
    {"units": 2, "activation": "sigmoid"}, {"units": 1, "activation": "sigmoid"}]}}


def opened(tmp_path, obj):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example (hypothesis reuses tmp_path)
    path = folder / "drawn.nnsim"
    path.write_text(json.dumps(obj))
    try:
        return path, Document.open(path)
    except (FileFormatError, EditError) as e:
        assert str(e).startswith(str(path)) and "\n" not in str(e)
        return path, None


def steps_and_trains(path, doc, tmp_path, capsys) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning fails the test
        if doc.has_samples:
            for _ in range(len(doc.plan)):  # Forward ... Update of one sample
                doc.micro_step()
            doc.step_epochs(1)
        out = path.with_name("trained.nnsim")
        status = cli.main(["train", str(path), "--epochs", "1", "--quiet", "--out", str(out)])
    err = capsys.readouterr().err
    if doc.has_samples:
        # trained and saved, or a diverged run reported in one line
        assert status == 0 and out.exists() or (status == 2 and "diverged" in err), err
    else:
        assert status == 2 and "no training rows" in err and not out.exists(), err


def test_a_file_without_data_gets_empty_points_in_the_networks_shape(tmp_path, capsys):
    """The issue's file: a 3-input network and no data crashed Forward, Play and
    `nnsim train` with the 2-input placeholder. It opens with no points, three
    input columns and one target column, ready for the user's rows; training
    says there is nothing to train on."""
    path, doc = opened(tmp_path, PLACEHOLDER)
    assert doc.dataset.X_train.shape == (0, 3) and doc.dataset.Y_train.shape == (0, 1)
    assert doc.dataset.input_names == ["x1", "x2", "x3"]
    steps_and_trains(path, doc, tmp_path, capsys)
    X = [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    doc.set_points(X, [[1.0], [0.0], [0.0], [1.0]], [], [], "Type rows")
    for _ in range(len(doc.plan)):
        doc.micro_step()
    assert doc.step_epochs(1)[0].finite


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(nnsim_files())
def test_any_file_that_loads_steps_and_trains(tmp_path, capsys, obj):
    path, doc = opened(tmp_path, obj)
    if doc is not None:
        steps_and_trains(path, doc, tmp_path, capsys)
