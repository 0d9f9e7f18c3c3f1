"""`nnstudio train` end to end: the shipped examples reach their promised accuracy."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nnstudio.io import load_project, save_project
from tests.training.conftest import toy_project

EXAMPLES = Path(__file__).resolve().parents[2] / "nnstudio" / "resources" / "examples"


def train(path, *args, timeout=180):
    r = subprocess.run([sys.executable, "-m", "nnstudio", "train", str(path), "--json", *args],
                       capture_output=True, text=True, timeout=timeout)
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    return r, lines


@pytest.mark.slow
@pytest.mark.parametrize("name,metric,target", [
    ("xor", "val_accuracy", 0.95),
    ("circle", "val_accuracy", 0.95),
    ("spiral", "val_accuracy", 0.95),
    ("digits-mlp", "val_accuracy", 0.95),
    ("digits-cnn", "val_accuracy", 0.97),
    ("plane", "val_mae", None),
])
def test_examples_train_to_their_promise(tmp_path, name, metric, target):
    path = tmp_path / f"{name}.nnstudio"
    shutil.copy(EXAMPLES / f"{name}.nnstudio", path)
    r, lines = train(path)
    assert r.returncode == 0, r.stderr
    epochs = [line for line in lines if line["event"] == "epoch"]
    done = lines[-1]
    assert done["event"] == "done" and done["status"] == "finished"
    assert len(epochs) == done["epochs"] and epochs[-1]["epoch"] == done["epochs"]
    if target is None:  # regression: error well below the targets' spread
        assert done[metric] < 0.25, done
        assert "train_accuracy" not in done
    else:
        assert done[metric] >= target, done
        assert {"train_loss", "val_loss", "train_accuracy", "val_accuracy", "epochs", "steps", "seconds"} <= set(done)
    stored = load_project(path)
    assert stored.runs[-1]["status"] == "finished" and stored.runs[-1]["epochs"] == done["epochs"]
    runs = subprocess.run([sys.executable, "-m", "nnstudio", "runs", str(path)], capture_output=True, text=True)
    assert runs.returncode == 0 and done["run"] in runs.stdout


def test_overrides_and_saved_weights(tmp_path):
    path = tmp_path / "x.nnstudio"
    save_project(toy_project(epochs=50), path)
    r, lines = train(path, "--epochs", "3", "--seed", "2", "--lr", "0.02", "--threads", "1", "--save-weights")
    assert r.returncode == 0, r.stderr
    assert [line["epoch"] for line in lines if line["event"] == "epoch"] == [1, 2, 3]
    assert lines[0]["lr"] == 0.02
    project = load_project(path)
    assert project.weights and project.runs[-1]["settings"]["seed"] == 2
    # continuing from the saved weights starts where the last run ended
    r2, lines2 = train(path, "--epochs", "1", "--seed", "2", "--lr", "0.02")
    assert lines2[0]["train_loss"] < lines[0]["train_loss"]


def test_divergence_exits_3_with_the_explanation(tmp_path):
    path = tmp_path / "spiral.nnstudio"
    save_project(toy_project("spiral", n=300, hidden=16, epochs=50), path)
    r, lines = train(path, "--lr", "100")
    assert r.returncode == 3
    assert lines[-1]["event"] == "diverged" and "too high" in lines[-1]["message"]
    assert lines[-1]["suggested_lr"] == 50
    assert load_project(path).runs[-1]["status"] == "diverged"


def test_invalid_project_exits_1_with_the_message(tmp_path):
    project = toy_project()
    project.graph.set_param(project.graph.nodes_of_kind("Input")[0].id, "shape", [5])
    path = tmp_path / "bad.nnstudio"
    save_project(project, path)
    r, _ = train(path)
    assert r.returncode == 1
    assert "this Input expects 5" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("content", [None, b"{not json", b"\x00\xff binary"])
def test_unreadable_project_exits_2_as_the_readme_says(tmp_path, content):
    path = tmp_path / "p.nnstudio"
    if content is not None:
        path.write_bytes(content)
    r, _ = train(path)
    assert r.returncode == 2, r.stderr
    assert "p.nnstudio" in r.stderr and "Traceback" not in r.stderr


def test_unreadable_data_file_exits_2(tmp_path):
    project = toy_project()
    project.data = {"source": "npz", "path": "missing.npz"}
    path = tmp_path / "p.nnstudio"
    save_project(project, path)
    r, _ = train(path)
    assert r.returncode == 2 and "missing.npz" in r.stderr and "Traceback" not in r.stderr
