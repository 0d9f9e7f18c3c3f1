"""File > Export...: the dialog writes the chosen format with the session's or the initial weights."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from nnstudio.io import Project, save_project
from tests.conftest import build_mlp

DATA = {"source": "toy", "name": "xor", "n": 80, "noise": 0.1, "seed": 0, "val_ratio": 0.25,
        "features": ["x1", "x2"]}


@pytest.fixture
def opened(window, tmp_path):
    g, ids = build_mlp((2, 5, 2), loss="cross_entropy")
    path = save_project(Project(graph=g, data=dict(DATA), training={"batch_size": 8, "epochs": 3}),
                        tmp_path / "xor.nnstudio")
    assert window.open_path(path)
    return window, ids


def _open_dialog(window, qtbot):
    file_menu = window.menuBar().actions()[0].menu()
    action = next(a for a in file_menu.actions() if a.text() == "&Export...")
    action.trigger()
    dialog = window.export_dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_export_dialog_writes_onnx_with_initial_weights(opened, qtbot, tmp_path, monkeypatch):
    window, ids = opened
    target = tmp_path / "chosen"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog = _open_dialog(window, qtbot)
    assert "initial weights" in dialog.source_label.text()
    assert dialog.path_edit.text() == str(tmp_path / "xor.py")
    qtbot.keyClick(dialog.format_box, Qt.Key_Down)  # pytorch -> onnx
    assert dialog.fmt == "onnx" and dialog.path_edit.text() == str(tmp_path / "xor.onnx")
    qtbot.mouseClick(dialog.browse_button, Qt.LeftButton)
    assert dialog.path_edit.text() == str(target) + ".onnx"
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert (tmp_path / "chosen.onnx").stat().st_size > 0
    assert dialog.result_label.text().splitlines()[:2] == ["Wrote:", str(tmp_path / "chosen.onnx")]
    dialog.grab().save(str(tmp_path / "export-dialog.png"))


def test_export_dialog_uses_the_session_weights_after_training(opened, qtbot, tmp_path):
    window, ids = opened
    window.trainer.step_action.trigger()  # one training step
    qtbot.waitUntil(lambda: window.trainer.session is not None and window.trainer.session.latest_snapshot()
                    is not None and window.trainer.session.latest_snapshot().step >= 1, timeout=120_000)
    trained = window.trainer.session.weights()
    dialog = _open_dialog(window, qtbot)
    assert "trained in this session" in dialog.source_label.text()
    for _ in range(2):
        qtbot.keyClick(dialog.format_box, Qt.Key_Down)  # -> npz
    assert dialog.fmt == "npz"
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    with np.load(tmp_path / "xor.npz") as npz:
        np.testing.assert_array_equal(npz["Dense 1.weight"], trained[ids["dense0"]]["weight"])


def test_export_dialog_shows_why_an_invalid_network_cannot_be_exported(opened, qtbot, tmp_path):
    window, ids = opened
    window.project.graph.add("Dense", name="Lonely")
    dialog = _open_dialog(window, qtbot)
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    text = dialog.result_label.text()
    assert text.startswith("Nothing was exported") and "Lonely: Dense has nothing connected" in text
    assert not list(tmp_path.glob("xor*.py")) and dialog.isVisible()
