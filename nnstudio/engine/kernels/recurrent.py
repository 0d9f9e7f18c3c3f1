"""Recurrent layers (RNN tanh/relu, LSTM, GRU): forward and backpropagation through time.

Shapes and gate orders are PyTorch's (``batch_first=True``): a sample is ``(T, F)``, layer k
of direction d owns ``weight_ih (G*H, in)``, ``weight_hh (G*H, H)``, ``bias_ih``, ``bias_hh``
with gates LSTM (i, f, g, o), GRU (r, z, n), n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).

Inside, sequences are time-major ``(T, n, .)`` so every step's rows are one contiguous matrix:
the input projection of a whole sequence is one GEMM ``(T*n, in) @ W_ih.T``, each step adds
one GEMM ``h_prev (n, H) @ W_hh.T``, and backward gets the weight gradients as one GEMM each
over all steps. All tensors of one node are packed into one parameter buffer (layer-major,
then direction, then ``weight_ih, weight_hh, bias_ih, bias_hh``; :func:`param_offset`), and
all the per-step values backward needs into one workspace (:func:`workspace_layout`).
"""
from __future__ import annotations

import math

import numpy as np

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.views import buffer

RNN_TANH, RNN_RELU, LSTM, GRU = 0, 1, 2, 3

# op row: [op, x, params, grads, y, seq, workspace, T, F, H, layers, dirs, cell, has_bias,
#          return_sequences, gx, acc]
R_X, R_P, R_GP, R_Y, R_SEQ, R_WS, R_T, R_F, R_H, R_L, R_D, R_CELL, R_BIAS, R_RET, R_GX, R_ACC = range(1, 17)
R_HGRAD = 21  # d loss / d the top layer's states through time, batch first (after G, ws_per, gy, gseq)


@kernel(inline="always")
def n_gates(cell):
    return 4 if cell == LSTM else (3 if cell == GRU else 1)


@kernel
def param_offset(layer, direction, F, H, D, G, has_bias):
    """Where the tensors of (layer, direction) start in the packed parameter buffer."""
    off = 0
    for k in range(layer + 1):
        fin = F if k == 0 else D * H
        size = G * H * (fin + H) + (2 * G * H if has_bias else 0)
        for d in range(D):
            if k == layer and d == direction:
                return off
            off += size
    return off


@kernel
def param_size(F, H, L, D, G, has_bias):
    """Length of the packed parameter buffer."""
    return param_offset(L, 0, F, H, D, G, has_bias)


@kernel
def workspace_layout(n, T, F, H, L, D, G):
    """Offsets into the workspace (the last entry is its length).

    ``[l]``: layer l's output (T, n, D*H); ``[L + l]``: its gradient; from ``2L``, six per
    (layer, direction) k = l*D + d: activated gates, W_hh h + b_hh (GRU), their pre-activation
    gradients (x side, h side), cell states, hidden states; then the shared input (T, n, F)
    and its gradient, a (T*n, max(F, D*H)) temporary, one (n, G*H) and two (n, H) matrices.
    """
    K = L * D
    out = np.zeros(2 * L + 6 * K + 7, np.int64)
    i = 0
    pos = 0
    for _ in range(2 * L):
        out[i] = pos
        pos += T * n * D * H
        i += 1
    for _ in range(K):
        for j in range(6):
            out[i] = pos
            pos += T * n * (H if j >= 4 else G * H)
            i += 1
    for size in (T * n * F, T * n * F, T * n * max(F, D * H), n * G * H, n * H, n * H):
        out[i] = pos
        pos += size
        i += 1
    out[i] = pos
    return out


