"""The canvas's one-line summaries come from the kind registry (each kind's ``label``)."""
from __future__ import annotations

import pytest

from nnstudio.graph import kinds


@pytest.mark.parametrize("name", kinds.names())
def test_every_kind_labels_its_nodes(name):
    spec = kinds.get(name)
    assert spec.label is not None, f"{name} has no canvas label in the registry"
    assert isinstance(spec.describe(spec.defaults()), str) and spec.describe(spec.defaults())


@pytest.mark.parametrize("name", [n for n in kinds.names() if kinds.get(n).key_params])
def test_the_label_follows_the_key_parameter(name):
    spec = kinds.get(name)
    key = spec.param(spec.key_params[0])
    base = spec.defaults()
    if key.type == "choice":
        other = next(c for c in key.choices if c != base[key.name])
    elif key.type == "int":
        other = base[key.name] + 3
    elif key.type == "shape":
        other = [7, 5]
    else:
        pytest.skip(f"{key.type} key parameter")
    assert spec.describe({**base, key.name: other}) != spec.describe(base)
