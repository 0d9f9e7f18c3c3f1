"""Crash recovery through the real app: edit, autosave, kill -9, restart, Restore (issue 16)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import build_mlp
from nnstudio.io import Project, load_project, save_project

pytestmark = [pytest.mark.e2e]

DRIVER = Path(__file__).with_name("recovery_driver.py")


def app_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NNSTUDIO_DATA_DIR": str(tmp_path / "data"),
            "NNSTUDIO_AUTOSAVE_SECONDS": "1", "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path),
            "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")])}


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_kill_9_after_an_autosave_then_restart_offers_and_restores_the_edit(tmp_path):
    project_path = tmp_path / "mine.nnstudio"
    g, _ = build_mlp()
    save_project(Project(graph=g, data={"source": "toy", "name": "xor", "n": 100}), project_path)
    env = app_env(tmp_path)
    autosaves = tmp_path / "data" / "autosave"

    app = subprocess.Popen([sys.executable, str(DRIVER), "edit", str(project_path)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert app.stdout.readline().strip() == "EDITED", app.stderr.read()[-3000:] if app.poll() else ""

        def autosaved_with_edit() -> bool:
            files = list(autosaves.glob("*.nnstudio")) if autosaves.is_dir() else []
            return bool(files) and list(autosaves.glob("*.json")) and \
                any(n.name == "RecoverMe" for n in load_project(files[0]).graph.nodes.values())

        wait_for(autosaved_with_edit, 60, "the autosave with the edit")
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(30)
    assert app.returncode == -signal.SIGKILL
    assert not list(autosaves.glob("*.tmp")) and not list(autosaves.glob(".*.tmp"))
    assert "RecoverMe" not in project_path.read_text()  # the user's file was never touched

    run = subprocess.run([sys.executable, str(DRIVER), "restore"], env=env, capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in run.stdout.splitlines() if " " in line}
    listed = json.loads(lines["DIALOG"])
    assert len(listed) == 1 and "mine.nnstudio" in listed[0] and str(project_path) in listed[0]
    result = json.loads(lines["RESULT"])
    assert "RecoverMe" in result["names"]
    assert result["modified"] and result["title"].startswith("mine.nnstudio*")
    assert result["path"] == str(project_path)  # Save writes back to the original file
    # the window closed cleanly: nothing is offered next time
    assert not list(autosaves.glob("*.json"))
