"""The neuron-level view: a Dense layer expanded into its Neuron nodes and collapsed back.

Pure Python on top of the graph's reversible edits (no Qt), so both directions
are one :class:`~nnstudio.graph.Macro` the undo stack can wrap.

Semantics (see ``nnstudio.graph.kinds``): a Neuron is one unit - weighted sum
of everything wired into it, plus a bias, through its activation - and a Dense
layer is ``units`` such units with a linear activation. Expanding therefore
makes ``units`` Neurons with ``activation="linear"``, each wired to every
source of the Dense; consumers whose input takes several wires (Neuron, Dense,
Output, Add, Concat) read the neurons directly in unit order, others read them
through one Concat. The neurons (and that Concat) form a Group whose ``meta``
remembers the layer, so collapse can rebuild it with the same id, name and
parameters. The rewrite itself is :mod:`nnstudio.graph.transforms`; this
module adds the layout of the neurons and the weight bookkeeping.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from nnstudio.errors import GraphError
from nnstudio.graph import Graph, MakeGroup, Macro, MoveNodes
from nnstudio.graph.transforms import MAX_EXPAND, collapse_group, expand_dense

__all__ = [
    "MAX_EXPAND", "can_expand", "expand_macro", "collapse_macro", "expanded_group_of", "group_neurons",
    "split_dense_weights", "merge_neuron_weights", "edge_weights",
]

NEURON_SPACING = 60.0  # on the 20 px grid, the same pitch the layout uses
CONCAT_OFFSET = 240.0  # where an expanded layer's Concat sits, right of where the layer was
LAYER_WIDTH = 180.0  # a layer node's width on the canvas (ui.canvas.style.NODE_WIDTH, which needs Qt)


def can_expand(graph: Graph, node_id: str) -> str | None:
    """Why this node cannot be expanded into neurons, or None if it can."""
    node = graph.nodes.get(node_id)
    if node is None or node.kind != "Dense":
        return "select a Dense layer to expand it into its neurons"
    if node.params["units"] > MAX_EXPAND:
        return (f"{node.name} has {node.params['units']} units; only layers of up to {MAX_EXPAND} units can be "
                "shown as neurons - lower its units or expand a smaller layer")
    return None


def expand_macro(graph: Graph, node_id: str) -> Macro:
    """One undoable edit replacing the Dense ``node_id`` by its neurons, stacked on the grid."""
    reason = can_expand(graph, node_id)
    if reason:
        raise GraphError(reason)
    macro = expand_dense(graph, node_id)
    # re-space the neurons on the grid, centred on where the layer was (20 px snapping keeps them put)
    node = graph.nodes[node_id]
    x, y = node.pos
    units = node.params["units"]
    from nnstudio.graph import AddNode

    centre = y + 40.0  # a layer node is 80 high; neurons are 40 wide circles
    top = round((centre - NEURON_SPACING * (units - 1) / 2 - 20.0) / 20.0) * 20.0
    j = 0
    for e in macro.edits:
        if isinstance(e, AddNode):
            if e.kind == "Neuron":
                e.pos = (x + 80.0, top + NEURON_SPACING * j)
                j += 1
            elif e.kind == "Concat":
                e.pos = (x + CONCAT_OFFSET, y)
    # the neurons and their Concat are wider than the layer was: push what lies to the right along
    # so nothing ends up under the Concat
    right = {nid: n.pos for nid, n in graph.nodes.items() if nid != node_id and n.pos[0] > x}
    if right:
        shift = x + CONCAT_OFFSET + LAYER_WIDTH + 40.0 - min(p[0] for p in right.values())
        if shift > 0:
            shift = float(np.ceil(shift / 20.0) * 20.0)  # stay on the grid
            macro.edits.append(MoveNodes({nid: (px + shift, py) for nid, (px, py) in right.items()}))
            for e in macro.edits:  # collapsing gives the room back
                if isinstance(e, MakeGroup):
                    e.meta["expanded_from"]["shift"] = shift
    macro.text = f"Expand {node.name} into {units} neurons"
    return macro


def expanded_group_of(graph: Graph, node_ids: list[str]) -> str | None:
    """The id of the expanded-layer group any of these nodes belongs to, if there is one."""
    for nid in node_ids:
        node = graph.nodes.get(nid)
        if node is not None and node.group and "expanded_from" in graph.groups[node.group].meta:
            return node.group
    return None


def collapse_macro(graph: Graph, group_id: str) -> Macro:
    """One undoable edit turning an expanded layer's neurons back into its Dense layer, and moving
    back what expanding pushed to the right (nodes since placed inside that room stay)."""
    macro = collapse_group(graph, group_id)
    group = graph.groups[group_id]
    info = group.meta["expanded_from"]
    shift = float(info.get("shift", 0.0))
    if shift > 0:
        x = info["pos"][0]
        members = set(group.node_ids)
        back = {nid: (n.pos[0] - shift, n.pos[1]) for nid, n in graph.nodes.items()
                if nid not in members and n.pos[0] > x + shift}
        if back:
            macro.edits.append(MoveNodes(back))
    return macro


def group_neurons(graph: Graph, group_id: str) -> list[str]:
    """The Neuron ids of an expanded layer in unit order (unit j of the Dense = item j)."""
    group = graph.groups[group_id]
    return [n for n in group.node_ids if graph.nodes[n].kind == "Neuron"]


def split_dense_weights(graph: Graph, group_id: str,
                        dense: Mapping[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """Per-neuron parameters for an expanded layer, from the Dense layer's ``weight`` (out, in) and ``bias``.

    Lets the window carry trained weights into the neuron view (row j -> neuron j).
    """
    w = np.asarray(dense["weight"])
    b = np.asarray(dense["bias"]) if dense.get("bias") is not None else np.zeros(w.shape[0], w.dtype)
    out: dict[str, dict[str, np.ndarray]] = {}
    for j, nid in enumerate(group_neurons(graph, group_id)):
        out[nid] = {"weight": w[j:j + 1].copy(), "bias": b[j:j + 1].copy()}
    return out


def merge_neuron_weights(graph: Graph, group_id: str,
                         neurons: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The Dense ``weight`` (out, in) and ``bias`` rebuilt from an expanded layer's neurons."""
    ids = group_neurons(graph, group_id)
    missing = [n for n in ids if n not in neurons]
    if missing:
        raise GraphError(f"no weights for {len(missing)} of the layer's neurons - train or compile the network first")
    w = np.concatenate([np.asarray(neurons[n]["weight"]).reshape(1, -1) for n in ids], axis=0)
    b = np.concatenate([np.asarray(neurons[n]["bias"]).reshape(-1)[:1] for n in ids])
    return {"weight": w, "bias": b}


def edge_weights(graph: Graph, shapes: Mapping[str, Any],
                 params: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, float]:
    """One signed number per wire that carries single weights, for drawing weight-coloured wires.

    A wire into a Neuron carries the neuron's weights for that wire's columns; a
    wire out of a Neuron into a weighted layer carries that layer's column for
    the neuron. When a wire carries several values (a 2-wide input), its number
    is the mean magnitude of their weights with the sign of their sum, so
    opposite weights do not cancel into a thin wire.
    """
    out: dict[str, float] = {}
    for nid, node in graph.nodes.items():
        p = params.get(nid)
        if p is None or "weight" not in p:
            continue
        w = np.asarray(p["weight"])
        if w.ndim != 2:
            continue  # conv filters: no single number per wire
        neuron_in = node.kind == "Neuron"
        col = 0
        for e in graph.in_edges(nid):
            shape = shapes.get(e.src)
            width = int(np.prod(shape)) if shape else 1
            block = w[:, col:col + width]
            col += width
            if block.size == 0:
                continue
            if neuron_in or graph.nodes[e.src].kind == "Neuron":
                sign = -1.0 if float(np.sum(block)) < 0 else 1.0
                out[e.id] = sign * float(np.mean(np.abs(block)))
    return out
