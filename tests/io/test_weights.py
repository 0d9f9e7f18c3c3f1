"""Trained weights and optimizer state inside the project file: bit-exact, migrated, damage-tolerant."""
from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnstudio.io import FORMAT_VERSION, Project, load_project, save_project
from nnstudio.io.weights import decode_arrays, encode_arrays
from tests.conftest import build_mlp

FLOATS = st.sampled_from([np.float32, np.float64])


@st.composite
def arrays(draw):
    """Float arrays of any small shape, with every special value float bits can hold."""
    dtype = draw(FLOATS)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    return draw(hnp.arrays(dtype, shape, elements=st.floats(width=32 if dtype == np.float32 else 64,
                                                            allow_nan=True, allow_infinity=True)))


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


node_ids = st.from_regex(r"n[1-9][0-9]{0,2}", fullmatch=True)
tensor_names = st.sampled_from(["weight", "bias", "running_mean", "running_var"])


@settings(max_examples=60)
@given(weights=st.dictionaries(node_ids, st.dictionaries(tensor_names, arrays(), min_size=1, max_size=3),
                               min_size=1, max_size=4),
       optimizer=st.dictionaries(st.from_regex(r"n[1-9]/(weight|bias)/(exp_avg|exp_avg_sq)", fullmatch=True),
                                 arrays(), max_size=4))
def test_weights_and_optimizer_state_round_trip_bit_exact(tmp_path_factory, weights, optimizer):
    g, _ = build_mlp()
    state = {**optimizer, "optimizer": np.array("adam"), "step": np.array(12.0), "epoch": np.array(3, np.int64)}
    path = tmp_path_factory.mktemp("w") / "p.nnstudio"
    save_project(Project(graph=g, weights=weights, optimizer=state), path)
    loaded = load_project(path)
    assert loaded.warnings == []
    assert set(loaded.weights) == set(weights)
    for nid, tensors in weights.items():
        assert set(loaded.weights[nid]) == set(tensors)
        for name, a in tensors.items():
            assert same_bits(loaded.weights[nid][name], a), (nid, name)
    assert set(loaded.optimizer) == set(state)
    for key, a in state.items():
        assert same_bits(loaded.optimizer[key], np.asarray(a)), key
    # the state is stored as compressed binary, not as JSON numbers
    doc = json.loads(path.read_text())
    assert doc["format_version"] == FORMAT_VERSION == 2
    assert doc["optimizer"]["encoding"] == "npz-base64" and isinstance(doc["optimizer"]["data"], str)


def test_optimizer_state_without_weights_is_not_written(tmp_path):
    g, _ = build_mlp()
    path = save_project(Project(graph=g, optimizer={"step": np.array(1.0)}), tmp_path / "p.nnstudio")
    assert json.loads(path.read_text())["optimizer"] is None


def _weights(ids):
    rng = np.random.default_rng(1)
    return {ids["dense0"]: {"weight": rng.normal(size=(8, 2)).astype(np.float32),
                            "bias": rng.normal(size=8).astype(np.float32)}}


def test_a_format_1_file_migrates_and_opens(tmp_path):
    g, ids = build_mlp()
    w = _weights(ids)
    doc = Project(graph=g, weights=w, training={"lr": 0.1}).to_document()
    doc["format_version"] = 1  # what nnstudio 0.1 wrote: no optimizer field at all
    del doc["optimizer"]
    path = tmp_path / "old.nnstudio"
    path.write_text(json.dumps(doc))
    p = load_project(path)
    assert p.warnings == [] and p.optimizer is None and p.training == {"lr": 0.1}
    assert same_bits(p.weights[ids["dense0"]]["weight"], w[ids["dense0"]]["weight"])
    save_project(p, path)  # saving writes the current version
    assert json.loads(path.read_text())["format_version"] == 2


@pytest.mark.parametrize("damage", [
    {"encoding": "npz-base64", "data": "AAAA"},                       # not a zip archive
    {"encoding": "npz-base64", "data": "not base64 at all!"},        # not base64
    {"encoding": "zip", "data": ""},                                  # unknown encoding
    [1, 2, 3],                                                        # not an object
])
def test_a_damaged_optimizer_field_opens_without_it_with_a_warning(tmp_path, damage):
    g, ids = build_mlp()
    w = _weights(ids)
    path = save_project(Project(graph=g, weights=w, optimizer={"step": np.array(3.0)}), tmp_path / "p.nnstudio")
    doc = json.loads(path.read_text())
    doc["optimizer"] = damage
    path.write_text(json.dumps(doc))
    p = load_project(path)
    assert p.optimizer is None
    assert same_bits(p.weights[ids["dense0"]]["bias"], w[ids["dense0"]]["bias"])  # the weights still open
    assert len(p.warnings) == 1 and "optimizer state" in p.warnings[0] and "p.nnstudio" in p.warnings[0]
    assert "opened without it" in p.warnings[0]


def test_pickled_arrays_are_never_loaded():
    buf = io.BytesIO()
    np.savez(buf, evil=np.array([{"a": 1}], dtype=object))
    doc = {"encoding": "npz-base64", "data": base64.b64encode(buf.getvalue()).decode()}
    with pytest.raises(ValueError, match="pickles"):
        decode_arrays(doc)


def test_encode_decode_keeps_strings_and_integers():
    state = {"optimizer": np.array("rmsprop"), "rng_calls": np.array(2**40, np.int64)}
    back = decode_arrays(encode_arrays(state))
    assert str(back["optimizer"]) == "rmsprop" and int(back["rng_calls"]) == 2**40
