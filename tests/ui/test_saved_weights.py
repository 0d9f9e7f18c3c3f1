"""Trained weights in the window: Ctrl+S stores them, reopening shows them, File > Import weights loads parts."""
from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from nnstudio.io import load_project, save_project
from tests.training.conftest import toy_project
from tests.ui.test_live_training import click_action, float_all_views, open_project, views_caught_up


def latest(window):
    return window.trainer.session.latest_snapshot()


def wait_shown(window, qtbot, check, timeout=60_000):
    """Until the controller drew a snapshot that passes ``check`` in every visible view."""
    qtbot.waitUntil(lambda: window.trainer.session is not None and latest(window) is not None
                    and check(latest(window)) and views_caught_up(window), timeout=timeout)
    return latest(window)


@pytest.fixture
def second_window(qtbot):
    from nnstudio.ui.main_window import MainWindow

    made = []

    def make():
        w = MainWindow()
        w._ask_save = lambda: "discard"
        w.resize(1400, 900)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.trainer.timer.stop()
        w.trainer.close_session(store=False)
        w.close()
        w.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QApplication.processEvents()
    gc.collect()


def test_ctrl_s_saves_the_trained_weights_and_a_new_window_opens_them_trained(window, qtbot, tmp_path,
                                                                              second_window):
    open_project(window, tmp_path, toy_project("xor", n=200, hidden=8, epochs=50, lr=0.05))
    path = window.path
    for _ in range(3):
        click_action(window, window.trainer.step_action)
        qtbot.waitUntil(lambda: latest(window) is not None and latest(window).state == "paused")
    click_action(window, window.trainer.epoch_action)
    wait_shown(window, qtbot, lambda s: s.state == "paused" and s.epoch == 1)
    trained = window.trainer.session.weights()
    window.view.setFocus()
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier)
    assert window.windowTitle() == f"{path.name} - nnstudio"

    saved = load_project(path)
    assert set(saved.weights) == set(trained)
    for nid, tensors in trained.items():
        for k, v in tensors.items():
            assert saved.weights[nid][k].tobytes() == v.tobytes()
    assert int(saved.optimizer["epoch"]) == 1 and int(saved.optimizer["steps"]) == 10  # 150 samples / 16
    assert str(saved.optimizer["optimizer"]) == "adam"

    other = second_window()
    assert other.open_path(path)
    float_all_views(other)
    snap = wait_shown(other, qtbot, lambda s: s.params is not None and s.grid is not None)
    assert (snap.epoch, snap.step) == (1, 10)
    for nid, tensors in trained.items():  # the views get the saved weights, not a fresh initialisation
        for k, v in tensors.items():
            np.testing.assert_array_equal(snap.params[nid][k], v)
    nid = other.weights_dock.layer.currentData()
    np.testing.assert_array_equal(other.weights_dock.image.image, trained[nid]["weight"])
    status = other.trainer.status.text()
    assert "epoch 1" in status and "step 10" in status and "val acc" in status
    assert "trained weights loaded" in status
    assert "The network is trained" in other.statusBar().currentMessage()
    assert other.decision_dock.image.image is not None  # the decision surface of the trained net
    assert len(other.grad_dock.heights) >= 3  # layer statistics of the loaded weights, before any step
    assert all(np.isfinite(layer.act_mean) for layer in snap.layers if layer.kind == "Activation")
    assert other.windowTitle() == f"{path.name} - nnstudio"  # opening did not modify anything

    # Train continues from there: the next step is step 11
    click_action(other, other.trainer.step_action)
    snap = wait_shown(other, qtbot, lambda s: s.step == 11)
    assert snap.epoch == 1 and "step 11" in other.trainer.status.text()
    assert "trained weights loaded" not in other.trainer.status.text()
    assert all(np.isfinite(t).all() for ts in other.trainer.session.weights().values() for t in ts.values())


