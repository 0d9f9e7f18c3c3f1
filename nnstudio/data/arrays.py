"""NumPy .npz files and MNIST IDX files (plain or gzip)."""
from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np

from nnstudio import safe_read
from nnstudio.data import files
from nnstudio.data.dataset import Dataset, check_split, make_dataset
from nnstudio.data.files import fingerprint, read_bytes
from nnstudio.errors import DataError


def _task_of(y: np.ndarray, task: str) -> str:
    if task != "auto":
        return task
    return "classification" if y.dtype.kind in "iub" or y.dtype.kind in "US" else "regression"


def _finish(X: np.ndarray, y: np.ndarray, task: str, spec: dict, val_ratio: float, seed: int, name: str) -> Dataset:
    if task not in ("auto", "classification", "regression"):
        raise DataError(f"{name}: task must be auto, classification or regression; got {task!r}")
    if X.ndim == 0 or y.ndim == 0:
        raise DataError(f"{name}: the inputs and targets must be arrays with one row per example, not single values")
    if X.ndim > 4 or y.ndim > 2:
        raise DataError(f"{name}: inputs may have at most 4 dimensions (N x C x H x W) and targets 2; got "
                        f"{X.ndim} and {y.ndim}")
    if len(X) != len(y):
        raise DataError(f"{name}: {len(X)} inputs but {len(y)} targets")
    if X.ndim == 3:  # (N, H, W) images get a channel axis
        X = X[:, None]
    if X.ndim == 1:
        X = X[:, None]
    if X.dtype.kind not in "fiub":
        raise DataError(f"{name}: the inputs must be numbers, not {X.dtype}")
    if y.dtype.kind not in "fiubUS":
        raise DataError(f"{name}: the targets must be numbers or labels, not {y.dtype}")
    if X.size == 0 or 0 in X.shape[1:]:
        raise DataError(f"{name}: the inputs are empty (shape {X.shape})")
    files.check_allocation(X.size * 4 * 2, name, f"the inputs ({'x'.join(map(str, X.shape))} values)")
    with np.errstate(over="ignore", invalid="ignore"):  # out-of-range values become inf: refused just below
        X = X.astype(np.float32)
    if not np.isfinite(X).all():
        raise DataError(f"{name}: the inputs contain NaN or infinite values (or numbers too large for float32)")
    task = _task_of(y, task)
    if task == "classification":
        if y.ndim != 1:
            raise DataError(f"{name}: class targets must be one label per example; got shape {y.shape}")
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            raise DataError(f"{name}: the targets contain NaN or infinite values")
        classes, yi = np.unique(y, return_inverse=True)
        names = [str(c) for c in classes]
        return make_dataset(X, yi, task, names, spec, val_ratio, seed)
    if y.dtype.kind in "US":
        raise DataError(f"{name}: the targets are text, so they cannot be a regression target")
    with np.errstate(over="ignore", invalid="ignore"):
        yf = y.astype(np.float32)
    if not np.isfinite(yf).all():
        raise DataError(f"{name}: the targets contain NaN or infinite values (or numbers too large for float32)")
    return make_dataset(X, yf, task, [], spec, val_ratio, seed)


def load_npz(path: str | Path, x: str = "X", y: str = "y", task: str = "auto", val_ratio: float = 0.2,
             seed: int = 0) -> Dataset:
    """Inputs and targets from named arrays in a .npz file; integer targets mean classes."""
    p = Path(path)
    val_ratio, seed = check_split(val_ratio, seed)
    for arg, value in (("x", x), ("y", y)):
        if not isinstance(value, str):
            raise DataError(f"{p.name}: the {arg} array name must be text, not {value!r}")
    data = read_bytes(p, "NumPy file")
    try:
        available = safe_read.npz_names(data)
        missing = [a for a in (x, y) if a not in available]
        if missing:
            raise DataError(f"{p.name}: no array named {missing[0]!r}; it has {', '.join(available) or 'none'}")
        # sizes come from the array headers and are checked before anything is decompressed or allocated
        arrays = safe_read.read_npz(data, [x, y], files.MAX_ARRAY_BYTES)
    except safe_read.UnsafeInput as exc:
        raise DataError(f"{p.name}: {exc}") from None
    X, Y = arrays[x], arrays[y]
    spec = {"source": "npz", "path": str(path), "x": x, "y": y, "task": task, "val_ratio": float(val_ratio),
            "seed": int(seed), "fingerprint": fingerprint(p)}
    return _finish(X, Y, task, spec, val_ratio, seed, p.name)


