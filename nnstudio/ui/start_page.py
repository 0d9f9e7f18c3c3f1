"""The start page: big example cards (picture of the trained result, title, the idea in one line),
"New empty network", "Open..." and the recent files.

It covers the window below the menu bar when the app opens without a project and on File > New from
example; choosing anything hides it. A card opens a *copy* of its example (see MainWindow.open_example).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent, QMouseEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget,
)

from nnstudio.ui.examples import ExampleInfo
from nnstudio.ui.start_lessons import LESSON_COLUMNS, LessonButton, lesson_line

CARD_IMAGE = QSize(300, 180)
COLUMNS = 3
SIDEBAR = 250
_STYLE = """
#StartPage {{ background: {window}; }}
#ExampleCard {{ background: {base}; border: 1px solid {mid}; border-radius: 10px; }}
#ExampleCard:hover, #ExampleCard:focus {{ border: 2px solid #1e88e5; }}
#StartPage QLabel {{ color: {text}; }}
#StartHeading {{ font-weight: bold; }}
#LessonButton {{ background: {base}; color: {text}; border: 1px solid {mid}; border-radius: 6px;
                 text-align: left; padding: 6px 10px; }}
#LessonButton:hover, #LessonButton:focus {{ border: 2px solid #1e88e5; }}
"""


def _style_for(pal: QPalette) -> str:
    """The page's style sheet in the colours of ``pal`` (concrete colours: a sheet is resolved once)."""
    return _STYLE.format(window=pal.color(QPalette.Window).name(), base=pal.color(QPalette.Base).name(),
                         mid=pal.color(QPalette.Mid).name(), text=pal.color(QPalette.WindowText).name())


def _font(scale: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(max(9.0, f.pointSizeF() * scale))
    f.setBold(bold)
    return f


class ExampleCard(QFrame):
    """One example: its picture, its title, its idea; a click (or Enter) emits ``chosen(path)``."""

    chosen = Signal(str)

    def __init__(self, info: ExampleInfo, parent: Any = None) -> None:
        super().__init__(parent)
        self.info = info
        self.setObjectName("ExampleCard")
        self.setCursor(Qt.PointingHandCursor)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setToolTip(f"Open a copy of the {info.title} example (the example itself stays as it is)")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 10)
        lay.setSpacing(4)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignCenter)
        self.image.setMinimumSize(160, 96)
        self.image.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self._pixmap = QPixmap(str(info.thumbnail)) if info.thumbnail else QPixmap()
        if self._pixmap.isNull():
            self.image.setText("(no picture)")
        lay.addWidget(self.image, 1)
        self.title = QLabel(info.title)
        self.title.setObjectName("CardTitle")
        self.title.setFont(_font(1.25, bold=True))
        lay.addWidget(self.title)
        self.description = QLabel(info.description)
        self.description.setWordWrap(True)
        self.description.setFont(_font(1.0))
        # two lines kept for every idea, so the titles of a row line up
        self.description.setMinimumHeight(2 * self.description.fontMetrics().lineSpacing() + 2)
        self.description.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        lay.addWidget(self.description)
        self.setMinimumWidth(220)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        if not self._pixmap.isNull():
            size = self.image.size()
            self.image.setPixmap(self._pixmap.scaled(size, Qt.KeepAspectRatio, Qt.SmoothTransformation))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.LeftButton and self.rect().contains(event.position().toPoint()):
            self.chosen.emit(str(self.info.path))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Space):
            self.chosen.emit(str(self.info.path))
            return
        super().keyPressEvent(event)


