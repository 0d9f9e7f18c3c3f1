"""Where compiled kernels are cached: a per-user folder we choose, not next to the sources.

numba normally caches beside the source file (or in ``__pycache__``), which fails
for a read-only install or a frozen app. A custom cache locator puts every
nnstudio kernel in ``$NNSTUDIO_CACHE_DIR`` or the platform's user cache folder.
The source stamp covers *all* engine sources, because a cached caller embeds
the kernels it calls and numba would otherwise keep a stale copy of them.
"""
from __future__ import annotations

import os
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
def _engine_stamp() -> tuple:
    files = sorted(ENGINE_DIR.rglob("*.py"))
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)


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
