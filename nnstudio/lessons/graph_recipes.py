"""Building the graph edits of lesson steps ("add BatchNorm after every Dense", "freeze the convolutions").

A lesson step's change is one undoable :class:`~nnstudio.graph.edits.Macro`. Its later edits need
the ids of the nodes the earlier ones add, so :class:`EditBuilder` applies each edit to a scratch
copy of the graph as it goes: the edits keep the ids they chose there, and applying the macro to
the real graph (in the app's undo stack, or headless with ``apply_change``) gives the same result.
"""
from __future__ import annotations

from typing import Any

from nnstudio.graph import Graph
from nnstudio.graph.edits import AddNode, Connect, Disconnect, Edit, Macro, MoveNodes, RemoveNode, SetParam

# where an inserted node goes relative to the node it follows (the chains are laid out two a row)
INSERT_OFFSET = (120.0, 55.0)
#: the lesson examples' layout: the network in graph order, two nodes a row, left-right-left...
SNAKE_COLUMN, SNAKE_ROW = 280.0, 130.0


class EditBuilder:
    """Collects edits, applying each to a scratch copy of ``graph`` so later ones can use new ids."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph.copy()
        self.edits: list[Edit] = []

    def do(self, edit: Edit) -> Any:
        result = edit.apply(self.graph)
        self.edits.append(edit)
        return result

    def add(self, kind: str, near: str | None = None, name: str | None = None, **params: Any) -> str:
        """Add a node (placed next to ``near``, if given); returns its id."""
        pos = (0.0, 0.0)
        if near is not None:
            x, y = self.graph.node(near).pos
            pos = (x + INSERT_OFFSET[0], y + INSERT_OFFSET[1])
        return self.do(AddNode(kind, dict(params), pos=pos, name=name))

    def connect(self, src: str, dst: str) -> str:
        return self.do(Connect(src, dst))

    def set(self, node_id: str, param: str, value: Any) -> None:
        self.do(SetParam(node_id, param, value))

    def remove(self, node_id: str) -> None:
        self.do(RemoveNode(node_id))

    def insert_after(self, node_id: str, kind: str, name: str | None = None, **params: Any) -> str:
        """Put a new node on every wire leaving ``node_id``: ``a -> b`` becomes ``a -> new -> b``
        (into the same input port of ``b``)."""
        leaving = list(self.graph.out_edges(node_id))
        for e in leaving:
            self.do(Disconnect(e.id))
        new = self.add(kind, near=node_id, name=name, **params)
        self.connect(node_id, new)
        for e in leaving:
            self.do(Connect(new, e.dst, None, e.dst_port))
        return new

    def macro(self, text: str) -> Macro:
        """The edits as one undoable change. One that adds or removes nodes also lays the network out
        again as the examples are (two a row, in graph order), so new nodes never land on old ones."""
        edits = list(self.edits)
        if any(isinstance(e, (AddNode, RemoveNode)) for e in edits):
            moves = {nid: pos for nid, pos in snake_positions(self.graph).items()
                     if tuple(self.graph.nodes[nid].pos) != pos}
            if moves:
                edits.append(MoveNodes(moves))
        return Macro(edits, text=text)


def snake_positions(graph: Graph) -> dict[str, tuple[float, float]]:
    """Each node's place in the examples' layout, starting where the first node (the input) is."""
    order = graph.topological_order()
    if not order:
        return {}
    x0, y0 = graph.nodes[order[0]].pos
    return {nid: (x0 + (i % 2) * SNAKE_COLUMN, y0 + (i // 2) * SNAKE_ROW) for i, nid in enumerate(order)}


def in_order(graph: Graph, kind: str) -> list[str]:
    """The ids of the nodes of ``kind``, from the input side to the output side."""
    return [nid for nid in graph.topological_order() if graph.nodes[nid].kind == kind]


def node_named(graph: Graph, name: str) -> str:
    """The id of the node called ``name`` (lesson examples name the nodes their steps change)."""
    for node in graph.nodes.values():
        if node.name == name:
            return node.id
    raise KeyError(f"no node named {name!r}")


def set_everywhere(graph: Graph, kind: str, text: str, **values: Any) -> Macro:
    """One undoable edit setting ``values`` on every node of ``kind``."""
    b = EditBuilder(graph)
    for nid in in_order(graph, kind):
        for param, value in values.items():
            b.set(nid, param, value)
    return b.macro(text)
