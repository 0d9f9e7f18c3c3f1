"""Cut, copy, paste and duplicate through the keyboard, within a scene and across scenes."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import nnstudio as ns
from nnstudio.ui.canvas import GraphScene, GraphView
from nnstudio.ui.canvas.clipboard import MIME
from tests.ui.canvas.conftest import chain, settle


def test_copy_paste_duplicates_the_selection_with_its_internal_wires(scene_view):
    scene, view, stack = scene_view
    x, d, a = chain(scene, ("Input", {"shape": [2]}), ("Dense", {"units": 3}), ("Activation", {"function": "relu"}))
    scene.select_nodes([d, a])
    QTest.keyClick(view.viewport(), Qt.Key_C, Qt.ControlModifier)
    mime = QApplication.clipboard().mimeData()
    assert mime.hasFormat(MIME) and json.loads(mime.text())["format"] == "nnstudio-fragment"
    assert bytes(mime.data(MIME)).decode() == mime.text()
    QTest.keyClick(view.viewport(), Qt.Key_V, Qt.ControlModifier)
    pasted = scene.selected_node_ids()
    assert len(pasted) == 2 and not set(pasted) & {x, d, a}
    kinds = {scene.graph.nodes[n].kind: n for n in pasted}
    assert scene.graph.nodes[kinds["Dense"]].params["units"] == 3
    assert scene.graph.nodes[kinds["Activation"]].params["function"] == "relu"
    # the wire between them came along; the one from the Input (outside the selection) did not
    new_edges = [(e.src, e.dst) for e in scene.graph.edges.values() if e.src in pasted or e.dst in pasted]
    assert new_edges == [(kinds["Dense"], kinds["Activation"])]
    old, new = scene.graph.nodes[d].pos, scene.graph.nodes[kinds["Dense"]].pos
    assert new[0] > old[0] and new[1] > old[1]  # shifted so the copy does not hide the original
    stack.undo()
    assert set(scene.graph.nodes) == {x, d, a} and len(scene.graph.edges) == 2


def test_pasting_json_from_another_scene(scene_view, qtbot):
    scene, view, stack = scene_view
    other = GraphScene(ns.Graph(), QUndoStack())
    other_view = GraphView(other)
    qtbot.addWidget(other_view)
    src = chain(other, ("Input", {"shape": [1, 8, 8]}), ("Conv2D", {"out_channels": 4}), ("Flatten", {}))
    other.select_nodes(src)
    other_view.actions_by_name["copy"].trigger()
    QTest.keyClick(view.viewport(), Qt.Key_V, Qt.ControlModifier)
    settle()
    assert sorted(n.kind for n in scene.graph.nodes.values()) == ["Conv2D", "Flatten", "Input"]
    assert len(scene.graph.edges) == 2
    conv = next(n for n in scene.graph.nodes.values() if n.kind == "Conv2D")
    assert conv.params["out_channels"] == 4
    assert "out 4x6x6" in scene.node_item(conv.id).lines()


def test_pasting_text_that_is_not_nodes_changes_nothing_and_says_why(scene_view):
    scene, view, stack = scene_view
    QApplication.clipboard().setText("hello")
    QTest.keyClick(view.viewport(), Qt.Key_V, Qt.ControlModifier)
    assert not scene.graph.nodes and stack.count() == 0
    assert "clipboard" in scene.last_message.lower()


def test_duplicate_and_cut(scene_view):
    scene, view, stack = scene_view
    x, d = chain(scene, ("Input", {"shape": [2]}), ("Dense", {}))
    scene.select_nodes([d])
    QTest.keyClick(view.viewport(), Qt.Key_D, Qt.ControlModifier)
    assert len(scene.graph.nodes) == 3
    copy = scene.selected_node_ids()
    assert copy != [d] and scene.graph.nodes[copy[0]].kind == "Dense"
    QTest.keyClick(view.viewport(), Qt.Key_X, Qt.ControlModifier)
    assert set(scene.graph.nodes) == {x, d}
    QTest.keyClick(view.viewport(), Qt.Key_V, Qt.ControlModifier)
    assert len(scene.graph.nodes) == 3
