"""Atomic file writing: a crash mid-save never leaves a half-written file.

The new content goes to a temporary file in the same folder, is flushed and
fsynced, and then renamed over the target (atomic on POSIX and Windows). The
previous version, if any, is kept as ``NAME.bak``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, backup: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically; with ``backup``, keep the old file as ``path.bak``."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if backup and path.exists():
            bak = path.with_name(path.name + ".bak")
            bak_tmp = bak.with_name(f".{bak.name}.tmp")
            shutil.copy2(path, bak_tmp)
            os.replace(bak_tmp, bak)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(folder)
