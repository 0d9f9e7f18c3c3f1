"""A restless user on the real main window: thousands of random clicks, drags, wheel turns and shortcuts.

Fixed seed, so a failure repeats. Counted: exceptions (pytest-qt's capture of exceptions raised in Qt
callbacks), Qt warnings (a message handler; the offscreen plugin's own notes are not ours) and hangs
(an action, with the events it caused, taking over ``HANG_S``). All must be 0; then undoing everything
gives back the graph the test started from. Dialogs that would block are answered at once.
"""
from __future__ import annotations

import random
import time

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, qInstallMessageHandler
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog, QMenu, QMessageBox

from tests.training.conftest import toy_project
from tests.ui.canvas.conftest import drag, drop_kind
from tests.ui.test_live_training import open_project

SEED = 20261202
ACTIONS = 5000
HANG_S = 2.0
MAX_NODES = 30  # past this, the monkey deletes and undoes rather than adds (keeps each action cheap)
KINDS = ("Dense", "Activation", "Dropout", "Input", "Output", "BatchNorm", "Add", "Concat")
KEYS = [  # (key, modifiers) - shortcuts of the window and the canvas, and keys a user leans on
    (Qt.Key_Delete, Qt.NoModifier), (Qt.Key_Backspace, Qt.NoModifier), (Qt.Key_Z, Qt.ControlModifier),
    (Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier), (Qt.Key_Y, Qt.ControlModifier),
    (Qt.Key_A, Qt.ControlModifier), (Qt.Key_C, Qt.ControlModifier), (Qt.Key_V, Qt.ControlModifier),
    (Qt.Key_X, Qt.ControlModifier), (Qt.Key_D, Qt.ControlModifier), (Qt.Key_F, Qt.NoModifier),
    (Qt.Key_Equal, Qt.ControlModifier), (Qt.Key_Minus, Qt.ControlModifier), (Qt.Key_L, Qt.ControlModifier),
    (Qt.Key_E, Qt.ControlModifier), (Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier), (Qt.Key_Escape, Qt.NoModifier),
    (Qt.Key_Space, Qt.NoModifier), (Qt.Key_Tab, Qt.NoModifier), (Qt.Key_F1, Qt.NoModifier),
]
TRAINING_KEYS = [Qt.Key_F5, Qt.Key_F6, Qt.Key_F7]
OFFSCREEN_NOTES = ("This plugin does not support", "QFont::", "propagateSizeHints")


def spread(project):
    for i, nid in enumerate(project.graph.topological_order()):
        project.graph.move(nid, (240.0 * i, 40.0 * (i % 2)))
    return project


@pytest.fixture
def quiet_dialogs(monkeypatch):
    """Every dialog answers at once (a real one would block the offscreen run)."""
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda *a, **k: QMessageBox.Ok))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.No))
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *a, **k: (0, False)))
    monkeypatch.setattr(QDialog, "exec", lambda self: QDialog.Rejected)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.Cancel)
    monkeypatch.setattr(QMenu, "exec", lambda self, *a, **k: None)


