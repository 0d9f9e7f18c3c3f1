"""Plain-NumPy forward and backward of the attention kinds (the oracle for their kernels).

Batch first: x is (n, L, E). Written as the textbook formulas, float64.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def _split(z: np.ndarray, heads: int) -> np.ndarray:
    """(n, L, E) -> (n, heads, L, E/heads)."""
    n, L, E = z.shape
    return z.reshape(n, L, heads, E // heads).transpose(0, 2, 1, 3)


def _merge(z: np.ndarray) -> np.ndarray:
    """(n, heads, L, d) -> (n, L, heads*d)."""
    n, H, L, d = z.shape
    return z.transpose(0, 2, 1, 3).reshape(n, L, H * d)


def attention_forward(x: np.ndarray, t: dict[str, np.ndarray], heads: int, causal: bool
                      ) -> tuple[np.ndarray, dict[str, Any]]:
    """Self-attention as torch's nn.MultiheadAttention(batch_first=True)(x, x, x); returns (y, cache)."""
    n, L, E = x.shape
    qkv = x @ t["in_proj_weight"].T + t.get("in_proj_bias", 0)
    q, k, v = (_split(qkv[..., i * E:(i + 1) * E], heads) for i in range(3))
    d = E // heads
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)
    if causal:
        scores = np.where(np.triu(np.ones((L, L), bool), 1), -np.inf, scores)
    scores = scores - scores.max(axis=-1, keepdims=True)
    a = np.exp(scores)
    a /= a.sum(axis=-1, keepdims=True)
    ctx = _merge(a @ v)
    y = ctx @ t["out_proj_weight"].T + t.get("out_proj_bias", 0)
    return y, {"x": x, "q": q, "k": k, "v": v, "a": a, "ctx": ctx}


def attention_backward(gy: np.ndarray, t: dict[str, np.ndarray], cache: dict[str, Any]
                       ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """d loss / d input and / d every tensor, from d loss / d output."""
    x, q, k, v, a, ctx = (cache[key] for key in ("x", "q", "k", "v", "a", "ctx"))
    H, d = q.shape[1], q.shape[3]
    grads = {"out_proj_weight": np.einsum("nlo,nli->oi", gy, ctx)}
    if "out_proj_bias" in t:
        grads["out_proj_bias"] = gy.sum(axis=(0, 1))
    gctx = _split(gy @ t["out_proj_weight"], H)
    ga = gctx @ v.transpose(0, 1, 3, 2)
    gv = a.transpose(0, 1, 3, 2) @ gctx
    gs = a * (ga - (ga * a).sum(axis=-1, keepdims=True)) / np.sqrt(d)
    gq = gs @ k
    gk = gs.transpose(0, 1, 3, 2) @ q
    gqkv = np.concatenate([_merge(gq), _merge(gk), _merge(gv)], axis=-1)
    grads["in_proj_weight"] = np.einsum("nlo,nli->oi", gqkv, x)
    if "in_proj_bias" in t:
        grads["in_proj_bias"] = gqkv.sum(axis=(0, 1))
    return gqkv @ t["in_proj_weight"], grads


def positional_forward(x: np.ndarray, table: np.ndarray) -> np.ndarray:
    return x + table[None, : x.shape[1]]


def positional_backward(gy: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    g = np.zeros(shape)
    g[: gy.shape[1]] = gy.sum(axis=0)
    return g


def sequence_cross_entropy(pred: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy over every position: pred (n, L, C) logits, y (n, L) class indices."""
    n, L, C = pred.shape
    z = pred.reshape(n * L, C)
    t = np.asarray(y).reshape(-1).astype(int)
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    g = np.exp(logp)
    g[np.arange(n * L), t] -= 1
    return float(-logp[np.arange(n * L), t].mean()), (g / (n * L)).reshape(pred.shape)
