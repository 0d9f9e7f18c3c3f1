"""Graphics items of the canvas: nodes, their ports, and wires. They only draw; the scene edits."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem, QGraphicsSimpleTextItem

from nnstudio.graph import fmt_shape, kinds
from nnstudio.ui.canvas import style

if TYPE_CHECKING:  # pragma: no cover
    from nnstudio.graph import Node


def key_params_text(node: "Node") -> str:
    """A short summary of what the node is set to, e.g. ``units 64`` or ``3x3, 16 ch``."""
    p = node.params
    k = node.kind
    if k == "Input":
        return "shape " + fmt_shape(p["shape"])
    if k == "Dense":
        return f"units {p['units']}" + ("" if p.get("bias", True) else ", no bias")
    if k == "Neuron":
        return p["activation"]
    if k == "Activation":
        return p["function"]
    if k == "Conv2D":
        extra = f", stride {p['stride']}" if p["stride"] != 1 else ""
        return f"{p['kernel_size']}x{p['kernel_size']}, {p['out_channels']} ch{extra}"
    if k in ("MaxPool2D", "AvgPool2D"):
        return f"{p['kernel_size']}x{p['kernel_size']}"
    if k == "Dropout":
        return f"p {p['p']:g}"
    if k == "Reshape":
        return "to " + fmt_shape(p["shape"])
    if k == "Embedding":
        return f"{p['num_embeddings']} tokens -> {p['embedding_dim']}"
    if k == "Output":
        return f"loss {p['loss']}"
    return ""


class PortItem(QGraphicsEllipseItem):
    """A connection point; output ports start wires, input ports receive them."""

    def __init__(self, parent: "NodeItem", name: str, is_output: bool, multiple: bool) -> None:
        r = style.PORT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, parent)
        self.node_item = parent
        self.name = name
        self.is_output = is_output
        self.multiple = multiple
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        self.set_state("normal")
        self.setToolTip(("output - drag to an input to wire" if is_output else
                         "input" + (" (takes several wires)" if multiple else "")))

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def set_state(self, state: str) -> None:
        """normal / ok (a wire may end here) / refused / dim."""
        colors = {"normal": "#eceff1", "ok": "#43a047", "refused": "#e53935", "dim": "#90a4ae"}
        self.setBrush(QBrush(QColor(colors[state])))
        self.setPen(QPen(QColor("#37474f"), 1.5))
        self.setScale(1.35 if state == "ok" else 1.0)


class NodeItem(QGraphicsItem):
    """One node: category colour strip, name, key parameters, output shape, parameter count."""

    def __init__(self, node: "Node") -> None:
        super().__init__()
        self.node_id = node.id
        self.node = node
        self.spec = kinds.get(node.kind)
        self.shape_text = ""
        self.params_text = ""
        self.problem: str | None = None
        self.thumbnail: QImage | None = None
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable |
                      QGraphicsItem.ItemSendsGeometryChanges)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.in_port = PortItem(self, self.spec.inputs[0].name, False, self.spec.inputs[0].multiple) \
            if self.spec.inputs else None
        self.out_port = PortItem(self, self.spec.outputs[0].name, True, False) if self.spec.outputs else None
        self.setPos(*node.pos)
        self.refresh()

    # --- geometry ----------------------------------------------------------------------
    @property
    def compact(self) -> bool:
        """Neurons are drawn as small circles, like in textbook diagrams."""
        return self.node.kind == "Neuron"

    def size(self) -> tuple[float, float]:
        if self.compact:
            return style.NEURON_SIZE, style.NEURON_SIZE
        return style.NODE_WIDTH, style.HEADER + 3 * style.LINE + 8

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        w, h = self.size()
        return QRectF(-3, -3, w + 6, h + 6)

    def _place_ports(self) -> None:
        w, h = self.size()
        if self.in_port:
            self.in_port.setPos(0, h / 2)
        if self.out_port:
            self.out_port.setPos(w, h / 2)

    def lines(self) -> list[str]:
        """The text shown in the body (tests read it)."""
        return [t for t in (key_params_text(self.node), self.shape_text, self.params_text) if t]

    def refresh(self) -> None:
        self.prepareGeometryChange()
        self._place_ports()
        tip = [f"<b>{self.node.name}</b> ({self.node.kind})", self.spec.explanation]
        if self.problem:
            tip.insert(1, f"<span style='color:#e53935'><b>Problem:</b> {self.problem}</span>")
        self.setToolTip("<p>" + "</p><p>".join(tip) + "</p>")
        self.update()

    def set_analysis(self, shape: Any, n_params: int, problem: str | None) -> None:
        self.shape_text = ("out " + fmt_shape(shape)) if shape is not None else "out ?"
        self.params_text = f"{n_params:,} parameters" if n_params else ""
        self.problem = problem
        self.refresh()

    def set_thumbnail(self, values: np.ndarray | None) -> None:
        if values is None:
            self.thumbnail = None
        else:
            v = np.asarray(values, dtype=np.float64)
            lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
            t = (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
            # orange for high, blue for low responses, as on the decision surface
            rgb = np.stack([255 * t, 140 + 0 * t, 255 * (1 - t)], -1)
            rgb = np.ascontiguousarray(np.flipud(rgb).astype(np.uint8))
            h, w = rgb.shape[:2]
            self.thumbnail = QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()
        self.update()

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:  # noqa: N802
        if change == QGraphicsItem.ItemPositionChange and self.scene() is not None and \
                getattr(self.scene(), "snap", False):
            g = style.GRID
            return QPointF(round(value.x() / g) * g, round(value.y() / g) * g)
        if change == QGraphicsItem.ItemPositionHasChanged and self.scene() is not None:
            self.scene().node_moved(self)
        return super().itemChange(change, value)

    # --- drawing ---------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        pal = widget.palette() if widget is not None else None
        base = pal.base().color() if pal else QColor("white")
        text = pal.text().color() if pal else QColor("black")
        color = style.category_color(self.spec.category)
        w, h = self.size()
        painter.setRenderHint(QPainter.Antialiasing)
        border = QPen(style.ERROR, 2.5) if self.problem else QPen(color.darker(130), 1.2)
        if self.isSelected():
            border = QPen(QColor("#ffb300"), 3.0)
        if self.compact:
            painter.setPen(border)
            painter.setBrush(QBrush(color.lighter(170)))
            painter.drawEllipse(QRectF(0, 0, w, h))
            if self.thumbnail is not None:
                clip = QPainterPath()
                clip.addEllipse(QRectF(4, 4, w - 8, h - 8))
                painter.setClipPath(clip)
                painter.drawImage(QRectF(4, 4, w - 8, h - 8), self.thumbnail)
                painter.setClipping(False)
            else:
                painter.setPen(QPen(text))
                painter.setFont(QFont(painter.font().family(), 7))
                painter.drawText(QRectF(0, 0, w, h), Qt.AlignCenter, self.node.params["activation"])
            return
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, w, h), 8, 8)
        painter.fillPath(path, base)
        painter.save()
        painter.setClipPath(path)
        painter.fillRect(QRectF(0, 0, w, style.HEADER), color)
        painter.restore()
        painter.setPen(border)
        painter.drawPath(path)
        f = QFont(painter.font())
        f.setBold(True)
        f.setPointSizeF(9)
        painter.setFont(f)
        painter.setPen(QPen(QColor("white")))
        title = self.node.name if self.node.name.startswith(self.node.kind) else f"{self.node.name} · {self.node.kind}"
        title = painter.fontMetrics().elidedText(title, Qt.ElideRight, int(w - 30))
        painter.drawText(QRectF(10, 0, w - 20, style.HEADER), Qt.AlignVCenter | Qt.AlignLeft, title)
        f.setBold(False)
        f.setPointSizeF(8.5)
        painter.setFont(f)
        body_w = w - 20 - (40 if self.thumbnail is not None else 0)
        for i, line in enumerate(self.lines()):
            painter.setPen(QPen(style.ERROR if (self.problem and line.startswith("out ?")) else text))
            painter.drawText(QRectF(10, style.HEADER + 4 + i * style.LINE, body_w, style.LINE),
                             Qt.AlignVCenter | Qt.AlignLeft, line)
        if self.thumbnail is not None:
            painter.drawImage(QRectF(w - 44, style.HEADER + 6, 36, 36), self.thumbnail)
        if self.problem:
            painter.setPen(Qt.NoPen)
            painter.setBrush(style.ERROR)
            painter.drawEllipse(QRectF(w - 18, 6, 12, 12))
            painter.setPen(QPen(QColor("white")))
            painter.drawText(QRectF(w - 18, 6, 12, 12), Qt.AlignCenter, "!")


class EdgeItem(QGraphicsPathItem):
    """A wire from an output port to an input port, labelled with the tensor shape it carries."""

    def __init__(self, edge_id: str, src: NodeItem, dst: NodeItem) -> None:
        super().__init__()
        self.edge_id = edge_id
        self.src = src
        self.dst = dst
        self.weight: float | None = None
        self.label = QGraphicsSimpleTextItem("", self)
        f = QFont()
        f.setPointSizeF(7.5)
        self.label.setFont(f)
        self.label.setBrush(QBrush(QColor("#607d8b")))
        self.setZValue(0)
        self.setAcceptHoverEvents(True)
        self.set_weight(None)
        self.update_path()

    def set_label(self, text: str) -> None:
        self.label.setText(text)
        self.update_path()

    def set_weight(self, weight: float | None, scale: float = 1.0) -> None:
        """Width and colour show a weight's size and sign (orange +, blue -); None = plain wire."""
        self.weight = weight
        if weight is None:
            self.setPen(QPen(QColor("#78909c"), 2.0))
            return
        mag = min(1.0, abs(weight) / scale) if scale > 0 else 0.0
        color = QColor("#fb8c00") if weight >= 0 else QColor("#1e88e5")
        color.setAlphaF(0.35 + 0.65 * mag)
        self.setPen(QPen(color, 0.8 + 5.0 * mag))
        self.setToolTip(f"weight {weight:+.4g}")

    def update_path(self) -> None:
        a = self.src.out_port.scenePos() if self.src.out_port else self.src.scenePos()
        b = self.dst.in_port.scenePos() if self.dst.in_port else self.dst.scenePos()
        dx = max(40.0, abs(b.x() - a.x()) * 0.5)
        path = QPainterPath(a)
        path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b)
        self.setPath(path)
        mid = path.pointAtPercent(0.5)
        r = self.label.boundingRect()
        self.label.setPos(mid.x() - r.width() / 2, mid.y() - r.height() - 2)
        self.label.setVisible(bool(self.label.text()) and not (self.src.compact or self.dst.compact))
