"""Wiring kernels (gather/scatter, add), Dropout and Embedding."""
from __future__ import annotations

import numpy as np

from nnstudio.engine.kernels import kernel


@kernel
def gather_forward(src, out, col, ncols, n):
    """Copy columns [.., col:col+ncols] of src (n, w) into out[:, :ncols] (both given as views)."""
    for i in range(n):
        for j in range(ncols):
            out[i, j] = src[i, col + j]


@kernel
def gather_backward(gsrc, gout, col, ncols, n):
    """Add the gradient of a gathered block back into its source's gradient."""
    for i in range(n):
        for j in range(ncols):
            gsrc[i, col + j] += gout[i, j]


@kernel
def dropout_forward(x, y, mask, p, train):
    """Inverted dropout: keep with probability 1-p and scale by 1/(1-p); identity in eval."""
    n = x.shape[0]
    if not train or p <= 0.0:
        for i in range(n):
            y[i] = x[i]
            mask[i] = 1.0
        return
    scale = 1.0 / (1.0 - p)
    for i in range(n):
        keep = scale if np.random.random() >= p else 0.0
        mask[i] = keep
        y[i] = x[i] * keep


@kernel
def dropout_backward(gy, mask, gx, acc):
    for i in range(gy.shape[0]):
        g = gy[i] * mask[i]
        if acc:
            gx[i] += g
        else:
            gx[i] = g


@kernel
def embedding_forward(tokens, w, y):
    """tokens (n, L) as floats, w (V, D), y (n, L, D). Out-of-range tokens were refused before."""
    n, L = tokens.shape
    V, D = w.shape
    for i in range(n):
        for t in range(L):
            v = int(tokens[i, t])
            v = min(max(v, 0), V - 1)
            for d in range(D):
                y[i, t, d] = w[v, d]


@kernel
def embedding_backward(tokens, gy, gw):
    n, L = tokens.shape
    V, D = gw.shape
    gw[:, :] = 0.0
    for i in range(n):
        for t in range(L):
            v = min(max(int(tokens[i, t]), 0), V - 1)
            for d in range(D):
                gw[v, d] += gy[i, t, d]
