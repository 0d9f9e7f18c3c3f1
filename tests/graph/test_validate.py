"""Graph-level validation: loops, dangling inputs, structure, loss vs target."""
from __future__ import annotations

import nnstudio as ns
from nnstudio.graph import TargetSpec
from nnstudio.graph.model import Edge
from tests.conftest import build_mlp


def errors(g, target=None):
    return [p for p in g.validate(target) if p.severity == "error"]


def test_valid_mlp_has_no_problems(mlp):
    g, _ = mlp
    assert g.validate() == []
    assert g.total_params() == (2 * 8 + 8) + (8 * 8 + 8) + (8 + 1)


def test_empty_graph_says_what_to_do():
    [p] = ns.Graph().validate()
    assert p.node_id is None and "drag an Input" in p.message


def test_loop_is_reported_on_each_node_in_it():
    g = ns.Graph()
    x = g.add("Input", shape=[2])
    a, b = g.add("Dense", units=2), g.add("Dense", units=2)
    o = g.add("Output", loss="mse")
    g.connect(x, a)
    g.connect(a, b)
    g.connect(b, o)
    g._insert_edge(Edge("e99", b, a))  # a file can hold a loop the canvas would refuse
    loop = [p for p in errors(g) if "loop" in p.message]
    assert {p.node_id for p in loop} == {a, b}
    assert "Dense 1 -> Dense 2 -> Dense 1" in loop[0].message or "Dense 2 -> Dense 1 -> Dense 2" in loop[0].message
    assert g.infer_shapes()[o] is None


def test_unconnected_input_and_missing_output():
    g = ns.Graph()
    x = g.add("Input")
    d = g.add("Dense")
    msgs = {(p.node_id, p.message) for p in errors(g)}
    assert (d, "Dense has nothing connected to its input - wire a node into it") in msgs
    assert (None, "The network has no Output - add one and choose its loss") in msgs
    warnings = [p for p in g.validate() if p.severity == "warning"]
    assert {p.node_id for p in warnings} == {x, d}


def test_output_not_fed_from_input():
    g, ids = build_mlp()
    g.disconnect(g.in_edges(ids["dense0"])[0].id)
    x2 = g.add("Dense", units=2)
    g.connect(x2, ids["dense0"])
    assert any(p.node_id == x2 and "nothing connected" in p.message for p in errors(g))


def test_softmax_before_cross_entropy_is_a_warning():
    g, ids = build_mlp(sizes=(2, 3), loss="cross_entropy")
    g.disconnect(g.in_edges(ids["output"])[0].id)
    s = g.add("Activation", function="softmax")
    g.connect(ids["dense0"], s)
    g.connect(s, ids["output"])
    [w] = [p for p in g.validate() if p.severity == "warning"]
    assert w.node_id == s and "cross_entropy already applies softmax" in w.message


def test_loss_against_target():
    g, ids = build_mlp(sizes=(2, 4, 3), loss="cross_entropy")
    assert errors(g, TargetSpec("classification", 3, (2,))) == []
    [p] = errors(g, TargetSpec("classification", 10, (2,)))
    assert p.node_id == ids["output"] and "10 classes but the network gives 3 scores" in p.message
    [p] = errors(g, TargetSpec("regression", 1, (2,)))
    assert "targets are numbers but cross_entropy is a loss for classes" in p.message
    [p] = errors(g, TargetSpec("classification", 3, (64,)))
    assert p.node_id == ids["input"] and "set its shape to [64]" in p.message
    g.set_param(ids["output"], "loss", "mse")
    [p] = errors(g, TargetSpec("classification", 3, (2,)))
    assert "mse is a loss for numbers" in p.message
    g.set_param(ids["output"], "loss", "bce")
    [p] = errors(g, TargetSpec("classification", 3, (2,)))
    assert "use cross_entropy with 3 outputs" in p.message
    g.set_param(ids["dense1"], "units", 1)
    assert errors(g, TargetSpec("classification", 2, (2,))) == []


def test_problem_describe_uses_node_name(mlp):
    g, ids = mlp
    g.set_param(ids["input"], "shape", [2, 4, 4])
    [p] = errors(g)
    assert p.describe(g).startswith("Dense 1: Dense expects a flat vector but gets 2x4x4")


def test_topological_order_respects_wires(mlp):
    g, ids = mlp
    order = g.topological_order()
    pos = {nid: i for i, nid in enumerate(order)}
    assert all(pos[e.src] < pos[e.dst] for e in g.edges.values())


def test_sequence_targets_need_a_class_at_every_position():
    from nnstudio.graph import TargetSpec

    def net(flatten: bool) -> tuple[ns.Graph, str]:
        g = ns.Graph()
        ids = [g.add("Input", shape=[6]), g.add("Embedding", num_embeddings=4, embedding_dim=4)]
        if flatten:
            ids.append(g.add("Flatten"))
        ids += [g.add("Dense", units=4), g.add("Output", loss="cross_entropy")]
        for a, b in zip(ids, ids[1:]):
            g.connect(a, b)
        return g, ids[-1]

    per_position = TargetSpec("classification", 4, (6,), positions=6)
    g, out = net(flatten=False)
    assert not [p for p in g.validate(per_position) if p.severity == "error"]
    msgs = [p.message for p in g.validate(TargetSpec("classification", 4, (6,))) if p.node_id == out]
    assert any("Flatten before the last Dense" in m for m in msgs)
    msgs = [p.message for p in g.validate(TargetSpec("classification", 4, (6,), positions=5)) if p.node_id == out]
    assert any("dataset has 5 positions" in m for m in msgs)
    g, out = net(flatten=True)
    msgs = [p.message for p in g.validate(per_position) if p.node_id == out]
    assert any("a class at each of 6 positions" in m for m in msgs)
