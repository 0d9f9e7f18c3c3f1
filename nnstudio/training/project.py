"""From a project (graph + data description + settings) to a ready Trainer."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from nnstudio.data import load_from_spec
from nnstudio.errors import CompileError, TrainingError
from nnstudio.graph import TargetSpec
from nnstudio.training.settings import TrainingSettings
from nnstudio.training.trainer import Trainer


def target_of(dataset: Any) -> TargetSpec:
    """What validation needs to know about a dataset."""
    if dataset.task == "classification":
        per_position = getattr(dataset, "per_position", False)  # a class at each position (copy, reverse)
        return TargetSpec("classification", int(dataset.n_classes), tuple(dataset.input_shape),
                          int(dataset.y_train.shape[1]) if per_position else None)
    return TargetSpec("regression", int(dataset.target_dim), tuple(dataset.input_shape))


def trainer_for_project(project: Any, base_dir: str | Path | None = None, use_weights: bool = True,
                        **overrides: Any) -> Trainer:
    """Load the project's data, check the graph against it and compile a Trainer.

    Raises an :class:`~nnstudio.errors.NNStudioError` subclass (DataError,
    CompileError, TrainingError) with a message for the user.
    """
    if not project.data:
        raise TrainingError("the project has no dataset - choose one in the data panel")
    dataset = load_from_spec(project.data, base_dir)
    problems = [p for p in project.graph.validate(target_of(dataset)) if p.severity == "error"]
    if problems:
        raise CompileError("the network is not valid yet:\n" + "\n".join(p.describe(project.graph) for p in problems))
    settings = TrainingSettings.from_dict(project.training)
    if overrides:
        settings = settings.with_changes(**{k: v for k, v in overrides.items() if v is not None})
    trainer = Trainer(project.graph, dataset, settings, project.weights if use_weights else None)
    # what became of the saved weights and optimizer state, in sentences for the terminal or status bar
    trainer.resume_notes = []
    if use_weights and project.weights:
        trainer.resume_notes = describe_skipped(trainer.load_weights(project.weights), project.graph)
        # the loaded network's figures and layer statistics, so the status and the views show them at
        # once (before the state is restored: that restores the dropout seed counter these passes advance)
        from nnstudio.training.resume import show_loaded

        show_loaded(trainer)
        if getattr(project, "optimizer", None):
            trainer.resume_notes += trainer.load_training_state(project.optimizer)
    return trainer


def describe_skipped(skipped: list[str], graph: Any) -> list[str]:
    """``["n2/weight", ...]`` from ``Trainer.load_weights`` as one sentence per node."""
    by_node: dict[str, list[str]] = {}
    for key in skipped:
        nid, _, tensor = key.partition("/")
        by_node.setdefault(nid, []).append(tensor)
    notes = []
    for nid, tensors in by_node.items():
        node = graph.nodes.get(nid)
        what = f"{node.name} ({node.kind})" if node is not None else f"node {nid}, which no longer exists,"
        notes.append(f"the saved {' and '.join(tensors)} of {what} no longer fit{'s' * (len(tensors) == 1)} "
                     "the network and {} dropped".format("was" if len(tensors) == 1 else "were"))
    return notes