class Warnings:
    """Counts Qt warnings and criticals (not the offscreen plugin's notes), passing everything on."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.previous = qInstallMessageHandler(self)

    def __call__(self, mode, context, message) -> None:
        from PySide6.QtCore import QtMsgType

        if mode in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) \
                and not any(n in message for n in OFFSCREEN_NOTES):
            self.seen.append(message)
        if self.previous is not None:
            self.previous(mode, context, message)

    def remove(self) -> None:
        qInstallMessageHandler(self.previous)


class Monkey:
    def __init__(self, window, rng: random.Random) -> None:
        self.w = window
        self.rng = rng
        self.view = window.view
        self.vp = window.view.viewport()
        self.counts: dict[str, int] = {}

    def point(self) -> QPoint:
        return QPoint(self.rng.randrange(5, self.vp.width() - 5), self.rng.randrange(5, self.vp.height() - 5))

    def node_point(self) -> QPoint:
        items = list(self.w.scene.node_items.values())
        if not items:
            return self.point()
        item = self.rng.choice(items)
        return self.view.mapFromScene(item.sceneBoundingRect().center())

    def act(self) -> str:
        r = self.rng.random()
        many = len(self.w.project.graph.nodes) >= MAX_NODES
        if r < 0.16:
            name = "click"
            QTest.mouseClick(self.vp, Qt.LeftButton, self.rng.choice([Qt.NoModifier, Qt.ShiftModifier,
                                                                     Qt.ControlModifier]),
                             self.node_point() if self.rng.random() < 0.6 else self.point())
        elif r < 0.20:
            name = "double-click"
            QTest.mouseDClick(self.vp, Qt.LeftButton, Qt.NoModifier, self.node_point())
        elif r < 0.22:
            name = "right-click"
            QTest.mouseClick(self.vp, Qt.RightButton, Qt.NoModifier, self.node_point())
        elif r < 0.36:
            name = "drag"
            drag(self.view, self.node_point() if self.rng.random() < 0.7 else self.point(), self.point(),
                 steps=self.rng.randint(1, 4))
        elif r < 0.44:
            name = "wire"
            items = list(self.w.scene.node_items.values())
            outs = [i for i in items if i.out_port is not None]
            ins = [i for i in items if i.in_port is not None]
            if outs and ins:
                a, b = self.rng.choice(outs), self.rng.choice(ins)
                drag(self.view, self.view.mapFromScene(a.out_port.scenePos()),
                     self.view.mapFromScene(b.in_port.scenePos()), steps=3)
        elif r < 0.50:
            name = "palette drop"
            if not many:
                drop_kind(self.view, self.rng.choice(KINDS), self.point())
        elif r < 0.56:
            name = "wheel"
            at = QPointF(self.point())
            ev = QWheelEvent(at, QPointF(self.vp.mapToGlobal(at.toPoint())), QPoint(0, 0),
                             QPoint(0, self.rng.choice([-240, -120, 120, 240])), Qt.NoButton, Qt.NoModifier,
                             Qt.NoScrollPhase, False)
            QApplication.sendEvent(self.vp, ev)
        elif r < 0.62:
            name = "pan"
            drag(self.view, self.point(), self.point(), button=Qt.MiddleButton, steps=2)
        elif r < 0.70:
            name = "undo/redo"
            key = (Qt.Key_Z, Qt.ControlModifier) if self.rng.random() < 0.6 else \
                (Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
            QTest.keyClick(self.vp, *key)
        elif r < 0.88:
            name = "shortcut"
            key, mods = self.rng.choice(KEYS)
            if many and key in (Qt.Key_V, Qt.Key_D):
                key, mods = Qt.Key_Delete, Qt.NoModifier
            QTest.keyClick(self.vp, key, mods)
        elif r < 0.95:
            name = "training key"
            QTest.keyClick(self.vp, self.rng.choice(TRAINING_KEYS))
        else:
            name = "training button"
            tc = self.w.trainer
            action = self.rng.choice([tc.train_action, tc.step_action, tc.epoch_action, tc.stop_action,
                                      tc.reset_action])
            button = self.w.training_toolbar.widgetForAction(action)
            QTest.mouseClick(button, Qt.LeftButton)
        self.counts[name] = self.counts.get(name, 0) + 1
        return name


# about 80 s of CPU; on a loaded 2-core machine the wall time was 4 minutes, hence the own timeout
@pytest.mark.timeout(900)
def test_monkey_on_the_main_window(window, qtbot, tmp_path, quiet_dialogs):
    open_project(window, tmp_path, spread(toy_project("xor", n=200, epochs=100_000)))
    window.undo_stack.clear()
    original = window.project.graph.to_records()
    window.activateWindow()
    window.view.setFocus()
    rng = random.Random(SEED)
    monkey = Monkey(window, rng)
    hangs: list[tuple[int, str, float]] = []
    warnings = Warnings()
    began = time.monotonic()
    try:
        with qtbot.capture_exceptions() as exceptions:
            for i in range(ACTIONS):
                t0 = time.perf_counter()
                name = monkey.act()
                QApplication.processEvents()
                if i % 25 == 0:  # the views' timer and the analysis run as they would between clicks
                    qtbot.wait(1)
                took = time.perf_counter() - t0
                if took > HANG_S:
                    hangs.append((i, name, took))
                if exceptions:
                    break
            tc = window.trainer
            if tc.session is not None:
                tc.session.pause()
                assert tc.session.wait(timeout=30), "the training worker did not settle"
            QApplication.processEvents()
    finally:
        warnings.remove()
        QApplication.clipboard().clear()  # mime data left on the offscreen clipboard crashes teardown
    elapsed = time.monotonic() - began
    print(f"monkey: {ACTIONS} actions in {elapsed:.1f} s: {monkey.counts}; "
          f"{len(window.project.graph.nodes)} nodes, {window.undo_stack.count()} undo steps")
    assert [f"{type(e[1]).__name__}: {e[1]}" for e in exceptions] == []
    assert warnings.seen == []
    assert hangs == []
    assert sum(monkey.counts.values()) == ACTIONS and monkey.counts.get("wire", 0) > 100
    assert window.undo_stack.count() > 50  # the monkey really edited

    while window.undo_stack.canUndo():
        window.undo_stack.undo()
    QApplication.processEvents()
    assert window.project.graph.to_records() == original
