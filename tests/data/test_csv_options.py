"""CSV import options: delimiter, header, lines to skip, column types, bad rows, size limits."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnstudio as ns
from nnstudio.data.csv_loader import MAX_CATEGORIES, MISSING, preview_csv
from nnstudio.errors import DataError

SKLEARN_LIKE = {
    # name: (count line, rows, n_features, class names) - the shape of scikit-learn's bundled CSVs
    "iris.csv": ("{n},4,setosa,versicolor,virginica", 4, 3),
    "wine_data.csv": ("{n},13,class_0,class_1,class_2", 13, 3),
    "breast_cancer.csv": ("{n},30,malignant,benign", 30, 2),
}


def sklearn_like(tmp_path, name: str, n: int = 60):
    count, features, classes = SKLEARN_LIKE[name]
    rng = np.random.default_rng(1)
    lines = [count.format(n=n)]
    for i in range(n):
        lines.append(",".join(f"{v:.1f}" for v in rng.normal(5, 2, features)) + f",{i % classes}")
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p, features, classes


@pytest.mark.parametrize("name", sorted(SKLEARN_LIKE))
def test_scikit_learn_count_line_files_load_with_skip_rows_1(tmp_path, name):
    p, features, classes = sklearn_like(tmp_path, name)
    ds = ns.data.load_csv(p, skip_rows=1)
    assert ds.n == 60 and ds.input_shape == (features,)
    assert ds.task == "classification" and ds.class_names == [str(c) for c in range(classes)]
    assert ds.spec["skip_rows"] == 1 and ds.spec["header"] is False
    assert preview_csv(p).suggested_skip == 1
    assert preview_csv(p, skip_rows=1).names == [f"column {j + 1}" for j in range(features + 1)]


def test_count_line_without_skip_is_explained(tmp_path):
    p, _, _ = sklearn_like(tmp_path, "wine_data.csv")
    with pytest.raises(DataError, match=r"wine_data.csv: line 1 looks like a count line.*skip_rows=1"):
        ns.data.load_csv(p)
    # iris's count line has as many fields as its rows: it loads, but the user is told
    p, _, _ = sklearn_like(tmp_path, "iris.csv")
    assert any("count line" in w for w in ns.data.load_csv(p).warnings)


def test_bad_rows_are_dropped_and_listed_with_their_lines(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("# exported by a tool\nx;y;label\n1;2;0\n3;x;1\n5;6;0\n7;8\n9;1;1\n2;;0\n4;4;1\n")
    with pytest.raises(DataError, match=r"m.csv, line 4, column 'y': 'x' is not a number"):
        ns.data.load_csv(p, skip_rows=1, bad_rows="error")
    ds = ns.data.load_csv(p, skip_rows=1, bad_rows="drop", delimiter=";")
    assert ds.n == 4
    assert ds.skipped == ["line 4, column 'y': 'x' is not a number", "line 6 has 2 values but the header has 3",
                          "line 8, column 'y': is missing"]
    assert ds.spec["bad_rows"] == "drop"
    with pytest.raises(DataError, match="bad_rows must be 'error' or 'drop'"):
        ns.data.load_csv(p, bad_rows="skip")


def test_an_id_column_is_refused_before_one_hot_with_advice(tmp_path):
    n = MAX_CATEGORIES + 44
    p = tmp_path / "people.csv"
    p.write_text("id,age,label\n" + "\n".join(f"P{i:05d},{20 + i % 50},{i % 2}" for i in range(n)) + "\n")
    with pytest.raises(DataError) as e:
        ns.data.load_csv(p)
    msg = str(e.value)
    assert "people.csv" in msg and "'id'" in msg and f"{n:,} distinct values" in msg and "ignore" in msg
    ds = ns.data.load_csv(p, columns={"id": "ignore"})
    assert ds.input_shape == (1,) and ds.spec["inputs"] == ["age"] and ds.spec["columns"] == {"id": "ignore"}


def test_column_types_make_numbers_categories_and_back(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("size,colour,price\n" + "\n".join(f"{i % 3},{['red', 'blue'][i % 2]},{i * 1.5}" for i in range(20)))
    ds = ns.data.load_csv(p, target="price", columns={"size": "category"}, standardize=False, val_ratio=0.0)
    assert ds.input_shape == (5,)  # size=0,1,2 + colour=blue,red
    np.testing.assert_array_equal(ds.X_train[:3, :3], np.eye(3))
    ds = ns.data.load_csv(p, target="size", columns={"size": "category", "price": "ignore"})
    assert ds.task == "classification" and ds.class_names == ["0", "1", "2"] and ds.input_shape == (2,)
    with pytest.raises(DataError, match="column 'colour' has type 'text'; choose 'number', 'category' or 'ignore'"):
        ns.data.load_csv(p, columns={"colour": "text"})
    with pytest.raises(DataError, match="t.csv, line 2, column 'colour': 'red' is not a number"):
        ns.data.load_csv(p, columns={"colour": "number"})
    with pytest.raises(DataError, match="target 'price' is marked as ignored"):
        ns.data.load_csv(p, target="price", columns={"price": "ignore"})


def test_the_options_are_stored_in_the_spec_and_reproduce_the_load(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("meta line\nid|a|b|cls\n" + "\n".join(f"r{i}|{i}|{i % 4}|{'ab'[i % 2]}" for i in range(30))
                 + "\nbroken|row\n")
    ds = ns.data.load_csv(p, target="cls", skip_rows=1, bad_rows="drop", columns={"id": "ignore", "b": "category"})
    again = ns.data.load_from_spec(ns.data.relative_spec(ds.spec, tmp_path), tmp_path)
    np.testing.assert_array_equal(again.X_train, ds.X_train)
    np.testing.assert_array_equal(again.y_val, ds.y_val)
    assert again.skipped == ds.skipped == ["line 33 has 2 values but the header has 4"]


def test_older_projects_spelling_on_bad_rows_still_loads(tmp_path):
    p = tmp_path / "o.csv"
    p.write_text("x,y\n1,0\n2,1\nz,0\n4,1\n")
    spec = {"source": "csv", "path": str(p), "target": "y", "on_bad_rows": "drop", "header": True}
    assert ns.data.load_from_spec(spec).n == 3


@pytest.mark.parametrize("categorical", [False, True])
def test_a_lone_cr_past_row_1000_parses(tmp_path, categorical):
    rows = [f"{i},{'abc'[i % 3] if categorical else i % 3},{i % 2}" for i in range(1500)]
    text = "a,b,c\n" + "\n".join(rows[:1200]) + "\r" + "\n".join(rows[1200:]) + "\n"
    p = tmp_path / "cr.csv"
    p.write_bytes(text.encode())
    ds = ns.data.load_csv(p, target="c", val_ratio=0.0, standardize=False)
    assert ds.n == 1500 and ds.input_shape == ((4,) if categorical else (2,))
    np.testing.assert_array_equal(ds.X_train[:, 0], np.arange(1500))


def test_an_unreadable_row_late_in_the_file_is_our_error_with_its_line(tmp_path):
    p = tmp_path / "q.csv"
    body = "\n".join(f"{i},x{i % 3},{i % 2}" for i in range(1100))
    p.write_text("a,b,c\n" + body + '\n5,"unterminated\n')
    try:
        ds = ns.data.load_csv(p, bad_rows="drop")
    except DataError as e:
        assert "q.csv" in str(e)
    else:
        assert ds.n >= 1100


MISSING_TEXT = MISSING
names = st.lists(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=6), min_size=2, max_size=5,
                 unique=True)
endings = st.sampled_from(["\n", "\r\n", "\r"])


@given(names=names, data=st.data(), delimiter=st.sampled_from([",", ";", "\t", "|"]),
       given_delimiter=st.booleans(), header=st.booleans(),
       skip=st.lists(st.text(st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]), min_size=1, max_size=20),
                     max_size=3),
       final_newline=st.booleans())
def test_random_tables_round_trip(tmp_path_factory, names, data, delimiter, given_delimiter, header, skip,
                                  final_newline):
    ncols = len(names)
    table = np.array(data.draw(st.lists(
        st.lists(st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: float(np.float32(v))),
                 min_size=ncols, max_size=ncols), min_size=1, max_size=25)))
    lines = list(skip) + ([delimiter.join(names)] if header else [])
    lines += [delimiter.join(repr(float(v)) for v in row) for row in table]
    ends = data.draw(st.lists(endings, min_size=len(lines), max_size=len(lines)))
    text = "".join(line + end for line, end in zip(lines, ends))
    if not final_newline:
        text = text[: -len(ends[-1])]
    p = tmp_path_factory.mktemp("rt") / "t.csv"
    p.write_bytes(text.encode())
    ds = ns.data.load_csv(p, delimiter=delimiter if given_delimiter else None, header=header, skip_rows=len(skip),
                          task="regression", standardize=False, val_ratio=0.0)
    np.testing.assert_array_equal(ds.X_train, table[:, :-1].astype(np.float32))
    np.testing.assert_array_equal(ds.y_train[:, 0], table[:, -1].astype(np.float32))
    assert ds.spec["delimiter"] == delimiter
    if header:
        assert ds.spec["inputs"] == names[:-1] and ds.spec["target"] == names[-1]


def test_issue_16_id_column_of_12000_values_is_refused_without_allocating_it(tmp_path):
    import tracemalloc

    p = tmp_path / "orders.csv"
    p.write_text("order_id,amount,returned\n" + "\n".join(f"ORD-{i:06d},{(i * 37) % 500 / 10},{i % 2}"
                                                           for i in range(12_000)) + "\n")
    assert p.stat().st_size < 300_000
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match=r"orders.csv: column 'order_id' has 12,000 distinct values.*ignored"):
            ns.data.load_csv(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20  # the one-hot matrix would be 12,000 x 12,000 floats (over 500 MB)
    assert ns.data.load_csv(p, columns={"order_id": "ignore"}).input_shape == (1,)


@given(data=st.data(), delimiter=st.sampled_from([",", ";", "\t", "|"]), ending=endings,
       categories=st.lists(st.text(st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]), min_size=1,
                                   max_size=8).filter(lambda t: t.strip() == t and t.lower() not in MISSING_TEXT),
                           min_size=2, max_size=5, unique=True))
def test_random_category_tables_round_trip_with_quoting(tmp_path_factory, data, delimiter, ending, categories):
    import csv
    import io

    n = data.draw(st.integers(2, 30))
    cats = data.draw(st.lists(st.sampled_from(categories), min_size=n, max_size=n))
    xs = data.draw(st.lists(st.integers(-1000, 1000), min_size=n, max_size=n))
    ys = [i % 2 for i in range(n)]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=ending)  # quotes values holding the delimiter
    w.writerow(["c", "x", "y"])
    w.writerows(zip(cats, xs, ys))
    p = tmp_path_factory.mktemp("cat") / "c.csv"
    p.write_bytes(buf.getvalue().encode())
    ds = ns.data.load_csv(p, delimiter=delimiter, header=True, target="y", columns={"c": "category"},
                          standardize=False, val_ratio=0.0, task="classification")
    present = sorted(set(cats))
    assert ds.input_shape == (len(present) + 1,)
    decoded = [present[k] for k in ds.X_train[:, : len(present)].argmax(axis=1)]
    assert decoded == cats
    np.testing.assert_array_equal(ds.X_train[:, -1], xs)
    np.testing.assert_array_equal(ds.y_train, ys)
