"""Parameters are checked against the registry on every path in."""
from __future__ import annotations

import pytest

import nnstudio as ns
from nnstudio.errors import GraphError


def test_unknown_kind_lists_known_ones():
    with pytest.raises(GraphError, match="unknown node kind 'Dens'.*Dense"):
        ns.Graph().add("Dens")


def test_unknown_parameter_lists_the_real_ones():
    with pytest.raises(GraphError, match="Dense has no parameter 'unit'; it has: units, bias, init, frozen"):
        ns.Graph().add("Dense", unit=3)


@pytest.mark.parametrize("kind,params,message", [
    ("Dense", {"units": 0}, "Dense.units must be at least 1; got 0"),
    ("Dense", {"units": 2.5}, "must be a whole number"),
    ("Dense", {"units": True}, "must be a whole number"),
    ("Dropout", {"p": 1.0}, "Dropout.p must be below 1; got 1"),
    ("Dropout", {"p": float("nan")}, "finite number"),
    ("Activation", {"function": "relu6"}, "must be one of linear, relu"),
    ("Input", {"shape": [0, 3]}, "sizes must be positive"),
    ("Input", {"shape": [1, 2, 3, 4]}, "at most 3 dimensions"),
    ("Input", {"shape": [-1]}, "sizes must be positive"),
    ("Reshape", {"shape": [-1, -1]}, "at most one -1"),
    ("Conv2D", {"frozen": "yes"}, "true or false"),
])
def test_bad_values_are_refused_with_the_rule(kind, params, message):
    with pytest.raises(GraphError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ns.Graph().add(kind, **params)


def test_set_param_checks_and_normalises():
    g = ns.Graph()
    d = g.add("Dense")
    g.set_param(d, "units", 16.0)
    assert g.nodes[d].params["units"] == 16 and isinstance(g.nodes[d].params["units"], int)
    with pytest.raises(GraphError):
        g.set_param(d, "units", -1)
    assert g.nodes[d].params["units"] == 16


def test_defaults_filled_in():
    g = ns.Graph()
    p = g.add("MaxPool2D")
    assert g.nodes[p].params == {"kernel_size": 2, "stride": None}