@kernel(inline="always")
def _sigmoid(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


@kernel
def _tensors(P, l, d, F, H, D, G, has_bias):
    """The (layer, direction) tensors as views of the packed buffer (biases empty without bias)."""
    fin = F if l == 0 else D * H
    GH = G * H
    o = param_offset(l, d, F, H, D, G, has_bias)
    wih = P[o:o + GH * fin].reshape((GH, fin))
    o += GH * fin
    whh = P[o:o + GH * H].reshape((GH, H))
    o += GH * H
    nb = GH if has_bias else 0
    bih = P[o:o + nb]
    bhh = P[o + nb:o + 2 * nb]
    return wih, whh, bih, bhh


@kernel
def _seq(ws, lay, j, T, n, width):
    return ws[lay[j]:lay[j] + T * n * width].reshape((T, n, width))


@kernel
def direction_forward(inp, wih, whh, bih, bhh, has_bias, cell, reverse, gates, hh, cs, hs, tmp):
    """One direction of one layer over the whole sequence ``inp`` (T, n, in).

    Writes the activated gates (LSTM i, f, g, o; GRU r, z, n; RNN nothing), ``hh`` = W_hh h +
    b_hh per step (GRU), the cell states ``cs`` (LSTM) and the hidden states ``hs`` (T, n, H).
    """
    T, n, fin = inp.shape
    GH, H = whh.shape
    pre = gates.reshape((T * n, GH))
    np.dot(inp.reshape((T * n, fin)), wih.T, pre)
    if has_bias:
        for r in range(T * n):
            for j in range(GH):
                pre[r, j] += bih[j]
                if cell != GRU:
                    pre[r, j] += bhh[j]
    for s in range(T):
        t = T - 1 - s if reverse else s
        tp = t + 1 if reverse else t - 1
        g = gates[t]
        if s > 0:
            np.dot(hs[tp], whh.T, tmp)
        else:
            tmp[:, :] = 0.0
        if cell == GRU:
            for i in range(n):
                for j in range(GH):
                    hh[t, i, j] = tmp[i, j] + (bhh[j] if has_bias else 0.0)
        for i in range(n):
            for j in range(H):
                if cell == LSTM:
                    ig = _sigmoid(g[i, j] + tmp[i, j])
                    fg = _sigmoid(g[i, H + j] + tmp[i, H + j])
                    cg = math.tanh(g[i, 2 * H + j] + tmp[i, 2 * H + j])
                    og = _sigmoid(g[i, 3 * H + j] + tmp[i, 3 * H + j])
                    c = ig * cg + (fg * cs[tp, i, j] if s > 0 else 0.0)
                    g[i, j], g[i, H + j], g[i, 2 * H + j], g[i, 3 * H + j] = ig, fg, cg, og
                    cs[t, i, j] = c
                    hs[t, i, j] = og * math.tanh(c)
                elif cell == GRU:
                    r = _sigmoid(g[i, j] + hh[t, i, j])
                    z = _sigmoid(g[i, H + j] + hh[t, i, H + j])
                    nn = math.tanh(g[i, 2 * H + j] + r * hh[t, i, 2 * H + j])
                    g[i, j], g[i, H + j], g[i, 2 * H + j] = r, z, nn
                    hs[t, i, j] = (1.0 - z) * nn + (z * hs[tp, i, j] if s > 0 else 0.0)
                else:
                    a = g[i, j] + tmp[i, j]
                    hs[t, i, j] = math.tanh(a) if cell == RNN_TANH else max(a, 0.0)


@kernel
def direction_backward(inp, wih, whh, cell, reverse, gates, hh, cs, hs, gout, col, dgates, dhh, dh, dc,
                       gwih, gwhh, gbih, gbhh, want_gw, has_bias):
    """Backpropagation through time for one direction of one layer.

    ``gout[:, :, col:col+H]`` holds the gradient reaching this direction's hidden states from
    above (T, n, .); each step's entry is replaced by the *total* d loss / d h_t, that plus what
    flows back from the later steps through the recurrence (what the per-step gradient view
    shows: in a plain RNN it fades going back in time). Leaves the pre-activation gradients in
    ``dgates`` (input side) and ``dhh`` (hidden side; the same array except for GRU, whose reset
    gate scales W_hn h), and the weight gradients (overwritten).
    """
    T, n, fin = inp.shape
    GH, H = whh.shape
    for i in range(n):
        for j in range(H):
            dh[i, j] = 0.0
            dc[i, j] = 0.0
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        tp = t + 1 if reverse else t - 1
        g = gates[t]
        dg = dgates[t]
        for i in range(n):
            for j in range(H):
                dht = gout[t, i, col + j] + dh[i, j]
                gout[t, i, col + j] = dht
                if cell == LSTM:
                    ig, fg, cg, og = g[i, j], g[i, H + j], g[i, 2 * H + j], g[i, 3 * H + j]
                    tc = math.tanh(cs[t, i, j])
                    dcc = dc[i, j] + dht * og * (1.0 - tc * tc)
                    cprev = cs[tp, i, j] if s > 0 else 0.0
                    dg[i, j] = dcc * cg * ig * (1.0 - ig)
                    dg[i, H + j] = dcc * cprev * fg * (1.0 - fg)
                    dg[i, 2 * H + j] = dcc * ig * (1.0 - cg * cg)
                    dg[i, 3 * H + j] = dht * tc * og * (1.0 - og)
                    dc[i, j] = dcc * fg
                elif cell == GRU:
                    r, z, nn = g[i, j], g[i, H + j], g[i, 2 * H + j]
                    hprev = hs[tp, i, j] if s > 0 else 0.0
                    dn = dht * (1.0 - z) * (1.0 - nn * nn)
                    dr = dn * hh[t, i, 2 * H + j] * r * (1.0 - r)
                    dz = dht * (hprev - nn) * z * (1.0 - z)
                    dg[i, j] = dr
                    dg[i, H + j] = dz
                    dg[i, 2 * H + j] = dn
                    dhh[t, i, j] = dr
                    dhh[t, i, H + j] = dz
                    dhh[t, i, 2 * H + j] = dn * r
                    dc[i, j] = dht * z  # the direct path h_prev -> h, added after the GEMM below
                else:
                    h = hs[t, i, j]
                    dg[i, j] = dht * (1.0 - h * h) if cell == RNN_TANH else (dht if h > 0.0 else 0.0)
        if s > 0:
            np.dot(dhh[t], whh, dh)
            if cell == GRU:
                for i in range(n):
                    for j in range(H):
                        dh[i, j] += dc[i, j]
    if want_gw:
        d2 = dgates.reshape((T * n, GH))
        np.dot(d2.T, inp.reshape((T * n, fin)), gwih)
        if T > 1:
            # step t's hidden-side gradient pairs with the state before it: one GEMM over all steps
            hflat = hs.reshape((T * n, H))
            hd = dhh.reshape((T * n, GH))
            if reverse:
                np.dot(hd[:(T - 1) * n].T, hflat[n:], gwhh)
            else:
                np.dot(hd[n:].T, hflat[:(T - 1) * n], gwhh)
        else:
            gwhh[:, :] = 0.0
        if has_bias:
            h2 = dhh.reshape((T * n, GH))
            for j in range(GH):
                gbih[j] = 0.0
                gbhh[j] = 0.0
            for r in range(T * n):
                for j in range(GH):
                    gbih[j] += d2[r, j]
                    gbhh[j] += h2[r, j]


@kernel
def recurrent_forward(c, B, n):
    """The interpreter's forward for one recurrent op row ``c``."""
    T, F, H, L, D, cell = c[R_T], c[R_F], c[R_H], c[R_L], c[R_D], c[R_CELL]
    has_bias = c[R_BIAS] == 1
    G = n_gates(cell)
    P = buffer(B, c[R_P])
    ws = buffer(B, c[R_WS])
    lay = workspace_layout(n, T, F, H, L, D, G)
    K = L * D
    base = 2 * L + 6 * K
    x = buffer(B, c[R_X])[:n * T * F].reshape((n, T, F))
    xt = _seq(ws, lay, base, T, n, F)
    for t in range(T):
        for i in range(n):
            for f in range(F):
                xt[t, i, f] = x[i, t, f]
    tmp = ws[lay[base + 3]:lay[base + 3] + n * G * H].reshape((n, G * H))
    for l in range(L):
        inp = xt if l == 0 else _seq(ws, lay, l - 1, T, n, D * H)
        out = _seq(ws, lay, l, T, n, D * H)
        for d in range(D):
            k = 2 * L + 6 * (l * D + d)
            wih, whh, bih, bhh = _tensors(P, l, d, F, H, D, G, has_bias)
            hs = _seq(ws, lay, k + 5, T, n, H)
            direction_forward(inp, wih, whh, bih, bhh, has_bias, cell, d == 1, _seq(ws, lay, k, T, n, G * H),
                              _seq(ws, lay, k + 1, T, n, G * H), _seq(ws, lay, k + 4, T, n, H), hs, tmp)
            for t in range(T):
                for i in range(n):
                    for j in range(H):
                        out[t, i, d * H + j] = hs[t, i, j]
    top = _seq(ws, lay, L - 1, T, n, D * H)
    W = D * H
    seq = buffer(B, c[R_SEQ])[:n * T * W].reshape((n, T, W))
    for i in range(n):
        for t in range(T):
            for j in range(W):
                seq[i, t, j] = top[t, i, j]
    if c[R_RET] == 0:
        # the last step: forward's state after step T-1, backward's after step 0 (PyTorch's h_n)
        y = buffer(B, c[R_Y])[:n * W].reshape((n, W))
        for i in range(n):
            for j in range(H):
                y[i, j] = top[T - 1, i, j]
                if D == 2:
                    y[i, H + j] = top[0, i, H + j]


@kernel
def recurrent_backward(c, B, n):
    """The interpreter's backward for one recurrent op row ``c``."""
    gxi, gpi = c[R_GX], c[R_GP]
    if gxi < 0 and gpi < 0:
        return
    T, F, H, L, D, cell = c[R_T], c[R_F], c[R_H], c[R_L], c[R_D], c[R_CELL]
    has_bias = c[R_BIAS] == 1
    G = n_gates(cell)
    GH = G * H
    W = D * H
    P = buffer(B, c[R_P])
    GP = buffer(B, gpi) if gpi >= 0 else P  # frozen: nothing is written into it
    ws = buffer(B, c[R_WS])
    lay = workspace_layout(n, T, F, H, L, D, G)
    base = 2 * L + 6 * L * D
    # the gradient reaching the top layer's hidden states from above, batch-major first
    dseq = buffer(B, c[R_SEQ] + 1)[:n * T * W].reshape((n, T, W))
    if c[R_RET] == 0:
        gy = buffer(B, c[R_Y] + 1)[:n * W].reshape((n, W))
        dseq[:, :, :] = 0.0
        for i in range(n):
            for j in range(H):
                dseq[i, T - 1, j] = gy[i, j]
                if D == 2:
                    dseq[i, 0, H + j] = gy[i, H + j]
    gtop = _seq(ws, lay, L + L - 1, T, n, W)
    for t in range(T):
        for i in range(n):
            for j in range(W):
                gtop[t, i, j] = dseq[i, t, j]
    dh = ws[lay[base + 4]:lay[base + 4] + n * H].reshape((n, H))
    dc = ws[lay[base + 5]:lay[base + 5] + n * H].reshape((n, H))
    want_gw = gpi >= 0
    for l in range(L - 1, -1, -1):
        fin = F if l == 0 else W
        inp = _seq(ws, lay, base, T, n, F) if l == 0 else _seq(ws, lay, l - 1, T, n, W)
        gout = _seq(ws, lay, L + l, T, n, W)
        # where d loss / d this layer's input goes: the layer below's output gradient, or the input's
        gin = _seq(ws, lay, base + 1, T, n, F) if l == 0 else _seq(ws, lay, L + l - 1, T, n, W)
        need_gin = l > 0 or gxi >= 0
        dtmp = ws[lay[base + 2]:lay[base + 2] + T * n * fin].reshape((T * n, fin))
        for d in range(D):
            k = 2 * L + 6 * (l * D + d)
            wih, whh, bih, bhh = _tensors(P, l, d, F, H, D, G, has_bias)
            gwih, gwhh, gbih, gbhh = _tensors(GP, l, d, F, H, D, G, has_bias)
            dgates = _seq(ws, lay, k + 2, T, n, GH)
            dhh = _seq(ws, lay, k + 3, T, n, GH) if cell == GRU else dgates
            direction_backward(inp, wih, whh, cell, d == 1, _seq(ws, lay, k, T, n, GH),
                               _seq(ws, lay, k + 1, T, n, GH), _seq(ws, lay, k + 4, T, n, H),
                               _seq(ws, lay, k + 5, T, n, H), gout, d * H, dgates, dhh, dh, dc,
                               gwih, gwhh, gbih, gbhh, want_gw, has_bias)
            if l == L - 1:
                hgrad = buffer(B, c[R_HGRAD])[:n * T * W].reshape((n, T, W))
                for i in range(n):
                    for t in range(T):
                        for j in range(d * H, (d + 1) * H):
                            hgrad[i, t, j] = gout[t, i, j]
            if need_gin:
                g2 = gin.reshape((T * n, fin))
                if d == 0:
                    np.dot(dgates.reshape((T * n, GH)), wih, g2)
                else:
                    np.dot(dgates.reshape((T * n, GH)), wih, dtmp)
                    g2 += dtmp
    if gxi >= 0:
        gx = buffer(B, gxi)[:n * T * F].reshape((n, T, F))
        gxt = _seq(ws, lay, base + 1, T, n, F)
        acc = c[R_ACC] == 1
        for i in range(n):
            for t in range(T):
                for f in range(F):
                    if acc:
                        gx[i, t, f] += gxt[t, i, f]
                    else:
                        gx[i, t, f] = gxt[t, i, f]
