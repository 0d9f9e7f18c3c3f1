"""2-D toy problems (as TensorFlow Playground's, and more), with derived input features."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from nnstudio.data.dataset import Dataset, check_split, make_dataset
from nnstudio.errors import DataError

FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: np.sin(np.pi * a),
    "sin(x2)": lambda a, b: np.sin(np.pi * b),
}
CLASSIFICATION = ("circle", "xor", "gaussians", "spiral", "moons", "blobs")
REGRESSION = ("plane", "gaussian_surface")
#: Most points a toy problem generates (train + validation).
MAX_POINTS = 1_000_000
NAMES = CLASSIFICATION + REGRESSION
DESCRIPTIONS = {
    "circle": "a ring of one class around a disc of the other",
    "xor": "opposite quadrants share a class (no straight line separates them)",
    "gaussians": "two blobs, almost separable by a line",
    "spiral": "two interleaved spirals - needs a deep or wide network",
    "moons": "two interlocking half moons",
    "blobs": "three blobs, three classes",
    "plane": "regression: a tilted plane",
    "gaussian_surface": "regression: hills and valleys of several gaussians",
}


def _per_class(n: int, k: int) -> list[int]:
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _generate(name: str, n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if name == "circle":
        a, b = _per_class(n, 2)
        r_in = 0.5 * np.sqrt(rng.uniform(0, 1, a))
        r_out = rng.uniform(0.7, 1.0, b)
        r = np.concatenate([r_in, r_out])
        t = rng.uniform(0, 2 * np.pi, n)
        pts = np.stack([r * np.cos(t), r * np.sin(t)], 1)
        y = np.repeat([0, 1], [a, b])
    elif name == "xor":
        a, b = _per_class(n, 2)
        pts, ys = [], []
        for label, count in ((0, a), (1, b)):
            p = rng.uniform(0.05, 1.0, (count, 2)) * rng.choice([-1, 1], (count, 1))
            if label == 1:
                p[:, 1] *= -1
            pts.append(p)
            ys.append(np.full(count, label))
        pts, y = np.concatenate(pts), np.concatenate(ys)
    elif name == "gaussians":
        a, b = _per_class(n, 2)
        pts = np.concatenate([rng.normal([-0.5, -0.5], 0.25, (a, 2)), rng.normal([0.5, 0.5], 0.25, (b, 2))])
        y = np.repeat([0, 1], [a, b])
    elif name == "spiral":
        a, b = _per_class(n, 2)
        parts = []
        for label, count in ((0, a), (1, b)):
            r = np.linspace(0.05, 1.0, count)
            t = 1.75 * 2 * np.pi * r + label * np.pi
            parts.append(np.stack([r * np.sin(t), r * np.cos(t)], 1))
        pts, y = np.concatenate(parts), np.repeat([0, 1], [a, b])
    elif name == "moons":
        a, b = _per_class(n, 2)
        t0, t1 = rng.uniform(0, np.pi, a), rng.uniform(0, np.pi, b)
        top = np.stack([np.cos(t0), np.sin(t0)], 1)
        bottom = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)
        pts = (np.concatenate([top, bottom]) - [0.5, 0.25]) / 1.5
        y = np.repeat([0, 1], [a, b])
    elif name == "blobs":
        counts = _per_class(n, 3)
        centres = np.array([[-0.55, -0.4], [0.55, -0.4], [0.0, 0.6]])
        pts = np.concatenate([rng.normal(c, 0.2, (k, 2)) for c, k in zip(centres, counts)])
        y = np.repeat([0, 1, 2], counts)
    elif name == "plane":
        pts = rng.uniform(-1, 1, (n, 2))
        y = (0.6 * pts[:, 0] - 0.4 * pts[:, 1])[:, None]
    elif name == "gaussian_surface":
        pts = rng.uniform(-1, 1, (n, 2))
        centres = [([-0.5, -0.5], 1.0), ([0.5, 0.5], 1.0), ([0.5, -0.5], -1.0), ([-0.5, 0.5], -1.0)]
        y = sum(s * np.exp(-np.sum((pts - c) ** 2, 1) / 0.18) for c, s in centres)[:, None]
    else:
        raise DataError(f"unknown toy problem {name!r}; choose one of {', '.join(NAMES)}")
    pts = pts + rng.normal(0, noise, pts.shape) if name not in REGRESSION else pts
    if name in REGRESSION:
        y = y + rng.normal(0, noise * 0.5, y.shape)
    return pts.astype(np.float64), y


def feature_map(features: Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
    unknown = [f for f in features if f not in FEATURES]
    if unknown or not features:
        raise DataError(f"unknown input feature(s) {', '.join(unknown) or '(none chosen)'}; "
                        f"choose from {', '.join(FEATURES)}")
    fs = [FEATURES[f] for f in features]

    def apply(points: np.ndarray) -> np.ndarray:
        a, b = points[:, 0], points[:, 1]
        return np.ascontiguousarray(np.stack([f(a, b) for f in fs], 1), dtype=np.float32)

    return apply


def toy(name: str, n: int = 400, noise: float = 0.1, seed: int = 0, val_ratio: float = 0.2,
        features: Sequence[str] = ("x1", "x2")) -> Dataset:
    """A 2-D toy problem; the same settings and seed always give the same data.

    Parameters
    ----------
    name : str
        ``circle xor gaussians spiral moons blobs`` (classification) or
        ``plane gaussian_surface`` (regression).
    n : int
        Total number of points (train + validation).
    noise : float
        Standard deviation of the noise added to points (classification) or targets (regression).
    features : sequence of str
        Model inputs derived from the point (x1, x2): see :data:`FEATURES`.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 4:
        raise DataError(f"a toy problem needs at least 4 points; got {n!r}")
    if n > MAX_POINTS:
        raise DataError(f"a toy problem has at most {MAX_POINTS:,} points; got {n:,}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)) or not 0 <= noise <= 5:
        raise DataError(f"noise must be a number between 0 and 5; got {noise!r}")
    if not isinstance(name, str):
        raise DataError(f"the toy problem's name must be text; got {name!r}")
    val_ratio, seed = check_split(val_ratio, seed)
    if isinstance(features, str) or not isinstance(features, (list, tuple)) \
            or not all(isinstance(f, str) for f in features):
        raise DataError(f"the toy problem's features must be a list of names such as ['x1', 'x2']; got {features!r}")
    fmap = feature_map(list(features))
    rng = np.random.default_rng(seed)
    pts, y = _generate(name, int(n), float(noise), rng)
    task = "regression" if name in REGRESSION else "classification"
    classes = [] if task == "regression" else [f"class {i}" for i in range(int(y.max()) + 1)]
    spec = {"source": "toy", "name": name, "n": int(n), "noise": float(noise), "seed": int(seed),
            "val_ratio": float(val_ratio), "features": list(features)}
    return make_dataset(fmap(pts), y, task, classes, spec, val_ratio, seed, points=pts.astype(np.float32),
                        feature_map=fmap)
