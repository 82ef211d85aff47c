"""Every kind of broken file gives one FileFormatError naming the file and field."""
import copy
import json
import os

import numpy as np
import pytest

import nnsim.io.load_budget as load_budget
import nnsim.io.project_reader as reader
from iohelpers import MINIMAL, small_project
from nnsim.core.network import Network
from nnsim.io import FileFormatError, load_project, loads, project_from_dict

BASE = json.loads(MINIMAL)


def expect_error(text_or_bytes, field, *phrases, source="net.nnsim"):
    with pytest.raises(FileFormatError) as info:
        loads(text_or_bytes, source)
    e = info.value
    msg = str(e)
    assert "\n" not in msg, msg
    assert e.source == source and e.field == field, msg
    assert msg.startswith(f"{source}: {field}: " if field else f"{source}: "), msg
    for phrase in phrases:
        assert phrase in msg, msg
    return msg


def edited(change) -> str:
    obj = copy.deepcopy(BASE)
    change(obj)
    return json.dumps(obj)


def layer(i):
    return lambda o: o["network"]["layers"][i]


def test_any_loss_loads_with_any_output_activation():
    """Not an error: the app warns about odd pairs, the file keeps what it says."""
    project = loads(edited(lambda o: o["network"].update(loss="cross_entropy")), "net.nnsim")
    assert project.network.loss == "cross_entropy"
    assert project.network.layers[-1].activation == "sigmoid"


