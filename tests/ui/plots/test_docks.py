"""Plot docks fed with real training snapshots; checked through clicks, hovering and what they then show."""
from __future__ import annotations

import csv

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from nnstudio.training import Extras, Session
from nnstudio.training.project import trainer_for_project
from nnstudio.ui.plots import CurvesDock, DecisionDock, FeatureMapsDock, RunsPanel
from nnstudio.ui.plots.classes import pca_2d
from tests.training.conftest import toy_project
from tests.ui.conftest import shown


def trained_snapshot(project, epochs: int, extras: Extras):
    trainer = trainer_for_project(project)
    for _ in range(epochs):
        trainer.run_epoch()
    return trainer, trainer.snapshot(1, "paused", extras)


def finished_run(seed: int, epochs: int):
    session = Session.from_project(toy_project("xor", n=120, epochs=epochs, seed=seed))
    try:
        session.start()
        session.wait(("finished",), timeout=60)
        return session.run_record()
    finally:
        session.close()


@pytest.fixture
def curves(qtbot):
    dock = shown(qtbot, CurvesDock(), 500, 400)
    _, snap = trained_snapshot(toy_project("xor", n=200), 8, Extras())
    dock.update_snapshot(snap)
    return dock, snap


def test_log_scale_checkbox_switches_the_loss_axis(curves, qtbot):
    dock, snap = curves
    assert not dock.loss_plot.getPlotItem().getAxis("left").logMode
    dock.log.click()
    assert dock.loss_plot.getPlotItem().getAxis("left").logMode
    # in log mode the curve's displayed y values are log10 of the losses
    _, y = dock.train_loss.getData()
    np.testing.assert_allclose(10 ** y, snap.curves.train_loss)


def test_hovering_the_loss_plot_reads_out_the_epoch_under_the_cursor(curves, qtbot):
    dock, snap = curves
    view = dock.loss_plot
    vb = view.getPlotItem().vb
    target = snap.curves.epoch[3]
    scene_pt = vb.mapViewToScene(pg_point(target, float(snap.curves.train_loss[3])))
    widget_pt = view.mapFromScene(scene_pt)
    QTest.mouseMove(view.viewport(), QPoint(widget_pt.x(), widget_pt.y()))
    qtbot.waitUntil(lambda: dock.readout.textItem.toPlainText() != "")
    text = dock.readout.textItem.toPlainText()
    assert text.splitlines()[0] == f"epoch {int(target)}"
    assert f"{snap.curves.train_loss[3]:.4g}" in text


@pytest.mark.parametrize("epochs", [2, 5, 300])
def test_the_epoch_axis_ticks_whole_epochs_only(qtbot, epochs):
    dock = shown(qtbot, CurvesDock(), 500, 400)
    _, snap = trained_snapshot(toy_project("xor", n=80, epochs=epochs), epochs, Extras())
    dock.update_snapshot(snap)
    dock.redraw()
    for plot in (dock.loss_plot, dock.acc_plot):
        vb = plot.getPlotItem().vb
        qtbot.waitUntil(lambda: vb.viewRange()[0][1] >= epochs)  # the view has taken in the curves
        axis = plot.getAxis("bottom")
        lo, hi = vb.viewRange()[0]
        ticks = [v for _, values in axis.tickValues(lo, hi, axis.width()) for v in values]
        assert ticks and all(float(v).is_integer() for v in ticks), ticks


def plot_items(plot) -> list:
    return plot.getPlotItem().listDataItems()


