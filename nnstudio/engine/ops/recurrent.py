"""RNN (tanh/relu), LSTM, GRU: one row per node; the kernels are in
:mod:`nnstudio.engine.kernels.recurrent` (forward and backpropagation through time).

A node's tensors live in one packed parameter buffer (its gradient in another), in the order
the kind's ``param_rule`` lists them (per layer, per direction: ``weight_ih``, ``weight_hh``,
``bias_ih``, ``bias_hh``), which is the order the kernels read; the plan's ``params`` and
``grads`` are views of it under PyTorch's names, so exporters, checkpoints and views see
ordinary tensors. The optimizer (and gradient clipping) sees the packed buffer as one tensor,
which covers all of them. Exposed per node (``plan.internals(nid)``): ``hidden``, the top
layer's hidden state at every step ``(steps, D*hidden)``, and ``hidden_grad``, the total d loss /
d those states through time (what reaches a state from the layer above plus what flows back to
it from the later steps) after a backward pass.
"""
from __future__ import annotations

from math import prod, sqrt

from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels import recurrent as K
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, num

_PARAMS = "D * (G * H * (F + H) + 2 * G * H * bias) + (L - 1) * D * (G * H * (D * H + H) + 2 * G * H * bias)"
RECURRENT = Op(
    "recurrent",
    [buf("x", "n * T * F"), buf("params", _PARAMS), grad("grads", _PARAMS),
     buf("y", "n * (T * D * H if ret else D * H)"), buf("seq", "n * T * D * H"), buf("ws", "n * ws_per"),
     num("T"), num("F"), num("H"), num("L"), num("D"), num("cell"), flag("bias"), flag("ret"),
     grad("gx", "n * T * F"), flag("acc"), num("G"), num("ws_per"),
     buf("gy", "n * (T * D * H if ret else D * H)"), buf("gseq", "n * T * D * H"), buf("hgrad", "n * T * D * H")],
    accumulates=("gx", "acc"),
    checks=("gy == y + 1", "gseq == seq + 1", "D in (1, 2)", "G == (4 if cell == 2 else 3 if cell == 3 else 1)"),
)
# the kernels read the row by these columns
assert RECURRENT.cols("x", "params", "grads", "y", "seq", "ws", "T", "F", "H", "L", "D", "cell", "bias", "ret",
                      "gx", "acc") == tuple(range(K.R_X, K.R_ACC + 1))
assert RECURRENT.cols("hgrad") == (K.R_HGRAD,)

GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    K.recurrent_forward(c, B, n)


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    K.recurrent_backward(c, B, n)


register(RECURRENT, forward, backward)


def cell_code(kind: str, params: dict) -> int:
    if kind == "LSTM":
        return K.LSTM
    if kind == "GRU":
        return K.GRU
    return K.RNN_RELU if params.get("nonlinearity") == "relu" else K.RNN_TANH


@lowers("RNN", "LSTM", "GRU")
def emit(b, node):
    nid, p = node.id, node.params
    x = b.input(nid)
    T, F = b.in_shapes(nid)[0]
    H, L = p["hidden_size"], p["num_layers"]
    D = 2 if p["bidirectional"] else 1
    G = GATES[node.kind]
    has_bias = bool(p.get("bias", True))
    frozen = bool(p.get("frozen"))
    shapes = b.param_shapes(nid)  # the registry's rule, in the kernels' packing order
    size = sum(prod(s) for s in shapes.values())
    assert size == K.param_size(F, H, L, D, G, has_bias)
    pbuf, gbuf = b.buf(size), b.buf(size)
    b.param_bufs.append(pbuf)
    bound = 1.0 / sqrt(H)  # PyTorch's initialisation: every tensor uniform in +-1/sqrt(hidden_size)
    b.arrays[pbuf][:] = b.rng.uniform(-bound, bound, size)
    b.params[nid], b.grads[nid] = {}, {}
    off = 0
    for name, shape in shapes.items():
        k = prod(shape)
        b.params[nid][name] = b.arrays[pbuf][off:off + k].reshape(shape)
        b.grads[nid][name] = b.arrays[gbuf][off:off + k].reshape(shape)
        off += k
    if not frozen:
        b.optimize(pbuf, gbuf)
    W = D * H
    ret = bool(p["return_sequences"])
    out_size = b.size(nid)
    y = b.pair(out_size)
    seq = y if ret else b.pair(T * W)  # every step's top-layer state, batch first
    ws_per = int(K.workspace_layout(1, T, F, H, L, D, G)[-1])  # the workspace grows linearly with n
    ws = b.buf(b.bs * ws_per)
    hgrad = b.buf(b.bs * T * W)
    b.op(RECURRENT, x=x.buf, params=pbuf, grads=-1 if frozen else gbuf, y=y, seq=seq, ws=ws, T=T, F=F, H=H, L=L,
         D=D, cell=cell_code(node.kind, p), bias=int(has_bias), ret=int(ret), gx=b.grad(x), acc=0, G=G,
         ws_per=ws_per, gy=y + 1, gseq=seq + 1, hgrad=hgrad)
    b.expose(nid, "hidden", seq, (T, W))
    b.expose(nid, "hidden_grad", hgrad, (T, W))
    return b.output(nid, y, out_size)
