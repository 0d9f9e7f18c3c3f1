"""The window's dock arrangement: the default one (View > Reset layout), and remembering the user's.

Default, sized for 1280x800 and up: on the left the layer palette and the inspector (two tabs;
selecting a node on the canvas brings the inspector forward) over a view slot for training over time
(loss curves, gradients, runs); the canvas in the middle, full height, so a fitted example reads at
9 pt; on the right the data (form and preview) over a view slot for what the network answers
(decision surface, filters, confusion...). Problems start
folded into the status bar (see ProblemsIndicator).
The left and right columns own the corners, so a dock opened at the bottom sits under the canvas only.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QComboBox, QDockWidget, QTabWidget, QToolBar, QVBoxLayout, QWidget

from nnstudio.ui.plots import catalog

#: bump when the default arrangement changes: a layout saved by an older version is then ignored
LAYOUT_VERSION = 2
STATE_KEY = "layout/state"
GEOMETRY_KEY = "layout/geometry"
LEFT_WIDTH = 250
DATA_HEIGHT = 460


def compact_combos(panel: QWidget, chars: int = 18) -> None:
    """Let the combo boxes of ``panel`` be narrower than their longest entry (which they elide)."""
    for combo in panel.findChildren(QComboBox):
        combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(chars)


class _NoHeightForWidthLayout(QVBoxLayout):
    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return False


def scroll_host(panel: QWidget) -> QWidget:
    """``panel`` in a host a QScrollArea sizes by its *minimum* height.

    A word-wrapped label makes a layout height-for-width; QScrollArea then gives the panel its
    preferred height (the data preview's 400 px and more) and the preview went below the fold.
    """
    host = QWidget()
    lay = _NoHeightForWidthLayout(host)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(panel)
    return host


def left_width(window_width: int) -> int:
    """The left column: a fifth of the window, 250..300 px."""
    return max(LEFT_WIDTH, min(300, window_width // 5))


def right_width(window_width: int) -> int:
    """The right column: a third of the window, 400..520 px."""
    return max(400, min(520, window_width // 3))


def slots(window: Any) -> tuple[list[QDockWidget], list[QDockWidget]]:
    """The two view slots: views about training over time, views of the network and its answers.

    Both come from the one list of views, nnstudio/ui/plots/catalog.py.
    """
    upper, lower = catalog.slot_docks(window)
    return upper, lower


def all_docks(window: Any) -> list[QDockWidget]:
    upper, lower = slots(window)
    return [window.palette_dock, window.inspector_dock, window.data_dock, window.problems_dock, *upper, *lower]


def arrange_default(window: Any) -> None:
    """Put every dock where a fresh install has it (sizes follow in :func:`size_default`)."""
    w = window
    upper, lower = slots(w)
    for d in all_docks(w):
        d.setFloating(False)
        w.removeDockWidget(d)
    w.setCorner(Qt.TopLeftCorner, Qt.LeftDockWidgetArea)
    w.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
    w.setCorner(Qt.TopRightCorner, Qt.RightDockWidgetArea)
    w.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
    w.setTabPosition(Qt.LeftDockWidgetArea, QTabWidget.North)  # "Layers | Inspector" read as tabs above
    w.addDockWidget(Qt.LeftDockWidgetArea, w.palette_dock)
    # split first, tabify after: splitting next to a tabbed dock would only add another tab
    w.splitDockWidget(w.palette_dock, upper[0], Qt.Vertical)
    w.tabifyDockWidget(w.palette_dock, w.inspector_dock)
    w.addDockWidget(Qt.RightDockWidgetArea, w.data_dock)
    w.splitDockWidget(w.data_dock, lower[0], Qt.Vertical)
    for slot in (upper, lower):
        for d in slot[1:]:
            w.tabifyDockWidget(slot[0], d)
    w.addDockWidget(Qt.BottomDockWidgetArea, w.problems_dock)
    for d in all_docks(w):
        d.setVisible(d in (w.palette_dock, w.inspector_dock, w.data_dock, upper[0], lower[0]))
    w.palette_dock.raise_()


def size_default(window: Any) -> None:
    """Column widths and heights of the default arrangement, for the window's present size."""
    w = window
    upper, lower = slots(w)
    # the height the docks share: the window less its menu bar, toolbar and status bar
    bars = w.menuBar().height() + w.statusBar().height() + sum(
        t.height() for t in w.findChildren(QToolBar) if t.isVisible() and not t.isFloating())
    height = max(400, w.height() - bars)
    w.resizeDocks([w.palette_dock, w.data_dock], [left_width(w.width()), right_width(w.width())], Qt.Horizontal)
    w.resizeDocks([w.palette_dock, upper[0]], [int(height * 0.6), height - int(height * 0.6)], Qt.Vertical)
    # the data form and its preview need DATA_HEIGHT; the view slot below has the rest
    data = max(DATA_HEIGHT, int(height * 0.55))
    w.resizeDocks([w.data_dock, lower[0]], [data, height - data], Qt.Vertical)


def save_layout(window: Any, settings: Any) -> None:
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
    settings.setValue(STATE_KEY, window.saveState(LAYOUT_VERSION))


def restore_layout(window: Any, settings: Any) -> bool:
    """Restore the saved geometry and docks; False (default layout kept) if none or of another version."""
    geo = settings.value(GEOMETRY_KEY)
    if isinstance(geo, QByteArray):
        window.restoreGeometry(geo)
    state = settings.value(STATE_KEY)
    return isinstance(state, QByteArray) and bool(window.restoreState(state, LAYOUT_VERSION))


def suited_view(window: Any, dataset: Any, graph: Any = None) -> None:
    """After a data change: each slot shows a view that applies (a 2-D problem its decision surface,
    other data the layer's weights; see catalog.View.applies and auto).

    Only a slot still showing a view chosen automatically, or one that no longer applies, is switched;
    a view the user picked and that still applies stays.
    """
    w = window
    if dataset is None:
        return
    if graph is None:
        graph = getattr(getattr(w, "project", None), "graph", None)
    for slot in slots(w):
        shown = [d for d in slot if d.isVisible() and not d.isFloating()]
        if len(shown) != 1:
            continue
        want = catalog.suited(w, slot, shown[0], dataset, graph)
        if want is not shown[0]:
            w.view_picker.show_view(want)
