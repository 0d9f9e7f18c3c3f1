"""The interpreter's opcode dispatch, generated from the op registry.

:func:`dispatch_forward` and :func:`dispatch_backward` are numba overloads whose
implementation is an ``if op == 1: ... elif op == 2: ...`` chain written from
:data:`~nnstudio.engine.ops.registry.OPS` when the interpreter is typed, so the chain
is the same machine code a hand-written one would be (every op kernel is
``inline="always"``) and works with ``cache=True``. (First-class function tuples with
``literal_unroll`` would also work but call indirectly and warn "experimental".)
"""
from __future__ import annotations

from typing import Any

from numba.extending import overload

from nnstudio.engine.ops.registry import OPS


def dispatch_forward(op, c, fp, o, B, IB, n, train):  # pragma: no cover - replaced in compiled code
    """Run the forward kernel of opcode ``op`` on row ``c`` (compiled code only)."""
    raise NotImplementedError("dispatch_forward runs only inside compiled code")


def dispatch_backward(op, c, fp, o, B, IB, n):  # pragma: no cover - replaced in compiled code
    """Run the backward kernel of opcode ``op`` on row ``c`` (compiled code only)."""
    raise NotImplementedError("dispatch_backward runs only inside compiled code")


def _chain(args: str, which: str) -> Any:
    lines = [f"def impl(op, {args}):"]
    ns: dict[str, Any] = {}
    branch = "if"
    for i, r in enumerate(OPS):
        fn = getattr(r, which)
        if fn is None:
            continue
        ns[f"k{i}"] = fn
        lines.append(f"    {branch} op == {r.op.code}:\n        k{i}({args})")
        branch = "elif"
    if branch == "if":  # no op has this pass
        lines.append("    return")
    exec("\n".join(lines), ns)  # noqa: S102 - source written above from the registry
    return ns["impl"]


@overload(dispatch_forward, inline="always")
def _forward_impl(op, c, fp, o, B, IB, n, train):
    return _chain("c, fp, o, B, IB, n, train", "forward")


@overload(dispatch_backward, inline="always")
def _backward_impl(op, c, fp, o, B, IB, n):
    return _chain("c, fp, o, B, IB, n", "backward")
