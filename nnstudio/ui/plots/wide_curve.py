"""A curve about two pixels wide that paints as fast as a one-pixel one (shared by the plot docks)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QTransform

# A two-pixel line as three one-pixel strokes, one pixel apart (right, down): Qt strokes an
# antialiased pen wider than one pixel as a filled outline, 20-25 ms a paint for a thousand points
# (most of the window's event-loop lateness while training); a one-pixel stroke takes ~0.3 ms.
WIDE_OFFSETS = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0))


class WideCurveItem(pg.PlotCurveItem):
    """A curve drawn about two pixels wide with one-pixel strokes (see WIDE_OFFSETS); the data it is
    given is drawn as it is (the dock decimates it), in log10 when the plot's y axis is logarithmic."""

    def __init__(self, pen: Any) -> None:
        super().__init__(pen=pen)
        self.log_y = False
        self.raw: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))

    def show_data(self, x: np.ndarray, y: np.ndarray) -> None:
        self.raw = (x, y)
        if self.log_y:
            ok = y > 0
            x, y = x[ok], np.log10(y[ok])
        self.setData(x, y)

    def getData(self) -> tuple[Any, Any]:  # noqa: N802 (pyqtgraph's name)
        """Like PlotDataItem's: (None, None) while the curve has no points."""
        x, y = super().getData()
        return (None, None) if x is None or len(x) == 0 else (x, y)

    def setLogMode(self, x: bool, y: bool) -> None:  # noqa: N802 (PlotItem.setLogMode calls it)
        if bool(y) != self.log_y:
            self.log_y = bool(y)
            self.show_data(*self.raw)

    def paint(self, p: Any, opt: Any, widget: Any) -> None:
        world = p.transform()
        for dx, dy in WIDE_OFFSETS:  # offsets in the widget's pixels, whatever the zoom
            p.setTransform(world * QTransform.fromTranslate(dx, dy))
            super().paint(p, opt, widget)
        p.setTransform(world)
