"""Sequence internals for the live views: hidden states, their gradients over time, attention weights.

The engine exposes them per node (``plan.internals(node_id)`` -> ``{"hidden": (n, seq, H),
"hidden_grad": (n, seq, H), "attention": (n, heads, seq, seq)}``, the last batch it ran). A snapshot
keeps a few samples of each (the views draw one at a time) and, for the gradients, the mean over the
whole batch of ``||d loss / d h_t||`` per time step, which is the vanishing-gradient picture.
Collected only when a view asks for them, and at most every :data:`INTERVAL` seconds.
"""
from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from nnstudio.training.snapshot import freeze_mapping, frozen

#: samples kept per node in a snapshot
SAMPLES = 8
#: seconds between two collections while training runs (the same views look the same 1/4 s later)
INTERVAL = 0.25


def grad_norm_per_step(grad: np.ndarray) -> np.ndarray:
    """(n, seq, H) gradients -> (seq,) mean over samples of the gradient's norm at each step."""
    g = np.asarray(grad, dtype=np.float64)
    return np.sqrt((g * g).sum(axis=2)).mean(axis=0)


def _read(get: Any, nid: str) -> dict[str, Any]:
    try:
        return dict(get(nid) or {})
    except (KeyError, ValueError, LookupError):
        return {}  # the node has no internals (or the plan does not know it)


def collect(plan: Any, node_ids: list[str], samples: int = SAMPLES, fixed: np.ndarray | None = None
            ) -> Mapping[str, Mapping[str, np.ndarray]] | None:
    """Frozen internals of the nodes that have any; None when the engine offers none.

    The gradients come from the last training batch. With ``fixed`` inputs, the hidden states and
    attention weights are then those of a forward pass over its first samples, so "example 0" is the
    same example in every snapshot (the training batches are shuffled); without, the training batch's.
    """
    get = getattr(plan, "internals", None)
    if get is None:
        return None
    trained = {nid: _read(get, nid) for nid in node_ids}
    # only what the sequence views draw (other ops expose e.g. BatchNorm's xhat: not wanted here)
    trained = {nid: v for nid, v in trained.items() if any(k in v for k in ("hidden", "hidden_grad", "attention"))}
    if not trained:
        return None
    shown = trained
    if fixed is not None and len(fixed) and hasattr(plan, "forward"):
        k = max(1, min(samples, len(fixed), int(getattr(plan, "batch_size", samples) or samples)))
        plan.forward(np.ascontiguousarray(fixed[:k]))
        shown = {nid: _read(get, nid) for nid in trained}
    out: dict[str, Mapping[str, np.ndarray]] = {}
    for nid, values in trained.items():
        kept: dict[str, np.ndarray] = {}
        for key in ("hidden", "attention"):
            a = shown[nid].get(key, values.get(key))
            if a is not None and np.ndim(a) >= 3 and len(a):
                kept[key] = frozen(np.asarray(a)[:samples])
        g = values.get("hidden_grad")
        if g is not None and np.ndim(g) >= 3 and len(g):
            kept["hidden_grad"] = frozen(np.asarray(g)[:samples])
            kept["hidden_grad_norm"] = frozen(grad_norm_per_step(g))
        if kept:
            out[nid] = freeze_mapping(kept)
    return freeze_mapping(out) if out else None


class Throttle:
    """Collect at most every ``interval`` seconds while running; always when paused or stepped."""

    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        self._last: tuple[float, int, Any] | None = None  # time, plan version, value

    def get(self, plan: Any, node_ids: list[str], plan_version: int, running: bool,
            fixed: np.ndarray | None = None) -> Any:
        now = time.perf_counter()
        if running and self._last and self._last[1] == plan_version and now - self._last[0] < self.interval:
            return self._last[2]
        value = collect(plan, node_ids, fixed=fixed)
        self._last = (now, plan_version, value)
        return value


__all__ = ["collect", "grad_norm_per_step", "Throttle", "SAMPLES", "INTERVAL"]
