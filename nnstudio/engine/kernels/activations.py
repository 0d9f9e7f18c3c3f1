"""Activation functions and their derivatives, on (n, features) arrays.

Codes follow :data:`nnstudio.graph.kinds.ACTIVATIONS`' order (see
:data:`nnstudio.engine.ops.ACTIVATION_CODES`). ``slope`` is the leaky-ReLU
slope or the ELU alpha. Softmax works per row.
"""
from __future__ import annotations

import math

from numba import njit

LINEAR, RELU, LEAKY_RELU, ELU, GELU, SIGMOID, TANH, SOFTPLUS, SWISH, SOFTMAX = range(10)
INV_SQRT2 = 0.7071067811865476
INV_SQRT2PI = 0.3989422804014327


@njit(cache=True, nogil=True, inline="always")
def _sigmoid(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


@njit(cache=True, nogil=True, inline="always")
def _scalar(v, code, slope):
    if code == RELU:
        return v if v > 0 else 0.0
    if code == LEAKY_RELU:
        return v if v > 0 else slope * v
    if code == ELU:
        return v if v > 0 else slope * (math.exp(v) - 1.0)
    if code == GELU:
        return 0.5 * v * (1.0 + math.erf(v * INV_SQRT2))
    if code == SIGMOID:
        return _sigmoid(v)
    if code == TANH:
        return math.tanh(v)
    if code == SOFTPLUS:
        return v if v > 20.0 else math.log1p(math.exp(v))
    if code == SWISH:
        return v * _sigmoid(v)
    return v


@njit(cache=True, nogil=True, inline="always")
def _derivative(v, out, code, slope):
    """d out / d v, given the input v and the output out."""
    if code == RELU:
        return 1.0 if v > 0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if v > 0 else slope
    if code == ELU:
        return 1.0 if v > 0 else out + slope
    if code == GELU:
        return 0.5 * (1.0 + math.erf(v * INV_SQRT2)) + v * INV_SQRT2PI * math.exp(-0.5 * v * v)
    if code == SIGMOID:
        return out * (1.0 - out)
    if code == TANH:
        return 1.0 - out * out
    if code == SOFTPLUS:
        return 1.0 if v > 20.0 else _sigmoid(v)
    if code == SWISH:
        s = _sigmoid(v)
        return s + v * s * (1.0 - s)
    return 1.0


@njit(cache=True, nogil=True)
def act_forward(x, y, code, slope):
    n, f = x.shape
    if code == SOFTMAX:
        for i in range(n):
            m = x[i, 0]
            for j in range(1, f):
                if x[i, j] > m:
                    m = x[i, j]
            s = 0.0
            for j in range(f):
                e = math.exp(x[i, j] - m)
                y[i, j] = e
                s += e
            for j in range(f):
                y[i, j] /= s
        return
    for i in range(n):
        for j in range(f):
            y[i, j] = _scalar(x[i, j], code, slope)


@njit(cache=True, nogil=True)
def act_backward(x, y, gy, gx, code, slope, acc):
    n, f = x.shape
    if code == SOFTMAX:
        for i in range(n):
            dot = 0.0
            for j in range(f):
                dot += gy[i, j] * y[i, j]
            for j in range(f):
                g = y[i, j] * (gy[i, j] - dot)
                if acc:
                    gx[i, j] += g
                else:
                    gx[i, j] = g
        return
    for i in range(n):
        for j in range(f):
            g = gy[i, j] * _derivative(x[i, j], y[i, j], code, slope)
            if acc:
                gx[i, j] += g
            else:
                gx[i, j] = g


@njit(cache=True, nogil=True)
def act_backward_inplace(x, y, g, code, slope):
    """g holds d loss / d y on entry and d loss / d x on exit."""
    n, f = x.shape
    if code == SOFTMAX:
        for i in range(n):
            dot = 0.0
            for j in range(f):
                dot += g[i, j] * y[i, j]
            for j in range(f):
                g[i, j] = y[i, j] * (g[i, j] - dot)
        return
    for i in range(n):
        for j in range(f):
            g[i, j] *= _derivative(x[i, j], y[i, j], code, slope)


@njit(cache=True, nogil=True)
def activation_stats(a, code):
    """(mean, std, fraction dead or saturated) of an activation array (n, f).

    Dead: a ReLU-family unit that is zero for every sample of the batch.
    Saturated: sigmoid/tanh outputs within 2% of their limits.
    """
    n, f = a.shape
    s = 0.0
    s2 = 0.0
    for i in range(n):
        for j in range(f):
            s += a[i, j]
            s2 += a[i, j] * a[i, j]
    m = s / max(1, n * f)
    var = max(0.0, s2 / max(1, n * f) - m * m)
    frac = 0.0
    if code == RELU:
        dead = 0
        for j in range(f):
            alive = False
            for i in range(n):
                if a[i, j] > 0:
                    alive = True
                    break
            if not alive:
                dead += 1
        frac = dead / max(1, f)
    elif code == SIGMOID or code == TANH:
        lo = 0.02 if code == SIGMOID else -0.98
        hi = 0.98
        sat = 0
        for i in range(n):
            for j in range(f):
                if a[i, j] <= lo or a[i, j] >= hi:
                    sat += 1
        frac = sat / max(1, n * f)
    return m, math.sqrt(var), frac


