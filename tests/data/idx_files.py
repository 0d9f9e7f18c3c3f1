"""Writing IDX files (MNIST's format) for tests and benchmarks: no download, no network."""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

#: IDX type codes by numpy dtype (the file stores big-endian values)
IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B, np.dtype(">i4"): 0x0C,
             np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(a: np.ndarray) -> bytes:
    """The IDX encoding of ``a`` (uint8, int8 or big-endian int16/int32/float32/float64)."""
    a = np.asarray(a)
    big = a.astype(a.dtype.newbyteorder(">")) if a.dtype.itemsize > 1 else a
    code = IDX_CODES[np.dtype(big.dtype)]
    return bytes([0, 0, code, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape) + np.ascontiguousarray(big).tobytes()


def write_idx(path: Path, a: np.ndarray, gz: bool = False) -> Path:
    data = idx_bytes(a)
    path.write_bytes(gzip.compress(data, compresslevel=1) if gz else data)
    return path


def synthetic_mnist(folder: Path, n: int = 60_000, side: int = 28, seed: int = 0) -> tuple[Path, Path]:
    """MNIST-size images (uint8) and labels 0-9 as two IDX files in ``folder``; the class is
    written into the image as a bright block so that a network can learn it."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = rng.integers(0, 64, size=(n, side, side), dtype=np.uint8)
    for c in range(10):
        images[labels == c, 2 * c:2 * c + 3, 4:10] = 250
    return (write_idx(folder / "train-images-idx3-ubyte", images),
            write_idx(folder / "train-labels-idx1-ubyte", labels))
