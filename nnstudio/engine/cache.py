"""Where compiled kernels are cached: a per-user folder we choose, not next to the sources.

numba normally caches beside the source file (or in ``__pycache__``), which fails
for a read-only install or a frozen app. A custom cache locator puts every
nnstudio kernel in ``$NNSTUDIO_CACHE_DIR`` or the platform's user cache folder.
The source stamp covers *all* engine sources, because a cached caller embeds
the kernels it calls and numba would otherwise keep a stale copy of them. It is a
hash of their contents, not their times: a cache compiled when the installer was
built stays valid after the package manager unpacked the files with other times,
for every user.

A shipped cache (``$NNSTUDIO_SHIPPED_CACHE``, which the installer's app sets to a
read-only folder in its bundle) seeds the user's cache once per engine version:
numba must be able to write where it reads (it adds variants it compiles later).
Its kernels are compiled for ``NUMBA_CPU_NAME=generic``, part of numba's key, so
they are valid on any x86-64 CPU.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import numba
from numba.core.caching import CacheImpl as _CacheImpl
from numba.core.caching import _CacheLocator

ENGINE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """The folder that holds compiled kernels for this numba and Python version."""
    root = os.environ.get("NNSTUDIO_CACHE_DIR")
    if not root:
        from platformdirs import user_cache_dir

        root = user_cache_dir("nnstudio", appauthor=False)
    tag = f"numba-{numba.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    return Path(root) / tag


@lru_cache(maxsize=1)
def _engine_stamp() -> str:
    """A hash of every engine source file (names and contents; about 1 ms)."""
    h = hashlib.sha256()
    for f in sorted(ENGINE_DIR.rglob("*.py")):
        h.update(f.relative_to(ENGINE_DIR).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def shipped_cache_dir() -> Path | None:
    """The read-only cache an installer ships for this numba and Python version, if any."""
    root = os.environ.get("NNSTUDIO_SHIPPED_CACHE")
    if not root:
        return None
    folder = Path(root) / cache_dir().name
    return folder if folder.is_dir() else None


@lru_cache(maxsize=1)
def seed_from_shipped() -> bool:
    """Copy the shipped kernels into the user's cache once per engine version; True if it did."""
    shipped, target = shipped_cache_dir(), cache_dir()
    if shipped is None or shipped.resolve() == target.resolve():
        return False
    marker = target / f"seeded-{_engine_stamp()[:16]}"
    if marker.exists():
        return False
    try:
        # overwrite: an index left by an older engine would only be thrown away by numba and recompiled
        shutil.copytree(shipped, target, dirs_exist_ok=True)
        marker.touch()
    except OSError:
        return False  # kernels then compile into the user's cache as they would without an installer
    return True


class UserCacheLocator(_CacheLocator):
    """Caches functions defined under ``nnstudio/engine`` in :func:`cache_dir`."""

    def __init__(self, py_func, py_file: str) -> None:
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        rel = Path(py_file).resolve().relative_to(ENGINE_DIR)
        self._cache_path = str(cache_dir() / rel.parent / rel.stem)

    def ensure_cache_path(self) -> None:
        os.makedirs(self._cache_path, exist_ok=True)
        tempfile.TemporaryFile(dir=self._cache_path).close()  # fails early if not writable

    def get_cache_path(self) -> str:
        return self._cache_path

    def get_source_stamp(self):
        return _engine_stamp()

    def get_disambiguator(self) -> str:
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):
        try:
            Path(py_file).resolve().relative_to(ENGINE_DIR)
        except (ValueError, OSError):
            return None
        seed_from_shipped()
        self = cls(py_func, py_file)
        try:
            self.ensure_cache_path()
        except OSError:
            return None  # numba falls back to its own locators (or no cache)
        return self


def install() -> None:
    """Register the locator ahead of numba's own (idempotent)."""
    if UserCacheLocator not in _CacheImpl._locator_classes:
        _CacheImpl._locator_classes.insert(0, UserCacheLocator)


install()


def kernels_cached(dtype: str = "float32") -> bool:
    """Whether the training runner for ``dtype`` plans is in the cache for this CPU, so that the
    first run loads it in about a second instead of compiling for about a minute.

    Reads numba's cache index (numba internals: when they change, this answers True, and a
    caller only misses the chance to say why the first run waits).
    """
    import numpy as np

    from nnstudio.engine import interpreter

    dispatcher = interpreter.run
    try:
        index = dispatcher._cache._cache_file._load_index()
        magic = dispatcher.targetctx.codegen().magic_tuple()
        want = numba.from_dtype(np.dtype(dtype))
        return bool(dispatcher.overloads) or any(
            key[1] == magic and any(getattr(t, "dtype", None) == want for t in key[0]) for key in index)
    except Exception:  # noqa: BLE001 - an answer we cannot give is not an error
        return True
