"""The compiled program runner: a whole epoch of steps with no Python between them.

A plan is a table of small integer rows (one per operation: opcode, buffer
indices, sizes) plus float rows (eps, p, slopes). :func:`run` walks that table
for every batch - forward, loss, backward, optimizer - inside one compiled
function. Because the table is data, every graph runs on the same cached
machine code: a new graph never waits for a compile.

Buffers (activations, gradients, parameters, optimizer state, scratch) live
in one flat arena, ``B = (arena, offsets)``: buffer i is
``arena[offsets[i, 0]:offsets[i, 1]]``, made by the intrinsic
:func:`~nnstudio.engine.kernels.views.buffer` in a few instructions, where a
typed-list lookup cost 40 ns - about half of a tiny network's step. Index
tables live in a second arena, ``IB``, of the same form.
"""

from __future__ import annotations

import math

import numpy as np

from nnstudio.engine.kernels import kernel, optim
from nnstudio.engine.kernels.activations import act_backward, act_forward
from nnstudio.engine.kernels.attention import (
    attention_backward,
    attention_forward,
    positional_backward,
    positional_forward,
)
from nnstudio.engine.kernels.conv import (
    conv_backward,
    conv_forward,
    pool_backward,
    pool_forward,
)
from nnstudio.engine.kernels.dense import (
    dense_backward,
    dense_forward,
    neurons_backward,
    neurons_forward,
)
from nnstudio.engine.kernels.losses import loss_and_grad
from nnstudio.engine.kernels.misc import (
    dropout_backward,
    dropout_forward,
    embedding_backward,
    embedding_forward,
)
from nnstudio.engine.kernels.norm import (
    batchnorm_backward,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
)
from nnstudio.engine.kernels.views import as2d, buffer

GATHER, DENSE, NEURONS, ACT, DROPOUT, BATCHNORM, LAYERNORM, ADD, CONV, POOL, EMBED, ATTN, POSEMB = range(1, 14)
CODE_WIDTH = 24
FP_WIDTH = 4
# loss descriptor: input buffer, input size, target buffer, target size, prediction buffer,
# outputs, loss code, prediction-gradient buffer, positions (1, or a sequence's length: one
# class per position, the loss is the mean over all of them)
L_INP, L_FIN, L_Y, L_YDIM, L_PRED, L_K, L_CODE, L_GPRED, L_POS = range(9)


