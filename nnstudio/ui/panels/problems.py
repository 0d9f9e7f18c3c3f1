"""The problems list: every validation problem; clicking one selects its node."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle

NODE_ROLE = Qt.UserRole + 1


class ProblemsPanel(QListWidget):
    nodeChosen = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setToolTip("What stops this network from training. Click a problem to find its node.")
        self.itemClicked.connect(self._clicked)
        self.graph: Any = None

    def show_analysis(self, graph: Any, analysis: Any) -> None:
        self.graph = graph
        self.clear()
        for p in analysis.problems:
            icon = self.style().standardIcon(QStyle.SP_MessageBoxCritical if p.severity == "error"
                                             else QStyle.SP_MessageBoxWarning)
            item = QListWidgetItem(icon, p.describe(graph))
            item.setData(NODE_ROLE, p.node_id)
            self.addItem(item)
        if not analysis.problems:
            item = QListWidgetItem(self.style().standardIcon(QStyle.SP_DialogApplyButton),
                                   "No problems - the network is ready to train.")
            item.setFlags(Qt.ItemIsEnabled)
            self.addItem(item)

    def _clicked(self, item: QListWidgetItem) -> None:
        nid = item.data(NODE_ROLE)
        if nid:
            self.nodeChosen.emit(nid)
