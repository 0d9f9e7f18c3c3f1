"""The training controller alone: fake collaborators instead of a main window, real toolbar clicks.

What the controller tells its host (status messages, "the project changed", problems, the banner,
the canvas) is asserted on the fakes; that it needs no window is the point of ``ControllerHost``.
"""
from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMainWindow, QToolBar

from nnstudio.graph import Graph
from nnstudio.io import Project
from nnstudio.ui.plots.banner import DivergenceBanner
from nnstudio.ui.training_controller import ControllerHost, TrainingController
from tests.training.conftest import toy_project


class FakeCanvas:
    """Records what the controller asks the canvas to draw."""

    def __init__(self) -> None:
        self.weights: list[Any] = []
        self.thumbnails: list[Any] = []

    def set_neuron_weights(self, params: Any) -> None:
        self.weights.append(params)

    def set_neuron_thumbnails(self, images: Any) -> None:
        self.thumbnails.append(images)


class FakeHost:
    """The window's part, as plain records; ``current`` can be replaced like the window's project."""

    def __init__(self, project: Project) -> None:
        self.current = project
        self.modified = 0
        self.problems: list[str] = []
        self.prepared: list[int] = []  # training-set size of each trainer the views were set up for
        self.banner = DivergenceBanner()
        self.canvas = FakeCanvas()

    def mark_modified(self) -> None:
        self.modified += 1

    def prepare_views(self, trainer: Any) -> None:
        self.prepared.append(len(trainer.X_train))

    def as_host(self) -> ControllerHost:
        return ControllerHost(project=lambda: self.current, mark_modified=self.mark_modified,
                              show_problem=self.problems.append, banner=self.banner, scene=self.canvas,
                              base_dir=lambda: None, prepare_views=self.prepare_views)


@pytest.fixture
def rig(qtbot):
    """A bare toolbar in a plain window (no MainWindow), a controller on it, and its fake host."""
    def make(project: Project) -> tuple[TrainingController, FakeHost, list[str], QToolBar]:
        frame = QMainWindow()
        toolbar = QToolBar("Training")
        frame.addToolBar(toolbar)
        host = FakeHost(project)
        tc = TrainingController(host.as_host(), toolbar, parent=frame)
        tc.show_settings(project.training)
        messages: list[str] = []
        tc.message.connect(messages.append)
        qtbot.addWidget(frame)
        qtbot.addWidget(host.banner)
        frame.show()
        qtbot.waitExposed(frame)
        made.append((frame, tc))  # the frame owns the toolbar and the controller: keep it alive
        return tc, host, messages, toolbar

    made: list[tuple[QMainWindow, TrainingController]] = []
    yield make
    for _frame, tc in made:
        tc.timer.stop()
        tc.close_session(store=False)


def click(toolbar: QToolBar, action: Any) -> None:
    button = toolbar.widgetForAction(action)
    assert button is not None and button.isEnabled()
    QTest.mouseClick(button, Qt.LeftButton)


def shown(tc: TrainingController, qtbot, done, timeout: int = 30_000) -> Any:
    """Wait until the controller's timer has taken a snapshot for which ``done`` holds."""
    def ok() -> bool:
        snap = tc.session.latest_snapshot() if tc.session is not None else None
        return snap is not None and snap.seq == tc.last_seq and done(snap)
    qtbot.waitUntil(ok, timeout=timeout)
    return tc.session.latest_snapshot()


def test_step_trains_the_hosts_current_project_and_reports_through_the_fakes(rig, qtbot):
    first = toy_project("xor", n=200, epochs=5)
    tc, host, messages, toolbar = rig(first)
    click(toolbar, tc.step_action)
    snap = shown(tc, qtbot, lambda s: s.step == 1 and s.state == "paused")
    assert host.prepared == [150]  # 200 samples, a quarter kept for validation
    assert tc.batch.maximum() == 150
    assert "step 1" in tc.status.text() and "(paused)" in tc.status.text()
    assert host.modified == 0 and host.problems == [] and host.banner.isHidden()
    assert snap.epoch == 0

    # a setting typed into the toolbar goes into the host's project, which is marked modified
    tc.lr.selectAll()
    QTest.keyClicks(tc.lr, "0.02")
    QTest.keyClick(tc.lr, Qt.Key_Return)
    assert first.training["lr"] == pytest.approx(0.02)
    assert host.modified >= 1
    qtbot.waitUntil(lambda: tc.session.settings.lr == pytest.approx(0.02))  # the worker applies it

    # the host replaces its project (open/new): the next click trains the new one, not a snapshot of the old
    tc.close_session(store=True)  # what the window does before it swaps projects
    assert len(first.runs) == 1 and first.runs[0]["steps"] == 1
    assert first.runs[0]["data"]["n"] == 200
    second = toy_project("xor", n=100, epochs=5)
    host.current = second
    tc.show_settings(second.training)
    click(toolbar, tc.step_action)
    shown(tc, qtbot, lambda s: s.step == 1 and s.state == "paused")
    assert len(host.prepared) == 2 and 70 <= host.prepared[1] <= 80  # about 3/4 of 100 (split per class)
    assert tc.batch.maximum() == host.prepared[1]
    assert second.training["lr"] == pytest.approx(0.05)  # its own settings, not the first project's
    assert second.runs == [] and len(first.runs) == 1


