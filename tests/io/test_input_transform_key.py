"""input_transform: feature inputs and standardisation in the file, written
only when chosen, each wrong value named by its field."""
import json

import pytest

from nnsim.core.input_transform import InputOptions
from nnsim.io import FileFormatError, dumps, loads

BASE = {"format": "nnsim", "version": 1,
        "network": {"inputs": 4, "loss": "bce",
                    "layers": [{"units": 2, "activation": "tanh"},
                               {"units": 1, "activation": "sigmoid"}]},
        "data": {"builtin": "circle", "n": 50},
        "input_transform": {"features": ["x1^2", "x1*x2"], "standardize": True}}


def text(**changes) -> str:
    obj = json.loads(json.dumps(BASE))
    for k, v in changes.items():
        if v is None:
            obj["input_transform"].pop(k)
        else:
            obj["input_transform"][k] = v
    return json.dumps(obj)


def test_the_choice_is_read_and_written_back():
    p = loads(text())
    assert p.inputs == InputOptions(("x1^2", "x1*x2"), True)
    assert json.loads(dumps(p))["input_transform"] == BASE["input_transform"]
    assert dumps(loads(dumps(p))) == dumps(p)


def test_the_default_is_not_written():
    obj = json.loads(json.dumps(BASE))
    obj["network"]["inputs"] = 2
    del obj["input_transform"]
    p = loads(json.dumps(obj))
    assert p.inputs == InputOptions()
    assert "input_transform" not in json.loads(dumps(p))


def test_standardize_alone_keeps_two_inputs():
    obj = json.loads(json.dumps(BASE))
    obj["network"]["inputs"] = 2
    obj["input_transform"] = {"standardize": True}
    assert loads(json.dumps(obj)).inputs == InputOptions((), True)


@pytest.mark.parametrize("changes,field,words", [
    (dict(features=["x1^3"]), "input_transform.features[0]", "expected one of x1^2, x2^2"),
    (dict(features=["x1^2", "x1^2"]), "input_transform.features[1]", "got 'x1^2' twice"),
    (dict(features=["x1^2"]), "input_transform.features", "(3), got 4"),
    (dict(features="x1^2"), "input_transform.features", "expected a list of feature names"),
    (dict(standardize="yes"), "input_transform.standardize", "expected true or false"),
    (dict(scale=2), "input_transform.scale", "unknown key"),
])
def test_a_wrong_value_is_named(changes, field, words):
    with pytest.raises(FileFormatError) as info:
        loads(text(**changes), "net.nnsim")
    message = str(info.value)
    assert field in message and words in message, message
    assert "\n" not in message
