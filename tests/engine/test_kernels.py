"""Kernel-level checks of the fast paths: per-code activation loops, float32 tanh, 2x2 max pooling."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnstudio.engine import reference as R
from nnstudio.engine.compiler import ACTIVATION_CODES
from nnstudio.engine.kernels.activations import (
    act_backward,
    act_backward_inplace,
    act_forward,
)
from nnstudio.engine.kernels.conv import pool_backward, pool_forward

SLOPES = {"leaky_relu": 0.01, "elu": 1.0}


@pytest.mark.parametrize("dtype, atol", [(np.float64, 1e-12), (np.float32, 3e-6)])
@pytest.mark.parametrize("name", sorted(ACTIVATION_CODES))
def test_every_activation_kernel_matches_the_reference(name, dtype, atol):
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(7, 13)) * 4).astype(dtype)
    x[0, :5] = [0.0, 1e-5, -1e-5, 25.0, -25.0]
    code, slope = ACTIVATION_CODES[name], SLOPES.get(name, 0.0)
    y = np.zeros_like(x)
    act_forward(x, y, code, slope)
    x64 = x.astype(np.float64)
    y_ref = R.act_forward(name, x64)
    np.testing.assert_allclose(y, y_ref, atol=atol, rtol=atol)

    gy = rng.normal(size=x.shape).astype(dtype)
    g_ref = R.act_backward(name, x64, y.astype(np.float64), gy.astype(np.float64))
    gx = np.full_like(x, 0.5)
    act_backward(x, y, gy, gx, code, slope, True)  # accumulates
    np.testing.assert_allclose(gx, g_ref + 0.5, atol=4 * atol, rtol=4 * atol)
    act_backward(x, y, gy, gx, code, slope, False)  # overwrites
    np.testing.assert_allclose(gx, g_ref, atol=4 * atol, rtol=4 * atol)
    g = gy.copy()
    act_backward_inplace(x, y, g, code, slope)
    np.testing.assert_allclose(g, gx, atol=0, rtol=0)


def test_float32_tanh_is_within_two_float32_ulps_everywhere():
    x = np.concatenate([np.linspace(-12, 12, 400_001), np.geomspace(1e-8, 1e-2, 2001),
                        -np.geomspace(1e-8, 1e-2, 2001), [0.0]]).astype(np.float32)[None, :]
    y = np.zeros_like(x)
    act_forward(x, y, ACTIVATION_CODES["tanh"], 0.0)
    exact = np.tanh(x.astype(np.float64))
    err = np.abs(y - exact) / np.maximum(np.abs(exact), np.finfo(np.float32).tiny)
    assert err.max() <= 2.5 * np.finfo(np.float32).eps
    assert np.all(np.abs(y) <= 1.0)
    assert np.all(np.diff(y[0, :400_001]) >= 0)  # monotone, like tanh


def _pool_reference(x, K, S):
    """Loops: the max of each window, and its gradient to the first maximum in row-major order."""
    n, C, H, W = x.shape
    OH, OW = (H - K) // S + 1, (W - K) // S + 1
    y = np.zeros((n, C, OH, OW), x.dtype)
    gy = np.arange(1, y.size + 1, dtype=x.dtype).reshape(y.shape)
    gx = np.zeros_like(x)
    for i in range(n):
        for c in range(C):
            for oh in range(OH):
                for ow in range(OW):
                    win = x[i, c, oh * S:oh * S + K, ow * S:ow * S + K]
                    y[i, c, oh, ow] = win.max()
                    a, b = np.unravel_index(np.argmax(win), win.shape)
                    gx[i, c, oh * S + a, ow * S + b] += gy[i, c, oh, ow]
    return y, gy, gx


@settings(max_examples=60, deadline=None)
@given(x=arrays(np.float32, st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(2, 7), st.integers(2, 7)),
                elements=st.integers(-2, 2).map(float)),
       window=st.sampled_from([(2, 2), (2, 1), (3, 2), (3, 3)]))
def test_max_pooling_matches_loops_even_with_ties(x, window):
    K, S = window
    if x.shape[2] < K or x.shape[3] < K:
        return
    y_ref, gy, gx_ref = _pool_reference(x, K, S)
    y = np.zeros_like(y_ref)
    pool_forward(x, y, K, S, True)
    np.testing.assert_array_equal(y, y_ref)
    gx = np.full_like(x, 7.0)
    pool_backward(x, gy, gx, K, S, True, False)
    np.testing.assert_array_equal(gx, gx_ref)
    pool_backward(x, gy, gx, K, S, True, True)
    np.testing.assert_array_equal(gx, 2 * gx_ref)
