"""Per-layer instruments: gradient norms, weight/gradient histograms over time, activations."""
from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QLabel

from nnstudio.ui.plots.base import CLASS_COLORS, PlotDock, fill_combo, legend_html, readable_on
from nnstudio.ui.plots.wide_curve import WideCurveItem

HISTORY = 120
BINS = 40


def _layers_with(s: Any, attr: str) -> list[Any]:
    return [layer for layer in s.layers if np.isfinite(getattr(layer, attr))]


class GradNormsDock(PlotDock):
    title = "Gradient size per layer"
    help_text = ("How strongly each layer is pushed by the last update (gradient norm, log scale), input side "
                 "on the left. If the bars shrink towards the input, gradients are vanishing: early layers barely "
                 "learn - try ReLU, He init, BatchNorm or a skip connection. Huge, growing bars mean exploding "
                 "gradients: lower the learning rate or clip gradients.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("left", "log10 gradient norm")
        self.plot.getAxis("left").enableAutoSIPrefix(False)  # "(x0.001)" on a log scale reads as nonsense
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush="#1e88e5")
        self.plot.addItem(self.bars)
        self.body.addWidget(self.plot)
        self.heights: np.ndarray = np.zeros(0)
        self.names: list[str] = []

    def draw(self, s: Any) -> None:
        layers = [layer for layer in _layers_with(s, "grad_norm") if layer.grad_norm > 0]
        self.names = [layer.name for layer in layers]
        self.heights = np.array([layer.grad_norm for layer in layers])
        x = np.arange(len(layers))
        # BarGraphItem does not follow log mode: give it log10 heights
        self.bars.setOpts(x=x, height=np.log10(np.maximum(self.heights, 1e-12)) + 12, y0=-12, width=0.6)
        ax = self.plot.getAxis("bottom")
        ax.setTicks([[(i, n) for i, n in enumerate(self.names)]])
        if len(self.heights):
            lo = np.log10(max(self.heights.min(), 1e-12))
            self.plot.setYRange(lo - 0.5, np.log10(self.heights.max()) + 0.5)


