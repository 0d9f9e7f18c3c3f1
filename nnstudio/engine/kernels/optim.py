"""Optimizer updates with PyTorch's formulas; regularizers; gradient-norm clipping.

Hyperparameters live in a float64 array ``hp`` (see ``HP_*``) so the learning
rate can change between any two steps without recompiling anything.
"""
from __future__ import annotations

import math

import numpy as np

from nnstudio.engine.kernels import kernel

SGD, MOMENTUM, NESTEROV, ADAM, RMSPROP = range(5)
HP_LR, HP_MOMENTUM, HP_BETA1, HP_BETA2, HP_EPS, HP_ALPHA, HP_WD, HP_L1, HP_CLIP, HP_KIND, HP_T = range(11)
HP_SIZE = 11


@kernel
def update(p, g, s1, s2, hp, t):
    """One step for one parameter tensor (flat arrays); t is the 1-based step number.

    Each optimizer has its own loop with no branches inside, in the parameters' own precision
    (float32 unless a float64 plan): that is what lets the compiler vectorize it, and it is how
    PyTorch computes the step too.
    """
    f = p.dtype.type
    kind = int(hp[HP_KIND])
    lr, wd, l1, mom, eps = f(hp[HP_LR]), f(hp[HP_WD]), f(hp[HP_L1]), f(hp[HP_MOMENTUM]), f(hp[HP_EPS])
    if kind == ADAM:
        b1, b2 = hp[HP_BETA1], hp[HP_BETA2]
        step = f(hp[HP_LR] / (1.0 - b1 ** t))
        inv_sq = f(1.0 / math.sqrt(1.0 - b2 ** t))
        _adam(p, g, s1, s2, f(b1), f(1.0 - b1), f(b2), f(1.0 - b2), eps, wd, l1, step, inv_sq)
    elif kind == SGD:
        for i in range(p.shape[0]):
            pi = p[i]
            p[i] = pi - lr * (g[i] + wd * pi + l1 * np.sign(pi))
    elif kind == MOMENTUM or kind == NESTEROV:
        keep = mom if t > 1 else f(0.0)  # the first step starts the buffer at the gradient
        nesterov = f(1.0) if kind == NESTEROV else f(0.0)
        for i in range(p.shape[0]):
            pi = p[i]
            gi = g[i] + wd * pi + l1 * np.sign(pi)
            b = keep * s1[i] + gi
            s1[i] = b
            p[i] = pi - lr * (nesterov * (gi + mom * b) + (f(1.0) - nesterov) * b)
    else:
        a = f(hp[HP_ALPHA])
        for i in range(p.shape[0]):
            pi = p[i]
            gi = g[i] + wd * pi + l1 * np.sign(pi)
            v = a * s1[i] + (f(1.0) - a) * gi * gi
            s1[i] = v
            d = gi / (np.sqrt(v) + eps)
            if mom > 0.0:  # PyTorch keeps no momentum buffer without momentum
                d += mom * s2[i]
                s2[i] = d
            p[i] = pi - lr * d


@kernel
def _adam(p, g, m, v, b1, c1, b2, c2, eps, wd, l1, step, inv_sq):
    for i in range(p.shape[0]):
        pi = p[i]
        gi = g[i] + wd * pi + l1 * np.sign(pi)
        mi = b1 * m[i] + c1 * gi
        vi = b2 * v[i] + c2 * gi * gi
        m[i] = mi
        v[i] = vi
        p[i] = pi - step * mi / (np.sqrt(vi) * inv_sq + eps)


@kernel
def sum_squares(g):
    s = 0.0
    for i in range(g.shape[0]):
        s += g[i] * g[i]
    return s


@kernel
def scale(g, factor):
    for i in range(g.shape[0]):
        g[i] *= factor
