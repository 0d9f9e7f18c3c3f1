"""Graph -> Program: the operation table, buffers and parameters a Plan runs.

Nodes are scheduled by depth (longest path from the Input), which is a
topological order that also puts every hand-wired Neuron of one depth side by
side, so each such set compiles into one masked dense operation. Every node
output gets an activation buffer and, right after it, its gradient buffer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import Any

import numpy as np

from nnstudio.engine import attention_lowering
from nnstudio.engine import interpreter as I
from nnstudio.engine.init import init_tensor
from nnstudio.engine.kernels.activations import ELU, LEAKY_RELU
from nnstudio.engine.threads import SCRATCH_SLOTS
from nnstudio.errors import CompileError
from nnstudio.graph import Graph, kinds

ACTIVATION_CODES = {name: i for i, name in enumerate(
    ("linear", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softplus", "swish", "softmax"))}
LOSS_CODES = {"mse": 0, "mae": 1, "bce": 2, "cross_entropy": 3}
DTYPES = {"float32": np.float32, "float64": np.float64}


def _slope(code: int) -> float:
    return 0.01 if code == LEAKY_RELU else (1.0 if code == ELU else 0.0)


ALIGN = 64  # bytes: one cache line, and a whole AVX-512 register


def aligned_zeros(size: int, dtype: Any) -> np.ndarray:
    """Zeros starting on a cache-line boundary. numpy only promises 16 bytes; BLAS and the
    vectorized loops run measurably slower (and vary from run to run) on misaligned buffers."""
    itemsize = np.dtype(dtype).itemsize
    raw = np.zeros(size + ALIGN // itemsize, dtype)
    skip = (-raw.ctypes.data % ALIGN) // itemsize
    return raw[skip:skip + size]


def _lay_out(arrays: list[np.ndarray], params: list[int], dtype: Any) -> tuple[
        tuple[np.ndarray, np.ndarray], list[np.ndarray], int]:
    """Copy the buffers into one arena (see :mod:`nnstudio.engine.interpreter`), each starting
    on a cache line and the parameters first; returns ``(arena, offsets)``, the buffers as views
    of the arena, and how many leading floats of the arena hold the parameters."""
    step = ALIGN // np.dtype(dtype).itemsize
    first = set(params)
    order = list(params) + [i for i in range(len(arrays)) if i not in first]
    offs = np.zeros((len(arrays), 2), np.int64)
    end = param_floats = 0
    for k, i in enumerate(order):
        if k == len(params):
            param_floats = end
        offs[i] = end, end + arrays[i].size
        end += -(-arrays[i].size // step) * step
    arena = aligned_zeros(max(1, end), dtype)
    views = []
    for (start, stop), a in zip(offs, arrays):
        views.append(arena[start:stop])
        views[-1][:] = a
    return (arena, offs), views, param_floats


def _rebased(tensors: dict[str, dict[str, np.ndarray]], old: list[np.ndarray],
             new: list[np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """The same tensors as views of the new buffers (a tensor may be any slice of a buffer)."""
    starts = [(a.__array_interface__["data"][0], a.nbytes, i) for i, a in enumerate(old)]

    def move(t: np.ndarray) -> np.ndarray:
        addr = t.__array_interface__["data"][0]
        for start, nbytes, i in starts:
            if start <= addr < start + nbytes:
                k = (addr - start) // t.itemsize
                return new[i][k:k + t.size].reshape(t.shape)
        raise AssertionError("a tensor outside every buffer")

    return {nid: {name: move(t) for name, t in d.items()} for nid, d in tensors.items()}


@dataclass
class Ref:
    """Where a node's output lives: columns [col, col+ncols) of a buffer `width` wide per sample."""

    buf: int
    width: int
    col: int
    ncols: int
    grad: bool  # whether gradients must flow back into it

    @property
    def full(self) -> bool:
        return self.col == 0 and self.ncols == self.width


