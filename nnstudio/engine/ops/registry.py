"""The op and lowering registries the compiler and the interpreter read.

:func:`register` gives an :class:`~nnstudio.engine.ops.schema.Op` its opcode (1, 2, ... in
registration order, which is the op modules' alphabetical order: stable for a given set of
sources, and the kernel cache's stamp covers every source) and records its forward and backward
kernels; :func:`lowers` records the function that turns a node of a kind into op rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from nnstudio.engine.ops.schema import Op


@dataclass(frozen=True)
class Registered:
    op: Op
    forward: Any  # numba function (c, fp, o, B, IB, n, train)
    backward: Any  # numba function (c, fp, o, B, IB, n)


OPS: list[Registered] = []
BY_NAME: dict[str, Op] = {}
BY_CODE: dict[int, Op] = {}
LOWERINGS: dict[str, Callable[..., Any]] = {}


def register(op: Op, forward: Any, backward: Any) -> Op:
    """Make ``op`` runnable: give it the next opcode and put its kernels in the dispatch chain."""
    if op.name in BY_NAME:
        raise ValueError(f"an op named {op.name!r} is already registered")
    op.code = len(OPS) + 1
    OPS.append(Registered(op, forward, backward))
    BY_NAME[op.name] = op
    BY_CODE[op.code] = op
    return op


def lowers(*kinds: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: ``emit(builder, node)`` is how nodes of these kinds compile (one function per kind)."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for k in kinds:
            if k in LOWERINGS:
                raise ValueError(f"{k} already has a lowering ({LOWERINGS[k].__module__})")
            LOWERINGS[k] = fn
        return fn

    return deco


def code_width() -> int:
    return max((r.op.width for r in OPS), default=1)


def float_width() -> int:
    return max((len(r.op.floats) for r in OPS), default=1) or 1
