"""Building a whole network with the mouse alone: drop, wire, check, undo everything.

(``drop_kind`` is also imported from here by the main window's tests.)
"""
from __future__ import annotations

from PySide6.QtCore import QPointF

from tests.ui.canvas.conftest import drag, drop_kind, port_pos, settle, vp

__all__ = ["drop_kind"]


def test_build_input_dense_activation_output_by_hand(scene_view):
    scene, view, stack = scene_view
    view.resize(1200, 500)
    view.centerOn(QPointF(500, 100))
    kinds = ["Input", "Dense", "Activation", "Output"]
    for i, kind in enumerate(kinds):
        drop_kind(view, kind, vp(view, QPointF(100 + 280 * i, 100)))
    ids = list(scene.graph.nodes)
    assert [scene.graph.nodes[n].kind for n in ids] == kinds
    for a, b in zip(ids, ids[1:]):
        drag(view, port_pos(view, scene.node_item(a).out_port), port_pos(view, scene.node_item(b).in_port))
    settle()
    assert [(e.src, e.dst) for e in scene.graph.edges.values()] == list(zip(ids, ids[1:]))
    scene.set_param(ids[-1], "loss", "mse")
    scene.set_param(ids[1], "units", 1)
    settle()
    assert scene.analysis.ok
    assert all(scene.node_item(n).problem is None for n in ids)
    assert "3 parameters" in scene.node_item(ids[1]).lines()  # 2 weights + bias for the default [2] input
    n = stack.count()
    for _ in range(n):
        stack.undo()  # the window owns the Undo action; the stack is what it triggers
    assert not scene.graph.nodes and not scene.node_items and not scene.edge_items
