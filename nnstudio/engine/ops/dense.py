"""Dense: ``y = x w^T + b`` for a batch (BLAS)."""
from __future__ import annotations

import numpy as np

from nnstudio.engine.init import init_tensor
from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.dense import dense_backward, dense_forward
from nnstudio.engine.kernels.views import as2d, buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num

DENSE = Op(
    "dense",
    [buf("x", "n * fin"), buf("w", "fout * fin"), buf("b", "fout * has_bias"), buf("y", "n * fout"),
     num("fin"), num("fout"), grad("gx", "n * fin"), grad("gw", "fout * fin"),
     buf("gb", "fout * has_bias * (gw >= 0)"), buf("scratch", "n * fin"), flag("has_bias"), flag("acc"),
     buf("gy", "n * fout")],
    accumulates=("gx", "acc"),
)
X, W, BIAS, Y, FIN, FOUT, GX, GW, GB, SCRATCH, HAS_BIAS, ACC, GY = DENSE.cols(
    "x", "w", "b", "y", "fin", "fout", "gx", "gw", "gb", "scratch", "has_bias", "acc", "gy")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    fin, fout = c[FIN], c[FOUT]
    dense_forward(as2d(buffer(B, c[X]), n, fin), as2d(buffer(B, c[W]), fout, fin), buffer(B, c[BIAS]),
                  as2d(buffer(B, c[Y]), n, fout), c[HAS_BIAS] == 1)


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    gx = c[GX]
    gw = c[GW]
    if gx >= 0 or gw >= 0:
        fin, fout = c[FIN], c[FOUT]
        dense_backward(
            as2d(buffer(B, c[X]), n, fin),
            as2d(buffer(B, c[W]), fout, fin),
            as2d(buffer(B, c[GY]), n, fout),
            # an absent gradient gets a placeholder of the right type that the kernel leaves alone
            as2d(buffer(B, max(gx, 0)), n, fin) if gx >= 0 else as2d(buffer(B, c[X]), n, fin),
            as2d(buffer(B, max(gw, 0)), fout, fin) if gw >= 0 else as2d(buffer(B, c[W]), fout, fin),
            buffer(B, c[GB]) if gw >= 0 else buffer(B, c[BIAS]),
            as2d(buffer(B, c[SCRATCH]), n, fin),
            gx >= 0,
            gw >= 0,
            c[HAS_BIAS] == 1,
            c[ACC] == 1,
        )


register(DENSE, forward, backward)


@lowers("Dense")
def emit(b, node):
    nid, p = node.id, node.params
    x = b.input(nid)
    shapes = b.param_shapes(nid)
    fout, fin = shapes["weight"]
    w = b.param(nid, "weight", init_tensor(b.rng, p["init"], (fout, fin), fin, fout))
    has_bias = "bias" in shapes
    bb = b.param(nid, "bias", np.zeros(shapes["bias"])) if has_bias else 0
    gw = b.grad_of(nid, w)
    gb = (bb + 1 if has_bias else 0) if gw >= 0 else 0
    y = b.pair(fout)
    scratch = b.buf(b.bs * fin)  # the kernels reshape it even when unused
    b.op(DENSE, x=x.buf, w=w, b=bb, y=y, fin=fin, fout=fout, gx=b.grad(x), gw=gw, gb=gb, scratch=scratch,
         has_bias=int(has_bias), acc=0, gy=y + 1)
    return b.output(nid, y, fout)
