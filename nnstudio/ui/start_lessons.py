"""The start page's lesson list: one button per lesson, its number, title and idea in one line."""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from nnstudio.ui.examples import examples_dir

LESSON_COLUMNS = 2


def lesson_line(lesson: Any) -> str:
    """The lesson's idea in one line: its example's description, else its first sentence."""
    try:
        meta = json.loads((examples_dir() / f"{lesson.example}.nnstudio").read_text(encoding="utf-8")).get("meta")
        line = str((meta or {}).get("description") or "")
    except (OSError, ValueError, AttributeError):
        line = ""
    if not line and lesson.paragraphs:
        line = lesson.paragraphs[0].split(". ")[0].rstrip(".")
    return line


class LessonButton(QPushButton):
    """"3  Title" over the one line (cut with "..." to the button's width, whole in the tooltip);
    a click opens the lesson (the start page says which)."""

    def __init__(self, lesson: Any, line: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.lesson = lesson
        self.line = line
        self.setObjectName("LessonButton")
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip(f"{line}\n\nOpens lesson {lesson.number} beside a copy of its example")
        self.setMinimumHeight(50)
        self.setMinimumWidth(200)  # a long line is cut by the button's width, not by widening the page
        self._set_text(10_000)

    def _set_text(self, width: int) -> None:
        line = self.fontMetrics().elidedText(self.line, Qt.ElideRight, max(60, width))
        self.setText(f"{self.lesson.number}   {self.lesson.title}\n      {line}")

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._set_text(self.width() - 60)  # less the padding and the indent of the line
