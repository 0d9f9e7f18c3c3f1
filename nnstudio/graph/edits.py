"""Reversible edits: the only way a graph changes.

Each edit has ``apply(graph)`` and ``revert(graph)``; applying, reverting and
applying again gives the same graph with the same ids, so the UI's undo stack
can wrap edits without knowing what they do. A removal remembers where the
removed thing stood (wire order matters for concatenation) and composes the
removal of its wires, like orange-canvas-core's commands.
"""
from __future__ import annotations

import copy
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from nnstudio.errors import GraphError
from nnstudio.graph import kinds
from nnstudio.graph.model import Edge, Graph, Group, Node


# The canvas is large but not infinite: a position beyond this (or NaN) is refused, because Qt
# cannot lay out or paint an item there (a NaN position crashed the canvas's paint).
MAX_COORDINATE = 1e7


def check_pos(pos: Any, what: str = "position") -> tuple[float, float]:
    """Two finite numbers within the canvas, as floats; GraphError naming the value otherwise."""
    try:
        x, y = pos
        x, y = float(x), float(y)
    except (TypeError, ValueError, OverflowError):
        raise GraphError(f"a node {what} must be two numbers; got {pos!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > MAX_COORDINATE:
        raise GraphError(f"a node {what} must be two finite numbers within +-{MAX_COORDINATE:g}; got ({x!r}, {y!r})")
    return x, y


class Edit(ABC):
    """Base class of reversible edits. ``text`` names the edit in the Undo menu."""

    text = "Edit"

    @abstractmethod
    def apply(self, graph: Graph) -> Any:
        """Carry the edit out; return what it created (an id), if anything."""

    @abstractmethod
    def revert(self, graph: Graph) -> None:
        """Undo exactly what :meth:`apply` did."""


@dataclass
class AddNode(Edit):
    """Add a node. Its id is chosen on first apply and reused on redo."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    pos: tuple[float, float] = (0.0, 0.0)
    name: str | None = None
    node_id: str | None = None

    def __post_init__(self) -> None:
        spec = kinds.get(self.kind)
        self.params = spec.check_params(self.params)
        self.pos = check_pos(self.pos)
        self.text = f"Add {self.kind}"

    def apply(self, graph: Graph) -> str:
        if self.node_id is None:
            self.node_id = graph.new_id("n")
        if self.name is None:
            self.name = graph.default_name(self.kind)
        node = Node(self.node_id, self.kind, self.name, copy.deepcopy(self.params),
                    (float(self.pos[0]), float(self.pos[1])))
        graph._insert_node(node)
        return self.node_id

    def revert(self, graph: Graph) -> None:
        graph._delete_node(self.node_id)


@dataclass
class Connect(Edit):
    """Wire two nodes. Refused with the reason :meth:`Graph.can_connect` gives."""

    src: str
    dst: str
    src_port: str | None = None
    dst_port: str | None = None
    edge_id: str | None = None
    text: str = "Connect"

    def apply(self, graph: Graph) -> str:
        reason = graph.can_connect(self.src, self.dst, self.src_port, self.dst_port)
        if reason:
            raise GraphError(f"cannot connect: {reason}")
        s, d = graph.node(self.src), graph.node(self.dst)
        sp = s.spec.output_port(self.src_port).name
        dp = d.spec.input_port(self.dst_port).name
        if self.edge_id is None:
            self.edge_id = graph.new_id("e")
        graph._insert_edge(Edge(self.edge_id, self.src, self.dst, sp, dp))
        return self.edge_id

    def revert(self, graph: Graph) -> None:
        graph._delete_edge(self.edge_id)


@dataclass
class Disconnect(Edit):
    """Remove one wire, remembering its place in wire order."""

    edge_id: str
    text: str = "Disconnect"
    _edge: Edge | None = None
    _index: int = -1

    def apply(self, graph: Graph) -> None:
        self._edge, self._index = graph._delete_edge(self.edge_id)

    def revert(self, graph: Graph) -> None:
        graph._insert_edge(self._edge, self._index)


@dataclass
class RemoveNode(Edit):
    """Remove a node and, first, every wire touching it."""

    node_id: str
    text: str = "Remove node"
    _wires: list[Disconnect] = field(default_factory=list)
    _node: Node | None = None
    _index: int = -1
    _group: str | None = None

    def apply(self, graph: Graph) -> None:
        node = graph.node(self.node_id)
        self._group = node.group
        if self._group is not None:
            raise GraphError(f"{node.name} belongs to a group - ungroup it before removing it alone")
        # Reverse wire order, so reinserting at the remembered indexes restores it.
        touching = [e.id for e in graph.edges.values() if self.node_id in (e.src, e.dst)]
        self._wires = [Disconnect(eid) for eid in reversed(touching)]
        for w in self._wires:
            w.apply(graph)
        self._node, self._index = graph._delete_node(self.node_id)

    def revert(self, graph: Graph) -> None:
        graph._insert_node(self._node, self._index)
        for w in reversed(self._wires):
            w.revert(graph)


@dataclass
class SetParam(Edit):
    """Change one parameter (checked against the kind's description)."""

    node_id: str
    param: str
    value: Any
    _old: Any = None

    def __post_init__(self) -> None:
        self.text = f"Set {self.param}"

    def apply(self, graph: Graph) -> None:
        node = graph.node(self.node_id)
        value = node.spec.param(self.param).check(self.value, node.kind)
        self._old = graph._set_param(self.node_id, self.param, value)

    def revert(self, graph: Graph) -> None:
        graph._set_param(self.node_id, self.param, self._old)


@dataclass
class MoveNodes(Edit):
    """Move one or more nodes to new positions (a drag of a selection is one edit)."""

    positions: dict[str, tuple[float, float]]
    text: str = "Move"
    _old: dict[str, tuple[float, float]] = field(default_factory=dict)

    def apply(self, graph: Graph) -> None:
        for nid in self.positions:
            graph.node(nid)
        self.positions = {nid: check_pos(pos) for nid, pos in self.positions.items()}
        self._old = {nid: graph._set_pos(nid, pos) for nid, pos in self.positions.items()}

    def revert(self, graph: Graph) -> None:
        for nid, pos in self._old.items():
            graph._set_pos(nid, pos)


@dataclass
class Rename(Edit):
    node_id: str
    name: str
    text: str = "Rename"
    _old: str = ""

    def apply(self, graph: Graph) -> None:
        name = self.name.strip()
        if not name:
            raise GraphError("a node needs a name")
        self._old = graph._set_name(self.node_id, name)

    def revert(self, graph: Graph) -> None:
        graph._set_name(self.node_id, self._old)


@dataclass
class MakeGroup(Edit):
    """Put nodes into a named group (they may not already be in one)."""

    node_ids: tuple[str, ...]
    name: str
    meta: dict[str, Any] = field(default_factory=dict)
    group_id: str | None = None
    text: str = "Group"

    def apply(self, graph: Graph) -> str:
        if not self.node_ids:
            raise GraphError("select the nodes to group first")
        for nid in self.node_ids:
            node = graph.node(nid)
            if node.group is not None:
                raise GraphError(f"{node.name} is already in a group")
        if self.group_id is None:
            self.group_id = graph.new_id("g")
        graph._insert_group(Group(self.group_id, self.name, tuple(self.node_ids), copy.deepcopy(self.meta)))
        return self.group_id

    def revert(self, graph: Graph) -> None:
        graph._delete_group(self.group_id)


@dataclass
class Ungroup(Edit):
    group_id: str
    text: str = "Ungroup"
    _group: Group | None = None
    _index: int = -1

    def apply(self, graph: Graph) -> None:
        self._group, self._index = graph._delete_group(self.group_id)

    def revert(self, graph: Graph) -> None:
        graph._insert_group(self._group, self._index)


@dataclass
class Macro(Edit):
    """Several edits as one undo step; if one fails, the ones before it are undone."""

    edits: list[Edit]
    text: str = "Edit"

    def apply(self, graph: Graph) -> list[Any]:
        done: list[Edit] = []
        results = []
        try:
            for e in self.edits:
                results.append(e.apply(graph))
                done.append(e)
        except Exception:
            for e in reversed(done):
                e.revert(graph)
            raise
        return results

    def revert(self, graph: Graph) -> None:
        for e in reversed(self.edits):
            e.revert(graph)


def remove_many(graph: Graph, node_ids: list[str], edge_ids: list[str] = ()) -> Macro:
    """A macro removing wires, then groups around, then nodes (the canvas's Delete)."""
    edits: list[Edit] = []
    node_set = set(node_ids)
    for eid in edge_ids:
        e = graph.edges.get(eid)
        if e is not None and e.src not in node_set and e.dst not in node_set:
            edits.append(Disconnect(eid))
    for gid, g in graph.groups.items():
        if node_set.intersection(g.node_ids):
            edits.append(Ungroup(gid))
    edits.extend(RemoveNode(nid) for nid in node_ids)
    return Macro(edits, text="Delete")
