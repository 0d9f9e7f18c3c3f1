"""The kernel cache's keying and the installer's shipped cache (no compiling here)."""
from __future__ import annotations

import os
import shutil

import pytest

from nnstudio.engine import cache


@pytest.fixture
def engine_copy(tmp_path, monkeypatch):
    """The stamp over a copy of the engine's sources, so that the test may touch and edit them."""
    copy = tmp_path / "engine"
    shutil.copytree(cache.ENGINE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "ENGINE_DIR", copy)
    cache._engine_stamp.cache_clear()
    yield copy
    cache._engine_stamp.cache_clear()


def test_stamp_ignores_file_times_but_not_contents(engine_copy):
    before = cache._engine_stamp()
    for f in engine_copy.rglob("*.py"):  # what unpacking a package or copying the folder does
        os.utime(f, (0, 0))
    cache._engine_stamp.cache_clear()
    assert cache._engine_stamp() == before
    kernel = engine_copy / "kernels" / "dense.py"
    kernel.write_text(kernel.read_text() + "\n# edited\n")
    cache._engine_stamp.cache_clear()
    assert cache._engine_stamp() != before


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A shipped cache with one kernel file, and an empty user cache."""
    user = tmp_path / "user"
    monkeypatch.setenv("NNSTUDIO_CACHE_DIR", str(user))
    ship = tmp_path / "shipped"
    monkeypatch.setenv("NNSTUDIO_SHIPPED_CACHE", str(ship))
    kernel = ship / cache.cache_dir().name / "kernels" / "dense" / "dense.dense_forward-10.py311.nbi"
    kernel.parent.mkdir(parents=True)
    kernel.write_bytes(b"index")
    cache.seed_from_shipped.cache_clear()
    yield kernel, cache.cache_dir() / "kernels" / "dense" / kernel.name
    cache.seed_from_shipped.cache_clear()


def test_shipped_cache_seeds_the_user_cache_once(shipped):
    kernel, copied = shipped
    assert cache.seed_from_shipped() is True
    assert copied.read_bytes() == b"index"
    copied.write_bytes(b"compiled later by the user")  # numba adds variants to the user's copy
    cache.seed_from_shipped.cache_clear()
    assert cache.seed_from_shipped() is False  # a second start copies nothing over it
    assert copied.read_bytes() == b"compiled later by the user"


def test_no_shipped_cache_no_seeding(shipped, monkeypatch):
    _, copied = shipped
    monkeypatch.delenv("NNSTUDIO_SHIPPED_CACHE")
    cache.seed_from_shipped.cache_clear()
    assert cache.seed_from_shipped() is False
    assert not copied.exists()


def test_cold_cache_is_reported(tmp_path, monkeypatch):
    """An empty cache folder holds no runner: ``nnstudio train`` then says it compiles."""
    from nnstudio.engine import interpreter

    # as in a fresh process: nothing compiled in memory (the suite has compiled the runner by now)
    monkeypatch.setattr(interpreter.run, "overloads", {})
    monkeypatch.setattr(interpreter.run._cache._cache_file, "_load_index", lambda: {})
    assert cache.kernels_cached() is False