@dataclass
class Program:
    code: np.ndarray
    fp: np.ndarray
    B: list[np.ndarray]  # buffer i, a view of the arena
    mem: tuple[np.ndarray, np.ndarray]  # (arena, offsets): what the compiled code gets
    IB: tuple[np.ndarray, np.ndarray]  # the index tables, as an (arena, offsets) pair like ``mem``
    zero: np.ndarray
    ld: np.ndarray
    optc: np.ndarray
    dtype: Any
    batch_size: int
    input_id: str
    input_shape: tuple[int, ...]
    output_id: str
    loss: str
    n_outputs: int
    params: dict[str, dict[str, np.ndarray]]
    grads: dict[str, dict[str, np.ndarray]]
    outputs: dict[str, tuple[Ref, tuple[int, ...]]]  # node id -> where its output lives, per-sample shape
    act_codes: dict[str, int]
    opt_state: list[int] = field(default_factory=list)
    embedding_inputs: list[tuple[int, int]] = field(default_factory=list)  # (num_embeddings) checks
    kinds: dict[str, str] = field(default_factory=dict)
    graph: Graph | None = None
    param_bufs: list[int] = field(default_factory=list)
    param_floats: int = 0  # the parameters are the arena's first param_floats values
    positions: int = 1  # >1: the Output has one class per position of a sequence of this length
    exposed: dict[str, tuple[int, tuple[int, ...]]] = field(default_factory=dict)  # node -> (buffer, shape)


class _Builder:
    def __init__(self, graph: Graph, batch_size: int, seed: int, dtype: Any) -> None:
        self.g = graph
        self.bs = batch_size
        self.dtype = dtype
        self.rng = np.random.default_rng(seed)
        self.arrays: list[np.ndarray] = [np.zeros(1, dtype)]  # buffer 0: a dummy for absent tensors
        self.index_arrays: list[np.ndarray] = [np.zeros(1, np.int64)]
        self.code: list[list[int]] = []
        self.fp: list[list[float]] = []
        self.writes: list[tuple[int, int, int]] = []  # (op row, gradient-target column, acc column)
        self.zero: set[int] = set()
        self.optc: list[list[int]] = []
        self.params: dict[str, dict[str, np.ndarray]] = {}
        self.grads: dict[str, dict[str, np.ndarray]] = {}
        self.refs: dict[str, Ref] = {}
        self.outputs: dict[str, tuple[Ref, tuple[int, ...]]] = {}
        self.act_codes: dict[str, int] = {}
        self.param_bufs: list[int] = []
        self.exposed: dict[str, tuple[int, tuple[int, ...]]] = {}

    # --- buffers ------------------------------------------------------------------
    def buf(self, size: int) -> int:
        self.arrays.append(np.zeros(max(1, size), self.dtype))  # staging: the arena aligns
        return len(self.arrays) - 1

    def pair(self, per_sample: int) -> int:
        """An activation buffer and its gradient buffer (index + 1)."""
        a = self.buf(self.bs * per_sample)
        self.buf(self.bs * per_sample)
        return a

    def ibuf(self, values: list[int]) -> int:
        self.index_arrays.append(np.asarray(values if values else [0], dtype=np.int64))
        return len(self.index_arrays) - 1

    def op(self, row: list[int], fp: tuple[float, ...] = ()) -> int:
        row = row + [0] * (I.CODE_WIDTH - len(row))
        self.code.append(row)
        self.fp.append(list(fp) + [0.0] * (I.FP_WIDTH - len(fp)))
        return len(self.code) - 1

    def grad_write(self, op_row: int, target_col: int, acc_col: int) -> None:
        if self.code[op_row][target_col] >= 0:
            self.writes.append((op_row, target_col, acc_col))

    def param(self, nid: str, name: str, value: np.ndarray, trainable: bool, frozen: bool) -> int:
        b = self.buf(value.size)
        self.param_bufs.append(b)
        self.arrays[b][:] = value.ravel()
        self.params.setdefault(nid, {})[name] = self.arrays[b].reshape(value.shape)
        if not trainable:
            return b
        g = self.buf(value.size)
        self.grads.setdefault(nid, {})[name] = self.arrays[g].reshape(value.shape)
        if not frozen:
            self.optc.append([b, g, self.buf(value.size), self.buf(value.size)])
        return b

    def grad_of(self, b: int, nid: str, name: str) -> int:
        """The gradient buffer of parameter buffer b (allocated right after it), or -1 if frozen."""
        return -1 if self.g.nodes[nid].params.get("frozen") else b + 1

    # --- inputs ---------------------------------------------------------------------
    def contiguous(self, refs: list[Ref]) -> Ref:
        """One full buffer holding these refs side by side (a gather unless it already is one)."""
        if len(refs) == 1 and refs[0].full:
            return refs[0]
        width = sum(r.ncols for r in refs)
        out = self.pair(width)
        col = 0
        for r in refs:
            gsrc = r.buf + 1 if r.grad else -1
            self.op([I.GATHER, out, width, col, r.buf, r.width, r.col, r.ncols, out + 1, gsrc])
            if gsrc >= 0:
                self.zero.add(gsrc)
            col += r.ncols
        return Ref(out, width, 0, width, any(r.grad for r in refs))

    def input_refs(self, nid: str) -> list[Ref]:
        return [self.refs[e.src] for e in self.g.in_edges(nid)]