_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX array (MNIST's format), gzip-compressed or not."""
    p = Path(path)
    data = read_bytes(p, "IDX file")
    if data[:2] == b"\x1f\x8b":
        try:  # bounded: a gzip bomb stops at the limit instead of filling the memory
            data = safe_read.gunzip(data, files.MAX_ARRAY_BYTES + 4 + 4 * 255)
        except safe_read.UnsafeInput as exc:
            raise DataError(f"{p.name}: {exc}") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise DataError(f"{p.name}: not an IDX file (wrong magic number)")
    ndim = data[3]
    if ndim < 1 or len(data) < 4 + 4 * ndim:
        raise DataError(f"{p.name}: the IDX header is cut short")
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    dtype = np.dtype(_IDX_TYPES[data[2]])
    count = math.prod(dims)  # Python integers: the product of 32-bit sizes cannot overflow
    head = 4 + 4 * ndim
    body = len(data) - head
    if body != count * dtype.itemsize:
        raise DataError(f"{p.name}: the header promises {'x'.join(map(str, dims))} values but the file holds "
                        f"{body // dtype.itemsize} - the file is truncated or damaged")
    files.check_allocation(count * 4, p.name, f"{'x'.join(map(str, dims))} values")  # they become float32
    # a view of the file's bytes (slicing them first copied the whole body)
    return np.frombuffer(data, dtype=dtype, count=count, offset=head).reshape(dims)


def load_idx(images: str | Path, labels: str | Path, val_ratio: float = 0.2, seed: int = 0) -> Dataset:
    """MNIST-style image + label IDX files; images scaled to [0, 1] as (N, 1, H, W)."""
    val_ratio, seed = check_split(val_ratio, seed)
    X = read_idx(images)
    y = read_idx(labels)
    if X.ndim not in (3, 4):
        raise DataError(f"{Path(images).name}: expected images (N x height x width), got {X.ndim} dimensions")
    if y.ndim != 1:
        raise DataError(f"{Path(labels).name}: expected one label per image")
    if y.dtype.kind == "f" and not (np.isfinite(y).all() and (y == np.round(y)).all()):
        raise DataError(f"{Path(labels).name}: the labels must be whole numbers")
    scale = 255.0 if X.dtype == np.uint8 else 1.0
    spec = {"source": "idx", "images": str(images), "labels": str(labels), "val_ratio": float(val_ratio),
            "seed": int(seed), "fingerprint": fingerprint(images)}
    files.check_allocation(X.size * 4, Path(images).name, "the images")
    if X.dtype.kind in "iu" and len(X) == len(y) and X.size:
        return _integer_images(X, y, scale, spec, val_ratio, seed)
    files.check_allocation(X.size * 4 * 2, Path(images).name, "the images")
    with np.errstate(over="ignore", invalid="ignore"):  # inf from huge values is refused in _finish
        X = X.astype(np.float32) / scale
    return _finish(X, y.astype(np.int64), "classification", spec, val_ratio, seed, Path(images).name)


CONVERT_ROWS = 1024  # images converted per slice: a small uint8 temporary (0.8 MB for MNIST), not a second copy


def _integer_images(X: np.ndarray, y: np.ndarray, scale: float, spec: dict, val_ratio: float, seed: int) -> Dataset:
    """Integer images straight into the float32 train and validation arrays, slice by slice.

    The general path (float32 copy, scaled copy, then split copies) peaked at three times the
    data: 570 MB for 60,000 MNIST images (190 MB of float32). Here the only float32 arrays are the two
    halves of the split, each filled from the integer file data; the values are those of
    ``X.astype(np.float32) / scale`` and the split is :func:`make_dataset`'s.
    """
    from nnstudio.data.dataset import split_indices

    if X.ndim == 3:  # (N, H, W) images get a channel axis
        X = X[:, None]
    classes, yi = np.unique(y.astype(np.int64), return_inverse=True)
    yi = yi.astype(np.int64).reshape(-1)
    tr, va = split_indices(yi, len(X), val_ratio, seed, True)
    parts = []
    for rows in (tr, va):
        out = np.empty((len(rows),) + X.shape[1:], np.float32)
        for start in range(0, len(rows), CONVERT_ROWS):
            block = out[start:start + CONVERT_ROWS]
            src = X[rows[start:start + CONVERT_ROWS]]
            if scale != 1.0:  # one pass: the integers convert to float32 inside the division
                np.divide(src, np.float32(scale), out=block)
            else:
                block[...] = src
        parts.append(out)
    return Dataset(X_train=parts[0], y_train=np.ascontiguousarray(yi[tr]), X_val=parts[1],
                   y_val=np.ascontiguousarray(yi[va]), input_shape=tuple(X.shape[1:]), task="classification",
                   class_names=[str(c) for c in classes], spec=dict(spec))
