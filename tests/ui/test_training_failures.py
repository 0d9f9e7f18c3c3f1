"""The window never freezes on a training failure and always says what happened (issue 16)."""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.training.conftest import toy_project
from tests.ui.test_live_training import click_action, open_project, wait_state


def spread(project):
    """Nodes left to right (the helper builds them all at the origin, on top of each other)."""
    for i, nid in enumerate(project.graph.topological_order()):
        project.graph.move(nid, (220.0 * i, 0.0))
    return project


def click_node(window, qtbot, nid) -> None:
    item = window.scene.node_items[nid]
    window.view.centerOn(item)
    qtbot.wait(10)
    at = window.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, at)


def test_step_delete_a_dense_layer_reset_step_keeps_the_window_answering(window, qtbot, tmp_path):
    """Open xor, Step, delete a Dense layer, Reset, Step: used to freeze the window for good."""
    open_project(window, tmp_path, spread(toy_project("xor")))
    tc = window.trainer
    click_action(window, tc.step_action)
    wait_state(window, qtbot, ("paused",))
    dense = next(n.id for n in window.project.graph.nodes.values() if n.kind == "Dense")
    click_node(window, qtbot, dense)
    assert window.scene.node_items[dense].isSelected()
    QTest.keyClick(window.view.viewport(), Qt.Key_Delete)
    assert dense not in window.project.graph.nodes
    click_action(window, tc.reset_action)
    began = time.monotonic()
    click_action(window, tc.step_action)
    assert time.monotonic() - began < 5.0  # the click returned: the GUI thread did not wait for ever
    # the changed network is not valid (the Input lost its wire): the window says so, no session hangs
    qtbot.waitUntil(lambda: "not valid" in window.statusBar().currentMessage(), timeout=10_000)
    # undo the delete: Step trains the whole network again, from fresh weights
    QTest.keyClick(window.view.viewport(), Qt.Key_Z, Qt.ControlModifier)
    assert dense in window.project.graph.nodes
    click_action(window, tc.step_action)
    snap = wait_state(window, qtbot, ("paused",))
    assert snap.step == 1
    weights = tc.session.weights(timeout=10)
    assert dense in weights and all(np.isfinite(w).all() for w in weights[dense].values())


def test_an_error_in_training_shows_a_banner_and_reset_recovers(window, qtbot, tmp_path, monkeypatch):
    open_project(window, tmp_path, toy_project("xor"))
    tc = window.trainer
    click_action(window, tc.step_action)
    wait_state(window, qtbot, ("paused",))
    trainer = tc.session._trainer

    def broken(*_a, **_k):
        raise RuntimeError("simulated failure in a kernel")

    monkeypatch.setattr(trainer, "train_batches", broken)
    click_action(window, tc.step_action)
    snap = wait_state(window, qtbot, ("error",))
    assert "simulated failure in a kernel" in snap.message
    qtbot.waitUntil(window.banner.isVisible)
    assert "Training stopped" in window.banner.text.text() and "simulated failure" in window.banner.text.text()
    assert not window.banner.rollback.isVisible()  # nothing to roll back to
    assert "(error)" in tc.status.text()
    monkeypatch.undo()
    click_action(window, tc.reset_action)
    assert not window.banner.isVisible()
    click_action(window, tc.step_action)
    snap = wait_state(window, qtbot, ("paused",))
    assert snap.step == 1


def test_the_batch_size_box_stops_at_the_training_set_size(window, qtbot, tmp_path):
    open_project(window, tmp_path, toy_project("xor", n=200))  # 150 training samples
    tc = window.trainer
    click_action(window, tc.step_action)
    wait_state(window, qtbot, ("paused",))
    tc.batch.setFocus()
    tc.batch.selectAll()
    QTest.keyClicks(tc.batch, "5000")
    QTest.keyClick(tc.batch, Qt.Key_Return)
    assert 1 <= tc.batch.value() <= 150 and tc.batch.maximum() == 150
    click_action(window, tc.step_action)  # the session trains on, with what the box shows
    qtbot.waitUntil(lambda: tc.session.latest_snapshot().step == 2)
    assert tc.session.latest_snapshot().state == "paused"
    assert tc.session.settings.batch_size == tc.batch.value()


def test_rollback_then_step_and_train_from_the_banner(window, qtbot, tmp_path):
    open_project(window, tmp_path, toy_project("spiral", n=300, hidden=16, epochs=200, lr=100.0, optimizer="sgd"))
    tc = window.trainer
    click_action(window, tc.train_action)
    snap = wait_state(window, qtbot, ("diverged", "finished"))
    assert snap.state == "diverged"
    step = snap.step
    qtbot.waitUntil(window.banner.isVisible)
    QTest.mouseClick(window.banner.rollback, Qt.LeftButton)
    wait_state(window, qtbot, ("paused",))
    tc.lr.setValue(0.001)
    click_action(window, tc.step_action)
    qtbot.waitUntil(lambda: tc.session.latest_snapshot().step == step + 1)
    assert tc.session.latest_snapshot().state == "paused", tc.session.latest_snapshot().message
    click_action(window, tc.train_action)
    qtbot.waitUntil(lambda: tc.session.latest_snapshot().step > step + 5, timeout=30_000)
    click_action(window, tc.train_action)
    snap = wait_state(window, qtbot, ("paused", "finished"))
    assert snap.state != "error", snap.message
