"""NaN and infinite node positions never reach Qt (issue 16: a NaN position crashed GraphView.paintEvent)."""
from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

import nnstudio as ns
from nnstudio.errors import GraphError
from nnstudio.graph import MoveNodes
from tests.ui.canvas.conftest import settle

BAD = [(math.nan, 0.0), (0.0, math.inf), (-math.inf, math.nan), (1e308, 5.0)]


@pytest.mark.parametrize("pos", BAD)
def test_the_model_refuses_a_non_finite_move_or_add(pos):
    g = ns.Graph()
    nid = g.add("Dense", units=3, pos=(10.0, 20.0))
    with pytest.raises(GraphError, match="position"):
        g.move(nid, pos)
    with pytest.raises(GraphError, match="position"):
        g.apply(MoveNodes({nid: pos}))
    assert g.nodes[nid].pos == (10.0, 20.0)
    with pytest.raises(GraphError, match="position"):
        g.add("Dense", units=3, pos=pos)
    assert len(g.nodes) == 1


def scene_is_finite(scene, view) -> bool:
    rects = [scene.sceneRect(), scene.itemsBoundingRect(), view.sceneRect()]
    rects += [i.sceneBoundingRect() for i in scene.items()]
    return all(all(math.isfinite(v) and abs(v) < 1e9 for v in (r.x(), r.y(), r.width(), r.height()))
               for r in rects)


@pytest.mark.parametrize("pos", BAD)
def test_a_non_finite_position_in_the_model_is_drawn_at_a_finite_place(scene_view, pos):
    scene, view, _ = scene_view
    g = scene.graph
    a = g.add("Input", shape=[2], pos=(0.0, 0.0))
    b = g.add("Dense", units=3, pos=(200.0, 0.0))
    g.connect(a, b)
    settle()
    g._set_pos(b, pos)  # what a script or an old file can do past the edits' checks
    settle()
    item = scene.node_items[b]
    assert math.isfinite(item.pos().x()) and math.isfinite(item.pos().y())
    c = g.add("Dense", units=2, pos=(400.0, 0.0))
    g._set_pos(c, pos)
    settle()
    view.fit()
    view.viewport().repaint()
    assert not view.grab().isNull()
    assert scene_is_finite(scene, view)
    # the canvas still answers the mouse: a drag of the well-placed Input moves it
    start = view.mapFromScene(scene.node_items[a].sceneBoundingRect().center())
    QTest.mousePress(view.viewport(), Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(view.viewport(), start + QPointF(30, 0).toPoint())
    QTest.mouseRelease(view.viewport(), Qt.LeftButton, Qt.NoModifier, start + QPointF(30, 0).toPoint())
    assert all(math.isfinite(v) for n in g.nodes.values() if n.id == a for v in n.pos)
