"""network.layers[k].train_bias: false freezes a layer's biases; the file
says so only when it is false, and a wrong value is named clearly."""
import copy
import json

import pytest

from iohelpers import MINIMAL, small_project
from nnsim.io import FileFormatError, dumps, loads

BASE = json.loads(MINIMAL)


def with_layer0(**keys) -> str:
    obj = copy.deepcopy(BASE)
    obj["network"]["layers"][0].update(keys)
    return json.dumps(obj)


def test_false_is_written_and_read_back_true_is_left_out():
    p = small_project()
    p.network.layers[1].train_bias = False
    text = dumps(p)
    layers = json.loads(text)["network"]["layers"]
    assert "train_bias" not in layers[0]  # the default is not written
    assert layers[1]["train_bias"] is False
    assert text.count('"train_bias"') == 1
    q = loads(text)
    assert [l.train_bias for l in q.network.layers] == [True, False]
    assert dumps(q) == text


def test_a_file_without_the_key_trains_every_bias():
    assert [l.train_bias for l in loads(MINIMAL).network.layers] == [True, True]
    assert "train_bias" not in dumps(loads(MINIMAL))


def test_true_written_by_hand_is_accepted():
    assert loads(with_layer0(train_bias=True)).network.layers[0].train_bias is True


@pytest.mark.parametrize("value,got", [
    ("false", "got the text 'false' (write true or false without quotes)"),
    (0, "got 0"),
    (None, "got null"),
    ([False], "got a list of 1 item"),
])
def test_a_value_that_is_not_true_or_false_is_named(value, got):
    with pytest.raises(FileFormatError) as info:
        loads(with_layer0(train_bias=value), "net.nnsim")
    e = info.value
    assert e.field == "network.layers[0].train_bias"
    assert str(e) == ("net.nnsim: network.layers[0].train_bias: expected true or false "
                      "(false keeps this layer's biases fixed during training), " + got)
