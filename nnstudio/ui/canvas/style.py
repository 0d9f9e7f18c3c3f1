"""Colours and sizes of the canvas, per node category."""
from __future__ import annotations

from PySide6.QtGui import QColor

CATEGORY_COLORS = {
    "Inputs": QColor("#2e7d32"),
    "Neurons & layers": QColor("#1565c0"),
    "Activations": QColor("#ef6c00"),
    "Regularization": QColor("#6a1b9a"),
    "Merge": QColor("#00838f"),
    "Convolution": QColor("#4e342e"),
    "Outputs": QColor("#c62828"),
}
ERROR = QColor("#e53935")
NODE_WIDTH = 176.0
HEADER = 24.0
LINE = 16.0
PORT_RADIUS = 6.0
GRID = 20.0
NEURON_SIZE = 44.0


def category_color(category: str) -> QColor:
    return CATEGORY_COLORS.get(category, QColor("#546e7a"))
