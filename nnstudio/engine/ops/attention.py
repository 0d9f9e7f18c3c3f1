"""MultiheadAttention: self-attention as PyTorch's ``nn.MultiheadAttention(batch_first=True)``.

One node lowers into three rows: the input projection (a per-position Dense row to queries,
keys and values side by side, ``in_proj_weight``/``in_proj_bias``), the attention core here
(:mod:`nnstudio.engine.kernels.attention`: per sample and head, BLAS products, a stable
softmax, the causal mask) and the output projection (``out_proj_weight``/``out_proj_bias``).
The attention weights of the last batch, ``(heads, L, L)`` per sample, are exposed as
``plan.internals(node_id)["attention"]``.
"""
from __future__ import annotations

import numpy as np

from nnstudio.engine.init import init_tensor
from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.attention import attention_backward, attention_forward, scratch_size
from nnstudio.engine.kernels.views import buffer
from nnstudio.engine.ops.dense import DENSE
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num

ATTENTION = Op(
    "attention",
    [buf("qkv", "n * L * 3 * E"), buf("ctx", "n * L * E"), buf("att", "n * H * L * L"),
     buf("scratch", "7 * L * (E // H) + L * L"), num("L"), num("E"), num("H"), flag("causal"),
     grad("gqkv", "n * L * 3 * E"), buf("gctx", "n * L * E"), flag("acc")],
    accumulates=("gqkv", "acc"),
    checks=("H >= 1", "E % H == 0"),
)
QKV, CTX, ATT, SCRATCH, L_, E_, H_, CAUSAL, GQKV, GCTX, ACC = ATTENTION.cols(
    "qkv", "ctx", "att", "scratch", "L", "E", "H", "causal", "gqkv", "gctx", "acc")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    L, E, H = c[L_], c[E_], c[H_]
    attention_forward(buffer(B, c[QKV])[: n * L * 3 * E].reshape((n, L, 3 * E)),
                      buffer(B, c[CTX])[: n * L * E].reshape((n, L, E)),
                      buffer(B, c[ATT])[: n * H * L * L].reshape((n, H, L, L)),
                      buffer(B, c[SCRATCH]), H, c[CAUSAL] == 1)


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    if c[GQKV] >= 0:
        L, E, H = c[L_], c[E_], c[H_]
        attention_backward(buffer(B, c[QKV])[: n * L * 3 * E].reshape((n, L, 3 * E)),
                           buffer(B, c[ATT])[: n * H * L * L].reshape((n, H, L, L)),
                           buffer(B, c[GCTX])[: n * L * E].reshape((n, L, E)),
                           buffer(B, c[GQKV])[: n * L * 3 * E].reshape((n, L, 3 * E)),
                           buffer(B, c[SCRATCH]), H, c[ACC] == 1)


register(ATTENTION, forward, backward)


def _projection(b, x: int, w: int, bias: int, y: int, fin: int, fout: int, rows: int, gx: int, gw: int) -> None:
    has_bias = bias > 0
    b.op(DENSE, x=x, w=w, b=bias, y=y, fin=fin, fout=fout, rows=rows, gx=gx, gw=gw,
         gb=(bias + 1 if has_bias else 0) if gw >= 0 else 0, scratch=b.buf(b.bs * rows * fin),
         has_bias=int(has_bias), acc=0, gy=y + 1)


@lowers("MultiheadAttention")
def emit(b, node):
    nid, p = node.id, node.params
    x = b.input(nid)
    L, E = b.shape(nid)
    H = int(p["num_heads"])
    shapes = b.param_shapes(nid)
    # torch: xavier_uniform_ over the whole (3E, E) in_proj_weight, zero biases
    w_in = b.param(nid, "in_proj_weight", init_tensor(b.rng, p["init"], (3 * E, E), E, 3 * E))
    b_in = b.param(nid, "in_proj_bias", np.zeros(3 * E)) if "in_proj_bias" in shapes else 0
    w_out = b.param(nid, "out_proj_weight", init_tensor(b.rng, p["init"], (E, E), E, E))
    b_out = b.param(nid, "out_proj_bias", np.zeros(E)) if "out_proj_bias" in shapes else 0
    gx = b.grad(x)
    learn = b.grad_of(nid, w_in) >= 0
    wanted = gx >= 0 or learn  # does anything before the output projection need a gradient?
    qkv = b.pair(L * 3 * E)
    ctx = b.pair(L * E)
    att = b.buf(b.bs * H * L * L)
    y = b.pair(L * E)
    _projection(b, x.buf, w_in, b_in, qkv, E, 3 * E, L, gx, b.grad_of(nid, w_in))
    b.op(ATTENTION, qkv=qkv, ctx=ctx, att=att, scratch=b.buf(scratch_size(L, E, H)), L=L, E=E, H=H,
         causal=int(bool(p["causal"])), gqkv=qkv + 1 if wanted else -1, gctx=ctx + 1, acc=0)
    _projection(b, ctx, w_out, b_out, y, E, E, L, ctx + 1 if wanted else -1, b.grad_of(nid, w_out))
    b.expose(nid, "attention", att, (H, L, L))
    return b.output(nid, y, L * E)
