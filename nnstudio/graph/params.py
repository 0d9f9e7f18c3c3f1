"""Parameter descriptions: what a node kind accepts and how to check a value.

A :class:`ParamSpec` is data: the inspector builds its editors from it, the
project loader checks files against it, and the scripting API checks keyword
arguments with it. Checking returns the normalised value or raises
:class:`~nnstudio.errors.GraphError` with a message fit for the user.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from nnstudio.errors import GraphError

PARAM_TYPES = ("int", "float", "bool", "choice", "shape")
#: Largest size of one dimension of a ``shape`` parameter.
MAX_DIM = 1_000_000


def _whole(value: int | float) -> bool:
    """Whether ``value`` is a whole number (NaN and infinities are not)."""
    return isinstance(value, int) or math.isfinite(value) and value == int(value)


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a node kind.

    Parameters
    ----------
    name : str
        Keyword used in the API and in project files (PyTorch's where one exists).
    type : str
        One of ``int``, ``float``, ``bool``, ``choice``, ``shape`` (a list of
        positive ints, one ``-1`` allowed where ``allow_infer``).
    default : Any
        Value a new node gets. ``None`` means "required" for int/shape, or
        "automatic" where ``optional`` is set.
    minimum, maximum : float or None
        Inclusive range for int/float.
    choices : tuple of str
        Allowed values for ``choice``.
    help : str
        One sentence shown as the editor's tooltip.
    optional : bool
        ``None`` is a valid value (meaning "automatic", e.g. pool stride).
    """

    name: str
    type: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False
    allow_infer: bool = False
    label: str = ""
    exclusive_max: bool = field(default=False)

    def __post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ValueError(f"unknown parameter type {self.type!r}")

    @property
    def display_name(self) -> str:
        return self.label or self.name.replace("_", " ")

    def check(self, value: Any, kind: str) -> Any:
        """Return ``value`` normalised to this parameter's type, or raise GraphError."""
        where = f"{kind}.{self.name}"
        if value is None:
            if self.optional:
                return None
            raise GraphError(f"{where} needs a value")
        if self.type == "bool":
            if isinstance(value, bool):
                return value
            raise GraphError(f"{where} must be true or false, not {value!r}")
        if self.type == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            raise GraphError(f"{where} must be one of {', '.join(self.choices)}; got {value!r}")
        if self.type == "shape":
            return self._check_shape(value, where)
        if self.type == "int":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not _whole(value):
                raise GraphError(f"{where} must be a whole number, not {value!r}")
            value = int(value)
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise GraphError(f"{where} must be a finite number, not {value!r}")
            value = float(value)
        self._check_range(value, where)
        return value

    def _check_range(self, value: float, where: str) -> None:
        if self.minimum is not None and value < self.minimum:
            raise GraphError(f"{where} must be at least {_fmt(self.minimum)}; got {_fmt(value)}")
        if self.maximum is not None:
            too_big = value >= self.maximum if self.exclusive_max else value > self.maximum
            if too_big:
                bound = "below" if self.exclusive_max else "at most"
                raise GraphError(f"{where} must be {bound} {_fmt(self.maximum)}; got {_fmt(value)}")

    def _check_shape(self, value: Any, where: str) -> list[int]:
        if isinstance(value, (int,)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value:
            raise GraphError(f"{where} must be a list of sizes such as [2] or [1, 28, 28]; got {value!r}")
        dims: list[int] = []
        for d in value:
            if isinstance(d, bool) or not isinstance(d, (int, float)) or not _whole(d):
                raise GraphError(f"{where} sizes must be whole numbers; got {value!r}")
            d = int(d)
            if d == -1 and self.allow_infer:
                dims.append(d)
                continue
            if d < 1:
                raise GraphError(f"{where} sizes must be positive; got {value!r}")
            if d > MAX_DIM:
                raise GraphError(f"{where} sizes must be at most {MAX_DIM:,}; got {d}")
            dims.append(d)
        if dims.count(-1) > 1:
            raise GraphError(f"{where} may contain at most one -1 (the size worked out for you)")
        if len(dims) > 3:
            raise GraphError(f"{where} may have at most 3 dimensions (C, H, W); got {len(dims)}")
        return dims


def _fmt(x: float) -> str:
    if isinstance(x, int):
        return str(x) if abs(x) < 10 ** 30 else f"a number with {len(str(abs(x))) if abs(x) < 10 ** 4000 else 'thousands of'} digits"
    return str(int(x)) if x.is_integer() else f"{x:g}"
