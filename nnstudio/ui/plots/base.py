"""The base of every live plot dock: a title, a "what am I looking at" help, PNG export."""
from __future__ import annotations

import html
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QDockWidget, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")

CLASS_COLORS = ["#1e88e5", "#fb8c00", "#43a047", "#8e24aa", "#e53935", "#00acc1", "#6d4c41", "#c0ca33",
                "#d81b60", "#5e35b1"]
TRAIN_COLOR = "#1e88e5"
VAL_COLOR = "#fb8c00"


def diverging_lut(dark: bool = False) -> np.ndarray:
    """Blue (negative) - neutral (zero) - orange (positive); the neutral is dark grey in the dark theme,
    so near-zero weights recede into the background there too instead of glaring."""
    zero = (55, 71, 79) if dark else (236, 239, 241)
    return pg.ColorMap([0.0, 0.5, 1.0], [(30, 136, 229), zero, (251, 140, 0)]).getLookupTable(nPts=256)


def background_is_dark() -> bool:
    """Whether the plots' current background (the theme's) is dark."""
    return pg.mkColor(pg.getConfigOption("background")).lightness() < 128


def relative_luminance(c: QColor) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio, 1 to 21 (4.5 for text, 3 for lines and shapes)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_text_colour(cell: QColor) -> str:
    """Black or white, whichever contrasts more with the cell (at least 4.5:1 for any cell)."""
    black, white = QColor("#000000"), QColor("#ffffff")
    return "#000000" if contrast_ratio(black, cell) >= contrast_ratio(white, cell) else "#ffffff"


def readable_on(colour: str, background: Any, minimum: float = 3.0) -> str:
    """The colour, darkened (light background) or lightened (dark one) until it stands out ``minimum``:1."""
    c, bg = QColor(colour), pg.mkColor(background)
    h, s, light, _a = c.getHslF()
    step = -0.03 if relative_luminance(bg) > 0.18 else 0.03
    while contrast_ratio(c, bg) < minimum and 0.0 < light < 1.0:
        light = min(1.0, max(0.0, light + step))
        c = QColor.fromHslF(max(h, 0.0), s, light)
    return c.name()


def legend_html(entries: list[tuple[str, str, str]]) -> str:
    """A legend drawn outside the plot (so it never hides a curve): (colour, "solid"|"dashed"|"box", text)."""
    marks = {"solid": "\u2501\u2501", "dashed": "\u254d\u254d", "box": "\u25a0"}
    return "&nbsp;&nbsp;&nbsp;".join(
        f'<span style="color:{c}; font-weight:bold">{marks[style]}</span>&nbsp;{html.escape(text)}'
        for c, style, text in entries)


def fill_combo(combo: QComboBox, items: list[tuple[str, Any]], default: int = 0) -> None:
    """Give ``combo`` these (text, data) items without emitting signals: rebuilt only when they change,
    keeping the chosen data if it is still there, else choosing item ``default``."""
    if [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())] == items:
        return
    current = combo.currentData()
    data = [d for _, d in items]
    combo.blockSignals(True)
    combo.clear()
    for text, d in items:
        combo.addItem(text, d)
    if current in data:
        combo.setCurrentIndex(data.index(current))
    elif items:
        combo.setCurrentIndex(min(default, len(items) - 1))
    combo.blockSignals(False)


class PlotDock(QDockWidget):
    """Subclasses build ``self.body`` and draw in :meth:`update_snapshot`."""

    title = "Plot"
    help_text = ""
    #: cheap views are redrawn on every timer tick; the others take turns (see TrainingController.tick)
    cheap = False
    #: emitted when :meth:`needs` changes (another layer or example chosen)
    needsChanged = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(self.title, parent)
        self.setObjectName(type(self).__name__)
        self.setToolTip(self.help_text)
        host = QWidget()
        lay = QVBoxLayout(host)
        lay.setContentsMargins(4, 2, 4, 4)
        top = QHBoxLayout()
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: gray")
        helpb = QToolButton(text="?")
        helpb.setToolTip(self.help_text)
        helpb.setAutoRaise(True)
        helpb.clicked.connect(lambda: self.caption.setText(self.help_text if self.caption.text() != self.help_text
                                                           else ""))
        self.controls = QHBoxLayout()
        top.addLayout(self.controls)
        top.addStretch(1)
        top.addWidget(helpb)
        lay.addLayout(top)
        self.body = QVBoxLayout()
        lay.addLayout(self.body, 1)
        lay.addWidget(self.caption)
        self.setWidget(host)
        self.snapshot: Any = None
        self.stale = False  # the kept snapshot is newer than what is drawn
        self.draws = 0
        self.setAllowedAreas(Qt.AllDockWidgetAreas)

    def _needs_changed(self, *_args: Any) -> None:
        self.needsChanged.emit()

    def needs(self) -> dict[str, Any]:
        """Extras this dock wants in snapshots (see nnstudio.training.Extras)."""
        return {}

    def offer(self, snapshot: Any) -> None:
        """Keep the newest snapshot; it is drawn by :meth:`redraw` (the controller spreads redraws)."""
        self.snapshot = snapshot
        self.stale = snapshot is not None

    def redraw(self) -> bool:
        """Draw the kept snapshot if it is newer than the picture and the dock is visible."""
        if not (self.stale and self.isVisible() and self.snapshot is not None):
            return False
        self.draw(self.snapshot)
        self.draws += 1
        self.stale = False
        return True

    def update_snapshot(self, snapshot: Any) -> None:
        """Keep the snapshot and draw it now if visible (else when shown)."""
        self.offer(snapshot)
        self.redraw()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self.snapshot is not None:
            self.draw(self.snapshot)
            self.stale = False

    def draw(self, snapshot: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def clear(self) -> None:
        self.snapshot = None

    def plot_widget(self) -> QWidget:
        return self.widget()

    def export_png(self, path: str) -> bool:
        return self.plot_widget().grab().save(path)