def pg_point(x: float, y: float):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def test_runs_panel_ctrl_click_compares_runs_and_exports_them(qtbot, tmp_path):
    runs = [finished_run(seed, epochs) for seed, epochs in ((1, 3), (2, 4), (3, 5))]
    panel = RunsPanel()
    curves = CurvesDock()
    panel.overlayChanged.connect(lambda chosen: curves.set_overlays([(r.id, r.curves) for r in chosen]))
    for w in (panel, curves):
        qtbot.addWidget(w)
        w.resize(600, 400)
        w.show()
    panel.set_runs(runs)
    assert panel.table.rowCount() == 3
    assert [panel.table.item(i, 4).text() for i in range(3)] == ["3", "4", "5"]

    def click_row(row: int, modifiers=Qt.NoModifier) -> None:
        rect = panel.table.visualItemRect(panel.table.item(row, 0))
        QTest.mouseClick(panel.table.viewport(), Qt.LeftButton, modifiers, rect.center())

    click_row(0)
    click_row(2, Qt.ControlModifier)
    assert [r.id for r in panel.selected_runs()] == [runs[0].id, runs[2].id]
    # four grey curves per compared run: training and validation loss, then accuracy
    plots = [curves.loss_plot] * 2 + [curves.acc_plot] * 2
    assert [plot for plot, _ in curves.overlays] == plots * 2
    assert [len(item.xData) for _, item in curves.overlays] == [3] * 4 + [5] * 4  # (getData is clipped to the view)
    for (_, item), key in zip(curves.overlays[4:], ("train_loss", "val_loss", "train_accuracy", "val_accuracy")):
        np.testing.assert_allclose(item.yData, runs[2].curves[key])
        assert item in plot_items(curves.loss_plot if "loss" in key else curves.acc_plot)


    out = tmp_path / "runs.csv"
    panel.export_csv(str(out))
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 3 + 5 and {r["run"] for r in rows} == {runs[0].id, runs[2].id}
    assert float(rows[0]["train_loss"]) == pytest.approx(runs[0].curves["train_loss"][0])

    png = tmp_path / "plot.png"
    assert curves.export_png(str(png))
    image = QImage(str(png))
    assert (image.width(), image.height()) == (curves.widget().width(), curves.widget().height())

    before = [item for _, item in curves.overlays]
    panel.select_back(2)  # what a lesson step with compare=2 does: the run before the newest, alone
    assert [r.id for r in panel.selected_runs()] == [runs[1].id]
    assert [len(item.xData) for _, item in curves.overlays] == [4] * 4
    shown = plot_items(curves.loss_plot) + plot_items(curves.acc_plot)
    assert not any(item in shown for item in before)  # the earlier grey curves are gone
    panel.select_back(4)  # fewer runs than that: nothing in grey
    assert panel.selected_runs() == [] and curves.overlays == []


def test_regression_surface_is_a_colour_mapped_value_image(qtbot):
    dock = DecisionDock()
    qtbot.addWidget(dock)
    dock.show()
    project = toy_project("plane", n=200)
    from tests.conftest import build_mlp

    project.graph, _ = build_mlp(sizes=(2, 8, 1), activation="tanh", loss="mse")
    trainer = trainer_for_project(project)
    ds = trainer.dataset
    dock.set_points(ds.points_train, ds.y_train, ds.points_val, ds.y_val, ds.task)
    trainer.run_epoch()
    region = dock.region()
    snap = trainer.snapshot(1, "paused", Extras(grid=(*region, 40)))
    dock.update_snapshot(snap)
    img = dock.image.image
    assert img.shape == (40, 40)
    np.testing.assert_allclose(img, snap.grid.values[:, :, 0])
    # the grid is evaluated where the dock asked
    assert snap.grid.x[0] == pytest.approx(region[0]) and snap.grid.x[-1] == pytest.approx(region[1])


def test_feature_maps_follow_the_chosen_example(qtbot):
    from nnstudio.io import load_project
    from nnstudio.ui.panels.gallery import example_paths

    dock = FeatureMapsDock()
    qtbot.addWidget(dock)
    dock.show()
    path = next(p for p in example_paths() if p.stem == "digits-cnn")
    trainer = trainer_for_project(load_project(path), path.parent)
    dock.sample.setValue(7)
    assert dock.needs() == {"sample_index": 7}
    snap = trainer.snapshot(1, "paused", Extras(**dock.needs()))
    dock.update_snapshot(snap)
    np.testing.assert_allclose(np.asarray(snap.sample_input), trainer.X_val[7])
    assert dock.images["input"].image.shape == np.asarray(snap.sample_input).shape[1:]


@given(st.integers(3, 40), st.integers(2, 6), st.integers(0, 10_000))
def test_pca_2d_matches_the_top_eigenvectors_of_the_covariance(n, d, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, d)) * np.linspace(3, 0.5, d)
    xy = pca_2d(a)
    centred = a - a.mean(axis=0)
    cov = centred.T @ centred
    vals, vecs = np.linalg.eigh(cov)
    ref = centred @ vecs[:, ::-1][:, :2]
    # principal directions are defined up to sign
    for k in range(2):
        if vals[::-1][k] - (vals[::-1][k + 1] if k + 1 < d else 0) > 1e-6 * vals.max():
            assert np.allclose(xy[:, k], ref[:, k], atol=1e-8) or np.allclose(xy[:, k], -ref[:, k], atol=1e-8)
    assert np.var(xy[:, 0]) >= np.var(xy[:, 1]) - 1e-12
