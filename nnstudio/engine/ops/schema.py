"""Op schemas: the named columns of an operation row, shared by lowering, kernels and checks.

An op row is ``[opcode, field_1, field_2, ...]`` (int64) plus a float row (eps, p,
slopes). :class:`Op` names those columns once; the lowering fills a row by name
(:meth:`Op.row`), the kernels read ``c[X]`` with ``X = OP.col("x")`` (a module-level
constant, which numba freezes into the machine code), and the row checker
(:func:`check_row`) reads each buffer field's size rule to prove that every slice a
kernel takes lies inside its buffer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

#: Field roles. A "buf" holds a buffer index (0 is the one-float dummy); a "grad" holds a
#: buffer index or -1 (no gradient wanted there); an "ibuf" an index-table index; an "int" a size,
#: code or count; a "flag" 0 or 1.
ROLES = ("buf", "grad", "ibuf", "int", "flag")


@dataclass(frozen=True)
class Field:
    """One integer column of an op row.

    ``size`` (buffers only) is how many values the kernels touch in that buffer: a Python
    expression over the row's other fields and ``n`` (the batch size), e.g. ``"n * f"``.
    """

    name: str
    role: str
    size: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"field {self.name}: role must be one of {ROLES}, not {self.role!r}")
        if self.role in ("buf", "grad", "ibuf") and not self.size:
            raise ValueError(f"buffer field {self.name} needs a size rule")


def buf(name: str, size: str) -> Field:
    """A buffer the op reads or writes, holding at least ``size`` values."""
    return Field(name, "buf", size)


def grad(name: str, size: str) -> Field:
    """A gradient buffer, or -1 when no gradient is wanted there."""
    return Field(name, "grad", size)


def ibuf(name: str, size: str) -> Field:
    """An index table (int64, in the program's second arena)."""
    return Field(name, "ibuf", size)


def num(name: str) -> Field:
    """A whole number: a size, a count or a code."""
    return Field(name, "int")


def flag(name: str) -> Field:
    """0 or 1."""
    return Field(name, "flag")


class Op:
    """The schema of one operation: its name, integer fields, float fields and gradient write.

    Parameters
    ----------
    name : str
        Short unique name (the op module's name).
    fields : sequence of Field
        Columns 1.. of the row, in order (column 0 is the opcode).
    floats : sequence of str
        Names of the float row's columns.
    accumulates : (str, str) or None
        ``(gradient field, acc flag field)`` when backward writes an input gradient that other
        consumers of the same value may also write: the compiler sets the flag (0 overwrite,
        1 add) once it knows the order of all writers.
    checks : sequence of str
        Extra conditions over the fields that every row must satisfy (e.g. a column range).
    """

    def __init__(self, name: str, fields: list[Field] | tuple[Field, ...], floats: tuple[str, ...] = (),
                 accumulates: tuple[str, str] | None = None, checks: tuple[str, ...] = ()) -> None:
        self.name = name
        self.fields = tuple(fields)
        self.floats = tuple(floats)
        self.accumulates = accumulates
        self.checks = tuple(checks)
        self.code = 0  # set when registered (see nnstudio.engine.ops.registry)
        self._col = {f.name: i + 1 for i, f in enumerate(self.fields)}
        self._fcol = {f: i for i, f in enumerate(self.floats)}
        if len(self._col) != len(self.fields) or len(self._fcol) != len(self.floats):
            raise ValueError(f"op {name}: field names must be unique")
        for pair in [accumulates] if accumulates else []:
            for f in pair:
                if f not in self._col:
                    raise ValueError(f"op {name}: accumulates names unknown field {f!r}")

    @property
    def width(self) -> int:
        """Integer columns a row of this op needs (opcode included)."""
        return 1 + len(self.fields)

    def col(self, name: str) -> int:
        """The integer column of field ``name`` (for a kernel's module-level constant)."""
        return self._col[name]

    def cols(self, *names: str) -> tuple[int, ...]:
        return tuple(self._col[n] for n in names)

    def fcol(self, name: str) -> int:
        """The float column of float field ``name``."""
        return self._fcol[name]

    def row(self, **values: int) -> list[int]:
        """The integer row, every field given by name (a missing or unknown field is a bug)."""
        unknown = set(values) - set(self._col)
        missing = [f.name for f in self.fields if f.name not in values]
        if unknown or missing:
            raise TypeError(f"op {self.name}: unknown fields {sorted(unknown)}, missing fields {missing}")
        return [self.code] + [int(values[f.name]) for f in self.fields]

    def float_row(self, **values: float) -> list[float]:
        unknown = set(values) - set(self._fcol)
        missing = [f for f in self.floats if f not in values]
        if unknown or missing:
            raise TypeError(f"op {self.name}: unknown floats {sorted(unknown)}, missing floats {missing}")
        return [float(values[f]) for f in self.floats]

    def read(self, row: Any) -> dict[str, int]:
        """A row's fields by name (for checks, tests and debugging)."""
        return {f.name: int(row[i + 1]) for i, f in enumerate(self.fields)}

    def __repr__(self) -> str:
        return f"<Op {self.name} code={self.code}: {', '.join(f.name for f in self.fields)}>"


def check_row(op: Op, row: Any, n: int, buffer_size: Callable[[int], int], n_buffers: int,
              index_size: Callable[[int], int], n_index: int) -> list[str]:
    """What is wrong with one row for batch size ``n`` (empty if nothing): every buffer index in
    range, every buffer as large as its field's size rule, every extra check true."""
    values = op.read(row)
    env: dict[str, Any] = {**values, "n": n, "min": min, "max": max}
    problems = []
    for f in op.fields:
        v = values[f.name]
        if f.role in ("buf", "grad", "ibuf"):
            if f.role == "grad" and v == -1:
                continue
            count, size_of = (n_index, index_size) if f.role == "ibuf" else (n_buffers, buffer_size)
            if not 0 <= v < count:
                problems.append(f"{op.name}.{f.name} = {v}: no such buffer (there are {count})")
                continue
            need = int(eval(f.size, {"__builtins__": {}}, env))  # noqa: S307 - our own schema text
            have = size_of(v)
            if need > have:
                problems.append(f"{op.name}.{f.name}: buffer {v} holds {have} values, the kernels touch "
                                f"{need} ({f.size} with {values} n={n})")
        elif f.role == "flag" and v not in (0, 1):
            problems.append(f"{op.name}.{f.name} = {v}: a flag is 0 or 1")
        elif f.role == "int" and v < 0:
            problems.append(f"{op.name}.{f.name} = {v}: negative")
    for cond in op.checks:
        if not eval(cond, {"__builtins__": {}}, env):  # noqa: S307
            problems.append(f"{op.name}: {cond} fails for {values}")
    return problems


def check_program(program: Any, n: int | None = None) -> list[str]:
    """Every problem of a compiled program's rows for batch size ``n`` (its own batch size if
    None): each op row against its schema (see :func:`check_row`), the loss descriptor and the
    optimizer's rows against their buffers. Empty when the program is sound."""
    from nnstudio.engine.ops.registry import BY_CODE

    n = program.batch_size if n is None else n
    sizes = [int(b.size) for b in program.B]
    offs = program.IB[1]
    index_sizes = [int(offs[i, 1] - offs[i, 0]) for i in range(len(offs))]
    problems = []
    for r, row in enumerate(program.code):
        op = BY_CODE.get(int(row[0]))
        if op is None:
            problems.append(f"row {r}: unknown opcode {int(row[0])}")
            continue
        problems += [f"row {r}: {p}" for p in check_row(op, row, n, sizes.__getitem__, len(sizes),
                                                         index_sizes.__getitem__, len(index_sizes))]
        if any(int(v) != 0 for v in row[op.width:]):
            problems.append(f"row {r}: {op.name} has values past its {op.width} columns")
    inp, fin, y, ydim, pred, k, _, gpred = (int(v) for v in program.ld)
    for name, b, need in (("input", inp, n * fin), ("target", y, n * ydim), ("prediction", pred, n * k),
                          ("prediction gradient", gpred, n * k)):
        if not 0 <= b < len(sizes) or sizes[b] < need:
            problems.append(f"loss descriptor: the {name} buffer {b} is too small or missing (needs {need})")
    for r, row in enumerate(program.optc):
        if any(not 0 <= int(b) < len(sizes) for b in row) or len({sizes[int(b)] for b in row}) != 1:
            problems.append(f"optimizer row {r}: buffers {list(row)} differ in size or do not exist")
    return problems
