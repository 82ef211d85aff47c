"""Command-line values (issue 15 item 4, issue 16 item 7): values may start
with a minus, and every option is checked against the file's limits before
any work starts, the refusal naming the option."""
import json
import subprocess
import sys

import numpy as np
import pytest

from nnsim.core.limits import MAX_COUNT, MAX_SEED
from nnsim.examples import example_path
from nnsim.io import load_project

from test_cli import MINIMAL, nnsim


@pytest.fixture
def minimal(tmp_path):
    path = tmp_path / "minimal.nnsim"
    path.write_text(json.dumps(MINIMAL))
    return path


def test_trace_takes_negative_inputs_and_targets_as_values(minimal):
    """`--input -0.5,0.3,-1 --target -1` is what a user types; argparse alone
    says "expected one argument". The spaced and the `=` spellings agree."""
    spaced = nnsim("trace", minimal, "--input", "-0.5,0.3,-1", "--target", "-1", "--json")
    glued = nnsim("trace", minimal, "--input=-0.5,0.3,-1", "--target=-1", "--json")
    assert spaced.returncode == 0, spaced.stderr
    assert spaced.stdout == glued.stdout
    layers = json.loads(spaced.stdout)["layers"]
    net = load_project(minimal).network
    out = net.predict(np.array([[-0.5, 0.3, -1.0]]))
    assert layers[-1]["a"] == pytest.approx(out[0].tolist(), rel=1e-12)
    # the loss is the one with target -1 (mse: (a - (-1))^2)
    assert json.loads(spaced.stdout)["loss"] == pytest.approx((out[0][0] + 1) ** 2, rel=1e-12)


def test_explain_takes_negative_values_too(minimal):
    run = nnsim("explain", minimal, "--input", "-1,-.5,2", "--target", "-0.25")
    assert run.returncode == 0, run.stderr
    assert "-0.25" in run.stdout


@pytest.mark.parametrize("args,words", [
    (["train", "{f}", "--lr", "-0.1"], "argument --lr: expected a learning rate above 0"),
    (["trace", "{f}", "--sample", "-1"], "argument --sample: expected a whole number from 0"),
    (["train", "{f}", "--seed", "-1"], f"argument --seed: expected a whole number from 0 to {MAX_SEED:,}"),
    (["train", "{f}", "--seed", str(MAX_SEED + 1)], "argument --seed"),
    (["train", "{f}", "--epochs", "2000000000"], f"argument --epochs: expected a whole number from 1 to {MAX_COUNT:,}, got 2000000000"),
    (["train", "{f}", "--epochs", "10**20"], "argument --epochs"),
    (["train", "{f}", "--epochs", "1" + "0" * 40], "a number with 41 digits"),
    (["train", "{f}", "--batch-size", "-3"], "argument --batch-size"),
    (["train", "{f}", "--batch-size", str(MAX_COUNT + 1)], "argument --batch-size"),
    (["trace", "{f}", "--input", "-inf,1,2", "--target", "1"], "argument --input: expected a finite number"),
])
def test_options_are_refused_before_any_work_naming_the_option(minimal, tmp_path, args, words):
    out = tmp_path / "out.nnsim"
    run = nnsim(*[a.format(f=minimal) for a in args], "--out" if args[0] == "train" else "--json",
                *([out] if args[0] == "train" else []))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith("nnsim: error: "), run.stderr
    assert words in lines[0]
    assert not out.exists()


def test_a_huge_epoch_count_with_a_stop_loss_is_refused_before_training(tmp_path):
    """It trained (for as long as the stop loss took), then refused to save."""
    out = tmp_path / "long.nnsim"
    project = json.loads(example_path("lecture-xor").read_text())
    project.setdefault("training", {})["stop_loss"] = 0.5
    src = tmp_path / "xor.nnsim"
    src.write_text(json.dumps(project))
    run = nnsim("train", src, "--epochs", "2000000000", "--out", out)
    assert run.returncode == 2 and "argument --epochs" in run.stderr
    assert "epoch " not in run.stderr  # no progress line: nothing was trained
    assert not out.exists()
    # the largest count a file holds is accepted (the stop loss ends the run)
    run = nnsim("train", src, "--epochs", str(MAX_COUNT), "--out", out, "--quiet")
    assert run.returncode == 0, run.stderr
    assert load_project(out).training.epochs == MAX_COUNT


@pytest.mark.parametrize("command", [[], ["train"], ["trace"], ["explain"]])
def test_every_help_shows_an_example_with_a_negative_value_or_the_command(command):
    run = subprocess.run([sys.executable, "-m", "nnsim", *command, "--help"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    examples = run.stdout.split("examples:")[1]
    name = command[0] if command else "trace"
    assert f"nnsim {name} net.nnsim" in examples
    if name in ("trace", "explain"):
        assert "--input -" in examples  # a negative value, spaced as a user types it


@pytest.mark.parametrize("args,words", [
    (["--steps", "-1"], "argument --steps: expected a whole number from 0 to 10,000, got -1"),
    (["--size", "-5x3"], "argument --size"),
    (["--size", "30000x30000"], "from 1 to 8192 pixels"),
    (["--select", "1,-2,1"], "argument --select"),
    (["--select", "9,1,1"], "argument --select: expected K,I,J naming a weight of this network"),
])
def test_the_windows_options_take_and_check_negative_values(tmp_path, args, words):
    out = tmp_path / "shot.png"
    run = nnsim("--screenshot", out, *args)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [run.stderr.strip()]
    assert run.stderr.startswith("nnsim: error: ") and words in run.stderr, run.stderr
    assert not out.exists()


def test_epochs_beyond_what_the_file_can_hold_are_refused_before_training(tmp_path):
    """A file keeps at most MAX_HISTORY_EPOCHS of history: with the epochs it
    already has, the refusal comes before any training, naming --epochs."""
    from nnsim.core.limits import MAX_HISTORY_EPOCHS
    from nnsim.examples import example_path
    first, out = tmp_path / "five.nnsim", tmp_path / "more.nnsim"
    run = subprocess.run([sys.executable, "-m", "nnsim", "train", str(example_path("lecture-xor")),
                          "--epochs", "5", "--quiet", "--out", str(first)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    run = subprocess.run([sys.executable, "-m", "nnsim", "train", str(first), "--epochs",
                          str(MAX_HISTORY_EPOCHS - 4), "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and not out.exists()
    assert run.stderr.count("\n") == 1 and "--epochs" in run.stderr
    assert f"{MAX_HISTORY_EPOCHS - 5:,} more" in run.stderr
