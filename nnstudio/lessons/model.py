"""What a lesson is, as data shared by the lesson panel and the headless lesson tests."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from nnstudio.graph.edits import Edit
from nnstudio.io.project import Project
from nnstudio.lessons.changes import LessonError


@dataclass(frozen=True)
class Change:
    """What one "try this" button does to the open project.

    ``edit`` is a graph edit (the app pushes it on the undo stack, so Ctrl+Z takes it back);
    ``training`` and ``data`` are keys of the project's training settings and data description
    to set (the app sets them in its panels, as if the user had typed them). ``keep_weights``
    names nodes whose trained weights carry over into the changed network (transfer learning:
    the trained convolutions under a new head); the others start from fresh weights.
    ``needs_training`` is what to tell a learner who has not trained those nodes yet.
    """

    edit: Edit | None = None
    training: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)
    keep_weights: tuple[str, ...] = ()
    needs_training: str = "train the network first: this step reuses its trained weights"


@dataclass(frozen=True)
class Step:
    """One "try this" step of a lesson.

    ``label`` is the button's text, an imperative ("Remove the activation"); ``explain`` says in
    one or two sentences what the change does and what to look for; ``look_at`` names the views
    to bring to the front (dock object names such as ``"CurvesDock"``, ``"DecisionDock"``,
    ``"GradNormsDock"``); ``change`` builds the change from the project as it is now (``None`` for
    a step that only asks the learner to train and look); ``then`` is what the app does after the
    change: ``""`` nothing, ``"reset"`` new random weights, ``"train"`` reset and start training,
    ``"step"`` one optimizer step. ``compare`` = k > 0 shows the k-th latest run before this
    step's (1: the one just before) in grey in 'Loss and accuracy', to compare the new run with.
    """

    label: str
    explain: str
    look_at: tuple[str, ...] = ()
    change: Callable[[Project], Change] | None = None
    then: str = ""
    compare: int = 0


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


def kept_weights(change: Change, trained: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The tensors of ``trained`` (node id -> tensors) that ``change`` carries over, or None if it
    keeps none; a LessonError saying ``change.needs_training`` if a node to keep has no trained weights."""
    if not change.keep_weights:
        return None
    if not trained or any(nid not in trained for nid in change.keep_weights):
        raise LessonError(change.needs_training)
    return {nid: {k: v.copy() for k, v in trained[nid].items()} for nid in change.keep_weights}


def changed_data(spec: Mapping[str, Any] | None, values: Mapping[str, Any]) -> dict[str, Any]:
    """The data description after a change sets ``values``: merged into ``spec``, or in its place when
    ``values`` names another ``source`` (the old source's keys mean nothing to the new one)."""
    old = dict(spec or {})
    if "source" in values and values["source"] != old.get("source"):
        return dict(values)
    return {**old, **dict(values)}


def apply_change(project: Project, change: Change) -> Project:
    """A copy of ``project`` with ``change`` made, as the app would make it (headless).

    The project's ``weights`` stand for what the network has learned so far (the app uses its
    running session's): a change that keeps weights keeps those nodes' tensors, any other edit
    drops them all (the network changed: they may no longer fit).
    """
    kept = kept_weights(change, project.weights)
    out = copy.copy(project)
    out.graph = project.graph.copy()
    if change.edit is not None:
        change.edit.apply(out.graph)
    out.training = {**project.training, **dict(change.training)}
    out.data = changed_data(project.data, change.data)
    if kept is not None:
        out.weights, out.optimizer = kept, None
    elif change.edit is not None:
        out.weights = None
        out.optimizer = None
    return out
