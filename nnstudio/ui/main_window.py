"""The main window (a plain shell until the editor lands)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QMainWindow

from nnstudio._version import __version__


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.path: Path | None = None
        self.setWindowTitle("untitled.nnstudio - nnstudio")
        self.setCentralWidget(QLabel(f"nnstudio {__version__}"))
        self.resize(1280, 800)

    def open_path(self, path: str) -> None:
        self.path = Path(path)
        self.setWindowTitle(f"{self.path.name} - nnstudio")
