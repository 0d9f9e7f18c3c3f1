"""Image augmentation per batch: random shifts, horizontal flips, Gaussian noise (seeded)."""
from __future__ import annotations

import numpy as np


def augment(X: np.ndarray, rng: np.random.Generator, shift: int = 0, flip: bool = False,
            noise: float = 0.0) -> np.ndarray:
    """A new (N, C, H, W) float32 array; each image shifted by up to ``shift`` pixels (zero fill),
    mirrored left-right with probability 0.5 if ``flip``, plus N(0, noise^2) noise."""
    out = np.array(X, dtype=np.float32, copy=True)
    if out.ndim != 4:
        return out
    n, _, h, w = out.shape
    if shift:
        dy = rng.integers(-shift, shift + 1, n)
        dx = rng.integers(-shift, shift + 1, n)
        shifted = np.zeros_like(out)
        for i in range(n):
            ys, yd = (slice(0, h - dy[i]), slice(dy[i], h)) if dy[i] >= 0 else (slice(-dy[i], h), slice(0, h + dy[i]))
            xs, xd = (slice(0, w - dx[i]), slice(dx[i], w)) if dx[i] >= 0 else (slice(-dx[i], w), slice(0, w + dx[i]))
            shifted[i, :, yd, xd] = out[i, :, ys, xs]
        out = shifted
    if flip:
        mirror = rng.random(n) < 0.5
        out[mirror] = out[mirror][..., ::-1]
    if noise:
        out += rng.normal(0.0, noise, out.shape).astype(np.float32)
    return np.ascontiguousarray(out)
