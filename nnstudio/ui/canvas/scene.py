"""The scene follows the graph model: one item per node and wire, updated from model events.

Edits go through the undo stack as graph edits (see :mod:`nnstudio.ui.commands`);
the scene never changes its items in response to its own edits, only in
response to the model's events, so undo and redo redraw exactly the same way.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QUndoStack
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent

from nnstudio.errors import NNStudioError
from nnstudio.graph import AddNode, Analysis, Graph, MoveNodes, SetParam, TargetSpec, analyse, events, fmt_shape, \
    remove_many
from nnstudio.ui.canvas import neuron_view, style
from nnstudio.ui.canvas.clipboard import fragment, paste_macro
from nnstudio.ui.canvas.interactions import Interaction, NodeDrag, RubberBand, WireDrag, modifiers_add
from nnstudio.ui.canvas.items import EdgeItem, GroupFrameItem, MessageItem, NodeItem, PortItem, WireOverviewItem
from nnstudio.ui.canvas.layout import layered_positions
from nnstudio.ui.commands import push_edit
from nnstudio.ui.canvas.safe_geometry import canvas_pos

KIND_MIME = "application/x-nnstudio-kind"


class GraphScene(QGraphicsScene):
    """Shows a :class:`~nnstudio.graph.Graph` and edits it through ``undo_stack``.

    Signals: ``nodeSelectionChanged(list)`` with the selected node ids,
    ``analysisChanged(object)`` with the latest :class:`~nnstudio.graph.Analysis`
    (once per batch of changes), ``graphEdited()`` after any model change, and
    ``messageShown(str)`` when the canvas explains a refused action.
    """

    nodeSelectionChanged = Signal(list)
    analysisChanged = Signal(object)
    graphEdited = Signal()
    messageShown = Signal(str)

    def __init__(self, graph: Graph, undo_stack: QUndoStack, parent: Any = None) -> None:
        super().__init__(parent)
        # A BSP index: painting and hit tests look at what is near, not at every item - on a
        # 1,000-node graph that halves a frame at 100 % (tests/bench/bench_canvas.py). Items
        # move only while the user drags them, which the index absorbs.
        self.setItemIndexMethod(QGraphicsScene.BspTreeIndex)
        self.undo_stack = undo_stack
        self.snap = True  # snap to the 20 px grid while dragging nodes
        self.snapping = False  # true during a drag (positions from the model are never snapped)
        self.target: TargetSpec | None = None
        self.analysis: Analysis | None = None
        self.last_message = ""
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[str, EdgeItem] = {}
        self.wire_overview = WireOverviewItem(self.edge_items)
        self.group_frames: dict[str, GroupFrameItem] = {}
        self.message_item = MessageItem()
        self.overview = False  # zoomed far out: see set_overview
        self._edges_at: dict[str, set[str]] = {}
        self._interaction: Interaction | None = None
        self._last_pos = QPointF(0, 0)
        self._pastes: dict[str, int] = {}
        self._selection: list[str] = []
        self._unsubscribe: Any = None
        self._analysis_timer = QTimer(self)
        self._analysis_timer.setSingleShot(True)
        self._analysis_timer.setInterval(0)  # coalesce a batch of model events into one analysis
        self._analysis_timer.timeout.connect(self.reanalyse)
        self._quiet_selection = False
        self.selectionChanged.connect(self._selection_changed)
        self.graph = graph
        self.set_graph(graph)

    # --- model -> items --------------------------------------------------------------------
    def set_graph(self, graph: Graph) -> None:
        """Show another graph (after New or Open): drop every item and rebuild from ``graph``."""
        if self._interaction is not None:
            self._interaction.cancel()
            self._interaction = None
        if self._unsubscribe:
            self._unsubscribe()
        self._quiet_selection = True
        for keep in (self.message_item, getattr(self, "wire_overview", None)):  # they outlive clear()
            if keep is not None and keep.scene() is self:
                self.removeItem(keep)
        self.clear()
        self._quiet_selection = False
        self.node_items.clear()
        self.edge_items.clear()
        self.group_frames.clear()
        self._edges_at.clear()
        self.graph = graph
        self.addItem(self.message_item)
        self.message_item.setVisible(False)
        self.addItem(self.wire_overview)
        self.wire_overview.invalidate()
        for nid in graph.nodes:
            self._add_node_item(nid)
        for eid in graph.edges:
            self._add_edge_item(eid)
        for gid in graph.groups:
            self._update_group(gid)
        self._unsubscribe = graph.events.subscribe(self._on_event)
        self._selection = []
        self.nodeSelectionChanged.emit([])
        self.reanalyse()

    def set_overview(self, on: bool) -> None:
        """Zoomed far out, ports and shape labels are specks and a thousand wire items cost a frame:
        hide them and draw the wires as one path. Zoom back in to wire and read."""
        if on == self.overview:
            return
        self.overview = on
        for item in self.node_items.values():
            self._show_ports(item)
        for edge in self.edge_items.values():
            edge.setVisible(not on)
        self.wire_overview.invalidate()
        self.wire_overview.setVisible(on)

    def _show_ports(self, item: NodeItem) -> None:
        for port in (item.in_port, item.out_port):
            if port is not None:
                port.setVisible(not self.overview)

    def _add_node_item(self, nid: str) -> None:
        item = NodeItem(self.graph.nodes[nid])
        if self.overview:
            self._show_ports(item)
        self.node_items[nid] = item
        self._edges_at.setdefault(nid, set())
        self.addItem(item)

    def _add_edge_item(self, eid: str) -> None:
        e = self.graph.edges[eid]
        item = EdgeItem(eid, self.node_items[e.src], self.node_items[e.dst])
        self.edge_items[eid] = item
        self._edges_at.setdefault(e.src, set()).add(eid)
        self._edges_at.setdefault(e.dst, set()).add(eid)
        item.setVisible(not self.overview)
        self.addItem(item)
        self.wire_overview.invalidate()

    def _update_group(self, gid: str) -> None:
        group = self.graph.groups.get(gid)
        frame = self.group_frames.get(gid)
        members = [self.node_items[n] for n in group.node_ids if n in self.node_items] if group else []
        # the frame hugs the neurons; the joining Concat (also a member) sits outside it
        members = [m for m in members if m.compact] or members
        if group is None or "expanded_from" not in group.meta or not members:
            if frame is not None:
                self.removeItem(frame)
                del self.group_frames[gid]
            return
        if frame is None:
            n = sum(1 for m in members if m.node.kind == "Neuron")
            frame = GroupFrameItem(gid, f"{group.name} · {n} neurons")
            self.group_frames[gid] = frame
            self.addItem(frame)
        rect = QRectF()
        for m in members:
            rect = rect.united(m.mapRectToScene(m.body_rect()))
        frame.set_rect(rect)

    def _on_event(self, ev: events.Event) -> None:
        if isinstance(ev, events.NodeAdded):
            self._add_node_item(ev.node_id)
        elif isinstance(ev, events.NodeRemoved):
            item = self.node_items.pop(ev.node_id, None)
            self._edges_at.pop(ev.node_id, None)
            if item is not None:
                self.removeItem(item)
        elif isinstance(ev, events.EdgeAdded):
            self._add_edge_item(ev.edge_id)
        elif isinstance(ev, events.EdgeRemoved):
            item = self.edge_items.pop(ev.edge_id, None)
            for end in (ev.src, ev.dst):
                self._edges_at.get(end, set()).discard(ev.edge_id)
            if item is not None:
                self.removeItem(item)
            self.wire_overview.invalidate()
        elif isinstance(ev, events.NodeMoved):
            item = self.node_items.get(ev.node_id)
            if item is not None and (item.pos().x(), item.pos().y()) != canvas_pos(ev.new):
                item.setPos(*canvas_pos(ev.new))
        elif isinstance(ev, (events.ParamChanged, events.NodeRenamed)):
            item = self.node_items.get(ev.node_id)
            if item is not None:
                item.refresh()
        elif isinstance(ev, events.GroupChanged):
            group = self.graph.groups.get(ev.group_id)
            ids = group.node_ids if group else [i for i in self.node_items]
            for nid in ids:
                if nid in self.node_items:
                    self.node_items[nid].update()  # expanded neurons are drawn without their names
            self._update_group(ev.group_id)
        self._analysis_timer.start()
        self.graphEdited.emit()

    def node_moved(self, item: NodeItem) -> None:
        """Called by a node item whenever it moves: its wires and group frame follow."""
        for eid in self._edges_at.get(item.node_id, ()):
            edge = self.edge_items.get(eid)
            if edge is not None:
                edge.update_path()
        if item.node.group and item.node.group in self.group_frames:
            self._update_group(item.node.group)

    def set_target(self, target: TargetSpec | None) -> None:
        """The dataset's shape and task, so validation can check the Input and the loss."""
        self.target = target
        self.reanalyse()

    def reanalyse(self) -> None:
        """Infer shapes, count parameters and mark invalid nodes; emits ``analysisChanged``."""
        self._analysis_timer.stop()
        a = analyse(self.graph, self.target)
        self.analysis = a
        errors: dict[str, list[str]] = {}
        warnings: dict[str, list[str]] = {}
        for p in a.problems:
            if p.node_id:
                (errors if p.severity == "error" else warnings).setdefault(p.node_id, []).append(p.message)
        for nid, item in self.node_items.items():
            item.set_analysis(a.shapes.get(nid), a.param_counts.get(nid, 0),
                              "; ".join(errors[nid]) if nid in errors else None,
                              "; ".join(warnings[nid]) if nid in warnings else None)
        for eid, item in self.edge_items.items():
            shape = a.shapes.get(self.graph.edges[eid].src)
            item.set_label(fmt_shape(shape) if shape is not None else "")
        for gid, frame in self.group_frames.items():
            neurons = neuron_view.group_neurons(self.graph, gid)
            count = sum(a.param_counts.get(n, 0) for n in neurons)
            frame.set_caption(f"{self.graph.groups[gid].name} · {len(neurons)} neurons"
                              + (f" · {count:,} parameters" if count else ""))
        self.analysisChanged.emit(a)

    # --- selection ----------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        if self._quiet_selection:
            return
        ids = self.selected_node_ids()
        if ids != self._selection:
            self._selection = ids
            self.nodeSelectionChanged.emit(ids)

    def selected_node_ids(self) -> list[str]:
        """Ids of the selected nodes, in graph order."""
        return [nid for nid, item in self.node_items.items() if item.isSelected()]

    def set_selection(self, ids: Iterable[str]) -> None:
        """Select exactly these nodes (one ``nodeSelectionChanged``, however many items change)."""
        wanted = set(ids)
        self._quiet_selection = True
        try:
            for item in self.selectedItems():
                if not (isinstance(item, NodeItem) and item.node_id in wanted):
                    item.setSelected(False)
            for nid in wanted:
                if nid in self.node_items:
                    self.node_items[nid].setSelected(True)
        finally:
            self._quiet_selection = False
        self._selection_changed()

    def select_nodes(self, ids: Iterable[str]) -> None:
        """Select exactly these nodes (the window uses it, e.g. from the problems list)."""
        self.set_selection(ids)

    def select_group(self, group_id: str, additive: bool = False) -> None:
        group = self.graph.groups.get(group_id)
        if group is not None:
            self.set_selection((set(self.selected_node_ids()) if additive else set()) | set(group.node_ids))

    def node_item(self, nid: str) -> NodeItem:
        """The item drawing node ``nid``."""
        return self.node_items[nid]

    # --- edits (all undoable) -----------------------------------------------------------------
    def push(self, edit: Any, text: str | None = None) -> Any:
        """Apply ``edit`` through the undo stack; a refused edit shows its reason and returns None."""
        try:
            return push_edit(self.undo_stack, self.graph, edit, text)
        except NNStudioError as exc:
            self.show_message(str(exc))
            return None

    _push = push  # older name

    def add_node_at(self, kind: str, scene_pos: QPointF, **params: Any) -> str | None:
        """Add a ``kind`` node with its top-left corner at ``scene_pos`` (snapped); returns its id."""
        g = style.GRID
        x, y = round(scene_pos.x() / g) * g, round(scene_pos.y() / g) * g
        try:
            edit = AddNode(kind, params, (float(x), float(y)))
        except NNStudioError as exc:
            self.show_message(str(exc), scene_pos)
            return None
        nid = self.push(edit, f"Add {kind}")
        if nid:
            self.set_selection([nid])
        return nid

    def set_param(self, nid: str, name: str, value: Any) -> bool:
        """Change one parameter (undoable). Returns False, with the reason shown, if it is refused."""
        node = self.graph.nodes.get(nid)
        if node is None:
            return False
        if node.params.get(name) == value:
            return True
        try:
            push_edit(self.undo_stack, self.graph, SetParam(nid, name, value), f"Set {name} of {node.name}")
        except NNStudioError as exc:
            self.show_message(str(exc))
            return False
        return True

    def delete_selection(self) -> None:
        """Remove the selected nodes (with their wires) and the selected wires, as one undo step."""
        nodes = self.selected_node_ids()
        edges = [i.edge_id for i in self.selectedItems() if isinstance(i, EdgeItem)]
        if not nodes and not edges:
            return
        macro = remove_many(self.graph, nodes, edges)
        parts = []
        if nodes:
            parts.append(self.graph.nodes[nodes[0]].name if len(nodes) == 1 else f"{len(nodes)} nodes")
        if edges and not nodes:
            parts.append("wire" if len(edges) == 1 else f"{len(edges)} wires")
        self.push(macro, "Delete " + " and ".join(parts))

    def copy_selection(self) -> str:
        """The selected nodes and the wires between them as clipboard JSON."""
        return fragment(self.graph, self.selected_node_ids())

    def paste(self, text: str) -> list[str]:
        """Add a copy of a clipboard fragment (new ids, shifted, with its internal wires); returns the new ids."""
        n = self._pastes.get(text, 0) + 1
        self._pastes = {text: n}  # repeated pastes of the same nodes step down and right
        try:
            macro, ids = paste_macro(self.graph, text, offset=(40.0 * n, 40.0 * n))
        except NNStudioError as exc:
            self.show_message(str(exc))
            return []
        if self.push(macro, f"Paste {len(ids)} node(s)") is None:
            return []
        self.set_selection(ids)
        return ids

    def auto_layout(self) -> None:
        """Arrange the selection (two or more nodes) or the whole graph left to right by depth."""
        sel = self.selected_node_ids()
        positions = layered_positions(self.graph, sel if len(sel) > 1 else None)
        positions = {k: v for k, v in positions.items() if tuple(self.graph.nodes[k].pos) != v}
        if positions:
            self.push(MoveNodes(positions), "Auto layout")

    def expand_selected(self) -> list[str]:
        """Expand the selected Dense layer into its neurons (undoable); returns the new neuron ids."""
        dense = [n for n in self.selected_node_ids() if self.graph.nodes[n].kind == "Dense"]
        if not dense:
            self.show_message("Select a Dense layer (up to 32 units) to expand it into its neurons")
            return []
        try:
            macro = neuron_view.expand_macro(self.graph, dense[0])
        except NNStudioError as exc:
            self.show_message(str(exc))
            return []
        if self.push(macro) is None:
            return []
        gid = neuron_view.expanded_group_of(self.graph, [e.node_id for e in macro.edits
                                                          if isinstance(e, AddNode)])
        ids = list(self.graph.groups[gid].node_ids) if gid else []
        self.set_selection(ids)
        return ids

    def collapse_selected(self) -> str | None:
        """Collapse the expanded layer a selected neuron belongs to back into a Dense (undoable)."""
        gid = neuron_view.expanded_group_of(self.graph, self.selected_node_ids())
        if gid is None:
            self.show_message("Select the neurons of an expanded layer to collapse them into one Dense layer")
            return None
        result = self.push(neuron_view.collapse_macro(self.graph, gid))
        if result is None:
            return None
        new_id = next((r for r in reversed(result) if isinstance(r, str) and r in self.graph.nodes), None)
        if new_id:
            self.set_selection([new_id])
        return new_id

    # --- live values from training ----------------------------------------------------------------
    def set_neuron_weights(self, params: Mapping[str, Mapping[str, np.ndarray]] | None) -> None:
        """Wires into and out of Neuron nodes show their weight: width = size, orange +, blue -."""
        if params is None or self.analysis is None:
            for item in self.edge_items.values():
                if item.weight is not None:
                    item.set_weight(None)
            return
        weights = neuron_view.edge_weights(self.graph, self.analysis.shapes, params)
        finite = [abs(v) for v in weights.values() if np.isfinite(v)]
        scale = max(finite, default=1.0) or 1.0
        for eid, item in self.edge_items.items():
            w = weights.get(eid)
            if w is not None or item.weight is not None:
                item.set_weight(w, scale)

    def set_neuron_thumbnails(self, images: Mapping[str, np.ndarray] | None) -> None:
        """Show each unit's response over the input plane: keys are Neuron ids or ``"nodeid:j"``."""
        units: dict[str, list[tuple[int, np.ndarray]]] = {}
        for key, arr in (images or {}).items():
            nid, _, j = key.rpartition(":")
            if nid and j.isdigit():
                units.setdefault(nid, []).append((int(j), arr))
        for nid, item in self.node_items.items():
            if item.compact:
                value = images.get(nid) if images else None
                if value is not None or item.thumbnail is not None:
                    item.set_thumbnail(value)
            elif nid in units or item.unit_thumbnails:
                found = sorted(units.get(nid, []), key=lambda t: t[0])
                total = int(np.prod(self.analysis.shapes.get(nid) or (len(found),))) if self.analysis else len(found)
                item.set_unit_thumbnails([a for _, a in found], max(total, len(found)))
                self.node_moved(item)

    # --- messages -----------------------------------------------------------------------------------
    def show_message(self, text: str, at: QPointF | None = None) -> None:
        """Explain a refused action: a transient note on the canvas, ``messageShown`` for the status bar."""
        text = text[0].upper() + text[1:] if text else text
        self.last_message = text
        self.message_item.show_text(text, at if at is not None else self._last_pos)
        self.messageShown.emit(text)

    # --- the mouse ----------------------------------------------------------------------------------
    def port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    def node_at(self, pos: QPointF) -> NodeItem | None:
        """The node (or the node of the port) under ``pos``."""
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item.node_item
            if isinstance(item, NodeItem) and item.shape().contains(item.mapFromScene(pos)):
                return item
        return None

    def _empty_at(self, pos: QPointF) -> bool:
        return not any(i.isVisible() and i is not self.message_item for i in self.items(pos))

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        pos = event.scenePos()
        self._last_pos = pos
        if self._interaction is None and event.button() == Qt.LeftButton:
            port = self.port_at(pos)
            if port is not None:
                picked = None
                if not port.is_output:
                    wires = self.graph.in_edges(port.node_id)
                    picked = wires[-1].id if wires else None  # the most recent wire comes off first
                self._interaction = WireDrag(self, port, pos, picked)
                event.accept()
                return
            if self._empty_at(pos):
                self._interaction = RubberBand(self, pos, modifiers_add(event))
                event.accept()
                return
        super().mousePressEvent(event)
        if self._interaction is None and event.button() == Qt.LeftButton and \
                isinstance(self.mouseGrabberItem(), NodeItem):
            self._interaction = NodeDrag(self)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        self._last_pos = event.scenePos()
        if self._interaction is not None and self._interaction.move(event.scenePos()):
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        inter, self._interaction = self._interaction, None
        if inter is not None and event.button() == Qt.LeftButton:
            if inter.release(event.scenePos()):
                event.accept()
                return
        elif inter is not None:
            self._interaction = inter  # another button: the gesture goes on
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key_Escape and self._interaction is not None:
            self._interaction.cancel()
            self._interaction = None
            event.accept()
            return
        super().keyPressEvent(event)
