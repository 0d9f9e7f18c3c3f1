"""Autosave every N seconds and the recovery offer after a crash (the storage is :mod:`nnstudio.io.recovery`).

The interval is the QSettings value ``autosave/interval_seconds`` (default 60 s, 0 = off), set under
File > Autosave interval...; ``$NNSTUDIO_AUTOSAVE_SECONDS`` overrides it (tests use a short one).
An autosave holds the unsaved edits and the last trained weights; a clean save or close removes it.
"""
from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QInputDialog, QLabel, QListWidget, QMessageBox, QVBoxLayout, QWidget,
)

from nnstudio.errors import NNStudioError
from nnstudio.io.recovery import AutosaveSlot, Recovered, discard, find_recoverable

DEFAULT_SECONDS = 60
SETTING = "autosave/interval_seconds"
WEIGHTS_WAIT = 1.0  # seconds the GUI waits at most for the worker's copy of the weights


def interval_seconds(settings: Any) -> int:
    """The autosave interval in seconds (0 = off)."""
    env = os.environ.get("NNSTUDIO_AUTOSAVE_SECONDS")
    raw = env if env else settings.value(SETTING, DEFAULT_SECONDS)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return DEFAULT_SECONDS
    return max(0, min(24 * 3600, int(round(value)) if value >= 1 or value == 0 else 1))


class Autosaver(QObject):
    """Writes the window's project to its autosave slot on a timer while something is unsaved."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.slot = AutosaveSlot()
        self.saved_step: int | None = None  # the training step the last autosave (or clean save) holds
        self.last_error = ""
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.autosave_now)
        self.apply_interval()
        self._add_menu_action()

    # --- settings ---------------------------------------------------------------------------------
    def apply_interval(self) -> None:
        seconds = interval_seconds(self.window.settings)
        self.timer.stop()
        if seconds > 0:
            self.timer.start(seconds * 1000)

    def set_interval(self, seconds: int) -> None:
        self.window.settings.setValue(SETTING, int(seconds))
        self.apply_interval()

    def _add_menu_action(self) -> None:
        menu = next((a.menu() for a in self.window.menuBar().actions() if a.menu() is not None), None)
        if menu is None:
            return
        self.menu_action = menu.addAction("Autosave &interval...")
        self.menu_action.setStatusTip("How often unsaved changes and trained weights are kept for crash recovery")
        quit_action = self.window.actions.get("quit")
        if quit_action is not None:  # above Quit, with the other file actions
            menu.removeAction(self.menu_action)
            menu.insertAction(quit_action, self.menu_action)
        self.menu_action.triggered.connect(self.ask_interval)

    def ask_interval(self) -> None:
        seconds, ok = QInputDialog.getInt(
            self.window, "Autosave", "Keep unsaved changes for crash recovery every (seconds, 0 = never):",
            interval_seconds(self.window.settings), 0, 24 * 3600, 10)
        if ok:
            self.set_interval(seconds)

    # --- writing ------------------------------------------------------------------------------------
    def _trained(self) -> tuple[int | None, Any]:
        """The live session's step and a copy of its weights (None when untrained or unreachable)."""
        session = self.window.trainer.session
        snap = session.latest_snapshot() if session is not None else None
        if snap is None or snap.step == 0:
            return None, None
        if snap.params is not None:  # a view asked for the weights: the snapshot already has a copy
            return snap.step, {nid: dict(t) for nid, t in snap.params.items()}
        try:
            return snap.step, session.weights(timeout=WEIGHTS_WAIT)
        except NNStudioError:
            return snap.step, None  # training is mid-chunk: the edits are kept now, the weights next time

    def autosave_now(self) -> bool:
        """Write the autosave if anything is unsaved; True if written."""
        w = self.window
        step, weights = self._trained()
        unsaved_training = step is not None and step != self.saved_step
        if not w.modified and not unsaved_training:
            return False
        project = dataclasses.replace(w.project, training=w.trainer.settings_dict(),
                                      weights=weights if weights is not None else w.project.weights, warnings=[])
        title = w.path.name if w.path else "untitled.nnstudio"
        try:
            self.slot.write(project, w.path, title)
        except (NNStudioError, OSError) as exc:  # a full disk must not stop the user's work
            self.last_error = str(exc)
            w.statusBar().showMessage(f"Autosave failed: {exc}", 8000)
            return False
        if weights is not None:
            self.saved_step = step
        return True

    def saved(self) -> None:
        """The project was saved cleanly: its autosave is no longer needed."""
        self.slot.remove()
        step, _ = self._trained()
        self.saved_step = step

    def closed(self) -> None:
        """The window closed cleanly (saved or changes discarded on purpose)."""
        self.timer.stop()
        self.slot.remove()


