"""Expanding a Dense layer into its neurons and back; weights drawn on the wires; unit thumbnails."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from nnstudio.ui.canvas import neuron_view
from tests.conftest import build_mlp
from tests.ui.canvas.conftest import settle


def expand(scene, view, nid):
    scene.select_nodes([nid])
    QTest.keyClick(view.viewport(), Qt.Key_E, Qt.ControlModifier)
    settle()


def test_expand_a_dense_into_neurons_and_collapse_back_with_undo(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 4, 1))
    scene.set_graph(g)
    before = g.to_records()
    total = sum(scene.analysis.param_counts.values())
    expand(scene, view, ids["dense0"])
    neurons = [n for n in g.nodes.values() if n.kind == "Neuron"]
    assert len(neurons) == 4 and ids["dense0"] not in g.nodes
    assert all([e.src for e in g.in_edges(n.id)] == [ids["input"]] for n in neurons)
    assert scene.analysis.ok and sum(scene.analysis.param_counts.values()) == total  # same network
    assert sorted(scene.selected_node_ids()) == sorted(g.groups[neurons[0].group].node_ids)
    (frame,) = scene.group_frames.values()
    assert "4 neurons" in frame.caption and "12 parameters" in frame.caption
    assert all(frame.sceneBoundingRect().contains(scene.node_item(n.id).sceneBoundingRect().center())
               for n in neurons)
    # collapse from any one neuron
    scene.select_nodes([neurons[2].id])
    QTest.keyClick(view.viewport(), Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    settle()
    assert not g.nodes_of_kind("Neuron") and not scene.group_frames
    (dense,) = [n for n in g.nodes.values() if n.kind == "Dense" and n.params["units"] == 4]
    assert dense.id == ids["dense0"] and scene.selected_node_ids() == [dense.id]
    stack.undo()
    assert len(g.nodes_of_kind("Neuron")) == 4
    stack.undo()
    assert g.to_records() == before
    settle()
    assert not scene.group_frames and set(scene.node_items) == set(g.nodes)


def test_expand_refuses_big_layers_and_collapse_needs_expanded_neurons(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 33, 1))
    scene.set_graph(g)
    expand(scene, view, ids["dense0"])
    assert not g.nodes_of_kind("Neuron") and "33 units" in scene.last_message
    scene.select_nodes([ids["act0"]])
    view.actions_by_name["collapse"].trigger()
    assert "expanded layer" in scene.last_message and stack.count() == 0


def test_weights_set_the_width_and_colour_of_neuron_wires(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 3, 1))
    scene.set_graph(g)
    expand(scene, view, ids["dense0"])
    neurons = neuron_view.group_neurons(g, next(iter(g.groups)))
    plain = {eid: item.pen().widthF() for eid, item in scene.edge_items.items()}
    ws = [0.1, -2.0, 0.8]
    params = {n: {"weight": np.array([[w, w]]), "bias": np.zeros(1)} for n, w in zip(neurons, ws)}
    scene.set_neuron_weights(params)
    wire = {n: scene.edge_items[g.in_edges(n)[0].id] for n in neurons}
    widths = [wire[n].pen().widthF() for n in neurons]
    assert widths[1] > widths[2] > widths[0]  # |-2| > |0.8| > |0.1|
    colours = [wire[n].pen().color() for n in neurons]
    assert colours[1].blue() > colours[1].red() and colours[2].red() > colours[2].blue()
    assert [wire[n].weight for n in neurons] == ws
    scene.set_neuron_weights(None)
    assert {eid: item.pen().widthF() for eid, item in scene.edge_items.items()} == plain
    assert all(item.weight is None for item in scene.edge_items.values())


def test_hand_wired_neuron_wires_show_their_weights(scene_view):
    scene, view, stack = scene_view
    a = scene.add_node_at("Input", view.mapToScene(100, 100), shape=[1])
    b = scene.add_node_at("Input", view.mapToScene(100, 300), shape=[1])
    n = scene.add_node_at("Neuron", view.mapToScene(400, 200))
    e1, e2 = scene.graph.connect(a, n), scene.graph.connect(b, n)
    settle()
    scene.set_neuron_weights({n: {"weight": np.array([[0.5, -1.5]]), "bias": np.zeros(1)}})
    assert scene.edge_items[e1].weight == 0.5 and scene.edge_items[e2].weight == -1.5
    assert scene.edge_items[e2].pen().widthF() > scene.edge_items[e1].pen().widthF()


def test_split_and_merge_weights_round_trip(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((3, 4, 1))
    scene.set_graph(g)
    expand(scene, view, ids["dense0"])
    gid = next(iter(g.groups))
    dense = {"weight": np.arange(12.0).reshape(4, 3), "bias": np.array([1.0, 2.0, 3.0, 4.0])}
    per_neuron = neuron_view.split_dense_weights(g, gid, dense)
    first = neuron_view.group_neurons(g, gid)[0]
    assert per_neuron[first]["weight"].tolist() == [[0.0, 1.0, 2.0]] and per_neuron[first]["bias"].tolist() == [1.0]
    back = neuron_view.merge_neuron_weights(g, gid, per_neuron)
    assert np.array_equal(back["weight"], dense["weight"]) and np.array_equal(back["bias"], dense["bias"])


def test_thumbnails_on_neurons_and_on_layer_units(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 3, 1))
    scene.set_graph(g)
    n = scene.add_node_at("Neuron", view.mapToScene(100, 500))
    plane = np.outer(np.linspace(-1, 1, 16), np.ones(16))
    images = {n: plane, f"{ids['act0']}:0": plane, f"{ids['act0']}:2": -plane}
    height = scene.node_item(ids["act0"]).boundingRect().height()
    scene.set_neuron_thumbnails(images)
    assert scene.node_item(n).thumbnail.width() == 16
    act = scene.node_item(ids["act0"])
    assert len(act.unit_thumbnails) == 2 and act.boundingRect().height() > height
    # low values blue, high values orange; the image's top row is the top of the plane
    img = act.unit_thumbnails[0]
    top, bottom = img.pixelColor(0, 0), img.pixelColor(0, 15)
    assert top.red() > top.blue() and bottom.blue() > bottom.red()
    scene.set_neuron_thumbnails(None)
    assert scene.node_item(n).thumbnail is None and not act.unit_thumbnails


def test_a_wire_carrying_several_values_shows_their_size_not_their_cancelled_mean():
    import nnstudio as ns

    g = ns.Graph()
    x = g.add("Input", shape=[2])
    n = g.add("Neuron")
    e = g.connect(x, n)
    w = neuron_view.edge_weights(g, {x: (2,), n: (1,)}, {n: {"weight": np.array([[1.0, -0.8]])}})
    assert w[e] == 0.9
    w = neuron_view.edge_weights(g, {x: (2,), n: (1,)}, {n: {"weight": np.array([[-1.0, 0.8]])}})
    assert w[e] == -0.9


def test_expanding_makes_room_so_no_node_lies_under_another(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 6, 3, 1))
    scene.set_graph(g)
    scene.auto_layout()  # layers at the usual pitch, as a user's network would be
    settle()
    before = {nid: n.pos for nid, n in g.nodes.items()}
    expand(scene, view, ids["dense0"])
    rects = [scene.node_item(n).mapRectToScene(scene.node_item(n).body_rect()) for n in g.nodes]
    overlaps = [(a, b) for i, a in enumerate(rects) for b in rects[i + 1:] if a.intersects(b)]
    assert not overlaps
    stack.undo()
    settle()
    assert {nid: n.pos for nid, n in g.nodes.items()} == before  # undo puts everything back


def test_collapsing_gives_back_the_room_expanding_made(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 6, 3, 1))
    scene.set_graph(g)
    scene.auto_layout()
    settle()
    before = {nid: n.pos for nid, n in g.nodes.items()}
    expand(scene, view, ids["dense0"])
    pushed = g.nodes[ids["dense1"]].pos[0] - before[ids["dense1"]][0]
    assert pushed > 0
    scene.select_nodes([g.nodes_of_kind("Neuron")[0].id])
    QTest.keyClick(view.viewport(), Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    settle()
    assert {nid: n.pos for nid, n in g.nodes.items()} == before  # the layout is as it was
    stack.undo()  # and undoing the collapse pushes them out again
    assert g.nodes[ids["dense1"]].pos[0] - before[ids["dense1"]][0] == pushed
