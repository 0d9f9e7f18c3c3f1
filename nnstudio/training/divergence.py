"""Recognising a diverging run and explaining it in plain words."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DivergenceReport:
    """What went wrong, when, and what to try."""

    step: int
    epoch: int
    what: str
    cause: str
    lr: float
    suggested_lr: float

    @property
    def message(self) -> str:
        return (f"Training stopped at step {self.step} (epoch {self.epoch}): {self.what}. {self.cause} "
                f"Roll back to the last good weights and continue with learning rate {self.suggested_lr:g} "
                f"(now {self.lr:g}).")


def first_non_finite(loss: float, params: dict[str, dict[str, np.ndarray]]) -> str | None:
    """Describe the first NaN/inf found in the loss or the parameters, or None."""
    if not np.isfinite(loss):
        return f"the loss became {'NaN' if np.isnan(loss) else 'infinite'}"
    for nid, tensors in params.items():
        for name, a in tensors.items():
            if not np.isfinite(a).all():
                return f"the {name} of node {nid} became NaN or infinite"
    return None


EXPLOSION = 100.0  # a loss this many times its starting value means the run blew up


def exploded(loss: float, first_loss: float | None) -> str | None:
    """Describe a loss that grew far beyond where training started, or None.

    Outputs that saturate (tanh, softmax) can keep a blown-up run finite for
    ever, so waiting for NaN is not enough.
    """
    if first_loss is None or not np.isfinite(first_loss) or first_loss <= 0:
        return None
    if loss > EXPLOSION * first_loss and loss > 1.0:
        return f"the loss exploded from {first_loss:.3g} to {loss:.3g}"
    return None


def explain(what: str, step: int, epoch: int, lr: float, optimizer: str, loss_history: list[float]) -> DivergenceReport:
    """Turn a non-finite value into advice. The usual cause is a step too large for the loss's scale."""
    rising = len(loss_history) >= 3 and loss_history[-1] > 2 * min(loss_history)
    if lr >= 1.0 or rising:
        cause = (f"The learning rate {lr:g} is probably too high for this loss's scale: each update overshot, "
                 "the loss grew instead of shrinking, and the numbers overflowed.")
    else:
        cause = ("Values grew without bound. Likely causes: a learning rate too high for this loss's scale, "
                 "unscaled input data, or a very deep stack without normalization.")
    if optimizer in ("sgd", "momentum", "nesterov"):
        cause += " Gradient clipping also helps plain SGD."
    return DivergenceReport(step, epoch, what, cause, lr, lr / 2)
