"""Immutable snapshots of a training session, for views and terminals.

A snapshot is built by the worker and handed to readers on other threads, so
it holds only copies (never views into live engine buffers) and read-only
arrays; readers may keep it as long as they like.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from nnstudio.training.divergence import DivergenceReport


def frozen(a: Any) -> np.ndarray:
    """A read-only copy of an array."""
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class Curves:
    """Per-epoch metrics and the finer per-step training loss."""

    epoch: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray
    step: np.ndarray
    step_loss: np.ndarray

    def as_dict(self) -> dict[str, list[float]]:
        return {k: [float(v) for v in getattr(self, k)] for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class LayerSnapshot:
    """What the live views show about one node with parameters or activations."""

    node_id: str
    name: str
    kind: str
    weight_norm: float = float("nan")
    grad_norm: float = float("nan")
    weight_hist: tuple[np.ndarray, np.ndarray] | None = None  # counts, bin edges
    grad_hist: tuple[np.ndarray, np.ndarray] | None = None
    act_mean: float = float("nan")
    act_std: float = float("nan")
    dead_fraction: float = float("nan")
    saturated_fraction: float = float("nan")
    act_hist: tuple[np.ndarray, np.ndarray] | None = None


@dataclass(frozen=True)
class GridOutput:
    """The model evaluated on a regular grid over a 2-D input plane."""

    x: np.ndarray  # (res,) first-input coordinates
    y: np.ndarray  # (res,) second-input coordinates
    values: np.ndarray  # (res, res, k) outputs (probabilities for classification)
    neurons: Mapping[str, np.ndarray] = field(default_factory=dict)  # node id -> (res, res) response


@dataclass(frozen=True)
class Snapshot:
    """State of a session at one moment. Everything in it is a copy."""

    seq: int
    state: str
    step: int
    epoch: int
    lr: float
    curves: Curves
    metrics: Mapping[str, Any]
    layers: tuple[LayerSnapshot, ...]
    steps_per_s: float
    samples_per_s: float
    divergence: DivergenceReport | None = None
    message: str = ""
    params: Mapping[str, Mapping[str, np.ndarray]] | None = None
    grid: GridOutput | None = None
    hidden: Mapping[str, np.ndarray] | None = None  # node id -> activations of chosen samples
    hidden_labels: np.ndarray | None = None  # class (or target) of each of those samples
    sample_outputs: np.ndarray | None = None  # model outputs for the chosen sample
    sample_input: np.ndarray | None = None  # the chosen sample itself, e.g. (C, H, W)
    feature_maps: Mapping[str, np.ndarray] | None = None  # node id -> (C, H, W) activations of that sample
    plan_version: int = 0
    #: node id -> sequence internals (a few samples of "hidden", "hidden_grad", "attention", and
    #: "hidden_grad_norm" (seq,) over the batch); only nodes that have them, only when a view asks
    internals: Mapping[str, Mapping[str, np.ndarray]] | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("finished", "stopped")


def freeze_mapping(d: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(d))
