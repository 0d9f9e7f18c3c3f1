"""The status bar's problems indicator: "No problems" or "3 problems"; a click opens the list.

Problems used to have a dock of their own that took a fifth of the window's height, empty most of
the time. Now the list stays folded until asked for.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QToolButton


class ProblemsIndicator(QToolButton):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("ProblemsIndicator")
        self.setAutoRaise(True)
        self.setCheckable(True)
        self.setToolTip("What stops this network from training; click to open or close the list")
        self.show_counts(0, 0)

    def show_counts(self, errors: int, warnings: int) -> None:
        if errors:
            text, color = f"✖ {errors} problem{'s' * (errors > 1)}", "#e53935"
        elif warnings:
            text, color = f"⚠ {warnings} warning{'s' * (warnings > 1)}", "#f9a825"
        else:
            text, color = "✔ No problems", "#43a047"
        self.setText(text)
        self.setStyleSheet(f"QToolButton {{ color: {color}; padding: 0 6px; }}")
