"""Parameter initialisation, seeded and reproducible (PyTorch's formulas)."""
from __future__ import annotations

import math

import numpy as np


def init_tensor(rng: np.random.Generator, kind: str, shape: tuple[int, ...], fan_in: int, fan_out: int) -> np.ndarray:
    """he: N(0, 2/fan_in) (kaiming_normal_); xavier: U(+-sqrt(6/(fan_in+fan_out))) (xavier_uniform_);
    normal: N(0, 1) (normal_); zeros."""
    if kind == "zeros":
        return np.zeros(shape)
    if kind == "he":
        return rng.normal(0.0, math.sqrt(2.0 / max(1, fan_in)), size=shape)
    if kind == "xavier":
        a = math.sqrt(6.0 / max(1, fan_in + fan_out))
        return rng.uniform(-a, a, size=shape)
    if kind == "normal":
        return rng.normal(0.0, 1.0, size=shape)
    raise ValueError(f"unknown init {kind!r}")
