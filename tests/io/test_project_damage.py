"""Damaged project files: each failure found by hand (issue 16) ends in our error or opens with a warning.

Every case that opens must also save and load again: saving never fails on what
loading accepted.
"""
from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnstudio.errors import ProjectFileError
from nnstudio.io import Project, load_project, parse_project, save_project
from nnstudio.io import checks

EXAMPLES = Path(__file__).resolve().parents[2] / "nnstudio" / "resources" / "examples"


def _xor() -> dict:
    return json.loads((EXAMPLES / "xor.nnstudio").read_text())


def _write(tmp_path: Path, doc: dict | str) -> Path:
    path = tmp_path / "bad.nnstudio"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))  # json.dumps writes NaN/Infinity
    return path


def _refused(tmp_path: Path, doc: dict | str, *fragments: str) -> str:
    with pytest.raises(ProjectFileError) as info:
        load_project(_write(tmp_path, doc))
    message = str(info.value)
    assert "bad.nnstudio" in message
    for f in fragments:
        assert f in message
    return message


def _opens_and_saves(tmp_path: Path, doc: dict | str) -> Project:
    project = load_project(_write(tmp_path, doc))
    out = tmp_path / "again.nnstudio"
    save_project(project, out)
    again = load_project(out)
    assert again.graph == project.graph
    assert again.runs == project.runs and again.meta == project.meta
    return project


def test_whole_numbers_over_4300_digits_are_refused_naming_the_line(tmp_path):
    text = json.dumps(_xor(), indent=1).replace('"units": 8', '"units": 1' + "0" * 5000, 1)
    message = _refused(tmp_path, text, "whole number with 5,001 digits", "at line")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "1000000000" in t)
    assert f"at line {line}" in message
    # in a free-form section too (meta), and negative
    doc = _xor()
    text = json.dumps(doc).replace('"meta": {', '"meta": {"x": -' + "9" * 4400 + ", ", 1)
    _refused(tmp_path, text, "4,400 digits")


@pytest.mark.parametrize("key", ["edges", "groups", "nodes"])
def test_null_graph_lists_open_as_empty(tmp_path, key):
    doc = _xor()
    doc["graph"][key] = None
    if key == "nodes":
        _refused(tmp_path, doc, "refers to a node")  # the wires then point nowhere
    else:
        project = _opens_and_saves(tmp_path, doc)
        assert any(f"'{key}' was null" in w for w in project.warnings)


def test_graph_lists_of_the_wrong_type_are_refused(tmp_path):
    doc = _xor()
    doc["graph"]["nodes"] = {"n1": {}}
    _refused(tmp_path, doc, "the graph's 'nodes' must be a list, not dict")


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "1e400"])
@pytest.mark.parametrize("where", ["units", "shape"])
def test_non_finite_int_parameters_are_refused(tmp_path, value, where):
    doc = _xor()
    nodes = doc["graph"]["nodes"]
    if where == "units":
        dense = next(n for n in nodes if n["kind"] == "Dense")
        dense["params"]["units"] = "@@"
    else:
        nodes[0]["params"]["shape"] = ["@@"]
    text = json.dumps(doc).replace('"@@"', value if isinstance(value, str) else json.dumps(value))
    _refused(tmp_path, text, "must be whole numbers" if where == "shape" else "must be a whole number")


def test_absurd_shape_sizes_are_refused(tmp_path):
    doc = _xor()
    doc["graph"]["nodes"][0]["params"]["shape"] = [10 ** 30]
    _refused(tmp_path, doc, "Input.shape sizes must be at most 1,000,000")


@pytest.mark.parametrize("pos", ["[NaN, 0]", "[0, Infinity]", "[1e400, -1e400]", "[1e300, 5]"])
def test_non_finite_positions_are_repaired_with_a_warning(tmp_path, pos):
    doc = _xor()
    doc["graph"]["nodes"][1]["pos"] = "@@"
    text = json.dumps(doc).replace('"@@"', pos)
    project = _opens_and_saves(tmp_path, text)
    node = project.graph.nodes[doc["graph"]["nodes"][1]["id"]]
    assert all(np.isfinite(node.pos))
    assert any("node position(s) were not usable numbers" in w and node.id in w for w in project.warnings)


