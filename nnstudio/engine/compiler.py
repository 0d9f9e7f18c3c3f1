"""Graph -> Program: the operation table, buffers and parameters a Plan runs.

Nodes are scheduled by depth (longest path from the Input), which is a
topological order that also puts every hand-wired Neuron of one depth side by
side, so each such set compiles into one masked dense operation. Every node
output gets an activation buffer and, right after it, its gradient buffer.

How a node of each kind compiles is its op module's lowering (see
:mod:`nnstudio.engine.ops`); this module only analyses the graph once (shapes,
wires, depths), walks it and lays the buffers out. Compiling is linear in the
size of the graph.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from math import prod
from typing import Any

import numpy as np

from nnstudio.engine import ops
from nnstudio.engine.kernels.activations import ELU, LEAKY_RELU
from nnstudio.engine.ops.gather import GATHER
from nnstudio.errors import CompileError
from nnstudio.graph import Graph
from nnstudio.graph.model import Edge
from nnstudio.graph.validate import analyse

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
    starts = sorted((a.__array_interface__["data"][0], a.nbytes, i) for i, a in enumerate(old))
    addrs = [s[0] for s in starts]

    def move(t: np.ndarray) -> np.ndarray:
        addr = t.__array_interface__["data"][0]
        # the buffer starting last at or before addr (binary search: compiling stays linear)
        j = bisect_right(addrs, addr) - 1
        while j >= 0:
            start, nbytes, i = starts[j]
            if start <= addr < start + nbytes:
                k = (addr - start) // t.itemsize
                return new[i][k:k + t.size].reshape(t.shape)
            if nbytes:
                break
            j -= 1  # an empty array shares its start with the next one
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
    internals: dict[str, dict[str, tuple[int, tuple[int, ...]]]] = field(default_factory=dict)  # see expose()


class Builder:
    """What a lowering (``emit(b, node)``, see :mod:`nnstudio.engine.ops`) builds a program with.

    The graph analysis (shapes, wires, depths, which values need gradients) is done once,
    up front; every query here is a dictionary lookup, so compiling stays linear.
    """

    def __init__(self, graph: Graph, batch_size: int, seed: int, dtype: Any, shapes: dict[str, Any],
                 wires: dict[str, list[Edge]], order: list[str], depth: dict[str, int],
                 requires: dict[str, bool]) -> None:
        self.g = graph
        self.bs = batch_size
        self.dtype = dtype
        self.rng = np.random.default_rng(seed)
        self.shapes = shapes
        self.wires = wires  # node id -> incoming edges in wire order
        self.order = order
        self.depth = depth
        self.requires = requires
        self.memo: dict[str, Any] = {}  # for lowerings that handle several nodes at once
        self.arrays: list[np.ndarray] = [np.zeros(1, dtype)]  # buffer 0: a dummy for absent tensors
        self.index_arrays: list[np.ndarray] = [np.zeros(1, np.int64)]
        self.code: list[list[int]] = []
        self.fp: list[list[float]] = []
        self.row_ops: list[ops.Op] = []
        self.writes: list[tuple[int, int, int]] = []  # (op row, gradient-target column, acc column)
        self.zero: set[int] = set()
        self.optc: list[list[int]] = []
        self.params: dict[str, dict[str, np.ndarray]] = {}
        self.grads: dict[str, dict[str, np.ndarray]] = {}
        self.refs: dict[str, Ref] = {}
        self.outputs: dict[str, tuple[Ref, tuple[int, ...]]] = {}
        self.act_codes: dict[str, int] = {}
        self.param_bufs: list[int] = []
        self.internals: dict[str, dict[str, tuple[int, tuple[int, ...]]]] = {}
        self.embedding_inputs: list[tuple[int, int]] = []
        self.input_id: str | None = None
        self.prediction: Ref | None = None

    # --- the analysed graph -------------------------------------------------------
    def shape(self, nid: str) -> tuple[int, ...]:
        """The node's output shape (batch excluded)."""
        s = self.shapes.get(nid)
        return tuple(s) if s is not None else ()

    def size(self, nid: str) -> int:
        """Values per sample of the node's output."""
        s = self.shape(nid)
        return prod(s) if s else 0

    def in_shapes(self, nid: str) -> list[tuple[int, ...]]:
        return [tuple(self.shapes[e.src]) for e in self.wires[nid]]

    def predecessors(self, nid: str) -> list[str]:
        return [e.src for e in self.wires[nid]]

    def param_shapes(self, nid: str) -> dict[str, tuple[int, ...]]:
        """The node's tensors and their shapes, from its kind's ``param_rule``."""
        node = self.g.nodes[nid]
        return {k: tuple(v) for k, v in node.spec.param_shapes(node.params, self.in_shapes(nid)).items()}

    @staticmethod
    def activation_code(name: str) -> int:
        return ACTIVATION_CODES[name]

    @staticmethod
    def slope(code: int) -> float:
        return _slope(code)

    # --- buffers ------------------------------------------------------------------
    def buf(self, size: int) -> int:
        """A new buffer of ``size`` values (at least one); returns its index."""
        self.arrays.append(np.zeros(max(1, size), self.dtype))  # staging: the arena aligns
        return len(self.arrays) - 1

    def pair(self, per_sample: int) -> int:
        """An activation buffer for the batch and its gradient buffer (index + 1)."""
        a = self.buf(self.bs * per_sample)
        self.buf(self.bs * per_sample)
        return a

    def ibuf(self, values: list[int]) -> int:
        """A new index table; returns its index in the index arena."""
        self.index_arrays.append(np.asarray(values if values else [0], dtype=np.int64))
        return len(self.index_arrays) - 1

    def op(self, schema: ops.Op, **values: Any) -> int:
        """Append a row of ``schema`` (integer and float fields by name); returns its row number."""
        floats = {k: values.pop(k) for k in schema.floats if k in values}
        row = schema.row(**values)
        self.code.append(row)
        self.fp.append(schema.float_row(**floats))
        self.row_ops.append(schema)
        r = len(self.code) - 1
        if schema.accumulates:
            target, acc = schema.cols(*schema.accumulates)
            if row[target] >= 0:
                self.writes.append((r, target, acc))
        return r

    def param(self, nid: str, name: str, value: np.ndarray, trainable: bool = True) -> int:
        """A tensor of the node (in its ``params``); a trainable one gets a gradient buffer at index
        + 1 (in ``grads``) and, unless the node is frozen, optimizer state."""
        value = np.asarray(value)
        b = self.buf(value.size)
        self.param_bufs.append(b)
        self.arrays[b][:] = value.ravel()
        self.params.setdefault(nid, {})[name] = self.arrays[b].reshape(value.shape)
        if not trainable:
            return b
        g = self.buf(value.size)
        self.grads.setdefault(nid, {})[name] = self.arrays[g].reshape(value.shape)
        if not self.g.nodes[nid].params.get("frozen"):
            self.optimize(b, g)
        return b

    def optimize(self, b: int, g: int) -> None:
        """The optimizer updates buffer b from gradient buffer g (it gets two state buffers)."""
        self.optc.append([b, g, self.buf(self.arrays[b].size), self.buf(self.arrays[b].size)])

    def grad_of(self, nid: str, b: int) -> int:
        """The gradient buffer of parameter buffer b (allocated right after it), or -1 if frozen."""
        return -1 if self.g.nodes[nid].params.get("frozen") else b + 1

    def expose(self, nid: str, name: str, buf: int, per_sample_shape: tuple[int, ...]) -> None:
        """Make buffer ``buf`` (batch first, ``per_sample_shape`` per sample) readable as
        ``plan.internals(nid)[name]`` after a run."""
        self.internals.setdefault(nid, {})[name] = (buf, tuple(per_sample_shape))

    # --- values -------------------------------------------------------------------
    @staticmethod
    def ref(buf: int, width: int, col: int, ncols: int, grad: bool) -> Ref:
        return Ref(buf, width, col, ncols, grad)

    @staticmethod
    def nothing() -> Ref:
        """A placeholder input (the dummy buffer) for an op without inputs."""
        return Ref(0, 1, 0, 1, False)

    @staticmethod
    def grad(ref: Ref) -> int:
        """Where the gradient of ``ref``'s buffer goes, or -1 if none is needed."""
        return ref.buf + 1 if ref.grad else -1

    def output(self, nid: str, buf: int, size: int, grad: bool | None = None) -> Ref:
        """Record that the node's output is the whole of ``buf`` (``size`` per sample)."""
        ref = Ref(buf, size, 0, size, self.requires[nid] if grad is None else grad)
        self.set_output(nid, ref, self.shape(nid))
        return ref

    def set_output(self, nid: str, ref: Ref, shape: tuple[int, ...]) -> None:
        self.refs[nid] = ref
        self.outputs[nid] = (ref, tuple(shape))

    def contiguous(self, refs: list[Ref]) -> Ref:
        """One full buffer holding these refs side by side (a gather unless it already is one)."""
        if len(refs) == 1 and refs[0].full:
            return refs[0]
        width = sum(r.ncols for r in refs)
        out = self.pair(width)
        col = 0
        for r in refs:
            gsrc = r.buf + 1 if r.grad else -1
            self.op(GATHER, out=out, out_w=width, out_col=col, src=r.buf, src_w=r.width, col=r.col, ncols=r.ncols,
                    gout=out + 1, gsrc=gsrc)
            if gsrc >= 0:
                self.zero.add(gsrc)
            col += r.ncols
        return Ref(out, width, 0, width, any(r.grad for r in refs))

    def input_refs(self, nid: str) -> list[Ref]:
        """Where each wire into the node comes from, in wire order."""
        return [self.refs[e.src] for e in self.wires[nid]]

    def input(self, nid: str) -> Ref:
        """The node's inputs as one contiguous buffer."""
        return self.contiguous(self.input_refs(nid))


