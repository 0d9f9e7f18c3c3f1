"""The loss and accuracy curves over a long history: decimated to the pixel columns, ends and spikes kept."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtGui import QColor

from nnstudio.ui.plots import CurvesDock
from nnstudio.ui.plots.base import TRAIN_COLOR, VAL_COLOR
from tests.ui.conftest import shown


def long_snapshot(epochs: int) -> SimpleNamespace:
    rng = np.random.default_rng(0)
    epoch = np.arange(1.0, epochs + 1.0)
    train = np.exp(-epoch / (epochs / 4)) + 0.02 * rng.random(epochs)
    train[epochs // 3] = 3.0  # one bad batch
    val = train + 0.05
    val[1::2] = np.nan  # validated every other epoch
    acc = 1 - train / 4
    curves = SimpleNamespace(epoch=epoch, train_loss=train, val_loss=val, train_accuracy=acc,
                             val_accuracy=acc - 0.01)
    return SimpleNamespace(curves=curves)


@pytest.fixture
def dock(qtbot):
    return shown(qtbot, CurvesDock())


@pytest.mark.parametrize("epochs", [30, 5_000, 40_000])
def test_long_histories_are_drawn_with_at_most_two_points_a_pixel_column(dock, epochs):
    snap = long_snapshot(epochs)
    dock.update_snapshot(snap)
    c = snap.curves
    columns = dock.loss_plot.getPlotItem().vb.width()
    for item, y in ((dock.train_loss, c.train_loss), (dock.val_loss, c.val_loss),
                    (dock.train_acc, c.train_accuracy), (dock.val_acc, c.val_accuracy)):
        x_shown, y_shown = item.getData()
        ok = np.isfinite(y)
        assert len(x_shown) <= 2 * columns + 3
        # the shown curve starts and ends where the history does, and reaches its extremes
        assert (x_shown[0], y_shown[0]) == (c.epoch[ok][0], y[ok][0])
        assert (x_shown[-1], y_shown[-1]) == (c.epoch[ok][-1], y[ok][-1])
        assert y_shown.max() == y[ok].max() and y_shown.min() == y[ok].min()
        if epochs == 30:  # a short run: every epoch drawn
            np.testing.assert_array_equal(x_shown, c.epoch[ok])
    assert 3.0 in dock.train_loss.getData()[1]  # the spike


def test_validation_stays_told_apart_from_training(dock):
    dock.update_snapshot(long_snapshot(5_000))
    for train, val in ((dock.train_loss, dock.val_loss), (dock.train_acc, dock.val_acc)):
        assert train.opts["pen"].color() == QColor(TRAIN_COLOR)
        assert val.opts["pen"].color() == QColor(VAL_COLOR)
        assert train.opts["pen"].style() != val.opts["pen"].style()  # solid against dashed


def test_zooming_in_by_hand_decimates_the_shown_span_again(dock, qtbot):
    snap = long_snapshot(40_000)
    dock.update_snapshot(snap)
    coarse = len(dock.train_loss.getData()[0])
    assert coarse < 1000
    vb = dock.loss_plot.getPlotItem().vb
    # what a mouse zoom does: pyqtgraph sets the range, then says it was set by hand
    vb.setXRange(1000, 1100, padding=0)
    vb.sigRangeChangedManually.emit([True, True])
    x, y = dock.train_loss.getData()
    inside = (x >= 1000) & (x <= 1100)
    assert inside.sum() == 101  # 101 epochs on hundreds of pixels: every one of them
    np.testing.assert_array_equal(y[inside], snap.curves.train_loss[999:1100])
    assert len(x) == 103  # and one epoch beyond each edge, so the line runs to the edges
    assert x[0] == 999 and x[-1] == 1101
    dock.draw(snap)  # the run goes on: the view stays where the user put it
    assert vb.viewRange()[0] == [1000, 1100]
    vb.enableAutoRange(x=True)  # the plot's auto-range button: follow the run again
    dock.draw(snap)
    assert len(dock.train_loss.getData()[0]) == coarse
    lo, hi = vb.viewRange()[0]
    assert lo < 1 and 40_000 < hi <= 50_000 * 1.03  # the whole run, up to a round number past it


def test_following_the_run_moves_the_epoch_axis_only_now_and_then(dock):
    vb = dock.loss_plot.getPlotItem().vb
    ranges = []
    for epochs in range(100, 2000, 10):
        dock.draw(long_snapshot(epochs))
        lo, hi = vb.viewRange()[0]
        assert lo <= 1 and epochs <= hi <= 1.25 * epochs * 1.03  # every epoch in view, little room left
        ranges.append((lo, hi))
    # 190 redraws, 18 ranges: 125, 150, 175, 200, 250, ... 1750, 2000 epochs
    assert len(set(ranges)) == 18


def test_log_scale_decimates_then_takes_the_logarithm(dock):
    snap = long_snapshot(5_000)
    dock.update_snapshot(snap)
    x_lin, y_lin = dock.train_loss.getData()
    dock.log.click()
    x_log, y_log = dock.train_loss.getData()
    np.testing.assert_array_equal(x_log, x_lin)
    np.testing.assert_allclose(10 ** y_log, y_lin)


def test_an_empty_run_has_no_curve_data_as_before(dock):
    empty = SimpleNamespace(curves=SimpleNamespace(**{k: np.zeros(0) for k in (
        "epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")}))
    dock.update_snapshot(empty)
    assert dock.train_loss.getData() == (None, None)  # what the PlotDataItem it replaced returned
