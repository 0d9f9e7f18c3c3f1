"""Autosave and the recovery offer inside one process (the kill -9 story is in tests/e2e)."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from nnstudio.graph import Rename
from nnstudio.io import load_project
from nnstudio.io.recovery import autosave_dir, find_recoverable
from nnstudio.training import trainer_for_project
from nnstudio.ui import autosave as autosave_module
from nnstudio.ui.autosave import RecoveryDialog, offer_recovery
from tests.training.conftest import toy_project
from tests.ui.test_live_training import click_action, open_project, wait_state


@pytest.fixture(autouse=True)
def scratch_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSTUDIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NNSTUDIO_AUTOSAVE_SECONDS", raising=False)


def pretend_crashed(window) -> None:
    """Make the window's autosave look like one a killed app left (a pid that cannot run)."""
    meta = window.autosave.slot.meta_file
    doc = json.loads(meta.read_text())
    doc["pid"] = 2**22 + 12345  # above Linux's pid_max
    meta.write_text(json.dumps(doc))


def test_the_interval_is_a_setting_with_a_menu_entry(window, monkeypatch):
    assert window.autosave.timer.interval() == 60_000  # default: a minute
    window.autosave.set_interval(5)
    assert window.settings.value(autosave_module.SETTING) in (5, "5")
    assert window.autosave.timer.interval() == 5_000 and window.autosave.timer.isActive()
    monkeypatch.setattr(autosave_module.QInputDialog, "getInt", staticmethod(lambda *a, **k: (0, True)))
    window.autosave.menu_action.trigger()  # File > Autosave interval...: 0 turns it off
    assert not window.autosave.timer.isActive()
    file_menu = window.menuBar().actions()[0].menu()
    assert window.autosave.menu_action in file_menu.actions()


def test_edits_are_autosaved_atomically_and_a_clean_save_removes_them(window, tmp_path):
    open_project(window, tmp_path, toy_project())
    assert not window.autosave.autosave_now()  # nothing unsaved: nothing written
    assert not list(autosave_dir().glob("*")) if autosave_dir().exists() else True
    window.add_at_centre("Dense")
    assert window.autosave.autosave_now()
    saved = load_project(window.autosave.slot.project_file)
    assert len(saved.graph.nodes) == len(window.project.graph.nodes)
    assert not [p for p in autosave_dir().iterdir() if p.name.endswith((".tmp", ".bak"))]
    assert find_recoverable() == []  # this app is running: its own autosave is not offered
    QTest.keyClick(window.view.viewport(), Qt.Key_S, Qt.ControlModifier)
    assert not window.modified
    assert not window.autosave.slot.project_file.exists() and not window.autosave.slot.meta_file.exists()


def test_trained_weights_are_autosaved_and_restored_with_the_original_path(window, qtbot, tmp_path):
    open_project(window, tmp_path, toy_project())
    original = window.path
    click_action(window, window.trainer.step_action)
    wait_state(window, qtbot, ("paused",))
    click_action(window, window.trainer.epoch_action)
    qtbot.waitUntil(lambda: window.trainer.session.latest_snapshot().epoch == 1)
    window.trainer.session.wait(timeout=30)
    trained = window.trainer.session.weights(timeout=10)
    dense = next(n.id for n in window.project.graph.nodes.values() if n.kind == "Dense")
    window.scene.push(Rename(dense, "Kept"))  # an unsaved edit besides the training
    assert window.autosave.autosave_now()
    saved = load_project(window.autosave.slot.project_file)
    for nid, tensors in trained.items():
        for name, value in tensors.items():
            np.testing.assert_array_equal(saved.weights[nid][name], value)
    pretend_crashed(window)
    found = find_recoverable()
    assert len(found) == 1 and found[0].original_path == original and "net.nnstudio" in found[0].describe()

    # the "next start": a new project in the same window, then Restore
    window.new_project()
    assert offer_recovery(window, ask=lambda entries: ("restore", entries[0])) == "restore"
    assert window.path == original and window.modified
    assert window.windowTitle().startswith("net.nnstudio*")
    assert window.project.graph.nodes[dense].name == "Kept"
    assert find_recoverable() == []  # taken over by this app's own autosave
    assert window.autosave.slot.project_file.exists()
    # Step continues from the restored weights: one Adam step (lr 0.05) moves no weight further than that
    click_action(window, window.trainer.step_action)
    qtbot.waitUntil(lambda: window.trainer.session is not None and window.trainer.session.latest_snapshot()
                    is not None and window.trainer.session.latest_snapshot().step == 1, timeout=60_000)
    stepped = window.trainer.session.weights(timeout=10)[dense]["weight"]
    fresh = trainer_for_project(toy_project()).weights()[dense]["weight"]
    assert np.abs(fresh - trained[dense]["weight"]).max() > 0.1  # an epoch took them away from the start
    assert np.abs(stepped - trained[dense]["weight"]).max() < 0.051


def test_the_dialog_lists_what_was_found_and_discard_deletes_it(window, qtbot, tmp_path):
    open_project(window, tmp_path, toy_project())
    window.add_at_centre("Dense")
    window.autosave.autosave_now()
    pretend_crashed(window)
    entries = find_recoverable()
    dlg = RecoveryDialog(entries, window)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    text = dlg.list.item(0).text()
    assert "net.nnstudio" in text and str(window.path) in text and "autosaved" in text
    dlg.grab().save(os.environ.get("NNSTUDIO_SHOT", str(tmp_path / "recovery.png")))
    QTest.mouseClick(dlg.discard_button, Qt.LeftButton)
    assert dlg.answer == "discard"
    assert offer_recovery(window, ask=lambda e: ("discard", None)) == "discard"
    assert find_recoverable() == [] and not entries[0].project_file.exists()


def test_a_clean_close_removes_the_autosave(window, tmp_path):
    open_project(window, tmp_path, toy_project())
    window.add_at_centre("Dense")
    window.autosave.autosave_now()
    slot = window.autosave.slot
    assert slot.project_file.exists()
    window.close()  # the fixture's answer to "save changes?" is discard: a clean close
    assert not slot.project_file.exists() and not slot.meta_file.exists()
