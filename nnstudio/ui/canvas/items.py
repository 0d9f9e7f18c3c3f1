"""Graphics items of the canvas: nodes, ports, wires, group frames, the wire being drawn and messages.

Items only draw and report geometry; edits are made by the scene and the
interactions (through the undo stack), and items change only when the model
says so.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPainterPathStroker, QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyle, QStyleOptionGraphicsItem, QWidget

from nnstudio.graph import fmt_shape, kinds
from nnstudio.ui.canvas import style
from nnstudio.ui.canvas.safe_geometry import canvas_pos

if TYPE_CHECKING:  # pragma: no cover
    from nnstudio.graph import Node


def key_params_text(node: "Node") -> str:
    """A short summary of what the node is set to, e.g. ``units 64``, ``relu`` or ``3x3, 16 ch``
    (each kind's ``label`` in the registry)."""
    return kinds.get(node.kind).describe(node.params)


def response_image(values: np.ndarray) -> QImage:
    """A unit's response over the input plane as a blue (low) to orange (high) image, y up."""
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    lo = float(v[finite].min()) if finite.any() else 0.0
    hi = float(v[finite].max()) if finite.any() else 1.0
    t = np.where(finite, (v - lo) / (hi - lo), 0.5) if hi > lo else np.full_like(v, 0.5)
    lo_c = np.array([30, 136, 229], dtype=np.float64)  # style.NEGATIVE
    mid_c = np.array([245, 245, 245], dtype=np.float64)
    hi_c = np.array([245, 124, 0], dtype=np.float64)  # style.POSITIVE
    t3 = t[..., None]
    rgb = np.where(t3 < 0.5, lo_c + (mid_c - lo_c) * (t3 * 2), mid_c + (hi_c - mid_c) * (t3 * 2 - 1))
    rgb = np.ascontiguousarray(np.flipud(rgb).astype(np.uint8))  # row 0 of the grid is the bottom (y min)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()


class PortItem(QGraphicsItem):
    """A connection point on a node's edge; output ports start wires, input ports receive them."""

    STATES = ("normal", "ok", "dim", "refused", "hover")

    def __init__(self, parent: "NodeItem", name: str, is_output: bool, multiple: bool) -> None:
        super().__init__(parent)
        self.node_item = parent
        self.name = name
        self.is_output = is_output
        self.multiple = multiple
        self.state = "normal"
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        self.setCursor(Qt.CrossCursor)
        if is_output:
            self.setToolTip("Output - drag from here to an input to draw a wire")
        else:
            self.setToolTip("Input" + (" - takes several wires" if multiple else "") +
                            ". Drag a wire away from here to move or remove it.")

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        r = style.PORT_RADIUS * 1.6  # a generous grab area
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.boundingRect())
        return path

    def set_state(self, state: str) -> None:
        """``normal``; while a wire is drawn: ``ok`` (may end here), ``dim`` (may not), ``refused``, ``hover``."""
        if state != self.state:
            self.state = state
            self.update()

    def hoverEnterEvent(self, event: Any) -> None:  # noqa: N802
        if self.state == "normal":
            self.set_state("hover")
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: Any) -> None:  # noqa: N802
        if self.state == "hover":
            self.set_state("normal")
        super().hoverLeaveEvent(event)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pal = style.palette(widget, self)
        color = style.category_color(self.node_item.spec.category)
        r = style.PORT_RADIUS
        fill = pal.base().color()
        ring = color.lighter(150) if style.is_dark(pal) else color
        if self.state == "ok":
            r *= 1.4
            fill, ring = style.ACCEPT.lighter(130), style.ACCEPT.darker(120)
        elif self.state == "hover":
            r *= 1.25
            fill = color
        elif self.state == "refused":
            fill, ring = style.ERROR, style.ERROR.darker(130)
        elif self.state == "dim":
            fill = style.mix(fill, pal.text().color(), 0.15)
            ring = style.mix(color, pal.base().color(), 0.6)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(ring, 2.0))
        painter.setBrush(fill)
        painter.drawEllipse(QPointF(0, 0), r, r)
        if self.multiple and self.state in ("normal", "hover"):
            # a small dot marks ports that take several wires
            painter.setPen(Qt.NoPen)
            painter.setBrush(ring if self.state == "normal" else fill.lighter(160))
            painter.drawEllipse(QPointF(0, 0), 1.8, 1.8)


