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


def trained(project: Project, **overrides: Any) -> Trainer:
    """A Trainer for the project, trained to its epoch limit (or early stop) in this thread."""
    trainer = trainer_for_project(project, threads=1, **overrides)
    while not trainer.done and trainer.divergence is None:
        trainer.run_epoch()
    assert trainer.divergence is None, trainer.divergence
    return trainer
