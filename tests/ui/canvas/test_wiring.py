"""Wiring with the mouse: output to input, refusals with reasons, picking wires up at their input."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from tests.ui.canvas.conftest import add, centre_of, chain, drag, move, port_pos, settle, vp


def edges(scene):
    return [(e.src, e.dst) for e in scene.graph.edges.values()]


def test_drag_from_output_to_input_creates_the_wire_with_its_shape_label(scene_view):
    scene, view, stack = scene_view
    x = add(scene, "Input", 0, 100, shape=[2])
    d = add(scene, "Dense", 300, 100, units=5)
    drag(view, port_pos(view, scene.node_item(x).out_port), port_pos(view, scene.node_item(d).in_port))
    settle()
    assert edges(scene) == [(x, d)]
    (eid,) = scene.graph.edges
    assert scene.edge_items[eid].label.text() == "2"
    assert stack.undoText().startswith("Connect")
    stack.undo()
    assert not scene.graph.edges and not scene.edge_items
    stack.redo()
    assert list(scene.edge_items) == [eid]


def test_while_dragging_compatible_inputs_light_up_and_others_dim(scene_view):
    scene, view, stack = scene_view
    x, d, a = chain(scene, ("Input", {"shape": [2]}), ("Dense", {}), ("Activation", {}))
    free = add(scene, "Dense", 280, 200)
    w = view.viewport()
    QTest.mousePress(w, Qt.LeftButton, Qt.NoModifier, port_pos(view, scene.node_item(a).out_port))
    move(view, port_pos(view, scene.node_item(a).out_port) + QPoint(40, 60))
    states = {nid: scene.node_item(nid).in_port.state for nid in (d, free)}
    # Activation -> Dense 1 would close a loop; the free Dense may take it
    assert states == {d: "dim", free: "ok"}
    move(view, port_pos(view, scene.node_item(d).in_port))
    assert scene.node_item(d).in_port.state == "refused"
    QTest.mouseRelease(w, Qt.LeftButton, Qt.NoModifier, port_pos(view, scene.node_item(d).in_port))
    assert "loop" in scene.last_message and scene.message_item.isVisible()
    assert len(scene.graph.edges) == 2
    assert all(scene.node_item(n).in_port.state == "normal" for n in (d, a, free))


def test_dropping_on_an_incompatible_port_refuses_with_the_reason(scene_view):
    scene, view, stack = scene_view
    x, act = chain(scene, ("Input", {"shape": [2]}), ("Activation", {}))
    other = add(scene, "Input", 0, 200, shape=[2])
    before = stack.count()
    drag(view, port_pos(view, scene.node_item(other).out_port), port_pos(view, scene.node_item(act).in_port))
    expected = scene.graph.can_connect(other, act)
    assert expected and "single input" in expected
    assert expected in scene.last_message and expected in scene.message_item.text()
    assert edges(scene) == [(x, act)] and stack.count() == before
    # dropping on a node without inputs (an Input) says so too
    drag(view, port_pos(view, scene.node_item(act).out_port), centre_of(view, scene.node_item(other)))
    assert "takes no input" in scene.last_message
    assert len(scene.graph.edges) == 1


def test_multi_wire_inputs_take_several_wires(scene_view):
    scene, view, stack = scene_view
    a = add(scene, "Input", 0, 0, shape=[2])
    b = add(scene, "Input", 0, 200, shape=[3])
    n = add(scene, "Neuron", 300, 100)
    for src in (a, b):
        drag(view, port_pos(view, scene.node_item(src).out_port), port_pos(view, scene.node_item(n).in_port))
    settle()
    assert edges(scene) == [(a, n), (b, n)]
    assert "6 parameters" in scene.node_item(n).lines()  # 2 + 3 weights and a bias


def test_pick_up_a_wire_at_its_input_and_drop_it_on_empty_canvas_removes_it(scene_view):
    scene, view, stack = scene_view
    x, d = chain(scene, ("Input", {"shape": [2]}), ("Dense", {}))
    (eid,) = scene.graph.edges
    drag(view, port_pos(view, scene.node_item(d).in_port), vp(view, QPointF(150, 300)))
    assert not scene.graph.edges and eid not in scene.edge_items
    stack.undo()
    assert list(scene.graph.edges) == [eid] and scene.edge_items[eid].isVisible()


def test_pick_up_a_wire_and_drop_it_on_another_input_moves_it_in_one_step(scene_view):
    scene, view, stack = scene_view
    x, d = chain(scene, ("Input", {"shape": [2]}), ("Dense", {}))
    other = add(scene, "Dense", 280, 200)
    n = stack.count()
    drag(view, port_pos(view, scene.node_item(d).in_port), port_pos(view, scene.node_item(other).in_port))
    assert edges(scene) == [(x, other)] and stack.count() == n + 1
    stack.undo()
    assert edges(scene) == [(x, d)]


def test_drag_backwards_from_a_free_input_to_an_output(scene_view):
    scene, view, stack = scene_view
    x = add(scene, "Input", 0, 0, shape=[2])
    d = add(scene, "Dense", 280, 0)
    drag(view, port_pos(view, scene.node_item(d).in_port), port_pos(view, scene.node_item(x).out_port))
    assert edges(scene) == [(x, d)]


def test_escape_cancels_a_wire_being_drawn(scene_view):
    scene, view, stack = scene_view
    x = add(scene, "Input", 0, 0, shape=[2])
    d = add(scene, "Dense", 280, 0)
    w = view.viewport()
    QTest.mousePress(w, Qt.LeftButton, Qt.NoModifier, port_pos(view, scene.node_item(x).out_port))
    move(view, port_pos(view, scene.node_item(d).in_port))
    QTest.keyClick(w, Qt.Key_Escape)
    QTest.mouseRelease(w, Qt.LeftButton, Qt.NoModifier, port_pos(view, scene.node_item(d).in_port))
    assert not scene.graph.edges
    assert scene.node_item(d).in_port.state == "normal"
