"""The canvas view: zoom, pan, drops from the palette, and the editing actions with their shortcuts."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QMimeData, QPoint, QRectF, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtWidgets import QApplication, QGraphicsView

from nnstudio.ui.canvas import style
from nnstudio.ui.canvas.clipboard import MIME as GRAPH_MIME
from nnstudio.ui.canvas.scene import KIND_MIME, GraphScene

MIN_ZOOM, MAX_ZOOM = 0.1, 4.0


class GraphView(QGraphicsView):
    """Shows a :class:`GraphScene`; owns the canvas actions (``actions_by_name``)."""

    def __init__(self, scene: GraphScene, parent: Any = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setAcceptDrops(True)
        self.setSceneRect(QRectF(-5000, -5000, 10000, 10000))
        self._pan_from: QPoint | None = None
        self._space = False
        self.actions_by_name: dict[str, QAction] = {}
        self._make_actions()

    @property
    def graph_scene(self) -> GraphScene:
        return self.scene()  # type: ignore[return-value]

    def _make_actions(self) -> None:
        s = self.graph_scene
        table: list[tuple[str, str, Any, str, Callable[[], Any]]] = [
            ("delete", "Delete", QKeySequence.Delete, "Delete the selected nodes and wires", s.delete_selection),
            ("cut", "Cut", QKeySequence.Cut, "Cut the selection to the clipboard", self.cut),
            ("copy", "Copy", QKeySequence.Copy, "Copy the selection to the clipboard", self.copy),
            ("paste", "Paste", QKeySequence.Paste, "Paste nodes from the clipboard", self.paste),
            ("duplicate", "Duplicate", QKeySequence("Ctrl+D"), "Copy and paste the selection in one go",
             self.duplicate),
            ("select_all", "Select all", QKeySequence.SelectAll, "Select every node", self.select_all),
            ("zoom_in", "Zoom in", QKeySequence("Ctrl++"), "Zoom in (or use the mouse wheel)",
             lambda: self.zoom_by(1.25)),
            ("zoom_out", "Zoom out", QKeySequence("Ctrl+-"), "Zoom out", lambda: self.zoom_by(0.8)),
            ("fit", "Fit to view", QKeySequence("F"), "Show the whole network", self.fit),
            ("layout", "Auto layout", QKeySequence("Ctrl+L"),
             "Arrange the network (or the selection) left to right by depth", s.auto_layout),
            ("expand", "Expand into neurons", QKeySequence("Ctrl+E"),
             "Show the selected Dense layer as its individual neurons", s.expand_selected),
            ("collapse", "Collapse neurons", QKeySequence("Ctrl+Shift+E"),
             "Turn expanded neurons back into one Dense layer", s.collapse_selected),
        ]
        for name, text, keys, tip, slot in table:
            a = QAction(text, self)
            a.setShortcut(keys)
            a.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            a.setToolTip(f"{tip} ({QKeySequence(keys).toString(QKeySequence.NativeText)})")
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            self.addAction(a)
            self.actions_by_name[name] = a

    # --- clipboard ------------------------------------------------------------------------------
    def copy(self) -> None:
        ids = self.graph_scene.selected_node_ids()
        if not ids:
            return
        text = self.graph_scene.copy_selection()
        mime = QMimeData()
        mime.setData(GRAPH_MIME, text.encode())
        mime.setText(text)
        QApplication.clipboard().setMimeData(mime)

    def cut(self) -> None:
        self.copy()
        self.graph_scene.delete_selection()

    def paste(self) -> None:
        mime = QApplication.clipboard().mimeData()
        text = bytes(mime.data(GRAPH_MIME)).decode() if mime.hasFormat(GRAPH_MIME) else mime.text()
        self.graph_scene.paste(text)

    def duplicate(self) -> None:
        text = self.graph_scene.copy_selection()
        if self.graph_scene.selected_node_ids():
            self.graph_scene.paste(text)

    def select_all(self) -> None:
        for item in self.graph_scene.node_items.values():
            item.setSelected(True)

    # --- zoom and pan ------------------------------------------------------------------------------
    def zoom_level(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        z = self.zoom_level()
        factor = max(MIN_ZOOM / z, min(MAX_ZOOM / z, factor))
        self.scale(factor, factor)

    def fit(self) -> None:
        items = list(self.graph_scene.node_items.values())
        if not items:
            return
        rect = items[0].sceneBoundingRect()
        for i in items[1:]:
            rect = rect.united(i.sceneBoundingRect())
        self.fitInView(rect.adjusted(-60, -60, 60, 60), Qt.KeepAspectRatio)
        if self.zoom_level() > 1.5:
            self.zoom_by(1.5 / self.zoom_level())

    def wheelEvent(self, event: Any) -> None:  # noqa: N802
        self.zoom_by(1.0015 ** event.angleDelta().y())
        event.accept()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setDragMode(QGraphicsView.ScrollHandDrag)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.setDragMode(QGraphicsView.RubberBandDrag)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        if event.button() == Qt.MiddleButton:
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: Any) -> None:  # noqa: N802
        if self._pan_from is not None:
            p = event.position().toPoint()
            d = p - self._pan_from
            self._pan_from = p
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - d.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - d.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: Any) -> None:  # noqa: N802
        if event.button() == Qt.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # --- drops from the palette ---------------------------------------------------------------------
    def dragEnterEvent(self, event: Any) -> None:  # noqa: N802
        if event.mimeData().hasFormat(KIND_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: Any) -> None:  # noqa: N802
        if event.mimeData().hasFormat(KIND_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: Any) -> None:  # noqa: N802
        if event.mimeData().hasFormat(KIND_MIME):
            kind = bytes(event.mimeData().data(KIND_MIME)).decode()
            pos = self.mapToScene(event.position().toPoint())
            w, h = style.NODE_WIDTH, style.HEADER
            nid = self.graph_scene.add_node_at(kind, pos - type(pos)(w / 2, h))
            if nid:
                event.acceptProposedAction()
                self.setFocus()
            return
        super().dropEvent(event)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        super().drawBackground(painter, rect)
        if self.zoom_level() < 0.4:
            return
        color = self.palette().mid().color()
        color.setAlpha(70)
        painter.setPen(color)
        g = style.GRID * 2
        left = int(rect.left()) - int(rect.left()) % int(g)
        top = int(rect.top()) - int(rect.top()) % int(g)
        x = left
        points = []
        while x < rect.right():
            y = top
            while y < rect.bottom():
                points.append(QPoint(int(x), int(y)))
                y += g
            x += g
        painter.drawPoints(points)
