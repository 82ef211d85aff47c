"""save_project is atomic: on any failure the old file stays, no temp files remain."""
import errno
import os
import sys

import numpy as np
import pytest

import nnsim.io.atomic as atomic
from iohelpers import small_project
from nnsim.io import FileFormatError, atomic_write_bytes, load_project, save_project


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "net.nnsim"
    save_project(small_project(title="old"), path)
    return path, path.read_bytes()


def assert_untouched(path, old):
    assert path.read_bytes() == old
    assert sorted(os.listdir(path.parent)) == [path.name], "a temp file was left behind"


def test_save_creates_and_replaces(tmp_path):
    path = tmp_path / "net.nnsim"
    save_project(small_project(title="one"), path)
    save_project(small_project(title="two"), str(path))
    assert load_project(path).title == "two"
    assert os.listdir(tmp_path) == ["net.nnsim"]


def test_failing_replace_leaves_the_old_file(saved, monkeypatch):
    path, old = saved

    def broken(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")
    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match=r"net\.nnsim: could not save the file \(Invalid cross-device link\)"):
        save_project(small_project(title="new"), path)
    assert_untouched(path, old)


def test_failing_write_leaves_the_old_file(saved, monkeypatch):
    path, old = saved

    def disk_full(fd, data):
        os.write(fd, data[:10])  # half written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic, "_write_all", disk_full)
    with pytest.raises(OSError) as info:
        save_project(small_project(title="new"), path)
    assert info.value.errno == errno.ENOSPC and "No space left" in str(info.value)
    assert_untouched(path, old)


def test_failing_fsync_leaves_the_old_file(saved, monkeypatch):
    path, old = saved

    def broken(fd):
        raise OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="Input/output error"):
        save_project(small_project(title="new"), path)
    assert_untouched(path, old)


def test_interrupt_during_write_leaves_the_old_file(saved, monkeypatch):
    path, old = saved

    def interrupted(fd, data):
        raise KeyboardInterrupt
    monkeypatch.setattr(atomic, "_write_all", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_project(small_project(title="new"), path)
    assert_untouched(path, old)


def test_failure_without_an_old_file_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "replace", lambda a, b: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError):
        save_project(small_project(), tmp_path / "new.nnsim")
    assert os.listdir(tmp_path) == []


def test_saving_onto_a_directory_fails_cleanly(tmp_path):
    folder = tmp_path / "folder.nnsim"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="folder.nnsim: could not save the file"):
        save_project(small_project(), folder)
    assert os.listdir(folder) == [] and os.listdir(tmp_path) == ["folder.nnsim"]


def test_saving_into_a_missing_folder_fails_cleanly(tmp_path):
    with pytest.raises(FileNotFoundError, match="could not save"):
        save_project(small_project(), tmp_path / "no" / "net.nnsim")
    assert os.listdir(tmp_path) == []


def test_nan_weights_refused_before_writing(saved):
    path, old = saved
    p = small_project()
    p.network.layers[0].W[0, 1] = np.nan
    with pytest.raises(FileFormatError, match=r"net\.nnsim: network\.layers\[0\]\.weights\[0\]\[1\]: "
                                              r"layer 1 has a weight that is not a finite number \(NaN\)"):
        save_project(p, path)
    assert_untouched(path, old)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_permissions_of_an_existing_file_are_kept(saved):
    path, _ = saved
    path.chmod(0o640)
    save_project(small_project(title="new"), path)
    assert (path.stat().st_mode & 0o777) == 0o640


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlink_is_written_through(tmp_path):
    real = tmp_path / "real.nnsim"
    save_project(small_project(title="old"), real)
    link = tmp_path / "link.nnsim"
    link.symlink_to(real)
    save_project(small_project(title="new"), link)
    assert link.is_symlink() and load_project(real).title == "new"


def test_atomic_write_bytes_plain(tmp_path):
    path = tmp_path / "x.bin"
    atomic_write_bytes(path, b"\x00\x01" * 100_000)
    assert path.read_bytes() == b"\x00\x01" * 100_000
