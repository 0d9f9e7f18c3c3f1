"""The data-source registry drives loading, the path checks and (see tests/ui/panels) the data panel."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from nnstudio.data import data_paths, load_from_spec, paths_outside, sources
from nnstudio.data.sources import Param, Source, Variant
from nnstudio.errors import DataError


def test_every_source_has_a_loader_description_and_params_the_loader_takes():
    assert {"toy", "digits", "sequence", "csv", "csv_windows", "npz", "idx", "images"} <= set(sources.SOURCES)
    for s in sources.SOURCES.values():
        assert s.description and callable(s.loader)
        accepted = inspect.signature(s.loader).parameters
        for p in s.params:
            assert p.key in accepted, (s.name, p.key)
            if p.kind in ("int", "float"):
                assert p.minimum <= p.default <= p.maximum, (s.name, p.key)
            elif p.kind == "choice":
                assert p.default in p.choices, (s.name, p.key)
        if s.variant_key:
            assert s.variant_key in accepted and s.variants
        assert s.reads_files == bool(s.menu_label), s.name  # file sources have a "Choose a file..." entry


def test_variant_defaults_and_hidden_params():
    seq = sources.get("sequence")
    adding = {p.key: p.default for p in seq.form_params("adding")}
    assert adding["length"] == 50 and "vocab" not in adding
    copy = {p.key: p.default for p in seq.form_params("copy")}
    assert copy["length"] == 10 and copy["vocab"] == 8 and copy["noise"] == 0
    assert {p.key: p.default for p in seq.form_params("sine")}["noise"] == 0.05


@pytest.mark.parametrize("task", ["sine", "parity", "copy"])
def test_the_form_defaults_load(task):
    seq = sources.get("sequence")
    spec = {"source": "sequence", "task": task, **{p.key: p.default for p in seq.form_params(task)}}
    ds = load_from_spec(spec)
    assert ds.spec["length"] == spec["length"]


def test_a_registered_source_loads_through_load_from_spec(tmp_path, monkeypatch):
    calls = []

    def ramp(path: str, steps: int = 3, val_ratio: float = 0.2, seed: int = 0):
        from nnstudio.data.dataset import make_dataset
        calls.append(path)
        x = np.arange(10 * steps, dtype=np.float32).reshape(10, steps)
        return make_dataset(x, x[:, :1], "regression", [], {"source": "ramp", "path": path}, val_ratio, seed)

    monkeypatch.setitem(sources.SOURCES, "ramp", Source("ramp", ramp, "a test source", path_keys=("path",),
                                                        menu_label="Ramp..."))
    f = tmp_path / "r.txt"
    f.write_text("x")
    ds = load_from_spec({"source": "ramp", "path": "r.txt", "steps": 4}, tmp_path)
    assert ds.input_shape == (4,) and calls == [str(f)]
    assert data_paths({"source": "ramp", "path": "r.txt"}, tmp_path) == [f]
    assert paths_outside({"source": "ramp", "path": "/etc/passwd"}, tmp_path) == [type(f)("/etc/passwd")]
    with pytest.raises(DataError, match="not found"):
        load_from_spec({"source": "ramp", "path": "missing.txt"}, tmp_path)


def test_unknown_sources_and_bad_settings_are_data_errors():
    with pytest.raises(DataError, match="unknown data source 'nope'.*sequence"):
        load_from_spec({"source": "nope"})
    with pytest.raises(DataError, match="must be text"):
        load_from_spec({"source": 3})
    with pytest.raises(DataError, match="bad setting"):
        load_from_spec({"source": "sequence", "task": "sine", "colour": "red"})


def test_paths_of_unknown_sources_still_count_as_outside(tmp_path):
    # a damaged or newer project: whatever looks like a path is shown before anything is read
    assert paths_outside({"source": "future", "images": "/etc/x", "labels": "/etc/y"}, tmp_path) == \
        [type(tmp_path)("/etc/x"), type(tmp_path)("/etc/y")]
    assert data_paths({"source": "sequence", "task": "sine"}) == []


def test_param_kinds_are_checked():
    with pytest.raises(ValueError, match="unknown kind"):
        Param("x", "X", "colour", 1)
    assert Variant("a", "b").hidden == ()


def test_the_chosen_file_fills_the_sources_path_keys():
    assert sources.get("csv").spec_paths("/d/a.csv", {}) == {"path": "/d/a.csv"}
    assert sources.get("idx").spec_paths("/d/train-images-idx3-ubyte", {}) == {
        "images": "/d/train-images-idx3-ubyte", "labels": "/d/train-labels-idx1-ubyte"}
    assert sources.get("idx").spec_paths("/d/x", {"labels": "/d/y"})["labels"] == "/d/y"
    assert sources.get("sequence").spec_paths("/d/a", {}) == {}
