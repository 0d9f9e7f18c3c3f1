"""Small builders of lesson changes: find a node by the name the lesson text uses, and make the
graph edits a "try this" button stands for (insert a layer after another, take one out, set a value).

Each returns a :class:`~nnstudio.graph.Edit` (a :class:`~nnstudio.graph.edits.Macro` where several
edits make one change), so the app can push it as one undo step. A learner may have edited the
network before pressing a button: a node the lesson needs that is gone is a :class:`LessonError`
saying what to do.
"""
from __future__ import annotations

from typing import Any

from nnstudio.errors import NNStudioError
from nnstudio.graph.edits import Connect, Edit, Macro, RemoveNode, SetParam
from nnstudio.io.project import Project
from nnstudio.lessons.graph_recipes import EditBuilder


class LessonError(NNStudioError):
    """A lesson step cannot be made on the network as it is now."""


def node_named(project: Project, name: str) -> str:
    """The id of the node called ``name``, or a LessonError telling the learner how to get it back."""
    for node in project.graph.nodes.values():
        if node.name == name:
            return node.id
    raise LessonError(f"this step changes the node {name!r}, which is no longer in the network - "
                      "undo your edits (Ctrl+Z) or reopen the lesson to get it back")


def set_param(project: Project, name: str, param: str, value: Any) -> Edit:
    """Set ``param`` of the node called ``name``."""
    edit = SetParam(node_named(project, name), param, value)
    edit.text = f"Lesson: set {param} of {name} to {value}"
    return edit


def insert_after(project: Project, after: str, kind: str, name: str, **params: Any) -> Edit:
    """Put a new ``kind`` node between the node called ``after`` and everything it feeds."""
    src = node_named(project, after)
    if any(n.name == name for n in project.graph.nodes.values()):
        raise LessonError(f"the network already has a node called {name!r} - this step was already made")
    b = EditBuilder(project.graph)
    b.insert_after(src, kind, name=name, **params)
    return b.macro(f"Lesson: put {name} after {after}")


def remove_between(project: Project, name: str) -> Edit:
    """Take out the node called ``name`` and wire what fed it straight to what it fed."""
    g = project.graph
    nid = node_named(project, name)
    ins, outs = list(g.in_edges(nid)), list(g.out_edges(nid))
    edits: list[Edit] = [RemoveNode(nid)]
    edits += [Connect(i.src, o.dst, i.src_port, o.dst_port) for i in ins for o in outs]
    return Macro(edits, text=f"Lesson: remove {name}")
