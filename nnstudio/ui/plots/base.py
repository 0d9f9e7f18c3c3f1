"""The base of every live plot dock: a title, a "what am I looking at" help, PNG export."""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")

CLASS_COLORS = ["#1e88e5", "#fb8c00", "#43a047", "#8e24aa", "#e53935", "#00acc1", "#6d4c41", "#c0ca33",
                "#d81b60", "#5e35b1"]
TRAIN_COLOR = "#1e88e5"
VAL_COLOR = "#fb8c00"


def diverging_lut() -> np.ndarray:
    """Blue (negative) - light grey (zero) - orange (positive)."""
    return pg.ColorMap([0.0, 0.5, 1.0], [(30, 136, 229), (236, 239, 241), (251, 140, 0)]).getLookupTable(nPts=256)


class PlotDock(QDockWidget):
    """Subclasses build ``self.body`` and draw in :meth:`update_snapshot`."""

    title = "Plot"
    help_text = ""

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
        self.draws = 0
        self.setAllowedAreas(Qt.AllDockWidgetAreas)

    def needs(self) -> dict[str, Any]:
        """Extras this dock wants in snapshots (see nnstudio.training.Extras)."""
        return {}

    def update_snapshot(self, snapshot: Any) -> None:
        """Keep the snapshot; draw now if visible (else when shown)."""
        self.snapshot = snapshot
        if self.isVisible() and snapshot is not None:
            self.draw(snapshot)
            self.draws += 1

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self.snapshot is not None:
            self.draw(self.snapshot)

    def draw(self, snapshot: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def clear(self) -> None:
        self.snapshot = None

    def plot_widget(self) -> QWidget:
        return self.widget()

    def export_png(self, path: str) -> bool:
        return self.plot_widget().grab().save(path)
