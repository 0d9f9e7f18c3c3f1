"""The console entry point, run as a user runs it."""
from __future__ import annotations

import json
import subprocess
import sys

import nnstudio as ns
from nnstudio.io import Project, save_project
from tests.conftest import build_mlp


def nnstudio(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nnstudio", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_version():
    r = nnstudio("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"nnstudio {ns.__version__}"


def test_validate_valid_project(tmp_path):
    g, _ = build_mlp()
    path = save_project(Project(graph=g), tmp_path / "ok.nnstudio")
    r = nnstudio("validate", str(path))
    assert r.returncode == 0, r.stderr
    assert "valid (105 trainable parameters)" in r.stdout


def test_validate_invalid_project_names_nodes(tmp_path):
    g, ids = build_mlp()
    g.set_param(ids["input"], "shape", [2, 3, 3])
    g.add("Dense", name="Lonely")
    path = save_project(Project(graph=g), tmp_path / "bad.nnstudio")
    r = nnstudio("validate", str(path))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert "Dense 1: Dense expects a flat vector but gets 2x3x3 - insert a Flatten before it" in lines
    assert "Lonely: Dense has nothing connected to its input - wire a node into it" in lines
    assert "Traceback" not in r.stdout + r.stderr


def test_validate_unreadable_file(tmp_path):
    path = tmp_path / "future.nnstudio"
    path.write_text(json.dumps({"format": "nnstudio-project", "format_version": 99}))
    r = nnstudio("validate", str(path))
    assert r.returncode == 2
    assert "newer nnstudio" in r.stderr and "Traceback" not in r.stderr
    r = nnstudio("validate", str(tmp_path / "missing.nnstudio"))
    assert r.returncode == 2 and "does not exist" in r.stderr
