"""The installer: build the bundle and the .deb, unpack it with ``dpkg-deb -x`` and run the app from it.

One build per session (a few minutes: PyInstaller, then the kernels compile into the shipped
cache). ``NNSTUDIO_TEST_DEB=path/to/nnstudio_X_amd64.deb`` tests an existing package instead.
Each run uses an empty HOME, as a fresh user account has, and no NNSTUDIO_CACHE_DIR.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnstudio import __version__
from nnstudio.io import load_project
from tests.packaging.conftest import background_build

ROOT = Path(__file__).resolve().parents[2]
XOR = ROOT / "nnstudio" / "resources" / "examples" / "xor.nnstudio"

pytestmark = [
    pytest.mark.slow, pytest.mark.e2e,
    pytest.mark.timeout(1500),  # the first test may wait for the package build (about 5 min alone)
    pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("dpkg-deb") is None,
                       reason="needs Linux and dpkg-deb"),
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None and not os.environ.get("NNSTUDIO_TEST_DEB"),
                       reason="needs PyInstaller (pip install -e '.[test]')"),
]


@pytest.fixture(scope="session")
def deb() -> Path:
    given = os.environ.get("NNSTUDIO_TEST_DEB")
    if given:
        return Path(given)
    import faulthandler

    faulthandler.cancel_dump_traceback_later()  # waiting for the build may outlast the hang report (280 s)
    build = background_build()  # started when the suite was collected (see conftest.py)
    assert build is not None, "the package build did not start"
    t0 = time.perf_counter()
    try:
        code = build.process.wait(timeout=1400)
    except subprocess.TimeoutExpired:
        pytest.fail("build-deb.sh did not finish in 1400 s:\n" + build.log())
    assert code == 0, build.log()
    print(f"\n{(build.out / 'stdout').read_text().strip()}\n(waited {time.perf_counter() - t0:.0f} s for build-deb.sh)")
    debs = list((build.out / "dist").glob(f"nnstudio_{__version__}_*.deb"))
    assert len(debs) == 1, build.log()
    return debs[0]


@pytest.fixture(scope="session")
def unpacked(deb, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True, timeout=300)
    return root


def _env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh user: empty HOME, no cache settings of ours or numba's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NNSTUDIO_", "NUMBA_", "XDG_", "PYTHON")) and k != "LD_LIBRARY_PATH"}
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), **extra)
    return env


def test_package_holds_the_app_its_launcher_and_desktop_files(deb, unpacked):
    info = subprocess.run(["dpkg-deb", "-f", str(deb), "Package", "Version", "Depends"], capture_output=True,
                          text=True, check=True).stdout
    assert f"Version: {__version__}" in info and "libxcb-cursor0" in info and "libxkbcommon-x11-0" in info
    assert os.readlink(unpacked / "usr/bin/nnstudio") == "/opt/nnstudio/nnstudio"
    share = unpacked / "usr/share"
    desktop = (share / "applications/nnstudio.desktop").read_text()
    assert "Exec=nnstudio %f" in desktop and "MimeType=application/x-nnstudio;" in desktop
    assert 'pattern="*.nnstudio"' in (share / "mime/packages/nnstudio.xml").read_text()
    assert (share / "metainfo/org.nnstudio.nnstudio.metainfo.xml").exists()
    assert (share / "icons/hicolor/scalable/apps/nnstudio.svg").exists()
    assert (share / "icons/hicolor/48x48/apps/nnstudio.png").exists()
    bundle = unpacked / "opt/nnstudio/_internal"
    assert list((bundle / "numba-cache").rglob("*.nbc")), "the kernel cache is not shipped"
    assert (bundle / "PySide6/Qt/plugins/platforms/libqxcb.so").exists()
    assert (bundle / "PySide6/Qt/plugins/platforms/libqoffscreen.so").exists()
    for left_out in ("torch", "onnxruntime", "tests", "PySide6/QtQml.abi3.so", "PySide6/QtNetwork.abi3.so"):
        assert not (bundle / left_out).exists(), left_out


def test_version(unpacked, tmp_path):
    run = subprocess.run([str(unpacked / "opt/nnstudio/nnstudio"), "--version"], capture_output=True, text=True,
                         env=_env(tmp_path / "home"), timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == f"nnstudio {__version__}"


def _compiled_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.nbc")}


def test_train_with_a_fresh_home_uses_the_shipped_kernels(unpacked, tmp_path):
    project = tmp_path / "xor.nnstudio"
    shutil.copy(XOR, project)
    home = tmp_path / "home"
    t0 = time.perf_counter()
    run = subprocess.run([str(unpacked / "opt/nnstudio/nnstudio"), "train", str(project)], capture_output=True,
                         text=True, env=_env(home), timeout=600)
    wall = time.perf_counter() - t0
    assert run.returncode == 0, run.stderr[-3000:]
    assert "finished after" in run.stdout
    assert len(load_project(project).runs) == 1  # the run is stored in the project
    print(f"\nnnstudio train xor with an empty HOME: {wall:.1f} s wall")
    # nothing was compiled: the user's cache holds exactly the kernels shipped in the package
    shipped = unpacked / "opt/nnstudio/_internal/numba-cache"
    user = next(home.glob(".cache/nnstudio"))
    assert _compiled_files(user) == _compiled_files(shipped)


def test_window_opens_offscreen_trains_and_quits(unpacked, tmp_path):
    project = tmp_path / "xor.nnstudio"
    shutil.copy(XOR, project)
    result = tmp_path / "smoke.json"
    run = subprocess.run([str(unpacked / "opt/nnstudio/nnstudio"), str(project)], capture_output=True, text=True,
                         env=_env(tmp_path / "home", QT_QPA_PLATFORM="offscreen", NNSTUDIO_SMOKE_TEST=str(result),
                                  NNSTUDIO_NATIVE_KERNELS="0"),  # no compiler left running after the test
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    smoke = json.loads(result.read_text())
    assert smoke["steps"] >= 1, smoke  # Train pressed in the window trained
    assert "xor" in smoke["title"].lower()
    print(f"\nfirst Train in the window trained its first step {smoke['first_train_s']:.2f} s after the click")


def test_installed_app_exports_onnx(unpacked, tmp_path):
    """onnx is a run-time dependency (File > Export, ``nnstudio export``): the bundle must carry it."""
    project = tmp_path / "xor.nnstudio"
    shutil.copy(XOR, project)
    out = tmp_path / "xor.onnx"
    run = subprocess.run([str(unpacked / "opt/nnstudio/nnstudio"), "export", str(project), "--format", "onnx",
                          "-o", str(out)], capture_output=True, text=True, env=_env(tmp_path / "home"), timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    import onnx

    onnx.checker.check_model(onnx.load(str(out)))
