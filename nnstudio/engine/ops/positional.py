"""PositionalEmbedding: adds a vector per position (a learned table, or fixed sinusoids)."""
from __future__ import annotations

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.attention import positional_backward, positional_forward, sinusoidal_table
from nnstudio.engine.kernels.views import as2d, buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num

# f = positions x dim of the input; the table holds max_len x dim (rows past the sequence unused)
POSITIONAL = Op(
    "positional",
    [buf("x", "n * f"), buf("table", "t"), buf("y", "n * f"), num("f"), num("t"), grad("gx", "n * f"),
     grad("gtable", "t"), buf("gy", "n * f"), flag("acc")],
    accumulates=("gx", "acc"),
    checks=("t >= f",),
)
X, TABLE, Y, F_, T_, GX, GTABLE, GY, ACC = POSITIONAL.cols("x", "table", "y", "f", "t", "gx", "gtable", "gy", "acc")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    f = c[F_]
    positional_forward(as2d(buffer(B, c[X]), n, f), buffer(B, c[TABLE]), as2d(buffer(B, c[Y]), n, f))


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    if c[GX] >= 0 or c[GTABLE] >= 0:
        f = c[F_]
        positional_backward(
            as2d(buffer(B, c[GY]), n, f),
            as2d(buffer(B, c[GX]), n, f) if c[GX] >= 0 else as2d(buffer(B, c[X]), n, f),
            buffer(B, c[GTABLE]) if c[GTABLE] >= 0 else buffer(B, c[TABLE]),
            c[GX] >= 0, c[GTABLE] >= 0, c[ACC] == 1)


register(POSITIONAL, forward, backward)


@lowers("PositionalEmbedding")
def emit(b, node):
    nid, p = node.id, node.params
    x = b.input(nid)
    L, D = b.shape(nid)
    T = int(p["max_len"])
    if p.get("mode") == "sinusoidal":
        table = b.param(nid, "table", sinusoidal_table(T, D), trainable=False)
        gt = -1
    else:
        # N(0, 0.1^2): small next to the token vectors at first, so neither drowns the other
        table = b.param(nid, "weight", 0.1 * b.rng.normal(size=(T, D)))
        gt = b.grad_of(nid, table)
    y = b.pair(L * D)
    b.op(POSITIONAL, x=x.buf, table=table, y=y, f=L * D, t=T * D, gx=b.grad(x), gtable=gt, gy=y + 1, acc=0)
    return b.output(nid, y, L * D)