class NodeItem(QGraphicsItem):
    """One node: category-coloured header with its name, key parameters, output shape and parameter count.

    Neurons are drawn as small circles, as in textbook diagrams. A node with a
    problem gets a red outline and badge, and the reason in its tooltip.
    """

    def __init__(self, node: "Node") -> None:
        super().__init__()
        self.node_id = node.id
        self.node = node
        self.spec = kinds.get(node.kind)
        self.shape_text = ""
        self.params_text = ""
        self.problem: str | None = None
        self.warning: str | None = None
        self.thumbnail: QImage | None = None
        self.unit_thumbnails: list[QImage] = []
        self.unit_count = 0
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable |
                      QGraphicsItem.ItemSendsGeometryChanges)
        # nodes only change when the model or the palette does: draw them once, blit afterwards
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.in_port = PortItem(self, self.spec.inputs[0].name, False, self.spec.inputs[0].multiple) \
            if self.spec.inputs else None
        self.out_port = PortItem(self, self.spec.outputs[0].name, True, False) if self.spec.outputs else None
        self.setPos(*canvas_pos(node.pos))  # never NaN/inf: Qt crashes painting it
        self.refresh()

    # --- geometry ----------------------------------------------------------------------
    @property
    def compact(self) -> bool:
        """Neurons are small circles."""
        return self.node.kind == "Neuron"

    def size(self) -> tuple[float, float]:
        """Width and height of the body (without the thumbnail strip and the neuron's name)."""
        if self.compact:
            return style.NEURON_SIZE, style.NEURON_SIZE
        return style.NODE_WIDTH, style.NODE_HEIGHT

    def body_rect(self) -> QRectF:
        w, h = self.size()
        return QRectF(0, 0, w, h)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        w, h = self.size()
        if self.compact:
            # the name is written under the circle
            return QRectF(-34, -4, w + 68, h + 22)
        extra = style.THUMB + 8 if self.unit_thumbnails else 0
        return QRectF(-6, -4, w + 12, h + 10 + extra)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        if self.compact:
            path.addEllipse(self.body_rect())
        else:
            path.addRoundedRect(self.body_rect(), style.RADIUS, style.RADIUS)
        return path

    def _place_ports(self) -> None:
        w, h = self.size()
        if self.in_port:
            self.in_port.setPos(0, h / 2)
        if self.out_port:
            self.out_port.setPos(w, h / 2)

    def title(self) -> str:
        """The header text: the node's name."""
        return self.node.name

    def key_text(self) -> str:
        """The first body line: key parameters, after the kind when the name does not say it."""
        key = key_params_text(self.node)
        if self.compact or self.node.name.startswith(self.node.kind):
            return key
        return f"{self.node.kind} · {key}" if key else self.node.kind

    def lines(self) -> list[str]:
        """The text lines of the body (key parameters, output shape, parameter count)."""
        return [t for t in (self.key_text(), self.shape_text, self.params_text) if t]

    def refresh(self) -> None:
        """Re-read the node (after a parameter change or rename) and redraw."""
        self.prepareGeometryChange()
        self._place_ports()
        tip = [f"<b>{html.escape(self.node.name)}</b> &nbsp;<i>{self.node.kind}</i>"]
        if self.problem:
            tip.append(f"<span style='color:#e53935'><b>Problem:</b> {html.escape(self.problem)}</span>")
        if self.warning:
            tip.append(f"<span style='color:#f9a825'><b>Note:</b> {html.escape(self.warning)}</span>")
        facts = " &middot; ".join(html.escape(t) for t in self.lines())
        if facts:
            tip.append(facts)
        tip.append(html.escape(self.spec.explanation))
        self.setToolTip("<p>" + "</p><p>".join(tip) + "</p>")
        self.update()

    def set_analysis(self, shape: Any, n_params: int, problem: str | None, warning: str | None = None) -> None:
        """Show the inferred output shape, parameter count and the node's problem (None = fine)."""
        if self.compact:
            shape_text = ""  # a neuron's output is always one number
        else:
            shape_text = ("out " + fmt_shape(shape)) if shape is not None else "out ?"
        params_text = (f"{n_params:,} parameter" + ("s" if n_params != 1 else "")) if n_params else ""
        if params_text and self.node.params.get("frozen"):
            params_text += ", frozen"  # they take part but do not learn: the count alone would say they do
        state = (shape_text, params_text, problem, warning)
        if state != (self.shape_text, self.params_text, self.problem, self.warning):
            self.shape_text, self.params_text, self.problem, self.warning = state
            self.refresh()

    def set_thumbnail(self, values: np.ndarray | None) -> None:
        """A Neuron's response over the input plane (None clears)."""
        self.thumbnail = None if values is None else response_image(values)
        self.update()

    def set_unit_thumbnails(self, images: list[np.ndarray], total: int) -> None:
        """Responses of the first units of a layer, drawn as a strip under the node (empty clears)."""
        self.prepareGeometryChange()
        self.unit_thumbnails = [response_image(v) for v in images[:style.MAX_THUMBS]]
        self.unit_count = total
        self.update()

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:  # noqa: N802
        scene = self.scene()
        if change == QGraphicsItem.ItemPositionChange and scene is not None and getattr(scene, "snapping", False):
            # snap only while the user drags; positions from the model are shown as they are
            g = style.GRID
            return QPointF(round(value.x() / g) * g, round(value.y() / g) * g)
        if change == QGraphicsItem.ItemPositionHasChanged and scene is not None:
            scene.node_moved(self)
        if change == QGraphicsItem.ItemSelectedHasChanged:
            self.update()
        return super().itemChange(change, value)

    # --- drawing ---------------------------------------------------------------------------
    def _border(self, pal: Any, color: QColor) -> QPen:
        if self.isSelected():
            return QPen(pal.highlight().color(), 2.6)
        if self.problem:
            return QPen(style.ERROR, 2.4)
        return QPen(style.mix(color, pal.base().color(), 0.25), 1.2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pal = style.palette(widget, self)
        dark = style.is_dark(pal)
        base = pal.base().color()
        text = pal.text().color()
        color = style.category_color(self.spec.category)
        w, h = self.size()
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.TextAntialiasing)
        font = QFont(painter.font())
        if self.compact:
            self._paint_neuron(painter, pal, font, color)
            return
        body = QPainterPath()
        body.addRoundedRect(QRectF(0, 0, w, h), style.RADIUS, style.RADIUS)
        # soft shadow: a few widening, fading outlines below the card
        painter.setPen(Qt.NoPen)
        for i, alpha in enumerate((38, 22, 12) if not dark else (90, 50, 25)):
            shadow = QPainterPath()
            shadow.addRoundedRect(QRectF(-i, 2 - i + 1, w + 2 * i, h + 2 * i), style.RADIUS + i, style.RADIUS + i)
            painter.fillPath(shadow, QColor(0, 0, 0, alpha))
        painter.fillPath(body, style.mix(base, color, 0.10 if dark else 0.04))
        painter.save()
        painter.setClipPath(body)
        painter.fillRect(QRectF(0, 0, w, style.HEADER), color)
        painter.restore()
        painter.setBrush(Qt.NoBrush)
        painter.setPen(self._border(pal, color))
        painter.drawPath(body)
        # header: name (and kind)
        font.setPointSizeF(style.TITLE_PT)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        badge = 18 if (self.problem or self.warning) else 0
        title = QFontMetricsF(font).elidedText(self.title(), Qt.ElideRight, w - 22 - badge)
        painter.drawText(QRectF(11, 0, w - 20 - badge, style.HEADER), Qt.AlignVCenter | Qt.AlignLeft, title)
        if badge:
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.setBrush(style.ERROR if self.problem else style.WARNING)
            painter.drawEllipse(QRectF(w - 21, 5, 14, 14))
            painter.drawText(QRectF(w - 21, 5, 14, 14), Qt.AlignCenter, "!")
        # body: key parameters (strong), shape and parameter count (muted)
        font.setBold(False)
        font.setPointSizeF(style.BODY_PT)
        fm = QFontMetricsF(font)
        muted = style.muted_text(pal)
        y = style.HEADER + 5
        key, shape_line, count = self.key_text(), self.shape_text, self.params_text
        for i, (line, pen) in enumerate(((key, text), (shape_line, muted), (count, muted))):
            if not line:
                continue
            f = QFont(font)
            f.setBold(i == 0)
            painter.setFont(f)
            if i == 1 and line == "out ?":
                pen = style.ERROR if self.problem else muted
            painter.setPen(pen)
            painter.drawText(QRectF(11, y + i * style.LINE, w - 22, style.LINE), Qt.AlignVCenter | Qt.AlignLeft,
                             fm.elidedText(line, Qt.ElideRight, w - 22))
        if self.unit_thumbnails:
            self._paint_strip(painter, pal, font, h)

    def _paint_strip(self, painter: QPainter, pal: Any, font: QFont, h: float) -> None:
        s = style.THUMB
        x = 6.0
        painter.setPen(QPen(style.muted_text(pal), 0.8))
        for img in self.unit_thumbnails:
            r = QRectF(x, h + 6, s, s)
            painter.drawImage(r, img)
            painter.drawRect(r)
            x += s + 4
        more = self.unit_count - len(self.unit_thumbnails)
        if more > 0:
            painter.setFont(font)
            painter.drawText(QRectF(x, h + 6, 40, s), Qt.AlignVCenter | Qt.AlignLeft, f"+{more}")

    def _paint_neuron(self, painter: QPainter, pal: Any, font: QFont, color: QColor) -> None:
        w, h = self.size()
        circle = QRectF(0, 0, w, h)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor(0, 0, 0, 40 if not style.is_dark(pal) else 90))
        painter.drawEllipse(circle.translated(0, 2))
        painter.setBrush(style.mix(pal.base().color(), color, 0.18))
        painter.drawEllipse(circle)
        if self.thumbnail is not None:
            clip = QPainterPath()
            clip.addEllipse(circle.adjusted(2, 2, -2, -2))
            painter.save()
            painter.setClipPath(clip)
            painter.drawImage(circle, self.thumbnail)
            painter.restore()
        else:
            painter.setPen(pal.text().color())
            act = self.node.params["activation"]
            f = QFont(font)
            f.setPointSizeF(10.5 if act == "linear" else 9)
            painter.setFont(f)
            if act == "linear":
                painter.drawText(circle, Qt.AlignCenter, "Σ")
            else:
                painter.drawText(circle.adjusted(0, 2, 0, -h / 2), Qt.AlignHCenter | Qt.AlignBottom, "Σ")
                f.setPointSizeF(6.5)
                painter.setFont(f)
                short = {"leaky_relu": "lrelu", "softplus": "splus", "softmax": "smax"}.get(act, act)
                painter.drawText(circle.adjusted(0, h / 2, 0, -4), Qt.AlignHCenter | Qt.AlignTop, short)
        painter.setBrush(Qt.NoBrush)
        painter.setPen(self._border(pal, color) if (self.isSelected() or self.problem) else QPen(color, 1.6))
        painter.drawEllipse(circle)
        if self.node.group is None:  # expanded layers are named by their frame
            f = QFont(font)
            f.setPointSizeF(7.2)
            painter.setFont(f)
            painter.setPen(style.muted_text(pal))
            name = QFontMetricsF(f).elidedText(self.node.name, Qt.ElideRight, w + 64)
            painter.drawText(QRectF(-32, h + 1, w + 64, 15), Qt.AlignHCenter | Qt.AlignTop, name)


