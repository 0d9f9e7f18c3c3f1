"""The pure graph model: nodes, wires, kinds, reversible edits, validation.

No Qt and no numba here: scripts, the CLI, the engine and the canvas all
share this model.
"""
from nnstudio.graph import kinds
from nnstudio.graph.edits import (
    AddNode, Connect, Disconnect, Edit, Macro, MakeGroup, MoveNodes, RemoveNode, Rename, SetParam, Ungroup,
    remove_many,
)
from nnstudio.graph.events import Event
from nnstudio.graph.model import Edge, Graph, Group, Node
from nnstudio.graph.shapes import fmt_shape
from nnstudio.graph.validate import Analysis, Problem, TargetSpec, analyse

__all__ = [
    "kinds", "Graph", "Node", "Edge", "Group", "Event", "Problem", "TargetSpec", "Analysis", "analyse",
    "fmt_shape", "Edit", "AddNode", "Connect", "Disconnect", "RemoveNode", "SetParam", "MoveNodes", "Rename",
    "MakeGroup", "Ungroup", "Macro", "remove_many",
]
