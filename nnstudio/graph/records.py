"""Building a graph from plain records (the ``graph`` part of a project file).

Records are checked field by field so that a hand-edited or damaged file is
refused with a message that names the node and the field, never a KeyError.
"""
from __future__ import annotations

import math
from typing import Any

from nnstudio.errors import GraphError
from nnstudio.graph import kinds
from nnstudio.graph.model import Edge, Graph, Group, Node


def _field(rec: Any, key: str, typ: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(rec, dict):
        raise GraphError(f"{where} must be an object")
    if key not in rec:
        raise GraphError(f"{where} has no {key!r}")
    value = rec[key]
    if not isinstance(value, typ) or isinstance(value, bool) and typ is not bool:
        raise GraphError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def _list(records: dict[str, Any], key: str) -> list[Any]:
    value = records.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise GraphError(f"the graph's {key!r} must be a list, not {type(value).__name__}")
    return value


def graph_from_records(records: dict[str, Any]) -> Graph:
    """Build a :class:`Graph` from records; raises GraphError naming the bad entry."""
    if not isinstance(records, dict):
        raise GraphError("the graph must be an object with nodes and edges")
    g = Graph()
    for i, rec in enumerate(_list(records, "nodes")):
        where = f"node #{i + 1}"
        nid = _field(rec, "id", str, where)
        kind = _field(rec, "kind", str, where)
        where = f"node {nid!r}"
        if kind not in kinds.REGISTRY:
            raise GraphError(f"{where} has an unknown kind {kind!r} (known kinds: {', '.join(kinds.REGISTRY)}) - "
                             "it may come from a newer nnstudio")
        spec = kinds.get(kind)
        params = rec.get("params", {})
        if not isinstance(params, dict):
            raise GraphError(f"{where}: 'params' must be an object")
        try:
            params = spec.check_params(params)
        except GraphError as exc:
            raise GraphError(f"{where}: {exc}") from None
        pos = rec.get("pos", [0.0, 0.0])
        if (not isinstance(pos, list) or len(pos) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos)):
            raise GraphError(f"{where}: 'pos' must be two numbers")
        if not all(math.isfinite(v) for v in pos):  # the canvas cannot paint NaN or infinite positions
            raise GraphError(f"{where}: 'pos' must be two finite numbers; got {pos!r}")
        name = rec.get("name") or g.default_name(kind)
        if not isinstance(name, str):
            raise GraphError(f"{where}: 'name' must be text")
        g._insert_node(Node(nid, kind, name, params, (float(pos[0]), float(pos[1]))))
    for i, rec in enumerate(_list(records, "edges")):
        where = f"wire #{i + 1}"
        eid = _field(rec, "id", str, where)
        src = _field(rec, "src", str, where)
        dst = _field(rec, "dst", str, where)
        for end in (src, dst):
            if end not in g.nodes:
                raise GraphError(f"wire {eid!r} refers to a node {end!r} that does not exist")
        src_port = rec.get("src_port", "out")
        dst_port = rec.get("dst_port", "in")
        try:
            g.nodes[src].spec.output_port(src_port)
            g.nodes[dst].spec.input_port(dst_port)
        except GraphError as exc:
            raise GraphError(f"wire {eid!r}: {exc}") from None
        g._insert_edge(Edge(eid, src, dst, src_port, dst_port))
    for i, rec in enumerate(_list(records, "groups")):
        where = f"group #{i + 1}"
        gid = _field(rec, "id", str, where)
        name = _field(rec, "name", str, where)
        members = _field(rec, "nodes", list, where)
        for nid in members:
            if not isinstance(nid, str):
                raise GraphError(f"group {gid!r}: its nodes must be node ids (text), not {nid!r}")
            if nid not in g.nodes:
                raise GraphError(f"group {gid!r} refers to a node {nid!r} that does not exist")
            if g.nodes[nid].group is not None:
                raise GraphError(f"node {nid!r} is in two groups")
        meta = rec.get("meta", {})
        if not isinstance(meta, dict):
            raise GraphError(f"group {gid!r}: 'meta' must be an object")
        g._insert_group(Group(gid, name, tuple(members), meta))
    return g
