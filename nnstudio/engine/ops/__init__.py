"""The engine's operations: one module per op, each with its row schema, kernels and lowering.

A compiled program is a table of op rows (see :mod:`nnstudio.engine.interpreter`).
Everything about one op lives in one module here, and every module in this package
(except those starting with ``_``) is imported - and so registered - automatically.

Adding an op (``act.py`` is the example to copy)
------------------------------------------------
1. **Schema.** ``MYOP = Op("myop", [buf("x", "n * f"), buf("y", "n * f"), num("f"),
   grad("gx", "n * f"), buf("gy", "n * f"), flag("acc")], floats=("alpha",),
   accumulates=("gx", "acc"))`` - the integer fields in column order, each buffer with the
   number of values the kernels touch (``n`` = batch rows; the row checker in the tests
   evaluates these), the float fields, and which input-gradient field the compiler must
   mark overwrite-or-add. ``grad`` fields may be -1 (no gradient wanted).
2. **Column constants.** ``X, Y, F, GX, GY, ACC = MYOP.cols("x", "y", "f", "gx", "gy", "acc")``
   and ``ALPHA = MYOP.fcol("alpha")`` at module level: numba freezes globals into the code,
   so ``c[X]`` is as fast as ``c[1]`` and says what it reads.
3. **Kernels.** ``@kernel(inline="always") def forward(c, fp, o, B, IB, n, train)`` and
   ``def backward(c, fp, o, B, IB, n)``: ``c`` is the row, ``fp[o, ALPHA]`` a float field,
   ``buffer(B, c[X])`` a buffer (``as2d(..., n, f)`` views it batch-first), ``IB`` the index
   tables, ``n`` the rows of this batch. Put heavy loops in ordinary kernels under
   :mod:`nnstudio.engine.kernels` and call them from here. Backward runs in reverse row order;
   skip work when its gradient fields are -1.
4. **Register.** ``register(MYOP, forward, backward)`` gives the op its opcode and puts both
   kernels in the interpreter's dispatch chain (:mod:`nnstudio.engine.ops.dispatch`).
5. **Lowering.** ``@lowers("MyKind") def emit(b, node)``: turn one node into rows with the
   builder ``b`` (:class:`nnstudio.engine.compiler.Builder`): ``b.input(nid)`` (its inputs
   as one contiguous :class:`~nnstudio.engine.compiler.Ref`), ``b.shape(nid)``,
   ``b.in_shapes(nid)``, ``b.param_shapes(nid)`` (from the kind's ``param_rule``),
   ``b.param(nid, name, value)``, ``b.grad_of(nid, w)``, ``b.pair(size)`` (an output and its
   gradient at index + 1), ``b.buf(size)``, ``b.grad(ref)``, ``b.op(MYOP, **fields)``,
   ``b.expose(nid, name, buf, per_sample_shape)`` (an internal buffer
   :meth:`Plan.internals <nnstudio.engine.plan.Plan.internals>` returns) and finally
   ``return b.output(nid, y, size)``.

A new node kind then touches only: its KindSpec in ``nnstudio/graph/kinds.py`` (with its
``shape_rule`` and ``param_rule`` in ``nnstudio/graph/shapes.py``), its op module here, its
kernels in ``nnstudio/engine/kernels/``, its reference function in
``nnstudio/engine/reference.py`` (``@forward_of``/``@backward_of``), and its tests.
"""
from __future__ import annotations

import importlib
import pkgutil

from nnstudio.engine.ops.dispatch import dispatch_backward, dispatch_forward
from nnstudio.engine.ops.registry import BY_CODE, BY_NAME, LOWERINGS, OPS, code_width, float_width, lowers, register
from nnstudio.engine.ops.schema import Field, Op, buf, check_program, check_row, flag, grad, ibuf, num

_SKIP = {"dispatch", "registry", "schema"}


def _load_all() -> tuple[str, ...]:
    """Import every op module, in name order (which fixes the opcodes)."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__)
                   if not m.name.startswith("_") and m.name not in _SKIP)
    for name in names:
        importlib.import_module(f"{__name__}.{name}")
    return tuple(names)


MODULES = _load_all()

__all__ = [
    "Op", "Field", "buf", "grad", "ibuf", "num", "flag", "check_row", "check_program", "register", "lowers",
    "OPS", "BY_NAME", "BY_CODE", "LOWERINGS", "code_width", "float_width", "dispatch_forward",
    "dispatch_backward", "MODULES",
]
