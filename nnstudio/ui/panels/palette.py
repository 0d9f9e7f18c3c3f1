"""The palette: node kinds grouped by category, searchable, dragged onto the canvas."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from nnstudio.graph import kinds
from nnstudio.ui.canvas import KIND_MIME
from nnstudio.ui.icons import category_icon

KIND_ROLE = Qt.UserRole + 1


class _KindTree(QTreeWidget):
    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # noqa: N802 - Qt's name
        mime = QMimeData()
        kind = items[0].data(0, KIND_ROLE) if items else None
        if kind:
            mime.setData(KIND_MIME, QByteArray(kind.encode()))
        return mime

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [KIND_MIME]


class PalettePanel(QWidget):
    """Every node kind, grouped; drag one onto the canvas or double-click to add it."""

    kindActivated = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search layers...")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Filter by name or by what the layer does")
        self.tree = _KindTree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QTreeWidget.DragOnly)
        self.tree.setIndentation(12)
        self.tree.setIconSize(self.tree.iconSize() * 1.2)
        self.items: dict[str, QTreeWidgetItem] = {}
        for category, specs in kinds.by_category().items():
            top = QTreeWidgetItem([category])
            top.setFlags(Qt.ItemIsEnabled)
            top.setIcon(0, category_icon(category))
            f = top.font(0)
            f.setBold(True)
            top.setFont(0, f)
            self.tree.addTopLevelItem(top)
            for spec in specs:
                item = QTreeWidgetItem([spec.name])
                item.setData(0, KIND_ROLE, spec.name)
                item.setToolTip(0, f"<b>{spec.name}</b> - {spec.summary}<p>{spec.explanation}</p>"
                                   "<p><i>Drag onto the canvas, or double-click.</i></p>")
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
                top.addChild(item)
                self.items[spec.name] = item
            top.setExpanded(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.search)
        lay.addWidget(self.tree)
        self.search.textChanged.connect(self.filter)
        self.tree.itemDoubleClicked.connect(self._activated)

    def _activated(self, item: QTreeWidgetItem, _col: int) -> None:
        kind = item.data(0, KIND_ROLE)
        if kind:
            self.kindActivated.emit(kind)

    def filter(self, text: str) -> None:
        t = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            shown = 0
            for j in range(top.childCount()):
                child = top.child(j)
                spec = kinds.get(child.data(0, KIND_ROLE))
                match = not t or t in spec.name.lower() or t in spec.summary.lower() or t in spec.explanation.lower()
                child.setHidden(not match)
                shown += match
            top.setHidden(shown == 0)

    def visible_kinds(self) -> list[str]:
        return [k for k, item in self.items.items() if not item.isHidden() and not item.parent().isHidden()]
