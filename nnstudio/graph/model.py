"""Graph, Node, Edge and Group: the network a user draws, with stable ids.

The graph is a plain-Python model. Every change goes through a reversible
edit (see :mod:`nnstudio.graph.edits`); the convenience methods here
(:meth:`Graph.add`, :meth:`Graph.connect`, ...) build and apply such edits,
so scripts and the canvas change graphs in exactly the same way. The
underscored primitives are for edits only and emit one event each.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from nnstudio.errors import GraphError
from nnstudio.graph import events as ev
from nnstudio.graph import kinds

if TYPE_CHECKING:  # pragma: no cover
    from nnstudio.graph.edits import Edit
    from nnstudio.graph.validate import Problem, TargetSpec


_ID_RE = re.compile(r"^[neg](\d+)$")


@dataclass
class Node:
    """One node on the canvas. ``params`` always holds every parameter of its kind."""

    id: str
    kind: str
    name: str
    params: dict[str, Any]
    pos: tuple[float, float] = (0.0, 0.0)
    group: str | None = None

    @property
    def spec(self) -> kinds.KindSpec:
        return kinds.get(self.kind)


@dataclass(frozen=True)
class Edge:
    """A wire from ``src``'s output port to ``dst``'s input port."""

    id: str
    src: str
    dst: str
    src_port: str = "out"
    dst_port: str = "in"


@dataclass
class Group:
    """A named set of nodes (e.g. the neurons of an expanded Dense layer)."""

    id: str
    name: str
    node_ids: tuple[str, ...]
    meta: dict[str, Any] = field(default_factory=dict)


def _insert_at(d: dict, key: str, value: Any, index: int | None) -> dict:
    if index is None or index >= len(d):
        d[key] = value
        return d
    items = list(d.items())
    items.insert(index, (key, value))
    return dict(items)


class Graph:
    """A neural network as nodes and wires.

    Examples
    --------
    >>> g = Graph()
    >>> x = g.add("Input", shape=[2])
    >>> h = g.add("Dense", units=8)
    >>> e = g.connect(x, h)
    """

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: dict[str, Edge] = {}
        self.groups: dict[str, Group] = {}
        self.events = ev.EventHub()
        self._counters = {"n": 0, "e": 0, "g": 0}

    # --- ids ------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        """A fresh id never used in this graph (``n7``, ``e12``, ``g2``)."""
        while True:
            self._counters[prefix] += 1
            candidate = f"{prefix}{self._counters[prefix]}"
            if candidate not in self.nodes and candidate not in self.edges and candidate not in self.groups:
                return candidate

    def note_id(self, ident: str) -> None:
        """Keep the id counter ahead of ids that come from files or pastes."""
        m = _ID_RE.match(ident)
        if m:
            prefix = ident[0]
            self._counters[prefix] = max(self._counters[prefix], int(m.group(1)))

    def default_name(self, kind: str) -> str:
        used = {n.name for n in self.nodes.values()}
        i = 1
        while f"{kind} {i}" in used:
            i += 1
        return f"{kind} {i}"

    # --- queries --------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(f"there is no node {node_id!r} in this graph") from None

    def in_edges(self, node_id: str, port: str | None = None) -> list[Edge]:
        """Wires arriving at a node, in wire order (the order concatenation uses)."""
        return [e for e in self.edges.values() if e.dst == node_id and (port is None or e.dst_port == port)]

    def out_edges(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges.values() if e.src == node_id]

    def predecessors(self, node_id: str) -> list[str]:
        return [e.src for e in self.in_edges(node_id)]

    def successors(self, node_id: str) -> list[str]:
        return [e.dst for e in self.out_edges(node_id)]

    def nodes_of_kind(self, kind: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == kind]

    def find_cycle(self) -> list[str] | None:
        """Node ids along one cycle (first node repeated at the end), or None."""
        color: dict[str, int] = {}
        succ: dict[str, list[str]] = {nid: [] for nid in self.nodes}
        for e in self.edges.values():
            succ[e.src].append(e.dst)
        for start in self.nodes:
            if color.get(start):
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            path: list[str] = []
            while stack:
                nid, i = stack.pop()
                if i == 0:
                    color[nid] = 1
                    path.append(nid)
                if i < len(succ[nid]):
                    stack.append((nid, i + 1))
                    nxt = succ[nid][i]
                    if color.get(nxt) == 1:
                        return path[path.index(nxt):] + [nxt]
                    if not color.get(nxt):
                        stack.append((nxt, 0))
                else:
                    color[nid] = 2
                    path.pop()
        return None

    def topological_order(self) -> list[str]:
        """Node ids so that every wire goes forward; ties keep insertion order."""
        from nnstudio.graph.order import kahn_order

        order = kahn_order(self.nodes, ((e.src, e.dst) for e in self.edges.values()))
        if len(order) != len(self.nodes):
            cycle = self.find_cycle() or []
            names = " -> ".join(self.nodes[n].name for n in cycle)
            raise GraphError(f"the graph has a loop ({names}); networks here must be feed-forward")
        return order

    def can_connect(self, src: str, dst: str, src_port: str | None = None,
                    dst_port: str | None = None) -> str | None:
        """Why this wire cannot be made, or None if it can."""
        if src not in self.nodes or dst not in self.nodes:
            return "both ends of a wire must be nodes of this graph"
        s, d = self.nodes[src], self.nodes[dst]
        if src == dst:
            return "a node cannot feed itself"
        if not s.spec.outputs:
            return f"{s.kind} has no output to connect from"
        if not d.spec.inputs:
            return f"{d.kind} takes no input - it is where data enters"
        try:
            sp = s.spec.output_port(src_port)
            dp = d.spec.input_port(dst_port)
        except GraphError as exc:
            return str(exc)
        existing = self.in_edges(dst, dp.name)
        if any(e.src == src and e.src_port == sp.name for e in existing):
            return f"{s.name} is already wired to {d.name}"
        if existing and not dp.multiple:
            return f"{d.name} takes a single input and already has one - remove that wire first"
        if self._reaches(dst, src):
            return f"wiring {s.name} to {d.name} would make a loop"
        return None

    def _reaches(self, start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            nid = todo.pop()
            if nid == goal:
                return True
            if nid in seen:
                continue
            seen.add(nid)
            todo.extend(self.successors(nid))
        return False

    def infer_shapes(self, target: "TargetSpec | None" = None) -> dict[str, tuple[int, ...] | None]:
        """Output shape of every node (batch dimension excluded); None where unknown."""
        from nnstudio.graph.validate import analyse

        return analyse(self, target).shapes

    def input_shapes(self, node_id: str) -> list[tuple[int, ...]]:
        """Shapes arriving at a node, in wire order; raises GraphError if unknown."""
        shapes = self.infer_shapes()
        out = []
        for e in self.in_edges(node_id):
            s = shapes.get(e.src)
            if s is None:
                raise GraphError(f"the input shape of {self.node(node_id).name} is not known yet")
            out.append(s)
        return out

    def validate(self, target: "TargetSpec | None" = None) -> list["Problem"]:
        """Every problem in the graph, each with its node id and a message that reads like advice."""
        from nnstudio.graph.validate import analyse

        return analyse(self, target).problems

    def param_counts(self) -> dict[str, int]:
        """Trainable values per node (nodes whose shapes are unknown count 0)."""
        from nnstudio.graph.validate import analyse

        return analyse(self).param_counts

    def total_params(self) -> int:
        return sum(self.param_counts().values())

    # --- convenience edits ---------------------------------------------------
    def apply(self, edit: "Edit") -> Any:
        """Apply a reversible edit and return its result (e.g. the new node id)."""
        return edit.apply(self)

    def add(self, kind: str, *, name: str | None = None, pos: tuple[float, float] = (0.0, 0.0),
            **params: Any) -> str:
        """Add a node of ``kind`` with the given parameters; return its id."""
        from nnstudio.graph.edits import AddNode

        return self.apply(AddNode(kind, params, pos=pos, name=name))

    def connect(self, src: str, dst: str, src_port: str | None = None, dst_port: str | None = None) -> str:
        """Wire ``src`` to ``dst``; without port names the node's first port is used. Returns the edge id."""
        from nnstudio.graph.edits import Connect

        return self.apply(Connect(src, dst, src_port, dst_port))

    def disconnect(self, edge_id: str) -> None:
        from nnstudio.graph.edits import Disconnect

        self.apply(Disconnect(edge_id))

    def remove(self, node_id: str) -> None:
        """Remove a node together with its wires."""
        from nnstudio.graph.edits import RemoveNode

        self.apply(RemoveNode(node_id))

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        from nnstudio.graph.edits import SetParam

        self.apply(SetParam(node_id, name, value))

    def move(self, node_id: str, pos: tuple[float, float]) -> None:
        from nnstudio.graph.edits import MoveNodes

        self.apply(MoveNodes({node_id: pos}))

    def rename(self, node_id: str, name: str) -> None:
        from nnstudio.graph.edits import Rename

        self.apply(Rename(node_id, name))

    def group(self, node_ids: Iterable[str], name: str, meta: dict | None = None) -> str:
        from nnstudio.graph.edits import MakeGroup

        return self.apply(MakeGroup(tuple(node_ids), name, meta or {}))

    def ungroup(self, group_id: str) -> None:
        from nnstudio.graph.edits import Ungroup

        self.apply(Ungroup(group_id))

    # --- primitives (used by edits; each emits one event) -------------------
    def _insert_node(self, node: Node, index: int | None = None) -> None:
        if node.id in self.nodes:
            raise GraphError(f"a node with id {node.id!r} already exists")
        self.note_id(node.id)
        self.nodes = _insert_at(self.nodes, node.id, node, index)
        self.events.emit(ev.NodeAdded(node.id))

    def _delete_node(self, node_id: str) -> tuple[Node, int]:
        node = self.node(node_id)
        if self.in_edges(node_id) or self.out_edges(node_id):
            raise GraphError("remove the wires of a node before the node")
        index = list(self.nodes).index(node_id)
        del self.nodes[node_id]
        self.events.emit(ev.NodeRemoved(node_id))
        return node, index

    def _insert_edge(self, edge: Edge, index: int | None = None) -> None:
        if edge.id in self.edges:
            raise GraphError(f"a wire with id {edge.id!r} already exists")
        if edge.src not in self.nodes or edge.dst not in self.nodes:
            raise GraphError("both ends of a wire must be nodes of this graph")
        self.note_id(edge.id)
        self.edges = _insert_at(self.edges, edge.id, edge, index)
        self.events.emit(ev.EdgeAdded(edge.id))

    def _delete_edge(self, edge_id: str) -> tuple[Edge, int]:
        try:
            edge = self.edges[edge_id]
        except KeyError:
            raise GraphError(f"there is no wire {edge_id!r} in this graph") from None
        index = list(self.edges).index(edge_id)
        del self.edges[edge_id]
        self.events.emit(ev.EdgeRemoved(edge_id, edge.src, edge.dst))
        return edge, index

    def _set_param(self, node_id: str, name: str, value: Any) -> Any:
        node = self.node(node_id)
        old = node.params[name]
        node.params[name] = copy.deepcopy(value)
        self.events.emit(ev.ParamChanged(node_id, name, old, value))
        return old

    def _set_pos(self, node_id: str, pos: tuple[float, float]) -> tuple[float, float]:
        node = self.node(node_id)
        old = node.pos
        node.pos = (float(pos[0]), float(pos[1]))
        self.events.emit(ev.NodeMoved(node_id, old, node.pos))
        return old

    def _set_name(self, node_id: str, name: str) -> str:
        node = self.node(node_id)
        old = node.name
        node.name = name
        self.events.emit(ev.NodeRenamed(node_id, old, name))
        return old

    def _insert_group(self, group: Group, index: int | None = None) -> None:
        for nid in group.node_ids:
            self.node(nid).group = group.id
        self.note_id(group.id)
        self.groups = _insert_at(self.groups, group.id, group, index)
        self.events.emit(ev.GroupChanged(group.id))

    def _delete_group(self, group_id: str) -> tuple[Group, int]:
        group = self.groups.get(group_id)
        if group is None:
            raise GraphError(f"there is no group {group_id!r} in this graph")
        for nid in group.node_ids:
            if nid in self.nodes:
                self.nodes[nid].group = None
        index = list(self.groups).index(group_id)
        del self.groups[group_id]
        self.events.emit(ev.GroupChanged(group_id))
        return group, index

    # --- records --------------------------------------------------------------
    def to_records(self) -> dict[str, list[dict[str, Any]]]:
        """Plain, JSON-ready records of the whole graph (the project file's ``graph``)."""
        return {
            "nodes": [
                {"id": n.id, "kind": n.kind, "name": n.name, "params": copy.deepcopy(n.params),
                 "pos": [n.pos[0], n.pos[1]]}
                for n in self.nodes.values()
            ],
            "edges": [
                {"id": e.id, "src": e.src, "src_port": e.src_port, "dst": e.dst, "dst_port": e.dst_port}
                for e in self.edges.values()
            ],
            "groups": [
                {"id": g.id, "name": g.name, "nodes": list(g.node_ids), "meta": copy.deepcopy(g.meta)}
                for g in self.groups.values()
            ],
        }

    @classmethod
    def from_records(cls, records: dict[str, Any]) -> "Graph":
        """Build a graph from :meth:`to_records` output; raises GraphError on bad records."""
        from nnstudio.graph.records import graph_from_records

        return graph_from_records(records)

    def copy(self) -> "Graph":
        return Graph.from_records(self.to_records())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Graph) and self.to_records() == other.to_records()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Graph {len(self.nodes)} nodes, {len(self.edges)} wires>"