# (test id, change to the minimal file, field, phrases the message must contain)
DICT_CASES = [
    ("not-an-nnsim-file", lambda o: o.update(format="keras"), "format", '"nnsim"', "'keras'"),
    ("format-missing", lambda o: o.pop("format"), "format", "missing"),
    ("version-missing", lambda o: o.pop("version"), "version", "missing"),
    ("version-bool", lambda o: o.update(version=True), "version", "got true"),
    ("version-text", lambda o: o.update(version="1"), "version", "'1'"),
    ("version-float", lambda o: o.update(version=1.0), "version", "got 1.0"),
    ("version-zero", lambda o: o.update(version=0), "version", "from 1 to 2", "got 0"),
    ("version-newer", lambda o: o.update(version=3), "version",
     "was written by a newer nnsim (file version 3, this app reads up to 2)"),
    ("unknown-top-key", lambda o: o.update(netwrok={}), "netwrok", "unknown key",
     "did you mean 'network'"),
    ("network-missing", lambda o: o.pop("network"), "network", "missing"),
    ("network-list", lambda o: o.update(network=[]), "network", "expected an object"),
    ("title-number", lambda o: o.update(title=5), "title", "expected text", "got 5"),
    ("inputs-bool", lambda o: o["network"].update(inputs=True), "network.inputs", "got true"),
    ("inputs-float", lambda o: o["network"].update(inputs=3.0), "network.inputs",
     "got 3.0", "without a decimal point"),
    ("inputs-zero", lambda o: o["network"].update(inputs=0), "network.inputs", "got 0"),
    ("inputs-missing", lambda o: o["network"].pop("inputs"), "network.inputs", "missing"),
    ("layers-empty", lambda o: o["network"].update(layers=[]), "network.layers",
     "from 1 to 1,000 layers", "got 0"),
    ("layers-object", lambda o: o["network"].update(layers={}), "network.layers",
     "a list of layers"),
    ("units-negative", lambda o: layer(1)(o).update(units=-1), "network.layers[1].units", "got -1"),
    ("units-text", lambda o: layer(1)(o).update(units="1"), "network.layers[1].units", "'1'"),
    ("units-huge", lambda o: layer(1)(o).update(units=10**6), "network.layers[1].units",
     "100,000", "got 1000000"),
    ("activation-unknown", lambda o: layer(0)(o).update(activation="tahn"),
     "network.layers[0].activation", "sigmoid, tanh, relu", "did you mean 'tanh'"),
    ("activation-missing", lambda o: layer(0)(o).pop("activation"),
     "network.layers[0].activation", "missing"),
    ("softmax-hidden", lambda o: layer(0)(o).update(activation="softmax"),
     "network.layers[0].activation", "only allowed on the output layer"),
    ("loss-unknown", lambda o: o["network"].update(loss="mae"), "network.loss",
     "mse, bce, cross_entropy"),
    ("weights-transposed", lambda o: layer(0)(o).update(weights=[[0.1, 0.3, -0.5], [-0.2, 0.4, 0.6]]),
     "network.layers[0].weights", "expected 3x2", "got 2x3"),
    ("weights-ragged", lambda o: layer(0)(o).update(weights=[[0.1, 0.3], [0.2], [0.5, 0.6]]),
     "network.layers[0].weights[1]", "row of 2 numbers", "got 1"),
    ("weights-flat", lambda o: layer(0)(o).update(weights=[0.1, 0.3, 0.2]),
     "network.layers[0].weights", "flat list"),
    ("weights-null", lambda o: layer(0)(o).update(weights=None),
     "network.layers[0].weights", "got null"),
    ("weight-bool", lambda o: layer(0)(o)["weights"][2].__setitem__(1, True),
     "network.layers[0].weights[2][1]", "finite number", "got true"),
    ("weight-text", lambda o: layer(0)(o)["weights"][0].__setitem__(0, "0.1"),
     "network.layers[0].weights[0][0]", "without quotes"),
    ("weight-huge-int", lambda o: layer(0)(o)["weights"][0].__setitem__(0, 10**400),
     "network.layers[0].weights[0][0]", "401 digits"),
    ("bias-length", lambda o: layer(0)(o).update(bias=[0.0]), "network.layers[0].bias",
     "2 numbers", "got 1 item"),
    ("bias-element", lambda o: layer(0)(o).update(bias=[0.0, None]), "network.layers[0].bias[1]",
     "got null"),
    ("mask-shape", lambda o: layer(0)(o).update(mask=[[True, False]]), "network.layers[0].mask",
     "expected 3x2", "got 1x2"),
    ("mask-not-bool", lambda o: layer(0)(o).update(mask=[[1, 0], [1, 1], [1, 1]]),
     "network.layers[0].mask[0][0]", "true or false", "got 1"),
    ("layer-unknown-key", lambda o: layer(0)(o).update(biases=[0, 0]), "network.layers[0].biases",
     "did you mean 'bias'"),
    ("lr-negative", lambda o: o["training"].update(learning_rate=-0.1),
     "training.learning_rate", "above 0", "got -0.1"),
    ("lr-absurd", lambda o: o["training"].update(learning_rate=1e300),
     "training.learning_rate", "at most 1,000,000,000"),
    ("lr-bool", lambda o: o["training"].update(learning_rate=True), "training.learning_rate",
     "got true"),
    ("batch-float", lambda o: o["training"].update(batch_size=2.5), "training.batch_size", "2.5"),
    ("epochs-negative", lambda o: o["training"].update(epochs=-1), "training.epochs", "got -1"),
    ("seed-negative", lambda o: o["training"].update(seed=-7), "training.seed", "got -7"),
    ("seed-too-big", lambda o: o["training"].update(seed=2**64), "training.seed", "2,147,483,647"),
    ("shuffle-text", lambda o: o["training"].update(shuffle="yes"), "training.shuffle",
     "true or false", "'yes'"),
    ("optimizer-unknown", lambda o: o["training"].update(optimizer="rmsprop"),
     "training.optimizer", "sgd, momentum, adam"),
    ("initializer-unknown", lambda o: o["training"].update(initializer="glorot"),
     "training.initializer", "xavier, he, uniform"),
    ("optimizer-param-for-sgd", lambda o: o["training"].update(optimizer_params={"momentum": 0.9}),
     "training.optimizer_params.momentum", "no parameters for the sgd optimizer"),
    ("optimizer-param-unknown", lambda o: o["training"].update(
        optimizer="adam", optimizer_params={"beta": 0.9}),
     "training.optimizer_params.beta", "beta1, beta2, epsilon"),
    ("optimizer-param-range", lambda o: o["training"].update(
        optimizer="momentum", optimizer_params={"momentum": 1.5}),
     "training.optimizer_params.momentum", "up to (not including) 1", "got 1.5"),
    ("stop-loss-negative", lambda o: o["training"].update(stop_loss=-1), "training.stop_loss",
     "at least 0"),
    ("training-null", lambda o: o.update(training=None), "training", "got null"),
    ("data-neither", lambda o: o.update(data={}), "data", "got neither"),
    ("data-both", lambda o: o.update(data={"builtin": "xor", "points": {}}), "data", "got both"),
    ("data-unknown-builtin", lambda o: o.update(data={"builtin": "spirals"}), "data.builtin",
     "xor_table, xor, circle", "did you mean 'spiral'"),
    ("data-builtin-width", lambda o: o.update(data={"builtin": "circle"}), "data.builtin",
     "3 inputs and 1 output", "'circle' with 2 inputs and 1 output"),
    ("data-n-small", lambda o: (o["network"].update(inputs=2), layer(0)(o).pop("weights"),
                                o.update(data={"builtin": "circle", "n": 2})),
     "data.n", "from 4 to 1,000,000"),
    ("data-noise-negative", lambda o: (o["network"].update(inputs=2), layer(0)(o).pop("weights"),
                                       o.update(data={"builtin": "xor", "noise": -1})),
     "data.noise", "at least 0"),
    ("data-test-fraction", lambda o: (o["network"].update(inputs=2), layer(0)(o).pop("weights"),
                                      o.update(data={"builtin": "xor", "test_fraction": 1})),
     "data.test_fraction", "not including"),
    ("points-width", lambda o: o.update(data={"points": {"inputs": [[1, 2]], "targets": [[1]]}}),
     "data.points.inputs", "rows of 3 numbers (network.inputs is 3)", "got rows of 2"),
    ("points-target-width", lambda o: o.update(data={"points": {"inputs": [[1, 2, 3]],
                                                                "targets": [[1, 0]]}}),
     "data.points.targets", "rows of 1 number (the output layer has 1 neuron)", "rows of 2"),
    ("points-row-count", lambda o: o.update(data={"points": {"inputs": [[1, 2, 3], [4, 5, 6]],
                                                             "targets": [[1]]}}),
     "data.points.targets", "2 rows", "got 1"),
    ("points-kind", lambda o: o.update(data={"points": {"inputs": [[1, 2, 3]], "targets": [[0.5]]},
                                             "kind": "binary"}),
     "data.kind", "binary needs one column of only 0 and 1"),
    ("points-kind-unknown", lambda o: o.update(data={"points": {"inputs": [[1, 2, 3]],
                                                                "targets": [[0.5]]},
                                                     "kind": "classification"}),
     "data.kind", "binary, multiclass, regression"),
    ("points-names", lambda o: o.update(data={"points": {"inputs": [[1, 2, 3]], "targets": [[1]]},
                                              "input_names": ["a"]}),
     "data.input_names", "3 names", "got 1 item"),
    ("layout-length", lambda o: o.update(layout=[[[0, 0]]]), "layout", "3 layers", "got 1 item"),
    ("layout-layer", lambda o: o.update(layout=[[[0, 0]] * 3, [[0, 0]] * 3, [[0, 0]]]),
     "layout[1]", "2 positions", "got 3"),
    ("layout-point", lambda o: o.update(layout=[[[0, 0]] * 3, [[0, 0], [1]], [[0, 0]]]),
     "layout[1][1]", "[x, y], or null"),
    ("layout-absurd", lambda o: o.update(layout=[[[0, 0]] * 3, [[0, 0], [1e300, 0]], [[0, 0]]]),
     "layout[1][1][0]", "-15,000 to 15,000"),
    ("layout-far", lambda o: o.update(layout=[[[0, 0]] * 3, [[0, 0], [0, -2e4]], [[0, 0]]]),
     "layout[1][1][1]", "-15,000 to 15,000"),
    ("history-numbering", lambda o: o.update(history={"epochs": [
        {"epoch": 1, "train_loss": 0.5}, {"epoch": 3, "train_loss": 0.4}]}),
     "history.epochs[1].epoch", "expected 2", "got 3"),
    ("history-loss-missing", lambda o: o.update(history={"epochs": [{"epoch": 1}]}),
     "history.epochs[0].train_loss", "missing"),
    ("history-accuracy", lambda o: o.update(history={"epochs": [
        {"epoch": 1, "train_loss": 0.5, "train_accuracy": 2}]}),
     "history.epochs[0].train_accuracy", "from 0 to 1", "got 2"),
    ("state-t", lambda o: o.update(optimizer_state={"t": -1, "slots": []}),
     "optimizer_state.t", "got -1"),
    ("state-slots-for-sgd", lambda o: o.update(optimizer_state={"t": 1, "slots": [[]]}),
     "optimizer_state.slots", "no saved arrays", "sgd"),
    ("state-slot-count", lambda o: (o["training"].update(optimizer="momentum"),
                                    o.update(optimizer_state={"t": 1, "slots": [[], []]})),
     "optimizer_state.slots", "1 (its velocities) or none", "got 2 lists"),
    ("state-arrays", lambda o: (o["training"].update(optimizer="momentum"),
                                o.update(optimizer_state={"t": 1, "slots": [[[[0, 0]] * 3]]})),
     "optimizer_state.slots[0]", "4 arrays", "W1, b1, W2, b2"),
    ("state-shape", lambda o: (o["training"].update(optimizer="momentum"),
                               o.update(optimizer_state={"t": 1, "slots": [[
                                   [[0, 0]] * 3, [0, 0], [[0, 0]] * 2, [0]]]})),
     "optimizer_state.slots[0][2]", "expected 2x1 like the weights of layer 2", "got 2x2"),
    ("state-adam-negative", lambda o: (o["training"].update(optimizer="adam"),
                                       o.update(optimizer_state={"t": 1, "slots": [
                                           [[[0, 0]] * 3, [0, 0], [[0]] * 2, [0]],
                                           [[[0, 0]] * 3, [0, -1], [[0]] * 2, [0]]]})),
     "optimizer_state.slots[1][1][1]", "at least 0", "got -1.0"),
]


