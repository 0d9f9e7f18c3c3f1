"""Importing trained parts: matched by name, checked by kind and shape, reported in sentences."""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.errors import ProjectFileError
from nnstudio.io import Project, import_weights, save_project
from tests.conftest import build_mlp


def net(hidden=8, out=2):
    """Input 2 -> Dense 1 (hidden) -> Activation -> Dense 2 (hidden) -> Activation -> Dense 3 (out)."""
    g, ids = build_mlp((2, hidden, hidden, out))
    return g, ids


def test_npz_by_name_loads_matches_and_reports_mismatch_missing_and_unused(tmp_path):
    g, ids = net()
    rng = np.random.default_rng(0)
    w1 = rng.normal(size=(8, 2)).astype(np.float32)
    b1 = rng.normal(size=8).astype(np.float32)
    path = tmp_path / "parts.npz"
    np.savez(path, **{"Dense 1.weight": w1, "Dense 1.bias": b1,
                      "Dense 2.weight": np.zeros((8, 3), np.float32),   # wrong shape
                      "Dense 9.weight": np.zeros(4, np.float32)})        # no such node
    report = ns.import_weights(g, path)
    assert set(report.weights) == {ids["dense0"]}
    np.testing.assert_array_equal(report.weights[ids["dense0"]]["weight"], w1)
    np.testing.assert_array_equal(report.weights[ids["dense0"]]["bias"], b1)
    assert report.loaded == ["Dense 1 (Dense): weight 8x2, bias 8"]
    assert report.mismatched == ["Dense 2 (Dense) weight: 8x8 here, 8x3 in parts.npz"]
    assert "Dense 2 (Dense): parts.npz has no bias for it" in report.missing
    assert "Dense 3 (Dense): parts.npz has no node of that name" in report.missing
    assert report.unused == ["Dense 9 (weight): no node of that name here"]
    text = report.text()
    assert text.startswith("Imported 2 tensors into 1 node from parts.npz.")
    assert "Shape mismatch" in text and "8x8 here, 8x3 in parts.npz" in text


def test_state_dict_spelling_and_the_project_formats_own_keys(tmp_path):
    g, ids = net()
    w = np.full((8, 2), 0.5, np.float64)
    path = tmp_path / "sd.npz"
    np.savez(path, **{"dense_1.weight": w, f"{ids['dense2']}/bias": np.ones(2)})
    report = import_weights(g, path)
    assert set(report.weights) == {ids["dense0"], ids["dense2"]}
    assert report.weights[ids["dense0"]]["weight"].dtype == np.float64  # applying casts, not importing
    np.testing.assert_array_equal(report.weights[ids["dense2"]]["bias"], np.ones(2))


def test_from_another_project_checks_kind_and_shape(tmp_path):
    src, sids = net(hidden=8, out=3)
    rng = np.random.default_rng(2)
    trained = {sids["dense0"]: {"weight": rng.normal(size=(8, 2)), "bias": rng.normal(size=8)},
               sids["dense2"]: {"weight": rng.normal(size=(3, 8)), "bias": rng.normal(size=3)}}
    src.nodes[sids["act0"]].name = "Dense 2"  # an Activation under a Dense's name: a kind mismatch
    src.nodes[sids["dense1"]].name = "Other"
    path = save_project(Project(graph=src, weights=trained), tmp_path / "src.nnstudio")
    g, ids = net(hidden=8, out=2)
    report = import_weights(g, path)
    assert set(report.weights) == {ids["dense0"]}
    np.testing.assert_array_equal(report.weights[ids["dense0"]]["bias"], trained[sids["dense0"]]["bias"])
    assert "Dense 2 (Dense) is a Dense here but an Activation in src.nnstudio" in report.mismatched
    assert "Dense 3 (Dense) weight: 2x8 here, 3x8 in src.nnstudio" in report.mismatched


def test_a_frozen_layer_is_said_to_keep_its_weights(tmp_path):
    g, ids = net()
    g.set_param(ids["dense0"], "frozen", True)
    path = tmp_path / "p.npz"
    np.savez(path, **{"Dense 1.weight": np.zeros((8, 2)), "Dense 1.bias": np.zeros(8)})
    assert "frozen, so training keeps them" in import_weights(g, path).loaded[0]


@pytest.mark.parametrize("content,message", [
    (None, "does not exist"),
    (b"hello", "is not a readable .npz archive"),
])
def test_unreadable_sources_raise_one_clear_error(tmp_path, content, message):
    g, _ = net()
    path = tmp_path / "x.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ProjectFileError, match=message) as info:
        import_weights(g, path)
    assert "x.npz" in str(info.value)


def test_a_project_without_weights_is_refused(tmp_path):
    g, _ = net()
    path = save_project(Project(graph=g), tmp_path / "untrained.nnstudio")
    with pytest.raises(ProjectFileError, match="holds no trained weights"):
        import_weights(g, path)
