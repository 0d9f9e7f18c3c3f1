"""Shape inference for every kind, with the advice wrong shapes produce."""
from __future__ import annotations

import pytest

import nnstudio as ns
from nnstudio.graph import kinds


def chain(*specs, input_shape=(2,)):
    """Input(shape) -> kinds in order; returns graph and the ids."""
    g = ns.Graph()
    ids = [g.add("Input", shape=list(input_shape))]
    for kind, params in specs:
        nid = g.add(kind, **params)
        g.connect(ids[-1], nid)
        ids.append(nid)
    return g, ids


def last_shape(*specs, input_shape=(2,)):
    g, ids = chain(*specs, input_shape=input_shape)
    return g.infer_shapes()[ids[-1]]


def problem_of(g, nid):
    msgs = [p.message for p in g.validate() if p.node_id == nid and p.severity == "error"]
    assert msgs, f"expected a problem on {nid}, got {g.validate()}"
    return msgs[0]


@pytest.mark.parametrize("kind,params,in_shape,expected", [
    ("Dense", {"units": 5}, (3,), (5,)),
    ("Neuron", {}, (7,), (1,)),
    ("Activation", {"function": "softmax"}, (4,), (4,)),
    ("Activation", {"function": "gelu"}, (2, 3, 3), (2, 3, 3)),
    ("Dropout", {"p": 0.3}, (6,), (6,)),
    ("BatchNorm", {}, (6,), (6,)),
    ("BatchNorm", {}, (3, 4, 4), (3, 4, 4)),
    ("LayerNorm", {}, (2, 5, 5), (2, 5, 5)),
    ("Flatten", {}, (16, 5, 5), (400,)),
    ("Reshape", {"shape": [1, 8, 8]}, (64,), (1, 8, 8)),
    ("Reshape", {"shape": [4, -1]}, (64,), (4, 16)),
    ("Conv2D", {"out_channels": 6, "kernel_size": 5}, (1, 28, 28), (6, 24, 24)),
    ("Conv2D", {"out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1}, (3, 9, 9), (4, 5, 5)),
    ("MaxPool2D", {"kernel_size": 2}, (6, 24, 24), (6, 12, 12)),
    ("AvgPool2D", {"kernel_size": 3, "stride": 1}, (2, 5, 5), (2, 3, 3)),
    ("MaxPool2D", {"kernel_size": 2}, (1, 5, 5), (1, 2, 2)),
    ("Embedding", {"num_embeddings": 20, "embedding_dim": 3}, (5,), (5, 3)),
    ("Output", {"loss": "mse"}, (3,), (3,)),
    ("Output", {"loss": "cross_entropy"}, (10,), (10,)),
    ("Dense", {"units": 5}, (7, 3), (7, 5)),  # per position
    ("LayerNorm", {"over": "last"}, (7, 4), (7, 4)),
    ("PositionalEmbedding", {"max_len": 8}, (7, 4), (7, 4)),
    ("MultiheadAttention", {"num_heads": 2}, (7, 4), (7, 4)),
    ("Output", {"loss": "cross_entropy"}, (7, 10), (7, 10)),  # a class per position
])
def test_single_input_rules(kind, params, in_shape, expected):
    assert last_shape((kind, params), input_shape=in_shape) == expected


def test_input_shape_is_its_parameter():
    g = ns.Graph()
    x = g.add("Input", shape=[3, 8, 8])
    assert g.infer_shapes()[x] == (3, 8, 8)


@pytest.mark.parametrize("kind,params,in_shape,advice", [
    ("Dense", {"units": 10}, (16, 5, 5), "Dense expects a flat vector but gets 16x5x5 - insert a Flatten"),
    ("Neuron", {}, (2, 3, 3), "Neuron expects a flat vector but gets 2x3x3"),
    ("Conv2D", {"out_channels": 2}, (64,), "expects an image (channels x height x width) but gets a flat vector of 64"),
    ("Conv2D", {"out_channels": 2, "kernel_size": 7}, (1, 5, 5), "7x7 kernel is larger than its 5x5 input"),
    ("MaxPool2D", {"kernel_size": 4}, (1, 3, 3), "4x4 window is larger than its 3x3 input"),
    ("AvgPool2D", {}, (2, 4), "expects channels x height x width but gets 2x4"),
    ("Reshape", {"shape": [3, 3]}, (10,), "Reshape needs the same number of values: 10 has 10, 3x3 has 9"),
    ("Reshape", {"shape": [3, -1]}, (10,), "cannot fit 10 values"),
    ("BatchNorm", {}, (2, 3), "BatchNorm works on features or on channels x height x width"),
    ("Embedding", {}, (2, 2, 2), "Flatten first"),
    ("Output", {"loss": "cross_entropy"}, (1,), "use bce for a single yes/no output"),
    ("Output", {"loss": "mse"}, (4, 2, 2), "insert a Flatten"),
    ("Output", {"loss": "mse"}, (4, 2), "insert a Flatten"),
    ("Output", {"loss": "cross_entropy"}, (4, 1), "at least 2) at each position"),
    ("MultiheadAttention", {"num_heads": 4}, (7, 6), "choose num_heads among 1, 2, 3, 6"),
    ("MultiheadAttention", {"embed_dim": 8}, (7, 6), "set embed_dim to 6"),
    ("MultiheadAttention", {}, (6,), "expects a sequence (positions x vector length) but gets 6"),
    ("PositionalEmbedding", {"max_len": 5}, (7, 6), "raise max_len to at least 7"),
    ("PositionalEmbedding", {"mode": "sinusoidal"}, (7, 5), "vector length must be even"),
])
def test_wrong_shapes_give_advice(kind, params, in_shape, advice):
    g, ids = chain((kind, params), input_shape=in_shape)
    assert advice in problem_of(g, ids[-1])
    assert g.infer_shapes()[ids[-1]] is None


def test_several_wires_concatenate_on_flat_ports():
    g = ns.Graph()
    x = g.add("Input", shape=[2])
    neurons = [g.add("Neuron") for _ in range(3)]
    for n in neurons:
        g.connect(x, n)
    d = g.add("Dense", units=4)
    for n in neurons:
        g.connect(n, d)
    g.connect(x, d)
    assert g.infer_shapes()[d] == (4,)
    assert g.param_counts()[d] == 4 * (3 + 2) + 4
    assert all(g.param_counts()[n] == 3 for n in neurons)


def test_add_needs_equal_shapes_and_two_wires():
    g = ns.Graph()
    x = g.add("Input", shape=[4])
    a = g.add("Dense", units=4)
    b = g.add("Dense", units=3)
    s = g.add("Add")
    g.connect(x, a)
    g.connect(x, b)
    g.connect(a, s)
    assert "connect another input" in problem_of(g, s)
    g.connect(b, s)
    assert "equal shapes on every wire but gets 4 and 3" in problem_of(g, s)
    g.set_param(b, "units", 4)
    assert g.infer_shapes()[s] == (4,)


def test_concat_joins_first_axis():
    g = ns.Graph()
    x = g.add("Input", shape=[2, 6, 6])
    c1 = g.add("Conv2D", out_channels=3, kernel_size=3, padding=1)
    c2 = g.add("Conv2D", out_channels=5, kernel_size=3)
    cat = g.add("Concat")
    for c in (c1, c2):
        g.connect(x, c)
        g.connect(c, cat)
    assert "other sizes must match" in problem_of(g, cat)
    g.set_param(c2, "padding", 1)
    assert g.infer_shapes()[cat] == (8, 6, 6)


def test_errors_do_not_cascade_downstream():
    g, ids = chain(("Dense", {"units": 3}), ("Dense", {"units": 2}), ("Output", {"loss": "mse"}), input_shape=(2, 4, 4))
    errors = [p for p in g.validate() if p.severity == "error"]
    assert [p.node_id for p in errors] == [ids[1]]


@pytest.mark.parametrize("kind,params,in_shape,counts", [
    ("Dense", {"units": 5}, (3,), 20),
    ("Dense", {"units": 5, "bias": False}, (3,), 15),
    ("Conv2D", {"out_channels": 6, "kernel_size": 5}, (1, 28, 28), 156),
    ("BatchNorm", {}, (3, 4, 4), 6),
    ("LayerNorm", {}, (10,), 20),
    ("Embedding", {"num_embeddings": 20, "embedding_dim": 3}, (5,), 60),
    ("Dense", {"units": 5}, (7, 3), 20),
    ("LayerNorm", {"over": "last"}, (7, 3), 6),
    ("MultiheadAttention", {"num_heads": 2}, (7, 4), 4 * 16 + 4 * 4),
    ("MultiheadAttention", {"num_heads": 2, "bias": False}, (7, 4), 4 * 16),
    ("PositionalEmbedding", {"max_len": 9}, (7, 4), 36),
    ("PositionalEmbedding", {"max_len": 9, "mode": "sinusoidal"}, (7, 4), 0),
    ("Neuron", {}, (4,), 5),
    ("MaxPool2D", {}, (1, 4, 4), 0),
])
def test_parameter_counts(kind, params, in_shape, counts):
    g, ids = chain((kind, params), input_shape=in_shape)
    assert g.param_counts()[ids[-1]] == counts
    assert g.total_params() == counts


def test_every_kind_has_help_and_a_tested_rule():
    tested = {"Input", "Dense", "Neuron", "Activation", "Dropout", "BatchNorm", "LayerNorm", "Flatten", "Reshape",
              "Conv2D", "MaxPool2D", "AvgPool2D", "Embedding", "Output", "Add", "Concat",
              "MultiheadAttention", "PositionalEmbedding"}
    tested |= {"RNN", "LSTM", "GRU"}  # tests/graph/test_recurrent_shapes.py
    assert set(kinds.names()) == tested
    for spec in kinds.REGISTRY.values():
        assert len(spec.explanation) > 80, spec.name
        for p in spec.params:
            assert p.help, (spec.name, p.name)
            assert spec.param(p.name).check(p.default, spec.name) == p.default or p.default is None
