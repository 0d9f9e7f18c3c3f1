"""Choosing the live views by name: each view dock's title is a button that lists every view.

Nine views tabbed into one dock area read "De... Gradi... W... C..." at laptop widths. Instead the
views live in two *slots* (a tab group each, one view visible at a time, so no tab bar appears) and
every slot's title bar is a :class:`ViewPickerButton`: the full name and icon of the view shown,
and a menu of all views, each with its icon, full name and what it shows. Choosing a view shows it
in its home slot and hides the one it replaces there.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QMenu, QStyle, QToolButton, QWidget

from nnstudio.ui.plots import catalog

ICON_PX = 20
_BLUE, _ORANGE, _GREEN, _GREY = QColor("#1e88e5"), QColor("#fb8c00"), QColor("#43a047"), QColor("#78909c")


def _draw_icon(kind: str, p: QPainter, s: float) -> None:
    """A small picture of what the view draws (line, surface, bars...); ``s`` is the side in pixels."""
    p.setRenderHint(QPainter.Antialiasing)
    pen = QPen(_BLUE, s / 10)
    if kind == "curves":
        path = QPainterPath(QPointF(s * 0.1, s * 0.15))
        path.cubicTo(QPointF(s * 0.3, s * 0.8), QPointF(s * 0.5, s * 0.8), QPointF(s * 0.9, s * 0.85))
        p.setPen(pen)
        p.drawPath(path)
        p.setPen(QPen(_ORANGE, s / 12, Qt.DashLine))
        p.drawLine(QPointF(s * 0.1, s * 0.35), QPointF(s * 0.9, s * 0.6))
    elif kind == "decision":
        p.fillRect(QRectF(0, 0, s, s), _BLUE.lighter(150))
        tri = QPainterPath(QPointF(s, 0))
        tri.lineTo(QPointF(s, s))
        tri.lineTo(QPointF(0, s))
        tri.closeSubpath()
        p.fillPath(tri, _ORANGE.lighter(130))
        for x, y, c in ((0.25, 0.3, _BLUE), (0.45, 0.2, _BLUE), (0.7, 0.75, _ORANGE), (0.8, 0.55, _ORANGE)):
            p.setPen(QPen(QColor("white"), s / 20))
            p.setBrush(c)
            p.drawEllipse(QPointF(s * x, s * y), s * 0.09, s * 0.09)
    elif kind == "bars":
        for i, h in enumerate((0.25, 0.5, 0.85)):
            p.fillRect(QRectF(s * (0.1 + 0.3 * i), s * (1 - h), s * 0.22, s * h), _BLUE)
    elif kind == "heat":
        for i in range(4):
            for j in range(4):
                c = QColor(_BLUE)
                c.setAlphaF(0.2 + 0.8 * abs(((i * 3 + j * 5) % 7) / 6.0 - 0.5) * 2)
                p.fillRect(QRectF(s * j / 4, s * i / 4, s / 4 - 1, s / 4 - 1), c)
    elif kind == "bell":
        path = QPainterPath(QPointF(0, s * 0.9))
        path.cubicTo(QPointF(s * 0.35, s * 0.9), QPointF(s * 0.35, s * 0.1), QPointF(s * 0.5, s * 0.1))
        path.cubicTo(QPointF(s * 0.65, s * 0.1), QPointF(s * 0.65, s * 0.9), QPointF(s, s * 0.9))
        p.setPen(pen)
        p.drawPath(path)
    elif kind == "tiles":
        for i in range(2):
            for j in range(2):
                p.fillRect(QRectF(s * (0.05 + 0.5 * j), s * (0.05 + 0.5 * i), s * 0.4, s * 0.4),
                           QColor(40 + 60 * (i + j), 40 + 50 * (i + j), 40 + 70 * i))
    elif kind == "matrix":
        for i in range(3):
            for j in range(3):
                p.fillRect(QRectF(s * j / 3, s * i / 3, s / 3 - 1, s / 3 - 1),
                           _BLUE if i == j else _BLUE.lighter(185))
    elif kind == "scatter":
        for x, y, c in ((0.2, 0.3, _BLUE), (0.3, 0.2, _BLUE), (0.25, 0.42, _BLUE), (0.7, 0.7, _ORANGE),
                        (0.8, 0.6, _ORANGE), (0.65, 0.82, _ORANGE), (0.75, 0.2, _GREEN), (0.85, 0.3, _GREEN)):
            p.setPen(Qt.NoPen)
            p.setBrush(c)
            p.drawEllipse(QPointF(s * x, s * y), s * 0.08, s * 0.08)
    elif kind == "maps":
        p.fillRect(QRectF(0, s * 0.25, s * 0.4, s * 0.5), _GREY)
        for i in range(3):
            p.fillRect(QRectF(s * 0.5, s * (0.02 + 0.33 * i), s * 0.28, s * 0.28), QColor(230, 120 + 40 * i, 40))
    else:  # runs: a small table
        p.setPen(QPen(_GREY, s / 12))
        for i in range(4):
            p.drawLine(QPointF(s * 0.1, s * (0.15 + 0.23 * i)), QPointF(s * 0.9, s * (0.15 + 0.23 * i)))
        p.setPen(QPen(_BLUE, s / 10))
        p.drawLine(QPointF(s * 0.1, s * 0.38), QPointF(s * 0.9, s * 0.38))


def view_icon(kind: str) -> QIcon:
    """The icon of a view kind (see :data:`VIEW_ICONS`), drawn at two resolutions."""
    out = QIcon()
    for px in (ICON_PX, 2 * ICON_PX):
        pix = QPixmap(px, px)
        pix.fill(Qt.transparent)
        painter = QPainter(pix)
        _draw_icon(kind, painter, float(px))
        painter.end()
        out.addPixmap(pix)
    return out


#: icon kind per dock object name, from the one list of views
VIEW_ICONS = {v.cls.__name__: v.icon for v in catalog.VIEWS}


def first_sentence(text: str) -> str:
    head = text.split(". ")[0].strip()
    return head if head.endswith(".") or not head else head + "."


class ViewPickerButton(QToolButton):
    """The title bar of a view dock: its icon and full name; a click lists every view to choose from."""

    def __init__(self, dock: QDockWidget, picker: "ViewPicker") -> None:
        super().__init__(dock)
        self.dock = dock
        self.picker = picker
        self.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.setPopupMode(QToolButton.InstantPopup)
        self.setAutoRaise(True)
        self.setIconSize(QSize(ICON_PX, ICON_PX))
        self.setText(dock.windowTitle())  # the popup arrow beside it says it opens a list
        self.setIcon(view_icon(VIEW_ICONS.get(dock.objectName(), "runs")))
        self.setToolTip("Choose the view shown here: every live view, by name")
        self.setMenu(QMenu(self))
        self.menu().aboutToShow.connect(self._fill)
        self.setObjectName(f"{dock.objectName()}Picker")
        # no style sheet: a styled button keeps the palette it was polished with (dark theme: dark on dark)
        font = self.font()
        font.setBold(True)
        self.setFont(font)

    def _fill(self) -> None:
        menu = self.menu()
        menu.clear()
        menu.setToolTipsVisible(True)
        for view in self.picker.applicable():
            a = menu.addAction(view_icon(VIEW_ICONS.get(view.objectName(), "runs")), view.windowTitle())
            a.setCheckable(True)
            a.setChecked(view.isVisible())
            a.setToolTip(first_sentence(view.toolTip() or ""))
            a.triggered.connect(lambda _c=False, v=view: self.picker.show_view(v))


class PickerTitleBar(QWidget):
    """Picker button on the left, a float/dock button on the right."""

    def __init__(self, dock: QDockWidget, picker: "ViewPicker") -> None:
        super().__init__(dock)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 0, 2, 0)
        lay.setSpacing(2)
        self.button = ViewPickerButton(dock, picker)
        lay.addWidget(self.button)
        lay.addStretch(1)
        float_button = QToolButton(self)
        float_button.setAutoRaise(True)
        float_button.setIcon(self.style().standardIcon(QStyle.SP_TitleBarNormalButton))
        float_button.setToolTip("Detach this view into its own window (double-click its title to put it back)")
        float_button.clicked.connect(lambda: dock.setFloating(not dock.isFloating()))
        lay.addWidget(float_button)


class ViewPicker:
    """Keeps the view docks in their slots, one visible per slot, and shows the one asked for.

    ``slots`` are lists of docks; the first of each is shown at first. Docks of one slot are
    tabified together; only one of them is visible, so the slot shows no tab bar, only the picker.
    """

    def __init__(self, window: Any, slots: Sequence[Sequence[QDockWidget]],
                 applies: Callable[[QDockWidget], bool] | None = None) -> None:
        self.window = window
        #: whether a view means something for the present data and network (the menu lists only those)
        self.applies = applies or (lambda dock: True)
        self.slots = [list(s) for s in slots]
        self.views = [d for s in self.slots for d in s]
        for dock in self.views:
            dock.setTitleBarWidget(PickerTitleBar(dock, self))
            # View > (a view's name) shows it in its slot too, instead of adding a tab beside the one there
            dock.toggleViewAction().triggered.connect(lambda checked, d=dock: checked and self.show_view(d))

    def applicable(self) -> list[QDockWidget]:
        """The views that apply now, in slot order (always those shown too)."""
        return [d for d in self.views if d.isVisible() or self.applies(d)]

    def slot_of(self, dock: QDockWidget) -> list[QDockWidget]:
        return next(s for s in self.slots if dock in s)

    def show_view(self, dock: QDockWidget) -> None:
        """Show ``dock`` in its slot (docked there), hiding the slot's other views."""
        for other in self.slot_of(dock):
            if other is not dock and not other.isFloating():
                other.hide()
        dock.show()
        dock.raise_()

    def shown(self) -> list[QDockWidget]:
        """The views visible now, in slot order."""
        return [d for d in self.views if d.isVisible()]