def _depths(g: Graph, order: list[str]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for nid in order:
        preds = g.predecessors(nid)
        depth[nid] = 1 + max((depth[p] for p in preds), default=-1)
    return depth


def _fans(kind: str, shape: tuple[int, ...]) -> tuple[int, int]:
    if kind == "Conv2D":
        o, c, kh, kw = shape
        return c * kh * kw, o * kh * kw
    if len(shape) == 2:
        return shape[1], shape[0]
    return shape[0], shape[0]


def compile_program(graph: Graph, batch_size: int, seed: int = 0, dtype: str = "float32") -> Program:
    """Check the graph and lay out everything a :class:`~nnstudio.engine.plan.Plan` needs.

    The layout depends only on the graph, so programs of one graph with different batch
    sizes hold their parameters in the same leading part of their arenas.
    """
    if dtype not in DTYPES:
        raise CompileError(f"dtype must be float32 or float64, not {dtype!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise CompileError(f"batch size must be a whole number of at least 1, not {batch_size!r}")
    errors = [p for p in graph.validate() if p.severity == "error"]
    if errors:
        raise CompileError("the network is not valid yet:\n" + "\n".join(p.describe(graph) for p in errors))
    inputs = graph.nodes_of_kind("Input")
    outputs = graph.nodes_of_kind("Output")
    if len(inputs) != 1:
        raise CompileError(f"the network needs exactly one Input node to train; it has {len(inputs)}")
    if len(outputs) != 1:
        raise CompileError(f"the network needs exactly one Output node to train; it has {len(outputs)}")
    shapes = graph.infer_shapes()
    topo = graph.topological_order()
    depth = _depths(graph, topo)
    position = {nid: i for i, nid in enumerate(topo)}
    order = sorted(topo, key=lambda n: (depth[n], position[n]))
    b = _Builder(graph, batch_size, seed, DTYPES[dtype])

    requires: dict[str, bool] = {}
    for nid in topo:
        node = graph.nodes[nid]
        own = bool(node.spec.trainable) and not node.params.get("frozen", False)
        requires[nid] = own or any(requires[p] for p in graph.predecessors(nid))

    inp = inputs[0]
    in_shape = tuple(shapes[inp.id])
    fin = prod(in_shape)
    in_buf = b.pair(fin)
    b.refs[inp.id] = Ref(in_buf, fin, 0, fin, False)
    b.outputs[inp.id] = (b.refs[inp.id], in_shape)
    done_groups: set[tuple] = set()
    pred_ref: Ref | None = None

    for nid in order:
        node = graph.nodes[nid]
        kind = node.kind
        p = node.params
        shape = tuple(shapes[nid]) if shapes.get(nid) is not None else ()
        size = prod(shape) if shape else 0
        if kind == "Input":
            continue
        if kind == "Neuron":
            key = (depth[nid], p["activation"], bool(p.get("frozen")))
            if key not in done_groups:
                done_groups.add(key)
                members = [m for m in order if graph.nodes[m].kind == "Neuron" and
                           (depth[m], graph.nodes[m].params["activation"], bool(graph.nodes[m].params.get("frozen")))
                           == key]
                _neuron_group(b, graph, members, requires)
            continue
        ins = b.input_refs(nid)
        if kind == "Output":
            pred_ref = b.contiguous(ins)
            b.outputs[nid] = (pred_ref, shape)
            continue
        if kind in ("Flatten", "Reshape", "Concat"):
            # no work: Concat's gather already placed the inputs side by side (channels too, since
            # NCHW keeps each sample's channels contiguous); Flatten and Reshape only relabel
            src = b.contiguous(ins)
            b.refs[nid] = Ref(src.buf, src.width, 0, src.width, src.grad)
            b.outputs[nid] = (b.refs[nid], shape)
            continue
        x = b.contiguous(ins) if kind not in ("Add",) else None
        gx = (x.buf + 1) if (x is not None and x.grad) else -1
        y = b.pair(size)
        in_shape_n = tuple(graph.input_shapes(nid)[0]) if kind != "Add" else shape
        frozen = bool(p.get("frozen"))
        if kind == "Dense":
            rows = in_shape_n[0] if len(in_shape_n) == 2 else 1  # a sequence: every position alike
            fin_d, fout = x.width // rows, p["units"]
            w = b.param(nid, "weight", init_tensor(b.rng, p["init"], (fout, fin_d), fin_d, fout), True, frozen)
            has_bias = bool(p.get("bias", True))
            bb = b.param(nid, "bias", np.zeros(fout), True, frozen) if has_bias else 0
            gw = b.grad_of(w, nid, "weight")
            gb = (bb + 1 if has_bias else 0) if gw >= 0 else 0
            scratch = b.buf(batch_size * rows * fin_d)  # kernels reshape it even when unused
            row = b.op([I.DENSE, x.buf, w, bb, y, fin_d, fout, gx, gw, gb, scratch, int(has_bias), 0, rows])
            b.grad_write(row, 7, 12)
        elif kind == "Activation":
            code = ACTIVATION_CODES[p["function"]]
            b.act_codes[nid] = code
            row = b.op([I.ACT, x.buf, y, size, code, gx, y + 1, 0], (_slope(code),))
            b.grad_write(row, 5, 7)
        elif kind == "Dropout":
            mask = b.buf(batch_size * size)
            row = b.op([I.DROPOUT, x.buf, y, mask, size, gx, y + 1, 0], (float(p["p"]),))
            b.grad_write(row, 5, 7)
        elif kind == "BatchNorm":
            C = in_shape_n[0]
            S = prod(in_shape_n[1:]) if len(in_shape_n) > 1 else 1
            w = b.param(nid, "weight", np.ones(C), True, frozen)
            bb = b.param(nid, "bias", np.zeros(C), True, frozen)
            rm = b.param(nid, "running_mean", np.zeros(C), False, True)
            rv = b.param(nid, "running_var", np.ones(C), False, True)
            xhat = b.buf(batch_size * size)
            invstd = b.buf(C)
            gw = b.grad_of(w, nid, "weight")
            gb = bb + 1 if gw >= 0 else -1
            row = b.op([I.BATCHNORM, x.buf, y, w, bb, rm, rv, xhat, invstd, C, S, gx, y + 1, gw, gb, 0],
                       (float(p["eps"]), float(p["momentum"])))
            b.grad_write(row, 11, 15)
        elif kind == "LayerNorm":
            norm_shape = in_shape_n[-1:] if p.get("over") == "last" else in_shape_n
            F = prod(norm_shape)
            w = b.param(nid, "weight", np.ones(norm_shape), True, frozen)
            bb = b.param(nid, "bias", np.zeros(norm_shape), True, frozen)
            xhat = b.buf(batch_size * size)
            invstd = b.buf(batch_size * (size // F))
            gw = b.grad_of(w, nid, "weight")
            gb = bb + 1 if gw >= 0 else -1
            row = b.op([I.LAYERNORM, x.buf, y, w, bb, xhat, invstd, F, gx, y + 1, gw, gb, 0, size // F],
                       (float(p["eps"]),))
            b.grad_write(row, 8, 12)
        elif kind == "Add":
            for i, r in enumerate(ins):
                src = b.contiguous([r])
                gs = src.buf + 1 if src.grad else -1
                row = b.op([I.ADD, y, size, src.buf, y + 1, gs, 0, int(i == 0)])
                b.grad_write(row, 5, 6)
        elif kind == "Conv2D":
            C, H, W = in_shape_n
            O, OH, OW = shape
            K, S, P = p["kernel_size"], p["stride"], p["padding"]
            w = b.param(nid, "weight", init_tensor(b.rng, p["init"], (O, C, K, K), C * K * K, O * K * K), True,
                        frozen)
            has_bias = bool(p.get("bias", True))
            bb = b.param(nid, "bias", np.zeros(O), True, frozen) if has_bias else 0
            gw = b.grad_of(w, nid, "weight")
            gb = (bb + 1 if has_bias else 0) if gw >= 0 else 0
            slots = min(SCRATCH_SLOTS, batch_size)  # the kernels run the batch in this many chunks
            col = b.buf(slots * C * K * K * OH * OW)
            gw_part = b.buf(2 * slots * O * C * K * K)
            row = b.op([I.CONV, x.buf, w, bb, y, C, H, W, O, K, S, P, OH, OW, col, gx, gw, gb, gw_part,
                        int(has_bias), 0])
            b.grad_write(row, 15, 20)
        elif kind in ("MaxPool2D", "AvgPool2D"):
            C, H, W = in_shape_n
            _, OH, OW = shape
            K = p["kernel_size"]
            S = p["stride"] or K
            row = b.op([I.POOL, x.buf, y, C, H, W, K, S, OH, OW, int(kind == "MaxPool2D"), gx, y + 1, 0])
            b.grad_write(row, 11, 13)
        elif kind == "Embedding":
            L = in_shape_n[0]
            D, V = p["embedding_dim"], p["num_embeddings"]
            w = b.param(nid, "weight", init_tensor(b.rng, p["init"], (V, D), V, D), True, frozen)
            gw = b.grad_of(w, nid, "weight")
            b.op([I.EMBED, x.buf, w, y, L, D, V, gw])
        elif kind in attention_lowering.KINDS:
            attention_lowering.emit(b, nid, x, gx, y, in_shape_n)
        else:  # pragma: no cover - every registry kind is handled above
            raise CompileError(f"the engine cannot run {kind} nodes yet")
        b.refs[nid] = Ref(y, size, 0, size, requires[nid])
        b.outputs[nid] = (b.refs[nid], shape)

    out = outputs[0]
    assert pred_ref is not None
    k = pred_ref.width
    loss = out.params["loss"]
    positions = shapes[out.id][0] if loss == "cross_entropy" and len(shapes[out.id]) == 2 else 1
    ydim = positions if loss == "cross_entropy" else k
    ybuf = b.buf(batch_size * ydim)
    if not pred_ref.grad and not b.optc:
        raise CompileError("nothing in this network can learn: every layer with weights is frozen or missing")

    # acc flags: the first gradient writer in backward order (the last in forward order) overwrites
    seen: set[int] = {pred_ref.buf + 1}  # the loss writes the prediction's gradient first
    for row, tcol, acol in reversed(b.writes):
        target = b.code[row][tcol]
        if target in b.zero or target in seen:
            b.code[row][acol] = 1
        else:
            b.code[row][acol] = 0
            seen.add(target)
    mem, views, param_floats = _lay_out(b.arrays, b.param_bufs, b.dtype)
    params = _rebased(b.params, b.arrays, views)
    grads = _rebased(b.grads, b.arrays, views)
    IB, _, _ = _lay_out(b.index_arrays, [], np.int64)
    ld = np.array([in_buf, fin, ybuf, ydim, pred_ref.buf, k, LOSS_CODES[loss], pred_ref.buf + 1,
                   positions], np.int64)
    emb = [(int(n.params["num_embeddings"]), 0) for n in graph.nodes_of_kind("Embedding")
           if graph.predecessors(n.id) == [inp.id]]
    return Program(
        code=np.array(b.code, np.int64).reshape(-1, I.CODE_WIDTH),
        fp=np.array(b.fp, np.float64).reshape(-1, I.FP_WIDTH),
        B=views, mem=mem, IB=IB, zero=np.array(sorted(b.zero), np.int64), ld=ld,
        optc=np.array(b.optc, np.int64).reshape(-1, 4), dtype=b.dtype, batch_size=batch_size,
        input_id=inp.id, input_shape=in_shape, output_id=out.id, loss=loss, n_outputs=k,
        params=params, grads=grads, outputs=b.outputs, act_codes=b.act_codes,
        embedding_inputs=emb, kinds={nid: n.kind for nid, n in graph.nodes.items()}, graph=graph.copy(),
        param_bufs=b.param_bufs, param_floats=param_floats, positions=positions, exposed=b.exposed,
    )


def _neuron_group(b: _Builder, g: Graph, members: list[str], requires: dict[str, bool]) -> None:
    """Hand-wired neurons of one depth -> one masked dense operation with packed weights."""
    union: list[Ref] = []
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
    u = b.contiguous(union) if union else Ref(0, 1, 0, 1, False)
    k = len(members)
    params0 = g.nodes[members[0]].params
    code = ACTIVATION_CODES[params0["activation"]]
    frozen = bool(params0.get("frozen"))
    w = b.buf(len(idx))
    gwb = b.buf(len(idx))
    bias = b.buf(k)
    gbb = b.buf(k)
    b.param_bufs += [w, bias]
    for j, m in enumerate(members):
        n_in = off[j + 1] - off[j]
        init = g.nodes[m].params["init"]
        b.arrays[w][off[j]:off[j + 1]] = init_tensor(b.rng, init, (n_in,), n_in, 1)
        b.params[m] = {"weight": b.arrays[w][off[j]:off[j + 1]].reshape(1, n_in),
                       "bias": b.arrays[bias][j:j + 1]}
        b.grads[m] = {"weight": b.arrays[gwb][off[j]:off[j + 1]].reshape(1, n_in),
                      "bias": b.arrays[gbb][j:j + 1]}
        b.act_codes[m] = code
    if not frozen:
        b.optc.append([w, gwb, b.buf(len(idx)), b.buf(len(idx))])
        b.optc.append([bias, gbb, b.buf(k), b.buf(k)])
    z = b.pair(k)
    a = b.pair(k)
    gu = u.buf + 1 if u.grad else -1
    row = b.op([I.NEURONS, u.buf, w, bias, z, a, u.width, k, b.ibuf(idx), b.ibuf(off), code, gu,
                -1 if frozen else gwb, -1 if frozen else gbb, z + 1, a + 1, 0], (_slope(code),))
    b.grad_write(row, 11, 16)
    grad = (not frozen) or u.grad
    for j, m in enumerate(members):
        ref = Ref(a, k, j, 1, grad)
        b.refs[m] = ref
        b.outputs[m] = (ref, (1,))
