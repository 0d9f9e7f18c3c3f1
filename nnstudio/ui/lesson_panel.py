"""The lesson panel: a lesson's text and its "try this" steps, in a dock beside the canvas.

Opening a lesson opens an untitled copy of its example project (like any example) and shows the
panel: the title, a few paragraphs, then one button per step with what it does and what to look
for; a pressed step is marked done. Previous / Next go through the lessons in the order of the
ten ideas. The buttons' work is :mod:`nnstudio.ui.lesson_actions`.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QDockWidget, QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from nnstudio.errors import NNStudioError
from nnstudio.lessons import Lesson, all_lessons, get_lesson
from nnstudio.ui.examples import examples_dir
from nnstudio.ui.lesson_actions import run_step

DONE = "\u2713 "  # the mark in front of a step that was made
LESSON_WIDTH = 0.38  # of the window's width, at least, for the right column while a lesson is open
CANVAS_MIN = 600  # px the canvas keeps when the lesson column widens
LESSON_SHARE = 0.58  # of the right column's height, the rest for the view below
TEXT_WIDTH_EM = 38  # paragraphs stay this many average characters wide at most, however wide the dock


def _font(scale: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(max(9.0, f.pointSizeF() * scale))
    f.setBold(bold)
    return f


def _label(text: str, font: QFont | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.PlainText)
    if font is not None:
        label.setFont(font)
    label.setMaximumWidth(label.fontMetrics().averageCharWidth() * TEXT_WIDTH_EM * 2)
    return label


class StepRow(QFrame):
    """One step: its button and, below, what it does and what to look at."""

    def __init__(self, number: int, step: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.step = step
        self.label = f"{number}. {step.label}"
        self.done = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.setSpacing(2)
        self.button = QPushButton(self.label)
        self.button.setStyleSheet("text-align: left; padding: 5px 8px;")
        self.button.setToolTip(step.explain)
        self.button.setMinimumHeight(30)
        lay.addWidget(self.button)
        self.explain = _label(step.explain)
        self.explain.setContentsMargins(10, 0, 0, 0)
        lay.addWidget(self.explain)

    def mark_done(self) -> None:
        self.done = True
        self.button.setText(DONE + self.label)
        self.button.setToolTip(self.step.explain + " (done - press again to repeat)")


class LessonPanel(QWidget):
    """Shows one lesson; ``lessonRequested(id)`` asks the window to open another."""

    lessonRequested = Signal(str)
    stepMade = Signal(int)  # the index of the step just made

    def __init__(self, window: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.window = window
        self.lesson: Lesson | None = None
        self.project: Any = None  # the copy of the lesson's example the steps change
        self.rows: list[StepRow] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)
        self.number = QLabel("")
        self.number.setStyleSheet("color: gray")
        outer.addWidget(self.number)
        self.title = _label("", _font(1.35, bold=True))
        outer.addWidget(self.title)
        self.text_box = QVBoxLayout()
        self.text_box.setSpacing(8)
        outer.addLayout(self.text_box)
        self.try_heading = QLabel("Try this")
        self.try_heading.setFont(_font(1.1, bold=True))
        outer.addSpacing(6)
        outer.addWidget(self.try_heading)
        self.steps_box = QVBoxLayout()
        self.steps_box.setSpacing(2)
        outer.addLayout(self.steps_box)
        self.error = _label("")
        self.error.setStyleSheet("color: #e53935")
        self.error.hide()
        outer.addWidget(self.error)
        outer.addStretch(1)
        nav = QHBoxLayout()
        self.prev_button = QPushButton("\u2190 Previous lesson")
        self.next_button = QPushButton("Next lesson \u2192")
        self.prev_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(+1))
        nav.addWidget(self.prev_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        outer.addLayout(nav)

    def show_lesson(self, lesson: Lesson) -> None:
        self.lesson = lesson
        lessons = all_lessons()
        self.number.setText(f"Lesson {lesson.number} of 10")
        self.title.setText(lesson.title)
        for box in (self.text_box, self.steps_box):
            while box.count():
                w = box.takeAt(0).widget()
                if w is not None:
                    w.deleteLater()
        for paragraph in lesson.paragraphs:
            self.text_box.addWidget(_label(paragraph))
        self.rows = []
        for k, step in enumerate(lesson.steps, 1):
            row = StepRow(k, step)
            row.button.clicked.connect(lambda _c=False, r=row: self.press(r))
            self.steps_box.addWidget(row)
            self.rows.append(row)
        self.try_heading.setVisible(bool(self.rows))
        self.error.hide()
        ids = [item.id for item in lessons]
        at = ids.index(lesson.id) if lesson.id in ids else -1
        self.prev_button.setEnabled(at > 0)
        self.next_button.setEnabled(0 <= at < len(ids) - 1)
        self.prev_button.setToolTip(f"Lesson {lessons[at - 1].number}: {lessons[at - 1].title}" if at > 0 else "")
        self.next_button.setToolTip(f"Lesson {lessons[at + 1].number}: {lessons[at + 1].title}"
                                    if 0 <= at < len(ids) - 1 else "")

    def press(self, row: StepRow) -> bool:
        """Make the row's step; a step that cannot be made says why below the steps."""
        if self.project is not None and self.window.project is not self.project:
            self.error.setText(f"{row.step.label}: another network is open now, not this lesson's example - "
                               "choose the lesson again (Lessons menu) to reopen it")
            self.error.show()
            return False
        try:
            run_step(self.window, row.step)
        except NNStudioError as exc:
            self.error.setText(f"{row.step.label}: {exc}")
            self.error.show()
            return False
        self.error.hide()
        row.mark_done()
        self.stepMade.emit(self.rows.index(row))
        return True

    def _go(self, delta: int) -> None:
        if self.lesson is None:
            return
        ids = [item.id for item in all_lessons()]
        at = ids.index(self.lesson.id) + delta
        if 0 <= at < len(ids):
            self.lessonRequested.emit(ids[at])


