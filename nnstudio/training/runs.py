"""Runs: each training session's settings, curves and final metrics.

Runs are kept inside the project file (its ``runs`` list), so a project
carries its own history; :func:`export_csv` writes curves for spreadsheets.
"""
from __future__ import annotations

import csv
import io
import math
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from nnstudio.io.atomic import atomic_write_bytes

if TYPE_CHECKING:  # pragma: no cover
    from nnstudio.training.trainer import Trainer

CURVE_KEYS = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")


@dataclass
class Run:
    """One training run as stored in ``project.runs``."""

    id: str
    started: str
    status: str
    settings: dict[str, Any]
    data: dict[str, Any]
    curves: dict[str, list[float]]
    final: dict[str, float]
    epochs: int
    steps: int
    seconds: float
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_trainer(cls, trainer: "Trainer", status: str, started: str, seconds: float) -> "Run":
        h = trainer.history
        curves = {k: [_num(v) for v in getattr(h, k)] for k in CURVE_KEYS}
        final = {k: v[-1] for k, v in curves.items() if v and k != "epoch" and v[-1] is not None}
        for key in ("train_mae", "val_mae"):
            if key in trainer.last_metrics:
                final[key] = _num(trainer.last_metrics[key])
        return cls(
            id=uuid.uuid4().hex[:8], started=started, status=status, settings=trainer.settings.to_dict(),
            data=dict(trainer.dataset.spec), curves=curves, final=final, epochs=trainer.epoch,
            steps=trainer.step_count, seconds=round(seconds, 3),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Run":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})

    def summary(self) -> str:
        parts = [f"{self.id}  {self.started}  {self.status:<8} epochs {self.epochs:>4}"]
        for key in ("train_loss", "val_loss", "val_accuracy", "val_mae"):
            if key in self.final and self.final[key] is not None:
                parts.append(f"{key} {self.final[key]:.4g}")
        s = self.settings
        parts.append(f"({s.get('optimizer')} lr {s.get('lr')}, batch {s.get('batch_size')})")
        return "  ".join(parts)


def _num(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None  # JSON has no NaN


def runs_of(project: Any) -> list[Run]:
    """The project's runs, skipping entries that are not valid run records."""
    out = []
    for d in project.runs:
        try:
            out.append(Run.from_dict(d))
        except TypeError:
            continue
    return out


def export_csv(runs: Sequence[Run], path: str | Path) -> Path:
    """Write the curves of several runs to one CSV (one row per run and epoch), atomically."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["run", "started", *CURVE_KEYS])
    for run in runs:
        for i in range(len(run.curves.get("epoch", []))):
            w.writerow([run.id, run.started, *("" if run.curves[k][i] is None else run.curves[k][i]
                                               for k in CURVE_KEYS)])
    path = Path(path)
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
    return path
