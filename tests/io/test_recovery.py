"""Autosave slots and what a crash leaves behind (no Qt)."""
from __future__ import annotations

import json

from nnstudio.io import Project
from nnstudio.io.recovery import AutosaveSlot, data_dir, discard, find_recoverable
from tests.conftest import build_mlp

DEAD_PID = 2**22 + 999  # above Linux's pid_max: no process has it


def project() -> Project:
    g, _ = build_mlp()
    return Project(graph=g, data={"source": "toy", "name": "xor", "n": 100})


def test_the_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSTUDIO_DATA_DIR", str(tmp_path / "d"))
    assert data_dir() == tmp_path / "d"
    monkeypatch.delenv("NNSTUDIO_DATA_DIR")
    assert "nnstudio" in str(data_dir())


def test_a_running_apps_slot_is_not_offered_a_dead_ones_is(tmp_path):
    slot = AutosaveSlot(tmp_path)
    slot.write(project(), tmp_path / "orig.nnstudio", "orig.nnstudio")
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".nnstudio"]  # no .bak, no .tmp
    assert find_recoverable(tmp_path) == []
    meta = json.loads(slot.meta_file.read_text())
    meta["pid"] = DEAD_PID
    slot.meta_file.write_text(json.dumps(meta))
    [entry] = find_recoverable(tmp_path)
    assert entry.original_path == tmp_path / "orig.nnstudio" and entry.title == "orig.nnstudio"
    assert entry.load().graph == project().graph
    discard(entry)
    assert list(tmp_path.iterdir()) == []


def test_damaged_or_half_left_descriptions_are_skipped(tmp_path):
    (tmp_path / "a.json").write_text("{not json")
    (tmp_path / "b.json").write_text(json.dumps({"pid": DEAD_PID, "saved_at": 1.0}))  # its project is missing
    (tmp_path / "c.json").write_text(json.dumps({"pid": "x", "saved_at": 1.0}))
    assert find_recoverable(tmp_path) == []
    assert find_recoverable(tmp_path / "missing") == []


def test_remove_forgets_the_slot(tmp_path):
    slot = AutosaveSlot(tmp_path)
    slot.write(project(), None, "untitled.nnstudio")
    slot.remove()
    assert list(tmp_path.iterdir()) == []
    slot.remove()  # twice is fine
