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


class DecisionDock(PlotDock):
    title = "Decision surface"
    help_text = ("Colour shows what the network answers at each point of the input plane: for classes the "
                 "colour of the class it picks, paler where it is unsure; for regression its output value. Dots "
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

        def brushes(y: np.ndarray) -> list[Any]:
            if task == "classification":
                return [pg.mkBrush(CLASS_COLORS[int(c) % len(CLASS_COLORS)]) for c in y]
            v = np.asarray(y, dtype=float).ravel()
            t = (v - v.min()) / (np.ptp(v) or 1.0)
            return [pg.mkBrush(int(255 * a), 140, int(255 * (1 - a))) for a in t]

        self.plot.setRange(xRange=self._region[:2], yRange=self._region[2:], padding=0)
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
            if v.shape[2] == 1:  # one probability: class 1 against class 0
                v = np.concatenate([1 - v, v], axis=2)
            k = v.shape[2]
            rgb = v @ _RGB[np.arange(k) % len(_RGB)]
            conf = v.max(axis=2, keepdims=True)
            # pale where unsure (confidence 1/k), saturated where sure
            strength = (conf - 1.0 / k) / (1 - 1.0 / k)
            rgb = 255 - (255 - rgb) * (0.25 + 0.6 * strength)
            img = np.clip(rgb, 0, 255).astype(np.uint8)
            self.image.setImage(img, autoLevels=False, levels=(0, 255))
        else:
            self.image.setImage(v[:, :, 0], autoLevels=True)
            self.image.setColorMap(pg.colormap.get("viridis"))
        x0, x1 = float(g.x[0]), float(g.x[-1])
        y0, y1 = float(g.y[0]), float(g.y[-1])
        self.image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
