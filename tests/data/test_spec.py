from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnstudio as ns
from nnstudio.errors import DataError


@given(name=st.sampled_from(ns.data.NAMES), n=st.integers(8, 200), noise=st.floats(0, 0.5),
       seed=st.integers(0, 2**31), val=st.floats(0.0, 0.5),
       features=st.lists(st.sampled_from(list(ns.data.FEATURES)), min_size=1, max_size=4, unique=True))
def test_toy_spec_round_trip(name, n, noise, seed, val, features):
    ds = ns.data.toy(name, n=n, noise=noise, seed=seed, val_ratio=val, features=features)
    again = ns.data.load_from_spec(ds.spec)
    assert again.spec == ds.spec
    np.testing.assert_array_equal(again.X_train, ds.X_train)
    np.testing.assert_array_equal(again.y_val, ds.y_val)


def test_relative_paths_missing_and_changed_files(tmp_path):
    proj = tmp_path / "proj"
    (proj / "data").mkdir(parents=True)
    csv = proj / "data" / "t.csv"
    csv.write_text("a,b\n" + "\n".join(f"{i},{i % 2}" for i in range(20)))
    ds = ns.data.load_csv(csv, target="b")
    spec = ns.data.relative_spec(ds.spec, proj)
    assert spec["path"] == "data/t.csv"
    again = ns.data.load_from_spec(spec, proj)
    assert again.n == 20 and not again.warnings
    csv.write_text("a,b\n" + "\n".join(f"{i},{i % 2}" for i in range(24)))
    changed = ns.data.load_from_spec(spec, proj)
    assert any("changed since the project was saved" in w for w in changed.warnings)
    csv.unlink()
    with pytest.raises(DataError, match="t.csv: the data file was not found.*still opens"):
        ns.data.load_from_spec(spec, proj)


def test_digits_spec_and_bad_specs():
    ds = ns.data.load_from_spec({"source": "digits", "val_ratio": 0.1, "seed": 2})
    assert ds.n_classes == 10 and len(ds.X_val) in range(170, 190)
    with pytest.raises(DataError, match="unknown data source"):
        ns.data.load_from_spec({"source": "web"})
    with pytest.raises(DataError, match="bad setting"):
        ns.data.load_from_spec({"source": "toy", "name": "xor", "colour": "red"})
