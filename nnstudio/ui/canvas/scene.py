"""The scene follows the graph model: one item per node and wire, rebuilt from model events."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from PySide6.QtCore import QPointF, QTimer, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen, QUndoStack
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene, QGraphicsSceneMouseEvent, QGraphicsSimpleTextItem

from nnstudio.errors import NNStudioError
from nnstudio.graph import Graph, MoveNodes, SetParam, TargetSpec, analyse, events, fmt_shape, remove_many
from nnstudio.graph.transforms import collapse_group, expand_dense
from nnstudio.ui.canvas import style
from nnstudio.ui.canvas.clipboard import fragment, paste_macro
from nnstudio.ui.canvas.items import EdgeItem, NodeItem, PortItem
from nnstudio.ui.canvas.layout import layered_positions
from nnstudio.ui.commands import push_edit

KIND_MIME = "application/x-nnstudio-kind"


class GraphScene(QGraphicsScene):
    """Shows a :class:`~nnstudio.graph.Graph`; every edit goes through the undo stack."""

    nodeSelectionChanged = Signal(list)
    analysisChanged = Signal(object)
    graphEdited = Signal()
    messageShown = Signal(str)

    def __init__(self, graph: Graph, undo_stack: QUndoStack, parent: Any = None) -> None:
        super().__init__(parent)
        self.setItemIndexMethod(QGraphicsScene.NoIndex)
        self.undo_stack = undo_stack
        self.snap = True
        self.target: TargetSpec | None = None
        self.analysis = None
        self.last_message = ""
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[str, EdgeItem] = {}
        self._wire: QGraphicsPathItem | None = None
        self._wire_src: PortItem | None = None
        self._message_item: QGraphicsSimpleTextItem | None = None
        self._unsubscribe = None
        self._analysis_timer = QTimer(self)
        self._analysis_timer.setSingleShot(True)
        self._analysis_timer.setInterval(0)
        self._analysis_timer.timeout.connect(self.reanalyse)
        self.selectionChanged.connect(self._selection_changed)
        self.graph = graph
        self.set_graph(graph)

    # --- model -> items --------------------------------------------------------------------
    def set_graph(self, graph: Graph) -> None:
        """Show another graph (after New or Open)."""
        if self._unsubscribe:
            self._unsubscribe()
        self.clear()
        self._wire = None
        self._message_item = None
        self.node_items.clear()
        self.edge_items.clear()
        self.graph = graph
        for nid in graph.nodes:
            self._add_node_item(nid)
        for eid in graph.edges:
            self._add_edge_item(eid)
        self._unsubscribe = graph.events.subscribe(self._on_event)
        self.reanalyse()

    def _add_node_item(self, nid: str) -> None:
        item = NodeItem(self.graph.nodes[nid])
        self.node_items[nid] = item
        self.addItem(item)

    def _add_edge_item(self, eid: str) -> None:
        e = self.graph.edges[eid]
        item = EdgeItem(eid, self.node_items[e.src], self.node_items[e.dst])
        self.edge_items[eid] = item
        self.addItem(item)

    def _on_event(self, ev: events.Event) -> None:
        if isinstance(ev, events.NodeAdded):
            self._add_node_item(ev.node_id)
        elif isinstance(ev, events.NodeRemoved):
            item = self.node_items.pop(ev.node_id, None)
            if item is not None:
                self.removeItem(item)
        elif isinstance(ev, events.EdgeAdded):
            self._add_edge_item(ev.edge_id)
        elif isinstance(ev, events.EdgeRemoved):
            item = self.edge_items.pop(ev.edge_id, None)
            if item is not None:
                self.removeItem(item)
        elif isinstance(ev, events.NodeMoved):
            item = self.node_items.get(ev.node_id)
            if item is not None and (item.pos().x(), item.pos().y()) != tuple(ev.new):
                item.setPos(*ev.new)
        elif isinstance(ev, (events.ParamChanged, events.NodeRenamed)):
            item = self.node_items.get(ev.node_id)
            if item is not None:
                item.node = self.graph.nodes[ev.node_id]
                item.refresh()
        self._analysis_timer.start()
        self.graphEdited.emit()

    def node_moved(self, item: NodeItem) -> None:
        for e in self.edge_items.values():
            if e.src is item or e.dst is item:
                e.update_path()

    def set_target(self, target: TargetSpec | None) -> None:
        """The dataset's shape and task, so validation can check the Input and the loss."""
        self.target = target
        self.reanalyse()

    def reanalyse(self) -> None:
        a = analyse(self.graph, self.target)
        self.analysis = a
        problems: dict[str, str] = {}
        for p in a.problems:
            if p.node_id and p.severity == "error":
                problems.setdefault(p.node_id, p.message)
        for nid, item in self.node_items.items():
            item.set_analysis(a.shapes.get(nid), a.param_counts.get(nid, 0), problems.get(nid))
        for eid, item in self.edge_items.items():
            shape = a.shapes.get(self.graph.edges[eid].src)
            item.set_label(fmt_shape(shape) if shape is not None else "")
        self.analysisChanged.emit(a)

    # --- selection ----------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        import shiboken6

        if shiboken6.isValid(self):  # also fires while Qt tears the scene down
            self.nodeSelectionChanged.emit(self.selected_node_ids())

    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def select_nodes(self, ids: list[str]) -> None:
        self.clearSelection()
        for nid in ids:
            if nid in self.node_items:
                self.node_items[nid].setSelected(True)

    def node_item(self, nid: str) -> NodeItem:
        return self.node_items[nid]

    # --- edits (all undoable) -----------------------------------------------------------------
    def _push(self, edit: Any, text: str | None = None) -> Any:
        try:
            return push_edit(self.undo_stack, self.graph, edit, text)
        except NNStudioError as exc:
            self.show_message(str(exc))
            return None

    def add_node_at(self, kind: str, pos: QPointF, **params: Any) -> str | None:
        from nnstudio.graph import AddNode

        g = style.GRID
        x, y = round(pos.x() / g) * g, round(pos.y() / g) * g
        nid = self._push(AddNode(kind, params, (float(x), float(y))))
        if nid:
            self.select_nodes([nid])
        return nid

    def set_param(self, nid: str, name: str, value: Any) -> bool:
        return self._push(SetParam(nid, name, value), f"Set {name}") is not None or \
            self.graph.nodes[nid].params.get(name) == value

    def delete_selection(self) -> None:
        nodes = self.selected_node_ids()
        edges = [i.edge_id for i in self.selectedItems() if isinstance(i, EdgeItem)]
        if not nodes and not edges:
            return
        # ungroup expanded neurons first so they can be removed one by one
        from nnstudio.graph import Macro, Ungroup

        groups = {self.graph.nodes[n].group for n in nodes if self.graph.nodes[n].group}
        edits: list[Any] = [Ungroup(g) for g in groups]
        edits.append(remove_many(self.graph, nodes, edges))
        self._push(Macro(edits, f"Delete {len(nodes)} node(s)") if groups else edits[-1])

    def copy_selection(self) -> str:
        return fragment(self.graph, self.selected_node_ids())

    def paste(self, text: str) -> list[str]:
        try:
            macro, ids = paste_macro(self.graph, text)
        except NNStudioError as exc:
            self.show_message(str(exc))
            return []
        if self._push(macro) is None and not all(i in self.graph.nodes for i in ids):
            return []
        self.select_nodes(ids)
        return ids

    def auto_layout(self) -> None:
        sel = self.selected_node_ids()
        positions = layered_positions(self.graph, sel if len(sel) > 1 else None)
        if positions:
            self._push(MoveNodes(positions), "Layout")

    def expand_selected(self) -> None:
        for nid in self.selected_node_ids():
            if self.graph.nodes[nid].kind == "Dense":
                self._push(expand_dense(self.graph, nid))
                return
        self.show_message("select a Dense layer (up to 32 units) to expand it into neurons")

    def collapse_selected(self) -> None:
        for nid in self.selected_node_ids():
            gid = self.graph.nodes[nid].group
            if gid:
                self._push(collapse_group(self.graph, gid))
                return
        self.show_message("select neurons of an expanded layer to collapse them")

    def commit_moves(self) -> None:
        """One undoable move for everything dragged since the button went down."""
        moved = {}
        for nid, item in self.node_items.items():
            p = (float(item.pos().x()), float(item.pos().y()))
            if p != tuple(self.graph.nodes[nid].pos):
                moved[nid] = p
        if moved:
            self._push(MoveNodes(moved), "Move")

    # --- live values from training ----------------------------------------------------------------
    def set_neuron_weights(self, params: Mapping[str, Mapping[str, np.ndarray]] | None) -> None:
        """Width and colour of wires into Neuron nodes show each weight."""
        if params is None:
            for item in self.edge_items.values():
                item.set_weight(None)
            return
        weights: dict[str, float] = {}
        for nid, item in self.node_items.items():
            if item.node.kind != "Neuron" or nid not in params:
                continue
            w = np.asarray(params[nid]["weight"]).ravel()
            col = 0
            for e in self.graph.in_edges(nid):
                shape = self.analysis.shapes.get(e.src) if self.analysis else None
                width = int(np.prod(shape)) if shape else 1
                if col < len(w):
                    weights[e.id] = float(np.mean(w[col:col + width]))
                col += width
        scale = max((abs(v) for v in weights.values()), default=1.0) or 1.0
        for eid, item in self.edge_items.items():
            item.set_weight(weights.get(eid), scale) if eid in weights else None

    def set_neuron_thumbnails(self, images: Mapping[str, np.ndarray] | None) -> None:
        """Each hidden unit's response over the input plane, drawn on its node."""
        for nid, item in self.node_items.items():
            item.set_thumbnail(None if images is None else images.get(nid))

    # --- wiring with the mouse ------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.last_message = text
        self.messageShown.emit(text)

    def _port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    def _node_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
            if isinstance(item, PortItem):
                return item.node_item
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        port = self._port_at(event.scenePos())
        if port is not None and port.is_output and event.button() == event.button().LeftButton:
            self._wire_src = port
            self._wire = QGraphicsPathItem()
            self._wire.setPen(QPen(QColor("#ffb300"), 2.5))
            self._wire.setZValue(3)
            self.addItem(self._wire)
            for item in self.node_items.values():
                if item.in_port is not None:
                    ok = self.graph.can_connect(port.node_id, item.node_id) is None
                    item.in_port.set_state("ok" if ok else "dim")
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._wire is not None and self._wire_src is not None:
            a = self._wire_src.scenePos()
            b = event.scenePos()
            path = QPainterPath(a)
            dx = max(40.0, abs(b.x() - a.x()) * 0.5)
            path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b)
            self._wire.setPath(path)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._wire is not None and self._wire_src is not None:
            src = self._wire_src
            self.removeItem(self._wire)
            self._wire, self._wire_src = None, None
            for item in self.node_items.values():
                if item.in_port is not None:
                    item.in_port.set_state("normal")
            target = self._node_at(event.scenePos())
            if target is not None and target.node_id != src.node_id:
                reason = self.graph.can_connect(src.node_id, target.node_id)
                if reason:
                    self.show_message(f"Cannot connect: {reason}")
                else:
                    from nnstudio.graph import Connect

                    self._push(Connect(src.node_id, target.node_id))
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self.commit_moves()