class ShapeLabelItem(QGraphicsItem):
    """The tensor shape a wire carries, on a small rounded pill at the wire's middle."""

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self._text = ""
        self._rect = QRectF()
        self.font = QFont()
        self.font.setPointSizeF(7.4)
        self.setZValue(1)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - mirrors QGraphicsSimpleTextItem
        self.prepareGeometryChange()
        self._text = text
        w = QFontMetricsF(self.font).horizontalAdvance(text) + 10
        self._rect = QRectF(-w / 2, -8, w, 16)  # asked for on every paint of the scene: measure once
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not self._text:
            return
        pal = style.palette(widget, self)
        r = self.boundingRect()
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(style.wire_color(pal), 0.8))
        painter.setBrush(pal.base().color())
        painter.drawRoundedRect(r, 8, 8)
        painter.setFont(self.font)
        painter.setPen(style.muted_text(pal))
        painter.drawText(r, Qt.AlignCenter, self._text)


def wire_path(a: QPointF, b: QPointF) -> QPainterPath:
    """A smooth S-shaped wire from an output at ``a`` to an input at ``b``."""
    dx = max(50.0, abs(b.x() - a.x()) * 0.5)
    path = QPainterPath(a)
    path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b)
    return path


class EdgeItem(QGraphicsItem):
    """A wire from an output port to an input port, labelled with the tensor shape it carries.

    With weights set (neuron view, during training), width and colour show the
    weight's size and sign: orange positive, blue negative.
    """

    def __init__(self, edge_id: str, src: NodeItem, dst: NodeItem) -> None:
        super().__init__()
        self.edge_id = edge_id
        self.src = src
        self.dst = dst
        self.weight: float | None = None
        self._pen_width = 2.0
        self._pen_color: QColor | None = None
        self._path = QPainterPath()
        self._shape = QPainterPath()
        self.label = ShapeLabelItem(self)
        self.setZValue(0)
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setToolTip("A wire - click to select it, Delete removes it")
        self.update_path()

    def path(self) -> QPainterPath:
        return self._path

    def pen(self) -> QPen:
        """The pen the wire is drawn with (its width shows a weight's size once weights are set)."""
        return QPen(self._pen_color or style.wire_color(style.palette(None, self)), self._pen_width)

    def set_label(self, text: str) -> None:
        self.label.setText(text)
        self.update_path()

    def set_weight(self, weight: float | None, scale: float = 1.0) -> None:
        """Show one weight (``scale`` = the largest magnitude on screen); None = a plain wire."""
        self.weight = weight
        if weight is None or not np.isfinite(weight):
            self._pen_width, self._pen_color = 2.0, None
            self.setToolTip("A wire - click to select it, Delete removes it")
        else:
            mag = min(1.0, abs(weight) / scale) if scale > 0 else 0.0
            color = QColor(style.POSITIVE if weight >= 0 else style.NEGATIVE)
            color.setAlphaF(0.30 + 0.70 * mag)
            self._pen_width, self._pen_color = 0.6 + 5.4 * mag, color
            self.setToolTip(f"weight {weight:+.4g}")
        self.update()

    def update_path(self) -> None:
        """Follow the ports after a node moved."""
        a = self.src.out_port.scenePos() if self.src.out_port else self.src.scenePos()
        b = self.dst.in_port.scenePos() if self.dst.in_port else self.dst.scenePos()
        self.prepareGeometryChange()
        self._path = wire_path(a, b)
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        self._shape = stroker.createStroke(self._path)
        self._bounds = self._shape.boundingRect().adjusted(-4, -4, 4, 4)
        scene = self.scene()
        if scene is not None:
            scene.wire_overview.invalidate()
        mid = self._path.pointAtPercent(0.5)
        self.label.setPos(mid)
        self.label.setVisible(bool(self.label.text()) and not (self.src.compact or self.dst.compact))

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pal = style.palette(widget, self)
        painter.setRenderHint(QPainter.Antialiasing)
        color = self._pen_color or style.wire_color(pal)
        width = self._pen_width
        if option.state & QStyle.State_Selected:
            color, width = pal.highlight().color(), max(width, 3.0)
        pen = QPen(color, width)
        pen.setCapStyle(Qt.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self._path)


