"""Losses with their gradient, mean-reduced as PyTorch's defaults.

Codes: 0 mse, 1 mae, 2 bce (with logits), 3 cross_entropy (logits and
class-index targets stored as floats in column 0 of ``y``).
"""
from __future__ import annotations

import math

from nnstudio.engine.kernels import kernel

MSE, MAE, BCE, CROSS_ENTROPY = range(4)


@kernel
def loss_and_grad(pred, y, grad, code, want_grad):
    """Mean loss of ``pred`` (n, k) against ``y``; writes d loss / d pred into ``grad``."""
    n, k = pred.shape
    total = 0.0
    if code == CROSS_ENTROPY:
        for i in range(n):
            t = int(y[i, 0])
            m = pred[i, 0]
            for j in range(1, k):
                if pred[i, j] > m:
                    m = pred[i, j]
            s = 0.0
            for j in range(k):
                s += math.exp(pred[i, j] - m)
            lse = m + math.log(s)
            total += lse - pred[i, t]
            if want_grad:
                for j in range(k):
                    p = math.exp(pred[i, j] - lse)
                    grad[i, j] = (p - (1.0 if j == t else 0.0)) / n
        return total / n
    count = n * k
    for i in range(n):
        for j in range(k):
            z = pred[i, j]
            d = z - y[i, j]
            if code == MSE:
                total += d * d
                g = 2.0 * d
            elif code == MAE:
                total += abs(d)
                g = 1.0 if d > 0 else (-1.0 if d < 0 else 0.0)
            else:
                total += max(z, 0.0) - z * y[i, j] + math.log1p(math.exp(-abs(z)))
                if z >= 0:
                    s = 1.0 / (1.0 + math.exp(-z))
                else:
                    e = math.exp(z)
                    s = e / (1.0 + e)
                g = s - y[i, j]
            if want_grad:
                grad[i, j] = g / count
    return total / count
