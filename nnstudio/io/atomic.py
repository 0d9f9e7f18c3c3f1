"""Atomic file writing: a crash mid-save never leaves a half-written file.

The new content goes to a temporary file in the same folder, is flushed and
fsynced, and then renamed over the target (atomic on POSIX and Windows). With
``backup`` the previous version is kept as ``NAME.bak``:

- the ``.bak`` is always the version before the current one: saving content
  equal to the file on disk leaves both untouched, and a save that fails
  changes neither the file nor its ``.bak``;
- the file keeps its permission bits; a new file gets the umask's (as
  ``open()`` would), never the 0600 of a temporary file;
- temporary files are removed when anything fails (including Ctrl+C), and the
  leftovers of a save that was killed (``kill -9``, power loss) are removed by
  the next save of that file. Their names carry the writing process's id, so a
  save running in another process is never disturbed.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
from pathlib import Path

_in_progress: set[str] = set()  # temp files this process is writing right now
_lock = threading.Lock()


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)  # elsewhere: set and restore (briefly racy, but only with other umask changers)
    os.umask(old)
    return old


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _tmp_prefix(name: str) -> str:
    return f".{name}.{os.getpid()}-"


_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[^.]*\.tmp$")


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie counts as gone; another user's process as running)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: not ours to treat as crashed
    if os.name == "posix":  # a zombie (killed, not yet reaped by its parent) is as good as gone
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                return fh.read().split(b")")[-1].split()[0] != b"Z"
        except OSError:
            pass
    return True


def remove_leftovers(path: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files that killed saves of ``path`` (or of its ``.bak``) left behind."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _LEFTOVER.match(entry.name)
        if not m or m.group("name") not in (path.name, path.name + ".bak"):
            continue
        pid = int(m.group("pid"))
        full = folder / entry.name
        with _lock:
            busy = str(full) in _in_progress
        if busy or (pid != os.getpid() and pid_alive(pid)):
            continue
        try:
            os.unlink(full)
            removed.append(full)
        except OSError:
            pass
    return removed


def _same_content(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _unlink_quietly(name: str | None) -> None:
    if name is None:
        return
    try:
        os.unlink(name)
    except OSError:
        pass


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, backup: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically; with ``backup``, keep the previous version as ``path.bak``."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    remove_leftovers(path)
    if backup and _same_content(path, data):
        return  # nothing changes: the .bak stays the version before this one
    mode = _mode_for(path)
    tmp: str | None = None
    bak_tmp: str | None = None
    registered: list[str] = []
    try:
        fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(path.name), suffix=".tmp", dir=folder)
        registered.append(tmp)
        with _lock:
            _in_progress.add(tmp)
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if not hasattr(os, "fchmod"):
            os.chmod(tmp, mode)
        bak = path.with_name(path.name + ".bak")
        if backup and path.exists():
            # the old version under a temporary name first; it becomes the .bak only once the new file is
            # in place, so a failed save leaves the file and its .bak as they were
            bak_tmp = str(folder / f"{_tmp_prefix(bak.name)}{secrets.token_hex(4)}.tmp")
            registered.append(bak_tmp)
            with _lock:
                _in_progress.add(bak_tmp)
            try:
                os.link(path, bak_tmp)
            except OSError:
                shutil.copy2(path, bak_tmp)
        os.replace(tmp, path)
        tmp = None
        if bak_tmp is not None:
            os.replace(bak_tmp, bak)
            bak_tmp = None
    except BaseException:
        _unlink_quietly(tmp)
        _unlink_quietly(bak_tmp)
        raise
    finally:
        with _lock:
            _in_progress.difference_update(registered)
    _fsync_dir(folder)
