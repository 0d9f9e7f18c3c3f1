"""Starts the real app (``nnstudio.app.run_gui``) and plays one half of the crash-recovery story.

Run by ``test_autosave_recovery.py`` as ``python recovery_driver.py PHASE PROJECT``:

``edit``     opens PROJECT, adds a Dense layer named ``RecoverMe`` through the canvas's own edit path
             (the palette's add-at-centre), prints ``EDITED``, then idles until the test kills it (-9).
``restore``  starts the app with no project; when the recovery dialog appears, presses Return on it
             (a real key event: Restore is the default button), prints what the window then holds as
             one JSON line, and quits (discarding, which is a clean close: the autosave goes).
"""
from __future__ import annotations

import json
import sys
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

DEADLINE = time.monotonic() + 120


def main_window(app: QApplication) -> Any:
    from nnstudio.ui.main_window import MainWindow

    return next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)


def edit_phase(app: QApplication) -> None:
    w = main_window(app)
    if w is None:
        return
    timer.stop()
    w.add_at_centre("Dense")
    nid = list(w.project.graph.nodes)[-1]
    w.project.graph.rename(nid, "RecoverMe")
    print("EDITED", flush=True)


def restore_phase(app: QApplication) -> None:
    from nnstudio.ui.autosave import RecoveryDialog

    dlg = app.activeModalWidget()
    if isinstance(dlg, RecoveryDialog):
        print("DIALOG " + json.dumps([dlg.list.item(i).text() for i in range(dlg.list.count())]), flush=True)
        QTest.keyClick(dlg, Qt.Key_Return)
        QTimer.singleShot(500, lambda: report(app))
        timer.stop()


def report(app: QApplication) -> None:
    w = main_window(app)
    g = w.project.graph
    print("RESULT " + json.dumps({
        "names": [n.name for n in g.nodes.values()], "modified": w.modified,
        "path": str(w.path) if w.path else None, "title": w.windowTitle(),
    }), flush=True)
    w._ask_save = lambda: "discard"
    w.close()


def tick() -> None:
    if time.monotonic() > DEADLINE:
        print("driver: timed out", file=sys.stderr, flush=True)
        app.exit(3)
        return
    (edit_phase if phase == "edit" else restore_phase)(app)


if __name__ == "__main__":
    phase = sys.argv[1]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    timer = QTimer(interval=100)
    timer.timeout.connect(tick)
    timer.start()
    from nnstudio.app import run_gui

    raise SystemExit(run_gui(sys.argv[2:]))
