"""Lowering of the recurrent kinds (RNN, LSTM, GRU) into one op row each.

A node's tensors live in one packed parameter buffer (and its gradient in the buffer after
it), in the order :mod:`nnstudio.engine.kernels.recurrent` reads them; the plan's ``params``
and ``grads`` are views of it under PyTorch's names (``weight_ih_l0``, ``bias_hh_l1_reverse``,
...), so exporters, checkpoints and views see ordinary tensors. The optimizer and gradient
clipping see the packed buffer as one tensor, which covers every one of them.
"""
from __future__ import annotations

from math import sqrt
from typing import Any

import numpy as np

from nnstudio.engine.kernels import recurrent as K

KINDS = ("RNN", "LSTM", "GRU")
GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def cell_code(kind: str, params: dict[str, Any]) -> int:
    """The kernel's cell code of a recurrent node."""
    if kind == "LSTM":
        return K.LSTM
    if kind == "GRU":
        return K.GRU
    return K.RNN_RELU if params.get("nonlinearity") == "relu" else K.RNN_TANH


def tensor_layout(params: dict[str, Any], features: int, gates: int) -> list[tuple[str, int, tuple[int, ...]]]:
    """``(PyTorch name, offset in the packed buffer, shape)`` of every tensor of a recurrent node."""
    H, L = params["hidden_size"], params["num_layers"]
    D = 2 if params["bidirectional"] else 1
    has_bias = bool(params.get("bias", True))
    GH = gates * H
    out = []
    for layer in range(L):
        fin = features if layer == 0 else D * H
        for d in range(D):
            suffix = f"l{layer}" + ("_reverse" if d else "")
            o = int(K.param_offset(layer, d, features, H, D, gates, has_bias))
            out.append((f"weight_ih_{suffix}", o, (GH, fin)))
            out.append((f"weight_hh_{suffix}", o + GH * fin, (GH, H)))
            if has_bias:
                out.append((f"bias_ih_{suffix}", o + GH * (fin + H), (GH,)))
                out.append((f"bias_hh_{suffix}", o + GH * (fin + H + 1), (GH,)))
    return out


def lower(b: Any, nid: str, node: Any, x: Any, gx: int, y: int, in_shape: tuple[int, ...], opcode: int) -> int:
    """Emit the op row of recurrent node ``nid`` reading ref ``x`` (per sample ``in_shape`` =
    (steps, features)) into buffer pair ``y``; returns the row (its gradient-target column is
    :data:`~nnstudio.engine.kernels.recurrent.R_GX`, its accumulate flag ``R_ACC``)."""
    p = node.params
    T, F = in_shape
    H, L = p["hidden_size"], p["num_layers"]
    D = 2 if p["bidirectional"] else 1
    cell = cell_code(node.kind, p)
    G = GATES[node.kind]
    has_bias = bool(p.get("bias", True))
    frozen = bool(p.get("frozen"))
    size = int(K.param_size(F, H, L, D, G, has_bias))
    # PyTorch's initialisation: every tensor uniform in +-1/sqrt(hidden_size)
    bound = 1.0 / sqrt(H)
    pbuf = b.buf(size)
    gbuf = b.buf(size)
    b.param_bufs.append(pbuf)
    b.arrays[pbuf][:] = b.rng.uniform(-bound, bound, size)
    b.params[nid], b.grads[nid] = {}, {}
    for name, off, shape in tensor_layout(p, F, G):
        n = int(np.prod(shape))
        b.params[nid][name] = b.arrays[pbuf][off:off + n].reshape(shape)
        b.grads[nid][name] = b.arrays[gbuf][off:off + n].reshape(shape)
    if not frozen:
        b.optc.append([pbuf, gbuf, b.buf(size), b.buf(size)])
    W = D * H
    ret = bool(p["return_sequences"])
    seq = y if ret else b.pair(T * W)  # the top layer's hidden states per step, batch-major
    ws = b.buf(int(K.workspace_layout(b.bs, T, F, H, L, D, G)[-1]))
    row = [0] * (K.R_ACC + 1)
    row[0] = opcode
    row[K.R_X], row[K.R_P], row[K.R_GP], row[K.R_Y], row[K.R_SEQ], row[K.R_WS] = (
        x.buf, pbuf, -1 if frozen else gbuf, y, seq, ws)
    row[K.R_T], row[K.R_F], row[K.R_H], row[K.R_L], row[K.R_D] = T, F, H, L, D
    row[K.R_CELL], row[K.R_BIAS], row[K.R_RET], row[K.R_GX], row[K.R_ACC] = cell, int(has_bias), int(ret), gx, 0
    r = b.op(row)
    b.grad_write(r, K.R_GX, K.R_ACC)
    return r
