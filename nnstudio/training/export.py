"""Export a project: gather its parameters, settings and data, then hand them to nnstudio.io.export.

The parameters are, in order of preference: the weights the caller passes (a
live session's), the project's saved weights, the initial parameters of
``ns.compile(graph, batch_size, seed)`` - tensor by tensor, so saved weights
that no longer fit a changed layer fall back to its initial values with a
warning. The PyTorch script also gets the project's training and validation
arrays, so its data source is reproduced exactly.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from nnstudio.data import load_from_spec
from nnstudio.engine import compile as compile_plan
from nnstudio.errors import CompileError, DataError
from nnstudio.io.export import DATA_KEYS, export_project
from nnstudio.io.export.network import check_exportable
from nnstudio.training.project import target_of
from nnstudio.training.settings import TrainingSettings

Weights = Mapping[str, Mapping[str, np.ndarray]]


@dataclass
class ExportResult:
    files: list[Path]
    warnings: list[str] = field(default_factory=list)
    source: str = "initial"  # where the parameters came from: "session", "saved" or "initial"


def parameters_for(project: Any, settings: TrainingSettings, weights: Weights | None = None
                   ) -> tuple[dict[str, dict[str, np.ndarray]], str, list[str]]:
    """(params, source, warnings): the given or saved weights over the initial parameters."""
    plan = compile_plan(project.graph, settings.batch_size, seed=settings.seed)
    params = {nid: {k: np.array(v) for k, v in t.items()} for nid, t in plan.params.items()}
    chosen = weights if weights else project.weights
    source = ("session" if weights else "saved") if chosen else "initial"
    warnings: list[str] = []
    for nid, tensors in (chosen or {}).items():
        for name, value in tensors.items():
            live = params.get(nid)
            if live is not None and name in live and live[name].shape == np.shape(value):
                live[name] = np.array(value, dtype=np.float32)
            elif nid in project.graph.nodes:
                warnings.append(f"{project.graph.nodes[nid].name}: the saved {name} does not fit the layer any "
                                "more; exported its initial values")
    return params, source, warnings


def export_from_project(fmt: str, out: str | os.PathLike[str], project: Any, base_dir: str | Path | None = None,
                        weights: Weights | None = None, dataset: Any = None, name: str = "model") -> ExportResult:
    """Export ``project`` in format ``fmt``; raises an NNStudioError subclass with a message for the user.

    ``dataset`` (an already loaded :class:`~nnstudio.data.Dataset`) saves loading it again.
    """
    check_exportable(project.graph)
    settings = TrainingSettings.from_dict(project.training)
    warnings: list[str] = []
    if dataset is None and project.data and fmt == "pytorch":
        try:
            dataset = load_from_spec(project.data, base_dir)
        except DataError as exc:
            warnings.append(f"the dataset could not be loaded ({exc}); the script is exported without it")
    if dataset is not None:
        problems = [p for p in project.graph.validate(target_of(dataset)) if p.severity == "error"]
        if problems:
            raise CompileError("the network does not fit its dataset - fix these first:\n"
                               + "\n".join(p.describe(project.graph) for p in problems))
    params, source, more = parameters_for(project, settings, weights)
    warnings += more
    data = {k: getattr(dataset, k) for k in DATA_KEYS} if dataset is not None and fmt == "pytorch" else None
    files = export_project(fmt, out, project.graph, params, training=settings.to_dict(), data=data, name=name)
    return ExportResult(files, warnings, source)
