"""Validation is linear: one pass over the wires, one shape inference per node (no timing asserts).

Before, every node asked ``Graph.in_edges``/``out_edges``, which scan every wire:
10,000 nodes took about 20 s. Here the work is counted instead of timed.
"""
from __future__ import annotations

import pytest

from nnstudio.graph import kinds
from nnstudio.graph.model import Edge, Graph, Node


class CountingEdges(dict):
    """The graph's wire dict, counting how often all wires are walked."""

    walks = 0

    def values(self):  # type: ignore[override]
        type(self).walks += 1
        return super().values()

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def chain(n: int) -> Graph:
    """Input -> (Dense, Activation)* -> Output with ``n`` nodes, built without per-edit checks."""
    g = Graph()
    g._insert_node(Node("n1", "Input", "Input 1", kinds.get("Input").check_params({"shape": [4]})))
    prev = "n1"
    for i in range(2, n):
        kind = "Dense" if i % 2 else "Activation"
        g._insert_node(Node(f"n{i}", kind, f"{kind} {i}",
                            kinds.get(kind).check_params({"units": 4} if kind == "Dense" else {})))
        g._insert_edge(Edge(f"e{i}", prev, f"n{i}"))
        prev = f"n{i}"
    g._insert_node(Node(f"n{n}", "Output", "Output 1", kinds.get("Output").check_params({"loss": "mse"})))
    g._insert_edge(Edge(f"e{n}", prev, f"n{n}"))
    return g


@pytest.mark.parametrize("n", [10, 200, 2000])
def test_validation_walks_the_wires_a_constant_number_of_times(monkeypatch, n):
    g = chain(n)
    g.edges = CountingEdges(g.edges)
    CountingEdges.walks = 0
    inferred = []
    real = kinds.KindSpec.infer

    def counting_infer(self, params, in_shapes):
        inferred.append(1)
        return real(self, params, in_shapes)
    monkeypatch.setattr(kinds.KindSpec, "infer", counting_infer)
    analysis = __import__("nnstudio.graph.validate", fromlist=["analyse"]).analyse(g)
    assert analysis.ok and analysis.shapes[f"n{n}"] == (4,)
    assert len(inferred) == n  # one shape inference per node
    assert CountingEdges.walks <= 4  # independent of n (it was about 3 per node)


def test_validation_of_a_long_chain_still_finds_the_problem_at_its_end():
    g = chain(5001)
    g._insert_node(Node("x", "Dense", "Dangling", kinds.get("Dense").check_params({"units": 2})))
    problems = g.validate()
    assert [p.node_id for p in problems if p.severity == "error"] == ["x"]
    assert "nothing connected to its input" in problems[0].message
