"""Icons drawn from small SVG files in nnstudio/resources/icons (crisp at any DPI)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from PySide6.QtGui import QIcon

from nnstudio.ui.canvas.style import category_color

_SLUGS = {"Inputs": "inputs", "Neurons & layers": "layers", "Activations": "activations",
          "Regularization": "regularization", "Merge": "merge", "Convolution": "convolution", "Outputs": "outputs"}


def _path(name: str) -> str:
    return str(resources.files("nnstudio.resources").joinpath(f"icons/{name}.svg"))


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    return QIcon(_path(name))


@lru_cache(maxsize=None)
def category_icon(category: str) -> QIcon:
    return icon(_SLUGS.get(category, "layers"))


def category_hex(category: str) -> str:
    return category_color(category).name()
