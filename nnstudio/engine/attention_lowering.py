"""Engine lowering of the attention kinds: MultiheadAttention and PositionalEmbedding.

MultiheadAttention becomes three operations: the input projection (a per-position
Dense to queries, keys and values, PyTorch's ``in_proj_weight``/``in_proj_bias``),
the attention core (:mod:`nnstudio.engine.kernels.attention`) and the output
projection (``out_proj_weight``/``out_proj_bias``). The compiler calls
:func:`emit` for these kinds.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from nnstudio.engine import interpreter as I
from nnstudio.engine.init import init_tensor
from nnstudio.engine.kernels.attention import scratch_size, sinusoidal_table

KINDS = ("MultiheadAttention", "PositionalEmbedding")

# where the attention weights of the last batch live: node id -> (buffer, (heads, L, L))
Exposed = dict[str, tuple[int, tuple[int, int, int]]]


def emit(b: Any, nid: str, x: Any, gx: int, y: int, in_shape: tuple[int, ...]) -> None:
    """Lower node ``nid`` reading ``x`` (a full Ref; ``gx`` its gradient buffer or -1) into ``y``."""
    node = b.g.nodes[nid]
    if node.kind == "MultiheadAttention":
        _attention(b, nid, node.params, x, gx, y, in_shape)
    else:
        _positional(b, nid, node.params, x, gx, y, in_shape)


def _dense(b: Any, x: int, w: int, bias: int, y: int, fin: int, fout: int, gx: int, gw: int, L: int) -> None:
    has_bias = bias > 0
    gb = (bias + 1 if has_bias else 0) if gw >= 0 else 0
    scratch = b.buf(b.bs * L * fin)
    row = b.op([I.DENSE, x, w, bias, y, fin, fout, gx, gw, gb, scratch, int(has_bias), 0, L])
    b.grad_write(row, 7, 12)


def _attention(b: Any, nid: str, p: dict, x: Any, gx: int, y: int, in_shape: tuple[int, ...]) -> None:
    L, E = in_shape
    H = p["num_heads"]
    frozen = bool(p.get("frozen"))
    has_bias = bool(p.get("bias", True))
    # torch: xavier_uniform_ over the whole (3E, E) in_proj_weight, zero biases
    w_in = b.param(nid, "in_proj_weight", init_tensor(b.rng, p["init"], (3 * E, E), E, 3 * E), True, frozen)
    b_in = b.param(nid, "in_proj_bias", np.zeros(3 * E), True, frozen) if has_bias else 0
    w_out = b.param(nid, "out_proj_weight", init_tensor(b.rng, p["init"], (E, E), E, E), True, frozen)
    b_out = b.param(nid, "out_proj_bias", np.zeros(E), True, frozen) if has_bias else 0
    grads = gx >= 0 or not frozen  # whether anything before the output projection needs gradients
    qkv = b.pair(L * 3 * E)
    ctx = b.pair(L * E)
    att = b.buf(b.bs * H * L * L)
    scratch = b.buf(scratch_size(L, E, H))
    _dense(b, x.buf, w_in, b_in, qkv, E, 3 * E, gx, b.grad_of(w_in, nid, "in_proj_weight"), L)
    row = b.op([I.ATTN, qkv, ctx, att, scratch, L, E, H, int(bool(p["causal"])), qkv + 1 if grads else -1,
                ctx + 1, 0])
    b.grad_write(row, 9, 11)
    _dense(b, ctx, w_out, b_out, y, E, E, ctx + 1 if grads else -1, b.grad_of(w_out, nid, "out_proj_weight"), L)
    b.exposed[nid] = (att, (H, L, L))


def _positional(b: Any, nid: str, p: dict, x: Any, gx: int, y: int, in_shape: tuple[int, ...]) -> None:
    L, D = in_shape
    T = p["max_len"]
    if p.get("mode") == "sinusoidal":
        table = b.param(nid, "table", sinusoidal_table(T, D), False, True)
        gt = -1
    else:
        # torch's nn.Embedding default: N(0, 1); a tenth of it keeps the token vectors in charge at first
        table = b.param(nid, "weight", 0.1 * b.rng.normal(size=(T, D)), True, bool(p.get("frozen")))
        gt = b.grad_of(table, nid, "weight")
    row = b.op([I.POSEMB, x.buf, table, y, L * D, gx, gt, 0])
    b.grad_write(row, 5, 7)
