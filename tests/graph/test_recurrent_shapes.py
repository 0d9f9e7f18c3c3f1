"""Shapes and parameter tensors of RNN, LSTM and GRU (PyTorch's names and layouts)."""
from __future__ import annotations

import pytest

from nnstudio.graph import kinds
from tests.graph.test_shapes import chain, last_shape, problem_of

GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


@pytest.mark.parametrize("kind", list(GATES))
@pytest.mark.parametrize("bidirectional,return_sequences,expected", [
    (False, False, (6,)), (True, False, (12,)), (False, True, (7, 6)), (True, True, (7, 12)),
])
def test_output_shape(kind, bidirectional, return_sequences, expected):
    params = {"hidden_size": 6, "bidirectional": bidirectional, "return_sequences": return_sequences}
    assert last_shape((kind, params), input_shape=(7, 3)) == expected


@pytest.mark.parametrize("kind", list(GATES))
def test_flat_input_is_refused_with_advice(kind):
    g, ids = chain((kind, {}), input_shape=(5,))
    msg = problem_of(g, ids[-1])
    assert "steps x features" in msg and "[50, 2]" in msg


@pytest.mark.parametrize("kind", list(GATES))
def test_tensors_follow_pytorch(kind):
    spec = kinds.get(kind)
    params = spec.check_params({"hidden_size": 5, "num_layers": 2, "bidirectional": True})
    shapes = spec.param_shapes(params, [(9, 3)])
    G = GATES[kind]
    assert shapes["weight_ih_l0"] == (G * 5, 3)
    assert shapes["weight_ih_l1_reverse"] == (G * 5, 10)  # layer 1 reads both directions of layer 0
    assert shapes["weight_hh_l1"] == (G * 5, 5)
    assert shapes["bias_hh_l0_reverse"] == (G * 5,)
    assert len(shapes) == 16 and set(shapes) <= set(spec.trainable)
    no_bias = spec.param_shapes(spec.check_params({"hidden_size": 5, "bias": False}), [(9, 3)])
    assert set(no_bias) == {"weight_ih_l0", "weight_hh_l0"}


def test_parameter_count_matches_pytorch():
    # torch.nn.LSTM(3, 5, num_layers=2): 4*5*(3+5) + 2*4*5 + 4*5*(5+5) + 2*4*5 = 160+40+200+40
    g, ids = chain(("LSTM", {"hidden_size": 5, "num_layers": 2}), input_shape=(9, 3))
    assert g.param_counts()[ids[-1]] == 440


def test_rnn_nonlinearity_is_checked():
    with pytest.raises(Exception, match="tanh, relu"):
        kinds.get("RNN").check_params({"nonlinearity": "sigmoid"})
    assert "Recurrent" in kinds.CATEGORIES
    assert [s.name for s in kinds.by_category()["Recurrent"]] == ["RNN", "LSTM", "GRU"]
