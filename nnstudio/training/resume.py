"""A trainer's full state as named arrays: saved with the weights so training resumes exactly.

Besides the plan's optimizer state (``plan.optimizer_state()``: moments, momentum
buffers, step count, learning rate, dropout seed counter) the trainer adds where
it is in training:

========================  ======================================================
``epoch``                 epochs completed
``steps``                 optimizer steps taken
``epoch_cursor``          samples of the current epoch already trained
``epoch_sums``            (k, 3) per chunk of the current epoch: mean loss, samples, score
``first_loss``            the untrained loss, the yardstick for an exploding loss
``history/FIELD``         the curves so far (``epoch``, ``train_loss``, ... ``step_loss``)
========================  ======================================================
"""
from __future__ import annotations

import math
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from nnstudio.errors import TrainingError

if TYPE_CHECKING:  # pragma: no cover
    from nnstudio.training.trainer import Trainer

TRAINER_KEYS = ("epoch", "steps", "epoch_cursor", "epoch_sums", "first_loss")


def training_state(trainer: "Trainer") -> dict[str, np.ndarray]:
    """Everything :func:`load_training_state` needs to continue ``trainer`` bit for bit."""
    from nnstudio.training.trainer import History

    state = trainer.plan.optimizer_state()
    state["epoch"] = np.array(trainer.epoch, np.int64)
    state["steps"] = np.array(trainer.step_count, np.int64)
    state["epoch_cursor"] = np.array(trainer._cursor, np.int64)
    state["epoch_sums"] = np.array(trainer._epoch_sums, np.float64).reshape(-1, 3)
    first = trainer._first_loss
    state["first_loss"] = np.array(np.nan if first is None else first, np.float64)
    for f in fields(History):
        kind = np.int64 if f.name in ("epoch", "step") else np.float64
        state[f"history/{f.name}"] = np.array(getattr(trainer.history, f.name), kind)
    return state


def load_training_state(trainer: "Trainer", state: Mapping[str, Any]) -> list[str]:
    """Restore :func:`training_state` into a trainer built with the saved weights.

    Returns what could not be restored, in plain sentences (empty when the resume is exact).
    The training settings (learning rate schedule, batch size...) stay the trainer's own.
    """
    from nnstudio.training.trainer import History

    notes: list[str] = []
    try:
        notes += trainer.plan.load_optimizer_state(state)
    except TrainingError as exc:
        notes.append(f"{exc}; the optimizer starts fresh")
        trainer.plan.set_optimizer(trainer.settings.optimizer, lr=trainer.lr,
                                   **trainer.settings.optimizer_options())
    try:
        epoch = _whole(state, "epoch")
        steps = _whole(state, "steps")
        cursor = _whole(state, "epoch_cursor")
    except (KeyError, TypeError, ValueError):
        notes.append("the saved epoch and step counters are missing or damaged; counting starts again at 0")
        trainer.plan.set_lr(trainer.lr)
        return notes
    sums = np.asarray(state.get("epoch_sums", np.zeros((0, 3))), np.float64)
    if cursor >= len(trainer.X_train) or sums.ndim != 2 or sums.shape[1] != 3:
        cursor, sums = 0, np.zeros((0, 3))  # another dataset: start the epoch from its beginning
        notes.append("the saved position inside the epoch does not fit this dataset; the epoch starts over")
    trainer.epoch, trainer.step_count, trainer._cursor = epoch, steps, cursor
    trainer._epoch_sums = [(float(a), int(b), float(c)) for a, b, c in sums]
    trainer._perm = None  # the epoch's order follows from the seed and the epoch
    first = float(np.asarray(state.get("first_loss", np.nan)))
    if math.isfinite(first):
        trainer._first_loss = first
    history = History()
    try:
        for f in fields(History):
            values = np.asarray(state.get(f"history/{f.name}", []))
            setattr(history, f.name, [int(v) if f.name in ("epoch", "step") else float(v) for v in values.ravel()])
        trainer.history = history
    except (TypeError, ValueError):
        notes.append("the saved curves are damaged; they start empty")
    trainer.plan.set_lr(trainer.lr)  # the settings' schedule at the restored epoch
    trainer._keep_rollback_point()
    return notes


def _whole(state: Mapping[str, Any], key: str) -> int:
    value = np.asarray(state[key])
    if value.shape != () or not np.issubdtype(value.dtype, np.integer) or int(value) < 0:
        raise ValueError(key)
    return int(value)


def describe_resume(project: Any, trainer: "Trainer") -> list[str]:
    """What a trainer built from a project with saved weights starts from, for a terminal or status bar."""
    if getattr(project, "optimizer", None) and "epoch" in project.optimizer:
        lines = [f"resuming from the saved weights and optimizer state at epoch {trainer.epoch}, "
                 f"step {trainer.step_count:,}"]
    else:
        lines = ["starting from the saved weights (no optimizer state was saved: the optimizer starts fresh)"]
    return lines + [f"warning: {note}" for note in trainer.resume_notes]


def show_loaded(trainer: "Trainer") -> None:
    """Validation figures and layer statistics of just-loaded weights, without changing them.

    The layer views read the activations and gradients of the last training batch; a loaded
    network has none, so one batch goes through forward and backward (no update), and the
    parameters, the optimizer state and BatchNorm's running statistics are put back after it.
    """
    trainer.last_metrics = trainer.evaluate()
    plan = trainer.plan
    kept = plan.get_state()
    n = min(len(trainer.X_train), trainer.settings.batch_size)
    plan.gradients(trainer.X_train[:n], trainer.Y_train[:n])
    plan.set_state(kept)
