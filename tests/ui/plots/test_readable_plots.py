"""Plots that read at a glance, checked by what they draw after a few real training steps, in both themes."""
from __future__ import annotations

import numpy as np
import pytest
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QColor, QFontMetricsF, QPalette
from PySide6.QtWidgets import QApplication

from nnstudio.io import load_project
from nnstudio.training import Extras
from nnstudio.training.project import trainer_for_project
from nnstudio.ui.panels.gallery import example_paths
from nnstudio.ui.plots import ActivationsDock, ConfusionDock, CurvesDock, DecisionDock, FeatureMapsDock
from nnstudio.ui.plots.classes import NO_CONVOLUTION, NOT_IMAGES
from nnstudio.ui.plots.decision import MAX_STRENGTH, confidence_image
from nnstudio.ui.theme import apply_theme
from tests.conftest import build_mlp
from tests.training.conftest import toy_project
from tests.ui.conftest import shown


@pytest.fixture(params=["light", "dark"])
def theme(request, qapp):
    apply_theme(qapp, request.param)
    yield request.param
    apply_theme(qapp, "light")


def example_trainer(name: str, epochs: int):
    path = next(p for p in example_paths() if p.stem == name)
    trainer = trainer_for_project(load_project(path), path.parent, use_weights=False)
    for _ in range(epochs):
        trainer.run_epoch()
    return trainer


def luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.fixture(scope="module")
def digits_snapshot():
    trainer = example_trainer("digits-mlp", 1)
    return trainer, trainer.snapshot(1, "paused", Extras(sample_index=3))


@pytest.mark.parametrize("size", [(300, 280), (700, 640)])
def test_confusion_numbers_contrast_with_their_cells_and_fit_them(qtbot, theme, digits_snapshot, size):
    trainer, snap = digits_snapshot
    dock = shown(qtbot, ConfusionDock(), *size)
    dock.set_class_names(trainer.dataset.class_names)
    dock.update_snapshot(snap)
    m = np.asarray(snap.metrics["confusion"])
    k = m.shape[0]
    share = m / np.maximum(1, m.sum(axis=1, keepdims=True))
    assert share.diagonal().max() > 0.6 and share.min() == 0  # dark and light cells both occur
    vb = dock.view.getViewBox()
    qtbot.waitUntil(lambda: vb.width() > 50)
    numbers = dock.numbers
    dock.view.viewport().update()  # the numbers' font follows the cells' size when they are painted
    qtbot.waitUntil(lambda: numbers.font_px >= 6)
    cell_px = min(vb.width() / np.ptp(vb.viewRange()[0]), vb.height() / np.ptp(vb.viewRange()[1]))
    assert numbers.k == k
    metrics = QFontMetricsF(numbers.font_for(cell_px))
    assert numbers.font_for(cell_px).pixelSize() == numbers.font_px
    for i in range(k):
        for j in range(k):
            text, colour = numbers.cells[i * k + j]
            assert text == str(int(m[i, j]))
            cell = dock.cmap.map(np.array([share[i, j]]), mode="qcolor")[0]
            assert contrast(colour, cell) >= 4.5, (i, j, colour.name(), cell.name())
            # the number's box, in pixels, fits inside its cell
            box = metrics.boundingRect(text)
            assert box.width() <= cell_px and box.height() <= cell_px * 1.3, (box, cell_px)
    # and they are on screen: the picture of a cell holding a number has the number's colour in it
    img = dock.view.grab().toImage()
    i, j = np.unravel_index(np.argmax(m), m.shape)  # a big count on a dark cell: white text
    rect = dock.view.mapFromScene(vb.mapViewToScene(QPointF(j + 0.5, i + 0.5)))
    text, colour = numbers.cells[i * k + j]
    x0, y0 = rect.x(), rect.y()
    half = int(cell_px / 2) - 1
    rgb = np.array([[img.pixelColor(x, y).getRgb()[:3] for x in range(x0 - half, x0 + half)]
                    for y in range(y0 - half, y0 + half)], dtype=float)
    want = np.array(colour.getRgb()[:3], dtype=float)
    cell = np.array(dock.cmap.map(np.array([share[i, j]]), mode="qcolor")[0].getRgb()[:3], dtype=float)
    # antialiased glyphs: some pixels come much nearer the text's colour than the cell's own colour is
    assert np.linalg.norm(rgb - want, axis=2).min() < 0.4 * np.linalg.norm(cell - want)


