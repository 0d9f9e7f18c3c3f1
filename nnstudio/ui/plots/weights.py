"""Weight matrices as images; first-layer filters of image networks as tiles."""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QLabel

from nnstudio.ui.plots.base import PlotDock, background_is_dark, diverging_lut, fill_combo


def tile(filters: np.ndarray, pad: int = 1) -> np.ndarray:
    """(n, h, w) -> one image of tiles in a near-square grid, NaN between tiles."""
    n, h, w = filters.shape
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    out = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), np.nan)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = filters[i]
    return out


class WeightsDock(PlotDock):
    title = "Weights"
    help_text = ("The chosen layer's weights: orange positive, blue negative, grey near zero. For a first "
                 "layer that looks at an image, each tile is one filter (or one unit's weights laid out as the "
                 "image): after training they look like strokes and edges - the features the network found.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.layer = QComboBox()
        self.controls.addWidget(QLabel("layer"))
        self.controls.addWidget(self.layer)
        self.view = pg.PlotWidget()
        self.view.setAspectLocked(True)
        self.view.invertY(True)
        self.image = pg.ImageItem()
        self.lut_dark = background_is_dark()
        self.image.setLookupTable(diverging_lut(self.lut_dark))
        self.view.addItem(self.image)
        self.body.addWidget(self.view)
        self.input_shape: tuple[int, ...] | None = None
        self.tiles = 0
        self.layer.currentIndexChanged.connect(lambda _i: self.snapshot and self.draw(self.snapshot))

    def set_input_shape(self, shape: tuple[int, ...] | None) -> None:
        self.input_shape = tuple(shape) if shape else None

    def needs(self) -> dict[str, Any]:
        return {"params": True}

    def draw(self, s: Any) -> None:
        if s.params is None:
            return
        ids = [nid for nid, t in s.params.items() if "weight" in t and np.ndim(t["weight"]) in (2, 4)]
        names = {layer.node_id: layer.name for layer in s.layers}
        fill_combo(self.layer, [(names.get(nid, nid), nid) for nid in ids])
        nid = self.layer.currentData()
        if nid is None:
            return
        w = np.asarray(s.params[nid]["weight"], dtype=np.float64)
        if w.ndim == 4:  # conv filters: one tile per (output channel), channels averaged
            img = tile(w.mean(axis=1))
            self.tiles = w.shape[0]
        elif self.input_shape and len(self.input_shape) == 3 and w.shape[1] == int(np.prod(self.input_shape)):
            c, h, ww = self.input_shape
            img = tile(w.reshape(w.shape[0], c, h, ww).mean(axis=1)[:64])
            self.tiles = min(64, w.shape[0])
        else:
            img = w
            self.tiles = 0
        m = float(np.nanmax(np.abs(img))) or 1.0
        if background_is_dark() != self.lut_dark:  # the theme changed since the last picture
            self.lut_dark = not self.lut_dark
            self.image.setLookupTable(diverging_lut(self.lut_dark))
        reshaped = self.image.image is None or self.image.image.shape != img.shape
        self.image.setImage(np.nan_to_num(img, nan=0.0), levels=(-m, m))
        if reshaped:
            # tiles are pictures, their pixel numbers mean nothing; a matrix has units and inputs
            plot = self.view.getPlotItem()
            plot.setLabel("left", "unit (output)")
            plot.setLabel("bottom", "input")
            for axis in ("left", "bottom"):  # after setLabel, which shows the axis again
                plot.showAxis(axis, self.tiles == 0)
            self.view.autoRange(padding=0.02)
