"""The conv kernels' paths against a plain-numpy convolution: the 1x1 fast path, borders where
padding or stride leave columns out, chunks, accumulation; and the BLAS thread hold."""
from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from nnstudio.engine import set_threads
from nnstudio.engine.kernels import conv as kc
from nnstudio.engine.kernels import blas_threads
from nnstudio.engine.threads import use_in_this_thread


def _out(H, K, S, P):
    return (H + 2 * P - K) // S + 1


def reference_conv(x, w, b, S, P):
    """y[n, o, i, j] = b[o] + sum over c, a, d of w[o, c, a, d] * xpad[n, c, i*S + a, j*S + d]."""
    n, C, H, W = x.shape
    O, _, K, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
    OH, OW = _out(H, K, S, P), _out(W, K, S, P)
    y = np.zeros((n, O, OH, OW))
    for a in range(K):
        for d in range(K):
            patch = xp[:, :, a:a + S * OH:S, d:d + S * OW:S]
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, a, d])
    return y + b[None, :, None, None]


def reference_grads(x, w, gy, S, P):
    """Gradients of sum(y * gy) by the chain rule through the padded input, in float64."""
    n, C, H, W = x.shape
    O, _, K, _ = w.shape
    OH, OW = gy.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
    gxp = np.zeros_like(xp)
    gw = np.zeros_like(w)
    for a in range(K):
        for d in range(K):
            patch = xp[:, :, a:a + S * OH:S, d:d + S * OW:S]
            gw[:, :, a, d] = np.einsum("nchw,nohw->oc", patch, gy)
            gxp[:, :, a:a + S * OH:S, d:d + S * OW:S] += np.einsum("nohw,oc->nchw", gy, w[:, :, a, d])
    return gxp[:, :, P:P + H, P:P + W], gw, gy.sum(axis=(0, 2, 3))


# (n, C, H, W, O, K, S, P): 1x1 fast path; padding wider than the kernel reach; stride with borders;
# a kernel as wide as the padded input; stride larger than the kernel (input columns never read)
SHAPES = [
    (5, 3, 6, 5, 4, 1, 1, 0),
    (4, 2, 5, 7, 3, 3, 1, 2),
    (5, 2, 9, 7, 3, 3, 2, 1),
    (3, 1, 5, 5, 2, 5, 1, 2),
    (3, 2, 7, 8, 2, 2, 3, 0),
    (4, 2, 6, 6, 3, 1, 2, 1),
    # from HWC_MIN_CHANNELS input channels on: the channel-last rows (the same border cases, and a
    # 1x1 kernel with stride, which is not the pointwise path)
    (3, 8, 6, 5, 4, 3, 1, 1),
    (4, 9, 5, 7, 3, 3, 1, 2),
    (5, 8, 9, 7, 3, 3, 2, 1),
    (3, 8, 5, 5, 2, 5, 1, 2),
    (3, 10, 7, 8, 2, 2, 3, 0),
    (3, 8, 6, 6, 3, 1, 2, 0),
    (2, 12, 4, 4, 3, 1, 1, 0),
]


