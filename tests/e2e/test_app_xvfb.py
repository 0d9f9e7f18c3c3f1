"""The real app under Xvfb, driven by real X mouse and keyboard events (xdotool).

``.ci/run`` installs Debian's xvfb and xdotool; without them this test is skipped.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nnstudio.io import load_project

pytestmark = [pytest.mark.e2e, pytest.mark.slow,
              pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xdotool")),
                                 reason="needs Xvfb and xdotool (apt-get install xvfb xdotool)")]

DRIVER = Path(__file__).with_name("xvfb_driver.py")


@pytest.fixture
def display():
    """A fresh X server; yields its DISPLAY name."""
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(10)


def test_build_wire_and_save_a_network_in_the_real_app(display, tmp_path):
    project = tmp_path / "NEW.nnstudio"  # does not exist yet: the app starts empty and Save writes it
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, str(DRIVER), str(project)], env=env, capture_output=True, text=True,
                         timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]  # Ctrl+Q with nothing unsaved exits 0
    saved = load_project(project)
    g = saved.graph
    by_kind = {n.kind: n for n in g.nodes.values()}
    assert sorted(by_kind) == ["Dense", "Input", "Output"] and len(g.nodes) == 3
    edges = {(g.nodes[e.src].kind, g.nodes[e.dst].kind) for e in g.edges.values()}
    assert edges == {("Input", "Dense"), ("Dense", "Output")}
    # dropped left to right where the pointer let go
    xs = [by_kind[k].pos[0] for k in ("Input", "Dense", "Output")]
    assert xs == sorted(xs) and xs[0] < xs[2] - 200
    assert not list(tmp_path.glob("*.tmp*"))  # the atomic save left nothing half-written