@pytest.mark.parametrize("change, field, phrases",
                         [pytest.param(c, f, p, id=i) for i, c, f, *p in DICT_CASES])
def test_broken_values(change, field, phrases):
    expect_error(edited(change), field, *phrases)


TEXT_CASES = [
    ("empty", "", "", "got an empty file"),
    ("blank", " \n\t ", "", "got only blank space"),
    ("not-an-object", "[1, 2, 3]", "", "JSON object", "got a list of 3 items"),
    ("string", '"nnsim"', "", "got the text 'nnsim'"),
    ("syntax", '{"format": "nnsim",\n "version" 1}', "line 2, column 12", "colon"),
    ("trailing-comma", '{"format": "nnsim", "version": 1,}', "line 1, column 34",
     "no comma after the last item"),
    ("extra-data", MINIMAL + "{}", "line 6, column 1", "more text"),
    ("nan-token", MINIMAL.replace("0.3, 0.4", "NaN, 0.4"), "network.layers[0].weights[1][0]",
     "finite number", "got NaN"),
    ("infinity-token", MINIMAL.replace("0.1]}", "-Infinity]}"), "network.layers[0].bias[1]",
     "got -Infinity"),
    ("overflow-float", MINIMAL.replace('"learning_rate": 0.1', '"learning_rate": 1e999'),
     "training.learning_rate", "got 1e999"),
    ("huge-int", MINIMAL.replace('"seed": 7', '"seed": ' + "9" * 5000), "training.seed",
     "5000 digits"),
    ("duplicate-key", MINIMAL.replace('"units": 2,', '"units": 2, "units": 3,'),
     "network.layers[0].units", "twice"),
    ("deep-nesting", "[" * 100_000 + "]" * 100_000, "", "nest"),
    ("deep-nesting-in-a-field", MINIMAL.replace('"seed": 7', '"seed": ' + "[" * 50 + "]" * 50),
     "training.seed", "got a list of 1 item"),
    ("control-character", MINIMAL.replace('"tanh"', '"ta\nnh"'), "line 3, column 45",
     "control character"),
]


