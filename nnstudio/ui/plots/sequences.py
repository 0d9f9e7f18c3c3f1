"""Views of sequence networks: hidden state over time, gradient size per time step, attention weights.

They draw ``snapshot.internals`` (node id -> {"hidden", "hidden_grad", "hidden_grad_norm", "attention"}),
which the trainer fills only for nodes whose engine lowering exposes them and only while one of these
views is shown. They apply only to graphs with such nodes (see catalog.py).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox

from nnstudio.ui.plots.base import CLASS_COLORS, PlotDock, background_is_dark, diverging_lut, fill_combo, legend_html, readable_on



def _names(s: Any) -> dict[str, str]:
    return {layer.node_id: layer.name for layer in getattr(s, "layers", ())}


def _nodes_with(s: Any, key: str) -> list[str]:
    return [nid for nid, v in (getattr(s, "internals", None) or {}).items() if key in v]


class _SequenceDock(PlotDock):
    """A node chooser and a sample chooser above a plot; a note says when there is nothing to show."""

    key = "hidden"
    empty_text = ""

    def __init__(self, parent: Any = None, samples: bool = True) -> None:
        super().__init__(parent)
        self.node = QComboBox()
        self.node.setToolTip("Which layer to show")
        self.controls.addWidget(QLabel("layer"))
        self.controls.addWidget(self.node)
        self.sample = QSpinBox(minimum=0, maximum=0)
        self.sample.setToolTip("Which example (the first validation examples, the same in every update)")
        if samples:
            self.controls.addWidget(QLabel("example"))
            self.controls.addWidget(self.sample)
        self.note = QLabel(self.empty_text)
        self.note.setWordWrap(True)
        self.body.addWidget(self.note)
        self.node.currentIndexChanged.connect(self._redraw_now)
        self.sample.valueChanged.connect(self._redraw_now)

    def _empty(self) -> None:
        """Before any data (and after New, Open, Reset): only the note, not an empty plot."""
        self.note.show()
        plot = getattr(self, "plot", None)
        if plot is not None:
            plot.hide()

    def clear(self) -> None:
        super().clear()
        self._empty()

    def _redraw_now(self, *_a: Any) -> None:
        if self.snapshot is not None:
            self.draw(self.snapshot)

    def needs(self) -> dict[str, Any]:
        return {"internals": True}

    def _chosen(self, s: Any) -> tuple[str | None, Any]:
        ids = _nodes_with(s, self.key)
        names = _names(s)
        fill_combo(self.node, [(names.get(nid, nid), nid) for nid in ids])
        nid = self.node.currentData()
        self.note.setVisible(not ids)
        if nid is None:
            return None, None
        return nid, s.internals[nid]


class HiddenStateDock(_SequenceDock):
    title = "Hidden state over time"
    help_text = ("The hidden state of a recurrent layer (RNN, LSTM, GRU) for one example, step by step: time "
                 "runs left to right, one row per hidden unit; orange positive, blue negative. Units that "
                 "switch at a marked input and then hold their value are the network's memory; rows that fade "
                 "to grey forget.")
    empty_text = "Shown for RNN, LSTM and GRU layers while the network trains."
    key = "hidden"

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "time step")
        self.plot.setLabel("left", "hidden unit")
        self.image = pg.ImageItem()
        self.image.setLookupTable(diverging_lut(background_is_dark()))
        self.plot.addItem(self.image)
        self.body.addWidget(self.plot, 1)
        self.levels: tuple[float, float] = (-1.0, 1.0)
        self._empty()

    def draw(self, s: Any) -> None:
        nid, values = self._chosen(s)
        self.plot.setVisible(nid is not None)
        if nid is None:
            return
        h = np.asarray(values["hidden"], dtype=np.float64)  # (n, seq, H)
        self.sample.setMaximum(len(h) - 1)
        img = h[min(self.sample.value(), len(h) - 1)].T  # (H, seq): rows are units, columns time
        top = float(np.nanmax(np.abs(img))) if img.size else 1.0
        self.levels = (-max(top, 1e-6), max(top, 1e-6))
        self.image.setImage(img, levels=self.levels)
        self.image.setRect(pg.QtCore.QRectF(-0.5, -0.5, img.shape[1], img.shape[0]))
        self.plot.setTitle(f"{self.node.currentText()}: example {self.sample.value()}, "
                           f"{img.shape[0]} units x {img.shape[1]} steps")


class TimeGradDock(_SequenceDock):
    title = "Gradient size per time step"
    help_text = ("How strongly the loss pulls on each recurrent layer's hidden state at each time step "
                 "(norm of d loss / d h_t, mean over the last batch, log scale). For a plain RNN the curve "
                 "drops steeply towards the first steps: the gradient vanishes through time and early inputs "
                 "are not learned. An LSTM or GRU starts out much the same, but its gates can learn to keep "
                 "the gradient up: watch its curve flatten as it trains on a task that needs long memory "
                 "(the adding problem).")
    empty_text = "Shown for RNN, LSTM and GRU layers while the network trains."
    key = "hidden_grad_norm"

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent, samples=False)
        self.node.hide()  # every recurrent layer is drawn, one curve each
        self.controls.itemAt(0).widget().hide()
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "time step")
        self.plot.setLabel("left", "gradient norm")
        self.plot.setLogMode(False, True)
        self.plot.getAxis("left").enableAutoSIPrefix(False)  # "x0.001" over log-scale ticks misleads
        self.body.addWidget(self.plot, 1)
        self.legend = QLabel("")
        self.legend.setWordWrap(True)
        self.body.addWidget(self.legend)
        self.curves: dict[str, Any] = {}
        self._empty()

    def clear(self) -> None:
        for nid in list(self.curves):
            self.plot.removeItem(self.curves.pop(nid))
        self.legend.setText("")
        super().clear()

    def draw(self, s: Any) -> None:
        ids = _nodes_with(s, self.key)
        names = _names(s)
        self.note.setVisible(not ids)
        self.plot.setVisible(bool(ids))
        entries = []
        for i, nid in enumerate(ids):
            norms = np.asarray(s.internals[nid][self.key], dtype=np.float64)
            colour = readable_on(CLASS_COLORS[i % len(CLASS_COLORS)], pg.getConfigOption("background"))
            curve = self.curves.get(nid)
            if curve is None:
                curve = self.curves[nid] = self.plot.plot(connect="finite")
            curve.setPen(pg.mkPen(colour, width=2))
            # a log axis cannot show a zero norm: a gap there, and tiny norms at their true size
            curve.setData(np.arange(len(norms)), np.where(norms > 0, norms, np.nan))
            ratio = norms[0] / norms[-1] if norms[-1] > 0 else float("nan")
            entries.append((colour, "solid", f"{names.get(nid, nid)} (first / last step: {ratio:.2g})"))
        for nid in list(self.curves):
            if nid not in ids:
                self.plot.removeItem(self.curves.pop(nid))
        self.legend.setText(legend_html(entries))


class AttentionDock(_SequenceDock):
    title = "Attention weights"
    help_text = ("Where each position looks: for one example and one head of a self-attention layer, row t "
                 "shows how much position t takes from every position (each row sums to 1). A copy task "
                 "learns a bright diagonal; reversing the sequence learns the anti-diagonal.")
    empty_text = "Shown for self-attention layers while the network trains."
    key = "attention"

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.head = QSpinBox(minimum=0, maximum=0)
        self.head.setToolTip("Which attention head")
        self.controls.addWidget(QLabel("head"))
        self.controls.addWidget(self.head)
        self.head.valueChanged.connect(self._redraw_now)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "key position (looked at)")
        self.plot.setLabel("left", "query position (looking)")
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        self.body.addWidget(self.plot, 1)
        self._empty()

    def draw(self, s: Any) -> None:
        nid, values = self._chosen(s)
        self.plot.setVisible(nid is not None)
        if nid is None:
            return
        a = np.asarray(values["attention"], dtype=np.float64)  # (n, heads, seq, seq)
        self.sample.setMaximum(len(a) - 1)
        self.head.setMaximum(a.shape[1] - 1)
        img = a[min(self.sample.value(), len(a) - 1), min(self.head.value(), a.shape[1] - 1)]
        self.image.setImage(img, levels=(0.0, max(float(img.max()), 1e-6)))
        self.image.setRect(pg.QtCore.QRectF(-0.5, -0.5, img.shape[1], img.shape[0]))
        self.plot.setTitle(f"{self.node.currentText()}: example {self.sample.value()}, head {self.head.value()}")


__all__ = ["HiddenStateDock", "TimeGradDock", "AttentionDock"]
