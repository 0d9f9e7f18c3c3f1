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
KEYS = ("hidden", "hidden_grad", "attention")


def grad_norm_per_step(grad: np.ndarray) -> np.ndarray:
    """(n, seq, H) gradients -> (seq,) mean over samples of the gradient's norm at each step."""
    g = np.asarray(grad, dtype=np.float64)
    return np.sqrt((g * g).sum(axis=2)).mean(axis=0)


def collect(plan: Any, node_ids: list[str], samples: int = SAMPLES) -> Mapping[str, Mapping[str, np.ndarray]] | None:
    """Frozen internals of the nodes that have any; None when the engine offers none."""
    get = getattr(plan, "internals", None)
    if get is None:
        return None
    out: dict[str, Mapping[str, np.ndarray]] = {}
    for nid in node_ids:
        try:
            values = get(nid) or {}
        except (KeyError, ValueError, LookupError):
            continue  # the node has no internals (or the plan does not know it)
        kept: dict[str, np.ndarray] = {}
        for key in KEYS:
            a = values.get(key)
            if a is None or np.ndim(a) < 3 or not len(a):
                continue
            kept[key] = frozen(np.asarray(a)[:samples])
            if key == "hidden_grad":
                kept["hidden_grad_norm"] = frozen(grad_norm_per_step(a))
        if kept:
            out[nid] = freeze_mapping(kept)
    return freeze_mapping(out) if out else None


class Throttle:
    """Collect at most every ``interval`` seconds while running; always when paused or stepped."""

    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        self._last: tuple[float, int, Any] | None = None  # time, plan version, value

    def get(self, plan: Any, node_ids: list[str], plan_version: int, running: bool) -> Any:
        now = time.perf_counter()
        if running and self._last and self._last[1] == plan_version and now - self._last[0] < self.interval:
            return self._last[2]
        value = collect(plan, node_ids)
        self._last = (now, plan_version, value)
        return value


__all__ = ["collect", "grad_norm_per_step", "Throttle", "SAMPLES", "INTERVAL"]
