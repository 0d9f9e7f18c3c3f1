"""The bundled digits: the whole set as before, a new question on the same images (odd or even),
and a few images per digit for small-data tasks."""
from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nnstudio.data import digits, load_from_spec
from nnstudio.data.dataset import make_dataset
from nnstudio.errors import DataError


def raw() -> tuple[np.ndarray, np.ndarray]:
    with resources.files("nnstudio.resources").joinpath("data/digits.npz").open("rb") as f:
        with np.load(f) as z:
            return (z["images"].astype(np.float32) / 16.0)[:, None], z["target"].astype(np.int64)


def both_parts(ds) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([ds.X_train, ds.X_val]), np.concatenate([ds.y_train, ds.y_val])


def test_a_description_from_before_the_new_settings_loads_the_same_data_and_keeps_its_spec():
    spec = {"source": "digits", "val_ratio": 0.5, "seed": 3}
    ds = load_from_spec(spec)
    X, y = raw()
    ref = make_dataset(X, y, "classification", [str(i) for i in range(10)], spec, 0.5, 3)
    for part in ("X_train", "y_train", "X_val", "y_val"):
        np.testing.assert_array_equal(getattr(ds, part), getattr(ref, part))
    assert ds.spec == spec and ds.class_names == [str(i) for i in range(10)]


def test_odd_or_even_asks_a_new_question_about_the_same_images():
    ds = digits(val_ratio=0.3, seed=1, labels="odd or even")
    assert ds.class_names == ["even", "odd"] and ds.spec["labels"] == "odd or even"
    X, y = raw()
    digit_of = {img.tobytes(): set() for img in X}
    for img, d in zip(X, y):
        digit_of[img.tobytes()].add(int(d))
    Xs, ys = both_parts(ds)
    assert len(Xs) == len(X)
    for img, label in zip(Xs, ys):
        assert {d % 2 for d in digit_of[img.tobytes()]} == {int(label)}


@settings(max_examples=25, deadline=None)
@given(per_class=st.integers(1, 200), labels=st.sampled_from(["digit", "odd or even"]),
       seed=st.integers(0, 2**16), val_ratio=st.sampled_from([0.2, 0.5]))
def test_per_class_keeps_the_first_images_of_each_digit(per_class, labels, seed, val_ratio):
    ds = digits(val_ratio=val_ratio, seed=seed, labels=labels, per_class=per_class)
    X, y = raw()
    first = np.concatenate([np.flatnonzero(y == d)[:per_class] for d in range(10)])
    Xs, _ = both_parts(ds)
    assert sorted(img.tobytes() for img in Xs) == sorted(img.tobytes() for img in X[first])
    again = load_from_spec(ds.spec)  # the description it reports loads the same split
    for part in ("X_train", "y_train", "X_val", "y_val"):
        np.testing.assert_array_equal(getattr(again, part), getattr(ds, part))


@pytest.mark.parametrize("bad, message", [({"labels": "prime"}, "labels must be one of"),
                                          ({"per_class": -1}, "0 \\(all\\) or more")])
def test_bad_settings_are_refused_with_what_is_allowed(bad, message):
    with pytest.raises(DataError, match=message):
        load_from_spec({"source": "digits", **bad})