def test_decision_surface_lightness_follows_confidence(qtbot, theme):
    project = toy_project("circle", n=300, epochs=5)
    trainer = trainer_for_project(project)
    dock = shown(qtbot, DecisionDock(), 480, 420)
    ds = trainer.dataset
    dock.set_points(ds.points_train, ds.y_train, ds.points_val, ds.y_val, ds.task)
    for _ in range(5):
        trainer.run_epoch()
    snap = trainer.snapshot(1, "paused", Extras(grid=dock.needs()["grid"]))
    dock.update_snapshot(snap)
    img = dock.image.image.astype(float)
    probs = np.asarray(snap.grid.values, dtype=float)
    probs = np.concatenate([1 - probs, probs], axis=2) if probs.shape[2] == 1 else probs
    conf = probs.max(axis=2)
    assert conf.min() < 0.7 and conf.max() > 0.95  # the surface has sure and unsure regions
    bg = pg.mkColor(pg.getConfigOption("background"))
    distance = np.linalg.norm(img - np.array([bg.red(), bg.green(), bg.blue()]), axis=2)
    # the surer the network, the farther the colour from the background; the unsure fade into it
    order = np.argsort(conf.ravel())
    low, high = distance.ravel()[order[: len(order) // 10]], distance.ravel()[order[-len(order) // 10:]]
    assert low.mean() < 0.35 * high.mean()
    assert np.corrcoef(conf.ravel(), distance.ravel())[0, 1] > 0.9
    # the hue is the picked class's: where class 1 wins, the pixel is nearer its colour than class 0's
    c0, c1 = (np.array(pg.mkColor(c).getRgb()[:3], float) for c in ("#1e88e5", "#fb8c00"))
    sure1 = (probs[:, :, 1] > 0.9)
    assert sure1.any()
    px = img[sure1]
    assert (np.linalg.norm(px - c1, axis=1) < np.linalg.norm(px - c0, axis=1)).all()


def test_confidence_image_from_background_to_class_colour():
    probs = np.array([[[0.5, 0.5], [0.0, 1.0], [0.75, 0.25]]])
    img = confidence_image(probs, (30, 39, 44)).astype(float)
    np.testing.assert_array_equal(img[0, 0], [30, 39, 44])  # unsure: the background
    np.testing.assert_allclose(img[0, 1], np.array([30, 39, 44]) + (np.array([251, 140, 0]) - [30, 39, 44])
                               * MAX_STRENGTH, atol=0.5)  # sure: most of the class colour
    assert 0 < np.abs(img[0, 2] - [30, 39, 44]).sum() < np.abs(img[0, 1] - [30, 39, 44]).sum()


def test_regression_surface_has_a_colour_bar_over_the_targets_range(qtbot, theme):
    project = toy_project("plane", n=200)
    project.graph, _ = build_mlp(sizes=(2, 8, 1), activation="tanh", loss="mse")
    trainer = trainer_for_project(project)
    ds = trainer.dataset
    dock = shown(qtbot, DecisionDock(), 480, 420)
    dock.set_points(ds.points_train, ds.y_train, ds.points_val, ds.y_val, ds.task)
    trainer.run_epoch()
    dock.update_snapshot(trainer.snapshot(1, "paused", Extras(grid=(*dock.region(), 32))))
    y = np.concatenate([ds.y_train.ravel(), ds.y_val.ravel()])
    assert dock.colour_bar.isVisible()
    assert dock.colour_bar.levels() == pytest.approx((float(y.min()), float(y.max())))
    assert dock.image.getLevels() == pytest.approx((float(y.min()), float(y.max())))
    # the bar sits beside the plot, not over it
    bar = dock.colour_bar.sceneBoundingRect()
    view = dock.plot.getViewBox().sceneBoundingRect()
    assert bar.left() >= view.right() - 1
    # a point is coloured as the surface would be at its target value
    i = int(np.argmax(ds.y_train.ravel()))
    top = dock.cmap.map(np.array([1.0]), mode="qcolor")[0]
    assert dock.train_pts.data["brush"][i].color().name() == top.name()
    # classification: no colour bar
    xor = trainer_for_project(toy_project("xor", n=80)).dataset
    dock.set_points(xor.points_train, xor.y_train, xor.points_val, xor.y_val, xor.task)
    assert not dock.colour_bar.isVisible()


def test_feature_maps_explain_themselves_without_convolution(qtbot, theme, digits_snapshot):
    dock = shown(qtbot, FeatureMapsDock(), 480, 420)
    assert dock.note.isVisible() and "digits-cnn" in dock.note.text() and not dock.view.isVisible()
    _, snap = digits_snapshot  # images, but an MLP
    dock.update_snapshot(snap)
    assert dock.note.isVisible() and dock.note.text() == NO_CONVOLUTION
    assert dock.view.isVisible() and dock.images["input"].image is not None  # the example itself is shown
    trainer = trainer_for_project(toy_project("xor", n=80))  # not images at all
    dock.update_snapshot(trainer.snapshot(1, "paused", Extras(sample_index=0)))
    assert dock.note.text() == NOT_IMAGES and not dock.view.isVisible() and not dock.sample.isEnabled()
    cnn = example_trainer("digits-cnn", 0)
    dock.update_snapshot(cnn.snapshot(1, "paused", Extras(sample_index=0)))
    assert not dock.note.isVisible() and dock.view.isVisible() and len(dock.images) == 3


def test_legends_are_off_the_curves(qtbot, theme, digits_snapshot):
    _, snap = digits_snapshot
    curves = shown(qtbot, CurvesDock(), 480, 420)
    curves.update_snapshot(snap)
    assert curves.loss_plot.getPlotItem().legend is None  # nothing drawn over the plot
    assert curves.legend.isVisible() and "training" in curves.legend.text() and "validation" in curves.legend.text()
    top_of_plot = curves.loss_plot.mapTo(curves, curves.loss_plot.rect().topLeft()).y()
    assert curves.legend.mapTo(curves, curves.legend.rect().bottomLeft()).y() <= top_of_plot
    acts = shown(qtbot, ActivationsDock(), 480, 420)
    acts.update_snapshot(snap)
    assert acts.plot.getPlotItem().legend is None
    names = [layer.name for layer in snap.layers if layer.act_hist is not None and layer.kind == "Dense"]
    assert names and all(n in acts.legend.text() for n in names)
    bottom_of_plot = acts.plot.mapTo(acts, acts.plot.rect().bottomLeft()).y()
    assert acts.legend.mapTo(acts, acts.legend.rect().topLeft()).y() >= bottom_of_plot
    # every curve colour stands out from the plot background
    bg = pg.mkColor(pg.getConfigOption("background"))
    for curve in acts.curves.values():
        assert contrast(curve.opts["pen"].color(), bg) >= 3.0


def test_icons_stand_out_from_the_window_in_both_themes(qapp, theme):
    from nnstudio.ui.icons import icon

    window = QApplication.palette().color(QPalette.Window)
    for name in ("train", "step", "epoch", "stop", "reset", "layers", "convolution", "inputs", "merge"):
        image = icon(name).pixmap(QSize(24, 24)).toImage()
        inked = [image.pixelColor(x, y) for x in range(24) for y in range(24) if image.pixelColor(x, y).alpha() > 200]
        assert inked, name
        best = max(contrast(c, window) for c in inked)
        assert best >= 3.0, (name, theme, best)


def test_the_about_box_and_the_divergence_banner_follow_the_dark_theme(qtbot, qapp, theme):
    from PySide6.QtWidgets import QMessageBox

    from nnstudio.ui.plots import DivergenceBanner

    box = QMessageBox(QMessageBox.Information, "About nnstudio", "nnstudio")
    qtbot.addWidget(box)
    box.show()
    bg = box.grab().toImage().pixelColor(3, 3)
    assert (bg.lightness() < 80) == (theme == "dark")
    banner = DivergenceBanner()
    qtbot.addWidget(banner)
    banner.resize(500, 60)

    class Report:
        message = "the loss became NaN at step 12"

    banner.show_report(Report())
    qtbot.waitExposed(banner)
    inside = banner.grab().toImage().pixelColor(20, 30)
    assert (inside.lightness() < 100) == (theme == "dark")


def test_near_zero_weights_recede_into_the_background_in_both_themes(qtbot, theme, digits_snapshot):
    from nnstudio.ui.plots import WeightsDock

    trainer, _ = digits_snapshot
    dock = shown(qtbot, WeightsDock(), 480, 420)
    dock.update_snapshot(trainer.snapshot(1, "paused", Extras(params=True)))
    zero = QColor(*[int(v) for v in dock.image.lut[128][:3]])
    bg = pg.mkColor(pg.getConfigOption("background"))
    assert contrast(zero, bg) < 1.6  # a weight of 0 looks like empty background
    assert contrast(QColor(*[int(v) for v in dock.image.lut[0][:3]]), zero) > 2.0  # a large one does not
