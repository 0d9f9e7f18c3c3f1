"""MaxPool2D and AvgPool2D: one window statistic per channel, NCHW."""
from __future__ import annotations

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.conv import pool_backward, pool_forward
from nnstudio.engine.kernels.views import buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num

POOL = Op(
    "pool",
    [buf("x", "n * C * H * W"), buf("y", "n * C * OH * OW"), num("C"), num("H"), num("W"), num("K"), num("S"),
     num("OH"), num("OW"), flag("is_max"), grad("gx", "n * C * H * W"), buf("gy", "n * C * OH * OW"), flag("acc")],
    accumulates=("gx", "acc"),
    checks=("OH == (H - K) // S + 1", "OW == (W - K) // S + 1"),
)
X, Y, C_, H_, W_, K_, S_, OH_, OW_, IS_MAX, GX, GY, ACC = POOL.cols(
    "x", "y", "C", "H", "W", "K", "S", "OH", "OW", "is_max", "gx", "gy", "acc")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    C, H, W, OH, OW = c[C_], c[H_], c[W_], c[OH_], c[OW_]
    pool_forward(buffer(B, c[X])[: n * C * H * W].reshape((n, C, H, W)),
                 buffer(B, c[Y])[: n * C * OH * OW].reshape((n, C, OH, OW)), c[K_], c[S_], c[IS_MAX] == 1)


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    if c[GX] >= 0:
        C, H, W, OH, OW = c[C_], c[H_], c[W_], c[OH_], c[OW_]
        pool_backward(buffer(B, c[X])[: n * C * H * W].reshape((n, C, H, W)),
                      buffer(B, c[GY])[: n * C * OH * OW].reshape((n, C, OH, OW)),
                      buffer(B, c[GX])[: n * C * H * W].reshape((n, C, H, W)), c[K_], c[S_], c[IS_MAX] == 1,
                      c[ACC] == 1)


register(POOL, forward, backward)


@lowers("MaxPool2D", "AvgPool2D")
def emit(b, node):
    nid, p = node.id, node.params
    x = b.input(nid)
    C, H, W = b.in_shapes(nid)[0]
    _, OH, OW = b.shape(nid)
    K = p["kernel_size"]
    y = b.pair(C * OH * OW)
    b.op(POOL, x=x.buf, y=y, C=C, H=H, W=W, K=K, S=p["stride"] or K, OH=OH, OW=OW,
         is_max=int(node.kind == "MaxPool2D"), gx=b.grad(x), gy=y + 1, acc=0)
    return b.output(nid, y, C * OH * OW)
