"""Class-level views: the confusion matrix and a 2-D projection of hidden activations."""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QComboBox, QLabel

from nnstudio.ui.plots.base import CLASS_COLORS, PlotDock, readable_text_colour


class CellNumbers(pg.GraphicsObject):
    """The number of every cell of a k x k matrix, centred in its cell, as one item.

    One paint of k*k short texts in device pixels: a TextItem per cell (a rich-text document each)
    cost 30 ms to update and 15-50 ms to paint for ten classes, and held the window up while training.
    The font follows the cells' size on screen, so the numbers fit whatever the dock's size.
    """

    def __init__(self) -> None:
        super().__init__()
        self.k = 0
        self.cells: list[tuple[str, QColor]] = []  # row by row
        self.font_px = 0  # the size of the last paint

    def set_cells(self, k: int, cells: list[tuple[str, QColor]]) -> None:
        if k != self.k:
            self.prepareGeometryChange()
        self.k, self.cells = k, list(cells)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return QRectF(0.0, 0.0, float(self.k), float(self.k))

    def font_for(self, cell_px: float) -> QFont:
        """The largest font (6-16 px) whose widest number fits across a cell and in 45% of its height."""
        digits = max((len(t) for t, _ in self.cells), default=1) or 1
        # a digit is about 0.6 em wide: the widest number and a margin fit across
        font = QFont()
        font.setPixelSize(int(max(6, min(16, cell_px * 0.45, cell_px * 0.8 / (0.6 * digits)))))
        return font

    def paint(self, painter: QPainter, *args: Any) -> None:
        if not self.cells:
            return
        # numbers are drawn in device pixels: the view's scaling would stretch the glyphs
        transform = painter.transform()
        cell_px = min(abs(transform.m11()) + abs(transform.m21()), abs(transform.m12()) + abs(transform.m22()))
        font = self.font_for(cell_px)
        self.font_px = font.pixelSize()
        painter.save()
        painter.resetTransform()
        painter.setFont(font)
        for index, (text, colour) in enumerate(self.cells):
            i, j = divmod(index, self.k)
            painter.setPen(colour)
            painter.drawText(transform.mapRect(QRectF(j, i, 1.0, 1.0)), Qt.AlignCenter, text)
        painter.restore()


