"""LayerNorm: normalize each sample over all its values, then scale and shift elementwise."""
from __future__ import annotations

import numpy as np

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.norm import layernorm_backward, layernorm_forward
from nnstudio.engine.kernels.views import as2d, buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num

# gw, gb and learn: as BatchNorm's
LAYERNORM = Op(
    "layernorm",
    [buf("x", "n * F"), buf("y", "n * F"), buf("w", "F"), buf("b", "F"), buf("xhat", "n * F"),
     buf("invstd", "n"), num("F"), grad("gx", "n * F"), buf("gy", "n * F"), buf("gw", "F"), buf("gb", "F"),
     flag("learn"), flag("acc")],
    floats=("eps",),
    accumulates=("gx", "acc"),
)
X, Y, W, BIAS, XHAT, INVSTD, F_, GX, GY, GW, GB, LEARN, ACC = LAYERNORM.cols(
    "x", "y", "w", "b", "xhat", "invstd", "F", "gx", "gy", "gw", "gb", "learn", "acc")
EPS = LAYERNORM.fcol("eps")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    F = c[F_]
    layernorm_forward(as2d(buffer(B, c[X]), n, F), as2d(buffer(B, c[Y]), n, F), buffer(B, c[W]),
                      buffer(B, c[BIAS]), as2d(buffer(B, c[XHAT]), n, F), buffer(B, c[INVSTD]), fp[o, EPS])


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    if c[LEARN] == 1 or c[GX] >= 0:
        F = c[F_]
        gx = buffer(B, c[GX]) if c[GX] >= 0 else buffer(B, c[X])
        layernorm_backward(as2d(buffer(B, c[GY]), n, F), buffer(B, c[W]), as2d(buffer(B, c[XHAT]), n, F),
                           buffer(B, c[INVSTD]), as2d(gx, n, F), buffer(B, c[GW]), buffer(B, c[GB]), c[GX] >= 0,
                           c[ACC] == 1)


register(LAYERNORM, forward, backward)


@lowers("LayerNorm")
def emit(b, node):
    nid = node.id
    x = b.input(nid)
    shapes = b.param_shapes(nid)
    w = b.param(nid, "weight", np.ones(shapes["weight"]))
    bb = b.param(nid, "bias", np.zeros(shapes["bias"]))
    size = b.size(nid)
    y = b.pair(size)
    xhat = b.buf(b.bs * size)
    invstd = b.buf(b.bs)
    b.op(LAYERNORM, x=x.buf, y=y, w=w, b=bb, xhat=xhat, invstd=invstd, F=size, gx=b.grad(x), gy=y + 1, gw=w + 1,
         gb=bb + 1, learn=int(b.grad_of(nid, w) >= 0), acc=0, eps=float(node.params["eps"]))
    b.expose(nid, "xhat", xhat, b.shape(nid))
    return b.output(nid, y, size)
