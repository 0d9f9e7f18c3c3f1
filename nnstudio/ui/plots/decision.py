"""The decision surface over the input plane, with the training and validation points."""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel

from nnstudio.ui.plots.base import CLASS_COLORS, PlotDock

_RGB = np.array([[int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)] for c in CLASS_COLORS], dtype=np.float64)
RESOLUTION = 64
WIDEN = 0.5  # show half the data's extent again on every side: how does the net extrapolate?
#: the most a surface colour covers the background: points drawn in the full class colour stay visible on it
MAX_STRENGTH = 0.75
REGRESSION_MAP = "viridis"


def confidence_image(probs: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    """(H, W, k) class probabilities -> (H, W, 3) uint8, as TensorFlow Playground draws it.

    The hue is the colour of the class the network picks; how far it stands out from the
    plot's background is how sure the network is (1/k: background, 1: the class colour at
    MAX_STRENGTH). So confident regions are saturated and the boundaries fade away.
    """
    v = np.asarray(probs, dtype=np.float64)
    if v.shape[2] == 1:  # one probability: class 1 against class 0
        v = np.concatenate([1 - v, v], axis=2)
    k = v.shape[2]
    pick = v.argmax(axis=2)
    conf = v.max(axis=2, keepdims=True)
    strength = np.clip((conf - 1.0 / k) / (1 - 1.0 / k), 0.0, 1.0) * MAX_STRENGTH
    colour = _RGB[pick % len(_RGB)]
    bg = np.asarray(background, dtype=np.float64)
    return np.clip(np.rint(bg + (colour - bg) * strength), 0, 255).astype(np.uint8)


class DecisionDock(PlotDock):
    title = "Decision surface"
    help_text = ("Colour shows what the network answers at each point of the input plane: for classes the "
                 "colour of the class it picks, fading into the background where it is unsure; for regression "
                 "its output value (colour bar on the right, same scale as the points' targets). Dots "
                 "are training points, crosses validation points. The plane reaches well beyond the data: "
                 "networks learn the data, not a rule - look at what they do far from it. Drag to pan, "
                 "scroll to zoom: the surface is recomputed for what you see.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(True)
        self.plot.setLabel("bottom", "x1")
        self.plot.setLabel("left", "x2")
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.train_pts = pg.ScatterPlotItem(size=6, pen=pg.mkPen("w", width=0.8))
        self.val_pts = pg.ScatterPlotItem(size=8, symbol="x", pen=pg.mkPen("k", width=0.5))
        self.plot.addItem(self.train_pts)
        self.plot.addItem(self.val_pts)
        # regression: the value a colour stands for, on the same scale as the points' targets
        self.cmap = pg.colormap.get(REGRESSION_MAP)
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=self.cmap, interactive=False, width=14,
                                          label="network output")
        # placed beside the plot, not linked to the image: the same image shows RGB classes too
        self.colour_bar.setImageItem([], insert_in=self.plot.getPlotItem())
        self.colour_bar.hide()
        self.levels = (0.0, 1.0)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.note = QLabel("Train a network on a problem with two inputs (x1, x2) to see its decision surface here.")
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignCenter)
        self.body.addWidget(self.note)
        self.body.addWidget(self.plot)
        self.plot.hide()
        self._region = (-1.5, 1.5, -1.5, 1.5)
        self.task = "classification"
        # The surface covers exactly what is on screen: zoom out to see how the network extrapolates.
        # A short delay merges the range changes of one drag or resize into one new request.
        self._follow = QTimer(self, singleShot=True, interval=150)
        self._follow.timeout.connect(self._follow_view)
        self.plot.getViewBox().sigRangeChanged.connect(self._follow.start)

    def _follow_view(self) -> None:
        (x0, x1), (y0, y1) = self.plot.getViewBox().viewRange()
        region = (float(x0), float(x1), float(y0), float(y1))
        if region != self._region:
            self._region = region
            self.needsChanged.emit()

    def set_points(self, points_train: np.ndarray | None, y_train: np.ndarray, points_val: np.ndarray | None,
                   y_val: np.ndarray, task: str) -> None:
        self.task = task
        self.plot.setVisible(points_train is not None)
        self.note.setVisible(points_train is None)
        if points_train is None:
            self.note.setText("The decision surface needs a problem with exactly two inputs (x1, x2); "
                              "this one has more. The other views show how this network learns.")
            self.train_pts.setData([])
            self.val_pts.setData([])
            return
        allp = np.concatenate([points_train, points_val])
        lo, hi = allp.min(axis=0), allp.max(axis=0)
        span = np.maximum(hi - lo, 1e-3)
        lo, hi = lo - WIDEN * span, hi + WIDEN * span
        self._region = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))

        regression = task != "classification"
        self.colour_bar.setVisible(regression)
        fg = pg.getConfigOption("foreground")  # the theme may have changed since the bar was made
        self.colour_bar.axis.setPen(fg)
        self.colour_bar.axis.setTextPen(fg)
        if regression:  # points and surface share one scale: a point matches the surface where the net is right
            t = np.concatenate([np.asarray(y_train, float).ravel(), np.asarray(y_val, float).ravel()])
            lo_t, hi_t = float(t.min()), float(t.max())
            self.levels = (lo_t, hi_t if hi_t > lo_t else lo_t + 1e-6)
            self.colour_bar.setLevels(self.levels)

        def brushes(y: np.ndarray) -> list[Any]:
            if not regression:
                return [pg.mkBrush(CLASS_COLORS[int(c) % len(CLASS_COLORS)]) for c in y]
            v = np.asarray(y, dtype=float).ravel()
            t = np.clip((v - self.levels[0]) / (self.levels[1] - self.levels[0]), 0, 1)
            return [pg.mkBrush(c) for c in self.cmap.map(t, mode="qcolor")]

        self.plot.setRange(xRange=self._region[:2], yRange=self._region[2:], padding=0)
        # the locked aspect widens one axis; when the range it ends at is the one already shown, no
        # range signal comes, so look once more: the surface must cover the whole view, not the data only
        self._follow.start()
        self.train_pts.setData(pos=points_train, brush=brushes(y_train))
        self.val_pts.setData(pos=points_val, pen=[pg.mkPen(b.color(), width=2) for b in brushes(y_val)])

    def region(self) -> tuple[float, float, float, float]:
        return self._region

    def needs(self) -> dict[str, Any]:
        return {"grid": (*self._region, RESOLUTION), "neuron_grid": True}

    def draw(self, s: Any) -> None:
        g = s.grid
        if g is None:
            return
        v = np.asarray(g.values, dtype=np.float64)
        if self.task == "classification":
            bg = pg.mkColor(pg.getConfigOption("background"))  # the theme's: unsure regions fade into it
            img = confidence_image(v, (bg.red(), bg.green(), bg.blue()))
            self.image.setLookupTable(None)
            self.image.setImage(img, autoLevels=False, levels=(0, 255))
        else:
            self.image.setImage(v[:, :, 0], autoLevels=False, levels=self.levels)
            self.image.setColorMap(self.cmap)
        x0, x1 = float(g.x[0]), float(g.x[-1])
        y0, y1 = float(g.y[0]), float(g.y[-1])
        self.image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
