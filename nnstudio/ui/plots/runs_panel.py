"""The runs of this project: settings and final metrics; overlay, export curves and plots."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDockWidget, QFileDialog, QHBoxLayout, QPushButton, QTableWidget, QTableWidgetItem,
    QTableWidgetSelectionRange, QVBoxLayout, QWidget,
)

from nnstudio.training import Run, export_csv

COLUMNS = ("started", "status", "optimizer", "lr", "epochs", "val loss", "val accuracy")


class RunsPanel(QDockWidget):
    overlayChanged = Signal(list)
    exportPlotRequested = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__("Runs", parent)
        self.setObjectName("RunsPanel")
        self.setToolTip("Every training run of this project. Select several to compare their loss curves in grey.")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.csv_button = QPushButton("Export curves (CSV)...")
        self.png_button = QPushButton("Export plot (PNG)...")
        host = QWidget()
        lay = QVBoxLayout(host)
        lay.addWidget(self.table)
        row = QHBoxLayout()
        row.addWidget(self.csv_button)
        row.addWidget(self.png_button)
        lay.addLayout(row)
        self.setWidget(host)
        self.runs: list[Run] = []
        self.table.itemSelectionChanged.connect(lambda: self.overlayChanged.emit(self.selected_runs()))
        self.csv_button.clicked.connect(self._ask_csv)
        self.png_button.clicked.connect(self._ask_png)

    def set_runs(self, runs: list[Run]) -> None:
        self.runs = list(runs)
        self.table.setRowCount(len(self.runs))
        for i, r in enumerate(self.runs):
            s = r.settings
            values = (r.started.replace("T", " "), r.status, s.get("optimizer", ""), f"{s.get('lr', 0):g}",
                      str(r.epochs), _fmt(r.final.get("val_loss")), _fmt(r.final.get("val_accuracy")))
            for j, v in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(v))
        self.table.resizeColumnsToContents()

    def select_back(self, back: int) -> None:
        """Select only the run ``back`` places from the newest (1: the newest): its curves go grey in
        'Loss and accuracy'. Nothing is selected if there are fewer runs."""
        self.table.clearSelection()
        row = len(self.runs) - back
        if back > 0 and row >= 0:
            self.table.setRangeSelected(QTableWidgetSelectionRange(row, 0, row, len(COLUMNS) - 1), True)

    def selected_runs(self) -> list[Run]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.runs[r] for r in rows if r < len(self.runs)]

    def export_csv(self, path: str) -> None:
        export_csv(self.selected_runs() or self.runs, path)

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export curves", "runs.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export plot", "plot.png", "PNG (*.png)")
        if path:
            self.exportPlotRequested.emit(path)


def _fmt(v: Any) -> str:
    return "" if v is None else f"{v:.4g}"
