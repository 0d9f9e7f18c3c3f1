"""Mouse state machines of the canvas, kept out of the items (as orange-canvas-core does).

The scene starts one interaction on a button press and feeds it the moves
and the release; each interaction ends by pushing at most one undoable edit.

- :class:`WireDrag`: draw a wire from an output to an input (or backwards
  from a free input), or pick up an existing wire at its input to move or
  remove it. Compatible ports light up, incompatible ones dim, and a refused
  drop says why.
- :class:`RubberBand`: drag on empty canvas to select the enclosed nodes
  (Ctrl/Shift adds to the selection).
- :class:`NodeDrag`: Qt moves the selected nodes; this snaps them to the grid
  while dragging and records one MoveNodes per drag.
- :class:`Pan`: middle button, or Space + left button, scrolls the view.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from nnstudio.graph import Connect, Disconnect, Macro, MoveNodes
from nnstudio.ui.canvas.items import NodeItem, PortItem, WireItem
from nnstudio.ui.canvas.safe_geometry import canvas_pos

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QGraphicsView

    from nnstudio.ui.canvas.scene import GraphScene


class Interaction:
    """One mouse gesture from press to release. ``move``/``release`` return True when they used the event."""

    def __init__(self, scene: "GraphScene") -> None:
        self.scene = scene

    def move(self, pos: QPointF) -> bool:
        return False

    def release(self, pos: QPointF) -> bool:
        return False

    def cancel(self) -> None:
        """Abandon the gesture (Escape, or the graph was replaced) without editing anything."""


class WireDrag(Interaction):
    """Draw a new wire, or move/remove an existing one picked up at its input end."""

    def __init__(self, scene: "GraphScene", port: PortItem, pos: QPointF, picked_edge: str | None = None) -> None:
        super().__init__(scene)
        graph = scene.graph
        self.picked = picked_edge
        if picked_edge is not None:
            edge = graph.edges[picked_edge]
            self.fixed = scene.node_items[edge.src]  # the wire stays attached to its source
            self.forward = True
            self.original_dst: str | None = edge.dst
            scene.edge_items[picked_edge].setVisible(False)
        else:
            self.fixed = port.node_item
            self.forward = port.is_output
            self.original_dst = None
        self.wire = WireItem()
        scene.addItem(self.wire)
        self.hovered: NodeItem | None = None
        self._mark_candidates()
        self.move(pos)

    # the end that stays put, and what the free end may reach
    def _anchor(self) -> QPointF:
        port = self.fixed.out_port if self.forward else self.fixed.in_port
        return port.scenePos() if port is not None else self.fixed.scenePos()

    def reason(self, target: NodeItem) -> str | None:
        """Why the wire may not end at ``target`` (None = it may)."""
        g = self.scene.graph
        if self.forward:
            if self.picked is not None and target.node_id == self.original_dst:
                return None  # dropping it back where it was
            return g.can_connect(self.fixed.node_id, target.node_id)
        return g.can_connect(target.node_id, self.fixed.node_id)

    def _free_port(self, item: NodeItem) -> PortItem | None:
        return item.in_port if self.forward else item.out_port

    def _mark_candidates(self) -> None:
        for item in self.scene.node_items.values():
            port = self._free_port(item)
            if port is not None and item is not self.fixed:
                port.set_state("ok" if self.reason(item) is None else "dim")

    def _target(self, pos: QPointF) -> NodeItem | None:
        item = self.scene.node_at(pos)
        # a node without the needed port is still a target: dropping there says why it cannot work
        return None if item is None or item is self.fixed else item

    def move(self, pos: QPointF) -> bool:
        target = self._target(pos)
        end = pos
        refused = False
        if target is not None:
            refused = self.reason(target) is not None
            port = self._free_port(target)
            if not refused and port is not None:
                end = port.scenePos()  # the wire clicks into the port it will join
        if target is not self.hovered:
            if self.hovered is not None:
                self._restore(self.hovered)
            if target is not None:
                port = self._free_port(target)
                if port is not None:
                    port.set_state("refused" if refused else "ok")
            self.hovered = target
        a, b = (self._anchor(), end) if self.forward else (end, self._anchor())
        self.wire.set_ends(a, b)
        self.wire.set_refused(refused)
        return True

    def _restore(self, item: NodeItem) -> None:
        port = self._free_port(item)
        if port is not None:
            port.set_state("ok" if self.reason(item) is None else "dim")

    def _clean_up(self) -> None:
        if self.wire.scene() is not None:
            self.scene.removeItem(self.wire)
        for item in self.scene.node_items.values():
            for port in (item.in_port, item.out_port):
                if port is not None:
                    port.set_state("normal")
        if self.picked is not None and self.picked in self.scene.edge_items:
            self.scene.edge_items[self.picked].setVisible(True)

    def cancel(self) -> None:
        self._clean_up()

    def release(self, pos: QPointF) -> bool:
        target = self._target(pos)
        # a reason computed before the edit, while the picked-up wire still exists
        reason = self.reason(target) if target is not None else None
        self._clean_up()
        scene = self.scene
        if target is None:
            if self.picked is not None:
                scene.push(Disconnect(self.picked), "Remove wire")
            return True
        if self.picked is not None and target.node_id == self.original_dst:
            return True
        src, dst = (self.fixed, target) if self.forward else (target, self.fixed)
        if reason is not None:
            scene.show_message(f"Cannot connect {src.node.name} to {dst.node.name}: {reason}", pos)
            return True
        connect = Connect(src.node_id, dst.node_id)
        if self.picked is not None:
            scene.push(Macro([Disconnect(self.picked), connect], "Move wire"))
        else:
            scene.push(connect, f"Connect {src.node.name} to {dst.node.name}")
        return True


class RubberBand(Interaction):
    """Select the nodes whose bodies lie wholly inside the dragged rectangle."""

    def __init__(self, scene: "GraphScene", pos: QPointF, additive: bool) -> None:
        super().__init__(scene)
        self.start = pos
        self.base = set(scene.selected_node_ids()) if additive else set()
        if not additive:
            scene.set_selection([])
        self.rect_item = QGraphicsRectItem()
        color = scene.palette().highlight().color()
        self.rect_item.setPen(QPen(color, 0))  # cosmetic: one pixel at any zoom
        fill = QColor(color)
        fill.setAlpha(40)
        self.rect_item.setBrush(fill)
        self.rect_item.setZValue(50)
        self.rect_item.setVisible(False)
        scene.addItem(self.rect_item)

    def move(self, pos: QPointF) -> bool:
        rect = QRectF(self.start, pos).normalized()
        self.rect_item.setRect(rect)
        self.rect_item.setVisible(True)
        inside = [nid for nid, item in self.scene.node_items.items()
                  if rect.contains(item.mapRectToScene(item.body_rect()))]
        self.scene.set_selection(sorted(self.base.union(inside), key=list(self.scene.node_items).index))
        return True

    def _clean_up(self) -> None:
        if self.rect_item.scene() is not None:
            self.scene.removeItem(self.rect_item)

    def release(self, pos: QPointF) -> bool:
        if pos != self.start:
            self.move(pos)
        self._clean_up()
        return True

    def cancel(self) -> None:
        self._clean_up()


class NodeDrag(Interaction):
    """Qt moves the selected nodes; this snaps them to the grid and records one MoveNodes per drag."""

    def __init__(self, scene: "GraphScene") -> None:
        super().__init__(scene)
        self.moving = [nid for nid in scene.selected_node_ids()]
        scene.snapping = scene.snap

    def release(self, pos: QPointF) -> bool:
        self.scene.snapping = False
        moved: dict[str, tuple[float, float]] = {}
        for nid in self.moving:
            item = self.scene.node_items.get(nid)
            if item is None or nid not in self.scene.graph.nodes:
                continue
            p = (float(item.pos().x()), float(item.pos().y()))
            if p != tuple(self.scene.graph.nodes[nid].pos):
                moved[nid] = p
        if moved:
            n = len(moved)
            self.scene.push(MoveNodes(moved), "Move " + (self.scene.graph.nodes[next(iter(moved))].name
                                                         if n == 1 else f"{n} nodes"))
        return False  # Qt's own release handling still runs

    def cancel(self) -> None:
        self.scene.snapping = False
        # put the items back where the model has them
        for nid in self.moving:
            if nid in self.scene.node_items and nid in self.scene.graph.nodes:
                self.scene.node_items[nid].setPos(*canvas_pos(self.scene.graph.nodes[nid].pos))


class Pan:
    """Scroll the view by dragging (middle button, or Space + left button)."""

    def __init__(self, view: "QGraphicsView", pos: QPoint) -> None:
        self.view = view
        self.last = pos
        view.viewport().setCursor(Qt.ClosedHandCursor)

    def move(self, pos: QPoint) -> None:
        d = pos - self.last
        self.last = pos
        h, v = self.view.horizontalScrollBar(), self.view.verticalScrollBar()
        h.setValue(h.value() - d.x())
        v.setValue(v.value() - d.y())

    def release(self, space_held: bool) -> None:
        if space_held:
            self.view.viewport().setCursor(Qt.OpenHandCursor)
        else:
            self.view.viewport().unsetCursor()


def modifiers_add(event: Any) -> bool:
    """Ctrl or Shift held: add to the selection instead of replacing it."""
    return bool(event.modifiers() & (Qt.ControlModifier | Qt.ShiftModifier))
