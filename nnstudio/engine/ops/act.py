"""Activation: ``y = f(x)`` elementwise (softmax: per sample). The example op to copy.

An op module has four parts: the row schema, the forward and backward kernels that read
the row through the schema's column constants, the registration, and the lowering that
emits rows for nodes of its kind(s).
"""
from __future__ import annotations

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.activations import act_backward, act_forward
from nnstudio.engine.kernels.views import as2d, buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num

# 1. The row: field names -> columns, with how many values each buffer must hold (n = batch).
ACT = Op(
    "act",
    [buf("x", "n * f"), buf("y", "n * f"), num("f"), num("code"),
     grad("gx", "n * f"), buf("gy", "n * f"), flag("acc")],
    floats=("slope",),
    accumulates=("gx", "acc"),  # backward writes gx; the compiler decides add vs overwrite
)
# 2. Column constants: module globals, so numba compiles them into the code as literals.
X, Y, F, CODE, GX, GY, ACC = ACT.cols("x", "y", "f", "code", "gx", "gy", "acc")
SLOPE = ACT.fcol("slope")


# 3. Kernels: (row, float table, row number, buffers, index tables, batch rows[, train]).
@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    f = c[F]
    act_forward(as2d(buffer(B, c[X]), n, f), as2d(buffer(B, c[Y]), n, f), c[CODE], fp[o, SLOPE])


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    if c[GX] >= 0:
        f = c[F]
        act_backward(as2d(buffer(B, c[X]), n, f), as2d(buffer(B, c[Y]), n, f), as2d(buffer(B, c[GY]), n, f),
                     as2d(buffer(B, c[GX]), n, f), c[CODE], fp[o, SLOPE], c[ACC] == 1)


register(ACT, forward, backward)


# 4. The lowering: a node of kind Activation -> its rows; returns where its output lives.
@lowers("Activation")
def emit(b, node):
    x = b.input(node.id)
    size = b.size(node.id)
    y = b.pair(size)  # the output and, at y + 1, its gradient
    code = b.activation_code(node.params["function"])
    b.act_codes[node.id] = code
    b.op(ACT, x=x.buf, y=y, f=size, code=code, gx=b.grad(x), gy=y + 1, acc=0, slope=b.slope(code))
    return b.output(node.id, y, size)
