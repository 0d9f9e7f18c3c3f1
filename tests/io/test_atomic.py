"""Atomic saves: file modes kept, temporary files cleaned, the .bak always the previous version."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from nnstudio.io import atomic
from nnstudio.io.atomic import atomic_write_bytes, remove_leftovers

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits and signals")


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@posix_only
def test_existing_file_keeps_its_mode(tmp_path):
    path = tmp_path / "p.nnstudio"
    path.write_bytes(b"v1")
    os.chmod(path, 0o640)
    atomic_write_bytes(path, b"v2", backup=True)
    assert path.read_bytes() == b"v2"
    assert path.stat().st_mode & 0o777 == 0o640
    os.chmod(path, 0o604)
    atomic_write_bytes(path, b"v3")
    assert path.stat().st_mode & 0o777 == 0o604


@posix_only
def test_new_file_gets_the_umask_mode_not_0600(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / "a.txt", b"x")
        os.umask(0o002)
        atomic_write_bytes(tmp_path / "b.txt", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "b.txt").stat().st_mode & 0o777 == 0o664


def test_bak_is_the_previous_version_also_when_saving_unchanged_content(tmp_path):
    path = tmp_path / "p.nnstudio"
    bak = tmp_path / "p.nnstudio.bak"
    atomic_write_bytes(path, b"v1", backup=True)
    assert not bak.exists()
    atomic_write_bytes(path, b"v2", backup=True)
    assert (path.read_bytes(), bak.read_bytes()) == (b"v2", b"v1")
    atomic_write_bytes(path, b"v2", backup=True)  # unchanged: the .bak must not become v2
    assert (path.read_bytes(), bak.read_bytes()) == (b"v2", b"v1")
    atomic_write_bytes(path, b"v3", backup=True)
    assert (path.read_bytes(), bak.read_bytes()) == (b"v3", b"v2")


@pytest.mark.parametrize("fail_at", ["write", "replace"])
def test_failed_save_changes_neither_the_file_nor_its_bak_and_leaves_no_temp(tmp_path, monkeypatch, fail_at):
    path = tmp_path / "p.nnstudio"
    atomic_write_bytes(path, b"v1", backup=True)
    atomic_write_bytes(path, b"v2", backup=True)
    if fail_at == "write":
        def boom(fd):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(os, "fsync", boom)
    else:
        real_replace = os.replace

        def boom(src, dst):
            if str(dst) == str(path):
                raise OSError(28, "No space left on device")
            return real_replace(src, dst)
        monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_bytes(path, b"v3", backup=True)
    monkeypatch.undo()
    assert path.read_bytes() == b"v2" and (tmp_path / "p.nnstudio.bak").read_bytes() == b"v1"
    assert _names(tmp_path) == ["p.nnstudio", "p.nnstudio.bak"]
    # and the next save after the failure keeps the chain: .bak = v2, not v3
    atomic_write_bytes(path, b"v3", backup=True)
    assert (tmp_path / "p.nnstudio.bak").read_bytes() == b"v2"


def test_interrupted_save_removes_its_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "p.nnstudio"
    atomic_write_bytes(path, b"v1", backup=True)
    real_replace = os.replace

    def interrupt(src, dst):
        if str(dst) == str(path):
            raise KeyboardInterrupt
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(path, b"v2", backup=True)
    monkeypatch.undo()
    assert _names(tmp_path) == ["p.nnstudio"] and path.read_bytes() == b"v1"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    path = tmp_path / "p.nnstudio"
    atomic_write_bytes(path, b"v1", backup=True)
    dead = _dead_pid()
    leftovers = [tmp_path / f".p.nnstudio.{dead}-abc123.tmp", tmp_path / f".p.nnstudio.bak.{dead}-x.tmp"]
    alive = tmp_path / f".p.nnstudio.{os.getppid()}-busy.tmp"  # a live process's save: left alone
    other = tmp_path / f".other.nnstudio.{dead}-abc.tmp"  # another file's: left alone
    for p in leftovers + [alive, other]:
        p.write_bytes(b"half")
    atomic_write_bytes(path, b"v2", backup=True)
    assert not any(p.exists() for p in leftovers)
    assert alive.exists() and other.exists()
    assert remove_leftovers(path) == []


@posix_only
def test_sigkill_mid_write_leaves_old_file_and_next_save_cleans(tmp_path):
    """A real process killed with SIGKILL while its temp file is half written."""
    path = tmp_path / "p.nnstudio"
    atomic_write_bytes(path, b"v1", backup=True)
    code = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(os.getcwd())!r})
        from nnstudio.io import atomic
        def slow(fd):
            print("writing", flush=True)
            time.sleep(60)
        os.fsync = slow
        atomic.atomic_write_bytes({str(path)!r}, b"v2" * 1000, backup=True)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        assert any(n.endswith(".tmp") for n in _names(tmp_path))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert path.read_bytes() == b"v1"
    atomic_write_bytes(path, b"v3", backup=True)
    assert _names(tmp_path) == ["p.nnstudio", "p.nnstudio.bak"]
    assert atomic._in_progress == set()
