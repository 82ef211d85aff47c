"""The loader's memory is bounded for any content, the size limit is what it
can hold, and nnsim never writes a file it would refuse (issue 16)."""
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

import nnsim.io.load_budget as load_budget
import nnsim.io.project_file as pf
from iohelpers import MINIMAL, small_project
from nnsim.core.project import History
from nnsim.core.training import EpochResult
from nnsim.io import FileFormatError, load_project, save_project
from nnsim.io.jsontext import parse

ROOT = Path(__file__).resolve().parents[2]


def _peak_while(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


# JSON shapes from the harmless to the hostile: the estimate is from above for each
SHAPES = {
    "empty objects": "[" + "{}," * 50_000 + "{}]",
    "empty lists": "[" + "[]," * 50_000 + "[]]",
    "short strings": "[" + '"ab",' * 50_000 + '"ab"]',
    "wide strings": "[" + '"ab\u2192",' * 50_000 + '"\U0001F600"]',
    "floats": "[" + "0.5," * 50_000 + "0.5]",
    "ints": "[" + "1000," * 50_000 + "1000]",
    "big ints": "[" + ("9" * 250 + ",") * 2_000 + "1]",
    "small objects": "[" + '{"a":0.5},' * 50_000 + "{}]",
    "wide object": "{" + ",".join(f'"k{i}": {i}.5' for i in range(50_000)) + "}",
    "rows": "[" + "[0.5,0.5]," * 50_000 + "[0.5,0.5]]",
    "history": "[" + '{"epoch": 12345, "train_loss": 0.1234, "test_loss": 0.1234, '
                     '"train_accuracy": 1.0, "test_accuracy": 0.5},' * 20_000 + "{}]",
    "nested": "[" * 500 + "]" * 500,
}


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_the_estimate_is_an_upper_bound_of_what_parsing_takes(text):
    parsed = []
    taken = _peak_while(lambda: parsed.append(parse(text)))
    assert taken <= load_budget.parse_memory(text)


def test_a_file_of_empty_objects_is_refused_before_parsing_in_one_line(tmp_path, monkeypatch):
    # 7.2 GB and 68 s for 199 MB before; now refused from the counts alone
    path = tmp_path / "objects.nnsim"
    path.write_bytes(b"[" + b"{}," * 1_500_000 + b"{}]")
    monkeypatch.setattr(pf, "parse", lambda text: pytest.fail("parsed anyway"))
    size = path.stat().st_size
    with pytest.raises(FileFormatError) as info:
        load_project(path)
    message = str(info.value)
    assert message.startswith(f"{path}: expected JSON that nnsim reads in at most 256 MB of "
                              "memory (16 bytes per byte of file), got 1,500,002 lists and "
                              "objects and 1,500,000 commas in 4.5 MB, which would take "
                              "about ")
    assert "\n" not in message
    monkeypatch.undo()
    peak = _peak_while(lambda: pytest.raises(FileFormatError, load_project, path))
    assert peak <= 3 * size  # the bytes and the text, nothing parsed


def test_a_valid_long_history_loads_within_its_budget(tmp_path):
    project = small_project()
    project.history = History([EpochResult(k, 0.5 / k, 0.25 / k, 0.75, 0.5)
                               for k in range(1, 30_001)])
    path = tmp_path / "history.nnsim"
    save_project(project, path)
    size = path.stat().st_size
    loaded = []
    peak = _peak_while(lambda: loaded.append(load_project(path)))
    assert len(loaded[0].history.epochs) == 30_000
    assert peak <= (load_budget.MEMORY_PER_BYTE + 2) * size


def test_the_size_limit_fits_the_memory_budget():
    # the text, its bytes while decoding, and the parsed values at the allowed rate
    assert (load_budget.MAX_FILE_BYTES * (load_budget.MEMORY_PER_BYTE + 2)
            <= load_budget.LOAD_MEMORY_BUDGET)
    assert pf.MAX_FILE_BYTES == load_budget.MAX_FILE_BYTES  # one limit, not two


def test_the_writer_refuses_before_writing_what_the_reader_would_refuse(tmp_path, monkeypatch):
    path = tmp_path / "net.nnsim"
    save_project(small_project(title="old"), path)
    old = path.read_bytes()
    big = small_project(title="big")
    import numpy as np  # random losses: a packed history cannot squeeze them (format 2)
    values = np.random.default_rng(0).random((20_000, 4))
    big.history = History([EpochResult(k, *map(float, row)) for k, row in enumerate(values, 1)])
    monkeypatch.setattr(load_budget, "MAX_FILE_BYTES", 100_000)
    with pytest.raises(FileFormatError, match=r"net\.nnsim: expected a file of at most 0\.1 MB "
                                              r"\(what nnsim reads in 3 GB of memory\), got"):
        save_project(big, path)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["net.nnsim"]
    # and what it does write, it reads back
    save_project(small_project(title="small"), path)
    assert load_project(path).title == "small"


def test_the_writer_refuses_a_shape_the_reader_would_refuse(tmp_path, monkeypatch):
    monkeypatch.setattr(load_budget, "SMALL_FILE_MEMORY", 0)
    monkeypatch.setattr(load_budget, "MEMORY_PER_BYTE", 1)  # nothing passes at 1 byte per byte
    path = tmp_path / "net.nnsim"
    with pytest.raises(FileFormatError, match="expected JSON that nnsim reads in at most"):
        save_project(small_project(), path)
    assert not path.exists()


def test_the_reader_reads_no_more_than_the_file_holds(tmp_path):
    path = tmp_path / "small.nnsim"
    path.write_text(MINIMAL)
    # read(limit) would allocate the whole 160 MB limit for a 400-byte file
    assert _peak_while(lambda: load_project(path)) < 10_000_000


def _run_limited(script: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="Linux address space")
def test_nnsim_train_out_of_address_space_says_so_in_one_line(tmp_path):
    # the issue: under a 2 GB address-space limit, a 32-line MemoryError traceback.
    # Here the limit is 12 MB above what the interpreter already maps, and the
    # file needs more than that to load.
    import numpy as np
    project = small_project()
    # random losses: packed (format 2) they still take 8 bytes a number to load
    values = np.random.default_rng(0).random((400_000, 4))
    project.history = History([EpochResult(k, *map(float, row)) for k, row in
                               enumerate(values, 1)])
    path = tmp_path / "long.nnsim"
    save_project(project, path)
    out = _run_limited("""
        import resource, sys
        import nnsim.cli
        with open("/proc/self/status") as f:
            mapped = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:"))
        limit = mapped + 12 * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        sys.exit(nnsim.cli.main(sys.argv[1:]))
    """, "train", str(path), "--epochs", "1", "--quiet", "--out", str(tmp_path / "o.nnsim"))
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("nnsim: error: ") and "memory" in out.stderr
    assert not (tmp_path / "o.nnsim").exists()


def test_a_memory_error_anywhere_in_the_cli_is_one_line(tmp_path, monkeypatch, capsys):
    import nnsim.cli as cli
    src = tmp_path / "net.nnsim"
    save_project(small_project(), src)

    def no_memory(*args, **kwargs):
        raise MemoryError
    for where in ("load_project", "save_project"):
        with monkeypatch.context() as m:
            m.setattr(cli, where, no_memory)
            assert cli.main(["train", str(src), "--epochs", "1", "--quiet"]) == 2
        err = capsys.readouterr().err
        assert err == ("nnsim: error: not enough memory to train and save this network "
                       "(a smaller file, network or data set needs less)\n")


def _history_project(n):
    project = small_project()
    project.history = History([EpochResult(k, 0.5 / k, 0.25 / k, 0.75, 0.5)
                               for k in range(1, n + 1)])
    return project


def _points_project(n):
    import numpy as np
    from nnsim.io import project_from_dict, project_to_dict
    obj = project_to_dict(small_project())
    rng = np.random.default_rng(0)
    n_in, n_out = obj["network"]["inputs"], obj["network"]["layers"][-1]["units"]
    obj["data"] = {"points": {"inputs": rng.random((n, n_in)).tolist(),
                              "targets": rng.random((n, n_out)).tolist()},
                   "kind": "regression"}
    return project_from_dict(obj)


@pytest.mark.parametrize("make", [_history_project, _points_project],
                         ids=["long history", "points table"])
def test_what_nnsim_writes_passes_at_the_rate_not_only_under_the_floor(make):
    # the SMALL_FILE_MEMORY floor lets small files through whatever their shape;
    # big histories and point tables must pass on the per-byte rate itself
    from nnsim.io import dumps
    text = dumps(make(5_000))
    assert load_budget.parse_memory(text) <= load_budget.MEMORY_PER_BYTE * len(text)


def test_the_shipped_examples_pass_at_the_rate():
    from nnsim.examples import example_path, list_examples
    for name in list_examples():
        text = example_path(name).read_text(encoding="utf-8")
        assert load_budget.parse_memory(text) <= (load_budget.MEMORY_PER_BYTE
                                                  * len(text.encode("utf-8"))), name


def test_dumps_refuses_text_load_would_refuse(monkeypatch):
    # the recovery copy is written from dumps(): it must reopen as well
    from nnsim.io import dumps
    monkeypatch.setattr(load_budget, "MAX_FILE_BYTES", 1_000)
    with pytest.raises(FileFormatError, match=r"<memory>: expected a file of at most 0\.001 MB"):
        dumps(_history_project(100))


def test_nnsim_train_refuses_to_write_a_file_it_could_not_reopen(tmp_path, monkeypatch, capsys):
    # the issue: `--epochs 2000000 --out long.nnsim` wrote 288 MB that trace then refused
    from nnsim.cli import main
    src = tmp_path / "net.nnsim"
    save_project(small_project(), src)
    limit = src.stat().st_size + 2_000  # room for a few epochs of history, not 500
    monkeypatch.setattr(load_budget, "MAX_FILE_BYTES", limit)
    out = tmp_path / "long.nnsim"
    assert main(["train", str(src), "--epochs", "500", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"nnsim: error: {out}: expected a file of at most "
                          f"{limit / 1e6:g} MB (what nnsim reads in 3 GB of memory), got ")
    assert err.count("\n") == 1 and not out.exists()
    assert main(["train", str(src), "--epochs", "2", "--quiet", "--out", str(out)]) == 0
    assert main(["trace", str(out), "--sample", "0"]) == 0  # what it writes, it reopens
