"""Shared by the headless lesson tests: open a lesson's example, make its steps' changes, train."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import nnstudio
from nnstudio.io import load_project
from nnstudio.io.project import Project
from nnstudio.lessons import Lesson, apply_change, get_lesson
from nnstudio.training import trainer_for_project
from nnstudio.training.trainer import Trainer

EXAMPLES = Path(nnstudio.__file__).parent / "resources" / "examples"


def example_of(lesson: Lesson) -> Project:
    return load_project(EXAMPLES / f"{lesson.example}.nnstudio")


def step_labelled(lesson: Lesson, start: str):
    """The lesson's step whose button text starts with ``start``."""
    steps = [s for s in lesson.steps if s.label.startswith(start)]
    assert len(steps) == 1, [s.label for s in lesson.steps]
    return steps[0]


def with_step(lesson_id: str, start: str | None = None, project: Project | None = None) -> Project:
    """The lesson's example (or ``project``) after the change of the step labelled ``start...``."""
    lesson = get_lesson(lesson_id)
    project = project if project is not None else example_of(lesson)
    if start is None:
        return project
    step = step_labelled(lesson, start)
    assert step.change is not None, step.label
    return apply_change(project, step.change(project))


def open_lesson(lesson_id: str) -> tuple[Lesson, Project]:
    lesson = get_lesson(lesson_id)
    return lesson, example_of(lesson)


def make_step(lesson: Lesson, project: Project, label: str) -> Project:
    """The project after the step called exactly ``label`` (as its button would make it)."""
    step = next(s for s in lesson.steps if s.label == label)
    return project if step.change is None else apply_change(project, step.change(project))


def train(project: Project, **overrides: Any) -> tuple[Trainer, dict[str, Any], dict[str, Any]]:
    """Train to the end (or until it diverges) in this thread; returns (trainer, metrics before,
    metrics after)."""
    trainer = trainer_for_project(project, threads=1, **overrides)
    before = trainer.evaluate()
    while not trainer.done and trainer.divergence is None:
        trainer.run_epoch()
    return trainer, before, trainer.evaluate()


def trained(project: Project, **overrides: Any) -> Trainer:
    """A Trainer for the project, trained to its epoch limit (or early stop) without diverging."""
    trainer, _, _ = train(project, **overrides)
    assert trainer.divergence is None, trainer.divergence
    return trainer