def test_a_finished_run_is_kept_in_the_project_once(rig, qtbot):
    project = toy_project("xor", n=64, epochs=3)
    tc, host, messages, toolbar = rig(project)
    changed: list[int] = []
    tc.runsChanged.connect(lambda: changed.append(1))
    click(toolbar, tc.train_action)
    snap = shown(tc, qtbot, lambda s: s.state == "finished")
    assert snap.epoch == 3
    assert len(project.runs) == 1 and changed == [1]
    assert host.modified == 1  # the run record changed the project; nothing else did
    assert tc.train_action.text() == "Train"
    assert "epoch 3" in tc.status.text() and "(finished)" in tc.status.text()
    # later ticks republish the finished state (the views ask for other extras): still one record
    tc.apply_extras()
    qtbot.wait(200)
    assert len(project.runs) == 1 and host.modified == 1
    assert messages == []


def test_divergence_shows_the_banner_and_rollback_halves_the_rate(rig, qtbot):
    # the learning-rate box's maximum (a saved 1e6 would be clamped to it): the loss explodes in a few steps
    project = toy_project("spiral", n=300, hidden=16, epochs=200, lr=100.0, optimizer="sgd")
    tc, host, messages, toolbar = rig(project)
    host.banner.rollbackRequested.connect(tc.rollback)  # the window's wiring
    click(toolbar, tc.train_action)
    snap = shown(tc, qtbot, lambda s: s.state in ("diverged", "finished"))
    assert snap.state == "diverged"
    assert not host.banner.isHidden()
    assert "Training diverged." in host.banner.text.text()
    assert snap.divergence.message in host.banner.text.text()
    assert "(diverged)" in tc.status.text()
    QTest.mouseClick(host.banner.halve, Qt.LeftButton)
    assert host.banner.isHidden()
    assert tc.lr.value() == pytest.approx(50.0)
    shown(tc, qtbot, lambda s: s.state == "paused")
    # Reset hides the banner and starts the same network again, without a window
    click(toolbar, tc.reset_action)
    shown(tc, qtbot, lambda s: s.step == 0)
    assert host.banner.isHidden()


def test_a_network_that_cannot_train_goes_to_show_problem(rig, qtbot):
    project = Project(graph=Graph(), data=dict(toy_project().data), training=dict(toy_project().training))
    tc, host, messages, toolbar = rig(project)
    click(toolbar, tc.step_action)
    assert tc.session is None
    assert len(host.problems) == 1 and host.problems[0]
    assert messages == host.problems  # the status bar says the same as the problems list
    assert host.prepared == [] and host.canvas.weights == []


def test_the_canvas_gets_the_weights_when_a_view_asks_for_them(rig, qtbot):
    project = toy_project("xor", n=64, epochs=2)
    tc, host, messages, toolbar = rig(project)

    class WeightsView:
        """The least a dock does for the controller: it asks for the weights and records offers."""
        cheap = True
        visible = True

        def __init__(self) -> None:
            self.offered: list[int] = []

        def isVisible(self) -> bool:
            return self.visible

        def needs(self) -> dict[str, Any]:
            return {"params": True}

        def offer(self, snap: Any) -> None:
            self.offered.append(snap.seq)

        def redraw(self) -> bool:
            return False

        def clear(self) -> None:
            self.offered.clear()

    view = WeightsView()
    tc.docks = [view]
    click(toolbar, tc.step_action)
    snap = shown(tc, qtbot, lambda s: s.step == 1 and s.params is not None)
    assert view.offered and view.offered[-1] == snap.seq
    drawn = host.canvas.weights[-1]
    assert set(drawn) == set(snap.params)
    for nid, tensors in snap.params.items():
        for k, v in tensors.items():
            assert (drawn[nid][k] == v).all()


def test_a_tick_draws_the_curves_or_one_other_view_never_both(rig, qtbot):
    tc, host, messages, toolbar = rig(toy_project("xor", n=64, epochs=2))
    log: list[list[str]] = []

    class View:
        def __init__(self, name: str, cheap: bool) -> None:
            self.name, self.cheap, self.stale = name, cheap, True

        def redraw(self) -> bool:
            if not self.stale:
                return False
            log[-1].append(self.name)
            self.stale = self.cheap  # the curves always have a new picture, the others once
            return True

    tc.docks = [View("curves", True), View("weights", False), View("confusion", False)]
    for _ in range(8):
        log.append([])
        tc._redraw_views()
    assert all(len(drawn) <= 1 for drawn in log), log  # one view painted per tick
    drawn = [name for tick in log for name in tick]
    assert {"weights", "confusion"} <= set(drawn) and drawn.count("curves") == 4  # every other tick
