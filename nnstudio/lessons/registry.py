"""Every lesson, in the order of the ten ideas. A lesson module defines ``LESSON``."""
from __future__ import annotations

import importlib
import pkgutil

from nnstudio.errors import NNStudioError
from nnstudio.lessons import content
from nnstudio.lessons.model import Lesson


def all_lessons() -> list[Lesson]:
    """The lessons of ``nnstudio.lessons.content``, sorted by idea number."""
    found = []
    for info in pkgutil.iter_modules(content.__path__):
        module = importlib.import_module(f"{content.__name__}.{info.name}")
        lesson = getattr(module, "LESSON", None)
        if isinstance(lesson, Lesson):
            found.append(lesson)
    return sorted(found, key=lambda lesson: (lesson.number, lesson.id))


def get_lesson(lesson_id: str) -> Lesson:
    for lesson in all_lessons():
        if lesson.id == lesson_id:
            return lesson
    raise NNStudioError(f"there is no lesson {lesson_id!r}; the lessons are: "
                        + ", ".join(lesson.id for lesson in all_lessons()))
