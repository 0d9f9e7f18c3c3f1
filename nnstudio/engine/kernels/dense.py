"""Dense (fully connected) layers and hand-wired neuron groups."""
from __future__ import annotations

import numpy as np

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.activations import act_backward_inplace, act_forward

# Below this many multiply-adds a plain loop beats a BLAS call's overhead.
SMALL = 4096


@kernel
def dense_forward(x, w, b, y, has_bias):
    """y = x @ w.T + b with x (n, fin), w (fout, fin), y (n, fout)."""
    n, fin = x.shape
    fout = w.shape[0]
    if n * fin * fout <= SMALL:
        for i in range(n):
            for o in range(fout):
                s = b[o] if has_bias else 0.0
                for k in range(fin):
                    s += x[i, k] * w[o, k]
                y[i, o] = s
        return
    np.dot(x, w.T, y)
    if has_bias:
        for i in range(n):
            for o in range(fout):
                y[i, o] += b[o]


@kernel
def dense_backward(x, w, gy, gx, gw, gb, scratch, want_gx, want_gw, has_bias, acc):
    """Gradients of y = x @ w.T + b: gw = gy.T @ x, gb = sum(gy), gx (+)= gy @ w."""
    n, fin = x.shape
    fout = w.shape[0]
    small = n * fin * fout <= SMALL
    if want_gw:
        if small:
            for o in range(fout):
                for k in range(fin):
                    s = 0.0
                    for i in range(n):
                        s += gy[i, o] * x[i, k]
                    gw[o, k] = s
        else:
            np.dot(gy.T, x, gw)
        if has_bias:
            for o in range(fout):
                s = 0.0
                for i in range(n):
                    s += gy[i, o]
                gb[o] = s
    if want_gx:
        if small:
            for i in range(n):
                for k in range(fin):
                    s = 0.0
                    for o in range(fout):
                        s += gy[i, o] * w[o, k]
                    if acc:
                        gx[i, k] += s
                    else:
                        gx[i, k] = s
        elif acc:
            np.dot(gy, w, scratch)
            gx += scratch
        else:
            np.dot(gy, w, gx)


@kernel
def neurons_forward(u, w, b, idx, off, z, a, act, slope):
    """A group of hand-wired neurons: unit j sees columns idx[off[j]:off[j+1]] of u.

    Weights are packed (unit j's weights are w[off[j]:off[j+1]]), so the
    group is one masked dense operation however the units are wired.
    """
    n = u.shape[0]
    k = b.shape[0]
    for i in range(n):
        for j in range(k):
            s = b[j]
            for t in range(off[j], off[j + 1]):
                s += u[i, idx[t]] * w[t]
            z[i, j] = s
    act_forward(z, a, act, slope)


@kernel
def neurons_backward(u, w, idx, off, z, a, ga, gz, gu, gw, gb, act, slope, want_gu, want_gw, acc):
    n = u.shape[0]
    k = gb.shape[0]
    gz[:, :] = ga
    act_backward_inplace(z, a, gz, act, slope)
    if want_gw:
        for j in range(k):
            s = 0.0
            for i in range(n):
                s += gz[i, j]
            gb[j] = s
            for t in range(off[j], off[j + 1]):
                s = 0.0
                for i in range(n):
                    s += gz[i, j] * u[i, idx[t]]
                gw[t] = s
    if want_gu:
        if not acc:
            gu[:, :] = 0.0
        for i in range(n):
            for j in range(k):
                g = gz[i, j]
                for t in range(off[j], off[j + 1]):
                    gu[i, idx[t]] += g * w[t]
