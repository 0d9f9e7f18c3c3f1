"""The compiled program runner: a whole epoch of steps with no Python between them.

A plan is a table of small integer rows (one per operation: opcode, buffer
indices, sizes) plus float rows (eps, p, slopes); each op's columns are named by
its schema in :mod:`nnstudio.engine.ops`. :func:`run` walks that table
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
from nnstudio.engine.kernels.losses import loss_and_grad
from nnstudio.engine.kernels.views import as2d, buffer
from nnstudio.engine.ops import dispatch_backward, dispatch_forward

# loss descriptor: input buffer, input size, target buffer, target size, prediction buffer,
# outputs, loss code, prediction-gradient buffer
L_INP, L_FIN, L_Y, L_YDIM, L_PRED, L_K, L_CODE, L_GPRED = range(8)


@kernel
def forward(code, fp, B, IB, n, train):
    """Every row's forward kernel, in order (the dispatch chain comes from the op registry)."""
    for o in range(code.shape[0]):
        c = code[o]
        dispatch_forward(c[0], c, fp, o, B, IB, n, train)


@kernel
def backward(code, fp, B, IB, n):
    """Every row's backward kernel, in reverse order."""
    for o in range(code.shape[0] - 1, -1, -1):
        c = code[o]
        dispatch_backward(c[0], c, fp, o, B, IB, n)


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
            loss = loss_and_grad(pred, as2d(yb, n, ydim), as2d(buffer(B, ld[L_GPRED]), n, k), ld[L_CODE], train)
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
