"""`nnsim train` and `nnsim trace` use the file's feature inputs and
standardisation, as the window does (core/input_transform.py)."""
import json
import subprocess
import sys

import numpy as np

from nnsim.core.input_transform import with_features
from nnsim.io import load_project

FILE = {"format": "nnsim", "version": 1,
        "network": {"inputs": 3, "loss": "bce",
                    "layers": [{"units": 3, "activation": "tanh"},
                               {"units": 1, "activation": "sigmoid"}]},
        "training": {"learning_rate": 0.3, "epochs": 5, "seed": 4},
        "data": {"builtin": "circle", "n": 80, "seed": 1},
        "input_transform": {"features": ["x1*x2"], "standardize": True}}


def nnsim(*args):
    return subprocess.run([sys.executable, "-m", "nnsim", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def test_trace_input_takes_the_data_columns_and_the_network_sees_them_transformed(tmp_path):
    path = tmp_path / "f.nnsim"
    path.write_text(json.dumps(FILE))
    run = nnsim("trace", path, "--input", "0.5,-0.25", "--target", "1", "--json")
    assert run.returncode == 0, run.stderr
    project = load_project(path)
    data, t = project.network_data()
    raw = project.dataset().X_train
    Z = with_features(raw, ("x1*x2",))
    x = (np.array([0.5, -0.25, -0.125]) - Z.mean(axis=0)) / Z.std(axis=0)
    layer = project.network.layers[0]
    z = json.loads(run.stdout)["layers"][0]["z"]
    np.testing.assert_allclose(np.ravel(z), x @ layer.W + layer.b, rtol=1e-9)
    bad = nnsim("trace", path, "--input", "0.5,-0.25,1", "--target", "1")
    assert bad.returncode == 2
    assert "the data has 2 input columns" in bad.stderr


def test_train_trains_on_the_transformed_inputs(tmp_path):
    path = tmp_path / "f.nnsim"
    path.write_text(json.dumps(FILE))
    run = nnsim("train", path, "--quiet")
    assert run.returncode == 0, run.stderr
    trained = load_project(tmp_path / "f.trained.nnsim")
    assert trained.inputs.features == ("x1*x2",) and trained.inputs.standardize
    expected = load_project(path).make_stepper().step_epochs(5)
    assert [r.train_loss for r in trained.history.epochs] == [r.train_loss for r in expected]
