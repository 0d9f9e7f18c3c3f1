"""Helpers the headless lesson tests share: open a lesson's example, make its steps, train."""
from __future__ import annotations

from pathlib import Path

import nnstudio
from nnstudio.io import Project, load_project
from nnstudio.lessons import Lesson, apply_change, get_lesson
from nnstudio.training import trainer_for_project

EXAMPLES = Path(nnstudio.__file__).parent / "resources" / "examples"


def open_lesson(lesson_id: str) -> tuple[Lesson, Project]:
    lesson = get_lesson(lesson_id)
    return lesson, load_project(EXAMPLES / f"{lesson.example}.nnstudio")


def make_step(lesson: Lesson, project: Project, label: str) -> Project:
    """The project after the step called ``label`` (as its button would make it)."""
    step = next(s for s in lesson.steps if s.label == label)
    return project if step.change is None else apply_change(project, step.change(project))


def train(project: Project, **overrides):
    """Train to the end (or until it diverges); returns (trainer, metrics before, metrics after)."""
    trainer = trainer_for_project(project, threads=1, **overrides)
    before = trainer.evaluate()
    while not trainer.done and trainer.divergence is None:
        trainer.run_epoch()
    return trainer, before, trainer.evaluate()
