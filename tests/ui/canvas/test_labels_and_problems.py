"""What nodes and wires show: key parameters, shapes, parameter counts, problems with reasons."""
from __future__ import annotations

from PySide6.QtCore import QPointF

from nnstudio.graph import TargetSpec
from tests.conftest import build_cnn, build_mlp
from tests.ui.canvas.conftest import settle


def test_node_text_shows_key_parameters_output_shape_and_parameter_count(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 8, 1))
    scene.set_graph(g)
    assert scene.node_item(ids["dense0"]).lines() == ["units 8", "out 8", "24 parameters"]
    assert scene.node_item(ids["act0"]).lines() == ["tanh", "out 8"]
    labels = {scene.edge_items[e.id].label.text() for e in g.edges.values() if e.src == ids["dense0"]}
    assert labels == {"8"}
    # a parameter change through the scene (the inspector's way) updates the text and is undoable
    scene.set_param(ids["dense0"], "units", 16)
    settle()
    assert scene.node_item(ids["dense0"]).lines() == ["units 16", "out 16", "48 parameters"]
    assert scene.node_item(ids["dense1"]).lines()[-1] == "17 parameters"
    stack.undo()
    settle()
    assert scene.node_item(ids["dense0"]).lines()[0] == "units 8"


def test_cnn_wires_are_labelled_with_tensor_shapes(scene_view):
    scene, view, stack = scene_view
    g, ids = build_cnn()
    scene.set_graph(g)
    label = {(e.src, e.dst): scene.edge_items[e.id].label.text() for e in g.edges.values()}
    assert label[(ids["pool2"], ids["flat"])] == "16x5x5"
    assert label[(ids["flat"], ids["dense"])] == "400"
    assert "3x3, 8 ch" in scene.node_item(ids["conv1"]).lines()
    assert "80 parameters" in scene.node_item(ids["conv1"]).lines()


def test_invalid_node_gets_the_red_marker_with_the_reason_and_fixing_clears_it(scene_view):
    scene, view, stack = scene_view
    g, ids = build_cnn()
    scene.set_graph(g)
    dense = scene.node_item(ids["dense"])
    assert dense.problem is None
    g.remove(ids["flat"])
    g.connect(ids["pool2"], ids["dense"])
    settle()
    assert dense.problem and "Flatten" in dense.problem
    assert "Flatten" in dense.toolTip() and "Problem" in dense.toolTip()
    assert "out ?" in dense.lines()
    f = scene.add_node_at("Flatten", QPointF(0, 300))
    (edge,) = [e.id for e in g.edges.values() if e.dst == ids["dense"]]
    g.disconnect(edge)
    g.connect(ids["pool2"], f)
    g.connect(f, ids["dense"])
    settle()
    assert dense.problem is None and "Problem" not in dense.toolTip()
    assert "out 400" in scene.node_item(f).lines()


def test_dataset_target_is_checked(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 8, 1))
    scene.set_graph(g)
    assert scene.node_item(ids["output"]).problem is None
    scene.set_target(TargetSpec("classification", 3, (2,)))
    assert "3 classes" in scene.node_item(ids["output"]).problem
    scene.set_target(None)
    assert scene.node_item(ids["output"]).problem is None


def test_analysis_is_computed_once_per_batch_of_changes(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 8, 8, 1))
    scene.set_graph(g)
    seen, edited = [], []
    scene.analysisChanged.connect(seen.append)
    scene.graphEdited.connect(lambda: edited.append(1))
    scene.select_nodes(list(g.nodes))
    view.actions_by_name["delete"].trigger()  # one macro, many model events
    assert len(edited) > 5 and seen == []
    settle()
    assert len(seen) == 1 and seen[0] is scene.analysis
    assert any("empty" in p.message for p in seen[0].problems)
