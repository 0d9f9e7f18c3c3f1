"""What a lesson is, as data shared by the lesson panel and the headless lesson tests."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from nnstudio.graph.edits import Edit
from nnstudio.io.project import Project


@dataclass(frozen=True)
class Change:
    """What one "try this" button does to the open project.

    ``edit`` is a graph edit (the app pushes it on the undo stack, so Ctrl+Z takes it back);
    ``training`` and ``data`` are keys of the project's training settings and data description
    to set (the app sets them in its panels, as if the user had typed them).
    """

    edit: Edit | None = None
    training: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One "try this" step of a lesson.

    ``label`` is the button's text, an imperative ("Remove the activation"); ``explain`` says in
    one or two sentences what the change does and what to look for; ``look_at`` names the views
    to bring to the front (dock object names such as ``"CurvesDock"``, ``"DecisionDock"``,
    ``"GradNormsDock"``); ``change`` builds the change from the project as it is now (``None`` for
    a step that only asks the learner to train and look); ``then`` is what the app does after the
    change: ``""`` nothing, ``"reset"`` new random weights, ``"train"`` reset and start training,
    ``"step"`` one optimizer step.
    """

    label: str
    explain: str
    look_at: tuple[str, ...] = ()
    change: Callable[[Project], Change] | None = None
    then: str = ""


@dataclass(frozen=True)
class Lesson:
    """One of the ten ideas (``number`` follows PRODUCT.md) taught on one example project.

    ``example`` is the stem of a project in ``nnstudio/resources/examples``; ``paragraphs`` are a
    few short paragraphs in plain words; ``steps`` are the experiments in order.
    """

    id: str
    number: int
    title: str
    example: str
    paragraphs: tuple[str, ...]
    steps: tuple[Step, ...]


def apply_change(project: Project, change: Change) -> Project:
    """A copy of ``project`` with ``change`` made, as the app would make it (headless)."""
    out = copy.copy(project)
    out.graph = project.graph.copy()
    if change.edit is not None:
        change.edit.apply(out.graph)
    out.training = {**project.training, **dict(change.training)}
    out.data = {**project.data, **dict(change.data)}
    if change.edit is not None:
        out.weights = None  # the network changed: the saved weights may no longer fit
        out.optimizer = None
    return out
