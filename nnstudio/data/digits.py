"""The bundled 8x8 handwritten digits (no network access, ever)."""
from __future__ import annotations

from importlib import resources

import numpy as np

from nnstudio.data.dataset import Dataset, make_dataset


def digits(val_ratio: float = 0.2, seed: int = 0) -> Dataset:
    """1,797 grey 8x8 digit images as (N, 1, 8, 8) floats in [0, 1], 10 classes."""
    with resources.files("nnstudio.resources").joinpath("data/digits.npz").open("rb") as f:
        with np.load(f) as z:
            images, target = z["images"], z["target"]
    X = (images.astype(np.float32) / 16.0)[:, None, :, :]
    spec = {"source": "digits", "val_ratio": float(val_ratio), "seed": int(seed)}
    return make_dataset(X, target.astype(np.int64), "classification", [str(i) for i in range(10)], spec,
                        val_ratio, seed)
