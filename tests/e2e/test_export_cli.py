"""`nnstudio export` as a user runs it, and the exported script under torchrun with two processes."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from nnstudio.io import Project, load_project, save_project
from tests.conftest import build_mlp

pytestmark = pytest.mark.e2e

DATA = {"source": "toy", "name": "xor", "n": 120, "noise": 0.1, "seed": 0, "val_ratio": 0.25}
TRAINING = {"optimizer": "momentum", "lr": 0.05, "batch_size": 16, "epochs": 1, "seed": 2}


def nnstudio(*args, cwd=None, timeout=180):
    return subprocess.run([sys.executable, "-m", "nnstudio", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def _project(tmp_path, weights=None):
    g, ids = build_mlp((2, 6, 2), loss="cross_entropy")
    path = save_project(Project(graph=g, data=dict(DATA), training=dict(TRAINING), weights=weights),
                        tmp_path / "xor.nnstudio")
    return path, g, ids


def test_export_writes_each_format(tmp_path):
    path, g, ids = _project(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    expected = {"pytorch": ["xor.py", "xor_weights.npz", "xor_data.npz"], "onnx": ["xor.onnx"], "npz": ["xor.npz"]}
    for fmt, names in expected.items():
        r = nnstudio("export", str(path), "--format", fmt, "-o", str(out))
        assert r.returncode == 0, r.stderr
        assert "initial weights" in r.stdout
        printed = [line for line in r.stdout.splitlines() if line.startswith(str(out))]
        assert [os.path.basename(p) for p in printed] == names
        assert all((out / n).stat().st_size > 0 for n in names)
    with np.load(out / "xor_data.npz") as d:
        assert d["X_train"].shape == (90, 2) and d["y_val"].shape == (30,)
    r = nnstudio("export", str(path), "--format", "onnx", "-o", str(tmp_path / "named"))
    assert r.returncode == 0 and (tmp_path / "named.onnx").exists()


def test_export_uses_the_saved_weights(tmp_path):
    g, ids = build_mlp((2, 6, 2), loss="cross_entropy")
    saved = {ids["dense0"]: {"weight": np.full((6, 2), 0.25, np.float32), "bias": np.arange(6, dtype=np.float32)}}
    path, _, _ = _project(tmp_path, weights=saved)
    r = nnstudio("export", str(path), "--format", "npz", "-o", str(tmp_path / "w.npz"))
    assert r.returncode == 0, r.stderr
    assert "saved trained weights" in r.stdout
    with np.load(tmp_path / "w.npz") as npz:
        np.testing.assert_array_equal(npz["Dense 1.weight"], saved[ids["dense0"]]["weight"])
        np.testing.assert_array_equal(npz["Dense 1.bias"], saved[ids["dense0"]]["bias"])
        assert npz["Dense 2.weight"].shape == (2, 6)  # not saved: its initial values


def test_export_refuses_an_invalid_network_with_exit_1(tmp_path):
    path, g, ids = _project(tmp_path)
    project = load_project(path)
    project.graph.add("Dense", name="Lonely")
    save_project(project, path)
    r = nnstudio("export", str(path), "--format", "onnx", "-o", str(tmp_path / "x.onnx"))
    assert r.returncode == 1
    assert "Lonely: Dense has nothing connected to its input" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "x.onnx").exists()


def test_export_refuses_an_unreadable_file_with_exit_2(tmp_path):
    bad = tmp_path / "future.nnstudio"
    bad.write_text(json.dumps({"format": "nnstudio-project", "format_version": 99}))
    r = nnstudio("export", str(bad), "--format", "npz")
    assert r.returncode == 2 and "newer nnstudio" in r.stderr and "Traceback" not in r.stderr
    r = nnstudio("export", str(tmp_path / "missing.nnstudio"), "--format", "npz")
    assert r.returncode == 2 and "does not exist" in r.stderr


def test_exported_script_trains_one_epoch_under_torchrun_with_two_processes(tmp_path):
    pytest.importorskip("torch")
    path, g, ids = _project(tmp_path)
    r = nnstudio("export", str(path), "--format", "pytorch", "-o", str(tmp_path / "xor.py"))
    assert r.returncode == 0, r.stderr
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": ""}  # the script needs nothing of nnstudio
    run = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(tmp_path / "xor.py"), "--save", str(tmp_path / "trained.npz")],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr
    epochs = re.findall(r"^epoch 1/1  loss (\S+)  val_loss (\S+)", run.stdout, re.M)
    assert len(epochs) == 1, run.stdout  # rank 0 prints, once
    assert all(np.isfinite(float(v)) for v in epochs[0])
    with np.load(tmp_path / "trained.npz") as trained, np.load(tmp_path / "xor_weights.npz") as start:
        assert set(trained.files) == set(start.files)
        assert not np.array_equal(trained["Dense 1.weight"], start["Dense 1.weight"])  # it learned
