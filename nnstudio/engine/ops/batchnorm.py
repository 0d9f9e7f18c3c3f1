"""BatchNorm: normalize each feature (or channel) over the batch, then scale and shift."""
from __future__ import annotations

from math import prod

import numpy as np

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.norm import batchnorm_backward, batchnorm_forward
from nnstudio.engine.kernels.views import buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num

# gw and gb always name real buffers: a frozen node's sums go to its tensors' own (unused)
# gradient buffers - not to invstd, which the input gradient still needs; learn says whether
# the tensors train at all.
BATCHNORM = Op(
    "batchnorm",
    [buf("x", "n * C * S"), buf("y", "n * C * S"), buf("w", "C"), buf("b", "C"), buf("rm", "C"), buf("rv", "C"),
     buf("xhat", "n * C * S"), buf("invstd", "C"), num("C"), num("S"), grad("gx", "n * C * S"),
     buf("gy", "n * C * S"), buf("gw", "C"), buf("gb", "C"), flag("learn"), flag("acc")],
    floats=("eps", "momentum"),
    accumulates=("gx", "acc"),
)
X, Y, W, BIAS, RM, RV, XHAT, INVSTD, C_, S_, GX, GY, GW, GB, LEARN, ACC = BATCHNORM.cols(
    "x", "y", "w", "b", "rm", "rv", "xhat", "invstd", "C", "S", "gx", "gy", "gw", "gb", "learn", "acc")
EPS, MOMENTUM = BATCHNORM.fcol("eps"), BATCHNORM.fcol("momentum")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    C, S = c[C_], c[S_]
    m = n * C * S
    batchnorm_forward(buffer(B, c[X])[:m].reshape((n, C, S)), buffer(B, c[Y])[:m].reshape((n, C, S)),
                      buffer(B, c[W]), buffer(B, c[BIAS]), buffer(B, c[RM]), buffer(B, c[RV]),
                      buffer(B, c[XHAT])[:m].reshape((n, C, S)), buffer(B, c[INVSTD]), fp[o, EPS],
                      fp[o, MOMENTUM], train)


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    if c[LEARN] == 1 or c[GX] >= 0:
        C, S = c[C_], c[S_]
        m = n * C * S
        gx = buffer(B, c[GX]) if c[GX] >= 0 else buffer(B, c[X])
        batchnorm_backward(buffer(B, c[GY])[:m].reshape((n, C, S)), buffer(B, c[W]),
                           buffer(B, c[XHAT])[:m].reshape((n, C, S)), buffer(B, c[INVSTD]),
                           gx[:m].reshape((n, C, S)), buffer(B, c[GW]), buffer(B, c[GB]), c[GX] >= 0,
                           c[ACC] == 1)


register(BATCHNORM, forward, backward)


@lowers("BatchNorm")
def emit(b, node):
    nid, p = node.id, node.params
    x = b.input(nid)
    shape = b.in_shapes(nid)[0]
    C = shape[0]
    S = prod(shape[1:]) if len(shape) > 1 else 1
    shapes = b.param_shapes(nid)
    w = b.param(nid, "weight", np.ones(shapes["weight"]))
    bb = b.param(nid, "bias", np.zeros(shapes["bias"]))
    rm = b.param(nid, "running_mean", np.zeros(shapes["running_mean"]), trainable=False)
    rv = b.param(nid, "running_var", np.ones(shapes["running_var"]), trainable=False)
    size = b.size(nid)
    y = b.pair(size)
    xhat = b.buf(b.bs * size)
    invstd = b.buf(C)
    b.op(BATCHNORM, x=x.buf, y=y, w=w, b=bb, rm=rm, rv=rv, xhat=xhat, invstd=invstd, C=C, S=S, gx=b.grad(x),
         gy=y + 1, gw=w + 1, gb=bb + 1, learn=int(b.grad_of(nid, w) >= 0), acc=0, eps=float(p["eps"]),
         momentum=float(p["momentum"]))
    b.expose(nid, "xhat", xhat, b.shape(nid))
    return b.output(nid, y, size)
