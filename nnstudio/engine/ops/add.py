"""Add: the elementwise sum of several wires (one row per wire; the first copies, the rest add)."""
from __future__ import annotations

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.views import buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num

ADD = Op(
    "add",
    [buf("y", "n * size"), num("size"), buf("src", "n * size"), buf("gy", "n * size"), grad("gsrc", "n * size"),
     flag("acc"), flag("first")],
    accumulates=("gsrc", "acc"),
)
Y, SIZE, SRC, GY, GSRC, ACC, FIRST = ADD.cols("y", "size", "src", "gy", "gsrc", "acc", "first")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    m = n * c[SIZE]
    y = buffer(B, c[Y])
    s = buffer(B, c[SRC])
    if c[FIRST] == 1:
        for i in range(m):
            y[i] = s[i]
    else:
        for i in range(m):
            y[i] += s[i]


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    if c[GSRC] >= 0:
        m = n * c[SIZE]
        gy = buffer(B, c[GY])
        gs = buffer(B, c[GSRC])
        if c[ACC] == 1:
            for i in range(m):
                gs[i] += gy[i]
        else:
            for i in range(m):
                gs[i] = gy[i]


register(ADD, forward, backward)


@lowers("Add")
def emit(b, node):
    size = b.size(node.id)
    y = b.pair(size)
    for i, r in enumerate(b.input_refs(node.id)):
        src = b.contiguous([r])
        b.op(ADD, y=y, size=size, src=src.buf, gy=y + 1, gsrc=b.grad(src), acc=0, first=int(i == 0))
    return b.output(node.id, y, size)
