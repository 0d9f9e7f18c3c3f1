"""Expanding a Dense layer into its neurons and collapsing it back keeps the network the same."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnstudio as ns
from nnstudio.errors import GraphError
from nnstudio.graph.transforms import MAX_EXPAND, collapse_group, expand_dense
from tests.conftest import build_mlp


def structure(g: ns.Graph) -> tuple:
    """What the network is, regardless of edge ids: nodes with kind, name, params, and the wiring."""
    nodes = sorted((n.id, n.kind, n.name, repr(sorted(n.params.items()))) for n in g.nodes.values())
    wires = sorted((e.src, e.dst) for e in g.edges.values())
    return nodes, wires


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, MAX_EXPAND), min_size=2, max_size=4), which=st.integers(0, 3),
       data=st.data())
def test_expand_then_collapse_is_the_same_network(sizes, which, data):
    g, ids = build_mlp((data.draw(st.integers(1, 4)), *sizes))
    dense = ids[f"dense{which % (len(sizes))}"]
    before, shapes, total = structure(g), g.infer_shapes(), g.total_params()
    units = g.nodes[dense].params["units"]

    g.apply(expand_dense(g, dense))
    neurons = [n for n in g.nodes.values() if n.kind == "Neuron"]
    assert len(neurons) == units and dense not in g.nodes
    assert g.total_params() == total and not g.validate()  # the same trainable values, still valid
    after = g.infer_shapes()
    for nid in ids.values():
        if nid in g.nodes:
            assert after[nid] == shapes[nid]  # every other layer sees the same tensor
    (group,) = g.groups.values()

    g.apply(collapse_group(g, group.id))
    assert structure(g) == before and not g.groups


def test_undoing_an_expand_restores_the_graph_exactly():
    g, ids = build_mlp((3, 5, 2))
    before = g.to_records()
    macro = expand_dense(g, ids["dense0"])
    g.apply(macro)
    macro.revert(g)
    assert g.to_records() == before


def test_a_consumer_taking_several_wires_reads_the_neurons_directly():
    g = ns.Graph()
    x = g.add("Input", shape=[2])
    d = g.add("Dense", units=3)
    other = g.add("Dense", units=2)
    cat = g.add("Concat")
    out = g.add("Output", loss="mse")
    for s, t in [(x, d), (x, other), (d, cat), (other, cat), (cat, out)]:
        g.connect(s, t)
    width = g.infer_shapes()[cat]
    g.apply(expand_dense(g, d))
    neurons = [n.id for n in g.nodes.values() if n.kind == "Neuron"]
    assert sorted(e.src for e in g.in_edges(cat)) == sorted(neurons + [other])
    assert not [n for n in g.nodes.values() if n.kind == "Concat" and n.id != cat]  # no extra join
    assert g.infer_shapes()[cat] == width


@pytest.mark.parametrize("kind, params, why", [("Dense", {"units": MAX_EXPAND + 1}, "at most"),
                                               ("Activation", {}, "only a Dense")])
def test_what_cannot_be_expanded_is_refused_with_the_reason(kind, params, why):
    g = ns.Graph()
    nid = g.add(kind, **params)
    with pytest.raises(GraphError, match=why):
        expand_dense(g, nid)
    assert np.all([n.kind == kind for n in g.nodes.values()])
