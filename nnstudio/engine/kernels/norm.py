"""BatchNorm (per channel over batch and space) and LayerNorm (per sample)."""
from __future__ import annotations

import math

from nnstudio.engine.kernels import kernel


@kernel
def batchnorm_forward(x, y, w, b, rmean, rvar, xhat, invstd, eps, momentum, train):
    """x, y, xhat: (n, C, S) with S = height*width (1 for flat features)."""
    n, C, S = x.shape
    m = n * S
    for c in range(C):
        if train:
            s = 0.0
            for i in range(n):
                for k in range(S):
                    s += x[i, c, k]
            mean = s / m
            v = 0.0
            for i in range(n):
                for k in range(S):
                    d = x[i, c, k] - mean
                    v += d * d
            var = v / m
            rmean[c] = (1.0 - momentum) * rmean[c] + momentum * mean
            unbiased = var * m / (m - 1) if m > 1 else var
            rvar[c] = (1.0 - momentum) * rvar[c] + momentum * unbiased
        else:
            mean = rmean[c]
            var = rvar[c]
        inv = 1.0 / math.sqrt(var + eps)
        invstd[c] = inv
        for i in range(n):
            for k in range(S):
                h = (x[i, c, k] - mean) * inv
                xhat[i, c, k] = h
                y[i, c, k] = h * w[c] + b[c]


@kernel
def batchnorm_backward(gy, w, xhat, invstd, gx, gw, gb, want_gx, acc):
    n, C, S = gy.shape
    m = n * S
    for c in range(C):
        sg = 0.0
        sgx = 0.0
        for i in range(n):
            for k in range(S):
                sg += gy[i, c, k]
                sgx += gy[i, c, k] * xhat[i, c, k]
        gw[c] = sgx
        gb[c] = sg
        if want_gx:
            scale = w[c] * invstd[c] / m
            for i in range(n):
                for k in range(S):
                    g = scale * (m * gy[i, c, k] - sg - xhat[i, c, k] * sgx)
                    if acc:
                        gx[i, c, k] += g
                    else:
                        gx[i, c, k] = g


@kernel
def layernorm_forward(x, y, w, b, xhat, invstd, eps):
    """x, y, xhat: (n, F); w, b: (F,); invstd: (n,)."""
    n, F = x.shape
    for i in range(n):
        s = 0.0
        for j in range(F):
            s += x[i, j]
        mean = s / F
        v = 0.0
        for j in range(F):
            d = x[i, j] - mean
            v += d * d
        inv = 1.0 / math.sqrt(v / F + eps)
        invstd[i] = inv
        for j in range(F):
            h = (x[i, j] - mean) * inv
            xhat[i, j] = h
            y[i, j] = h * w[j] + b[j]


@kernel
def layernorm_backward(gy, w, xhat, invstd, gx, gw, gb, want_gx, acc):
    n, F = gy.shape
    for j in range(F):
        sw = 0.0
        sb = 0.0
        for i in range(n):
            sw += gy[i, j] * xhat[i, j]
            sb += gy[i, j]
        gw[j] = sw
        gb[j] = sb
    if not want_gx:
        return
    for i in range(n):
        s1 = 0.0
        s2 = 0.0
        for j in range(F):
            gh = gy[i, j] * w[j]
            s1 += gh
            s2 += gh * xhat[i, j]
        for j in range(F):
            gh = gy[i, j] * w[j]
            g = invstd[i] / F * (F * gh - s1 - xhat[i, j] * s2)
            if acc:
                gx[i, j] += g
            else:
                gx[i, j] = g
