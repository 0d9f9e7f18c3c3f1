"""Moving nodes, rubber-band selection, deleting, and undo of all of it."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtTest import QTest

from nnstudio.ui.canvas.layout import layered_positions
from tests.conftest import build_mlp
from tests.ui.canvas.conftest import add, centre_of, chain, drag, settle, vp


def test_dragging_a_node_moves_it_snapped_and_undo_restores(scene_view):
    scene, view, stack = scene_view
    nid = add(scene, "Dense", 100, 100)
    item = scene.node_item(nid)
    start = centre_of(view, item)
    drag(view, start, start + QPoint(133, 57))
    x, y = scene.graph.nodes[nid].pos
    assert (x, y) != (100.0, 100.0) and x > 100 and y > 100
    assert x % 20 == 0 and y % 20 == 0
    assert (item.pos().x(), item.pos().y()) == (x, y)
    stack.undo()
    assert scene.graph.nodes[nid].pos == (100.0, 100.0)
    assert (item.pos().x(), item.pos().y()) == (100.0, 100.0)


def test_each_drag_is_its_own_undo_step_and_moves_the_whole_selection(scene_view):
    scene, view, stack = scene_view
    a, b = chain(scene, ("Input", {"shape": [2]}), ("Dense", {}))
    scene.select_nodes([a, b])
    n = stack.count()
    start = centre_of(view, scene.node_item(a))
    drag(view, start, start + QPoint(0, 80))
    first = {k: scene.graph.nodes[k].pos for k in (a, b)}
    start = centre_of(view, scene.node_item(a))
    drag(view, start, start + QPoint(0, 80))
    assert stack.count() == n + 2
    assert scene.graph.nodes[a].pos[1] > first[a][1] > 0 and scene.graph.nodes[b].pos[1] > first[b][1] > 0
    stack.undo()
    assert {k: scene.graph.nodes[k].pos for k in (a, b)} == first
    # wires follow the nodes
    (eid,) = scene.graph.edges
    path = scene.edge_items[eid].path()
    assert path.pointAtPercent(1.0) == scene.node_item(b).in_port.scenePos()


def test_a_click_without_moving_records_no_move(scene_view):
    scene, view, stack = scene_view
    nid = add(scene, "Dense", 100, 100)
    n = stack.count()
    p = centre_of(view, scene.node_item(nid))
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, p)
    assert stack.count() == n and scene.selected_node_ids() == [nid]


def test_rubber_band_selects_exactly_the_enclosed_nodes_and_delete_removes_them_with_wires(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 4, 1))
    for nid, pos in layered_positions(g).items():
        g.move(nid, pos)
    scene.set_graph(g)
    before = g.to_records()
    inside = [ids["dense0"], ids["act0"]]
    rect = scene.node_item(inside[0]).sceneBoundingRect().united(scene.node_item(inside[1]).sceneBoundingRect())
    view.centerOn(rect.center())
    # the band also covers half of the next node, which must stay unselected
    a = vp(view, rect.topLeft() - QPointF(15, 25))
    b = vp(view, rect.bottomRight() + QPointF(190, 25))
    partly = scene.node_item(ids["dense1"]).mapRectToScene(scene.node_item(ids["dense1"]).body_rect())
    band = QRectF(view.mapToScene(a), view.mapToScene(b))
    assert partly.intersects(band) and not band.contains(partly)
    drag(view, a, b)
    assert sorted(scene.selected_node_ids()) == sorted(inside)
    QTest.keyClick(view.viewport(), Qt.Key_Delete)
    assert not set(inside) & set(g.nodes)
    assert all(e.src not in inside and e.dst not in inside for e in g.edges.values())
    assert set(scene.node_items) == set(g.nodes) and set(scene.edge_items) == set(g.edges)
    stack.undo()
    assert g.to_records() == before
    assert set(scene.edge_items) == set(g.edges)
    stack.redo()
    assert not set(inside) & set(g.nodes)


def test_ctrl_a_selects_all_and_a_click_on_empty_canvas_clears(scene_view, qtbot):
    scene, view, stack = scene_view
    ids = chain(scene, ("Input", {"shape": [2]}), ("Dense", {}), ("Output", {"loss": "mse"}))
    with qtbot.waitSignal(scene.nodeSelectionChanged) as blocker:
        QTest.keyClick(view.viewport(), Qt.Key_A, Qt.ControlModifier)
    assert blocker.args == [ids]
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, vp(view, QPointF(300, 400)))
    assert scene.selected_node_ids() == []


def test_a_clicked_wire_is_deleted_alone(scene_view):
    scene, view, stack = scene_view
    ids = chain(scene, ("Input", {"shape": [2]}), ("Dense", {}))
    (eid,) = scene.graph.edges
    mid = scene.edge_items[eid].path().pointAtPercent(0.3)
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, vp(view, mid))
    assert scene.edge_items[eid].isSelected()
    QTest.keyClick(view.viewport(), Qt.Key_Delete)
    assert not scene.graph.edges and set(scene.graph.nodes) == set(ids)


def test_deleting_one_neuron_of_an_expanded_layer(scene_view):
    scene, view, stack = scene_view
    x, d, o = chain(scene, ("Input", {"shape": [2]}), ("Dense", {"units": 3}), ("Output", {"loss": "mse"}))
    scene.select_nodes([d])
    neurons = scene.expand_selected()
    before = scene.graph.to_records()
    scene.select_nodes([neurons[0]])
    QTest.keyClick(view.viewport(), Qt.Key_Delete)
    assert neurons[0] not in scene.graph.nodes and not scene.graph.groups
    assert not scene.group_frames
    stack.undo()
    settle()
    assert scene.graph.to_records() == before and len(scene.group_frames) == 1
