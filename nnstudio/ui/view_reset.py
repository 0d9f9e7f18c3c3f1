"""One place that makes every view agree with the project: after New, Open, a data change or Reset.

Each live view keeps what it drew last until a new snapshot comes; after File > New or a data
switch that picture described a network or data that no longer exist. :func:`reset_views` blanks
every plot (whatever pyqtgraph items it drew), shows the current data's points where a view draws
them, clears the canvas' neuron thumbnails and weights, the divergence banner and the status line.
"""
from __future__ import annotations

from typing import Any

import pyqtgraph as pg

from nnstudio.ui.icons import icon

NOT_TRAINED = " not trained yet "


def blank_plot_items(widget: Any) -> int:
    """Empty every data item drawn in the pyqtgraph views under ``widget``; returns how many."""
    n = 0
    for view in widget.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.ImageItem):
                item.clear()
            elif isinstance(item, (pg.PlotDataItem, pg.ScatterPlotItem)):
                item.clear()
            elif isinstance(item, pg.BarGraphItem):
                item.setOpts(x=[], height=[], y0=0, width=0.6)
            elif isinstance(item, pg.TextItem):
                item.setText("")
            else:
                continue
            n += 1
    return n


def reset_views(window: Any, dataset: Any = None) -> None:
    """Blank every live view and the status line; draw ``dataset``'s points where views show data."""
    for dock in window.plot_docks:
        dock.clear()  # forget the kept snapshot: nothing redraws the old picture
        dock.stale = False
        blank_plot_items(dock)
    if dataset is not None:
        window.decision_dock.set_points(dataset.points_train, dataset.y_train, dataset.points_val, dataset.y_val,
                                        dataset.task)
    window.scene.set_neuron_thumbnails(None)
    window.scene.set_neuron_weights(None)
    window.banner.hide()
    tc = window.trainer
    tc.status.setText(NOT_TRAINED)
    tc.train_action.setText("Train")
    tc.train_action.setIcon(icon("train"))
    window.statusBar().clearMessage()
