from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.errors import DataError


def test_npz_named_arrays(tmp_path):
    rng = np.random.default_rng(0)
    p = tmp_path / "d.npz"
    np.savez(p, images=rng.random((20, 5, 5)), labels=rng.integers(0, 3, 20), reg=rng.normal(size=(20, 2)))
    ds = ns.data.load_npz(p, x="images", y="labels")
    assert ds.input_shape == (1, 5, 5) and ds.task == "classification" and ds.n_classes == 3
    reg = ns.data.load_npz(p, x="reg", y="reg")
    assert reg.task == "regression" and reg.target_dim == 2
    with pytest.raises(DataError, match="no array named 'X'.*images"):
        ns.data.load_npz(p)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match="not a readable"):
        ns.data.load_npz(bad)


def idx_bytes(a: np.ndarray, code: int) -> bytes:
    return bytes([0, 0, code, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape) + a.tobytes()


def test_idx_plain_and_gzip(tmp_path):
    imgs = (np.arange(6 * 4 * 4) % 256).astype(np.uint8).reshape(6, 4, 4)
    labels = np.array([0, 1, 2, 0, 1, 2], np.uint8)
    (tmp_path / "img.idx").write_bytes(idx_bytes(imgs, 0x08))
    (tmp_path / "lab.idx.gz").write_bytes(gzip.compress(idx_bytes(labels, 0x08)))
    ds = ns.data.load_idx(tmp_path / "img.idx", tmp_path / "lab.idx.gz", val_ratio=0.0)
    assert ds.input_shape == (1, 4, 4) and ds.n == 6
    np.testing.assert_allclose(ds.X_train.reshape(6, 16) * 255, imgs.reshape(6, 16), atol=1e-3)
    (tmp_path / "cut.idx").write_bytes(idx_bytes(imgs, 0x08)[:-5])
    with pytest.raises(DataError, match="truncated"):
        ns.data.read_idx(tmp_path / "cut.idx")
    (tmp_path / "junk.idx").write_bytes(b"\x12\x34\x56\x78" * 4)
    with pytest.raises(DataError, match="magic"):
        ns.data.read_idx(tmp_path / "junk.idx")


def test_image_folder_skips_unreadable_files(tmp_path):
    from PIL import Image

    for cls, value in (("cats", 30), ("dogs", 220)):
        (tmp_path / cls).mkdir()
        for i in range(4):
            Image.new("RGB", (10 + i, 12), (value, value, value)).save(tmp_path / cls / f"{i}.png")
    (tmp_path / "dogs" / "broken.jpg").write_bytes(b"\xff\xd8 this is not a jpeg")
    ds = ns.data.load_image_folder(tmp_path, size=(6, 6), val_ratio=0.25)
    assert ds.class_names == ["cats", "dogs"] and ds.input_shape == (1, 6, 6) and ds.n == 8
    assert len(ds.skipped) == 1 and "broken.jpg" in ds.skipped[0]
    cats = np.concatenate([ds.X_train[ds.y_train == 0], ds.X_val[ds.y_val == 0]])
    assert np.allclose(cats, 30 / 255, atol=0.01)
    rgb = ns.data.load_image_folder(tmp_path, size=(4, 5), color="rgb")
    assert rgb.input_shape == (3, 4, 5)
    with pytest.raises(DataError, match="sub-folder per class"):
        ns.data.load_image_folder(tmp_path / "cats")


def test_augmentation_is_seeded_and_shape_preserving():
    X = np.zeros((8, 1, 5, 5), np.float32)
    X[:, 0, 2, 0] = 1.0  # a dot on the left edge
    a = ns.data.augment(X, np.random.default_rng(3), shift=1, flip=True, noise=0.0)
    b = ns.data.augment(X, np.random.default_rng(3), shift=1, flip=True, noise=0.0)
    np.testing.assert_array_equal(a, b)
    assert a.shape == X.shape and not np.array_equal(a, X)
    assert np.all(a.sum(axis=(1, 2, 3)) <= 1.0)  # shifts never duplicate pixels
    flipped = ns.data.augment(X, np.random.default_rng(0), flip=True)
    assert any(flipped[i, 0, 2, 4] == 1.0 for i in range(8))  # some mirrored to the right edge
    noisy = ns.data.augment(X, np.random.default_rng(0), noise=0.1)
    assert 0.05 < float(np.std(noisy - X)) < 0.15
