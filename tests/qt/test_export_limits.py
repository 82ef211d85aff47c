"""Image sizes are bounded whatever the file holds (issue 16 item 9): a
neuron as far away as a file allows exports at most IMAGE_MAX_SIDE pixels a
side (a layout at 2e4 took 79 s and 6.6 GB, at 1e9 raised OverflowError), a
neuron dragged further stays within what a file holds, and a canvas beyond
the export limit is refused with the limit stated."""
import json

from PySide6.QtGui import QImage

from nnsim.core.limits import EXPORT_MAX_UNITS, IMAGE_MAX_SIDE, MAX_COORDINATE
from nnsim.document import Document, FileFormatError
from nnsim.io import load_project
from nnsim.qt.canvas import export
from window_helpers import open_window

import pytest

FAR = {"format": "nnsim", "version": 1,
       "network": {"inputs": 2, "layers": [{"units": 2, "activation": "sigmoid"},
                                           {"units": 1, "activation": "sigmoid"}]},
       "layout": [[[0, 0], [0, 100]], [[200, 0], [200, 100]],
                  [[MAX_COORDINATE, -MAX_COORDINATE]]]}


def far_file(tmp_path, coordinate=MAX_COORDINATE):
    obj = json.loads(json.dumps(FAR))
    obj["layout"][2] = [[coordinate, -coordinate]]
    path = tmp_path / "far.nnsim"
    path.write_text(json.dumps(obj))
    return path


def test_a_neuron_as_far_as_a_file_allows_exports_a_bounded_image(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path / "prefs.ini", document=Document.open(far_file(tmp_path)))
    assert window.export_canvas(tmp_path / "far.png") and window.errors == []
    image = QImage(str(tmp_path / "far.png"))
    assert 0 < max(image.width(), image.height()) <= IMAGE_MAX_SIDE
    assert window.export_canvas(tmp_path / "far.svg") and window.errors == []


def test_the_largest_automatic_layout_exports_within_the_limits(qtbot, tmp_path):
    """256 neurons in a layer (the canvas's most) placed automatically: the
    canvas fits EXPORT_MAX_UNITS and its PNG IMAGE_MAX_SIDE."""
    obj = json.loads(json.dumps(FAR))
    obj["network"]["layers"][0]["units"] = 256
    del obj["layout"]
    path = tmp_path / "tall.nnsim"
    path.write_text(json.dumps(obj))
    window = open_window(qtbot, tmp_path / "prefs.ini", document=Document.open(path))
    with export.laid_out_for_export(window.scene) as rect:
        assert max(rect.width(), rect.height()) <= EXPORT_MAX_UNITS
    assert window.export_canvas(tmp_path / "tall.png") and window.errors == []
    assert max(QImage(str(tmp_path / "tall.png")).size().toTuple()) <= IMAGE_MAX_SIDE


@pytest.mark.parametrize("coordinate", [2e4, 1e9])
def test_a_layout_beyond_the_limit_is_refused_at_load(tmp_path, coordinate):
    with pytest.raises(FileFormatError, match=r"layout\[2\]\[0\]\[0\]: expected a number "
                                              r"from -15,000 to 15,000"):
        load_project(far_file(tmp_path, coordinate))


def test_a_neuron_dragged_far_away_stays_within_what_a_file_holds(qtbot, tmp_path):
    document = Document.open(far_file(tmp_path, 0.0))
    document.move_neuron(2, 0, 1e12, -5e7)
    assert document.positions()[2][0] == (MAX_COORDINATE, -MAX_COORDINATE)
    document.save(tmp_path / "saved.nnsim")
    assert load_project(tmp_path / "saved.nnsim").layout[2][0] == (MAX_COORDINATE,
                                                                    -MAX_COORDINATE)


def test_a_canvas_beyond_the_export_limit_is_refused_with_the_limit(qtbot, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr(export, "EXPORT_MAX_UNITS", 500)
    window = open_window(qtbot, tmp_path / "prefs.ini", document=Document.open(far_file(tmp_path)))
    assert not window.export_canvas(tmp_path / "far.png")
    assert not (tmp_path / "far.png").exists()
    [message] = window.errors
    assert "at most 500 a side" in message and "\n" not in message
