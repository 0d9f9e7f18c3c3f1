from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.errors import DataError


@pytest.mark.parametrize("name", ns.data.NAMES)
def test_generators_shapes_balance_and_determinism(name):
    a = ns.data.toy(name, n=300, noise=0.1, seed=4, val_ratio=0.2)
    b = ns.data.toy(name, n=300, noise=0.1, seed=4, val_ratio=0.2)
    c = ns.data.toy(name, n=300, noise=0.1, seed=5, val_ratio=0.2)
    assert len(a.X_train) + len(a.X_val) == 300
    assert a.X_train.dtype == np.float32 and a.X_train.flags.c_contiguous
    assert a.input_shape == (2,)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.X_train, c.X_train)
    assert np.abs(a.points_train).max() < 2.0
    if a.task == "classification":
        k = a.n_classes
        counts = np.bincount(np.concatenate([a.y_train, a.y_val]), minlength=k)
        assert counts.max() - counts.min() <= 1
        val_counts = np.bincount(a.y_val, minlength=k)  # stratified: every class in validation
        assert (val_counts > 0).all()
    else:
        assert a.y_train.shape[1] == 1 and a.target_dim == 1


def test_blobs_has_three_classes_and_the_rest_two():
    assert ns.data.toy("blobs", n=90).n_classes == 3
    assert ns.data.toy("moons", n=90).n_classes == 2


def test_derived_features_follow_the_points():
    ds = ns.data.toy("circle", n=100, features=["x1", "x2", "x1^2", "x1*x2", "sin(x2)"])
    assert ds.input_shape == (5,)
    p = ds.points_train.astype(np.float64)
    np.testing.assert_allclose(ds.X_train[:, 2], p[:, 0] ** 2, rtol=1e-5)
    np.testing.assert_allclose(ds.X_train[:, 3], p[:, 0] * p[:, 1], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ds.X_train[:, 4], np.sin(np.pi * p[:, 1]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ds.features_for(p[:3]), ds.X_train[:3], rtol=1e-6)


def test_noise_changes_spread_and_bad_settings_are_refused():
    clean = ns.data.toy("spiral", n=200, noise=0.0, seed=1)
    noisy = ns.data.toy("spiral", n=200, noise=0.3, seed=1)
    assert not np.allclose(clean.X_train, noisy.X_train)
    with pytest.raises(DataError, match="unknown toy problem"):
        ns.data.toy("donut")
    with pytest.raises(DataError, match="feature"):
        ns.data.toy("xor", features=["x3"])
    with pytest.raises(DataError, match="at least 4"):
        ns.data.toy("xor", n=2)


def test_digits_bundled():
    d = ns.data.digits(val_ratio=0.25, seed=1)
    assert d.n == 1797 and d.n_classes == 10 and d.input_shape == (1, 8, 8)
    assert 0.0 <= d.X_train.min() and d.X_train.max() <= 1.0
    assert np.bincount(d.y_val, minlength=10).min() > 35


def test_batches_and_one_hot():
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    e0 = [b for b in ns.data.iter_batches(X, y, 4, seed=1, epoch=0)]
    e1 = [b for b in ns.data.iter_batches(X, y, 4, seed=1, epoch=1)]
    assert [len(b[0]) for b in e0] == [4, 4, 2]
    assert sorted(np.concatenate([b[1] for b in e0]).tolist()) == list(range(10))
    assert not np.array_equal(np.concatenate([b[1] for b in e0]), np.concatenate([b[1] for b in e1]))
    assert all(b[0].flags.c_contiguous for b in e0)
    np.testing.assert_array_equal(ns.data.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
