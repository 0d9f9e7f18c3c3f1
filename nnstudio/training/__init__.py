"""Training: settings, the single-threaded Trainer, threaded Sessions, snapshots, runs. No Qt."""
from nnstudio.training.divergence import DivergenceReport
from nnstudio.training.project import target_of, trainer_for_project
from nnstudio.training.runs import Run, export_csv, runs_of
from nnstudio.training.session import Session
from nnstudio.training.settings import OPTIMIZERS, SCHEDULES, TrainingSettings
from nnstudio.training.snapshot import Curves, GridOutput, LayerSnapshot, Snapshot
from nnstudio.training.trainer import Extras, Trainer

__all__ = [
    "TrainingSettings", "OPTIMIZERS", "SCHEDULES", "Trainer", "Extras", "Session", "Snapshot", "Curves",
    "LayerSnapshot", "GridOutput", "DivergenceReport", "Run", "runs_of", "export_csv", "trainer_for_project",
    "target_of",
]
