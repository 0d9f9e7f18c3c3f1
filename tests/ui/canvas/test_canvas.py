"""The canvas through real mouse and key events on the view's viewport."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnstudio.graph import TargetSpec
from nnstudio.ui.canvas import KIND_MIME
from nnstudio.ui.canvas.layout import layered_positions
from tests.conftest import build_cnn, build_mlp
from tests.ui.canvas.conftest import drag, port_pos, vp


def drop_kind(view, kind: str, at: QPoint) -> None:
    """What a palette drag delivers: drag-enter, drag-move and drop events carrying KIND_MIME."""
    mime = QMimeData()
    mime.setData(KIND_MIME, QByteArray(kind.encode()))
    w = view.viewport()
    for cls in (QDragEnterEvent, QDragMoveEvent):
        ev = cls(at, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(w, ev)
    drop = QDropEvent(QPointF(at), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(w, drop)


def add(scene, kind, x, y, **params):
    return scene.add_node_at(kind, QPointF(x, y), **params)


def test_drop_from_palette_adds_node_where_dropped_and_undo_redo(scene_view):
    scene, view, stack = scene_view
    at = vp(view, QPointF(200, 100))
    drop_kind(view, "Dense", at)
    assert len(scene.graph.nodes) == 1
    node = next(iter(scene.graph.nodes.values()))
    assert node.kind == "Dense"
    item = scene.node_items[node.id]
    assert item.sceneBoundingRect().adjusted(-30, -30, 30, 30).contains(view.mapToScene(at))
    stack.undo()
    assert not scene.graph.nodes and not scene.node_items
    stack.redo()
    assert [n.kind for n in scene.graph.nodes.values()] == ["Dense"]


def test_wire_port_to_port_and_refuse_a_wrong_one(scene_view):
    scene, view, stack = scene_view
    x = add(scene, "Input", 0, 100, shape=[2])
    d = add(scene, "Dense", 300, 100)
    drag(view, port_pos(view, scene.node_items[x].out_port), port_pos(view, scene.node_items[d].in_port))
    assert [(e.src, e.dst) for e in scene.graph.edges.values()] == [(x, d)]
    assert len(scene.edge_items) == 1
    # the Input takes no wires: dropping on it is refused with the reason, nothing changes
    drag(view, port_pos(view, scene.node_items[d].out_port), vp(view, scene.node_items[x].sceneBoundingRect().center()))
    assert len(scene.graph.edges) == 1
    assert "Cannot connect" in scene.last_message
    stack.undo()
    assert not scene.graph.edges and not scene.edge_items


def test_drag_moves_node_snapped_and_undo_restores(scene_view):
    scene, view, stack = scene_view
    nid = add(scene, "Dense", 100, 100)
    item = scene.node_items[nid]
    start = vp(view, item.sceneBoundingRect().center() + QPointF(0, 10))
    drag(view, start, start + QPoint(133, 57))
    x, y = scene.graph.nodes[nid].pos
    assert (x, y) != (100.0, 100.0)
    assert x % 20 == 0 and y % 20 == 0
    assert (item.pos().x(), item.pos().y()) == (x, y)
    stack.undo()
    assert scene.graph.nodes[nid].pos == (100.0, 100.0)
    assert (item.pos().x(), item.pos().y()) == (100.0, 100.0)


def test_rubber_band_selects_enclosed_and_delete_removes_with_wires(scene_view):
    scene, view, stack = scene_view
    g, _ = build_mlp((2, 4, 1))
    for nid, pos in layered_positions(g).items():
        g.move(nid, pos)
    scene.set_graph(g)
    before = g.to_records()
    ids = list(g.nodes)
    inside = ids[1:3]  # the first Dense and its activation
    rect = scene.node_items[inside[0]].sceneBoundingRect().united(scene.node_items[inside[1]].sceneBoundingRect())
    view.centerOn(rect.center())
    a = vp(view, rect.topLeft() - QPointF(15, 25))
    b = vp(view, rect.bottomRight() + QPointF(15, 25))
    drag(view, a, b)
    assert sorted(scene.selected_node_ids()) == sorted(inside)
    QTest.keyClick(view.viewport(), Qt.Key_Delete)
    assert not set(inside) & set(g.nodes)
    assert all(e.src not in inside and e.dst not in inside for e in g.edges.values())
    stack.undo()
    assert g.to_records() == before


def test_copy_paste_keeps_internal_wires_and_works_across_scenes(scene_view, qtbot):
    scene, view, stack = scene_view
    a = add(scene, "Dense", 0, 0, units=3)
    b = add(scene, "Activation", 240, 0, function="relu")
    scene.graph.connect(a, b)
    scene.select_nodes([a, b])
    view.setFocus()
    QTest.keyClick(view.viewport(), Qt.Key_C, Qt.ControlModifier)
    QTest.keyClick(view.viewport(), Qt.Key_V, Qt.ControlModifier)
    assert len(scene.graph.nodes) == 4 and len(scene.graph.edges) == 2
    pasted = scene.selected_node_ids()
    assert sorted(scene.graph.nodes[n].kind for n in pasted) == ["Activation", "Dense"]
    assert scene.graph.nodes[[n for n in pasted if scene.graph.nodes[n].kind == "Dense"][0]].params["units"] == 3
    text = QApplication.clipboard().text()
    assert json.loads(text)["format"] == "nnstudio-fragment"
    # another window's scene pastes the same clipboard
    from PySide6.QtGui import QUndoStack

    import nnstudio as ns
    from nnstudio.ui.canvas import GraphScene, GraphView

    other = GraphScene(ns.Graph(), QUndoStack())
    other_view = GraphView(other)
    qtbot.addWidget(other_view)
    other_view.actions_by_name["paste"].trigger()
    assert len(other.graph.nodes) == 2 and len(other.graph.edges) == 1
    stack.undo()
    assert len(scene.graph.nodes) == 2


def test_wheel_zoom_and_fit(scene_view):
    scene, view, stack = scene_view
    add(scene, "Dense", -900, -500)
    add(scene, "Dense", 1200, 800)
    z0 = view.zoom_level()
    from PySide6.QtGui import QWheelEvent

    centre = QPointF(view.viewport().rect().center())
    ev = QWheelEvent(centre, view.viewport().mapToGlobal(centre), QPoint(0, 0), QPoint(0, 240), Qt.NoButton,
                     Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), ev)
    assert view.zoom_level() > z0
    view.setFocus()
    QTest.keyClick(view.viewport(), Qt.Key_F)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for item in scene.node_items.values():
        assert visible.contains(item.sceneBoundingRect())


def test_invalid_node_marked_with_reason_and_fix_clears_it(scene_view):
    scene, view, stack = scene_view
    g, ids = build_cnn()
    scene.set_graph(g)
    flat = ids["flat"]
    g.remove(flat)
    g.connect(ids["pool2"], ids["dense"])
    QApplication.processEvents()
    item = scene.node_items[ids["dense"]]
    assert item.problem and "Flatten" in item.problem
    assert "Flatten" in item.toolTip()
    stack.clear()
    scene.set_param(ids["dense"], "units", 10)
    f = scene.add_node_at("Flatten", QPointF(0, 0))
    edge = [e.id for e in g.edges.values() if e.dst == ids["dense"]][0]
    g.disconnect(edge)
    g.connect(ids["pool2"], f)
    g.connect(f, ids["dense"])
    QApplication.processEvents()
    assert item.problem is None
    assert "out 400" in scene.node_items[f].lines()  # 16 channels x 5 x 5 laid out flat


def test_labels_show_shape_and_parameter_count(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 8, 1))
    scene.set_graph(g)
    lines = scene.node_items[ids["dense0"]].lines()
    assert "units 8" in lines and "out 8" in lines and "24 parameters" in lines
    labels = {scene.edge_items[e.id].label.text() for e in g.edges.values() if e.src == ids["dense0"]}
    assert labels == {"8"}
    scene.set_target(TargetSpec("classification", 3, (2,)))
    QApplication.processEvents()
    assert scene.node_items[ids["output"]].problem is not None  # 1 output for 3 classes


def test_expand_and_collapse_dense_with_undo_and_weight_pens(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 4, 1))
    scene.set_graph(g)
    before = g.to_records()
    scene.select_nodes([ids["dense0"]])
    view.setFocus()
    QTest.keyClick(view.viewport(), Qt.Key_E, Qt.ControlModifier)
    neurons = [n for n in g.nodes.values() if n.kind == "Neuron"]
    assert len(neurons) == 4 and ids["dense0"] not in g.nodes
    assert all(len(g.in_edges(n.id)) == 1 for n in neurons)
    # weights drawn on the wires into the neurons
    params = {n.id: {"weight": np.array([[0.1 * (i + 1), -0.5]]), "bias": np.zeros(1)} for i, n in enumerate(neurons)}
    scene.set_neuron_weights(params)
    wires = [scene.edge_items[e.id] for n in neurons for e in g.in_edges(n.id)]
    assert all(w.weight is not None for w in wires)
    assert len({round(w.pen().widthF(), 3) for w in wires}) > 1
    scene.select_nodes([neurons[0].id])
    QTest.keyClick(view.viewport(), Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    assert not [n for n in g.nodes.values() if n.kind == "Neuron"]
    dense = [n for n in g.nodes.values() if n.kind == "Dense" and n.params["units"] == 4]
    assert len(dense) == 1
    stack.undo()
    assert len([n for n in g.nodes.values() if n.kind == "Neuron"]) == 4
    stack.undo()
    assert g.to_records() == before


def test_layout_is_left_to_right_by_depth():
    g, ids = build_mlp((2, 4, 4, 1))
    pos = layered_positions(g)
    order = g.topological_order()
    xs = [pos[n][0] for n in order]
    assert xs == sorted(xs) and len(set(xs)) == len(order)


def test_thumbnails_drawn_on_neurons(scene_view):
    scene, view, stack = scene_view
    n = add(scene, "Neuron", 0, 0)
    scene.set_neuron_thumbnails({n: np.outer(np.linspace(-1, 1, 16), np.ones(16))})
    assert scene.node_items[n].thumbnail is not None and scene.node_items[n].thumbnail.width() == 16
    scene.set_neuron_thumbnails(None)
    assert scene.node_items[n].thumbnail is None