@pytest.mark.parametrize("text, field, phrases",
                         [pytest.param(t, f, p, id=i) for i, t, f, *p in TEXT_CASES])
def test_broken_text(text, field, phrases):
    expect_error(text, field, *phrases)


@pytest.mark.parametrize("cut", [1, 10, 50, 100, 200, len(MINIMAL) - 3])
def test_truncated_file(cut):
    with pytest.raises(FileFormatError) as info:
        loads(MINIMAL[:cut], "net.nnsim")
    assert info.value.field.startswith("line ") and "cut off" in str(info.value)


def test_truncated_field_is_a_line_and_column():
    with pytest.raises(FileFormatError, match=r"^f: line 3, column 28: .*cut off"):
        loads(MINIMAL[:MINIMAL.index("[{") + 25], "f")


def test_surrogate_escape_in_text():
    text = edited(lambda o: o.update(title="\ud800"))
    assert '"title": "\\ud800"' in text  # an escape in the JSON text
    expect_error(text, "title", "unpaired surrogate")


def test_bytes_not_utf8():
    data = MINIMAL.encode().replace(b"tanh", b"t\xe4nh")
    expect_error(data, "line 3, column 44", "UTF-8", "0xe4")


def test_bytes_utf16():
    expect_error(MINIMAL.encode("utf-16"), "", "UTF-16")