class StartPage(QWidget):
    """Signals: ``exampleChosen(path)``, ``newRequested()``, ``openRequested()``, ``recentChosen(path)``,
    ``backRequested()`` (only offered when a network is open behind the page), ``lessonChosen(id)``."""

    exampleChosen = Signal(str)
    newRequested = Signal()
    openRequested = Signal()
    recentChosen = Signal(str)
    backRequested = Signal()
    lessonChosen = Signal(str)

    def __init__(self, examples: Sequence[ExampleInfo], parent: Any = None, lessons: Sequence[Any] = ()) -> None:
        super().__init__(parent)
        self.setObjectName("StartPage")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.setStyleSheet(_style_for(QGuiApplication.palette()))
        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(24)
        # the side: start empty, open a file, or go on with a recent one
        side = QVBoxLayout()
        side.setSpacing(8)
        name = QLabel("nnstudio")
        name.setFont(_font(2.0, bold=True))
        side.addWidget(name)
        tagline = QLabel("Build a network, press Train, watch it learn.")
        tagline.setWordWrap(True)
        side.addWidget(tagline)
        side.addSpacing(12)
        self.new_button = QPushButton("New empty network")
        self.new_button.setToolTip("An empty canvas: drag an Input, layers and an Output from the palette")
        self.open_button = QPushButton("Open...")
        self.open_button.setToolTip("Open a .nnstudio project file")
        self.back_button = QPushButton("Back to the open network")
        self.back_button.setToolTip("Close this page and go on with the network you were editing")
        for b in (self.new_button, self.open_button, self.back_button):
            b.setMinimumHeight(34)
            side.addWidget(b)
        self.back_button.hide()
        self.new_button.clicked.connect(self.newRequested)
        self.open_button.clicked.connect(self.openRequested)
        self.back_button.clicked.connect(self.backRequested)
        side.addSpacing(16)
        recent_label = QLabel("Recent")
        recent_label.setObjectName("StartHeading")
        side.addWidget(recent_label)
        self.recent_box = QVBoxLayout()
        self.recent_box.setSpacing(2)
        side.addLayout(self.recent_box)
        self.no_recent = QLabel("No recent files yet.")
        self.recent_box.addWidget(self.no_recent)
        self.recent_buttons: list[QPushButton] = []
        side.addStretch(1)
        side_host = QWidget()
        side_host.setLayout(side)
        side_host.setFixedWidth(SIDEBAR)
        outer.addWidget(side_host)
        # the lessons, then the examples, in one scrolled column
        main = QVBoxLayout()
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        self.lesson_buttons: list[LessonButton] = []
        if lessons:
            lessons_heading = QLabel("Lessons")
            lessons_heading.setObjectName("StartHeading")
            lessons_heading.setFont(_font(1.5, bold=True))
            column.addWidget(lessons_heading)
            lessons_sub = QLabel("The ideas behind neural networks, one guided experiment each: a few paragraphs, "
                                 "then buttons that change the network and show what to look at.")
            lessons_sub.setWordWrap(True)
            column.addWidget(lessons_sub)
            lesson_grid = QGridLayout()
            lesson_grid.setContentsMargins(0, 6, 0, 12)
            lesson_grid.setSpacing(8)
            per_column = (len(lessons) + LESSON_COLUMNS - 1) // LESSON_COLUMNS
            for i, lesson in enumerate(lessons):
                button = LessonButton(lesson, lesson_line(lesson))
                button.clicked.connect(lambda _c=False, i=lesson.id: self.lessonChosen.emit(i))
                lesson_grid.addWidget(button, i % per_column, i // per_column)  # numbers run down the columns
                self.lesson_buttons.append(button)
            for c in range(LESSON_COLUMNS):
                lesson_grid.setColumnStretch(c, 1)
            column.addLayout(lesson_grid)
        heading = QLabel("Start from an example")
        heading.setObjectName("StartHeading")
        heading.setFont(_font(1.5, bold=True))
        column.addWidget(heading)
        sub = QLabel("Each one shows an idea and trains in seconds. It opens as your own untitled copy: "
                     "change it freely, the example stays as it is.")
        sub.setWordWrap(True)
        column.addWidget(sub)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(0, 8, 0, 0)
        grid.setSpacing(14)
        self.cards: list[ExampleCard] = []
        for i, info in enumerate(examples):
            card = ExampleCard(info)
            card.chosen.connect(self.exampleChosen)
            grid.addWidget(card, i // COLUMNS, i % COLUMNS)
            self.cards.append(card)
        rows = max(1, (len(examples) + COLUMNS - 1) // COLUMNS)
        for r in range(rows):
            grid.setRowStretch(r, 1)
        for c in range(COLUMNS):
            grid.setColumnStretch(c, 1)
        grid_host.setMinimumHeight(rows * 250)
        column.addWidget(grid_host, 1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        main.addWidget(scroll, 1)
        outer.addLayout(main, 1)

    def restyle(self) -> None:
        """Follow the application palette (called on a theme switch: a style sheet is resolved once)."""
        self.setStyleSheet(_style_for(QGuiApplication.palette()))

    def lesson_button(self, lesson_id: str) -> LessonButton:
        return next(b for b in self.lesson_buttons if b.lesson.id == lesson_id)

    def card(self, stem: str) -> ExampleCard:
        return next(c for c in self.cards if c.info.path.stem == stem)

    def set_recent(self, paths: Sequence[str]) -> None:
        for b in self.recent_buttons:
            self.recent_box.removeWidget(b)
            b.deleteLater()
        self.recent_buttons = []
        self.no_recent.setVisible(not paths)
        for p in list(paths)[:8]:
            b = QPushButton(Path(p).name)
            b.setFlat(True)
            b.setToolTip(p)
            b.setStyleSheet("text-align: left; padding: 3px 6px;")
            b.clicked.connect(lambda _c=False, p=p: self.recentChosen.emit(p))
            self.recent_box.addWidget(b)
            self.recent_buttons.append(b)

    def set_can_go_back(self, on: bool) -> None:
        self.back_button.setVisible(on)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key_Escape and self.back_button.isVisible():
            self.backRequested.emit()
            return
        super().keyPressEvent(event)
