"""Lessons: the explainer's ten ideas as guided experiments on example projects.

A lesson is data (:class:`~nnstudio.lessons.model.Lesson`): a few paragraphs, an
example project to open, and "try this" steps whose changes the app applies
through its undo stack and settings panels, and the headless tests apply with
:func:`~nnstudio.lessons.model.apply_change`. No Qt here.
"""
from nnstudio.lessons.model import Change, Lesson, Step, apply_change
from nnstudio.lessons.registry import all_lessons, get_lesson

__all__ = ["Change", "Lesson", "Step", "apply_change", "all_lessons", "get_lesson"]