class RecoveryDialog(QDialog):
    """Lists what a crash left behind; Restore (the default, Return) or Discard."""

    def __init__(self, entries: list[Recovered], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore unsaved work?")
        self.entries = entries
        self.answer = "later"
        lay = QVBoxLayout(self)
        text = QLabel("nnstudio did not close properly last time. It kept these unsaved changes:")
        text.setWordWrap(True)
        lay.addWidget(text)
        self.list = QListWidget()
        self.list.setTextElideMode(Qt.ElideMiddle)  # a long path keeps its start and its file name
        self.list.setWordWrap(False)
        for e in entries:
            self.list.addItem(e.describe())
            self.list.item(self.list.count() - 1).setToolTip(e.describe())
        self.list.setCurrentRow(0)
        lay.addWidget(self.list)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton("Restore", QDialogButtonBox.AcceptRole)
        self.discard_button = buttons.addButton("Discard", QDialogButtonBox.DestructiveRole)
        self.restore_button.setDefault(True)
        self.restore_button.setToolTip("Open the selected autosave; it keeps its original file name for Save")
        self.discard_button.setToolTip("Delete every autosave listed here")
        self.restore_button.clicked.connect(lambda: self._done("restore"))
        self.discard_button.clicked.connect(lambda: self._done("discard"))
        lay.addWidget(buttons)
        self.resize(640, 260)

    def _done(self, answer: str) -> None:
        self.answer = answer
        self.accept()

    def chosen(self) -> Recovered:
        return self.entries[max(0, self.list.currentRow())]


def restore(window: Any, entry: Recovered) -> bool:
    """Open an autosave in ``window``: marked modified, with its original path for Save."""
    try:
        project = entry.load()
    except NNStudioError as exc:
        QMessageBox.warning(window, "Cannot restore", f"The autosave could not be read: {exc}")
        return False
    window._set_project(project, entry.original_path)
    window.hide_start_page()  # the restored work is shown, not the start page
    window.trainer.pending_weights = (project, project.weights) if project.weights else None  # Train goes on
    window.mark_modified()
    window.statusBar().showMessage(f"Restored unsaved work from {entry.describe()} - save it to keep it", 10000)
    discard(entry)
    window.autosave.autosave_now()  # protected again at once, now under this app's name
    return True


def offer_recovery(window: Any, ask: Callable[[list[Recovered]], tuple[str, Recovered | None]] | None = None) -> str:
    """At start: if a crash left autosaves, ask what to do with them; returns the answer."""
    entries = find_recoverable()
    if not entries:
        return "none"
    if ask is None:
        dlg = RecoveryDialog(entries, window)
        dlg.setWindowModality(Qt.ApplicationModal)
        dlg.exec()
        answer, chosen = dlg.answer, dlg.chosen()
    else:
        answer, chosen = ask(entries)
    if answer == "restore" and chosen is not None:
        if restore(window, chosen):
            return "restore"
    elif answer == "discard":
        for e in entries:
            discard(e)
    return answer


def start_recovery_offer(window: Any) -> None:
    """Offer recovery once the window is on screen (the event loop then runs the dialog)."""
    QTimer.singleShot(0, lambda: offer_recovery(window))
