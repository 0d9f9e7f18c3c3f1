"""A main window with its settings in a temporary folder; message boxes never block."""
from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox


def use_settings_in(folder) -> None:
    """Point QSettings at ``folder`` (a fresh install: default layout, no recent files)."""
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder))
    app = QApplication.instance()
    app.setOrganizationName("nnstudio-tests")
    app.setApplicationName("nnstudio")


def shown(qtbot, widget, width: int = 480, height: int = 360):
    """``widget`` shown on its own at the given size, exposed, and closed by qtbot after the test."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def close_window(w) -> None:
    w.trainer.timer.stop()
    w.trainer.close_session(store=False)
    w._ask_save = lambda: "discard"
    w.close()
    w.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QApplication.processEvents()
    gc.collect()


@pytest.fixture
def start_window(qtbot, tmp_path, monkeypatch):
    """The window as the app opens it without a project: on its start page."""
    use_settings_in(tmp_path / "settings")
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
    close_window(w)


@pytest.fixture
def window(start_window, qtbot):
    """The window after "New empty network" on its start page: an empty editor."""
    w = start_window
    assert w.on_start_page()
    qtbot.mouseClick(w.start_page.new_button, Qt.LeftButton)
    assert not w.on_start_page()
    return w
