"""Graph fragments as JSON text for the clipboard, so copying between windows (and into a text editor) works.

The clipboard holds the same text under ``application/x-nnstudio-graph`` and
as plain text. Pasting reads plain records first and checks them before any
edit is made, so damaged text is refused with a message and changes nothing.
"""
from __future__ import annotations

import json
from typing import Any, Iterable

from nnstudio.errors import GraphError
from nnstudio.graph import AddNode, Connect, Edit, Graph, Macro

MIME = "application/x-nnstudio-graph"
FORMAT = "nnstudio-fragment"


def fragment(graph: Graph, node_ids: Iterable[str]) -> str:
    """The chosen nodes and the wires between them, as JSON text."""
    ids = [n for n in node_ids if n in graph.nodes]
    chosen = set(ids)
    nodes = [{"id": n, "kind": graph.nodes[n].kind, "name": graph.nodes[n].name,
              "params": graph.nodes[n].params, "pos": list(graph.nodes[n].pos)} for n in ids]
    edges = [{"src": e.src, "dst": e.dst, "src_port": e.src_port, "dst_port": e.dst_port}
             for e in graph.edges.values() if e.src in chosen and e.dst in chosen]
    return json.dumps({"format": FORMAT, "version": 1, "nodes": nodes, "edges": edges}, indent=1)


def paste_macro(graph: Graph, text: str, offset: tuple[float, float] = (40.0, 40.0)) -> tuple[Macro, list[str]]:
    """Edits that add a copy of the fragment to ``graph`` (new ids, shifted by ``offset``), and the new ids.

    Names are kept when ``graph`` does not use them yet, otherwise the kind's next
    free name is taken. Raises :class:`GraphError` when the text is not a fragment.
    """
    try:
        data: Any = json.loads(text)
    except (ValueError, TypeError):
        raise GraphError("the clipboard does not hold nnstudio nodes - copy some nodes on a canvas first") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise GraphError("the clipboard does not hold nnstudio nodes - copy some nodes on a canvas first")
    mapping: dict[str, str] = {}
    edits: list[Edit] = []
    used = {n.name for n in graph.nodes.values()}
    for i, n in enumerate(data.get("nodes") or []):
        try:
            x, y = n.get("pos", (0.0, 0.0))
            name = n.get("name")
            if not isinstance(name, str) or not name.strip() or name in used:
                name = None
            else:
                used.add(name)
            add = AddNode(n["kind"], dict(n.get("params") or {}), (float(x) + offset[0], float(y) + offset[1]), name)
        except GraphError as exc:
            raise GraphError(f"the clipboard's node #{i + 1} cannot be pasted: {exc}") from None
        except (KeyError, TypeError, ValueError, AttributeError):
            raise GraphError(f"the clipboard's node #{i + 1} is damaged - copy the nodes again") from None
        add.node_id = graph.new_id("n")
        if add.name is None:
            # default names must not collide with each other inside one paste
            k = 1
            while f"{add.kind} {k}" in used:
                k += 1
            add.name = f"{add.kind} {k}"
            used.add(add.name)
        mapping[str(n.get("id"))] = add.node_id
        edits.append(add)
    for e in data.get("edges") or []:
        if not isinstance(e, dict):
            continue
        src, dst = mapping.get(str(e.get("src"))), mapping.get(str(e.get("dst")))
        if src and dst:
            edits.append(Connect(src, dst, e.get("src_port"), e.get("dst_port")))
    if not mapping:
        raise GraphError("the clipboard holds no nodes to paste")
    return Macro(edits, f"Paste {len(mapping)} node(s)"), list(mapping.values())
