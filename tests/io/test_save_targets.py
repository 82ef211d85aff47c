"""Save refuses what it must not replace, keeps owner and mode, handles long
names and cleans up after killed saves; reading never opens a FIFO (issue 16)."""
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import nnsim.io.atomic as atomic
from iohelpers import small_project
from nnsim.io import FileFormatError, load_project, save_project
from nnsim.io.csv_import import CsvError, CsvFormat, preview_lines, read_csv, sniff

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX special files and owners")


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.nnsim"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path):
    path = tmp_path / "sock.nnsim"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    yield path
    s.close()


def _folder_listing(path):
    return sorted(os.listdir(path.parent))


@posix_only
@pytest.mark.parametrize("special, kind", [("fifo", "a FIFO (named pipe)"),
                                           ("unix_socket", "a socket")])
def test_saving_onto_a_fifo_or_socket_is_refused_and_leaves_it(special, kind, request):
    path = request.getfixturevalue(special)
    before = _folder_listing(path)
    mode = os.stat(path).st_mode
    with pytest.raises(OSError, match=re.escape(f"{path.name}: could not save the file (it is "
                                                f"{kind}, not a regular file")):
        save_project(small_project(), path)
    assert os.stat(path).st_mode == mode  # still the FIFO/socket, not a regular file
    assert _folder_listing(path) == before  # and no temp file


@posix_only
def test_saving_onto_a_device_is_refused(tmp_path):
    # /dev/full (root once replaced it by a regular file); /dev/null where it is absent
    device = "/dev/full" if os.path.exists("/dev/full") else "/dev/null"
    mode = os.stat(device).st_mode
    with pytest.raises(OSError, match="it is a character device, not a regular file"):
        save_project(small_project(), device)
    assert os.stat(device).st_mode == mode


