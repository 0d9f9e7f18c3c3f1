"""Training settings: what the project file's ``training`` object holds.

Settings are a frozen dataclass so a running session can hand a consistent
copy to its worker; ``with_changes`` makes an edited copy. Every value is
checked with a message naming the setting, so a hand-edited project file or a
typo on the command line gets a clear error.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from nnstudio.errors import TrainingError

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "rmsprop")
SCHEDULES = ("constant", "step", "cosine")
# Upper bounds for whole-number settings: far above any real use, low enough that nothing
# allocates or loops without end on a typo (a batch of 10**12 samples, 10**9 threads).
MAX_BATCH_SIZE = 1 << 20
MAX_THREADS = 1024
MAX_SEED = 2**63 - 1
MAX_COUNT = 10**9  # epochs, step sizes, patience, log interval


@dataclass(frozen=True)
class TrainingSettings:
    """Everything that steers training (and nothing about the network or data).

    Parameters
    ----------
    optimizer : str
        ``sgd``, ``momentum``, ``nesterov``, ``adam`` or ``rmsprop``.
    lr : float
        Learning rate at the start (the schedule may lower it).
    momentum : float
        For ``momentum``/``nesterov``.
    betas : tuple of float
        For ``adam``.
    alpha : float
        Smoothing constant for ``rmsprop``.
    l1, l2 : float
        Regularization strength; ``l2`` is PyTorch's ``weight_decay``.
    clip_grad_norm : float
        Clip the global gradient norm to this value (0 = off).
    batch_size, epochs : int
        Examples per step; epochs to train for.
    schedule : str
        ``constant``, ``step`` (multiply by ``gamma`` every ``step_size``
        epochs) or ``cosine`` (anneal to ``lr_min`` over ``epochs``).
    patience : int
        Early stopping: stop after this many epochs without a better
        validation loss (0 = off); ``restore_best`` brings back the best weights.
    seed : int
        Seeds weight initialisation, shuffling and dropout.
    threads : int
        Threads for the compiled engine (0 = all cores).
    log_every : int
        Record the training loss every this many steps (for fast toy problems).
    """

    optimizer: str = "adam"
    lr: float = 0.01
    momentum: float = 0.9
    betas: tuple[float, float] = (0.9, 0.999)
    alpha: float = 0.99
    l1: float = 0.0
    l2: float = 0.0
    clip_grad_norm: float = 0.0
    batch_size: int = 32
    epochs: int = 100
    schedule: str = "constant"
    step_size: int = 30
    gamma: float = 0.1
    lr_min: float = 0.0
    patience: int = 0
    restore_best: bool = True
    seed: int = 0
    threads: int = 1
    log_every: int = 10
    augmentation: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("schedule", self.schedule, SCHEDULES)
        _check_number("lr", self.lr, 0.0, 1e6, open_low=True)
        _check_number("momentum", self.momentum, 0.0, 1.0, open_high=True)
        if len(self.betas) != 2:
            raise TrainingError("betas must be two numbers such as [0.9, 0.999]")
        for b in self.betas:
            _check_number("betas", b, 0.0, 1.0, open_high=True)
        _check_number("alpha", self.alpha, 0.0, 1.0)
        for name in ("l1", "l2", "clip_grad_norm", "lr_min"):
            _check_number(name, getattr(self, name), 0.0, 1e6)
        _check_number("gamma", self.gamma, 0.0, 1.0, open_low=True)
        for name, low, high in (("batch_size", 1, MAX_BATCH_SIZE), ("epochs", 1, MAX_COUNT),
                                ("step_size", 1, MAX_COUNT), ("patience", 0, MAX_COUNT), ("seed", 0, MAX_SEED),
                                ("threads", 0, MAX_THREADS), ("log_every", 1, MAX_COUNT)):
            _check_int(name, getattr(self, name), low, high)
        if not isinstance(self.augmentation, dict):
            raise TrainingError("augmentation must be an object such as {\"shift\": 1}")

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "TrainingSettings":
        """Settings from a project file's ``training`` object; unknown keys are refused."""
        d = dict(d or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise TrainingError(f"unknown training setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        if "betas" in d and isinstance(d["betas"], list):
            d["betas"] = tuple(d["betas"])
        try:
            return cls(**d)
        except TypeError as exc:
            raise TrainingError(f"bad training settings: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["betas"] = list(self.betas)
        return d

    def with_changes(self, **changes: Any) -> "TrainingSettings":
        """A copy with some settings changed (checked like the originals)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise TrainingError(f"unknown training setting(s) {', '.join(unknown)}")
        if "betas" in changes:
            changes["betas"] = tuple(changes["betas"])
        return replace(self, **changes)

    def optimizer_options(self) -> dict[str, Any]:
        """Keyword options for ``plan.set_optimizer`` (PyTorch's names)."""
        opts: dict[str, Any] = {"weight_decay": self.l2}
        if self.optimizer in ("momentum", "nesterov"):
            opts["momentum"] = self.momentum
        elif self.optimizer == "adam":
            opts["betas"] = tuple(self.betas)
        elif self.optimizer == "rmsprop":
            opts["alpha"] = self.alpha
        if self.l1:
            opts["l1"] = self.l1
        if self.clip_grad_norm:
            opts["clip_grad_norm"] = self.clip_grad_norm
        return opts

    def lr_at(self, epoch: int) -> float:
        """Learning rate for the given (0-based) epoch under the schedule."""
        if self.schedule == "step":
            return self.lr * self.gamma ** (epoch // self.step_size)
        if self.schedule == "cosine":
            t = min(epoch, self.epochs) / max(1, self.epochs)
            return self.lr_min + 0.5 * (self.lr - self.lr_min) * (1 + math.cos(math.pi * t))
        return self.lr


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise TrainingError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def _check_number(name: str, value: Any, low: float, high: float, open_low: bool = False,
                  open_high: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TrainingError(f"{name} must be a number; got {value!r}")
    if value < low or (open_low and value == low) or value > high or (open_high and value == high):
        lo = "(" if open_low else "["
        hi = ")" if open_high else "]"
        raise TrainingError(f"{name} must be in {lo}{low:g}, {high:g}{hi}; got {value!r}")


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise TrainingError(f"{name} must be a whole number of at least {low}; got {_short(value)}")
    if value > high:
        raise TrainingError(f"{name} must be at most {high:,}; got {_short(value)}")


def _short(value: Any) -> str:
    """A value for a message: a 4,000-digit number would bury the message (and repr refuses it)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a number with about {int(value.bit_length() * 0.30103)} digits"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