def test_utf8_byte_order_mark_is_accepted():
    assert loads(b"\xef\xbb\xbf" + MINIMAL.encode()).network.n_inputs == 3


def test_total_parameters_refused_before_allocating(monkeypatch):
    def no_allocation(*args):
        raise AssertionError("allocated before checking the limit")
    monkeypatch.setattr(reader, "init_weights", no_allocation)
    obj = copy.deepcopy(BASE)
    obj["network"]["inputs"] = 100_000
    obj["network"]["layers"] = [{"units": 1000, "activation": "relu"},
                                {"units": 1, "activation": "sigmoid"}]
    expect_error(json.dumps(obj), "network.layers[0].units", "at most 50,000,000 weights",
                 "100,001,000")


def test_too_many_layers():
    obj = copy.deepcopy(BASE)
    obj["network"]["layers"] = [{"units": 1, "activation": "relu"}] * 1001
    expect_error(json.dumps(obj), "network.layers", "1,000 layers", "got 1,001")


def test_core_validation_errors_become_file_format_errors(monkeypatch):
    def refuse(self):
        raise ValueError("layer 1 has a problem only the core knows about")
    monkeypatch.setattr(Network, "validate", refuse)
    expect_error(MINIMAL, "network", "layer 1 has a problem only the core knows about")


def test_project_from_dict_names_the_source():
    with pytest.raises(FileFormatError, match=r"^my dict: network: expected an object"):
        project_from_dict({"format": "nnsim", "version": 1}, "my dict")
    with pytest.raises(FileFormatError, match=r"^<memory>: expected a JSON object"):
        project_from_dict(None)


# ------------------------------------------------------------------ paths

