"""Optimizer updates with PyTorch's formulas; regularizers; gradient-norm clipping.

Hyperparameters live in a float64 array ``hp`` (see ``HP_*``) so the learning
rate can change between any two steps without recompiling anything.
"""
from __future__ import annotations

import math

from numba import njit

SGD, MOMENTUM, NESTEROV, ADAM, RMSPROP = range(5)
HP_LR, HP_MOMENTUM, HP_BETA1, HP_BETA2, HP_EPS, HP_ALPHA, HP_WD, HP_L1, HP_CLIP, HP_KIND, HP_T = range(11)
HP_SIZE = 11


@njit(cache=True, nogil=True)
def update(p, g, s1, s2, hp, t):
    """One step for one parameter tensor (flat arrays); t is the 1-based step number."""
    lr = hp[HP_LR]
    wd = hp[HP_WD]
    l1 = hp[HP_L1]
    kind = int(hp[HP_KIND])
    mom = hp[HP_MOMENTUM]
    if kind == ADAM:
        b1 = hp[HP_BETA1]
        b2 = hp[HP_BETA2]
        bc1 = 1.0 - b1 ** t
        bc2 = 1.0 - b2 ** t
        step = lr / bc1
        sq = math.sqrt(bc2)
    for i in range(p.shape[0]):
        gi = g[i]
        if wd != 0.0:
            gi += wd * p[i]
        if l1 != 0.0:
            gi += l1 * (1.0 if p[i] > 0 else (-1.0 if p[i] < 0 else 0.0))
        if kind == SGD:
            p[i] -= lr * gi
        elif kind == MOMENTUM or kind == NESTEROV:
            b = mom * s1[i] + gi if t > 1 else gi
            s1[i] = b
            p[i] -= lr * (gi + mom * b if kind == NESTEROV else b)
        elif kind == ADAM:
            m = b1 * s1[i] + (1.0 - b1) * gi
            v = b2 * s2[i] + (1.0 - b2) * gi * gi
            s1[i] = m
            s2[i] = v
            p[i] -= step * m / (math.sqrt(v) / sq + hp[HP_EPS])
        else:
            a = hp[HP_ALPHA]
            v = a * s1[i] + (1.0 - a) * gi * gi
            s1[i] = v
            d = gi / (math.sqrt(v) + hp[HP_EPS])
            if mom > 0.0:
                b = mom * s2[i] + d
                s2[i] = b
                p[i] -= lr * b
            else:
                p[i] -= lr * d


@njit(cache=True, nogil=True)
def sum_squares(g):
    s = 0.0
    for i in range(g.shape[0]):
        s += g[i] * g[i]
    return s


@njit(cache=True, nogil=True)
def scale(g, factor):
    for i in range(g.shape[0]):
        g[i] *= factor
