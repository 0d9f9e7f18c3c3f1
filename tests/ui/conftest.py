"""A main window with its settings in a temporary folder; message boxes never block."""
from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication, QMessageBox


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    app = QApplication.instance()
    app.setOrganizationName("nnstudio-tests")
    app.setApplicationName("nnstudio")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]) or QMessageBox.Ok)
    from nnstudio.ui.main_window import MainWindow

    w = MainWindow()
    w.messages = shown
    # A modal "save changes?" box would block an offscreen run; tests that ask replace this.
    w._ask_save = lambda: "discard"
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.trainer.timer.stop()
    w.trainer.close_session(store=False)
    w._ask_save = lambda: "discard"
    w.close()
    w.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QApplication.processEvents()
    gc.collect()
