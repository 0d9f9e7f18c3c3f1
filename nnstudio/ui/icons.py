"""Icons drawn from small SVG files in nnstudio/resources/icons (crisp at any DPI, readable in either theme).

The SVGs use dark, saturated colours that read well on a light window. An icon
is drawn when it is painted, in the theme of that moment: on a dark window
every colour is lightened until it stands out, so the toolbar and the palette
follow View > Theme without being rebuilt.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from nnstudio.ui.canvas.style import category_color

_SLUGS = {"Inputs": "inputs", "Neurons & layers": "layers", "Activations": "activations",
          "Regularization": "regularization", "Merge": "merge", "Convolution": "convolution", "Outputs": "outputs"}
#: the lightness (HSL, 0-1) every icon colour is raised to at least on a dark window
DARK_MIN_LIGHTNESS = 0.62
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def _path(name: str) -> str:
    return str(resources.files("nnstudio.resources").joinpath(f"icons/{name}.svg"))


def app_icon() -> QIcon:
    """The application's own icon (the same SVG the installers ship)."""
    return QIcon(_path("nnstudio"))


def lighten(hex_colour: str, minimum: float = DARK_MIN_LIGHTNESS) -> str:
    """The same hue, at least ``minimum`` light: readable on a dark background."""
    c = QColor(hex_colour)
    h, s, lightness, a = c.getHslF()
    if lightness >= minimum:
        return c.name()
    return QColor.fromHslF(max(h, 0.0), s, minimum, a).name()


def dark_svg(svg: str) -> str:
    return _HEX.sub(lambda m: lighten(m.group(0)), svg)


def theme_is_dark() -> bool:
    app = QApplication.instance()
    return app is not None and QApplication.palette().color(QPalette.Window).lightness() < 128


@lru_cache(maxsize=None)
def _renderer(name: str, dark: bool) -> QSvgRenderer:
    with open(_path(name), encoding="utf-8") as f:
        svg = f.read()
    return QSvgRenderer(QByteArray((dark_svg(svg) if dark else svg).encode()))


class ThemedSvgIconEngine(QIconEngine):
    """Renders one SVG in the current theme's colours at whatever size is asked."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.save()
        if mode == QIcon.Disabled:
            painter.setOpacity(0.35)
        _renderer(self.name, theme_is_dark()).render(painter, QRectF(rect))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pm = QPixmap(size)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        self.paint(p, QRect(QPoint(0, 0), size), mode, state)
        p.end()
        return pm

    def clone(self) -> QIconEngine:
        return ThemedSvgIconEngine(self.name)


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    return QIcon(ThemedSvgIconEngine(name))


@lru_cache(maxsize=None)
def category_icon(category: str) -> QIcon:
    return icon(_SLUGS.get(category, "layers"))


def category_hex(category: str) -> str:
    return category_color(category).name()
