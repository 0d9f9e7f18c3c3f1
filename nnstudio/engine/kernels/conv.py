"""Conv2D (im2col + BLAS per sample) and 2-D max/average pooling, NCHW."""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def im2col(x, col, K, S, P, OH, OW):
    """x (C, H, W) -> col (C*K*K, OH*OW); zero padding P, stride S."""
    C, H, W = x.shape
    for c in range(C):
        for ki in range(K):
            for kj in range(K):
                row = (c * K + ki) * K + kj
                for oh in range(OH):
                    ih = oh * S + ki - P
                    base = oh * OW
                    if ih < 0 or ih >= H:
                        for ow in range(OW):
                            col[row, base + ow] = 0.0
                        continue
                    for ow in range(OW):
                        iw = ow * S + kj - P
                        col[row, base + ow] = x[c, ih, iw] if 0 <= iw < W else 0.0


@njit(cache=True, nogil=True)
def col2im_add(col, gx, K, S, P, OH, OW):
    """Scatter-add col (C*K*K, OH*OW) back into gx (C, H, W)."""
    C, H, W = gx.shape
    for c in range(C):
        for ki in range(K):
            for kj in range(K):
                row = (c * K + ki) * K + kj
                for oh in range(OH):
                    ih = oh * S + ki - P
                    if ih < 0 or ih >= H:
                        continue
                    base = oh * OW
                    for ow in range(OW):
                        iw = ow * S + kj - P
                        if 0 <= iw < W:
                            gx[c, ih, iw] += col[row, base + ow]


@njit(cache=True, nogil=True)
def conv_forward(x, w2, b, y, col, K, S, P, OH, OW, has_bias):
    """x (n, C, H, W); w2 (O, C*K*K); y (n, O, OH*OW); col scratch (C*K*K, OH*OW)."""
    n = x.shape[0]
    O = w2.shape[0]
    for i in range(n):
        im2col(x[i], col, K, S, P, OH, OW)
        np.dot(w2, col, y[i])
        if has_bias:
            for o in range(O):
                for t in range(OH * OW):
                    y[i, o, t] += b[o]


@njit(cache=True, nogil=True)
def conv_backward(x, w2, gy, gx, gw2, gb, col, gcol, gw_tmp, K, S, P, OH, OW, want_gx, want_gw, has_bias, acc):
    n = x.shape[0]
    O = w2.shape[0]
    if want_gw:
        gw2[:, :] = 0.0
        if has_bias:
            for o in range(O):
                s = 0.0
                for i in range(n):
                    for t in range(OH * OW):
                        s += gy[i, o, t]
                gb[o] = s
    if want_gx and not acc:
        gx[:, :, :, :] = 0.0
    for i in range(n):
        if want_gw:
            im2col(x[i], col, K, S, P, OH, OW)
            np.dot(gy[i], col.T, gw_tmp)
            gw2 += gw_tmp
        if want_gx:
            np.dot(w2.T, gy[i], gcol)
            col2im_add(gcol, gx[i], K, S, P, OH, OW)


@njit(cache=True, nogil=True)
def pool_forward(x, y, K, S, is_max):
    """x (n, C, H, W) -> y (n, C, OH, OW); windows K x K, stride S, no padding."""
    n, C, H, W = x.shape
    OH, OW = y.shape[2], y.shape[3]
    inv = 1.0 / (K * K)
    for i in range(n):
        for c in range(C):
            for oh in range(OH):
                for ow in range(OW):
                    h0 = oh * S
                    w0 = ow * S
                    if is_max:
                        m = x[i, c, h0, w0]
                        for a in range(K):
                            for bb in range(K):
                                v = x[i, c, h0 + a, w0 + bb]
                                if v > m:
                                    m = v
                        y[i, c, oh, ow] = m
                    else:
                        s = 0.0
                        for a in range(K):
                            for bb in range(K):
                                s += x[i, c, h0 + a, w0 + bb]
                        y[i, c, oh, ow] = s * inv


@njit(cache=True, nogil=True)
def pool_backward(x, gy, gx, K, S, is_max, acc):
    """Max: the gradient goes to the first maximum of each window (as PyTorch); avg: spread evenly."""
    n, C, H, W = x.shape
    OH, OW = gy.shape[2], gy.shape[3]
    if not acc:
        gx[:, :, :, :] = 0.0
    inv = 1.0 / (K * K)
    for i in range(n):
        for c in range(C):
            for oh in range(OH):
                for ow in range(OW):
                    h0 = oh * S
                    w0 = ow * S
                    g = gy[i, c, oh, ow]
                    if is_max:
                        bh = h0
                        bw = w0
                        m = x[i, c, h0, w0]
                        for a in range(K):
                            for bb in range(K):
                                v = x[i, c, h0 + a, w0 + bb]
                                if v > m:
                                    m = v
                                    bh = h0 + a
                                    bw = w0 + bb
                        gx[i, c, bh, bw] += g
                    else:
                        for a in range(K):
                            for bb in range(K):
                                gx[i, c, h0 + a, w0 + bb] += g * inv
