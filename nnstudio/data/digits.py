"""The bundled 8x8 handwritten digits (no network access, ever)."""
from __future__ import annotations

from importlib import resources

import numpy as np

from nnstudio.data.dataset import Dataset, make_dataset
from nnstudio.errors import DataError


#: what a digits set can ask: which digit it is (ten classes), or whether it is odd or even (two)
LABELS = ("digit", "odd or even")


#: which of the 1,797 images a set uses: two disjoint halves let a network trained on one half be
#: tried on images it has never seen (transfer learning)
PARTS = ("all", "first half", "second half")
MAX_PAGE = 32


def digits(val_ratio: float = 0.2, seed: int = 0, labels: str = "digit", per_class: int = 0,
           part: str = "all", page: int = 8, copies: int = 1) -> Dataset:
    """The 1,797 grey 8x8 digit images as (N, 1, 8, 8) floats in [0, 1].

    ``labels`` is the question: ``"digit"`` (classes "0" ... "9") or ``"odd or even"`` (a new task
    on the same images, for transfer learning). ``part`` keeps all images or the first or second
    half of them (in the bundled order). ``per_class`` > 0 keeps that many images of each digit of
    the part (the first ones: a learner's "few examples"), 0 keeps all (about 180 each in the whole
    set). ``page`` > 8 puts each digit at a random spot (seeded by ``seed``) of a blank page that
    many pixels square, ``copies`` times at different spots: a harder task of the same strokes.
    The defaults are the whole set as it is, as projects saved before these settings expect.
    """
    per_class, page, copies = int(per_class), int(page), int(copies)
    if labels not in LABELS:
        raise DataError(f"the digits' labels must be one of {', '.join(map(repr, LABELS))}, not {labels!r}")
    if part not in PARTS:
        raise DataError(f"the digits' images must be one of {', '.join(map(repr, PARTS))}, not {part!r}")
    if per_class < 0:
        raise DataError(f"examples per digit must be 0 (all) or more, not {per_class}")
    if not 8 <= page <= MAX_PAGE:
        raise DataError(f"the page for the digits must be 8 to {MAX_PAGE} pixels square, not {page}")
    if copies < 1 or (copies > 1 and page == 8):
        raise DataError(f"copies of each digit must be 1, or more on a page bigger than 8 pixels (not {copies})")
    with resources.files("nnstudio.resources").joinpath("data/digits.npz").open("rb") as f:
        with np.load(f) as z:
            images, target = z["images"], z["target"].astype(np.int64)
    half = len(target) // 2
    keep = np.zeros(len(target), bool)
    keep[{"all": slice(None), "first half": slice(0, half), "second half": slice(half, None)}[part]] = True
    if per_class:
        rank = np.full(len(target), per_class)  # how many earlier kept images show the same digit
        for d in range(10):
            mine = keep & (target == d)
            rank[mine] = np.arange(np.count_nonzero(mine))
        keep &= rank < per_class
    X = (images[keep].astype(np.float32) / 16.0)[:, None, :, :]
    y = target[keep]
    if page > 8:
        X, y = _placed(X, y, page, copies, np.random.default_rng([int(seed), page]))
    spec: dict = {"source": "digits", "val_ratio": float(val_ratio), "seed": int(seed)}
    # only what differs from the whole set, so a project saved before these settings keeps its description
    spec.update({k: v for k, v in (("labels", labels), ("per_class", per_class), ("part", part), ("page", page),
                                   ("copies", copies)) if v != DEFAULTS[k]})
    y, names = (y % 2, ["even", "odd"]) if labels == "odd or even" else (y, DIGITS)
    return make_dataset(X, y, "classification", names, spec, val_ratio, seed)


def _placed(X: np.ndarray, y: np.ndarray, page: int, copies: int,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every image ``copies`` times, each at a random spot of a blank ``page`` x ``page`` image."""
    n = len(X)
    out = np.zeros((n * copies, 1, page, page), np.float32)
    rows, cols = rng.integers(0, page - 8 + 1, (2, n * copies))
    for k in range(n * copies):
        out[k, 0, rows[k]:rows[k] + 8, cols[k]:cols[k] + 8] = X[k % n, 0]
    return out, np.tile(y, copies)


DIGITS = [str(i) for i in range(10)]
DEFAULTS = {"labels": "digit", "per_class": 0, "part": "all", "page": 8, "copies": 1}
