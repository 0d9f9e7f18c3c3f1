"""NumPy .npz files and MNIST IDX files (plain or gzip)."""
from __future__ import annotations

import gzip
import io
import struct
import zipfile
from pathlib import Path

import numpy as np

from nnstudio.data.dataset import Dataset, make_dataset
from nnstudio.data.files import fingerprint, read_bytes
from nnstudio.errors import DataError


def _task_of(y: np.ndarray, task: str) -> str:
    if task != "auto":
        return task
    return "classification" if y.dtype.kind in "iub" or y.dtype.kind in "US" else "regression"


def _finish(X: np.ndarray, y: np.ndarray, task: str, spec: dict, val_ratio: float, seed: int, name: str) -> Dataset:
    if len(X) != len(y):
        raise DataError(f"{name}: {len(X)} inputs but {len(y)} targets")
    if X.ndim == 3:  # (N, H, W) images get a channel axis
        X = X[:, None]
    if X.ndim == 1:
        X = X[:, None]
    if X.dtype.kind not in "fiub":
        raise DataError(f"{name}: the inputs must be numbers, not {X.dtype}")
    X = X.astype(np.float32)
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        raise DataError(f"{name}: the inputs contain NaN or infinite values")
    task = _task_of(y, task)
    if task == "classification":
        classes, yi = np.unique(y, return_inverse=True)
        names = [str(c) for c in classes]
        return make_dataset(X, yi, task, names, spec, val_ratio, seed)
    return make_dataset(X, y.astype(np.float32), task, [], spec, val_ratio, seed)


def load_npz(path: str | Path, x: str = "X", y: str = "y", task: str = "auto", val_ratio: float = 0.2,
             seed: int = 0) -> Dataset:
    """Inputs and targets from named arrays in a .npz file; integer targets mean classes."""
    p = Path(path)
    data = read_bytes(p, "NumPy file")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            available = list(z.keys())
            missing = [a for a in (x, y) if a not in available]
            if missing:
                raise DataError(f"{p.name}: no array named {missing[0]!r}; it has {', '.join(available) or 'none'}")
            X, Y = z[x], z[y]
    except DataError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"{p.name}: not a readable .npz file ({exc})") from None
    spec = {"source": "npz", "path": str(path), "x": x, "y": y, "task": task, "val_ratio": float(val_ratio),
            "seed": int(seed), "fingerprint": fingerprint(p)}
    return _finish(X, Y, task, spec, val_ratio, seed, p.name)


_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX array (MNIST's format), gzip-compressed or not."""
    p = Path(path)
    data = read_bytes(p, "IDX file")
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise DataError(f"{p.name}: damaged gzip data ({exc})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise DataError(f"{p.name}: not an IDX file (wrong magic number)")
    ndim = data[3]
    if ndim < 1 or len(data) < 4 + 4 * ndim:
        raise DataError(f"{p.name}: the IDX header is cut short")
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    dtype = np.dtype(_IDX_TYPES[data[2]])
    count = int(np.prod(dims))
    body = data[4 + 4 * ndim:]
    if len(body) != count * dtype.itemsize:
        raise DataError(f"{p.name}: the header promises {'x'.join(map(str, dims))} values but the file holds "
                        f"{len(body) // dtype.itemsize} - the file is truncated or damaged")
    return np.frombuffer(body, dtype=dtype).reshape(dims)


def load_idx(images: str | Path, labels: str | Path, val_ratio: float = 0.2, seed: int = 0) -> Dataset:
    """MNIST-style image + label IDX files; images scaled to [0, 1] as (N, 1, H, W)."""
    X = read_idx(images)
    y = read_idx(labels)
    if X.ndim not in (3, 4):
        raise DataError(f"{Path(images).name}: expected images (N x height x width), got {X.ndim} dimensions")
    if y.ndim != 1:
        raise DataError(f"{Path(labels).name}: expected one label per image")
    scale = 255.0 if X.dtype == np.uint8 else 1.0
    spec = {"source": "idx", "images": str(images), "labels": str(labels), "val_ratio": float(val_ratio),
            "seed": int(seed), "fingerprint": fingerprint(images)}
    return _finish(X.astype(np.float32) / scale, y.astype(np.int64), "classification", spec, val_ratio, seed,
                   Path(images).name)
