"""Embedding: a learned vector per whole-number token."""
from __future__ import annotations

from nnstudio.engine.init import init_tensor
from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.misc import embedding_backward, embedding_forward
from nnstudio.engine.kernels.views import as2d, buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, grad, num

# no input gradient: tokens are not differentiable
EMBED = Op(
    "embed",
    [buf("x", "n * L"), buf("w", "V * D"), buf("y", "n * L * D"), num("L"), num("D"), num("V"),
     grad("gw", "V * D"), buf("gy", "n * L * D")],
)
X, W, Y, L_, D_, V_, GW, GY = EMBED.cols("x", "w", "y", "L", "D", "V", "gw", "gy")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    L, D, V = c[L_], c[D_], c[V_]
    embedding_forward(as2d(buffer(B, c[X]), n, L), buffer(B, c[W]).reshape((V, D)),
                      buffer(B, c[Y])[: n * L * D].reshape((n, L, D)))


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    if c[GW] >= 0:
        L, D, V = c[L_], c[D_], c[V_]
        embedding_backward(as2d(buffer(B, c[X]), n, L), buffer(B, c[GY])[: n * L * D].reshape((n, L, D)),
                           buffer(B, c[GW]).reshape((V, D)))


register(EMBED, forward, backward)


@lowers("Embedding")
def emit(b, node):
    nid, p = node.id, node.params
    x = b.input(nid)
    L = b.in_shapes(nid)[0][0]
    V, D = b.param_shapes(nid)["weight"]
    w = b.param(nid, "weight", init_tensor(b.rng, p["init"], (V, D), V, D))
    size = b.size(nid)
    y = b.pair(size)
    b.op(EMBED, x=x.buf, w=w, y=y, L=L, D=D, V=V, gw=b.grad_of(nid, w), gy=y + 1)
    if b.predecessors(nid) == [b.input_id]:
        b.embedding_inputs.append((V, 0))  # the plan checks the data's tokens against V
    return b.output(nid, y, size)
