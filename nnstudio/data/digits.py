"""The bundled 8x8 handwritten digits (no network access, ever)."""
from __future__ import annotations

from importlib import resources

import numpy as np

from nnstudio.data.dataset import Dataset, make_dataset
from nnstudio.errors import DataError


#: what a digits set can ask: which digit it is (ten classes), or whether it is odd or even (two)
LABELS = ("digit", "odd or even")


def digits(val_ratio: float = 0.2, seed: int = 0, labels: str = "digit", per_class: int = 0) -> Dataset:
    """The 1,797 grey 8x8 digit images as (N, 1, 8, 8) floats in [0, 1].

    ``labels`` is the question: ``"digit"`` (classes "0" ... "9") or ``"odd or even"`` (a new task
    on the same images, for transfer learning). ``per_class`` > 0 keeps that many images of each
    digit (the first ones: a learner's "few examples"), 0 keeps all (about 180 each). The defaults
    are the whole set, as projects saved before these settings expect.
    """
    per_class = int(per_class)
    if labels not in LABELS:
        raise DataError(f"the digits' labels must be one of {', '.join(map(repr, LABELS))}, not {labels!r}")
    if per_class < 0:
        raise DataError(f"examples per digit must be 0 (all) or more, not {per_class}")
    with resources.files("nnstudio.resources").joinpath("data/digits.npz").open("rb") as f:
        with np.load(f) as z:
            images, target = z["images"], z["target"].astype(np.int64)
    keep = np.ones(len(target), bool)
    if per_class:
        rank = np.zeros(len(target), np.int64)  # how many earlier images show the same digit
        for d in range(10):
            rank[target == d] = np.arange(np.count_nonzero(target == d))
        keep = rank < per_class
    X = (images[keep].astype(np.float32) / 16.0)[:, None, :, :]
    spec: dict = {"source": "digits", "val_ratio": float(val_ratio), "seed": int(seed)}
    # only what differs from the whole set, so a project saved before these settings keeps its description
    spec.update({k: v for k, v in (("labels", labels), ("per_class", per_class)) if v != DEFAULTS[k]})
    y, names = (target[keep] % 2, ["even", "odd"]) if labels == "odd or even" else (target[keep], DIGITS)
    return make_dataset(X, y, "classification", names, spec, val_ratio, seed)


DIGITS = [str(i) for i in range(10)]
DEFAULTS = {"labels": "digit", "per_class": 0}