def test_reset_then_save_drops_the_saved_weights(window, qtbot, tmp_path):
    project = toy_project("xor", n=120, epochs=20)
    open_project(window, tmp_path, project)
    click_action(window, window.trainer.epoch_action)
    wait_shown(window, qtbot, lambda s: s.epoch == 1)
    window.view.setFocus()
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier)
    assert load_project(window.path).weights
    click_action(window, window.trainer.reset_action)
    wait_shown(window, qtbot, lambda s: s.step == 0)
    window.mark_modified()
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier)
    reopened = load_project(window.path)
    assert reopened.weights is None and reopened.optimizer is None


def choose_menu_item(window, qtbot, menu_title: str, text: str) -> None:
    """Open a menu of the menu bar with the mouse and click one of its items."""
    bar = window.menuBar()
    menu_action = next(a for a in bar.actions() if a.text().replace("&", "") == menu_title)
    QTest.mouseClick(bar, Qt.LeftButton, pos=bar.actionGeometry(menu_action).center())
    menu = menu_action.menu()
    qtbot.waitUntil(menu.isVisible)
    item = next(a for a in menu.actions() if a.text().replace("&", "") == text)
    QTest.mouseClick(menu, Qt.LeftButton, pos=menu.actionGeometry(item).center())


def test_file_import_weights_applies_matching_parts_and_reports_the_rest(window, qtbot, tmp_path, monkeypatch):
    open_project(window, tmp_path, toy_project("xor", n=120, hidden=8, epochs=20))
    float_all_views(window)
    graph = window.project.graph
    dense = [n for n in graph.nodes.values() if n.kind == "Dense"]
    rng = np.random.default_rng(4)
    w1 = rng.normal(size=(8, 2)).astype(np.float32)
    b1 = rng.normal(size=8).astype(np.float32)
    npz = tmp_path / "parts.npz"
    np.savez(npz, **{f"{dense[0].name}.weight": w1, f"{dense[0].name}.bias": b1,
                     f"{dense[1].name}.weight": np.zeros((3, 3), np.float32)})
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: asked.append(a[2:]) or (str(npz), "Trained weights (*.npz *.nnstudio)"))

    choose_menu_item(window, qtbot, "File", "Import weights...")
    qtbot.waitUntil(lambda: getattr(window, "import_report", None) is not None
                    and window.import_report.isVisible())
    assert asked and "*.npz" in asked[0][-1]
    dialog = window.import_report
    assert dialog.summary.text() == "Imported 2 tensors into 1 node from parts.npz."
    details = dialog.details.toPlainText()
    assert f"{dense[0].name} (Dense): weight 8x2, bias 8" in details
    assert f"{dense[1].name} (Dense) weight: 8x8 here, 3x3 in parts.npz" in details
    assert f"{dense[2].name} (Dense): parts.npz has no node of that name" in details
    dialog.grab().save(str(tmp_path / "import-report.png"))
    assert window.windowTitle().endswith("* - nnstudio")  # the project is modified

    snap = wait_shown(window, qtbot, lambda s: s.params is not None
                      and np.array_equal(s.params[dense[0].id]["weight"], w1))
    np.testing.assert_array_equal(snap.params[dense[0].id]["bias"], b1)
    window.weights_dock.layer.setCurrentIndex(window.weights_dock.layer.findData(dense[0].id))
    window.weights_dock.draw(snap)
    np.testing.assert_array_equal(window.weights_dock.image.image, w1)
    assert "weights imported from parts.npz" in window.trainer.status.text()


def test_an_unreadable_import_says_why_and_changes_nothing(window, qtbot, tmp_path, monkeypatch):
    open_project(window, tmp_path, toy_project("xor", n=120))
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not an archive")
    assert not window.import_weights_from(bad)
    assert window.messages and "broken.npz" in window.messages[-1] and "not a readable .npz" in window.messages[-1]
    assert window.windowTitle().endswith(".nnstudio - nnstudio")


