"""Kill -9 during saves: a process saving a project over and over is killed at random moments.

After every kill the project loads (the old or the new version), its .bak loads and is an
older version, the file keeps its mode, and temporary files do not pile up (a killed save
may leave its own; the next save removes them).
"""
from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import pytest

from nnstudio.io import load_project, parse_project, save_project

EXAMPLE = Path(__file__).resolve().parents[2] / "nnstudio" / "resources" / "examples" / "digits-cnn.nnstudio"
KILLS = 60
BUDGET_S = 25.0

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(signal, "SIGKILL"),
                                reason="SIGKILL and fork servers are POSIX")


def save_forever(path: str, seed: int) -> None:
    """Child process: load the project, then save new versions until killed."""
    rng = random.Random(seed)
    project = load_project(path)
    version = int(project.meta.get("version", 0))
    while True:
        version += 1
        project.meta["version"] = version
        project.meta["padding"] = "x" * rng.randrange(0, 200_000)  # sizes vary: a torn write would show
        save_project(project, path)


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_sigkill_at_random_moments_never_corrupts_the_project(tmp_path):
    path = tmp_path / "p.nnstudio"
    project = parse_project(EXAMPLE.read_bytes())
    project.meta["version"] = 0
    save_project(project, path)
    os.chmod(path, 0o640)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["nnstudio.io", __name__])
    rng = random.Random(16)
    kills, saw_new, saw_bak = 0, 0, 0
    last = 0
    t0 = time.monotonic()
    while kills < KILLS and time.monotonic() - t0 < BUDGET_S:
        proc = ctx.Process(target=save_forever, args=(str(path), kills))
        proc.start()
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(10)
        assert proc.exitcode == -signal.SIGKILL, "the saver died on its own (a save failed)"
        kills += 1
        now = load_project(path)  # never raises: the old or the new version
        version = now.meta["version"]
        assert version >= last
        saw_new += version > last
        last = version
        bak = path.with_name(path.name + ".bak")
        if bak.exists():
            old = load_project(bak)
            assert old.meta["version"] < version or version == 0
            saw_bak += 1
        assert path.stat().st_mode & 0o777 == 0o640
        assert len(_temps(tmp_path)) <= 2, _temps(tmp_path)  # at most the killed save's own
    assert kills >= 20, f"only {kills} kills in {BUDGET_S} s"
    assert saw_new >= kills // 4 and saw_bak >= kills // 2, (kills, saw_new, saw_bak)
    save_project(load_project(path), path)  # one more save cleans what the last kill left
    assert _temps(tmp_path) == []
