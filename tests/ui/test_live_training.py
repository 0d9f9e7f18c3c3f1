"""Training from the main window with every view open: toolbar clicks in, what the views show out."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from nnstudio.io import save_project
from nnstudio.ui.panels.gallery import example_paths
from nnstudio.ui.plots.classes import pca_2d
from tests.training.conftest import toy_project

FINAL = ("finished", "stopped", "diverged", "error")


def click_action(window, action) -> None:
    """Press a toolbar action with the mouse, as a user would."""
    button = window.training_toolbar.widgetForAction(action)
    assert button is not None and button.isEnabled()
    QTest.mouseClick(button, Qt.LeftButton)


def float_all_views(window) -> None:
    """Detach every plot dock so each one is visible at once (the user's 'all views open')."""
    for dock in window.plot_docks:
        dock.setFloating(True)
        dock.resize(420, 320)
        dock.show()
    window.trainer.apply_extras()


def views_caught_up(window) -> bool:
    """The controller has taken the newest snapshot and every visible view has drawn it."""
    tc = window.trainer
    return (tc.last_seq == tc.session.latest_snapshot().seq
            and not any(d.stale and d.isVisible() for d in window.plot_docks))


def wait_state(window, qtbot, states, timeout=60_000):
    qtbot.waitUntil(lambda: window.trainer.session is not None
                    and window.trainer.session.latest_snapshot() is not None
                    and window.trainer.session.latest_snapshot().state in states
                    and views_caught_up(window), timeout=timeout)
    return window.trainer.session.latest_snapshot()


def open_project(window, tmp_path, project, name="net.nnstudio"):
    path = tmp_path / name
    save_project(project, path)
    assert window.open_path(path)


def test_xor_trains_from_the_toolbar_and_every_view_shows_it(window, qtbot, tmp_path):
    open_project(window, tmp_path, toy_project("xor", n=300, hidden=8, epochs=60, lr=0.03))
    float_all_views(window)
    click_action(window, window.trainer.train_action)
    snap = wait_state(window, qtbot, FINAL)
    assert snap.state == "finished"
    assert snap.metrics["val_accuracy"] >= 0.95
    assert window.trainer.train_action.text() == "Train"
    assert "val acc" in window.trainer.status.text()

    for dock in window.plot_docks[:-1]:  # feature maps need a convolution; xor has none
        assert dock.draws > 0, type(dock).__name__

    # loss and accuracy curves: one point per epoch, the values of the run
    c = snap.curves
    x, y = window.curves_dock.train_loss.getData()
    np.testing.assert_allclose(x, c.epoch)
    np.testing.assert_allclose(y, c.train_loss)
    assert y[-1] < y[0] / 3
    _, acc = window.curves_dock.val_acc.getData()
    assert acc[-1] == pytest.approx(snap.metrics["val_accuracy"])

    # decision surface: an RGB image over the data region, every training point drawn
    x_lo, x_hi = window.decision_dock.region()[:2]
    assert window.decision_dock.note.isHidden() and not window.decision_dock.plot.isHidden()
    img = window.decision_dock.image.image
    assert img.ndim == 3 and img.shape[2] == 3 and img.shape[0] == img.shape[1] >= 32
    ds = window.trainer.session.dataset
    assert len(window.decision_dock.train_pts.data) == len(ds.y_train)
    # the four xor quadrants get two different colours: the surface is not flat
    q = img.shape[0] // 4
    corners = [img[q, q], img[q, -q], img[-q, q], img[-q, -q]]
    assert np.abs(corners[0].astype(int) - corners[1].astype(int)).sum() > 60

    # gradient norms: one bar per layer, heights are log10 of the norms
    norms = np.array([layer.grad_norm for layer in snap.layers if np.isfinite(layer.grad_norm)
                      and layer.grad_norm > 0])
    np.testing.assert_allclose(window.grad_dock.heights, norms)
    np.testing.assert_allclose(window.grad_dock.bars.opts["height"], np.log10(norms) + 12)

    # histograms over time and activation distributions
    assert window.hist_dock.w_img.image is not None and window.hist_dock.w_img.image.shape[0] >= 2
    assert len(window.act_dock.curves) >= 2
    for curve in window.act_dock.curves.values():
        _, share = curve.getData()
        assert share.sum() == pytest.approx(1.0)

    # weights of the chosen layer as a matrix (out, in)
    nid = window.weights_dock.layer.currentData()
    np.testing.assert_allclose(window.weights_dock.image.image, snap.params[nid]["weight"])

    # confusion matrix: cell texts are the counts, they add up to the validation set
    counts = np.asarray(snap.metrics["confusion"])
    texts = [int(text) for text, _colour in window.confusion_dock.numbers.cells]
    assert texts == counts.ravel().tolist() and sum(texts) == len(ds.y_val)

    # hidden-layer projection: the PCA of the recorded activations, one point per sample
    hid = window.projection_dock.layer.currentData()
    xy = pca_2d(snap.hidden[hid])
    pts = window.projection_dock.points.getData()
    np.testing.assert_allclose(np.c_[pts[0], pts[1]], xy)

    # the finished run lands in the runs panel
    qtbot.waitUntil(lambda: window.runs_panel.table.rowCount() == 1)
    # zooming out of the decision surface asks the finished run for a new grid: still one run
    seq = window.trainer.last_seq
    window.decision_dock.plot.getViewBox().scaleBy((2, 2))
    qtbot.waitUntil(lambda: window.trainer.last_seq > seq)
    assert window.decision_dock.region()[1] - window.decision_dock.region()[0] > 1.9 * (x_hi - x_lo)
    assert window.runs_panel.table.rowCount() == 1 and len(window.project.runs) == 1
    assert window.runs_panel.table.item(0, 0).text()


def test_step_epoch_pause_and_reset_from_the_toolbar(window, qtbot, tmp_path):
    open_project(window, tmp_path, toy_project("circle", n=200, epochs=500, batch_size=10))
    tc = window.trainer
    click_action(window, tc.step_action)
    snap = wait_state(window, qtbot, ("paused",))
    assert snap.step == 1 and snap.epoch == 0
    x, _ = window.curves_dock.train_loss.getData()
    click_action(window, tc.epoch_action)
    qtbot.waitUntil(lambda: tc.session.latest_snapshot().epoch == 1 and views_caught_up(window))
    snap = tc.session.latest_snapshot()
    steps_per_epoch = int(np.ceil(150 / 10))
    assert snap.state == "paused" and snap.step == steps_per_epoch  # Epoch finishes the pass the step began
    ex, _ = window.curves_dock.train_loss.getData()
    assert list(ex) == [1]

    click_action(window, tc.train_action)
    qtbot.waitUntil(lambda: tc.train_action.text() == "Pause")
    click_action(window, tc.train_action)
    snap = wait_state(window, qtbot, ("paused",))
    paused_at = snap.step
    assert paused_at > steps_per_epoch
    qtbot.wait(200)
    assert tc.session.latest_snapshot().step == paused_at  # paused means no more steps

    click_action(window, tc.reset_action)
    qtbot.waitUntil(lambda: tc.session.latest_snapshot().step == 0 and views_caught_up(window))
    ex, _ = window.curves_dock.train_loss.getData()
    assert ex is None or len(ex) == 0


def test_divergence_shows_the_banner_and_roll_back_restores_finite_weights(window, qtbot, tmp_path):
    open_project(window, tmp_path, toy_project("spiral", n=300, hidden=16, epochs=200, lr=100.0,
                                               optimizer="sgd"))
    click_action(window, window.trainer.train_action)
    snap = wait_state(window, qtbot, FINAL)
    assert snap.state == "diverged"
    assert window.banner.isVisible()
    assert "diverged" in window.banner.text.text().lower()
    QTest.mouseClick(window.banner.halve, Qt.LeftButton)
    assert not window.banner.isVisible()
    assert window.trainer.lr.value() == pytest.approx(50.0)
    qtbot.waitUntil(lambda: window.trainer.session.latest_snapshot().state == "paused")
    weights = window.trainer.session.weights()
    assert all(np.isfinite(t).all() for tensors in weights.values() for t in tensors.values())


def test_digits_cnn_example_shows_filters_and_feature_maps(window, qtbot):
    path = next(p for p in example_paths() if p.stem == "digits-cnn")
    assert window.open_path(path)
    window.trainer.epochs.setValue(1)
    float_all_views(window)
    click_action(window, window.trainer.train_action)
    snap = wait_state(window, qtbot, FINAL, timeout=120_000)
    assert snap.state == "finished"
    assert window.maps_dock.draws > 0
    conv_ids = [n.id for n in window.project.graph.nodes.values() if n.kind == "Conv2D"]
    assert set(snap.feature_maps) == set(conv_ids)
    assert window.maps_dock.tile_counts["input"] == 1
    for nid in conv_ids:
        assert window.maps_dock.tile_counts[nid] == window.project.graph.nodes[nid].params["out_channels"]
        title = window.maps_dock.titles[nid].text
        assert window.project.graph.nodes[nid].name in title and f"{snap.feature_maps[nid].shape[0]} maps" in title
    # 64 inputs: no decision surface, and the view says why instead of showing empty axes
    assert window.decision_dock.plot.isHidden() and "two inputs" in window.decision_dock.note.text()
    # choose the first convolution in the weights view: one tile per filter
    dock = window.weights_dock
    dock.layer.setCurrentIndex(dock.layer.findData(conv_ids[0]))
    dock.draw(snap)
    assert dock.tiles == window.project.graph.nodes[conv_ids[0]].params["out_channels"]


def test_views_wait_while_the_gui_thread_is_over_its_cpu_budget_and_resume_below_it(window, qtbot, tmp_path,
                                                                                     monkeypatch):
    from nnstudio.ui import training_controller as tcm

    open_project(window, tmp_path, toy_project("circle", n=400, epochs=100_000, lr=0.01))
    float_all_views(window)
    tc = window.trainer
    click_action(window, tc.train_action)
    qtbot.waitUntil(lambda: tc.session.latest_snapshot() is not None
                    and tc.session.latest_snapshot().state == "running", timeout=60_000)

    class Clock:  # the GUI thread's CPU clock, driven by the test
        busy = True
        cpu = tcm.time.thread_time()  # continues the real clock: a jump back would read as a quiet second
        wall = None

        def thread_time(self):
            now = tcm.time.perf_counter()
            if self.busy and self.wall is not None:
                self.cpu += now - self.wall  # every wall second is a CPU second: fully busy
            self.wall = now
            return self.cpu

    clock = Clock()
    monkeypatch.setattr(tcm.time, "thread_time", clock.thread_time)
    draws = lambda: sum(d.draws for d in window.plot_docks)  # noqa: E731
    qtbot.waitUntil(lambda: tc.view_cpu_share > tcm.VIEW_CPU_BUDGET, timeout=5_000)
    before = draws()
    qtbot.wait(600)
    assert tc.session.latest_snapshot().state == "running"
    assert draws() == before  # over budget while training runs: no redraws

    clock.busy = False  # the thread goes quiet: the average decays and the views draw again
    qtbot.waitUntil(lambda: draws() > before, timeout=10_000)
    assert tc.view_cpu_share < tcm.VIEW_CPU_BUDGET
    click_action(window, tc.train_action)
    wait_state(window, qtbot, ("paused",))


def test_train_clicked_while_the_kernels_compile_waits_without_blocking_then_starts(window, qtbot, tmp_path,
                                                                                      monkeypatch):
    from nnstudio.ui import training_controller as tcm

    ready = [False]
    monkeypatch.setattr(tcm, "kernels_ready", lambda: ready[0])  # the first start's warm-up is under way
    open_project(window, tmp_path, toy_project("xor", n=120, epochs=3))
    tc = window.trainer
    click_action(window, tc.train_action)
    assert tc.session is None  # nothing ran compiled code in the GUI thread
    assert "compiling its kernels" in tc.status.text()
    qtbot.wait(300)
    assert tc.session is None
    ready[0] = True  # the warm-up is done: the click takes effect without another one
    wait_state(window, qtbot, ("finished",))
    assert tc.session.latest_snapshot().epoch == 3