def test_graph_reader_refuses_non_finite_positions():
    from nnstudio.errors import GraphError
    from nnstudio.graph import Graph

    records = _xor()["graph"]
    records["nodes"][0]["pos"] = [float("nan"), 0.0]
    with pytest.raises(GraphError, match="'pos' must be two finite numbers"):
        Graph.from_records(records)


def _weights_doc(raw: bytes) -> dict:
    return {"encoding": "npz-base64", "data": base64.b64encode(raw).decode("ascii")}


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def test_damaged_deflate_in_weights_opens_without_them(tmp_path):
    raw = bytearray(_npz(**{"n2/weight": np.arange(4000, dtype=np.float32)}))
    # flip bytes in the middle of the deflate stream of the first member (after the local header)
    for i in range(200, 260):
        raw[i] ^= 0x5A
    doc = _xor()
    doc["weights"] = _weights_doc(bytes(raw))
    project = _opens_and_saves(tmp_path, doc)
    assert project.weights is None
    assert "weights" in project.warnings[-1] and "opened without them" in project.warnings[-1]


def test_weights_bomb_is_refused_before_decoding(tmp_path):
    # a member whose header promises 10**12 float64 values in a few bytes
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    header["shape"] = (10 ** 12,)
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, header)
    member.write(b"\0" * 64)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("n2/weight.npy", member.getvalue())
    doc = _xor()
    doc["weights"] = _weights_doc(buf.getvalue())
    project = _opens_and_saves(tmp_path, doc)
    assert project.weights is None and "claims shape (1000000000000,)" in project.warnings[-1]


@pytest.mark.parametrize("runs,why", [
    ([1], "it is int, not a run record"),
    (["text"], "it is str, not a run record"),
    ([{"id": "a"}], "it has no 'started'"),
    ([{"id": "a", "started": "", "status": "finished", "settings": {}, "data": {}, "curves": {"train_loss": "x"},
       "final": {}, "epochs": 1, "steps": 1, "seconds": 1.0}], "its curve 'train_loss' is not a list of numbers"),
    ([{"id": "a", "started": "", "status": "finished", "settings": {}, "data": {}, "curves": [],
       "final": {}, "epochs": 1, "steps": 1, "seconds": 1.0}], "its 'curves' is list"),
    ([{"id": "a", "started": "", "status": "finished", "settings": {}, "data": {}, "curves": {},
       "final": {"val_loss": "low"}, "epochs": "2", "steps": 1, "seconds": 1.0}], "its 'epochs' is str"),
])
def test_bad_run_entries_are_dropped_with_a_warning(tmp_path, runs, why):
    doc = _xor()
    good = _good_run()
    doc["runs"] = [good] + runs
    project = _opens_and_saves(tmp_path, doc)
    assert project.runs == [good]
    assert any(f"run #2 was dropped because {why}" in w for w in project.warnings)


def _good_run() -> dict:
    return {"id": "r1", "started": "2026-01-01T00:00:00", "status": "finished", "settings": {"lr": 0.1},
            "data": {}, "curves": {"epoch": [1, 2], "train_loss": [0.5, None]}, "final": {"train_loss": 0.5},
            "epochs": 2, "steps": 20, "seconds": 1.5, "note": "", "extra": {}}


def test_runs_still_read_by_the_training_side(tmp_path):
    from nnstudio.training import runs_of

    doc = _xor()
    doc["runs"] = [_good_run(), 5, {"id": 3}]
    project = _opens_and_saves(tmp_path, doc)
    assert [r.id for r in runs_of(project)] == ["r1"]


