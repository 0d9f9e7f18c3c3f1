"""Reversible edits: undo gives back exactly what was there, redo gives the edit."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnstudio as ns
from nnstudio.errors import GraphError
from nnstudio.graph import (
    AddNode, Connect, Disconnect, Macro, MakeGroup, MoveNodes, RemoveNode, Rename, SetParam, Ungroup, remove_many,
)
from nnstudio.graph import kinds

KIND_NAMES = list(kinds.names())


def _random_value(spec, data):
    if spec.type == "int":
        lo = int(spec.minimum if spec.minimum is not None else 0)
        hi = int(min(spec.maximum if spec.maximum is not None else 64, lo + 64))
        return data.draw(st.integers(lo, hi))
    if spec.type == "float":
        hi = spec.maximum if spec.maximum is not None else 10.0
        return data.draw(st.floats(spec.minimum or 0.0, hi, exclude_max=spec.exclusive_max))
    if spec.type == "bool":
        return data.draw(st.booleans())
    if spec.type == "choice":
        return data.draw(st.sampled_from(spec.choices))
    return data.draw(st.lists(st.integers(1, 8), min_size=1, max_size=3))


def random_edit(g: ns.Graph, data) -> object | None:
    """One plausible edit for the current graph (it may still be refused)."""
    nodes, edges = list(g.nodes), list(g.edges)
    op = data.draw(st.sampled_from(["add", "add", "connect", "connect", "disconnect", "remove", "param",
                                    "move", "rename", "group", "ungroup", "macro"]))
    if op == "add" or not nodes:
        return AddNode(data.draw(st.sampled_from(KIND_NAMES)),
                       pos=(data.draw(st.floats(-500, 500)), data.draw(st.floats(-500, 500))))
    pick = lambda seq: data.draw(st.sampled_from(seq))  # noqa: E731
    if op == "connect":
        return Connect(pick(nodes), pick(nodes))
    if op == "disconnect" and edges:
        return Disconnect(pick(edges))
    if op == "remove":
        return RemoveNode(pick(nodes))
    if op == "param":
        nid = pick(nodes)
        spec = g.nodes[nid].spec
        if spec.params:
            p = pick(list(spec.params))
            return SetParam(nid, p.name, _random_value(p, data))
    if op == "move":
        chosen = data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True))
        return MoveNodes({n: (data.draw(st.floats(-1e3, 1e3)), 0.5) for n in chosen})
    if op == "rename":
        return Rename(pick(nodes), data.draw(st.text(min_size=1, max_size=8)))
    if op == "group":
        return MakeGroup(tuple(data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True))), "grp")
    if op == "ungroup" and g.groups:
        return Ungroup(pick(list(g.groups)))
    if op == "macro":
        chosen = data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True))
        return remove_many(g, chosen, edges[:1])
    return None


@settings(max_examples=150)
@given(st.data())
def test_random_edits_undo_and_redo_exactly(data):
    g = ns.Graph()
    applied = []
    history = [g.to_records()]
    for _ in range(data.draw(st.integers(1, 25))):
        edit = random_edit(g, data)
        if edit is None:
            continue
        before = g.to_records()
        try:
            g.apply(edit)
        except GraphError:
            assert g.to_records() == before, "a refused edit must leave the graph untouched"
            continue
        applied.append(edit)
        history.append(g.to_records())
    edited = g.to_records()
    for i, edit in enumerate(reversed(applied)):
        edit.revert(g)
        assert g.to_records() == history[-2 - i]
    assert g.to_records() == history[0]
    for edit in applied:
        edit.apply(g)
    assert g.to_records() == edited


def test_remove_node_restores_wire_order():
    g = ns.Graph()
    x = g.add("Input", shape=[2])
    a, b, c = (g.add("Dense", units=u) for u in (1, 2, 3))
    cat = g.add("Concat")
    for n in (a, b, c):
        g.connect(x, n)
        g.connect(n, cat)
    order = [e.src for e in g.in_edges(cat)]
    edit = RemoveNode(b)
    g.apply(edit)
    assert [e.src for e in g.in_edges(cat)] == [a, c]
    edit.revert(g)
    assert [e.src for e in g.in_edges(cat)] == order
    assert g.infer_shapes()[cat] == (6,)


def test_events_follow_each_edit():
    g = ns.Graph()
    seen = []
    g.events.subscribe(lambda e: seen.append(e.name))
    x = g.add("Input")
    d = g.add("Dense")
    g.connect(x, d)
    g.set_param(d, "units", 3)
    g.move(d, (10, 20))
    g.remove(x)
    assert seen == ["node_added", "node_added", "edge_added", "param_changed", "node_moved",
                    "edge_removed", "node_removed"]


def test_connect_refusals_explain_why():
    g = ns.Graph()
    x = g.add("Input")
    a = g.add("Activation")
    d = g.add("Dense")
    o = g.add("Output")
    assert g.can_connect(x, x) == "a node cannot feed itself"
    assert "takes no input" in g.can_connect(d, x)
    assert "has no output" in g.can_connect(o, d)
    g.connect(x, a)
    assert "single input and already has one" in g.can_connect(d, a)
    g.connect(a, d)
    assert "would make a loop" in g.can_connect(d, a) or "single input" in g.can_connect(d, a)
    d2 = g.add("Dense")
    g.connect(d, d2)
    assert "would make a loop" in g.can_connect(d2, d)
    assert "already wired" in g.can_connect(d, d2)
    with pytest.raises(GraphError, match="cannot connect"):
        g.connect(d2, d)


def test_failed_macro_is_rolled_back():
    g = ns.Graph()
    x = g.add("Input")
    before = g.to_records()
    with pytest.raises(GraphError):
        g.apply(Macro([AddNode("Dense"), Connect(x, "nope")]))
    assert g.to_records() == before


def test_redo_reuses_ids():
    g = ns.Graph()
    edit = AddNode("Dense", {"units": 4})
    nid = g.apply(edit)
    edit.revert(g)
    assert g.apply(edit) == nid
    assert g.nodes[nid].params["units"] == 4


def test_grouped_node_cannot_be_removed_alone_but_remove_many_ungroups():
    g = ns.Graph()
    a, b = g.add("Neuron"), g.add("Neuron")
    gid = g.group([a, b], "layer")
    with pytest.raises(GraphError, match="belongs to a group"):
        g.remove(a)
    macro = remove_many(g, [a])
    g.apply(macro)
    assert gid not in g.groups and a not in g.nodes and g.nodes[b].group is None
    macro.revert(g)
    assert g.groups[gid].node_ids == (a, b) and g.nodes[a].group == gid
