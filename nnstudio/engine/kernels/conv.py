"""Conv2D (im2col + BLAS per sample) and 2-D max/average pooling, NCHW; samples run in parallel.

Every ``prange`` body here calls a compiled function for its samples: the same loops written
inline in the body ran up to 3x slower (LLVM optimized the outlined body less well).
"""
from __future__ import annotations

import numpy as np
from numba import prange

from nnstudio.engine.kernels import kernel, parallel_kernel
from nnstudio.engine.kernels.blas_threads import blas_set_threads, run_threads


@kernel(inline="always")
def _valid_columns(OW, W, S, P, kj):
    """The output columns [lo, hi) whose input column ow * S + kj - P lies inside [0, W)."""
    lo = min(OW, max(0, (P - kj + S - 1) // S))
    hi = max(lo, min(OW, (W - 1 + P - kj) // S + 1))
    return lo, hi


@kernel
def im2col(x, col, K, S, P, OH, OW):
    """x (C, H, W) -> col (C*K*K, OH*OW); zero padding P, stride S.

    The zero borders are written apart from the copy, so copying a row needs no test per element.
    """
    C, H, W = x.shape
    z = col.dtype.type(0)
    for c in range(C):
        for ki in range(K):
            for kj in range(K):
                row = (c * K + ki) * K + kj
                lo, hi = _valid_columns(OW, W, S, P, kj)
                shift = kj - P
                for oh in range(OH):
                    ih = oh * S + ki - P
                    base = oh * OW
                    if ih < 0 or ih >= H:
                        for ow in range(OW):
                            col[row, base + ow] = z
                        continue
                    for ow in range(lo):
                        col[row, base + ow] = z
                    if S == 1:
                        for ow in range(lo, hi):
                            col[row, base + ow] = x[c, ih, ow + shift]
                    else:
                        for ow in range(lo, hi):
                            col[row, base + ow] = x[c, ih, ow * S + shift]
                    for ow in range(hi, OW):
                        col[row, base + ow] = z


@kernel
def col2im_add(col, gx, K, S, P, OH, OW):
    """Scatter-add col (C*K*K, OH*OW) back into gx (C, H, W)."""
    C, H, W = gx.shape
    for c in range(C):
        for ki in range(K):
            for kj in range(K):
                row = (c * K + ki) * K + kj
                lo, hi = _valid_columns(OW, W, S, P, kj)
                shift = kj - P
                for oh in range(OH):
                    ih = oh * S + ki - P
                    if ih < 0 or ih >= H:
                        continue
                    base = oh * OW
                    if S == 1:
                        for ow in range(lo, hi):
                            gx[c, ih, ow + shift] += col[row, base + ow]
                    else:
                        for ow in range(lo, hi):
                            gx[c, ih, ow * S + shift] += col[row, base + ow]


@kernel(inline="always")
def _is_pointwise(K, S, P):
    """A 1x1 kernel, stride 1, no padding: the input plane is already its own im2col matrix."""
    return K == 1 and S == 1 and P == 0


# Layers with many input channels go through channel-last rows instead: the sample is copied
# once into a zero-padded (H+2P, W+2P, C) plane, and each row of the (OH*OW, K*K*C) matrix is
# then K contiguous runs of K*C values (one per kernel row). With C = 32 and K = 5 that is 160
# values per copy where the (C*K*K, OH*OW) matrix above copies OW = 14: the copy ran at 0.9 G
# values/s and took a third of the forward pass. The weights are read in the same
# (O, K, K, C) order, so the GEMM is unchanged in size.
HWC_MIN_CHANNELS = 8


@kernel(inline="always")
def _uses_rows(C, K, S, P):
    return C >= HWC_MIN_CHANNELS and not _is_pointwise(K, S, P)


@kernel
def _to_hwc(x, xp, P):
    """x (C, H, W) -> the interior of xp (H+2P, W+2P, C); the border is left as it is."""
    C, H, W = x.shape
    for c in range(C):
        for h in range(H):
            d = xp[h + P]
            for w in range(W):
                d[w + P, c] = x[c, h, w]


@kernel
def _from_hwc(gp, gx, P, acc):
    """gx (C, H, W) = (or +=) the interior of gp (H+2P, W+2P, C)."""
    C, H, W = gx.shape
    for c in range(C):
        for h in range(H):
            s = gp[h + P]
            g = gx[c, h]
            if acc:
                for w in range(W):
                    g[w] += s[w + P, c]
            else:
                for w in range(W):
                    g[w] = s[w + P, c]


@kernel
def im2row(xp, rows, K, S, OH, OW):
    """Padded xp (Hp, Wp, C) -> rows (OH*OW, K*K*C): the window of output (oh, ow), (ki, kj, c) order."""
    Hp, Wp, C = xp.shape
    KC = K * C
    flat = xp.reshape((Hp, Wp * C))
    for oh in range(OH):
        for ow in range(OW):
            r = rows[oh * OW + ow]
            s0 = ow * S * C
            for ki in range(K):
                # a slice copy: 2x faster here than the same copy written as a loop
                r[ki * KC:(ki + 1) * KC] = flat[oh * S + ki, s0:s0 + KC]


@kernel
def row2im_add(rows, gp, K, S, OH, OW):
    """Scatter-add rows (OH*OW, K*K*C) back into the padded plane gp (Hp, Wp, C)."""
    Hp, Wp, C = gp.shape
    KC = K * C
    flat = gp.reshape((Hp, Wp * C))
    for oh in range(OH):
        for ow in range(OW):
            r = rows[oh * OW + ow]
            s0 = ow * S * C
            for ki in range(K):
                flat[oh * S + ki, s0:s0 + KC] += r[ki * KC:(ki + 1) * KC]


@kernel
def weights_to_rows(w2, wr, C, K):
    """w2 (O, C*K*K) in (c, ki, kj) order -> wr (O, K*K*C) in (ki, kj, c) order."""
    KK = K * K
    for o in range(w2.shape[0]):
        for c in range(C):
            for k in range(KK):
                wr[o, k * C + c] = w2[o, c * KK + k]


@kernel
def weights_from_rows(wr, w2, C, K):
    """The inverse of :func:`weights_to_rows`."""
    KK = K * K
    for o in range(w2.shape[0]):
        for c in range(C):
            for k in range(KK):
                w2[o, c * KK + k] = wr[o, k * C + c]


@kernel(inline="always")
def _add_bias(y, b, O, M):
    for o in range(O):
        bo = b[o]
        yo = y[o]
        for q in range(M):
            yo[q] += bo


# Both conv kernels cut the batch into T chunks (T = scratch slots, at most the batch), each
# with its own scratch, and run the chunks in parallel. Each chunk calls BLAS one sample at a
# time; BLAS is held to one thread meanwhile (see blas_threads: OpenBLAS runs multithreaded
# GEMMs from several threads one at a time), so the chunks' GEMMs really run side by side.


@kernel
def _conv_chunk(x, w2, b, y, col, K, S, P, OH, OW, has_bias, lo, hi):
    O = w2.shape[0]
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    pointwise = _is_pointwise(K, S, P)
    for i in range(lo, hi):
        if pointwise:
            np.dot(w2, x[i].reshape((C, H * W)), y[i])
        else:
            im2col(x[i], col, K, S, P, OH, OW)
            np.dot(w2, col, y[i])
        if has_bias:
            _add_bias(y[i], b, O, OH * OW)


@kernel
def _conv_chunk_rows(x, wr, b, y, rows, xp, K, S, P, OH, OW, has_bias, lo, hi):
    """The channel-last way: wr (O, K*K*C), rows (OH*OW, K*K*C), xp (H+2P, W+2P, C) scratch."""
    O = wr.shape[0]
    xp[:] = 0.0  # the padding; the interior is overwritten per sample
    for i in range(lo, hi):
        _to_hwc(x[i], xp, P)
        im2row(xp, rows, K, S, OH, OW)
        np.dot(wr, rows.T, y[i])
        if has_bias:
            _add_bias(y[i], b, O, OH * OW)


@parallel_kernel
def conv_forward(x, w2, b, y, col, pad, wr, K, S, P, OH, OW, has_bias):
    """x (n, C, H, W); w2 (O, C*K*K); y (n, O, OH*OW); col scratch (T, C*K*K * OH*OW) (the
    im2col matrix or the rows, by :func:`_uses_rows`); pad (T, (H+2P)*(W+2P)*C); wr (O, C*K*K)."""
    n, C, H, W = x.shape
    T = min(col.shape[0], n)
    threads = max(1, run_threads())
    rows = _uses_rows(C, K, S, P)
    if rows:
        weights_to_rows(w2, wr, C, K)
    if T > 1:
        blas_set_threads(np.intc(1))
    for t in prange(T):
        lo, hi = t * n // T, (t + 1) * n // T
        if rows:
            _conv_chunk_rows(x, wr, b, y, col[t].reshape((OH * OW, C * K * K)),
                             pad[t].reshape((H + 2 * P, W + 2 * P, C)), K, S, P, OH, OW, has_bias, lo, hi)
        else:
            _conv_chunk(x, w2, b, y, col[t].reshape((C * K * K, OH * OW)), K, S, P, OH, OW, has_bias, lo, hi)
    if T > 1:
        blas_set_threads(np.intc(threads))


@kernel
def _conv_chunk_backward(x, w2, gy, gx, col, part, tmp, K, S, P, OH, OW, want_gx, want_gw, has_bias, acc,
                         lo, hi):
    """Chunk [lo, hi): its weight gradient into part, its bias gradient into tmp[:, 0]."""
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    O = w2.shape[0]
    pointwise = _is_pointwise(K, S, P)
    for i in range(lo, hi):
        if want_gw:
            if pointwise:
                xc = x[i].reshape((C, H * W))
            else:
                im2col(x[i], col, K, S, P, OH, OW)
                xc = col
            if i == lo:
                np.dot(gy[i], xc.T, part)
            else:
                np.dot(gy[i], xc.T, tmp)
                part += tmp
        if want_gx:
            if pointwise and not acc:
                np.dot(w2.T, gy[i], gx[i].reshape((C, H * W)))
            elif pointwise:
                np.dot(w2.T, gy[i], col)
                g2 = gx[i].reshape((C, H * W))
                g2 += col
            else:
                if not acc:
                    gx[i] = 0.0
                np.dot(w2.T, gy[i], col)
                col2im_add(col, gx[i], K, S, P, OH, OW)
    if want_gw and has_bias:
        _channel_sums(gy[lo:hi], tmp[:, 0])


@kernel
def _conv_chunk_backward_rows(x, wr, gy, gx, rows, xp, part, tmp, K, S, P, OH, OW, want_gx, want_gw, has_bias,
                              acc, lo, hi):
    """The channel-last backward: the weight gradient (in wr's order) into part, bias into tmp[:, 0]."""
    xp[:] = 0.0
    for i in range(lo, hi):
        if want_gw:
            _to_hwc(x[i], xp, P)
            im2row(xp, rows, K, S, OH, OW)
            if i == lo:
                np.dot(gy[i], rows, part)
            else:
                np.dot(gy[i], rows, tmp)
                part += tmp
        if want_gx:
            np.dot(gy[i].T, wr, rows)
            xp[:] = 0.0  # now the gradient's plane; zero again below for the next sample's copy
            row2im_add(rows, xp, K, S, OH, OW)
            _from_hwc(xp, gx[i], P, acc)
            xp[:] = 0.0
    if want_gw and has_bias:
        _channel_sums(gy[lo:hi], tmp[:, 0])


@kernel(fastmath={"reassoc", "contract"})
def _channel_sums(gy, gb):
    """gb[o] = sum of gy[:, o, :]. Reassociation lets LLVM vectorize the sum: 11x faster than
    adding one number at a time (220 us of a 650 us backward pass on the benchmark's first conv)."""
    n, O, M = gy.shape
    for o in range(O):
        s = 0.0
        for i in range(n):
            for q in range(M):
                s += gy[i, o, q]
        gb[o] = s


@parallel_kernel
def conv_backward(x, w2, gy, gx, gw2, gb, col, pad, wr, gw_part, K, S, P, OH, OW, want_gx, want_gw, has_bias,
                  acc):
    """col scratch (T, C*K*K * OH*OW) serves both the matrix of x and the column gradient; pad and
    wr as in :func:`conv_forward` (wr is filled here again: the two passes share no state).

    gw_part (2T, O, C*K*K): chunk t sums its weight gradient in slot 2t (slot 2t+1 takes each
    sample's product, then the chunk's bias gradient in its first column); the slots are then
    added in chunk order, so the result does not depend on how many threads ran the chunks.
    """
    n, C, H, W = x.shape
    T = min(col.shape[0], n)
    threads = max(1, run_threads())
    rows = _uses_rows(C, K, S, P)
    if rows:
        weights_to_rows(w2, wr, C, K)
    if T > 1:
        blas_set_threads(np.intc(1))
    for t in prange(T):
        lo, hi = t * n // T, (t + 1) * n // T
        if rows:
            _conv_chunk_backward_rows(x, wr, gy, gx, col[t].reshape((OH * OW, C * K * K)),
                                      pad[t].reshape((H + 2 * P, W + 2 * P, C)), gw_part[2 * t],
                                      gw_part[2 * t + 1], K, S, P, OH, OW, want_gx, want_gw, has_bias, acc, lo, hi)
        else:
            _conv_chunk_backward(x, w2, gy, gx, col[t].reshape((C * K * K, OH * OW)), gw_part[2 * t],
                                 gw_part[2 * t + 1], K, S, P, OH, OW, want_gx, want_gw, has_bias, acc, lo, hi)
    if T > 1:
        blas_set_threads(np.intc(threads))
    if want_gw:
        total = gw_part[0]
        for t in range(1, T):
            total += gw_part[2 * t]
        if rows:
            weights_from_rows(total, gw2, C, K)
        else:
            gw2[:, :] = total
        if has_bias:
            for o in range(gb.shape[0]):
                s = gw_part[1, o, 0]
                for t in range(1, T):
                    s += gw_part[2 * t + 1, o, 0]
                gb[o] = s


# Pooling works plane by plane; the common 2x2 / stride 2 case calls the same inlined
# plane loops with constant K and S so LLVM unrolls the window.


@kernel(inline="always")
def _max_plane(x, y, K, S):
    OH, OW = y.shape
    for oh in range(OH):
        for ow in range(OW):
            m = x[oh * S, ow * S]
            for a in range(K):
                for bb in range(K):
                    v = x[oh * S + a, ow * S + bb]
                    if v > m:
                        m = v
            y[oh, ow] = m


@kernel(inline="always")
def _avg_plane(x, y, K, S):
    OH, OW = y.shape
    inv = 1.0 / (K * K)
    for oh in range(OH):
        for ow in range(OW):
            s = 0.0
            for a in range(K):
                for bb in range(K):
                    s += x[oh * S + a, ow * S + bb]
            y[oh, ow] = s * inv


@kernel(inline="always")
def _max_plane_backward(x, gy, gx, K, S):
    """The gradient goes to the first maximum of each window (as PyTorch)."""
    OH, OW = gy.shape
    for oh in range(OH):
        for ow in range(OW):
            bh = oh * S
            bw = ow * S
            m = x[bh, bw]
            for a in range(K):
                for bb in range(K):
                    v = x[oh * S + a, ow * S + bb]
                    if v > m:
                        m = v
                        bh = oh * S + a
                        bw = ow * S + bb
            gx[bh, bw] += gy[oh, ow]


@kernel(inline="always")
def _avg_plane_backward(gy, gx, K, S):
    OH, OW = gy.shape
    inv = 1.0 / (K * K)
    for oh in range(OH):
        for ow in range(OW):
            g = gy[oh, ow] * inv
            for a in range(K):
                for bb in range(K):
                    gx[oh * S + a, ow * S + bb] += g


@kernel(inline="always")
def _max2_plane_backward(x, gy, gx, acc):
    """2x2, stride 2: the window's gradient times 0/1 weights, without branches (a data-dependent
    branch per window mispredicts half the time: the same loop with selects ran 5x slower), and
    written, not added, unless ``acc`` - the windows do not overlap, so no zeroing pass is needed.

    Same choice as the general loop: the first maximum in row-major order.
    """
    OH, OW = gy.shape
    one = gy.dtype.type(1)
    for oh in range(OH):
        h = 2 * oh
        x0, x1, g0, g1, gr = x[h], x[h + 1], gx[h], gx[h + 1], gy[oh]
        for ow in range(OW):
            w = 2 * ow
            a, b = x0[w], x0[w + 1]
            c, d = x1[w], x1[w + 1]
            right_top = gy.dtype.type(b > a)
            right_bottom = gy.dtype.type(d > c)
            bottom = gy.dtype.type(max(c, d) > max(a, b))
            top = gr[ow] * (one - bottom)
            bot = gr[ow] * bottom
            if acc:
                g0[w] += top * (one - right_top)
                g0[w + 1] += top * right_top
                g1[w] += bot * (one - right_bottom)
                g1[w + 1] += bot * right_bottom
            else:
                g0[w] = top * (one - right_top)
                g0[w + 1] = top * right_top
                g1[w] = bot * (one - right_bottom)
                g1[w + 1] = bot * right_bottom


@kernel
def _pool_sample(x, y, K, S, is_max):
    two = K == 2 and S == 2
    for c in range(x.shape[0]):
        if is_max:
            if two:
                _max_plane(x[c], y[c], 2, 2)
            else:
                _max_plane(x[c], y[c], K, S)
        elif two:
            _avg_plane(x[c], y[c], 2, 2)
        else:
            _avg_plane(x[c], y[c], K, S)


@kernel
def _pool_sample_backward(x, gy, gx, K, S, is_max, acc):
    two = K == 2 and S == 2
    for c in range(x.shape[0]):
        if is_max and two:
            _max2_plane_backward(x[c], gy[c], gx[c], acc)
            if not acc:  # an odd last row or column lies in no window
                gx[c, 2 * gy.shape[1]:, :] = 0.0
                gx[c, :, 2 * gy.shape[2]:] = 0.0
            continue
        if not acc:
            gx[c] = 0.0
        if is_max:
            _max_plane_backward(x[c], gy[c], gx[c], K, S)
        elif two:
            _avg_plane_backward(gy[c], gx[c], 2, 2)
        else:
            _avg_plane_backward(gy[c], gx[c], K, S)


@parallel_kernel
def pool_forward(x, y, K, S, is_max):
    """x (n, C, H, W) -> y (n, C, OH, OW); windows K x K, stride S, no padding.

    Parallel over samples: serial, it was the part of a LeNet step a second thread could not share.
    """
    for i in prange(x.shape[0]):
        _pool_sample(x[i], y[i], K, S, is_max)


@parallel_kernel
def pool_backward(x, gy, gx, K, S, is_max, acc):
    """Max: the gradient goes to the first maximum of each window (as PyTorch); avg: spread evenly."""
    for i in prange(x.shape[0]):
        _pool_sample_backward(x[i], gy[i], gx[i], K, S, is_max, acc)
