"""A scene and view on a small graph, shown offscreen, plus helpers that send real mouse events."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest

import nnstudio as ns
from nnstudio.ui.canvas import GraphScene, GraphView


@pytest.fixture
def scene_view(qtbot):
    g = ns.Graph()
    stack = QUndoStack()
    scene = GraphScene(g, stack)
    view = GraphView(scene)
    view.resize(1000, 700)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.centerOn(QPointF(300, 150))
    return scene, view, stack


def vp(view, scene_point) -> QPoint:
    return view.mapFromScene(scene_point)


def drag(view, a: QPoint, b: QPoint, button=Qt.LeftButton, modifier=Qt.NoModifier, steps: int = 6) -> None:
    """Press at a, move in steps, release at b - on the view's viewport, like a hand would."""
    w = view.viewport()
    QTest.mousePress(w, button, modifier, a)
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        QTest.mouseMove(w, p)
    QTest.mouseRelease(w, button, modifier, b)


def port_pos(view, port) -> QPoint:
    return vp(view, port.scenePos())
