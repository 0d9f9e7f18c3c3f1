"""Project files: exact round trips, clear refusals, atomic saves."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnstudio as ns
from nnstudio.errors import ProjectFileError
from nnstudio.io import FORMAT_VERSION, Project, load_project, save_project
from nnstudio.io import project as project_module
from tests.graph.test_edits import random_edit


@st.composite
def graphs(draw):
    g = ns.Graph()
    for _ in range(draw(st.integers(0, 20))):
        edit = random_edit(g, _Drawer(draw))
        if edit is None:
            continue
        try:
            g.apply(edit)
        except ns.NNStudioError:
            pass
    return g


class _Drawer:
    """Lets the edit generator draw from inside a composite strategy."""

    def __init__(self, draw):
        self.draw = draw


@settings(max_examples=100)
@given(graphs(), st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3))
def test_save_load_round_trips_every_graph(tmp_path_factory, graph, data):
    path = tmp_path_factory.mktemp("rt") / "p.nnstudio"
    save_project(Project(graph=graph, data=data, training={"lr": 0.1}), path)
    loaded = load_project(path)
    assert loaded.graph == graph
    assert loaded.graph.to_records() == graph.to_records()
    assert [n.pos for n in loaded.graph.nodes.values()] == [n.pos for n in graph.nodes.values()]
    assert loaded.data == data and loaded.training == {"lr": 0.1}
    # ids keep being fresh after loading
    new = loaded.graph.add("Dense")
    assert new not in graph.nodes


def test_weights_round_trip(tmp_path, mlp):
    g, ids = mlp
    rng = np.random.default_rng(0)
    w = {ids["dense0"]: {"weight": rng.normal(size=(8, 2)).astype(np.float32), "bias": np.zeros(8, np.float32)}}
    path = save_project(Project(graph=g, weights=w), tmp_path / "w.nnstudio")
    got = load_project(path).weights
    np.testing.assert_array_equal(got[ids["dense0"]]["weight"], w[ids["dense0"]]["weight"])
    assert got[ids["dense0"]]["weight"].dtype == np.float32


def test_damaged_weights_open_without_them(tmp_path, mlp):
    g, _ = mlp
    path = tmp_path / "p.nnstudio"
    save_project(Project(graph=g), path)
    doc = json.loads(path.read_text())
    doc["weights"] = {"encoding": "npz-base64", "data": "AAAA"}
    path.write_text(json.dumps(doc))
    p = load_project(path)
    assert p.weights is None and "weights" in p.warnings[0] and "opened without them" in p.warnings[0]


def _write(tmp_path, content: bytes | str) -> str:
    path = tmp_path / "bad.nnstudio"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def _doc(**overrides):
    g, _ = __import__("tests.conftest", fromlist=["build_mlp"]).build_mlp()
    doc = Project(graph=g).to_document()
    doc.update(overrides)
    return doc


@pytest.mark.parametrize("content,message", [
    (b"", "is empty - it is not an nnstudio project"),
    (b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "is not an nnstudio project (it is not a text file)"),
    ("[1, 2]", "is not an nnstudio project (it has no \"format\": \"nnstudio-project\")"),
    ('{"format": "other"}', "is not an nnstudio project"),
    ('{"format": "nnstudio-project", "format_version": "1"}', "format_version must be a whole number"),
    ('{"format": "nnstudio-project", "format_version": 1, "graph": {"nodes": [{"id": "n1"}]}}', "node #1 has no 'kind'"),
    ('{"format": "nnstudio-project", "format_version": 1, "data": []}', "'data' must be an object"),
    ('{"format": "nnstudio-project", "format_version": 1,,}', "is damaged: expecting property name"),
])
def test_bad_files_are_refused_with_one_clear_message(tmp_path, content, message):
    with pytest.raises(ProjectFileError) as info:
        load_project(_write(tmp_path, content))
    assert message in str(info.value)
    assert "bad.nnstudio" in str(info.value)


def test_truncated_file(tmp_path):
    text = json.dumps(_doc(), indent=1)
    with pytest.raises(ProjectFileError, match="is truncated: it ends unexpectedly"):
        load_project(_write(tmp_path, text[: len(text) // 2]))


def test_future_version(tmp_path):
    doc = _doc(format_version=FORMAT_VERSION + 6, app_version="9.0")
    with pytest.raises(ProjectFileError) as info:
        load_project(_write(tmp_path, json.dumps(doc)))
    assert (f"was saved by a newer nnstudio (nnstudio 9.0) in format version {FORMAT_VERSION + 6}"
            in str(info.value))
    assert "update nnstudio to open it" in str(info.value)


def test_unknown_kind(tmp_path):
    doc = _doc()
    doc["graph"]["nodes"][1]["kind"] = "Transformer"
    with pytest.raises(ProjectFileError) as info:
        load_project(_write(tmp_path, json.dumps(doc)))
    assert "node 'n2' has an unknown kind 'Transformer'" in str(info.value)


def test_bad_param_and_dangling_wire(tmp_path):
    doc = _doc()
    doc["graph"]["nodes"][1]["params"]["units"] = -3
    with pytest.raises(ProjectFileError, match="node 'n2': Dense.units must be at least 1; got -3"):
        load_project(_write(tmp_path, json.dumps(doc)))
    doc = _doc()
    doc["graph"]["edges"][0]["dst"] = "n404"
    with pytest.raises(ProjectFileError, match="refers to a node 'n404' that does not exist"):
        load_project(_write(tmp_path, json.dumps(doc)))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ProjectFileError, match="does not exist"):
        load_project(tmp_path / "nope.nnstudio")
    with pytest.raises(ProjectFileError, match="is a folder"):
        load_project(tmp_path)


def test_migration_hook_runs_for_old_versions(tmp_path, monkeypatch):
    monkeypatch.setattr(project_module, "FORMAT_VERSION", 2)
    monkeypatch.setitem(project_module.MIGRATIONS, 1, lambda d: {**d, "meta": {"title": "migrated"}})
    path = _write(tmp_path, json.dumps(_doc(format_version=1)))
    assert load_project(path).meta == {"title": "migrated"}


def test_save_keeps_backup_and_crash_leaves_old_file(tmp_path, mlp, monkeypatch):
    g, ids = mlp
    path = tmp_path / "p.nnstudio"
    save_project(Project(graph=g, meta={"title": "v1"}), path)
    save_project(Project(graph=g, meta={"title": "v2"}), path)
    assert load_project(str(path) + ".bak").meta == {"title": "v1"}
    assert load_project(path).meta == {"title": "v2"}

    real_replace = os.replace

    def crash(src, dst):
        if str(dst) == str(path):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(ProjectFileError, match="could not save .*No space left on device"):
        save_project(Project(graph=g, meta={"title": "v3"}), path)
    monkeypatch.undo()
    assert load_project(path).meta == {"title": "v2"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nnstudio", "p.nnstudio.bak"]


def test_document_fields(mlp):
    doc = Project(graph=mlp[0]).to_document()
    assert doc["format"] == "nnstudio-project" and doc["format_version"] == FORMAT_VERSION
    assert set(doc) == {"format", "format_version", "app_version", "meta", "graph", "data", "training",
                        "weights", "optimizer", "runs"}