_Builder = Builder  # the old name


def _wires(g: Graph) -> dict[str, list[Edge]]:
    ins: dict[str, list[Edge]] = {nid: [] for nid in g.nodes}
    for e in g.edges.values():
        ins[e.dst].append(e)
    return ins


def compile_program(graph: Graph, batch_size: int, seed: int = 0, dtype: str = "float32") -> Program:
    """Check the graph and lay out everything a :class:`~nnstudio.engine.plan.Plan` needs.

    The layout depends only on the graph, so programs of one graph with different batch
    sizes hold their parameters in the same leading part of their arenas.
    """
    if dtype not in DTYPES:
        raise CompileError(f"dtype must be float32 or float64, not {dtype!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise CompileError(f"batch size must be a whole number of at least 1, not {batch_size!r}")
    analysis = analyse(graph)  # shapes and problems, once
    errors = analysis.errors
    if errors:
        raise CompileError("the network is not valid yet:\n" + "\n".join(p.describe(graph) for p in errors))
    inputs = graph.nodes_of_kind("Input")
    outputs = graph.nodes_of_kind("Output")
    if len(inputs) != 1:
        raise CompileError(f"the network needs exactly one Input node to train; it has {len(inputs)}")
    if len(outputs) != 1:
        raise CompileError(f"the network needs exactly one Output node to train; it has {len(outputs)}")
    wires = _wires(graph)
    topo = graph.topological_order()
    depth: dict[str, int] = {}
    requires: dict[str, bool] = {}
    for nid in topo:
        preds = [e.src for e in wires[nid]]
        depth[nid] = 1 + max((depth[p] for p in preds), default=-1)
        node = graph.nodes[nid]
        own = bool(node.spec.trainable) and not node.params.get("frozen", False)
        requires[nid] = own or any(requires[p] for p in preds)
    position = {nid: i for i, nid in enumerate(topo)}
    order = sorted(topo, key=lambda n: (depth[n], position[n]))
    b = Builder(graph, batch_size, seed, DTYPES[dtype], analysis.shapes, wires, order, depth, requires)

    for nid in order:
        if nid in b.refs:  # lowered with its group (hand-wired neurons)
            continue
        node = graph.nodes[nid]
        emit = ops.LOWERINGS.get(node.kind)
        if emit is None:  # pragma: no cover - every registry kind has a lowering (tested)
            raise CompileError(f"the engine cannot run {node.kind} nodes yet")
        emit(b, node)

    inp, out = inputs[0], outputs[0]
    pred_ref = b.prediction
    assert pred_ref is not None and b.input_id == inp.id
    in_ref, in_shape = b.outputs[inp.id]
    k = pred_ref.width
    loss = out.params["loss"]
    ydim = 1 if loss == "cross_entropy" else k
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
    width, fwidth = ops.code_width(), ops.float_width()
    code = np.zeros((len(b.code), width), np.int64)
    fp = np.zeros((len(b.fp), fwidth), np.float64)
    for i, (row, frow) in enumerate(zip(b.code, b.fp)):
        code[i, :len(row)] = row
        fp[i, :len(frow)] = frow
    fin = in_ref.width
    ld = np.array([in_ref.buf, fin, ybuf, ydim, pred_ref.buf, k, LOSS_CODES[loss], pred_ref.buf + 1], np.int64)
    return Program(
        code=code, fp=fp,
        B=views, mem=mem, IB=IB, zero=np.array(sorted(b.zero), np.int64), ld=ld,
        optc=np.array(b.optc, np.int64).reshape(-1, 4), dtype=b.dtype, batch_size=batch_size,
        input_id=inp.id, input_shape=tuple(in_shape), output_id=out.id, loss=loss, n_outputs=k,
        params=params, grads=grads, outputs=b.outputs, act_codes=b.act_codes,
        embedding_inputs=b.embedding_inputs, kinds={nid: n.kind for nid, n in graph.nodes.items()},
        graph=graph.copy(), param_bufs=b.param_bufs, param_floats=param_floats, internals=b.internals,
    )
