"""Loss and accuracy curves, training and validation, with earlier runs in grey."""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QLabel

from nnstudio.ui.plots.base import TRAIN_COLOR, VAL_COLOR, PlotDock, legend_html
from nnstudio.ui.plots.decimate import clip_to_span, minmax_decimate, nice_ceiling
from nnstudio.ui.plots.wide_curve import WideCurveItem

#: what an earlier run shows in grey: (plot attribute, curve key, line style like the live curve's)
OVERLAID = (("loss_plot", "train_loss", pg.QtCore.Qt.SolidLine), ("loss_plot", "val_loss", pg.QtCore.Qt.DashLine),
            ("acc_plot", "train_accuracy", pg.QtCore.Qt.SolidLine),
            ("acc_plot", "val_accuracy", pg.QtCore.Qt.DashLine))


class EpochAxis(pg.AxisItem):
    """Ticks at whole epochs only: "epoch 2.5" is a point no curve has."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802 (pyqtgraph's name)
        levels = [(spacing, [v for v in values if float(v).is_integer()])
                  for spacing, values in super().tickValues(minVal, maxVal, size) if spacing >= 1]
        if not levels:  # zoomed in to less than one epoch apart: the whole epochs in view
            levels = [(1.0, [float(v) for v in range(int(np.ceil(minVal)), int(np.floor(maxVal)) + 1)])]
        return levels


class CurvesDock(PlotDock):
    title = "Loss and accuracy"
    cheap = True
    help_text = ("Loss (top) should fall as the network learns; accuracy (bottom) should rise. Solid: training "
                 "data, measured on each batch as the epoch trains it (while the weights still change, and with "
                 "dropout on: it can sit below validation); dashed: validation data the network never trains on, "
                 "measured at the end of each epoch. If training loss keeps falling while validation loss rises, the network is memorising "
                 "(overfitting). Grey: earlier runs.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.log = QCheckBox("log scale")
        self.log.setToolTip("Show the loss on a logarithmic axis (small late improvements become visible)")
        self.log.toggled.connect(self._set_log)
        self.controls.addWidget(self.log)
        # the legend sits beside the controls, off the plot: a rising validation curve runs into any corner
        self.legend = QLabel(legend_html([(TRAIN_COLOR, "solid", "training"), (VAL_COLOR, "dashed", "validation")]))
        self.legend.setToolTip("Solid: training data; dashed: validation data; grey: earlier runs")
        self.controls.addSpacing(12)
        self.controls.addWidget(self.legend)
        self.loss_plot = pg.PlotWidget(axisItems={"bottom": EpochAxis(orientation="bottom")})
        self.loss_plot.setLabel("left", "loss")
        self.loss_plot.getAxis("left").enableAutoSIPrefix(False)  # "loss (x0.001)" confuses more than it helps
        self.acc_plot = pg.PlotWidget(axisItems={"bottom": EpochAxis(orientation="bottom")})
        self.acc_plot.setLabel("left", "accuracy")
        # a short axis: three labels that do not collide
        self.acc_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
        self.acc_plot.setLabel("bottom", "epoch")
        self.acc_plot.setXLink(self.loss_plot)
        self.acc_plot.setYRange(0, 1)
        # Thousands of epochs on a few hundred pixels: draw() keeps each pixel column's lowest and highest
        # point, from the whole history. Not pyqtgraph's downsampling and clipping to the view: the
        # clipped curve and the auto range fed each other and the plot repainted without end.
        dash = pg.QtCore.Qt.DashLine
        self.train_loss = WideCurveItem(pg.mkPen(TRAIN_COLOR, width=1))
        self.val_loss = WideCurveItem(pg.mkPen(VAL_COLOR, width=1, style=dash))
        self.train_acc = WideCurveItem(pg.mkPen(TRAIN_COLOR, width=1))
        self.val_acc = WideCurveItem(pg.mkPen(VAL_COLOR, width=1, style=dash))
        for plot, items in ((self.loss_plot, (self.train_loss, self.val_loss)),
                            (self.acc_plot, (self.train_acc, self.val_acc))):
            for item in items:
                plot.addItem(item)
        # zoomed in by hand: the columns are narrower, the history is decimated again
        self.loss_plot.getPlotItem().vb.sigXRangeChanged.connect(self._zoomed)
        # While following the run the epoch axis ends at a round number ahead of it (nice_ceiling) and
        # moves only when the run gets there: an axis that changes on every redraw lays out its ticks
        # again and repaints the linked accuracy plot too (a third of a redraw's time).
        self.follow = True
        for plot in (self.loss_plot, self.acc_plot):
            plot.getPlotItem().vb.sigRangeChangedManually.connect(self._moved_by_hand)
        self.readout = pg.TextItem("", anchor=(0, 0), color="#607d8b")
        self.loss_plot.addItem(self.readout, ignoreBounds=True)
        self.overlays: list[tuple[Any, Any]] = []  # (plot, grey curve) of set_overlays
        # below these heights the axis labels collide and the plots stop being readable
        self.loss_plot.setMinimumHeight(120)
        self.acc_plot.setMinimumHeight(90)
        self.body.addWidget(self.loss_plot, 2)
        self.body.addWidget(self.acc_plot, 1)
        self.loss_plot.scene().sigMouseMoved.connect(self._hover)

    def plot_widget(self) -> Any:
        return self.widget()

    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)

    def zoomed(self) -> bool:
        """Whether the user has set the epochs in view (zoomed or panned), rather than the view following the run."""
        if self.loss_plot.getPlotItem().vb.state["autoRange"][0] is not False:
            self.follow = True  # the plot's auto-range button: follow the run again
        return not self.follow

    def _moved_by_hand(self, *_args: Any) -> None:
        # pyqtgraph says so after it has set the new range: decimate for it now
        self.follow = False
        self._zoomed()

    def draw(self, s: Any) -> None:
        c = s.curves
        vb = self.loss_plot.getPlotItem().vb
        columns = max(16, int(vb.width()))
        zoomed = self.zoomed()
        for item, y in ((self.train_loss, c.train_loss), (self.val_loss, c.val_loss),
                        (self.train_acc, c.train_accuracy), (self.val_acc, c.val_accuracy)):
            y = np.asarray(y, dtype=float)
            ok = np.isfinite(y)
            x, y = c.epoch[ok], y[ok]
            if zoomed:  # the columns span what is in view
                x0, x1 = vb.viewRange()[0]
                x, y = clip_to_span(x, y, x0, x1)
            else:  # the view follows the whole history
                x0, x1 = self.followed_span(c.epoch)
            item.show_data(*minmax_decimate(x, y, x0, x1, columns))
        self.acc_plot.setVisible(bool(np.isfinite(c.val_accuracy).any()) or len(c.epoch) == 0)
        if not zoomed and len(c.epoch):
            vb.setRange(xRange=self.followed_span(c.epoch), padding=0.02)  # unchanged: no signal, no layout
        # the new range now, not when the plots paint: a range set while painting asks for a second paint
        for plot in (self.loss_plot, self.acc_plot):
            plot.getPlotItem().vb.prepareForPaint()

    @staticmethod
    def followed_span(epoch: np.ndarray) -> tuple[float, float]:
        """The epochs in view while following the run: from its first to a round number at or past its last."""
        if not len(epoch):
            return 0.0, 1.0
        first = float(epoch[0])
        return first, max(nice_ceiling(float(epoch[-1])), first + 1.0)

    def _zoomed(self, *_args: Any) -> None:
        # only a hand-set range: a followed one comes from the data, and redrawing on its change
        # would let the curves and the range drive each other
        if self.snapshot is not None and self.zoomed():
            self.draw(self.snapshot)

    def set_overlays(self, runs: list[tuple[str, dict[str, list[float]]]]) -> None:
        """Earlier runs' loss and accuracy curves in grey (label, curves dict)."""
        for plot, item in self.overlays:
            plot.removeItem(item)
        self.overlays = []
        for label, curves in runs:
            ep = np.asarray(curves.get("epoch", []), dtype=float)
            for plot, key, style in OVERLAID:
                y = np.asarray([np.nan if v is None else v for v in curves.get(key, [])], dtype=float)
                plot = getattr(self, plot)
                if len(y) == len(ep) and np.isfinite(y).any():
                    item = pg.PlotDataItem(ep, y, pen=pg.mkPen((150, 150, 150, 160), width=1, style=style),
                                           connect="finite")
                    item.setZValue(-10)
                    plot.addItem(item)
                    self.overlays.append((plot, item))

    def _hover(self, pos: Any) -> None:
        vb = self.loss_plot.getPlotItem().vb
        if not self.loss_plot.sceneBoundingRect().contains(pos) or self.snapshot is None:
            return
        x = vb.mapSceneToView(pos).x()
        c = self.snapshot.curves
        if not len(c.epoch):
            return
        i = int(np.argmin(np.abs(c.epoch - x)))  # the epoch nearest the cursor
        parts = [f"epoch {int(c.epoch[i])}", f"train loss {c.train_loss[i]:.4g}"]
        if np.isfinite(c.val_loss[i]):
            parts.append(f"val loss {c.val_loss[i]:.4g}")
        if np.isfinite(c.val_accuracy[i]):
            parts.append(f"val acc {c.val_accuracy[i]:.3f}")
        self.readout.setText("\n".join(parts))
        view = vb.viewRange()
        self.readout.setPos(view[0][0], view[1][1])
