"""A project whose data lies outside its folder is read only after the user has seen the path and agreed."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from nnstudio.io import load_project, save_project

EXAMPLE = "nnstudio/resources/examples/xor.nnstudio"


def _project_reading(tmp_path, data_path) -> "Path":  # noqa: F821
    project = load_project(EXAMPLE)
    project.data = {"source": "npz", "path": str(data_path), "x": "X", "y": "y"}
    folder = tmp_path / "proj"
    folder.mkdir()
    return save_project(project, folder / "p.nnstudio")


def _answer_with(qtbot, button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """Click ``button`` of the question box as soon as it is shown (it is modal)."""
    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        qtbot.mouseClick(box.button(button), Qt.LeftButton)
    QTimer.singleShot(20, click)


def test_outside_data_is_asked_for_and_a_no_reads_nothing(window, qtbot, tmp_path):
    outside = tmp_path / "elsewhere" / "d.npz"
    outside.parent.mkdir()
    rng = np.random.default_rng(0)
    np.savez(outside, X=rng.normal(size=(40, 2)).astype(np.float32), y=rng.integers(0, 2, 40))
    path = _project_reading(tmp_path, outside)

    seen: list[str] = []
    _answer_with(qtbot, QMessageBox.No, seen)
    window.open_path(path, ask=False)
    assert len(seen) == 1 and str(outside) in seen[0] and "outside its own folder" in seen[0]
    assert window.data_panel.dataset is None or window.data_panel.dataset.spec.get("source") != "npz"
    shown = window.data_panel.error.text().replace("\u200b", "")  # zero-width spaces let the path wrap
    assert "not loaded" in shown and str(outside) in shown
    QApplication.processEvents()
    window.data_panel.grab().save("/tmp/robust-files-outside-refused.png")

    _answer_with(qtbot, QMessageBox.Yes, seen)
    window.open_path(path, ask=False)
    assert len(seen) == 2
    assert window.data_panel.dataset.spec["source"] == "npz" and window.data_panel.dataset.n == 40

    # remembered: the third open does not ask again
    asked = []
    QMessageBox_question = QMessageBox.question
    try:
        QMessageBox.question = lambda *a, **k: asked.append(a) or QMessageBox.No
        window.open_path(path, ask=False)
    finally:
        QMessageBox.question = QMessageBox_question
    assert asked == [] and window.data_panel.dataset.spec["source"] == "npz"


def test_data_inside_the_project_folder_is_not_asked_for(window, tmp_path, monkeypatch):
    folder = tmp_path / "proj"
    rng = np.random.default_rng(1)
    project = load_project(EXAMPLE)
    folder.mkdir()
    np.savez(folder / "d.npz", X=rng.normal(size=(30, 2)).astype(np.float32), y=rng.integers(0, 2, 30))
    project.data = {"source": "npz", "path": "d.npz"}
    path = save_project(project, folder / "p.nnstudio")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (_ for _ in ()).throw(AssertionError("asked")))
    window.open_path(path, ask=False)
    assert window.data_panel.dataset.spec["source"] == "npz"
