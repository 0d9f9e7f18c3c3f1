"""Activation functions and their derivatives, on (n, features) arrays.

Codes follow :data:`nnstudio.graph.kinds.ACTIVATIONS`' order (see
:data:`nnstudio.engine.ops.ACTIVATION_CODES`). ``slope`` is the leaky-ReLU
slope or the ELU alpha. Softmax works per row.
"""
from __future__ import annotations

import math

from nnstudio.engine.kernels import kernel

LINEAR, RELU, LEAKY_RELU, ELU, GELU, SIGMOID, TANH, SOFTPLUS, SWISH, SOFTMAX = range(10)
TANH_FAST = 100  # internal: tanh of float32 data through a rational approximation
INV_SQRT2 = 0.7071067811865476
INV_SQRT2PI = 0.3989422804014327


@kernel(inline="always")
def _sigmoid(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


@kernel(inline="always")
def _tanh_fast(v):
    """Eigen's float32 tanh (a 13/6 rational function, within a few float32 ulp; the same
    coefficients PyTorch's CPU kernels use through Eigen/MLAS). Plain arithmetic vectorizes,
    where a libm call per element cost ~15 ns."""
    x = min(max(v, -7.90531110763549805), 7.90531110763549805)
    x2 = x * x
    p = x2 * -2.76076847742355e-16 + 2.00018790482477e-13
    p = x2 * p + -8.60467152213735e-11
    p = x2 * p + 5.12229709037114e-08
    p = x2 * p + 1.48572235717979e-05
    p = x2 * p + 6.37261928875436e-04
    p = x2 * p + 4.89352455891786e-03
    q = x2 * 1.19825839466702e-06 + 1.18534705686654e-04
    q = x2 * q + 2.26843463243900e-03
    q = x2 * q + 4.89352518554385e-03
    return v if abs(v) < 0.0004 else x * p / q


@kernel(inline="always")
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
    if code == TANH_FAST:
        return _tanh_fast(v)
    if code == SOFTPLUS:
        return v if v > 20.0 else math.log1p(math.exp(v))
    if code == SWISH:
        return v * _sigmoid(v)
    return v


@kernel(inline="always")
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


# The loops below call the scalar functions with the code as a constant (one loop per
# code, inlined), so LLVM folds the branch away and vectorizes each loop; a branch on a
# runtime code inside the loop made ReLU about 40x slower.


@kernel(inline="always")
def _map(x, y, code, slope):
    n, f = x.shape
    for i in range(n):
        for j in range(f):
            y[i, j] = _scalar(x[i, j], code, slope)


@kernel(inline="always")
def _grad(x, y, gy, gx, code, slope):
    """gx = gy * f'(x); gx may be gy itself."""
    n, f = x.shape
    for i in range(n):
        for j in range(f):
            gx[i, j] = gy[i, j] * _derivative(x[i, j], y[i, j], code, slope)


@kernel
def _grad_add(x, y, gy, gx, code, slope):
    """gx += gy * f'(x): one loop for every code - adding into an input gradient happens only
    where a value feeds several layers, and a specialized copy per code costs compile time."""
    n, f = x.shape
    for i in range(n):
        for j in range(f):
            gx[i, j] += gy[i, j] * _derivative(x[i, j], y[i, j], code, slope)


@kernel
def _softmax_forward(x, y):
    n, f = x.shape
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


@kernel
def _softmax_backward(y, gy, gx, acc):
    n, f = y.shape
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


@kernel
def act_forward(x, y, code, slope):
    if code == SOFTMAX:
        _softmax_forward(x, y)
    elif code == RELU:
        _map(x, y, RELU, slope)
    elif code == LEAKY_RELU:
        _map(x, y, LEAKY_RELU, slope)
    elif code == ELU:
        _map(x, y, ELU, slope)
    elif code == GELU:
        _map(x, y, GELU, slope)
    elif code == SIGMOID:
        _map(x, y, SIGMOID, slope)
    elif code == TANH and x.itemsize == 4:
        _map(x, y, TANH_FAST, slope)
    elif code == TANH:
        _map(x, y, TANH, slope)
    elif code == SOFTPLUS:
        _map(x, y, SOFTPLUS, slope)
    elif code == SWISH:
        _map(x, y, SWISH, slope)
    else:
        _map(x, y, LINEAR, slope)


@kernel
def _backward_set(x, y, gy, gx, code, slope):
    if code == SOFTMAX:
        _softmax_backward(y, gy, gx, False)
    elif code == RELU:
        _grad(x, y, gy, gx, RELU, slope)
    elif code == LEAKY_RELU:
        _grad(x, y, gy, gx, LEAKY_RELU, slope)
    elif code == ELU:
        _grad(x, y, gy, gx, ELU, slope)
    elif code == GELU:
        _grad(x, y, gy, gx, GELU, slope)
    elif code == SIGMOID:
        _grad(x, y, gy, gx, SIGMOID, slope)
    elif code == TANH:
        _grad(x, y, gy, gx, TANH, slope)
    elif code == SOFTPLUS:
        _grad(x, y, gy, gx, SOFTPLUS, slope)
    elif code == SWISH:
        _grad(x, y, gy, gx, SWISH, slope)
    else:
        _grad(x, y, gy, gx, LINEAR, slope)


@kernel
def act_backward(x, y, gy, gx, code, slope, acc):
    """gx (+)= d loss / d x from gy = d loss / d y."""
    if not acc:
        _backward_set(x, y, gy, gx, code, slope)
    elif code == SOFTMAX:
        _softmax_backward(y, gy, gx, True)
    else:
        _grad_add(x, y, gy, gx, code, slope)


@kernel
def act_backward_inplace(x, y, g, code, slope):
    """g holds d loss / d y on entry and d loss / d x on exit."""
    _backward_set(x, y, g, g, code, slope)


@kernel
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


