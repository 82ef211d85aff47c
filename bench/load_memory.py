"""Peak memory of loading a .nnsim file, per kind of content (issue 16).

    python -m bench.load_memory [MB [KIND-WORD]]

Writes one file of about MB megabytes (default 20) per kind into a temp
folder, loads each in a fresh interpreter and prints the peak resident memory
above the interpreter's baseline (VmHWM after importing nnsim; ru_maxrss
would carry the parent's peak over the fork), as a multiple of the file's
size. Linux only. The figures are in docs/reliability.md.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

_CHILD = r"""
import sys, time
import nnsim.io as nio

def high_water():  # VmHWM: this process's peak resident memory, in kB
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

base = high_water()
t0 = time.perf_counter()
try:
    nio.load_project(sys.argv[1])
    outcome = "loaded"
except nio.FileFormatError as e:
    outcome = "refused: " + str(e)[:150]
peak = high_water()
print((peak - base) * 1024, time.perf_counter() - t0, outcome, sep="\t")
"""


def _empty_objects(n_bytes: int) -> bytes:
    return b"[" + b"{}," * (n_bytes // 3) + b"{}]"


def _deep_nesting(n_bytes: int) -> bytes:
    depth = n_bytes // 2
    return b"[" * depth + b"]" * depth


def _short_strings(n_bytes: int) -> bytes:
    return b'{"format": "nnsim", "x": [' + b'"ab",' * (n_bytes // 5) + b'"ab"]}'


def _valid_base() -> dict:
    from nnsim.examples import example_path
    with open(example_path("lecture-xor"), "rb") as f:
        return json.loads(f.read())


def _history(n_bytes: int) -> bytes:
    """A valid file with a long training history, as `nnsim train` writes it
    (format version 1: one object per epoch, about 140 bytes each)."""
    import numpy as np
    obj = _valid_base()
    n = n_bytes // 140
    loss = np.random.default_rng(0).random((n, 2)).tolist()
    obj["history"] = {"epochs": [
        {"epoch": k + 1, "train_loss": a, "test_loss": b, "train_accuracy": 1.0,
         "test_accuracy": 0.75} for k, (a, b) in enumerate(loss)]}
    return _dump(obj)


def _points(n_bytes: int) -> bytes:
    """A valid file with a big table of points (as a CSV import saves it:
    full-precision floats, about 21 bytes per value)."""
    import numpy as np
    obj = _valid_base()
    n = n_bytes // (4 * 21)
    rng = np.random.default_rng(0)
    obj["data"] = {"points": {"inputs": rng.random((n, 2)).tolist(),
                              "targets": rng.random((n, 2)).tolist()},
                   "kind": "regression"}
    return _dump(obj)


def _dump(obj) -> bytes:
    from nnsim.io.jsontext import dump
    return dump(obj).encode("utf-8")


def _floats(n_bytes: int) -> bytes:
    """The densest list of floats: accepted by the estimate (10 per byte)."""
    return b'{"format": "nnsim", "x": [' + b"0.5," * (n_bytes // 4) + b"0.5]}"


def _number_lists(n_bytes: int) -> bytes:
    """A history kept as columns: five long lists of full-precision floats."""
    import numpy as np
    obj = _valid_base()
    n = n_bytes // (5 * 20)
    columns = np.random.default_rng(0).random((5, n)).tolist()
    obj["x_history_columns"] = dict(zip(("a", "b", "c", "d", "e"), columns))
    return _dump(obj)


def _wide_object(n_bytes: int) -> bytes:
    """One object with a distinct key per member (hostile: keys cannot be shared)."""
    n = n_bytes // 16
    return ("{" + ",".join(f'"k{i:07d}":{i % 10}.5' for i in range(n)) + "}").encode()


KINDS = {"[{},{},...]": _empty_objects, "deep nesting [[[...]]]": _deep_nesting,
         '["ab","ab",...]': _short_strings, "[0.5,0.5,...]": _floats,
         '{"k0000001":1.5,...}': _wide_object,
         "history (v1, 1 object/epoch)": _history,
         "number lists (5 columns)": _number_lists, "points table": _points}


def measure(path: str) -> tuple[int, float, str]:
    out = subprocess.run([sys.executable, "-c", _CHILD, path], capture_output=True,
                         text=True, check=True).stdout
    peak, seconds, outcome = out.rstrip("\n").split("\t", 2)
    return int(peak), float(seconds), outcome


def main() -> None:
    mb = float(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'content':32} {'MB':>7} {'peak MB':>8} {'x size':>7} {'s':>6}  outcome")
        for name, make in KINDS.items():
            if len(sys.argv) > 2 and sys.argv[2] not in name:
                continue
            path = os.path.join(folder, "f.nnsim")
            data = make(int(mb * 1e6))
            with open(path, "wb") as f:
                f.write(data)
            del data
            size = os.path.getsize(path)
            peak, seconds, outcome = measure(path)
            print(f"{name:32} {size / 1e6:7.1f} {peak / 1e6:8.0f} {peak / size:7.1f} "
                  f"{seconds:6.2f}  {outcome}")


if __name__ == "__main__":
    main()
