"""Dropout: zero each value with probability p while training (scaling the rest by 1 / (1 - p))."""
from __future__ import annotations

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.misc import dropout_backward, dropout_forward
from nnstudio.engine.kernels.views import buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num

DROPOUT = Op(
    "dropout",
    [buf("x", "n * size"), buf("y", "n * size"), buf("mask", "n * size"), num("size"), grad("gx", "n * size"),
     buf("gy", "n * size"), flag("acc")],
    floats=("p",),
    accumulates=("gx", "acc"),
)
X, Y, MASK, SIZE, GX, GY, ACC = DROPOUT.cols("x", "y", "mask", "size", "gx", "gy", "acc")
P = DROPOUT.fcol("p")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    m = n * c[SIZE]
    dropout_forward(buffer(B, c[X])[:m], buffer(B, c[Y])[:m], buffer(B, c[MASK])[:m], fp[o, P], train)


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    if c[GX] >= 0:
        m = n * c[SIZE]
        dropout_backward(buffer(B, c[GY])[:m], buffer(B, c[MASK])[:m], buffer(B, c[GX])[:m], c[ACC] == 1)


register(DROPOUT, forward, backward)


@lowers("Dropout")
def emit(b, node):
    x = b.input(node.id)
    size = b.size(node.id)
    y = b.pair(size)
    mask = b.buf(b.bs * size)
    b.op(DROPOUT, x=x.buf, y=y, mask=mask, size=size, gx=b.grad(x), gy=y + 1, acc=0, p=float(node.params["p"]))
    b.expose(node.id, "mask", mask, b.shape(node.id))
    return b.output(node.id, y, size)
