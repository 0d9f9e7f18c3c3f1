from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnstudio as ns
from nnstudio.errors import DataError


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def test_header_target_and_class_names(tmp_path):
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{'yes' if i % 2 else 'no'}" for i in range(40))
    p = write(tmp_path, "a,b,label\n" + rows + "\n")
    ds = ns.data.load_csv(p, target="label", val_ratio=0.25)
    assert ds.task == "classification" and ds.class_names == ["no", "yes"]
    assert ds.input_shape == (2,) and ds.n == 40
    assert abs(float(ds.X_train.mean())) < 0.5  # standardized
    assert ds.spec["target"] == "label" and ds.spec["header"] is True


def test_semicolon_no_header_regression(tmp_path):
    rows = "\n".join(f"{i * 0.5};{i * 0.25};{i * 1.37}" for i in range(30))
    ds = ns.data.load_csv(write(tmp_path, rows), standardize=False)
    assert ds.spec["delimiter"] == ";" and ds.spec["header"] is False
    assert ds.task == "regression" and ds.y_train.shape[1] == 1
    assert ds.n == 30


def test_categorical_inputs_become_one_hot(tmp_path):
    rows = "\n".join(f"{c},{i},{i % 2}" for i, c in zip(range(30), ["red", "green", "blue"] * 10))
    ds = ns.data.load_csv(write(tmp_path, "colour,x,y\n" + rows), target="y", standardize=False)
    assert ds.input_shape == (4,)  # blue/green/red + x
    assert set(np.unique(ds.X_train[:, :3])) == {0.0, 1.0}
    np.testing.assert_array_equal(ds.X_train[:, :3].sum(axis=1), 1.0)
    assert ds.scaler is None


def test_bad_value_names_file_line_and_column(tmp_path):
    text = "x,y,label\n1,2,0\n3,4,1\n5,abc,0\n7,8,1\n"
    p = write(tmp_path, text, "iris.csv")
    with pytest.raises(DataError) as e:
        ns.data.load_csv(p)
    msg = str(e.value)
    assert "iris.csv" in msg and "line 4" in msg and "'y'" in msg and "abc" in msg
    ds = ns.data.load_csv(p, on_bad_rows="drop")
    assert ds.n == 3 and len(ds.skipped) == 1 and "line 4" in ds.skipped[0]
    assert any("dropped 1" in w for w in ds.warnings)


def test_numbers_beyond_float32_are_refused_with_their_column(tmp_path):
    p = write(tmp_path, "x,y,target\n1,2,0.5\n3,1e300,1.5\n5,6,2.5\n7,8,3.5\n")
    with pytest.raises(DataError, match="column 'y' holds a number too large.*1e\\+300"):
        ns.data.load_csv(p)
    p = write(tmp_path, "x,y,target\n1,2,0.5\n3,4,-1e39\n5,6,2.5\n7,8,3.5\n", "t.csv")
    with pytest.raises(DataError, match="column 'target' holds a number too large"):
        ns.data.load_csv(p, task="regression")


def test_missing_value_and_ragged_row(tmp_path):
    p = write(tmp_path, "x,y,label\n1,2,0\n3,,1\n5,6\n7,8,1\n9,1,0\n")
    with pytest.raises(DataError, match="line 3, column 'y': is missing"):
        ns.data.load_csv(p)
    ds = ns.data.load_csv(p, on_bad_rows="drop")
    assert ds.n == 3 and any("line 4 has 2 values" in s for s in ds.skipped)


def test_empty_header_only_and_binary(tmp_path):
    with pytest.raises(DataError, match="empty"):
        ns.data.load_csv(write(tmp_path, ""))
    with pytest.raises(DataError, match="no data rows"):
        ns.data.load_csv(write(tmp_path, "a,b,c\n"))
    with pytest.raises(DataError, match="binary"):
        ns.data.load_csv(write(tmp_path, b"\x00\x01\x02PK\x03\x04" * 50))
    with pytest.raises(DataError, match="not found"):
        ns.data.load_csv(tmp_path / "nope.csv")


def test_latin1_file_loads_with_a_warning(tmp_path):
    text = "name,x,label\n" + "\n".join(f"caf\xe9{i % 2},{i},{i % 2}" for i in range(10))
    ds = ns.data.load_csv(write(tmp_path, text, encoding="latin-1"), target="label")
    assert any("Latin-1" in w for w in ds.warnings)


def test_column_choice_errors(tmp_path):
    p = write(tmp_path, "a,b,c\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    with pytest.raises(DataError, match="no column named 'z'"):
        ns.data.load_csv(p, target="z")
    ds = ns.data.load_csv(p, target="c", inputs=["a"])
    assert ds.input_shape == (1,)


csv_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.lists(st.one_of(st.integers(-10**30, 10**30).map(str), st.floats().map(str),
                                st.sampled_from(["NaN", "nan", "inf", "", "abc", "1e999", '"', "x,y"])),
                      min_size=0, max_size=6), max_size=12)
    .map(lambda rows: "\n".join(",".join(r) for r in rows)),
)


@given(text=csv_text, header=st.sampled_from([None, True, False]), drop=st.booleans())
def test_malformed_csv_ends_in_a_dataset_or_our_error(tmp_path_factory, text, header, drop):
    p = tmp_path_factory.mktemp("csv") / "f.csv"
    p.write_text(text, encoding="utf-8")
    try:
        ds = ns.data.load_csv(p, header=header, on_bad_rows="drop" if drop else "stop")
    except DataError as e:
        assert str(e)
    else:
        assert np.isfinite(ds.X_train).all() and np.isfinite(ds.y_train).all() and ds.n >= 1


@given(data=st.binary(max_size=400))
def test_binary_garbage_ends_in_a_dataset_or_our_error(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("bin") / "g.csv"
    p.write_bytes(data)
    try:
        ns.data.load_csv(p, on_bad_rows="drop")
    except DataError:
        pass