class WireOverviewItem(QGraphicsItem):
    """Every wire as one path, drawn instead of the wire items when the canvas is zoomed far out.

    A thousand wire items cost a thousand Python paint calls per frame; one path costs one.
    """

    def __init__(self, edge_items: dict[str, "EdgeItem"]) -> None:
        super().__init__()
        self.edge_items = edge_items
        self._path: QPainterPath | None = QPainterPath()
        self._rect = QRectF()
        self.setZValue(0)
        self.setVisible(False)

    def invalidate(self) -> None:
        if self._path is not None and self.isVisible():
            self.prepareGeometryChange()
        self._path = None

    def _built(self) -> QPainterPath:
        if self._path is None:
            path = QPainterPath()
            for item in self.edge_items.values():
                path.addPath(item.path())
            self._path = path
            self._rect = path.boundingRect().adjusted(-4, -4, 4, 4)
        return self._path

    def boundingRect(self) -> QRectF:  # noqa: N802
        self._built()
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pen = QPen(style.wire_color(style.palette(widget, self)), 1.0)
        pen.setCosmetic(True)  # one pixel wide whatever the zoom
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self._built())


class WireItem(QGraphicsItem):
    """The wire following the mouse while the user draws or moves one."""

    def __init__(self) -> None:
        super().__init__()
        self._path = QPainterPath()
        self.refused = False
        self.setZValue(5)

    def set_ends(self, a: QPointF, b: QPointF) -> None:
        self.prepareGeometryChange()
        self._path = wire_path(a, b)
        self.update()

    def set_refused(self, refused: bool) -> None:
        if refused != self.refused:
            self.refused = refused
            self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._path.boundingRect().adjusted(-4, -4, 4, 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pal = style.palette(widget, self)
        painter.setRenderHint(QPainter.Antialiasing)
        pen = QPen(style.ERROR if self.refused else pal.highlight().color(), 2.5, Qt.DashLine)
        pen.setCapStyle(Qt.RoundCap)
        painter.setPen(pen)
        painter.drawPath(self._path)


class GroupFrameItem(QGraphicsItem):
    """A dashed frame around the neurons of an expanded layer, captioned with the layer's name."""

    def __init__(self, group_id: str, caption: str) -> None:
        super().__init__()
        self.group_id = group_id
        self.caption = caption
        self._rect = QRectF()
        self._members = QRectF()
        self.setZValue(-1)
        self.setToolTip("The neurons of an expanded Dense layer. Click the caption to select them all; "
                        "Collapse turns them back into one layer.")

    def set_caption(self, caption: str) -> None:
        if caption != self.caption:
            self.caption = caption
            self.set_rect(self._members)

    def set_rect(self, rect: QRectF) -> None:
        """Frame ``rect`` (the neurons' bodies), wide enough for the caption."""
        self.prepareGeometryChange()
        self._members = QRectF(rect)
        f = QFont()
        f.setPointSizeF(8.0)
        f.setBold(True)
        need = QFontMetricsF(f).horizontalAdvance(self.caption) + 28
        grow = max(0.0, (need - rect.width() - 32) / 2)
        self._rect = rect.adjusted(-16 - grow, -30, 16 + grow, 12)
        self.update()

    def caption_rect(self) -> QRectF:
        return QRectF(self._rect.left(), self._rect.top(), self._rect.width(), 24)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect.adjusted(-2, -2, 2, 2)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.caption_rect())  # only the caption takes clicks; wires inside stay reachable
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pal = style.palette(widget, self)
        color = style.category_color("Neurons & layers")
        painter.setRenderHint(QPainter.Antialiasing)
        fill = QColor(color)
        fill.setAlpha(22 if not style.is_dark(pal) else 40)
        pen = QPen(style.mix(color, pal.base().color(), 0.3), 1.3, Qt.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(self._rect, 12, 12)
        f = QFont(painter.font())
        f.setPointSizeF(8.0)
        f.setBold(True)
        painter.setFont(f)
        painter.setPen(pal.text().color())
        text = QFontMetricsF(f).elidedText(self.caption, Qt.ElideRight, self._rect.width() - 16)
        painter.drawText(self.caption_rect().adjusted(10, 0, -6, 0), Qt.AlignVCenter | Qt.AlignLeft, text)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        scene = self.scene()
        if scene is not None and hasattr(scene, "select_group"):
            scene.select_group(self.group_id, additive=bool(event.modifiers() & Qt.ControlModifier))
            event.accept()
        else:
            super().mousePressEvent(event)


class MessageItem(QGraphicsObject):
    """A short message on the canvas (why a wire was refused...), fading away after a few seconds."""

    def __init__(self, timeout_ms: int = 4500) -> None:
        super().__init__()
        self._text = ""
        self.font = QFont()
        self.font.setPointSizeF(9)
        self.setFlag(QGraphicsItem.ItemIgnoresTransformations)  # readable at any zoom
        self.setZValue(100)
        self.setVisible(False)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.hide)

    def text(self) -> str:
        return self._text

    def show_text(self, text: str, at: QPointF) -> None:
        self.prepareGeometryChange()
        self._text = text
        self.setPos(at)
        self.setVisible(True)
        self.update()
        self._timer.start()

    def boundingRect(self) -> QRectF:  # noqa: N802
        fm = QFontMetricsF(self.font)
        r = fm.boundingRect(QRectF(0, 0, 340, 1000), Qt.TextWordWrap, self._text)
        return QRectF(12, 12, r.width() + 24, r.height() + 14)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pal = style.palette(widget, self)
        r = self.boundingRect()
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(style.ERROR, 1.2))
        painter.setBrush(pal.toolTipBase().color())
        painter.drawRoundedRect(r, 7, 7)
        painter.setBrush(style.ERROR)
        painter.setPen(Qt.NoPen)
        painter.drawRoundedRect(QRectF(r.left(), r.top(), 4, r.height()), 2, 2)
        painter.setFont(self.font)
        painter.setPen(pal.toolTipText().color())
        painter.drawText(r.adjusted(14, 7, -10, -7), Qt.TextWordWrap | Qt.AlignLeft | Qt.AlignVCenter, self._text)
