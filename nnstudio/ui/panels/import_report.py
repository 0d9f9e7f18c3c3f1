"""The report after File > Import weights: what was loaded, what did not fit, what was not found."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget


class ImportReportDialog(QDialog):
    """Shows an :class:`~nnstudio.io.ImportReport`; not modal, so the views stay usable beside it."""

    def __init__(self, report: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Imported weights - {report.source.name}")
        self.summary = QLabel(report.summary())
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        hint = QLabel("Tip: set a layer's <i>frozen</i> parameter in the inspector to keep its imported "
                      "weights while the rest trains (transfer learning).")
        hint.setWordWrap(True)
        self.details = QPlainTextEdit(report.text().split("\n", 1)[1].strip() if "\n" in report.text() else "")
        self.details.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.details)
        lay.addWidget(hint)
        lay.addWidget(buttons)
        self.resize(560, 360)
