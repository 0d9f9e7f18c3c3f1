"""The divergence banner: what went wrong, in plain words, with the way back."""
from __future__ import annotations

import html

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout


class DivergenceBanner(QFrame):
    rollbackRequested = Signal(bool)  # True: also halve the learning rate

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("DivergenceBanner")
        self._style()
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.rollback = QPushButton("Roll back")
        self.rollback.setToolTip("Return to the last good weights and continue with the same learning rate")
        self.halve = QPushButton("Roll back and halve the learning rate")
        self.halve.setToolTip("Return to the last good weights and continue with half the learning rate")
        close = QToolButton(text="x")
        close.setAutoRaise(True)
        # the buttons under the text, not beside it: beside, they left the text a narrow column in a
        # canvas narrowed by the lesson panel, and the banner grew taller than the canvas
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.text, 1)
        top.addWidget(close)
        lay.addLayout(top)
        buttons = QHBoxLayout()
        buttons.addWidget(self.rollback)
        buttons.addWidget(self.halve)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.rollback.clicked.connect(lambda: self._request(False))
        self.halve.clicked.connect(lambda: self._request(True))
        close.clicked.connect(self.hide)
        self.hide()

    def _style(self) -> None:
        # pale red on a light window; deep red with light text on a dark one (a pale banner glares there)
        dark = QApplication.palette().color(QPalette.Window).lightness() < 128
        bg, fg = ("#4a1c1c", "#ffcdd2") if dark else ("#fdecea", "#611a15")
        self.setStyleSheet(f"#DivergenceBanner {{ background: {bg}; border: 1px solid #e53935; border-radius: 6px; }}"
                           f"#DivergenceBanner QLabel {{ color: {fg}; }}")

    def show_report(self, report: Any) -> None:
        self._style()  # in the theme of now
        self.text.setText(f"<b>Training diverged.</b> {report.message}")
        self.rollback.show()
        self.halve.show()
        self.show()

    def show_error(self, message: str) -> None:
        """Training stopped on an error: say why and how to go on (nothing to roll back to)."""
        self.text.setText(f"<b>Training stopped.</b> {html.escape(message)}<br>Fix the cause and press "
                          "<b>Reset</b> to start again, or <b>Train</b> to try once more.")
        self.rollback.hide()
        self.halve.hide()
        self.show()

    def _request(self, halve: bool) -> None:
        self.hide()
        self.rollbackRequested.emit(halve)
