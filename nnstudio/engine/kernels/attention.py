"""Multi-head self-attention (the part between the projections) and positional embeddings.

A MultiheadAttention node runs as three operations: the input projection
(a per-position Dense to queries, keys and values side by side, ``(L, 3E)``
per sample, as PyTorch's ``in_proj_weight``), the attention core here, and the
output projection (another per-position Dense). The core works per sample and
head on small contiguous copies of that head's queries, keys and values, so
its four matrix products are plain BLAS calls; the attention weights
``(heads, L, L)`` per sample stay in a buffer for the backward pass (and for
the attention view).
"""
from __future__ import annotations

import math

import numpy as np

from nnstudio.engine.kernels import kernel


def scratch_size(L: int, E: int, H: int) -> int:
    """Floats of scratch the core needs: seven (L, E/H) blocks and one (L, L) block."""
    d = E // H
    return 7 * L * d + L * L


@kernel
def _head(qkv, i, h, d, E, q, k, v):
    """Copy head h's queries, keys and values of sample i into the contiguous (L, d) blocks."""
    L = q.shape[0]
    for t in range(L):
        for j in range(d):
            q[t, j] = qkv[i, t, h * d + j]
            k[t, j] = qkv[i, t, E + h * d + j]
            v[t, j] = qkv[i, t, 2 * E + h * d + j]


@kernel
def attention_forward(qkv, ctx, att, scratch, H, causal):
    """ctx[i, :, head h] = softmax(q k^T / sqrt(d), masked) v for every sample i and head h.

    qkv (n, L, 3E), ctx (n, L, E), att (n, H, L, L) receives the attention weights;
    a causal mask lets position t attend to positions 0..t only.
    """
    n, L, E3 = qkv.shape
    E = E3 // 3
    d = E // H
    scale = 1.0 / math.sqrt(d)
    blk = L * d
    q = scratch[:blk].reshape((L, d))
    k = scratch[blk:2 * blk].reshape((L, d))
    v = scratch[2 * blk:3 * blk].reshape((L, d))
    c = scratch[3 * blk:4 * blk].reshape((L, d))
    for i in range(n):
        for h in range(H):
            _head(qkv, i, h, d, E, q, k, v)
            a = att[i, h]
            np.dot(q, k.T, a)
            for t in range(L):
                last = t + 1 if causal else L
                m = a[t, 0] * scale
                for j in range(1, last):
                    if a[t, j] * scale > m:
                        m = a[t, j] * scale
                s = 0.0
                for j in range(last):  # minus the row's largest score: exp never overflows
                    e = math.exp(a[t, j] * scale - m)
                    a[t, j] = e
                    s += e
                inv = 1.0 / s
                for j in range(last):
                    a[t, j] *= inv
                for j in range(last, L):
                    a[t, j] = 0.0
            np.dot(a, v, c)
            for t in range(L):
                for j in range(d):
                    ctx[i, t, h * d + j] = c[t, j]


@kernel
def attention_backward(qkv, att, gctx, gqkv, scratch, H, acc):
    """Gradients of the core: from d loss / d ctx to d loss / d (q, k, v); ``acc`` adds to gqkv."""
    n, L, E3 = qkv.shape
    E = E3 // 3
    d = E // H
    scale = 1.0 / math.sqrt(d)
    blk = L * d
    q = scratch[:blk].reshape((L, d))
    k = scratch[blk:2 * blk].reshape((L, d))
    v = scratch[2 * blk:3 * blk].reshape((L, d))
    gc = scratch[3 * blk:4 * blk].reshape((L, d))
    gq = scratch[4 * blk:5 * blk].reshape((L, d))
    gk = scratch[5 * blk:6 * blk].reshape((L, d))
    gv = scratch[6 * blk:7 * blk].reshape((L, d))
    ga = scratch[7 * blk:7 * blk + L * L].reshape((L, L))
    for i in range(n):
        for h in range(H):
            _head(qkv, i, h, d, E, q, k, v)
            a = att[i, h]
            for t in range(L):
                for j in range(d):
                    gc[t, j] = gctx[i, t, h * d + j]
            np.dot(gc, v.T, ga)  # d loss / d weights
            np.dot(a.T, gc, gv)
            for t in range(L):  # through the softmax (masked weights are 0 and stay 0), then the scale
                s = 0.0
                for j in range(L):
                    s += ga[t, j] * a[t, j]
                for j in range(L):
                    ga[t, j] = a[t, j] * (ga[t, j] - s) * scale
            np.dot(ga, k, gq)
            np.dot(ga.T, q, gk)
            for t in range(L):
                for j in range(d):
                    col = h * d + j
                    if acc:
                        gqkv[i, t, col] += gq[t, j]
                        gqkv[i, t, E + col] += gk[t, j]
                        gqkv[i, t, 2 * E + col] += gv[t, j]
                    else:
                        gqkv[i, t, col] = gq[t, j]
                        gqkv[i, t, E + col] = gk[t, j]
                        gqkv[i, t, 2 * E + col] = gv[t, j]


@kernel
def positional_forward(x, table, y):
    """y = x + table[:L]: x, y (n, L*D); the table's first L*D values, row-major (L, D)."""
    n, f = x.shape
    for i in range(n):
        for j in range(f):
            y[i, j] = x[i, j] + table[j]


@kernel
def positional_backward(gy, gx, gtable, want_gx, want_gtable, acc):
    """gx (+)= gy; the table's gradient sums over the batch (positions past L get none)."""
    n, f = gy.shape
    if want_gtable:
        gtable[:] = 0.0
        for i in range(n):
            for j in range(f):
                gtable[j] += gy[i, j]
    if want_gx:
        for i in range(n):
            for j in range(f):
                if acc:
                    gx[i, j] += gy[i, j]
                else:
                    gx[i, j] = gy[i, j]


def sinusoidal_table(max_len: int, dim: int) -> np.ndarray:
    """The fixed table of "Attention is all you need": sin at even, cos at odd columns."""
    pos = np.arange(max_len, dtype=np.float64)[:, None]
    freq = np.exp(-math.log(10000.0) * np.arange(0, dim, 2, dtype=np.float64) / dim)
    table = np.zeros((max_len, dim))
    table[:, 0::2] = np.sin(pos * freq)
    table[:, 1::2] = np.cos(pos * freq)
    return table
