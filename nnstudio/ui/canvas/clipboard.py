"""Graph fragments as JSON text for the clipboard (so pasting into another window works)."""
from __future__ import annotations

import json
from typing import Any, Iterable

from nnstudio.errors import GraphError
from nnstudio.graph import AddNode, Connect, Graph, Macro, kinds

MIME = "application/x-nnstudio-graph"


def fragment(graph: Graph, node_ids: Iterable[str]) -> str:
    """The chosen nodes and the wires between them, as JSON."""
    ids = [n for n in node_ids if n in graph.nodes]
    chosen = set(ids)
    nodes = [{"id": n, "kind": graph.nodes[n].kind, "name": graph.nodes[n].name, "params": graph.nodes[n].params,
              "pos": list(graph.nodes[n].pos)} for n in ids]
    edges = [{"src": e.src, "dst": e.dst} for e in graph.edges.values() if e.src in chosen and e.dst in chosen]
    return json.dumps({"format": "nnstudio-fragment", "nodes": nodes, "edges": edges})


def paste_macro(graph: Graph, text: str, offset: tuple[float, float] = (40.0, 40.0)) -> tuple[Macro, list[str]]:
    """Edits that add a copy of the fragment (new ids, shifted), and the new node ids."""
    try:
        data: Any = json.loads(text)
    except (ValueError, TypeError):
        raise GraphError("the clipboard does not hold nnstudio nodes") from None
    if not isinstance(data, dict) or data.get("format") != "nnstudio-fragment":
        raise GraphError("the clipboard does not hold nnstudio nodes")
    mapping: dict[str, str] = {}
    edits: list[Any] = []
    for n in data.get("nodes", []):
        try:
            kinds.get(n["kind"])
            new = graph.new_id("n")
            mapping[n["id"]] = new
            x, y = n.get("pos", (0, 0))
            edits.append(AddNode(n["kind"], dict(n.get("params", {})), (float(x) + offset[0], float(y) + offset[1]),
                                 None, new))
        except (KeyError, TypeError, ValueError) as exc:
            raise GraphError(f"the clipboard holds a damaged node ({exc})") from None
    for e in data.get("edges", []):
        if e.get("src") in mapping and e.get("dst") in mapping:
            edits.append(Connect(mapping[e["src"]], mapping[e["dst"]]))
    if not edits:
        raise GraphError("the clipboard holds no nodes")
    return Macro(edits, "Paste"), list(mapping.values())
