"""Graph rewrites built from reversible edits: expand a Dense layer into Neurons and back.

Both return one :class:`~nnstudio.graph.edits.Macro`, so the canvas can undo
them in a single step.
"""
from __future__ import annotations

import copy
from typing import Any

from nnstudio.errors import GraphError
from nnstudio.graph.edits import AddNode, Connect, Disconnect, Macro, MakeGroup, RemoveNode, Ungroup
from nnstudio.graph.model import Graph

MAX_EXPAND = 32
SPACING = 56.0


def expand_dense(graph: Graph, node_id: str) -> Macro:
    """Replace a Dense layer (up to 32 units) by that many wired Neuron nodes in a group.

    Each neuron reads the Dense's inputs; consumers whose input takes several wires
    read the neurons directly, others through a Concat that joins them.
    """
    node = graph.node(node_id)
    if node.kind != "Dense":
        raise GraphError("only a Dense layer can be expanded into neurons")
    units = node.params["units"]
    if units > MAX_EXPAND:
        raise GraphError(f"{node.name} has {units} units; expand layers of at most {MAX_EXPAND}")
    shapes = graph.infer_shapes()
    in_shapes = [shapes.get(e.src) for e in graph.in_edges(node_id)]
    if len(in_shapes) == 1 and in_shapes[0] is not None and len(in_shapes[0]) == 2:
        raise GraphError(f"{node.name} works on every position of a sequence; only a Dense on a flat vector "
                         "can be expanded into neurons")
    sources = [e.src for e in graph.in_edges(node_id)]
    consumers = [(e.id, e.dst) for e in graph.out_edges(node_id)]
    x, y = node.pos
    edits: list[Any] = [Disconnect(eid) for eid in [e.id for e in graph.in_edges(node_id)] + [c[0] for c in consumers]]
    edits.append(RemoveNode(node_id))
    neuron_ids = [graph.new_id("n") for _ in range(units)]
    top = y - SPACING * (units - 1) / 2
    for j, nid in enumerate(neuron_ids):
        edits.append(AddNode("Neuron", {"activation": "linear", "init": node.params["init"],
                                        "frozen": node.params["frozen"]},
                             (x, top + SPACING * j), f"{node.name}.{j + 1}", nid))
        edits += [Connect(src, nid) for src in sources]
    concat_id = None
    for _, dst in consumers:
        port = graph.node(dst).spec.input_port()
        if port.multiple or units == 1:  # one neuron gives the (1,) a Dense of one unit gave: no join needed
            edits += [Connect(nid, dst) for nid in neuron_ids]
        else:
            if concat_id is None:
                concat_id = graph.new_id("n")
                edits.append(AddNode("Concat", {}, (x + 160.0, y), f"{node.name} outputs", concat_id))
                edits += [Connect(nid, concat_id) for nid in neuron_ids]
            edits.append(Connect(concat_id, dst))
    meta = {"expanded_from": {"id": node_id, "name": node.name, "params": copy.deepcopy(node.params),
                              "pos": list(node.pos), "sources": sources, "consumers": [c[1] for c in consumers],
                              "concat": concat_id}}
    members = neuron_ids + ([concat_id] if concat_id else [])
    edits.append(MakeGroup(tuple(members), node.name, meta))
    return Macro(edits, f"Expand {node.name} into neurons")


def collapse_group(graph: Graph, group_id: str) -> Macro:
    """Turn the neurons of an expanded layer back into one Dense layer."""
    group = graph.groups.get(group_id)
    if group is None or "expanded_from" not in group.meta:
        raise GraphError("select the neurons of an expanded layer to collapse them")
    info = group.meta["expanded_from"]
    members = list(group.node_ids)
    edges = {e.id for e in graph.edges.values() if e.src in members or e.dst in members}
    edits: list[Any] = [Ungroup(group_id)] + [Disconnect(eid) for eid in edges]
    edits += [RemoveNode(m) for m in members]
    params = dict(info["params"])
    params["units"] = sum(1 for m in members if graph.node(m).kind == "Neuron")
    new_id = info["id"] if info["id"] not in graph.nodes else graph.new_id("n")
    edits.append(AddNode("Dense", params, tuple(info["pos"]), info["name"], new_id))
    edits += [Connect(src, new_id) for src in info["sources"] if src in graph.nodes]
    edits += [Connect(new_id, dst) for dst in info["consumers"] if dst in graph.nodes]
    return Macro(edits, f"Collapse {info['name']}")
