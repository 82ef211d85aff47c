"""A file that loads renders (issue 16 item 5): the window shows it, takes a
micro-step, draws its plots, grabs an image and exports the canvas as PNG and
SVG, with no NumPy warning and no error dialog."""
import json
import os
import tempfile
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from file_strategies import nnsim_files
from nnsim.document import Document, EditError, FileFormatError
from window_helpers import open_window

EXAMPLES = max(20, int(os.environ.get("NNSIM_HYPOTHESIS_EXAMPLES", "200")) // 5)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(obj=nnsim_files())
def test_any_file_that_loads_renders_and_exports(qtbot, tmp_path, obj):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = folder / "drawn.nnsim"
    path.write_text(json.dumps(obj))
    try:
        document = Document.open(path)
    except (FileFormatError, EditError):
        return
    window = open_window(qtbot, folder / "prefs.ini", size=(1280, 720), document=document)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if document.has_samples:
                document.micro_step()
            window.view.fit_to_window()
            window.loss_plot.refresh_now()
            window.decision_map.refresh_now()
            qtbot.wait(1)
            assert not window.grab().isNull()
            for suffix in (".png", ".svg"):
                assert window.export_canvas(folder / f"canvas{suffix}"), window.errors
        assert window.errors == []
    finally:
        window.close()
