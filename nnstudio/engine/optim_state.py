"""The optimizer's state as named arrays, for saving a plan and resuming it exactly.

The compiled code keeps two state buffers per trainable parameter buffer (Adam's
moments, a momentum buffer...) plus a step count in the hyperparameter array.
Here they get names that survive a recompile of the same graph:
``NODE_ID/TENSOR/SLOT`` for each tensor's slots (PyTorch's names: ``exp_avg``,
``exp_avg_sq``, ``momentum_buffer``, ``square_avg``) and a few scalars:
``optimizer`` (the name), ``step`` (updates so far, what Adam's bias correction
counts), ``lr``, and ``rng_seed`` and ``rng_calls`` (the plan's seed and call counter,
which seed the dropout masks: a resumed plan draws the masks the original would have).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from nnstudio.engine.kernels import optim as O
from nnstudio.errors import TrainingError

# which of the two state buffers an optimizer uses, under PyTorch's names
SLOTS: dict[str, tuple[tuple[int, str], ...]] = {
    "sgd": (),
    "momentum": ((2, "momentum_buffer"),),
    "nesterov": ((2, "momentum_buffer"),),
    "adam": ((2, "exp_avg"), (3, "exp_avg_sq")),
    "rmsprop": ((2, "square_avg"), (3, "momentum_buffer")),
}
SCALARS = ("optimizer", "step", "lr", "rng_seed", "rng_calls")


def tensor_slots(bufs: list[np.ndarray], optc: np.ndarray,
                 params: Mapping[str, Mapping[str, np.ndarray]]) -> list[tuple[str, str, int, int, int]]:
    """Where each trainable tensor lives: ``(node_id, tensor, optc row, offset, size)``.

    A tensor is a slice of its parameter buffer (hand-wired neurons share one), so its
    optimizer state is the same slice of that row's state buffers.
    """
    rows = []
    for r, row in enumerate(optc):
        base = bufs[row[0]]
        rows.append((base.__array_interface__["data"][0], base.nbytes, r))
    out = []
    for nid, tensors in params.items():
        for name, t in tensors.items():
            addr = t.__array_interface__["data"][0]
            for start, nbytes, r in rows:
                if start <= addr < start + nbytes:
                    out.append((nid, name, r, (addr - start) // t.itemsize, t.size))
                    break
    return out


def state_of(plan: Any) -> dict[str, np.ndarray]:
    """The optimizer state of ``plan`` as named copies (see the module docstring)."""
    p = plan._p
    bufs, hp = plan._bufs, plan._hp
    name = plan.optimizer
    slots = SLOTS[name]
    if name == "rmsprop" and hp[O.HP_MOMENTUM] <= 0.0:
        slots = slots[:1]  # no momentum: PyTorch keeps no momentum buffer, nor do we save one
    out: dict[str, np.ndarray] = {
        "optimizer": np.array(name),
        "step": np.array(hp[O.HP_T], np.float64),
        "lr": np.array(hp[O.HP_LR], np.float64),
        "rng_seed": np.array(plan.seed, np.int64),
        "rng_calls": np.array(plan._calls, np.int64),
    }
    for nid, tname, r, off, size in plan._tensor_slots():
        shape = plan.params[nid][tname].shape
        for col, slot in slots:
            out[f"{nid}/{tname}/{slot}"] = bufs[p.optc[r][col]][off:off + size].reshape(shape).copy()
    return out


def load_state(plan: Any, state: Mapping[str, Any]) -> list[str]:
    """Restore what :func:`state_of` saved; returns what could not be restored, in plain words.

    The optimizer must be the one the state was saved with (choose it first with
    ``set_optimizer``, which also sets its options); otherwise TrainingError. Tensors whose
    state is missing or has another shape keep a fresh (zero) state and are listed.
    """
    saved = str(np.asarray(state.get("optimizer", "")))
    if saved != plan.optimizer:
        raise TrainingError(f"the saved optimizer state is for {saved or 'an unknown optimizer'}, but this "
                            f"plan uses {plan.optimizer} - choose {saved or 'it'} to resume, or train on with "
                            "a fresh optimizer")
    try:
        step = float(np.asarray(state["step"]))
        lr = float(np.asarray(state["lr"]))
        calls = int(np.asarray(state.get("rng_calls", plan._calls)))
        seed = int(np.asarray(state.get("rng_seed", plan.seed)))
    except (KeyError, TypeError, ValueError):
        raise TrainingError("the saved optimizer state has no valid step count and learning rate") from None
    if not (np.isfinite(step) and step >= 0 and step == int(step)):
        raise TrainingError(f"the saved optimizer step count must be a whole number, not {step!r}")
    p = plan._p
    bufs = plan._bufs
    slots = SLOTS[plan.optimizer]
    skipped = []
    for nid, tname, r, off, size in plan._tensor_slots():
        shape = plan.params[nid][tname].shape
        for col, slot in slots:
            key = f"{nid}/{tname}/{slot}"
            value = state.get(key)
            target = bufs[p.optc[r][col]][off:off + size]
            if value is None:
                if not (slot == "momentum_buffer" and plan.optimizer == "rmsprop"):
                    skipped.append(f"{key} is missing")
                target[:] = 0.0
            elif np.shape(value) != shape:
                skipped.append(f"{key} has shape {_shape(np.shape(value))}, the plan needs {_shape(shape)}")
                target[:] = 0.0
            else:
                target[:] = np.asarray(value).ravel()
    known = {f"{nid}/{tname}/" for nid, tname, *_ in plan._tensor_slots()}
    for key in state:
        if key.count("/") == 2 and key[: key.rindex("/") + 1] not in known:
            skipped.append(f"{key} belongs to no trainable tensor of this network")
    plan._hp[O.HP_T] = step
    plan.set_lr(lr)
    plan._calls, plan.seed = calls, seed
    return skipped


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "a scalar"
