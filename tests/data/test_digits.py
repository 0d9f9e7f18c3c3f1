"""The bundled digits: the whole set as before, a new question on the same images (odd or even),
and a few images per digit for small-data tasks."""
from __future__ import annotations

from collections import Counter
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


@settings(max_examples=20, deadline=None)
@given(part=st.sampled_from(["all", "first half", "second half"]), per_class=st.integers(0, 30),
       page=st.integers(9, 20), copies=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_digits_on_a_bigger_page_are_the_same_images_placed_whole_and_the_halves_never_share_one(
        part, per_class, page, copies, seed):
    ds = digits(val_ratio=0.5, seed=seed, part=part, per_class=per_class, page=page, copies=copies)
    X, y = raw()
    half = len(y) // 2
    pool = {"all": np.arange(len(y)), "first half": np.arange(half), "second half": np.arange(half, len(y))}[part]
    if per_class:
        pool = np.concatenate([pool[y[pool] == d][:per_class] for d in range(10)])
    Xs, ys = both_parts(ds)
    assert Xs.shape == (len(pool) * copies, 1, page, page)
    # each placed image is one whole 8x8 digit of the part, with its label, on a blank page; each
    # digit of the part is there ``copies`` times
    label_of = {X[i].tobytes(): y[i] for i in pool}
    found: Counter = Counter()
    for img, label in zip(Xs[:, 0], ys):
        windows = [img[r:r + 8, c:c + 8] for r in range(page - 7) for c in range(page - 7)]
        whole = [w[None].tobytes() for w in windows
                 if np.count_nonzero(w) == np.count_nonzero(img) and w[None].tobytes() in label_of]
        assert whole, "a placed image is not one of the part's digits"
        assert label_of[whole[0]] == label
        found[whole[0]] += 1
    assert found == Counter({k: v * copies for k, v in Counter(X[i].tobytes() for i in pool).items()})
    again = load_from_spec(ds.spec)  # the description it reports loads the same pages
    np.testing.assert_array_equal(again.X_train, ds.X_train)


def test_the_two_halves_share_no_image():
    X, _ = raw()
    first, second = (both_parts(digits(part=p))[0] for p in ("first half", "second half"))
    assert len(first) + len(second) == len(X)
    assert not {img.tobytes() for img in first} & {img.tobytes() for img in second}


@pytest.mark.parametrize("bad, message", [({"labels": "prime"}, "labels must be one of"),
                                          ({"per_class": -1}, "0 \\(all\\) or more"),
                                          ({"part": "middle"}, "images must be one of"),
                                          ({"page": 40}, "8 to 32 pixels"),
                                          ({"copies": 2}, "copies of each digit must be 1")])
def test_bad_settings_are_refused_with_what_is_allowed(bad, message):
    with pytest.raises(DataError, match=message):
        load_from_spec({"source": "digits", **bad})