class LessonDock(QDockWidget):
    """The lesson panel in a scrolled dock; ``open_lesson`` opens a lesson's example and shows it."""

    def __init__(self, window: Any) -> None:
        super().__init__("Lesson", window)
        self.setObjectName("LessonDock")
        self.window_ = window
        self.panel = LessonPanel(window)
        self.panel.lessonRequested.connect(self.open_lesson)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(self.panel)
        self.setWidget(scroll)
        self.scroll = scroll
        self.panel.stepMade.connect(self._show_next_step)
        self.setToolTip("The open lesson: what it teaches and the experiments to try")
        window.addDockWidget(Qt.RightDockWidgetArea, self)
        self.hide()

    def _show_next_step(self, index: int) -> None:
        """Scroll the step after the one just made into view: the learner reads on from there."""
        rows = self.panel.rows
        if index + 1 < len(rows):
            self.scroll.ensureWidgetVisible(rows[index + 1], 0, 20)

    def open_lesson(self, lesson_id: str, ask: bool = True) -> bool:
        """Open an untitled copy of the lesson's example and show the lesson beside it."""
        w = self.window_
        try:
            lesson = get_lesson(lesson_id)
        except NNStudioError as exc:
            w.statusBar().showMessage(str(exc), 8000)
            return False
        if not w.open_example(examples_dir() / f"{lesson.example}.nnstudio", ask=ask):
            return False
        self.panel.show_lesson(lesson)
        self.panel.project = w.project
        self.present()
        w.statusBar().showMessage(f"Lesson {lesson.number}: {lesson.title} - a copy of its example is open; "
                                  "the steps on the right change it (Ctrl+Z undoes an edit)", 8000)
        return True

    def present(self) -> None:
        """Show the panel in front, in the right column over the data (where the lesson changes it)."""
        w = self.window_
        if not self.isFloating() and self not in w.tabifiedDockWidgets(w.data_dock) \
                and w.dockWidgetArea(w.data_dock) != Qt.NoDockWidgetArea and w.data_dock.isVisible():
            w.tabifyDockWidget(w.data_dock, self)
        self.show()
        self.raise_()
        if not self.isFloating() and w.dockWidgetArea(self) == Qt.RightDockWidgetArea:
            # lines of a readable length: the lessons' networks are small, the canvas can give room
            # (never leaving the canvas less than CANVAS_MIN: a 1280 px window keeps its default columns)
            wide = min(int(w.width() * LESSON_WIDTH), w.width() - w.palette_dock.width() - CANVAS_MIN)
            if self.width() < wide:
                w.resizeDocks([self], [wide], Qt.Horizontal)
            # the text and the steps get most of the column; the view below it keeps the rest
            below = [d for d in w.view_picker.slots[1] if d.isVisible() and not d.isFloating()]
            if below:
                height = self.height() + below[0].height()
                w.resizeDocks([self, below[0]], [int(height * LESSON_SHARE), height - int(height * LESSON_SHARE)],
                              Qt.Vertical)
            QTimer.singleShot(0, w, w.fit_readable)  # the canvas is narrower now: fit the network again


def lessons_menu(window: Any, dock: LessonDock) -> QMenu:
    """The Lessons menu: every lesson by number, then the panel's show/hide toggle."""
    menu = QMenu("Le&ssons", window)
    for lesson in all_lessons():
        action = QAction(f"&{lesson.number}. {lesson.title}" if lesson.number < 10 else
                         f"1&0. {lesson.title}", menu)
        action.setStatusTip(f"Open lesson {lesson.number} with a copy of its example")
        action.triggered.connect(lambda _c=False, i=lesson.id: dock.open_lesson(i))
        menu.addAction(action)
    menu.addSeparator()
    toggle = dock.toggleViewAction()
    toggle.setText("Lesson &panel")
    menu.addAction(toggle)
    return menu


def install_lessons(window: Any) -> LessonDock:
    """The lesson dock, the Lessons menu (before Help) and the start page's lesson list, wired."""
    dock = LessonDock(window)
    bar = window.menuBar()
    help_menu = bar.actions()[-1]
    bar.insertMenu(help_menu, lessons_menu(window, dock))
    window.start_page.lessonChosen.connect(dock.open_lesson)
    return dock