def _run(x, w, b, gy, S, P, slots, acc, gx0=None):
    n, C, H, W = x.shape
    O, _, K, _ = w.shape
    OH, OW = _out(H, K, S, P), _out(W, K, S, P)
    dt = x.dtype
    y = np.full((n, O, OH * OW), np.nan, dt)  # every element must be written
    col = np.zeros((slots, C * K * K * OH * OW), dt)
    pad = np.full((slots, (H + 2 * P) * (W + 2 * P) * C), np.nan, dt)  # the kernels zero what they need
    wr = np.full((O, C * K * K), np.nan, dt)
    part = np.zeros((2 * slots, O, C * K * K), dt)
    w2 = w.reshape(O, -1)
    gx = np.full_like(x, np.nan) if gx0 is None else gx0.copy()
    gw = np.full_like(w2, np.nan)
    gb = np.full_like(b, np.nan)
    with use_in_this_thread():
        kc.conv_forward(x, w2, b, y, col, pad, wr, K, S, P, OH, OW, True)
        kc.conv_backward(x, w2, gy.reshape(n, O, -1), gx, gw, gb, col, pad, wr, part, K, S, P, OH, OW,
                         True, True, True, acc)
    return y.reshape(n, O, OH, OW), gx, gw.reshape(w.shape), gb


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}C{}H{}W{}O{}K{}S{}P{}".format(*s))
@pytest.mark.parametrize("slots", [1, 2, 3])
def test_conv_kernels_match_the_reference(shape, slots):
    n, C, H, W, O, K, S, P = shape
    rng = np.random.default_rng(sum(shape) + slots)
    x = rng.normal(size=(n, C, H, W))
    w = rng.normal(size=(O, C, K, K))
    b = rng.normal(size=O)
    gy = rng.normal(size=(n, O, _out(H, K, S, P), _out(W, K, S, P)))
    y, gx, gw, gb = _run(x, w, b, gy, S, P, slots, acc=False)
    np.testing.assert_allclose(y, reference_conv(x, w, b, S, P), rtol=1e-12, atol=1e-12)
    rgx, rgw, rgb = reference_grads(x, w, gy, S, P)
    np.testing.assert_allclose(gx, rgx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gw, rgw, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gb, rgb, rtol=1e-12, atol=1e-12)
    # acc: the input gradient is added to what the buffer holds (1x1 path included)
    prior = rng.normal(size=x.shape)
    _, gx_acc, _, _ = _run(x, w, b, gy, S, P, slots, acc=True, gx0=prior)
    np.testing.assert_allclose(gx_acc, prior + rgx, rtol=1e-12, atol=1e-12)


def test_float32_lenet_layer_matches_the_reference_and_does_not_depend_on_chunks():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 4, 14, 14)).astype(np.float32)
    w = (rng.normal(size=(8, 4, 5, 5)) * 0.1).astype(np.float32)
    b = rng.normal(size=8).astype(np.float32)
    gy = rng.normal(size=(6, 8, 14, 14)).astype(np.float32)
    y1, gx1, gw1, gb1 = _run(x, w, b, gy, 1, 2, 1, acc=False)
    y2, gx2, gw2, gb2 = _run(x, w, b, gy, 1, 2, 2, acc=False)
    np.testing.assert_allclose(y1, reference_conv(x.astype(float), w.astype(float), b.astype(float), 1, 2),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(y1, y2)  # samples do not interact in the forward pass
    np.testing.assert_array_equal(gx1, gx2)
    np.testing.assert_allclose(gw1, gw2, rtol=1e-5, atol=1e-5)  # chunk partials add in another order
    np.testing.assert_allclose(gb1, gb2, rtol=1e-5, atol=1e-5)


def _scipy_blas_threads() -> int:
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas" and "scipy" in i["filepath"]][0]


@pytest.mark.skipif(not blas_threads.BOUND, reason="the BLAS is not OpenBLAS")
def test_conv_kernels_give_blas_its_thread_count_back():
    """Inside the parallel loop BLAS is held to one thread; afterwards it has the run's count again
    (else every dense layer after a conv would lose its threads)."""
    try:
        set_threads(2)
        rng = np.random.default_rng(2)
        x = rng.normal(size=(4, 2, 6, 6)).astype(np.float32)
        w = rng.normal(size=(3, 2, 3, 3)).astype(np.float32)
        gy = rng.normal(size=(4, 3, 4, 4)).astype(np.float32)
        _run(x, w, np.zeros(3, np.float32), gy, 1, 0, 2, acc=False)
        import numba

        assert _scipy_blas_threads() == numba.get_num_threads() == min(2, numba.config.NUMBA_NUM_THREADS)
    finally:
        set_threads(None)
