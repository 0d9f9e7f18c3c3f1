"""Neuron: hand-wired neurons of one depth run as one masked dense operation with packed weights."""
from __future__ import annotations

from nnstudio.engine.init import init_tensor
from nnstudio.engine.kernels import kernel
from nnstudio.engine.kernels.dense import neurons_backward, neurons_forward
from nnstudio.engine.kernels.views import as2d, buffer
from nnstudio.engine.ops.registry import lowers, register
from nnstudio.engine.ops.schema import Op, buf, flag, grad, ibuf, num

# Unit j reads the packed columns idx[off[j]:off[j+1]] of u with the weights w[off[j]:off[j+1]].
NEURONS = Op(
    "neurons",
    [buf("u", "n * uw"), buf("w", "nw"), buf("b", "k"), buf("z", "n * k"), buf("a", "n * k"), num("uw"),
     num("k"), ibuf("idx", "nw"), ibuf("off", "k + 1"), num("act"), grad("gu", "n * uw"), grad("gw", "nw"),
     grad("gb", "k"), buf("gz", "n * k"), buf("ga", "n * k"), flag("acc"), num("nw")],
    floats=("slope",),
    accumulates=("gu", "acc"),
)
U, W, BIAS, Z, A, UW, K, IDX, OFF, ACT, GU, GW, GB, GZ, GA, ACC = NEURONS.cols(
    "u", "w", "b", "z", "a", "uw", "k", "idx", "off", "act", "gu", "gw", "gb", "gz", "ga", "acc")
SLOPE = NEURONS.fcol("slope")


@kernel(inline="always")
def forward(c, fp, o, B, IB, n, train):
    uw, k = c[UW], c[K]
    neurons_forward(as2d(buffer(B, c[U]), n, uw), buffer(B, c[W]), buffer(B, c[BIAS]), buffer(IB, c[IDX]),
                    buffer(IB, c[OFF]), as2d(buffer(B, c[Z]), n, k), as2d(buffer(B, c[A]), n, k), c[ACT],
                    fp[o, SLOPE])


@kernel(inline="always")
def backward(c, fp, o, B, IB, n):
    gu = c[GU]
    gw = c[GW]
    if gu >= 0 or gw >= 0:
        uw, k = c[UW], c[K]
        neurons_backward(
            as2d(buffer(B, c[U]), n, uw),
            buffer(B, c[W]),
            buffer(IB, c[IDX]),
            buffer(IB, c[OFF]),
            as2d(buffer(B, c[Z]), n, k),
            as2d(buffer(B, c[A]), n, k),
            as2d(buffer(B, c[GA]), n, k),
            as2d(buffer(B, c[GZ]), n, k),
            as2d(buffer(B, gu) if gu >= 0 else buffer(B, c[U]), n, uw),
            buffer(B, gw) if gw >= 0 else buffer(B, c[W]),
            buffer(B, c[GB]) if c[GB] >= 0 else buffer(B, c[BIAS]),
            c[ACT],
            fp[o, SLOPE],
            gu >= 0,
            gw >= 0,
            c[ACC] == 1,
        )


register(NEURONS, forward, backward)


def _groups(b) -> dict[tuple, list[str]]:
    """Neurons by (depth, activation, frozen), each list in schedule order (computed once)."""
    if "neuron_groups" not in b.memo:
        groups: dict[tuple, list[str]] = {}
        for m in b.order:
            node = b.g.nodes[m]
            if node.kind == "Neuron":
                key = (b.depth[m], node.params["activation"], bool(node.params.get("frozen")))
                groups.setdefault(key, []).append(m)
        b.memo["neuron_groups"] = groups
    return b.memo["neuron_groups"]


@lowers("Neuron")
def emit(b, node):
    """Lowers the whole group of ``node`` at once (the others then find their refs made)."""
    p = node.params
    members = _groups(b)[(b.depth[node.id], p["activation"], bool(p.get("frozen")))]
    union = []
    keys: dict[tuple[int, int], int] = {}
    idx: list[int] = []
    off = [0]
    for m in members:
        for r in b.input_refs(m):
            key = (r.buf, r.col)
            if key not in keys:
                keys[key] = sum(u.ncols for u in union)
                union.append(r)
            idx.extend(range(keys[key], keys[key] + r.ncols))
        off.append(len(idx))
    u = b.contiguous(union) if union else b.nothing()
    k = len(members)
    code = b.activation_code(p["activation"])
    frozen = bool(p.get("frozen"))
    w = b.buf(len(idx))
    gwb = b.buf(len(idx))
    bias = b.buf(k)
    gbb = b.buf(k)
    b.param_bufs += [w, bias]
    for j, m in enumerate(members):
        n_in = off[j + 1] - off[j]
        init = b.g.nodes[m].params["init"]
        b.arrays[w][off[j]:off[j + 1]] = init_tensor(b.rng, init, (n_in,), n_in, 1)
        b.params[m] = {"weight": b.arrays[w][off[j]:off[j + 1]].reshape(1, n_in),
                       "bias": b.arrays[bias][j:j + 1]}
        b.grads[m] = {"weight": b.arrays[gwb][off[j]:off[j + 1]].reshape(1, n_in),
                      "bias": b.arrays[gbb][j:j + 1]}
        b.act_codes[m] = code
    if not frozen:
        b.optimize(w, gwb)
        b.optimize(bias, gbb)
    z = b.pair(k)
    a = b.pair(k)
    b.op(NEURONS, u=u.buf, w=w, b=bias, z=z, a=a, uw=u.width, k=k, idx=b.ibuf(idx), off=b.ibuf(off), act=code,
         gu=b.grad(u), gw=-1 if frozen else gwb, gb=-1 if frozen else gbb, gz=z + 1, ga=a + 1, acc=0, nw=len(idx),
         slope=b.slope(code))
    grad_flows = (not frozen) or u.grad
    for j, m in enumerate(members):
        b.set_output(m, b.ref(a, k, j, 1, grad_flows), (1,))
    return b.refs[node.id]