@kernel(inline="always")
def _slots(a, rows, cols):
    """A scratch buffer as (slots, rows, cols): one (rows, cols) matrix per chunk of the batch."""
    return a.reshape((a.size // (rows * cols), rows, cols))


@kernel
def forward(code, fp, B, IB, n, train):
    for o in range(code.shape[0]):
        c = code[o]
        op = c[0]
        if op == GATHER:
            # [op, out, out_w, out_col, src, src_w, col, ncols, gout, gsrc]
            out = as2d(buffer(B, c[1]), n, c[2])
            src = as2d(buffer(B, c[4]), n, c[5])
            oc, col, nc = c[3], c[6], c[7]
            for i in range(n):
                for j in range(nc):
                    out[i, oc + j] = src[i, col + j]
        elif op == DENSE:
            # [op, x, w, b, y, fin, fout, gx, gw, gb, scratch, has_bias, acc, positions]
            # positions > 1: the same layer at every position of a sequence (rows of n * positions)
            fin, fout = c[5], c[6]
            m = n * max(1, c[13])
            dense_forward(
                as2d(buffer(B, c[1]), m, fin),
                as2d(buffer(B, c[2]), fout, fin),
                buffer(B, c[3]),
                as2d(buffer(B, c[4]), m, fout),
                c[11] == 1,
            )
        elif op == NEURONS:
            # [op, u, w, b, z, a, uw, k, idx, off, act, gu, gw, gb, gz, ga, acc]
            uw, k = c[6], c[7]
            neurons_forward(
                as2d(buffer(B, c[1]), n, uw),
                buffer(B, c[2]),
                buffer(B, c[3]),
                buffer(IB, c[8]),
                buffer(IB, c[9]),
                as2d(buffer(B, c[4]), n, k),
                as2d(buffer(B, c[5]), n, k),
                c[10],
                fp[o, 0],
            )
        elif op == ACT:
            # [op, x, y, f, code, gx, gy, acc]
            f = c[3]
            act_forward(as2d(buffer(B, c[1]), n, f), as2d(buffer(B, c[2]), n, f), c[4], fp[o, 0])
        elif op == DROPOUT:
            # [op, x, y, mask, size, gx, gy, acc]
            m = n * c[4]
            dropout_forward(buffer(B, c[1])[:m], buffer(B, c[2])[:m], buffer(B, c[3])[:m], fp[o, 0], train)
        elif op == BATCHNORM:
            # [op, x, y, w, b, rm, rv, xhat, invstd, C, S, gx, gy, gw, gb, acc]
            C, S = c[9], c[10]
            m = n * C * S
            batchnorm_forward(
                buffer(B, c[1])[:m].reshape((n, C, S)),
                buffer(B, c[2])[:m].reshape((n, C, S)),
                buffer(B, c[3]),
                buffer(B, c[4]),
                buffer(B, c[5]),
                buffer(B, c[6]),
                buffer(B, c[7])[:m].reshape((n, C, S)),
                buffer(B, c[8]),
                fp[o, 0],
                fp[o, 1],
                train,
            )
        elif op == LAYERNORM:
            # [op, x, y, w, b, xhat, invstd, F, gx, gy, gw, gb, acc, positions]
            # positions > 1: each position's F values normalised on their own (over="last")
            F = c[7]
            m = n * max(1, c[13])
            layernorm_forward(
                as2d(buffer(B, c[1]), m, F),
                as2d(buffer(B, c[2]), m, F),
                buffer(B, c[3]),
                buffer(B, c[4]),
                as2d(buffer(B, c[5]), m, F),
                buffer(B, c[6]),
                fp[o, 0],
            )
        elif op == ADD:
            # [op, y, size, src, gy, gsrc, acc, first]
            m = n * c[2]
            y = buffer(B, c[1])
            s = buffer(B, c[3])
            if c[7] == 1:
                for i in range(m):
                    y[i] = s[i]
            else:
                for i in range(m):
                    y[i] += s[i]
        elif op == CONV:
            # [op, x, w, b, y, C, H, W, O, K, S, P, OH, OW, col, gx, gw, gb, gw_part, has_bias, acc]
            C, H, W, O, K, OH, OW = c[5], c[6], c[7], c[8], c[9], c[12], c[13]
            x = buffer(B, c[1])[: n * C * H * W].reshape((n, C, H, W))
            w2 = buffer(B, c[2]).reshape((O, C * K * K))
            y = buffer(B, c[4])[: n * O * OH * OW].reshape((n, O, OH * OW))
            conv_forward(x, w2, buffer(B, c[3]), y, _slots(buffer(B, c[14]), C * K * K, OH * OW), K, c[10],
                         c[11], OH, OW, c[19] == 1)
        elif op == POOL:
            # [op, x, y, C, H, W, K, S, OH, OW, is_max, gx, gy, acc]
            C, H, W, OH, OW = c[3], c[4], c[5], c[8], c[9]
            pool_forward(
                buffer(B, c[1])[: n * C * H * W].reshape((n, C, H, W)),
                buffer(B, c[2])[: n * C * OH * OW].reshape((n, C, OH, OW)),
                c[6],
                c[7],
                c[10] == 1,
            )
        elif op == EMBED:
            # [op, x, w, y, L, D, V, gw]
            L, D, V = c[4], c[5], c[6]
            embedding_forward(
                as2d(buffer(B, c[1]), n, L),
                buffer(B, c[2]).reshape((V, D)),
                buffer(B, c[3])[: n * L * D].reshape((n, L, D)),
            )
        elif op == ATTN:
            # [op, qkv, ctx, att, scratch, L, E, H, causal, gqkv, gctx, acc]
            L, E, H = c[5], c[6], c[7]
            attention_forward(
                buffer(B, c[1])[: n * L * 3 * E].reshape((n, L, 3 * E)),
                buffer(B, c[2])[: n * L * E].reshape((n, L, E)),
                buffer(B, c[3])[: n * H * L * L].reshape((n, H, L, L)),
                buffer(B, c[4]),
                H,
                c[8] == 1,
            )
        elif op == POSEMB:
            # [op, x, table, y, f, gx, gtable, acc]
            f = c[4]
            positional_forward(as2d(buffer(B, c[1]), n, f), buffer(B, c[2]), as2d(buffer(B, c[3]), n, f))


@kernel
def backward(code, fp, B, IB, n):
    for o in range(code.shape[0] - 1, -1, -1):
        c = code[o]
        op = c[0]
        if op == GATHER:
            if c[9] < 0:
                continue
            gout = as2d(buffer(B, c[8]), n, c[2])
            gsrc = as2d(buffer(B, c[9]), n, c[5])
            oc, col, nc = c[3], c[6], c[7]
            for i in range(n):
                for j in range(nc):
                    gsrc[i, col + j] += gout[i, oc + j]
        elif op == DENSE:
            fin, fout = c[5], c[6]
            gx = c[7]
            gw = c[8]
            if gx < 0 and gw < 0:
                continue
            m = n * max(1, c[13])
            gy = as2d(buffer(B, c[4] + 1), m, fout)
            dense_backward(
                as2d(buffer(B, c[1]), m, fin),
                as2d(buffer(B, c[2]), fout, fin),
                gy,
                as2d(buffer(B, max(gx, 0)), m, fin) if gx >= 0 else as2d(buffer(B, c[1]), m, fin),
                as2d(buffer(B, max(gw, 0)), fout, fin) if gw >= 0 else as2d(buffer(B, c[2]), fout, fin),
                buffer(B, c[9]) if gw >= 0 else buffer(B, c[3]),
                as2d(buffer(B, c[10]), m, fin),
                gx >= 0,
                gw >= 0,
                c[11] == 1,
                c[12] == 1,
            )
        elif op == NEURONS:
            uw, k = c[6], c[7]
            gu = c[11]
            gw = c[12]
            if gu < 0 and gw < 0:
                continue
            neurons_backward(
                as2d(buffer(B, c[1]), n, uw),
                buffer(B, c[2]),
                buffer(IB, c[8]),
                buffer(IB, c[9]),
                as2d(buffer(B, c[4]), n, k),
                as2d(buffer(B, c[5]), n, k),
                as2d(buffer(B, c[15]), n, k),
                as2d(buffer(B, c[14]), n, k),
                as2d(buffer(B, gu) if gu >= 0 else buffer(B, c[1]), n, uw),
                buffer(B, gw) if gw >= 0 else buffer(B, c[2]),
                buffer(B, c[13]) if c[13] >= 0 else buffer(B, c[3]),
                c[10],
                fp[o, 0],
                gu >= 0,
                gw >= 0,
                c[16] == 1,
            )
        elif op == ACT:
            if c[5] < 0:
                continue
            f = c[3]
            act_backward(
                as2d(buffer(B, c[1]), n, f),
                as2d(buffer(B, c[2]), n, f),
                as2d(buffer(B, c[6]), n, f),
                as2d(buffer(B, c[5]), n, f),
                c[4],
                fp[o, 0],
                c[7] == 1,
            )
        elif op == DROPOUT:
            if c[5] < 0:
                continue
            m = n * c[4]
            dropout_backward(buffer(B, c[6])[:m], buffer(B, c[3])[:m], buffer(B, c[5])[:m], c[7] == 1)
        elif op == BATCHNORM:
            C, S = c[9], c[10]
            m = n * C * S
            if c[13] < 0 and c[11] < 0:
                continue
            gx = buffer(B, c[11]) if c[11] >= 0 else buffer(B, c[1])
            batchnorm_backward(
                buffer(B, c[12])[:m].reshape((n, C, S)),
                buffer(B, c[3]),
                buffer(B, c[7])[:m].reshape((n, C, S)),
                buffer(B, c[8]),
                gx[:m].reshape((n, C, S)),
                # frozen: the sums go to the tensors' own (unused) gradient buffers - not to invstd,
                # which the input gradient still needs
                buffer(B, c[13]) if c[13] >= 0 else buffer(B, c[3] + 1),
                buffer(B, c[14]) if c[14] >= 0 else buffer(B, c[4] + 1),
                c[11] >= 0,
                c[15] == 1,
            )
        elif op == LAYERNORM:
            F = c[7]
            if c[10] < 0 and c[8] < 0:
                continue
            gx = buffer(B, c[8]) if c[8] >= 0 else buffer(B, c[1])
            m = n * max(1, c[13])
            layernorm_backward(
                as2d(buffer(B, c[9]), m, F),
                buffer(B, c[3]),
                as2d(buffer(B, c[5]), m, F),
                buffer(B, c[6]),
                as2d(gx, m, F),
                buffer(B, c[10]) if c[10] >= 0 else buffer(B, c[3] + 1),  # frozen: as BatchNorm's
                buffer(B, c[11]) if c[11] >= 0 else buffer(B, c[4] + 1),
                c[8] >= 0,
                c[12] == 1,
            )
        elif op == ADD:
            if c[5] < 0:
                continue
            m = n * c[2]
            gy = buffer(B, c[4])
            gs = buffer(B, c[5])
            if c[6] == 1:
                for i in range(m):
                    gs[i] += gy[i]
            else:
                for i in range(m):
                    gs[i] = gy[i]
        elif op == CONV:
            C, H, W, O, K, OH, OW = c[5], c[6], c[7], c[8], c[9], c[12], c[13]
            gx = c[15]
            gw = c[16]
            if gx < 0 and gw < 0:
                continue
            x = buffer(B, c[1])[: n * C * H * W].reshape((n, C, H, W))
            w2 = buffer(B, c[2]).reshape((O, C * K * K))
            gy = buffer(B, c[4] + 1)[: n * O * OH * OW].reshape((n, O, OH * OW))
            gxa = (buffer(B, gx) if gx >= 0 else buffer(B, c[1]))[: n * C * H * W].reshape((n, C, H, W))
            gwa = (buffer(B, gw) if gw >= 0 else buffer(B, c[2])).reshape((O, C * K * K))
            gba = buffer(B, c[17]) if (gw >= 0 and c[19] == 1) else buffer(B, c[3])
            conv_backward(
                x,
                w2,
                gy,
                gxa,
                gwa,
                gba,
                _slots(buffer(B, c[14]), C * K * K, OH * OW),
                _slots(buffer(B, c[18]), O, C * K * K),
                K,
                c[10],
                c[11],
                OH,
                OW,
                gx >= 0,
                gw >= 0,
                c[19] == 1,
                c[20] == 1,
            )
        elif op == POOL:
            if c[11] < 0:
                continue
            C, H, W, OH, OW = c[3], c[4], c[5], c[8], c[9]
            pool_backward(
                buffer(B, c[1])[: n * C * H * W].reshape((n, C, H, W)),
                buffer(B, c[12])[: n * C * OH * OW].reshape((n, C, OH, OW)),
                buffer(B, c[11])[: n * C * H * W].reshape((n, C, H, W)),
                c[6],
                c[7],
                c[10] == 1,
                c[13] == 1,
            )
        elif op == EMBED:
            if c[7] < 0:
                continue
            L, D, V = c[4], c[5], c[6]
            embedding_backward(
                as2d(buffer(B, c[1]), n, L),
                buffer(B, c[3] + 1)[: n * L * D].reshape((n, L, D)),
                buffer(B, c[7]).reshape((V, D)),
            )
        elif op == ATTN:
            if c[9] < 0:
                continue
            L, E, H = c[5], c[6], c[7]
            attention_backward(
                buffer(B, c[1])[: n * L * 3 * E].reshape((n, L, 3 * E)),
                buffer(B, c[3])[: n * H * L * L].reshape((n, H, L, L)),
                buffer(B, c[10])[: n * L * E].reshape((n, L, E)),
                buffer(B, c[9])[: n * L * 3 * E].reshape((n, L, 3 * E)),
                buffer(B, c[4]),
                H,
                c[11] == 1,
            )
        elif op == POSEMB:
            if c[5] < 0 and c[6] < 0:
                continue
            f = c[4]
            positional_backward(
                as2d(buffer(B, c[3] + 1), n, f),
                as2d(buffer(B, max(c[5], 0)), n, f) if c[5] >= 0 else as2d(buffer(B, c[1]), n, f),
                buffer(B, c[6]) if c[6] >= 0 else buffer(B, c[2]),
                c[5] >= 0,
                c[6] >= 0,
                c[7] == 1,
            )


@kernel
def optimizer_step(B, optc, hp):
    """Clip the global gradient norm if asked, then update every trainable tensor."""
    if hp[optim.HP_CLIP] > 0.0:
        total = 0.0
        for r in range(optc.shape[0]):
            total += optim.sum_squares(buffer(B, optc[r, 1]))
        norm = math.sqrt(total)
        coef = hp[optim.HP_CLIP] / (norm + 1e-6)
        if coef < 1.0:
            for r in range(optc.shape[0]):
                optim.scale(buffer(B, optc[r, 1]), coef)
    hp[optim.HP_T] += 1.0
    t = hp[optim.HP_T]
    for r in range(optc.shape[0]):
        optim.update(buffer(B, optc[r, 0]), buffer(B, optc[r, 1]), buffer(B, optc[r, 2]), buffer(B, optc[r, 3]), hp, t)


@kernel
def run(code, fp, B, IB, zero, ld, optc, hp, X, Y, rows, bs, mode, out, seed):
    """Run the plan over ``X[rows]`` in batches of ``bs``; returns the mean loss (NaN if none).

    mode 0: evaluation forward (loss if ``Y`` has rows; outputs into ``out`` if it has rows);
    mode 1: training forward + backward (gradients only); mode 2: training with optimizer
    steps. A non-finite loss in mode 2 stops before the update that would spread it.
    """
    np.random.seed(seed)
    N = rows.shape[0]
    fin = ld[L_FIN]
    ydim = ld[L_YDIM]
    k = ld[L_K]
    P = ld[L_POS]
    has_y = Y.shape[0] > 0
    train = mode > 0
    total = 0.0
    xb = buffer(B, ld[L_INP])
    yb = buffer(B, ld[L_Y])
    for start in range(0, N, bs):
        n = min(bs, N - start)
        for r in range(n):
            src = rows[start + r]
            for j in range(fin):
                xb[r * fin + j] = X[src, j]
            if has_y:
                for j in range(ydim):
                    yb[r * ydim + j] = Y[src, j]
        if train:
            # gradients that several gathers add into start from zero (before the loss writes its own)
            for z in range(zero.shape[0]):
                buffer(B, zero[z])[:] = 0.0
        forward(code, fp, B, IB, n, train)
        pred = as2d(buffer(B, ld[L_PRED]), n, k)
        if out.shape[0] > 0:
            for r in range(n):
                for j in range(k):
                    out[start + r, j] = pred[r, j]
        if has_y:
            # a sequence's positions are rows of their own: the loss is their mean, as torch's
            # CrossEntropyLoss on (N*L, classes)
            loss = loss_and_grad(as2d(buffer(B, ld[L_PRED]), n * P, k // P), as2d(yb, n * P, ydim // P),
                                 as2d(buffer(B, ld[L_GPRED]), n * P, k // P), ld[L_CODE], train)
            total += loss * n
            if mode == 2 and not math.isfinite(loss):
                return loss
        if train:
            backward(code, fp, B, IB, n)
            if mode == 2:
                optimizer_step(B, optc, hp)
    if not has_y or N == 0:
        return math.nan
    return total / N