class HistogramsDock(PlotDock):
    title = "Weights and gradients over time"
    help_text = ("For the chosen layer: how its weights (top) and gradients (bottom) are spread, over time "
                 "(left to right). Brighter = more values there. Weights that never move mean the layer is not "
                 "learning; weights that spread without bound mean the learning rate is too high.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.layer = QComboBox()
        self.layer.setToolTip("Which layer to show")
        self.controls.addWidget(QLabel("layer"))
        self.controls.addWidget(self.layer)
        self.weights = pg.PlotWidget()
        self.grads = pg.PlotWidget()
        self.weights.setLabel("left", "weight")
        self.grads.setLabel("left", "gradient")
        self.grads.setLabel("bottom", "snapshots (time)")
        self.w_img = pg.ImageItem()
        self.g_img = pg.ImageItem()
        for img in (self.w_img, self.g_img):
            img.setColorMap(pg.colormap.get("inferno"))
        self.weights.addItem(self.w_img)
        self.grads.addItem(self.g_img)
        self.body.addWidget(self.weights)
        self.body.addWidget(self.grads)
        self.history: dict[str, tuple[deque, deque]] = {}
        self.layer.currentIndexChanged.connect(lambda _i: self.snapshot and self.draw(self.snapshot))
        self._last_seq = -1

    def _record(self, s: Any) -> None:
        if s.seq == self._last_seq:
            return
        self._last_seq = s.seq
        for layer in s.layers:
            if layer.weight_hist is None:
                continue
            w, g = self.history.setdefault(layer.node_id, (deque(maxlen=HISTORY), deque(maxlen=HISTORY)))
            w.append(layer.weight_hist)
            if layer.grad_hist is not None:
                g.append(layer.grad_hist)

    def offer(self, snapshot: Any) -> None:
        if snapshot is not None:
            self._record(snapshot)  # keep history even while hidden or waiting for its turn
        super().offer(snapshot)

    @staticmethod
    def _image(hists: deque) -> tuple[np.ndarray, float, float] | None:
        if not hists:
            return None
        lo = min(float(e[0]) for _, e in hists)
        hi = max(float(e[-1]) for _, e in hists)
        if hi <= lo:
            hi = lo + 1e-6
        edges = np.linspace(lo, hi, BINS + 1)
        # every snapshot's bins re-binned onto common edges in one go (a np.histogram per column cost
        # the GUI thread 5-12 ms a redraw): bin i holds lo_i <= centre < hi_i, the last one hi too
        centres = np.concatenate([(e[:-1] + e[1:]) / 2 for _, e in hists])
        counts = np.concatenate([np.asarray(c, dtype=float) for c, _ in hists])
        column = np.repeat(np.arange(len(hists)), [len(c) for c, _ in hists])
        row = np.searchsorted(edges, centres, side="right") - 1
        row[centres == edges[-1]] = BINS - 1
        inside = (row >= 0) & (row < BINS)
        img = np.bincount(row[inside] * len(hists) + column[inside], weights=counts[inside],
                          minlength=BINS * len(hists)).reshape(BINS, len(hists))
        return np.log1p(img), lo, hi

    def draw(self, s: Any) -> None:
        ids = [layer.node_id for layer in s.layers if layer.weight_hist is not None]
        names = {layer.node_id: layer.name for layer in s.layers}
        fill_combo(self.layer, [(names[nid], nid) for nid in ids])
        nid = self.layer.currentData()
        if nid not in self.history:
            return
        for hists, img in zip(self.history[nid], (self.w_img, self.g_img)):
            made = self._image(hists)
            if made is None:
                continue
            data, lo, hi = made
            img.setImage(data, autoLevels=True)
            img.setRect(pg.QtCore.QRectF(0, lo, data.shape[1], hi - lo))
        # the new ranges now, not when the plots paint: a range set while painting asks for a second paint
        for plot in (self.weights, self.grads):
            plot.getPlotItem().vb.prepareForPaint()


class ActivationsDock(PlotDock):
    title = "Activations per layer"
    help_text = ("How the outputs of each layer are spread on the last batch. 'dead' counts ReLU units that "
                 "output zero for every example (they no longer learn); 'saturated' counts sigmoid/tanh outputs "
                 "stuck near their limits (their gradient vanishes). Both are signs to lower the learning rate, "
                 "change the init or add normalization.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "activation value")
        self.plot.setLabel("left", "share of values")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.body.addWidget(self.plot)
        # below the plot, not on it: the distributions fill the whole width
        self.legend = QLabel("")
        self.legend.setWordWrap(True)
        self.body.addWidget(self.legend)
        self.curves: dict[str, Any] = {}
        self.labels: dict[str, str] = {}

    def draw(self, s: Any) -> None:
        layers = [layer for layer in s.layers if layer.act_hist is not None and layer.kind in
                  ("Activation", "Neuron", "Dense", "Conv2D", "BatchNorm", "LayerNorm")]
        seen = set()
        entries: list[tuple[str, str, str]] = []
        for i, layer in enumerate(layers):
            counts, edges = layer.act_hist
            share = counts / max(1, counts.sum())
            centres = (edges[:-1] + edges[1:]) / 2
            label = layer.name
            if np.isfinite(layer.dead_fraction):
                label += f"  dead {100 * layer.dead_fraction:.0f}%"
            if np.isfinite(layer.saturated_fraction):
                label += f"  saturated {100 * layer.saturated_fraction:.0f}%"
            self.labels[layer.node_id] = label
            colour = readable_on(CLASS_COLORS[i % len(CLASS_COLORS)], pg.getConfigOption("background"))
            curve = self.curves.get(layer.node_id)
            if curve is None:  # two pixels wide from one-pixel strokes: a wide antialiased pen paints slowly
                curve = WideCurveItem(pg.mkPen(colour, width=1))
                self.plot.addItem(curve)
                self.curves[layer.node_id] = curve
            if curve.opts["pen"].color() != pg.mkColor(colour):
                curve.setPen(pg.mkPen(colour, width=1))
            curve.show_data(centres, share)
            entries.append((colour, "solid", label))
            seen.add(layer.node_id)
        for nid in list(self.curves):
            if nid not in seen:
                self.plot.removeItem(self.curves.pop(nid))
        text = legend_html(entries)
        if text != self.legend.text():
            self.legend.setText(text)
