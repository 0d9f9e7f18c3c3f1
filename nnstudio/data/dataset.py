"""The Dataset every loader returns, stratified splits, batches and one-hot targets."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from nnstudio.errors import DataError


@dataclass
class Dataset:
    """Arrays ready for the engine plus what the UI and the project file need to know.

    ``X_*`` are float32, C-contiguous, shaped ``(N, *input_shape)``. ``y_*`` are
    int64 class indices ``(N,)`` for classification (``(N, L)``, one class per position, for
    sequence-to-sequence tasks such as copy) and float32 ``(N, target_dim)`` for regression.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    input_shape: tuple[int, ...]
    task: str
    class_names: list[str]
    spec: dict[str, Any]
    points_train: np.ndarray | None = None
    points_val: np.ndarray | None = None
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    feature_map: Callable[[np.ndarray], np.ndarray] | None = None
    scaler: dict[str, Any] | None = None
    #: what each whole-number input stands for (the words an Embedding's rows are for), if known
    token_names: list[str] | None = None

    @property
    def n_classes(self) -> int:
        return len(self.class_names) if self.task == "classification" else 0

    @property
    def target_dim(self) -> int:
        return 1 if self.task == "classification" else int(self.y_train.shape[1])

    @property
    def n(self) -> int:
        return len(self.X_train) + len(self.X_val)

    def features_for(self, points: np.ndarray) -> np.ndarray:
        """Model inputs for raw 2-D points (decision surfaces); toy sets only."""
        if self.feature_map is None:
            raise DataError("this dataset has no 2-D input plane")
        return self.feature_map(np.asarray(points, dtype=np.float64))

    @property
    def per_position(self) -> bool:
        """Whether the target is one class per position, ``y`` of shape ``(N, L)`` (copy, reverse)."""
        return self.task == "classification" and self.y_train.ndim == 2

    def describe(self) -> str:
        name = self.spec.get("name") or (self.spec.get("task") if self.spec.get("source") == "sequence" else None) \
            or self.spec.get("source", "data")
        what = f"{self.n_classes} classes" if self.task == "classification" else "regression"
        if self.per_position:
            what += f" at each of {self.y_train.shape[1]} positions"
        shape = "x".join(map(str, self.input_shape))
        return f"{name} - {self.n} samples of {shape}, {what}"


def check_split(val_ratio: Any, seed: Any) -> tuple[float, int]:
    """``val_ratio`` and ``seed`` as a float in [0, 1) and a whole number >= 0, or DataError."""
    if isinstance(val_ratio, bool) or not isinstance(val_ratio, (int, float, np.integer, np.floating)) \
            or not 0.0 <= float(val_ratio) < 1.0:
        raise DataError(f"the validation share must be a number from 0 to below 1; got {val_ratio!r}")
    if isinstance(seed, float) and seed.is_integer():
        seed = int(seed)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2 ** 63:
        raise DataError(f"the seed must be a whole number from 0; got {seed!r}")
    return float(val_ratio), int(seed)


def split_indices(y: np.ndarray | None, n: int, val_ratio: float, seed: int, stratify: bool) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/validation indices; per class when ``stratify`` so both keep the class balance."""
    val_ratio, seed = check_split(val_ratio, seed)
    rng = np.random.default_rng(seed)
    if not stratify or y is None:
        order = rng.permutation(n)
        n_val = int(round(n * val_ratio))
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    train, val = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_val = int(round(len(idx) * val_ratio))
        val.append(idx[:n_val])
        train.append(idx[n_val:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))


def make_dataset(X: np.ndarray, y: np.ndarray, task: str, class_names: list[str], spec: dict[str, Any],
                 val_ratio: float = 0.2, seed: int = 0, points: np.ndarray | None = None, **extra: Any) -> Dataset:
    """Split X/y into a :class:`Dataset` (stratified for classification)."""
    X = np.ascontiguousarray(X, dtype=np.float32)
    per_position = task == "classification" and np.ndim(y) == 2 and np.shape(y)[1] > 1
    if per_position:  # one class per position (copy, reverse): (N, L), split without strata
        y = np.asarray(y, dtype=np.int64)
    elif task == "classification":
        y = np.asarray(y, dtype=np.int64).reshape(-1)
    else:
        y = np.asarray(y, dtype=np.float32)
        y = y.reshape(len(y), -1)
    if len(X) == 0:
        raise DataError("the dataset is empty")
    if len(y) != len(X):
        raise DataError(f"the dataset has {len(X):,} inputs but {len(y):,} targets")
    stratify = task == "classification" and not per_position
    tr, va = split_indices(y if stratify else None, len(X), val_ratio, seed, stratify)
    return Dataset(
        X_train=np.ascontiguousarray(X[tr]), y_train=np.ascontiguousarray(y[tr]),
        X_val=np.ascontiguousarray(X[va]), y_val=np.ascontiguousarray(y[va]),
        input_shape=tuple(X.shape[1:]), task=task, class_names=list(class_names), spec=dict(spec),
        points_train=None if points is None else points[tr], points_val=None if points is None else points[va],
        **extra,
    )


def one_hot(y: np.ndarray, k: int) -> np.ndarray:
    """(N,) class indices -> (N, k) float32."""
    out = np.zeros((len(y), k), np.float32)
    out[np.arange(len(y)), np.asarray(y, dtype=np.int64)] = 1.0
    return out


def iter_batches(X: np.ndarray, y: np.ndarray, batch_size: int, seed: int, epoch: int
                 ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Contiguous batches in a seeded order that changes every epoch."""
    order = np.random.default_rng([seed, epoch]).permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        yield np.ascontiguousarray(X[idx], dtype=np.float32), np.ascontiguousarray(y[idx])
