"""The .deb build starts in the background as soon as the suite is collected.

Building takes minutes (PyInstaller, then the kernels compile into the shipped cache) and is
mostly one process on one core, so it runs beside the rest of the suite - niced, so the tests that
measure the app's responsiveness keep the CPU they ask for - and the package tests run last.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEB_TESTS = "tests/packaging/test_deb.py"


@dataclass
class BackgroundBuild:
    process: subprocess.Popen
    out: Path  # build/, dist/ and the logs

    def log(self) -> str:
        return "".join((self.out / name).read_text(errors="replace")[-3000:] for name in ("stdout", "stderr"))


_build: BackgroundBuild | None = None


def can_build() -> bool:
    return (sys.platform.startswith("linux") and shutil.which("dpkg-deb") is not None
            and importlib.util.find_spec("PyInstaller") is not None and not os.environ.get("NNSTUDIO_TEST_DEB"))


def background_build() -> BackgroundBuild | None:
    """The build started for this session, if one was."""
    return _build


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    deb = [i for i in items if i.nodeid.startswith(DEB_TESTS)]
    if deb:
        items[:] = [i for i in items if not i.nodeid.startswith(DEB_TESTS)] + deb


def pytest_collection_finish(session: pytest.Session) -> None:
    global _build
    if session.config.option.collectonly or not can_build():
        return
    if not any(i.nodeid.startswith(DEB_TESTS) for i in session.items):
        return
    out = Path(tempfile.mkdtemp(prefix="nnstudio-deb-build-"))
    env = {**os.environ, "PYTHON": sys.executable, "NNSTUDIO_BUILD_DIR": str(out / "build"),
           "NNSTUDIO_DIST_DIR": str(out / "dist"), "DEB_COMPRESS": "zstd"}
    with open(out / "stdout", "w") as stdout, open(out / "stderr", "w") as stderr:
        process = subprocess.Popen(["nice", "-n", "19", "bash", str(ROOT / "packaging" / "build-deb.sh")],
                                   env=env, stdout=stdout, stderr=stderr, start_new_session=True)
    _build = BackgroundBuild(process, out)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _build is None:
        return
    if _build.process.poll() is None:  # the suite stopped early (-x, Ctrl+C): do not leave the build running
        os.killpg(_build.process.pid, 15)
        _build.process.wait(timeout=30)
    shutil.rmtree(_build.out, ignore_errors=True)
