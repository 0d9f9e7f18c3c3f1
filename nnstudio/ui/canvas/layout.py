"""Layered layout (left to right by depth) - plain Python, no Qt."""
from __future__ import annotations

from typing import Iterable

from nnstudio.graph import Graph

COLUMN = 240.0
ROW = 110.0


def layered_positions(graph: Graph, node_ids: Iterable[str] | None = None,
                      origin: tuple[float, float] | None = None) -> dict[str, tuple[float, float]]:
    """New positions: each node one column right of its deepest predecessor, rows centred.

    With ``node_ids`` only those nodes move (depth counted inside the selection),
    starting at the selection's top-left corner.
    """
    chosen = list(graph.nodes) if node_ids is None else [n for n in node_ids if n in graph.nodes]
    if not chosen:
        return {}
    inside = set(chosen)
    try:
        order = [n for n in graph.topological_order() if n in inside]
    except Exception:  # a cycle: keep the current order
        order = chosen
    depth: dict[str, int] = {}
    for nid in order:
        preds = [p for p in graph.predecessors(nid) if p in inside and p in depth]
        depth[nid] = 1 + max((depth[p] for p in preds), default=-1)
    columns: dict[int, list[str]] = {}
    for nid in order:
        columns.setdefault(depth[nid], []).append(nid)
    if origin is None:
        xs = [graph.nodes[n].pos[0] for n in chosen]
        ys = [graph.nodes[n].pos[1] for n in chosen]
        origin = (min(xs), min(ys)) if node_ids is not None else (0.0, 0.0)
    def row_of(ids: list[str]) -> float:
        return ROW * (0.5 if all(graph.nodes[i].kind == "Neuron" for i in ids) else 1.0)

    tallest = max(len(ids) * row_of(ids) for ids in columns.values())
    out = {}
    for d, ids in columns.items():
        row = row_of(ids)
        top = origin[1] + (tallest - len(ids) * row) / 2
        for i, nid in enumerate(ids):
            out[nid] = (origin[0] + d * COLUMN, top + i * row)
    return out
