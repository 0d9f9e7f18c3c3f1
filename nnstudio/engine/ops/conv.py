"""Conv2D (im2col + BLAS, NCHW) and the glue that calls its kernels in nnstudio.engine.kernels.conv."""
from __future__ import annotations

import numpy as np

from nnstudio.engine.init import init_tensor
from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.conv import conv_backward, conv_forward
from nnstudio.engine.kernels.views import buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num
from nnstudio.engine.threads import SCRATCH_SLOTS

# col holds one (C*K*K, OH*OW) matrix per scratch slot, pad one zero-padded channel-last plane per
# slot, gw_part two (O, C*K*K) per slot: the kernels cut the batch into as many chunks as there
# are slots; wr holds the weights in the channel-last order (see kernels.conv.HWC_MIN_CHANNELS)
CONV = Op(
    "conv",
    [buf("x", "n * C * H * W"), buf("w", "O * C * K * K"), buf("b", "O * has_bias"), buf("y", "n * O * OH * OW"),
     num("C"), num("H"), num("W"), num("O"), num("K"), num("S"), num("P"), num("OH"), num("OW"),
     buf("col", "slots * C * K * K * OH * OW"), grad("gx", "n * C * H * W"), grad("gw", "O * C * K * K"),
     buf("gb", "O * has_bias * (gw >= 0)"), buf("gw_part", "2 * slots * O * C * K * K"), flag("has_bias"),
     flag("acc"), buf("gy", "n * O * OH * OW"), num("slots"), buf("pad", "slots * (H + 2 * P) * (W + 2 * P) * C"),
     buf("wr", "O * C * K * K")],
    accumulates=("gx", "acc"),
    checks=("slots >= 1", "OH == (H + 2 * P - K) // S + 1", "OW == (W + 2 * P - K) // S + 1"),
)
(X, W_, BIAS, Y, C_, H_, WD, O_, K_, S_, P_, OH_, OW_, COL, GX, GW, GB, GW_PART, HAS_BIAS, ACC,
 GY, PAD, WR) = CONV.cols("x", "w", "b", "y", "C", "H", "W", "O", "K", "S", "P", "OH", "OW", "col", "gx", "gw",
                          "gb", "gw_part", "has_bias", "acc", "gy", "pad", "wr")


@kernel(inline="always")
def _slots(a, rows, cols):
    """A scratch buffer as (slots, rows, cols): one (rows, cols) matrix per chunk of the batch."""
    return a.reshape((a.size // (rows * cols), rows, cols))


@kernel(inline="always")
def _per_slot(a, size):
    """A scratch buffer as (slots, size): one flat scratch area per chunk of the batch."""
    return a.reshape((a.size // size, size))


@kernel(inline="always")
def _pad(B, c):
    """The padded channel-last planes, one row per slot."""
    P = c[P_]
    return _per_slot(buffer(B, c[PAD]), (c[H_] + 2 * P) * (c[WD] + 2 * P) * c[C_])


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    C, H, W, O, K, OH, OW = c[C_], c[H_], c[WD], c[O_], c[K_], c[OH_], c[OW_]
    x = buffer(B, c[X])[: n * C * H * W].reshape((n, C, H, W))
    w2 = buffer(B, c[W_]).reshape((O, C * K * K))
    y = buffer(B, c[Y])[: n * O * OH * OW].reshape((n, O, OH * OW))
    conv_forward(x, w2, buffer(B, c[BIAS]), y, _per_slot(buffer(B, c[COL]), C * K * K * OH * OW),
                 _pad(B, c), buffer(B, c[WR]).reshape((O, C * K * K)), K, c[S_], c[P_], OH, OW, c[HAS_BIAS] == 1)


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    gx = c[GX]
    gw = c[GW]
    if gx >= 0 or gw >= 0:
        C, H, W, O, K, OH, OW = c[C_], c[H_], c[WD], c[O_], c[K_], c[OH_], c[OW_]
        x = buffer(B, c[X])[: n * C * H * W].reshape((n, C, H, W))
        w2 = buffer(B, c[W_]).reshape((O, C * K * K))
        gy = buffer(B, c[GY])[: n * O * OH * OW].reshape((n, O, OH * OW))
        gxa = (buffer(B, gx) if gx >= 0 else buffer(B, c[X]))[: n * C * H * W].reshape((n, C, H, W))
        gwa = (buffer(B, gw) if gw >= 0 else buffer(B, c[W_])).reshape((O, C * K * K))
        gba = buffer(B, c[GB]) if (gw >= 0 and c[HAS_BIAS] == 1) else buffer(B, c[BIAS])
        conv_backward(x, w2, gy, gxa, gwa, gba, _per_slot(buffer(B, c[COL]), C * K * K * OH * OW),
                      _pad(B, c), buffer(B, c[WR]).reshape((O, C * K * K)),
                      _slots(buffer(B, c[GW_PART]), O, C * K * K), K, c[S_], c[P_], OH, OW, gx >= 0, gw >= 0,
                      c[HAS_BIAS] == 1, c[ACC] == 1)


register(CONV, forward, backward)


@lowers("Conv2D")
def emit(b, node):
    nid, p = node.id, node.params
    x = b.input(nid)
    C, H, W = b.in_shapes(nid)[0]
    O, OH, OW = b.shape(nid)
    K, S, P = p["kernel_size"], p["stride"], p["padding"]
    shapes = b.param_shapes(nid)
    w = b.param(nid, "weight", init_tensor(b.rng, p["init"], shapes["weight"], C * K * K, O * K * K))
    has_bias = "bias" in shapes
    bb = b.param(nid, "bias", np.zeros(shapes["bias"])) if has_bias else 0
    gw = b.grad_of(nid, w)
    gb = (bb + 1 if has_bias else 0) if gw >= 0 else 0
    slots = min(SCRATCH_SLOTS, b.bs)  # the kernels run the batch in this many chunks
    col = b.buf(slots * C * K * K * OH * OW)
    gw_part = b.buf(2 * slots * O * C * K * K)
    pad = b.buf(slots * (H + 2 * P) * (W + 2 * P) * C)
    wr = b.buf(O * C * K * K)
    y = b.pair(O * OH * OW)
    b.op(CONV, x=x.buf, w=w, b=bb, y=y, C=C, H=H, W=W, O=O, K=K, S=S, P=P, OH=OH, OW=OW, col=col, gx=b.grad(x),
         gw=gw, gb=gb, gw_part=gw_part, has_bias=int(has_bias), acc=0, gy=y + 1, slots=slots, pad=pad, wr=wr)
    return b.output(nid, y, O * OH * OW)