def test_missing_file(tmp_path):
    path = tmp_path / "nope.nnsim"
    with pytest.raises(FileFormatError, match=r"no file at this path \(No such file") as info:
        load_project(path)
    assert str(info.value).startswith(str(path) + ": ")


def test_directory(tmp_path):
    with pytest.raises(FileFormatError, match=r": expected a file, got a folder$"):
        load_project(tmp_path)


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="POSIX only")
def test_special_file():
    with pytest.raises(FileFormatError, match="regular file"):
        load_project("/dev/null")


def test_unreadable_file(tmp_path, monkeypatch):
    # Simulated: root (as on CI) may read a chmod 0 file, so a real one cannot fail there.
    path = tmp_path / "secret.nnsim"
    path.write_text(MINIMAL)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(FileFormatError) as info:
        load_project(path)
    monkeypatch.undo()
    assert str(info.value) == f"{path}: expected a file nnsim may read, got permission denied"


def test_file_too_big_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.nnsim"
    path.write_text(MINIMAL)
    monkeypatch.setattr(load_budget, "MAX_FILE_BYTES", 100)

    def no_open(*args, **kwargs):
        raise AssertionError("opened before checking the size")
    monkeypatch.setattr(os, "open", no_open)
    with pytest.raises(FileFormatError, match=r"at most 0\.0001 MB .*, got 0\.0 MB"):
        load_project(path)


def test_empty_and_binary_files(tmp_path):
    empty = tmp_path / "empty.nnsim"
    empty.write_bytes(b"")
    with pytest.raises(FileFormatError, match="empty file"):
        load_project(empty)
    binary = tmp_path / "image.nnsim"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(FileFormatError, match=r"line 1, column 1: expected UTF-8 text, got the byte 0x89"):
        load_project(binary)


def test_errors_survive_pickling():
    import pickle
    e = FileFormatError("a.nnsim", "network.inputs", "expected x, got y")
    f = pickle.loads(pickle.dumps(e))
    assert (str(f), f.field) == (str(e), "network.inputs")
    assert isinstance(f, ValueError)


# ------------------------------------------------------------ refused at save

def test_nan_weight_refused_at_save():
    p = small_project()
    p.network.layers[1].W[1, 0] = np.nan
    with pytest.raises(FileFormatError) as info:
        from nnsim.io import dumps
        dumps(p)
    assert str(info.value) == ("<memory>: network.layers[1].weights[1][0]: layer 2 has a weight "
                               "that is not a finite number (NaN); step back or re-initialise "
                               "before saving")


def test_infinite_bias_and_state_refused_at_save():
    from nnsim.core.training import TrainingConfig
    from nnsim.io import project_to_dict
    p = small_project()
    p.network.layers[0].b[1] = -np.inf
    with pytest.raises(FileFormatError, match=r"layers\[0\]\.bias\[1\]: layer 1 has a bias .*\(-inf\)"):
        project_to_dict(p)
    p = small_project(training=TrainingConfig(optimizer="momentum"))
    p.optimizer_state = {"t": 3, "slots": [[np.zeros((2, 2)), np.zeros(2),
                                            np.array([[0.0], [np.nan]]), np.zeros(1)]]}
    with pytest.raises(FileFormatError, match=r"optimizer_state\.slots\[0\]\[2\]\[1\]\[0\]: "
                                              r"the optimizer's velocities for the weights of "
                                              r"layer 2 have a value that is not a finite"):
        project_to_dict(p)


def test_project_load_would_refuse_is_refused_at_save():
    from nnsim.core.datasets import DataSpec
    from nnsim.io import dumps
    p = small_project(data=DataSpec("three_class"))  # 3 outputs, the network has 1
    with pytest.raises(FileFormatError, match=r"^<memory>: data\.builtin: expected a data set "
                                              r"with 2 inputs and 1 output"):
        dumps(p)
    p = small_project(title=None)
    with pytest.raises(FileFormatError, match="title: expected text in double quotes, got null"):
        dumps(p)
