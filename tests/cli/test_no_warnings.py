"""Nothing on stderr but nnsim's own one-line errors (issue 16 item 9): a
file with absurd numbers (1e300 weights in float32, 1e200 inputs, a learning
rate of 1e9, targets outside bce's range) goes through every command and the
offscreen window with Python's `-W error`, so any NumPy RuntimeWarning would
fail the run instead of printing a warning a user would see."""
import json
import os
import subprocess
import sys

import pytest

ABSURD = {
    "format": "nnsim", "version": 1,
    "network": {"inputs": 2, "loss": "bce", "layers": [
        {"units": 2, "activation": "tanh", "weights": [[1e300, -1e300], [1e300, 1e150]],
         "bias": [1e300, 0]},
        {"units": 1, "activation": "sigmoid", "weights": [[1e300], [-1e300]]}]},
    "training": {"dtype": "float32", "learning_rate": 1e9, "epochs": 3},
    "data": {"points": {"inputs": [[1e200, -1e200], [0, 1], [1, 0], [1, 1]],
                        "targets": [[2], [0], [1], [-4]]}},
}


@pytest.fixture
def absurd(tmp_path):
    path = tmp_path / "absurd.nnsim"
    path.write_text(json.dumps(ABSURD))
    return path


@pytest.mark.parametrize("args", [
    ["train", "{f}", "--out", "{out}.nnsim"],
    ["train", "{f}", "--dtype", "float64", "--lr", "0.1", "--out", "{out}.nnsim"],
    ["trace", "{f}", "--sample", "0"],
    ["trace", "{f}", "--input", "-1e200,1e200", "--target", "-1", "--json"],
    ["explain", "{f}", "--sample", "0"],
    ["{f}", "--screenshot", "{out}.png", "--steps", "9", "--select", "2,1,1", "--size", "1280x720"],
    ["{f}", "--screenshot", "{out}.png", "--steps", "4", "--select", "1,2,2", "--size", "1280x720"],
])
def test_absurd_numbers_print_no_warning(absurd, tmp_path, args):
    args = [a.format(f=absurd, out=tmp_path / "out") for a in args]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, "-W", "error", "-m", "nnsim", *args],
                         capture_output=True, text=True, timeout=300, env=env)
    lines = run.stderr.strip().splitlines()
    # nothing, or nnsim's own one line (a diverged run is refused)
    assert run.returncode == 0 and lines == [] or (
        run.returncode == 2 and len(lines) == 1 and lines[0].startswith("nnsim: error: ")
    ), run.stderr
    assert "Warning" not in run.stderr