@pytest.mark.parametrize("section", ["meta", "runs"])
def test_nan_in_meta_and_runs_opens_and_can_be_saved(tmp_path, section):
    doc = _xor()
    run = _good_run()
    run["curves"]["train_loss"] = [0.5, "@nan"]
    run["final"]["train_loss"] = "@inf"
    doc["runs"] = [run]
    doc["meta"]["score"] = "@nan" if section == "meta" else 1.0
    text = json.dumps(doc).replace('"@nan"', "NaN").replace('"@inf"', "Infinity")
    project = _opens_and_saves(tmp_path, text)
    assert project.runs[0]["curves"]["train_loss"] == [0.5, None]
    assert any("not finite numbers were read as empty" in w and "runs[0].curves.train_loss[1]" in w
               for w in project.warnings)


def test_saving_never_fails_on_nan_or_numpy_values_in_memory(tmp_path):
    project = parse_project((EXAMPLES / "xor.nnstudio").read_bytes())
    project.meta["score"] = float("nan")
    project.runs.append({**_good_run(), "final": {"val_loss": np.float32(0.25), "train_loss": float("inf")},
                         "epochs": np.int64(3)})
    nid = next(iter(project.graph.nodes))
    project.graph.nodes[nid].pos = (float("nan"), 3.0)
    path = save_project(project, tmp_path / "p.nnstudio")
    again = load_project(path)
    assert again.meta["score"] is None
    assert again.runs[-1]["final"] == {"val_loss": 0.25, "train_loss": None} and again.runs[-1]["epochs"] == 3
    assert again.graph.nodes[nid].pos == (0.0, 3.0)


def test_deep_nesting_is_refused(tmp_path):
    doc = _xor()
    doc["meta"]["x"] = "@@"
    text = json.dumps(doc).replace('"@@"', "[" * 500 + "]" * 500)
    _refused(tmp_path, text, "nested more than 64 levels deep")


def test_group_members_that_are_not_ids_are_refused(tmp_path):
    doc = _xor()
    doc["graph"]["groups"] = [{"id": "g1", "name": "x", "nodes": [["n1"]]}]
    _refused(tmp_path, doc, "group 'g1': its nodes must be node ids (text), not ['n1']")


def test_huge_number_hook_limit():
    assert checks.parse_int("1" * checks.MAX_INT_DIGITS) == int("1" * checks.MAX_INT_DIGITS)
    with pytest.raises(checks.HugeNumber):
        checks.parse_int("1" * (checks.MAX_INT_DIGITS + 2))


@pytest.mark.parametrize("info,why", [
    ("text", "it is not an object"),
    ({"id": "n2"}, "its 'name' is missing"),
    ({"id": "n2", "name": "D", "params": {}, "pos": [float("nan"), 0], "sources": [], "consumers": []},
     "its 'pos' is not two usable numbers"),
    ({"id": "n2", "name": "D", "params": {}, "pos": [0, 0], "sources": [1], "consumers": []},
     "its wires are not node ids"),
])
def test_damaged_record_of_an_expanded_layer_is_dropped_with_a_warning(tmp_path, info, why):
    doc = _xor()
    nid = doc["graph"]["nodes"][1]["id"]
    doc["graph"]["groups"] = [{"id": "g1", "name": "D", "nodes": [nid], "meta": {"expanded_from": info, "k": 1}}]
    project = _opens_and_saves(tmp_path, doc)
    assert project.graph.groups["g1"].meta == {"k": 1}
    assert any("group 'g1' lost its record of the expanded layer" in w and why in w for w in project.warnings)


def test_intact_record_of_an_expanded_layer_still_collapses(tmp_path):
    from nnstudio.graph.transforms import collapse_group, expand_dense

    project = parse_project((EXAMPLES / "xor.nnstudio").read_bytes())
    dense = next(n.id for n in project.graph.nodes.values() if n.kind == "Dense")
    project.graph.apply(expand_dense(project.graph, dense))
    path = save_project(project, tmp_path / "e.nnstudio")
    again = load_project(path)
    assert not [w for w in again.warnings if "expanded" in w]
    gid = next(iter(again.graph.groups))
    again.graph.apply(collapse_group(again.graph, gid))
    assert any(n.kind == "Dense" and n.id == dense for n in again.graph.nodes.values())