def test_an_edit_that_changes_shapes_drops_those_weights_and_says_so(window, qtbot, tmp_path):
    from PySide6.QtWidgets import QSpinBox

    from nnstudio.training import trainer_for_project

    project = toy_project("xor", n=120, hidden=8, epochs=20)
    trainer = trainer_for_project(project)
    trainer.run_epoch()
    project.weights, project.optimizer = trainer.weights(), trainer.training_state()
    open_project(window, tmp_path, project)
    wait_shown(window, qtbot, lambda s: s.epoch == 1)
    dense = [n for n in window.project.graph.nodes.values() if n.kind == "Dense"]
    window.scene.select_nodes([dense[1].id])
    spin = window.inspector.editors["units"]
    assert isinstance(spin, QSpinBox)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "5")
    QTest.keyClick(spin.lineEdit(), Qt.Key_Return)
    assert window.project.graph.nodes[dense[1].id].params["units"] == 5
    messages = []
    window.trainer.message.connect(messages.append)
    click_action(window, window.trainer.step_action)
    snap = wait_shown(window, qtbot, lambda s: s.state == "paused" and s.step == 1)
    dropped = [m for m in messages if m.startswith("The network changed:")]
    assert dropped, messages
    assert f"{dense[1].name} (Dense) no longer fit" in dropped[0] and f"{dense[2].name} (Dense)" in dropped[0]
    assert dense[0].name not in dropped[0]
    kept = window.trainer.session.weights()[dense[0].id]["weight"]
    saved = project.weights[dense[0].id]["weight"]
    assert np.max(np.abs(kept - saved)) <= 0.05 * 1.001  # kept: the saved weights, one Adam step (lr 0.05) on
    assert snap.params is None or snap.params[dense[1].id]["weight"].shape == (5, 8)


def test_a_trained_project_opened_while_the_kernels_compile_shows_its_weights_once_they_are_ready(
        window, qtbot, tmp_path, monkeypatch):
    from nnstudio.training import trainer_for_project
    from nnstudio.ui import training_controller as tcm

    project = toy_project("xor", n=120, epochs=20)
    trainer = trainer_for_project(project)
    trainer.run_epoch()
    project.weights, project.optimizer = trainer.weights(), trainer.training_state()
    ready = [False]
    monkeypatch.setattr(tcm, "kernels_ready", lambda: ready[0])
    open_project(window, tmp_path, project)
    assert window.trainer.session is None  # nothing compiled ran in the GUI thread
    assert "compiling its kernels" in window.trainer.status.text()
    ready[0] = True
    snap = wait_shown(window, qtbot, lambda s: s.epoch == 1)
    assert snap.step == trainer.step_count and "trained weights loaded" in window.trainer.status.text()



def test_a_reopened_digits_cnn_shows_the_feature_maps_of_its_saved_filters(window, qtbot, tmp_path):
    import nnstudio as ns
    from nnstudio.io import load_project as load
    from nnstudio.training import trainer_for_project
    from nnstudio.ui.panels.gallery import example_paths

    project = load(next(p for p in example_paths() if p.stem == "digits-cnn"))
    trainer = trainer_for_project(project, epochs=1, threads=1)
    trainer.run_epoch()
    project.weights, project.optimizer = trainer.weights(), trainer.training_state()
    open_project(window, tmp_path, project, "digits.nnstudio")
    float_all_views(window)
    snap = wait_shown(window, qtbot, lambda s: s.feature_maps is not None and s.params is not None)
    assert snap.epoch == 1
    conv = [n.id for n in window.project.graph.nodes.values() if n.kind == "Conv2D"]
    assert set(snap.feature_maps) == set(conv) and window.maps_dock.draws > 0
    # what the saved filters make of the shown example, computed apart from the window
    plan = ns.compile(window.project.graph, batch_size=1)
    plan.load_params(project.weights)
    acts = plan.activations(np.asarray(snap.sample_input)[None])
    for nid in conv:
        np.testing.assert_allclose(snap.feature_maps[nid], acts[nid][0], rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(snap.params[nid]["weight"], project.weights[nid]["weight"])
