"""The examples gallery: each example project with a thumbnail of its network and one line about it."""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap, QUndoStack
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QListWidget, QListWidgetItem, QVBoxLayout

from nnstudio.errors import NNStudioError
from nnstudio.io import load_project

ORDER = ("xor", "circle", "spiral", "plane", "digits-mlp", "digits-cnn")


def example_paths() -> list[Path]:
    folder = Path(str(resources.files("nnstudio.resources").joinpath("examples")))
    found = sorted(folder.glob("*.nnstudio"))
    return sorted(found, key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem))


def thumbnail(graph: Any, size: QSize = QSize(240, 90)) -> QPixmap:
    from nnstudio.ui.canvas import GraphScene

    scene = GraphScene(graph, QUndoStack())
    pix = QPixmap(size)
    pix.fill(Qt.white)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.Antialiasing)
    scene.render(painter, source=scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
    painter.end()
    return pix


class GalleryDialog(QDialog):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Examples")
        self.chosen: str | None = None
        self.list = QListWidget()
        self.list.setIconSize(QSize(240, 90))
        self.list.setSpacing(4)
        for path in example_paths():
            try:
                project = load_project(path)
            except NNStudioError:
                continue
            meta = project.meta or {}
            item = QListWidgetItem(QIcon(thumbnail(project.graph)),
                                   f"{meta.get('title', path.stem)}\n{meta.get('description', '')}")
            item.setData(Qt.UserRole, str(path))
            item.setToolTip(meta.get("description", ""))
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _i: self._accept())
        lay = QVBoxLayout(self)
        lay.addWidget(self.list)
        lay.addWidget(buttons)
        self.resize(620, 640)

    def _accept(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.chosen = item.data(Qt.UserRole)
            self.accept()
