"""User files are data only: loading cannot run code, saving writes nowhere
but the chosen path."""
import ast
import json
from pathlib import Path

import pytest

import nnsim
from nnsim.io import FileFormatError, load_project, save_project

PACKAGE = Path(nnsim.__file__).parent
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "joblib"}


def test_the_package_never_evaluates_or_unpickles():
    for source in PACKAGE.rglob("*.py"):
        tree = ast.parse(source.read_text("utf-8"), str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in FORBIDDEN_CALLS, f"{source}:{node.lineno}"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not FORBIDDEN_MODULES & {n.split(".")[0] for n in names}, \
                    f"{source}:{node.lineno}"
            if isinstance(node, ast.keyword) and node.arg == "allow_pickle":
                assert isinstance(node.value, ast.Constant) and node.value.value is False


def test_code_in_a_file_stays_text(tmp_path):
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}')"
    doc = {"format": "nnsim", "version": 1, "title": payload, "description": payload,
           "network": {"inputs": 2, "layers": [{"units": 1, "activation": "sigmoid"}]}}
    path = tmp_path / "evil.nnsim"
    path.write_text(json.dumps(doc))
    project = load_project(path)
    assert project.title == payload and not marker.exists()
    doc["network"]["layers"][0]["activation"] = payload
    path.write_text(json.dumps(doc))
    with pytest.raises(FileFormatError, match="activation"):
        load_project(path)
    assert not marker.exists()


def test_saving_writes_only_the_chosen_file(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (tmp_path / "neighbour.txt").write_text("keep")
    project = load_project(Path(nnsim.__file__).parents[1] / "resources/examples/lecture-xor.nnsim")
    project.title = "../../escape"  # names inside a file never become paths
    save_project(project, folder / "net.nnsim")
    assert sorted(p.name for p in folder.iterdir()) == ["net.nnsim"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neighbour.txt", "out"]
