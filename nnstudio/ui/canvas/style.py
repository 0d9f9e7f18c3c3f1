"""Colours and sizes of the canvas. Text and backgrounds come from the widget palette (light and dark)."""
from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

CATEGORY_COLORS = {
    "Inputs": "#2e7d32",
    "Neurons & layers": "#1565c0",
    "Activations": "#ef6c00",
    "Regularization": "#6a1b9a",
    "Merge": "#00838f",
    "Convolution": "#5d4037",
    "Outputs": "#c62828",
}
ERROR = QColor("#e53935")
WARNING = QColor("#f9a825")
POSITIVE = QColor("#f57c00")  # weight colours as in TensorFlow Playground: orange +, blue -
NEGATIVE = QColor("#1e88e5")
ACCEPT = QColor("#43a047")

GRID = 20.0
#: below this zoom the canvas is an overview: no grid dots, ports or shape labels, wires drawn as one path
OVERVIEW_ZOOM = 0.45
NODE_WIDTH = 180.0
NODE_HEIGHT = 80.0  # layout.py lays columns out for this height
HEADER = 24.0
LINE = 15.0
RADIUS = 9.0
PORT_RADIUS = 6.0
NEURON_SIZE = 40.0
#: point sizes of a layer's title and body lines at 100% zoom; the window never fits a network
#: smaller than READABLE_PT on screen (see GraphView.fit)
TITLE_PT = 9.4
BODY_PT = 9.0
READABLE_PT = 9.0
THUMB = 30.0  # thumbnails of unit responses on layer nodes
MAX_THUMBS = 5


def category_color(category: str) -> QColor:
    """The colour of a node category (header band, neuron fill)."""
    return QColor(CATEGORY_COLORS.get(category, "#546e7a"))


def palette(widget: object = None, item: object = None) -> QPalette:
    """The palette to draw with: the widget's, else the item's scene's, else the application's.

    Cached items are painted without a widget, so the view copies its palette
    to the scene (see ``GraphView``) and items fall back to that.
    """
    if widget is not None and hasattr(widget, "palette"):
        return widget.palette()  # type: ignore[no-any-return]
    scene = item.scene() if item is not None and hasattr(item, "scene") else None
    if scene is not None:
        return scene.palette()  # type: ignore[no-any-return]
    return QGuiApplication.palette()


def is_dark(pal: QPalette) -> bool:
    return pal.base().color().lightnessF() < 0.5


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` blended towards ``b`` by ``t`` (0..1)."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t, 1.0)


def wire_color(pal: QPalette) -> QColor:
    """Plain wires: between text and background, readable in both themes."""
    return mix(pal.text().color(), pal.base().color(), 0.55)


def muted_text(pal: QPalette) -> QColor:
    return mix(pal.text().color(), pal.base().color(), 0.35)
