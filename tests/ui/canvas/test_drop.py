"""Dropping kinds from the palette onto the canvas."""
from __future__ import annotations

from PySide6.QtCore import QPointF

from tests.ui.canvas.conftest import drop_kind, settle, vp


def test_drop_adds_the_node_centred_where_dropped_and_undo_redo(scene_view):
    scene, view, stack = scene_view
    at = vp(view, QPointF(420, 260))
    event = drop_kind(view, "Dense", at)
    assert event.isAccepted()
    (node,) = scene.graph.nodes.values()
    assert node.kind == "Dense"
    item = scene.node_item(node.id)
    body = item.mapRectToScene(item.body_rect())
    # centred under the pointer, give or take the 20 px grid
    assert abs(body.center().x() - 420) <= 10 and abs(body.center().y() - 260) <= 10
    assert node.pos[0] % 20 == 0 and node.pos[1] % 20 == 0
    assert scene.selected_node_ids() == [node.id]
    stack.undo()
    assert not scene.graph.nodes and not scene.node_items
    stack.redo()
    assert list(scene.graph.nodes) == [node.id]
    assert scene.node_item(node.id).pos() == item.pos()


def test_drop_of_other_data_or_unknown_kind_adds_nothing(scene_view):
    scene, view, stack = scene_view
    at = vp(view, QPointF(300, 150))
    drop_kind(view, "Dense", at, mime_type="text/plain")
    assert not scene.graph.nodes
    drop_kind(view, "Perceptron", at)
    settle()
    assert not scene.graph.nodes and stack.count() == 0
    assert "unknown node kind" in scene.last_message.lower()
    assert scene.message_item.isVisible() and "Perceptron" in scene.message_item.text()
