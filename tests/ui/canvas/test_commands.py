"""Undo commands wrap graph edits and touch only the model."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QUndoStack

import nnstudio as ns
from nnstudio.errors import GraphError
from nnstudio.graph import AddNode, Connect, MoveNodes
from nnstudio.ui.commands import EditCommand, push_edit


def test_edit_command_applies_on_first_redo_and_reverts_on_undo():
    g = ns.Graph()
    stack = QUndoStack()
    stack.push(EditCommand(g, AddNode("Dense", {"units": 3}), "Add"))
    (nid,) = g.nodes
    assert g.nodes[nid].params["units"] == 3 and stack.undoText() == "Add"
    stack.undo()
    assert not g.nodes
    stack.redo()
    assert list(g.nodes) == [nid]  # same id on redo


def test_push_edit_returns_the_result_and_refused_edits_never_reach_the_stack():
    g = ns.Graph()
    stack = QUndoStack()
    x = push_edit(stack, g, AddNode("Input", {"shape": [2]}), "Add input")
    assert x in g.nodes and stack.count() == 1
    with pytest.raises(GraphError, match="takes no input"):
        push_edit(stack, g, Connect(g.add("Dense"), x))
    assert stack.count() == 1


def test_successive_moves_are_separate_commands():
    g = ns.Graph()
    nid = g.add("Dense")
    stack = QUndoStack()
    push_edit(stack, g, MoveNodes({nid: (20, 0)}), "Move")
    push_edit(stack, g, MoveNodes({nid: (40, 0)}), "Move")
    assert stack.count() == 2
    stack.undo()
    assert g.nodes[nid].pos == (20.0, 0.0)
    stack.undo()
    assert g.nodes[nid].pos == (0.0, 0.0)
