"""Layered layout, left to right by depth - plain Python, no Qt, so it is testable on its own.

Each node goes one column right of its deepest predecessor (longest-path
layering); inside a column nodes are ordered by the mean row of their
predecessors (one barycentre sweep), which removes most wire crossings in the
small networks people draw. Every coordinate is a multiple of the canvas grid,
so a laid-out graph stays put when nodes snap.
"""
from __future__ import annotations

import math
from typing import Iterable

from nnstudio.graph import Graph
from nnstudio.graph.order import kahn_order

GRID = 20.0
COLUMN = 280.0  # node width (180) plus room for a wire and its shape label
ROW = 120.0  # a layer node is about 90 high
NEURON_ROW = 60.0  # neurons are small circles stacked like a textbook layer
NODE_HEIGHT = 80.0  # the canvas draws layers this high ...
NEURON_HEIGHT = 40.0  # ... and neurons this wide; the layout centres on them
NEURON_X = 80.0  # (180 - 40) / 2 on the grid


def _snap(v: float) -> float:
    return math.floor(v / GRID + 0.5) * GRID  # halves always up, so evenly spaced rows stay even


def layer_depths(graph: Graph, node_ids: Iterable[str] | None = None) -> dict[str, int]:
    """Column of each chosen node: 0 for sources, else 1 + the deepest chosen predecessor.

    Wires from nodes outside the selection are ignored; on a graph with a loop the
    nodes keep their insertion order and the loop's back wire is skipped.
    """
    chosen = list(graph.nodes) if node_ids is None else [n for n in node_ids if n in graph.nodes]
    inside = set(chosen)
    order = kahn_order(chosen, ((e.src, e.dst) for e in graph.edges.values() if e.src in inside and e.dst in inside))
    placed = set(order)
    order += [n for n in chosen if n not in placed]  # nodes on or after a loop
    depth: dict[str, int] = {}
    for nid in order:
        preds = [e.src for e in graph.in_edges(nid) if e.src in depth]
        depth[nid] = 1 + max((depth[p] for p in preds), default=-1)
    return depth


def components(graph: Graph, node_ids: Iterable[str]) -> list[list[str]]:
    """The chosen nodes split into groups connected by wires (each in graph order)."""
    chosen = [n for n in node_ids if n in graph.nodes]
    parent = {n: n for n in chosen}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for e in graph.edges.values():
        if e.src in parent and e.dst in parent:
            parent[find(e.src)] = find(e.dst)
    out: dict[str, list[str]] = {}
    for n in chosen:
        out.setdefault(find(n), []).append(n)
    return list(out.values())


def layered_positions(graph: Graph, node_ids: Iterable[str] | None = None,
                      origin: tuple[float, float] | None = None) -> dict[str, tuple[float, float]]:
    """New top-left positions of the chosen nodes (all nodes when ``node_ids`` is None).

    Columns go left to right by depth and are centred vertically on the tallest
    one; separate networks are stacked top to bottom. The layout starts at
    ``origin``, or at the chosen nodes' current top-left corner (snapped to the
    grid) so laying out does not throw the graph elsewhere.
    """
    chosen = list(graph.nodes) if node_ids is None else [n for n in node_ids if n in graph.nodes]
    if not chosen:
        return {}
    if origin is None:
        origin = (_snap(min(graph.nodes[n].pos[0] for n in chosen)), _snap(min(graph.nodes[n].pos[1] for n in chosen)))
    out: dict[str, tuple[float, float]] = {}
    top = origin[1]
    for part in components(graph, chosen):
        placed = _layered(graph, part, (origin[0], top))
        out.update(placed)
        bottom = max(y + (NEURON_HEIGHT if graph.nodes[n].kind == "Neuron" else NODE_HEIGHT)
                     for n, (_, y) in placed.items())
        top = _snap(bottom + ROW - NODE_HEIGHT + GRID * 2)
    return out


def _layered(graph: Graph, chosen: list[str], origin: tuple[float, float]) -> dict[str, tuple[float, float]]:
    depth = layer_depths(graph, chosen)
    columns: dict[int, list[str]] = {}
    for nid in depth:  # insertion order is the tie-breaker
        columns.setdefault(depth[nid], []).append(nid)
    # barycentre sweep: order each column by where its predecessors sit
    rank: dict[str, float] = {}
    for d in sorted(columns):
        ids = columns[d]
        if d > 0:
            first = {nid: i for i, nid in enumerate(ids)}

            def key(nid: str) -> tuple[float, int]:
                preds = [rank[e.src] for e in graph.in_edges(nid) if e.src in rank]
                return (sum(preds) / len(preds) if preds else float(first[nid]), first[nid])

            ids.sort(key=key)
        for i, nid in enumerate(ids):
            rank[nid] = float(i)

    def row_of(ids: list[str]) -> float:
        return NEURON_ROW if all(graph.nodes[i].kind == "Neuron" for i in ids) else ROW

    tallest = max(len(ids) * row_of(ids) for ids in columns.values())
    out: dict[str, tuple[float, float]] = {}
    for d, ids in columns.items():
        row = row_of(ids)
        top = origin[1] + (tallest - len(ids) * row) / 2
        for i, nid in enumerate(ids):
            height = NEURON_HEIGHT if graph.nodes[nid].kind == "Neuron" else NODE_HEIGHT
            centre = top + i * row + row / 2
            # neurons sit in the middle of their column, where a layer's body would be
            x = origin[0] + d * COLUMN + (NEURON_X if graph.nodes[nid].kind == "Neuron" else 0.0)
            out[nid] = (x, _snap(centre - height / 2 - (ROW - NODE_HEIGHT) / 2))
    return out