class ConfusionDock(PlotDock):
    title = "Confusion matrix"
    help_text = ("Rows: the true class of validation examples; columns: what the network answered. A perfect "
                 "network has everything on the diagonal; a bright cell off it shows which classes it mixes up.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.view = pg.PlotWidget()
        self.view.setAspectLocked(True)
        self.view.invertY(True)
        self.view.setLabel("left", "true class")
        self.view.setLabel("bottom", "predicted class")
        self.image = pg.ImageItem()
        self.cmap = pg.colormap.get("CET-L12") if "CET-L12" in pg.colormap.listMaps() else pg.colormap.get("viridis")
        self.image.setColorMap(self.cmap)
        self.view.addItem(self.image)
        self.numbers = CellNumbers()
        self.view.addItem(self.numbers)
        self.body.addWidget(self.view)
        self.class_names: list[str] = []
        self._ticks: list[str] = []

    def set_class_names(self, names: list[str]) -> None:
        self.class_names = list(names)

    def draw(self, s: Any) -> None:
        m = s.metrics.get("confusion")
        if m is None:
            return
        m = np.asarray(m)
        k = m.shape[0]
        share = m / np.maximum(1, m.sum(axis=1, keepdims=True))
        self.image.setImage(share, levels=(0, 1))
        names = self.class_names if len(self.class_names) == k else [str(i) for i in range(k)]
        if names != self._ticks:
            self._ticks = names
            ticks = [[(i + 0.5, n[:8]) for i, n in enumerate(names)]]
            self.view.getAxis("bottom").setTicks(ticks)
            self.view.getAxis("left").setTicks(ticks)
        # black on light cells, white on dark ones: whichever contrasts more with the cell's colour
        colours = self.cmap.map(share.ravel(), mode="qcolor")
        self.numbers.set_cells(k, [(str(int(v)), QColor(readable_text_colour(c)))
                                   for v, c in zip(m.ravel(), colours)])


def pca_2d(a: np.ndarray) -> np.ndarray:
    """The first two principal components of the rows of a (n, d)."""
    a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    a = a - a.mean(axis=0)
    # The two largest eigenpairs of the smaller Gram matrix, not a full SVD: a conv layer's
    # 300 x 512 activations took the GUI thread 25-50 ms a redraw by SVD, a few ms this way.
    n, d = a.shape
    if d == 1:
        xy = a
    elif d <= n:
        vals, vecs = scipy.linalg.eigh(a.T @ a, subset_by_index=[max(0, d - 2), d - 1])
        xy = a @ vecs[:, ::-1]
    else:
        vals, vecs = scipy.linalg.eigh(a @ a.T, subset_by_index=[max(0, n - 2), n - 1])
        xy = vecs[:, ::-1] * np.sqrt(np.maximum(vals[::-1], 0.0))
    if xy.shape[1] < 2:  # a single example
        xy = np.concatenate([xy, np.zeros((n, 2 - xy.shape[1]))], axis=1)
    # a direction's sign is arbitrary: its largest coordinate is made positive, so that the picture
    # does not flip over between redraws
    big = xy[np.argmax(np.abs(xy), axis=0), np.arange(2)]
    return xy * np.where(big < 0, -1.0, 1.0)


class ProjectionDock(PlotDock):
    title = "Hidden representation"
    help_text = ("Each dot is a validation example, placed by the activations of the chosen hidden layer "
                 "squeezed into 2-D (PCA), coloured by its class. As training proceeds, examples of one class "
                 "gather together: the layer has learned a representation in which the classes separate.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.layer = QComboBox()
        self.controls.addWidget(QLabel("layer"))
        self.controls.addWidget(self.layer)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "component 1")
        self.plot.setLabel("left", "component 2")
        self.points = pg.ScatterPlotItem(size=6, pen=pg.mkPen(None))
        self.plot.addItem(self.points)
        self.body.addWidget(self.plot)
        self.layer.currentIndexChanged.connect(self._needs_changed)
        self._brushes = [pg.mkBrush(c) for c in CLASS_COLORS]  # made once: mkBrush per point is slow

    def set_layers(self, layers: list[tuple[str, str]]) -> None:
        current = self.layer.currentData()
        self.layer.blockSignals(True)
        self.layer.clear()
        for nid, name in layers:
            self.layer.addItem(name, nid)
        ids = [nid for nid, _ in layers]
        if current in ids:
            self.layer.setCurrentIndex(ids.index(current))
        elif ids:
            self.layer.setCurrentIndex(len(ids) - 1)
        self.layer.blockSignals(False)

    def needs(self) -> dict[str, Any]:
        nid = self.layer.currentData()
        return {"hidden_node": nid} if nid else {}

    def draw(self, s: Any) -> None:
        if not s.hidden:
            return
        nid = self.layer.currentData()
        a = s.hidden.get(nid)
        if a is None:
            return
        xy = pca_2d(a)
        labels = s.hidden_labels if s.hidden_labels is not None else np.zeros(len(xy))
        classes = np.asarray(labels).ravel()[: len(xy)].astype(int) % len(self._brushes)
        self.points.setData(pos=xy, brush=[self._brushes[c] for c in classes])


NO_SNAPSHOT = ("Feature maps show what each convolution layer (Conv2D) of an image network makes of one example. "
               "They appear here once such a network trains - open the digits-cnn example to see them.")
NO_CONVOLUTION = ("This network has no convolution layer (Conv2D), so it has no feature maps to show. A Conv2D "
                  "slides small filters over an image; each filter's response is one map. Put a Conv2D after the "
                  "Input (and a Flatten before the Dense layers), or open the digits-cnn example.")
NOT_IMAGES = ("This data is not images, so there are no feature maps to show: they need an image input "
              "(channels x height x width) and a convolution layer (Conv2D).")


class FeatureMapsDock(PlotDock):
    title = "Feature maps"
    help_text = ("One example (left) and what each convolution layer makes of it: every tile is one filter's "
                 "response map, bright where the filter found its pattern. Early layers respond to strokes and "
                 "edges, later ones to larger parts.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QSpinBox

        self.sample = QSpinBox(minimum=0, maximum=100_000)
        self.sample.setToolTip("Which validation example to show")
        self.sample.valueChanged.connect(self._needs_changed)
        self.controls.addWidget(QLabel("example"))
        self.controls.addWidget(self.sample)
        self.note = QLabel(NO_SNAPSHOT)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignCenter)
        self.view = pg.GraphicsLayoutWidget()
        self.body.addWidget(self.note)
        self.body.addWidget(self.view, 1)
        self.view.hide()  # until there are maps: the note says what will be here
        self.images: dict[str, pg.ImageItem] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        self.tile_counts: dict[str, int] = {}

    def needs(self) -> dict[str, Any]:
        return {"sample_index": self.sample.value()}

    def draw(self, s: Any) -> None:
        from nnstudio.ui.plots.weights import tile

        has_conv = any(layer.kind == "Conv2D" for layer in s.layers)
        self.sample.setEnabled(s.sample_input is not None)  # "which example" means nothing without images
        if not has_conv or s.sample_input is None:
            # nothing to draw is explained, never an empty dock
            self.note.setText(NOT_IMAGES if s.sample_input is None else NO_CONVOLUTION)
            self.note.show()
            self.view.setVisible(s.sample_input is not None)  # an image network without conv: the example
            if s.sample_input is None:
                return
        else:
            self.note.hide()
            self.view.show()
        if s.feature_maps is None:
            return
        panels = [("input", np.asarray(s.sample_input))] + [(nid, np.asarray(m)) for nid, m in s.feature_maps.items()]
        if list(self.images) != [p[0] for p in panels]:
            self.view.clear()
            self.images, self.titles = {}, {}
            names = {layer.node_id: layer.name for layer in s.layers}
            for col, (key, m) in enumerate(panels):
                # a title per panel, so a learner knows which layer made which tiles
                if key == "input":
                    title = ""  # set on every draw: the example number changes
                else:
                    n = m.shape[0] if m.ndim == 3 else 1
                    title = f"{names.get(key, key)}: {n} maps, {m.shape[-2]}x{m.shape[-1]}"
                self.titles[key] = self.view.addLabel(title, row=0, col=col, size="9pt")
                vb = self.view.addViewBox(row=1, col=col, lockAspect=True, invertY=True)
                img = pg.ImageItem()
                img.setColorMap(pg.colormap.get("inferno"))
                vb.addItem(img)
                self.images[key] = img
        self.titles["input"].setText(f"example {self.sample.value()}", size="9pt")
        for key, m in panels:
            t = tile(m if m.ndim == 3 else m[None])
            self.tile_counts[key] = m.shape[0] if m.ndim == 3 else 1
            self.images[key].setImage(np.nan_to_num(t, nan=float(np.nanmin(t))), autoLevels=True)
