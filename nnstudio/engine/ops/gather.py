"""Gather: copy columns of one buffer into columns of another (wires into a contiguous input)."""
from __future__ import annotations

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.views import as2d, buffer
from nnstudio.engine.ops.registry import register
from nnstudio.engine.ops.schema import Op, buf, grad, num

GATHER = Op(
    "gather",
    [buf("out", "n * out_w"), num("out_w"), num("out_col"), buf("src", "n * src_w"), num("src_w"),
     num("col"), num("ncols"), buf("gout", "n * out_w"), grad("gsrc", "n * src_w")],
    checks=("out_col + ncols <= out_w", "col + ncols <= src_w"),
)
OUT, OUT_W, OUT_COL, SRC, SRC_W, COL, NCOLS, GOUT, GSRC = GATHER.cols(
    "out", "out_w", "out_col", "src", "src_w", "col", "ncols", "gout", "gsrc")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    out = as2d(buffer(B, c[OUT]), n, c[OUT_W])
    src = as2d(buffer(B, c[SRC]), n, c[SRC_W])
    oc, col, nc = c[OUT_COL], c[COL], c[NCOLS]
    for i in range(n):
        for j in range(nc):
            out[i, oc + j] = src[i, col + j]


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    # always adds: the compiler zeroes every buffer gathers add into before the step
    if c[GSRC] >= 0:
        gout = as2d(buffer(B, c[GOUT]), n, c[OUT_W])
        gsrc = as2d(buffer(B, c[GSRC]), n, c[SRC_W])
        oc, col, nc = c[OUT_COL], c[COL], c[NCOLS]
        for i in range(n):
            for j in range(nc):
                gsrc[i, col + j] += gout[i, oc + j]


register(GATHER, forward, backward)