@posix_only
def test_the_cli_refuses_a_fifo_target_in_one_line(fifo, capsys, tmp_path):
    from nnsim.cli import main
    src = tmp_path / "net.nnsim"
    save_project(small_project(), src)
    assert main(["train", str(src), "--epochs", "1", "--quiet", "--out", str(fifo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a FIFO (named pipe), not a regular file" in err
    assert os.path.exists(fifo) and not os.path.isfile(fifo)


@posix_only
def test_a_read_only_file_is_refused_even_for_root(tmp_path):
    path = tmp_path / "keep.nnsim"
    save_project(small_project(title="old"), path)
    old = path.read_bytes()
    path.chmod(0o444)
    with pytest.raises(PermissionError, match=r"keep\.nnsim: could not save the file "
                                              r"\(it is read-only; make it writable"):
        save_project(small_project(title="new"), path)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["keep.nnsim"]


@posix_only
def test_another_users_file_is_refused_for_a_non_root_user(tmp_path, monkeypatch):
    path = tmp_path / "theirs.nnsim"
    save_project(small_project(title="old"), path)
    path.chmod(0o666)  # writable by anyone: only the owner stands in the way
    old = path.read_bytes()
    owner = os.stat(path).st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1000)  # as an ordinary user
    with pytest.raises(PermissionError, match=rf"belongs to another user, uid {owner}"):
        save_project(small_project(title="new"), path)
    assert path.read_bytes() == old


@posix_only
@pytest.mark.skipif(os.name == "posix" and os.geteuid() != 0, reason="only root can chown")
def test_root_keeps_the_owner_group_and_mode_of_the_replaced_file(tmp_path):
    path = tmp_path / "user.nnsim"
    save_project(small_project(title="old"), path)
    os.chown(path, 1234, 5678)
    path.chmod(0o640)
    save_project(small_project(title="new"), path)
    st = os.stat(path)
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (1234, 5678, 0o640)
    assert load_project(path).title == "new"


def test_a_name_at_the_file_system_limit_saves_and_reopens(tmp_path):
    limit = os.pathconf(tmp_path, "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
    path = tmp_path / ("n" * (limit - len(".nnsim")) + ".nnsim")
    assert len(path.name.encode()) == limit
    save_project(small_project(title="long"), path)
    assert load_project(path).title == "long"
    assert os.listdir(tmp_path) == [path.name]


def _plant(folder, name, age_s=0.0):
    path = folder / name
    path.write_bytes(b"half a save")
    t = time.time() - age_s
    os.utime(path, (t, t))
    return path


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid  # gone (reuse within the test is vanishingly unlikely)


def test_stale_temp_files_are_removed_by_the_next_save(tmp_path):
    gone = _plant(tmp_path, f".nnsim-{_dead_pid()}-0123abcd.tmp")  # writer gone
    old = _plant(tmp_path, f".nnsim-{os.getppid()}-89abcdef.tmp", age_s=3600)  # untouched 1 h
    legacy = _plant(tmp_path, ".net.nnsim.deadbeef.tmp", age_s=3600)  # older nnsim's name
    busy = _plant(tmp_path, f".nnsim-{os.getppid()}-00000000.tmp")  # a save going on now
    young_legacy = _plant(tmp_path, ".net.nnsim.cafebabe.tmp")
    foreign = [_plant(tmp_path, name, age_s=3600) for name in
               (".other.tmp", ".nnsim-12-xyz.tmp", ".notes.txt.deadbeef.tmp", "a.nnsim")]
    save_project(small_project(), tmp_path / "net.nnsim")
    assert not gone.exists() and not old.exists() and not legacy.exists()
    assert busy.exists() and young_legacy.exists() and all(p.exists() for p in foreign)


@posix_only
def test_a_save_killed_midway_leaves_a_temp_file_the_next_save_removes(tmp_path):
    path = tmp_path / "net.nnsim"
    save_project(small_project(title="old"), path)
    old = path.read_bytes()
    # a save that stops forever after writing its temp file, then gets kill -9
    script = textwrap.dedent(f"""
        import os, sys, time
        import nnsim.io.atomic as atomic
        def stuck(fd, data):
            os.write(fd, data[:10]); print("writing", flush=True); time.sleep(600)
        atomic._write_all = stuck
        atomic.atomic_write_bytes({str(path)!r}, b"new content")
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=Path(atomic.__file__).parents[2])
    assert proc.stdout.readline() == "writing\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    leftovers = [n for n in os.listdir(tmp_path) if n != "net.nnsim"]
    assert len(leftovers) == 1 and leftovers[0].startswith(f".nnsim-{proc.pid}-")
    assert path.read_bytes() == old
    save_project(small_project(title="next"), path)
    assert os.listdir(tmp_path) == ["net.nnsim"] and load_project(path).title == "next"


# -- reading never opens a FIFO (it would block) nor a socket or device ------------

@posix_only
def test_opening_a_fifo_as_a_project_is_refused_without_blocking(fifo):
    # were it opened for reading, this would block forever (nobody writes)
    with pytest.raises(FileFormatError, match=r"pipe\.nnsim: expected a regular file, "
                                              r"got a FIFO \(named pipe\)"):
        load_project(fifo)


@posix_only
def test_opening_a_socket_as_a_project_is_refused(unix_socket):
    with pytest.raises(FileFormatError, match="expected a regular file, got a socket"):
        load_project(unix_socket)


@posix_only
@pytest.mark.parametrize("read", [
    lambda p: sniff(p),
    lambda p: preview_lines(p, CsvFormat()),
    lambda p: read_csv(p, CsvFormat(), [0], [1]),
], ids=["sniff", "preview", "read_csv"])
def test_the_csv_import_refuses_a_fifo_without_blocking(tmp_path, read):
    path = tmp_path / "data.csv"
    os.mkfifo(path)
    with pytest.raises(CsvError, match=r"data\.csv.*is a FIFO \(named pipe\), not a regular "
                                       r"file; nnsim imports CSV from regular files only"):
        read(path)


@posix_only
def test_a_fifo_swapped_in_after_the_check_does_not_block(fifo, monkeypatch):
    # the check on the opened descriptor catches what the first stat missed
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: real_stat(__file__))
    with pytest.raises(FileFormatError, match="got a FIFO"):
        load_project(fifo)
