"""A scene and view on an empty graph, shown offscreen, plus helpers that send real mouse and drag events."""
from __future__ import annotations

import warnings

import pytest
from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import nnstudio as ns
from nnstudio.ui.canvas import KIND_MIME, GraphScene, GraphView

@pytest.fixture
def scene_view(qtbot):
    """(scene, view, undo stack) on an empty graph; the view is 1000x700 and centred on (300, 150)."""
    g = ns.Graph()
    stack = QUndoStack()
    scene = GraphScene(g, stack)
    view = GraphView(scene)
    view.resize(1000, 700)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.centerOn(QPointF(300, 150))
    view.setFocus()
    yield scene, view, stack
    stack.clear()
    # mime data left on the offscreen clipboard crashes Qt's teardown at exit
    QApplication.clipboard().clear()


def settle() -> None:
    """Let the zero-delay analysis timer run (it coalesces a batch of model events)."""
    QApplication.processEvents()


def vp(view, scene_point: QPointF) -> QPoint:
    """Viewport pixel of a scene point."""
    return view.mapFromScene(scene_point)


def centre_of(view, item) -> QPoint:
    return vp(view, item.mapRectToScene(item.body_rect()).center())


def port_pos(view, port) -> QPoint:
    return vp(view, port.scenePos())


def drag(view, a: QPoint, b: QPoint, button=Qt.LeftButton, modifier=Qt.NoModifier, steps: int = 6) -> None:
    """Press at a, move in steps, release at b - on the view's viewport, like a hand would."""
    w = view.viewport()
    QTest.mousePress(w, button, modifier, a)
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        move(view, p, button, modifier)
    QTest.mouseRelease(w, button, modifier, b)


def move(view, p: QPoint, buttons=Qt.LeftButton, modifier=Qt.NoModifier) -> None:
    """A mouse move with a button held (QTest.mouseMove sends none, which Qt's item dragging needs)."""
    from PySide6.QtGui import QMouseEvent

    w = view.viewport()
    ev = QMouseEvent(QMouseEvent.MouseMove, QPointF(p), QPointF(w.mapToGlobal(p)), Qt.NoButton, buttons, modifier)
    QApplication.sendEvent(w, ev)


def drop_kind(view, kind: str, at: QPoint, mime_type: str = KIND_MIME) -> QDropEvent:
    """What a palette drag delivers: drag-enter, drag-move and drop events carrying the kind name."""
    mime = QMimeData()
    mime.setData(mime_type, QByteArray(kind.encode("utf-8")))
    w = view.viewport()
    with warnings.catch_warnings():  # PySide flags the QPoint constructors; Qt 6 has no other
        warnings.simplefilter("ignore", DeprecationWarning)
        for cls in (QDragEnterEvent, QDragMoveEvent):
            QApplication.sendEvent(w, cls(at, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    drop = QDropEvent(QPointF(at), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(w, drop)
    return drop


def add(scene, kind: str, x: float, y: float, **params) -> str:
    """Add a node through the scene (undoable), top-left at (x, y)."""
    return scene.add_node_at(kind, QPointF(x, y), **params)


def chain(scene, *specs) -> list[str]:
    """Add nodes left to right, 280 apart, wired in a chain; returns their ids."""
    ids = []
    for i, (kind, params) in enumerate(specs):
        ids.append(add(scene, kind, i * 280, 0, **params))
        if i:
            scene.graph.connect(ids[-2], ids[-1])
    settle()
    return ids
