"""The canvas view: zoom, pan, drops from the palette, and the editing actions with their shortcuts."""
from __future__ import annotations

import math
from typing import Any, Callable

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QAction, QFont, QFontMetricsF, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import QApplication, QFrame, QGraphicsItem, QGraphicsView, QMenu

from nnstudio.ui.canvas import style
from nnstudio.ui.canvas.clipboard import MIME as GRAPH_MIME
from nnstudio.ui.canvas.interactions import Pan
from nnstudio.ui.canvas.scene import KIND_MIME, GraphScene

MIN_ZOOM, MAX_ZOOM = 0.1, 4.0
MARGIN = 1500.0  # room to scroll past the outermost nodes


class GraphView(QGraphicsView):
    """Shows a :class:`GraphScene`; owns the canvas actions (``actions_by_name``).

    The actions (delete, cut, copy, paste, duplicate, select_all, zoom_in,
    zoom_out, fit, layout, expand, collapse) are added to the view with
    ``WidgetWithChildrenShortcut`` so their shortcuts work while the canvas has
    focus; the window also lists them in its menus.
    """

    def __init__(self, scene: GraphScene, parent: Any = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing | QPainter.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.NoDrag)  # the scene's interactions draw the rubber band
        self.setTransformationAnchor(QGraphicsView.NoAnchor)  # zoom_by keeps the point under the cursor itself
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.DontSavePainterState, True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # pan with the mouse instead
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.NoFrame)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMouseTracking(True)
        self.setSceneRect(QRectF(-MARGIN, -MARGIN, 2 * MARGIN, 2 * MARGIN))
        self.setToolTip("")
        self.setStatusTip("Drag kinds from the palette here; drag from a node's right port to another's left port "
                          "to wire them. Middle button or Space+drag pans, the wheel zooms.")
        self._pan: Pan | None = None
        self._space = False
        self.actions_by_name: dict[str, QAction] = {}
        self._make_actions()
        scene.setPalette(self.palette())
        scene.analysisChanged.connect(lambda _a: self._analysis_changed())

    @property
    def graph_scene(self) -> GraphScene:
        return self.scene()  # type: ignore[return-value]

    def _make_actions(self) -> None:
        s = self.graph_scene
        table: list[tuple[str, str, Any, str, Callable[[], Any]]] = [
            ("delete", "Delete", QKeySequence.Delete, "Delete the selected nodes and wires", s.delete_selection),
            ("cut", "Cut", QKeySequence.Cut, "Cut the selected nodes to the clipboard", self.cut),
            ("copy", "Copy", QKeySequence.Copy, "Copy the selected nodes (and the wires between them)", self.copy),
            ("paste", "Paste", QKeySequence.Paste, "Paste nodes from the clipboard", self.paste),
            ("duplicate", "Duplicate", QKeySequence("Ctrl+D"), "Copy and paste the selection in one go",
             self.duplicate),
            ("select_all", "Select all", QKeySequence.SelectAll, "Select every node", self.select_all),
            ("zoom_in", "Zoom in", QKeySequence("Ctrl++"), "Zoom in (or turn the mouse wheel)",
             lambda: self.zoom_by(1.25, centre=True)),
            ("zoom_out", "Zoom out", QKeySequence("Ctrl+-"), "Zoom out (or turn the mouse wheel)",
             lambda: self.zoom_by(0.8, centre=True)),
            ("fit", "Fit to view", QKeySequence("F"), "Zoom so the whole network is visible", self.fit),
            ("layout", "Auto layout", QKeySequence("Ctrl+L"),
             "Arrange the network (or the selected nodes) left to right by depth", s.auto_layout),
            ("expand", "Expand into neurons", QKeySequence("Ctrl+E"),
             "Show the selected Dense layer (up to 32 units) as its individual neurons", s.expand_selected),
            ("collapse", "Collapse neurons", QKeySequence("Ctrl+Shift+E"),
             "Turn the neurons of an expanded layer back into one Dense layer", s.collapse_selected),
        ]
        for name, text, keys, tip, slot in table:
            a = QAction(text, self)
            a.setObjectName(f"canvas_{name}")
            a.setShortcut(keys)
            a.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            shortcut = QKeySequence(keys).toString(QKeySequence.NativeText)
            a.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
            a.setStatusTip(tip)
            a.triggered.connect(lambda _checked=False, f=slot: f())
            self.addAction(a)
            self.actions_by_name[name] = a
        # Ctrl+= is what most keyboards give for "Ctrl and the + key"
        self.actions_by_name["zoom_in"].setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
        self.actions_by_name["delete"].setShortcuts([QKeySequence.Delete, QKeySequence(Qt.Key_Backspace)])

    # --- clipboard ------------------------------------------------------------------------------
    def copy(self) -> None:
        """Put the selection on the clipboard as nnstudio JSON and as plain text."""
        if not self.graph_scene.selected_node_ids():
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
        if mime is None:
            return
        text = bytes(mime.data(GRAPH_MIME)).decode() if mime.hasFormat(GRAPH_MIME) else mime.text()
        self.graph_scene.paste(text)

    def duplicate(self) -> None:
        if self.graph_scene.selected_node_ids():
            self.graph_scene.paste(self.graph_scene.copy_selection())

    def select_all(self) -> None:
        self.graph_scene.set_selection(list(self.graph_scene.node_items))

    # --- zoom and pan ------------------------------------------------------------------------------
    def zoom_level(self) -> float:
        """The current scale (1.0 = one scene unit per pixel)."""
        return self.transform().m11()

    def zoom_by(self, factor: float, centre: bool = False, anchor: QPointF | None = None) -> None:
        """Scale by ``factor`` within 10%..400%, keeping the point under ``anchor`` (viewport pixels) in place.

        Without an anchor the view's centre stays put (keyboard zoom); the wheel
        passes the cursor position.
        """
        z = self.zoom_level()
        factor = max(MIN_ZOOM / z, min(MAX_ZOOM / z, factor))
        if anchor is None or centre:
            anchor = QPointF(self.viewport().rect().center())
        fixed = self.mapToScene(anchor.toPoint())
        self.setTransformationAnchor(QGraphicsView.NoAnchor)
        self.scale(factor, factor)
        d = self.mapFromScene(fixed) - anchor.toPoint()
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + d.x())
        v.setValue(v.value() + d.y())
        self.viewport().update()

    def readable_zoom(self) -> float:
        """The smallest zoom at which a node's text is READABLE_PT on screen."""
        return style.READABLE_PT / min(style.BODY_PT, style.TITLE_PT)

    def fit(self, min_zoom: float | None = None) -> None:
        """Zoom and scroll so every node is visible (never magnified above 150%).

        With ``min_zoom`` (the window passes :meth:`readable_zoom` when it opens a network) a network
        too big for the view is shown from its top-left corner at that zoom instead of shrunk to
        unreadable text; the user pans or zooms out to see the rest.
        """
        items = list(self.graph_scene.node_items.values())
        if not items:
            return
        rect = QRectF()
        for i in items:
            rect = rect.united(i.sceneBoundingRect())
        for f in self.graph_scene.group_frames.values():
            rect = rect.united(f.sceneBoundingRect())
        rect = rect.adjusted(-40, -40, 40, 40)
        self._grow_scene_rect(rect)
        self.fitInView(rect, Qt.KeepAspectRatio)
        if self.zoom_level() > 1.5:
            self.zoom_by(1.5 / self.zoom_level(), centre=True)
        if min_zoom is not None and self.zoom_level() < min_zoom:
            self.zoom_by(min_zoom / self.zoom_level(), centre=True)
            vp = self.viewport().rect()
            seen = QRectF(rect.topLeft(), QSizeF(vp.width() / min_zoom, vp.height() / min_zoom))
            self.centerOn(seen.center())
            return
        self.centerOn(rect.center())

    def _analysis_changed(self) -> None:
        self._grow_scene_rect()
        self.viewport().update()  # the corner note counts parameters

    def _grow_scene_rect(self, extra: QRectF | None = None) -> None:
        # grow only: shrinking would make the view jump while the user edits
        want = self.graph_scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        if extra is not None:
            want = want.united(extra.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))
        rect = self.sceneRect()
        if not rect.contains(want):
            self.setSceneRect(rect.united(want))

    def wheelEvent(self, event: Any) -> None:  # noqa: N802
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_by(math.pow(1.0015, delta), anchor=event.position())
        event.accept()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            if self._pan is None:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event: Any) -> None:  # noqa: N802
        self._space = False  # the Space release may go to another widget
        super().focusOutEvent(event)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space):
            self._pan = Pan(self, event.position().toPoint())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: Any) -> None:  # noqa: N802
        if self._pan is not None:
            self._pan.move(event.position().toPoint())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: Any) -> None:  # noqa: N802
        if self._pan is not None and event.button() in (Qt.MiddleButton, Qt.LeftButton):
            self._pan.release(self._space)
            self._pan = None
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event: Any) -> None:  # noqa: N802
        menu = QMenu(self)
        a = self.actions_by_name
        for name in ("cut", "copy", "paste", "duplicate", "delete", None, "expand", "collapse", None,
                     "select_all", "layout", "fit"):
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(a[name])
        menu.exec(event.globalPos())

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
            kind = bytes(event.mimeData().data(KIND_MIME)).decode("utf-8")
            pos = self.mapToScene(event.position().toPoint())
            # the node is centred under the pointer
            w, h = (style.NEURON_SIZE, style.NEURON_SIZE) if kind == "Neuron" else (style.NODE_WIDTH,
                                                                                   style.NODE_HEIGHT)
            nid = self.graph_scene.add_node_at(kind, pos - QPointF(w / 2, h / 2))
            if nid:
                event.acceptProposedAction()
                self.setFocus()
            else:
                event.ignore()
            return
        super().dropEvent(event)

    # --- look -----------------------------------------------------------------------------------------
    def changeEvent(self, event: Any) -> None:  # noqa: N802
        if event.type() == QEvent.PaletteChange:
            self.graph_scene.setPalette(self.palette())  # cached items paint with the scene's palette
            # cached node pixmaps were drawn with the old colours; update() alone keeps them
            for item in self.graph_scene.items():
                mode = item.cacheMode()
                if mode != QGraphicsItem.NoCache:
                    item.setCacheMode(QGraphicsItem.NoCache)
                    item.setCacheMode(mode)
                item.update()
            self.resetCachedContent()
        super().changeEvent(event)

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        # the level of detail follows the zoom however it changed (wheel, keys, fit, code)
        self.graph_scene.set_overview(self.zoom_level() < style.OVERVIEW_ZOOM)
        super().paintEvent(event)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        pal = self.palette()
        painter.fillRect(rect, style.mix(pal.base().color(), pal.window().color(), 0.5))
        if self.zoom_level() < style.OVERVIEW_ZOOM:
            return  # dots would merge into grey
        color = style.mix(pal.base().color(), pal.text().color(), 0.22)
        painter.setPen(color)
        g = style.GRID * 2
        left = math.floor(rect.left() / g) * g
        top = math.floor(rect.top() / g) * g
        points = []
        y = top
        while y < rect.bottom():
            x = left
            while x < rect.right():
                points.append(QPointF(x, y))
                x += g
            y += g
        painter.drawPoints(points)

    def overlay_text(self) -> str:
        """The note in the corner: a hint on an empty canvas, else the network's size."""
        scene = self.graph_scene
        if not scene.graph.nodes:
            return "Drag an Input, some layers and an Output from the palette, then wire them port to port"
        a = scene.analysis
        if a is None:
            return ""
        frozen = sum(c for nid, c in a.param_counts.items()
                     if nid in scene.graph.nodes and scene.graph.nodes[nid].params.get("frozen"))
        total = sum(a.param_counts.values()) - frozen
        n = len(scene.graph.nodes)
        text = f"{n} node{'s' if n != 1 else ''} · {total:,} trainable parameter{'s' if total != 1 else ''}"
        if frozen:
            text += f" ({frozen:,} frozen)"
        errors = len(a.errors)
        if errors:
            text += f" · {errors} problem{'s' if errors != 1 else ''}"
        return text

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        text = self.overlay_text()
        if not text:
            return
        painter.save()
        painter.resetTransform()  # viewport pixels: the note stays in the corner at any zoom
        pal = self.palette()
        font = QFont(self.font())
        font.setPointSizeF(9)
        painter.setFont(font)
        fm = QFontMetricsF(font)
        w, h = fm.horizontalAdvance(text) + 20, fm.height() + 10
        box = QRectF(10, self.viewport().height() - h - 10, w, h)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(style.wire_color(pal), 0.8))
        bg = pal.base().color()
        bg.setAlpha(225)
        painter.setBrush(bg)
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(style.ERROR if self.graph_scene.analysis and self.graph_scene.analysis.errors
                       and self.graph_scene.graph.nodes else style.muted_text(pal))
        painter.drawText(box, Qt.AlignCenter, text)
        painter.restore()

    def event_pos(self, scene_point: QPointF) -> QPoint:
        """Viewport coordinates of a scene point (used by tests and the window's tooltips)."""
        return self.mapFromScene(scene_point)
