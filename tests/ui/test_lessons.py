"""Lessons in the window, through real clicks: the start page's list, the lesson panel's steps,
undo, the views they bring forward, Previous/Next, and the Neuron numbers of lessons 1 and 5."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

import nnstudio as ns
from nnstudio.data.word_corpus import vocabulary
from nnstudio.lessons import all_lessons
from nnstudio.ui.canvas import style
from nnstudio.ui.examples import examples_dir, lesson_example_stems
from tests.ui.test_layout_fits import on_screen_points, settle, visible_in_canvas

FINAL = ("finished", "stopped", "diverged", "error")
SMALL_NETWORKS = ("neuron", "non-linearity", "backprop", "learning-rate")


def open_from_start_page(window, qtbot, lesson_id: str):
    assert window.on_start_page()
    qtbot.mouseClick(window.start_page.lesson_button(lesson_id), Qt.LeftButton)
    assert not window.on_start_page()
    panel = window.lesson_dock.panel
    qtbot.waitUntil(lambda: window.lesson_dock.isVisible() and panel.isVisible(), timeout=5000)
    return panel


def press(qtbot, panel, label: str):
    row = next(r for r in panel.rows if r.step.label == label)
    qtbot.mouseClick(row.button, Qt.LeftButton)
    return row


def click_node(window, qtbot, name: str) -> str:
    nid = next(n.id for n in window.project.graph.nodes.values() if n.name == name)
    item = window.scene.node_items[nid]
    window.view.centerOn(item)
    point = window.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    qtbot.waitUntil(lambda: window.scene.selected_node_ids() == [nid], timeout=3000)
    return nid


def wait_snapshot(window, qtbot, ok, timeout=120_000):
    def ready():
        s = window.trainer.session
        snap = s.latest_snapshot() if s is not None else None
        return snap is not None and ok(snap) and window.trainer.last_seq == snap.seq
    qtbot.waitUntil(ready, timeout=timeout)
    return window.trainer.session.latest_snapshot()


def test_start_page_lists_every_lesson_in_order_and_keeps_their_examples_out_of_the_grid(start_window):
    page = start_window.start_page
    lessons = all_lessons()
    assert [b.lesson.id for b in page.lesson_buttons] == [lesson.id for lesson in lessons]
    assert {"neuron", "non-linearity", "backprop", "learning-rate"} <= {lesson.id for lesson in lessons}
    for button, lesson in zip(page.lesson_buttons, lessons):
        assert button.isVisible()
        first, line = button.text().split("\n")
        assert button.line in button.toolTip()
        assert first.split() == [str(lesson.number), *lesson.title.split()] and line.strip()
    stems = {c.info.path.stem for c in page.cards}
    assert not stems & lesson_example_stems()  # a lesson's example is listed under Lessons only
    assert {"xor", "spiral", "digits-cnn"} <= stems


@pytest.mark.parametrize("lesson_id", [lesson.id for lesson in all_lessons()])
def test_every_lesson_opens_from_the_start_page_with_its_example(start_window, qtbot, lesson_id):
    w = start_window
    w.resize(1280, 800)  # the smallest window we fit: the network whole beside the lesson panel
    w.reset_layout()
    settle(qtbot, 300)
    panel = open_from_start_page(w, qtbot, lesson_id)
    settle(qtbot, 300)
    items = list(w.scene.node_items.values())
    first = w.scene.node_items[next(iter(w.project.graph.nodes))]
    assert items and visible_in_canvas(w, first), f"{lesson_id}: the input is off screen"
    assert all(on_screen_points(w, item, style.BODY_PT) >= 9.0 - 1e-6 for item in items)
    if lesson_id in SMALL_NETWORKS:  # these fit whole; a deep stack (lesson 4) may scroll
        assert all(visible_in_canvas(w, item) for item in items), lesson_id
    lesson = panel.lesson
    assert lesson.id == lesson_id and panel.title.text() == lesson.title
    assert len(panel.rows) == len(lesson.steps) and [r.step for r in panel.rows] == list(lesson.steps)
    expected = ns.load_project(examples_dir() / f"{lesson.example}.nnstudio")
    assert sorted(n.name for n in w.project.graph.nodes.values()) == \
        sorted(n.name for n in expected.graph.nodes.values())
    assert w.path is None and "(copy)" in w.windowTitle()  # an untitled copy, like any example


def test_a_step_edits_through_the_undo_stack_trains_and_shows_its_view(start_window, qtbot):
    w = start_window
    panel = open_from_start_page(w, qtbot, "non-linearity")
    assert not w.project.graph.nodes_of_kind("Activation")
    w.view_picker.show_view(w.weights_dock)  # the learner looked elsewhere meanwhile
    assert not w.decision_dock.isVisible()
    row = press(qtbot, panel, "Put tanh after Layer 1")
    assert [n.params["function"] for n in w.project.graph.nodes_of_kind("Activation")] == ["tanh"]
    assert w.decision_dock.isVisible() and w.curves_dock.isVisible()  # look_at brought them forward
    assert row.button.text().startswith("\u2713") and row.done
    # the next step is scrolled into view for the learner
    following = panel.rows[panel.rows.index(row) + 1]
    viewport = w.lesson_dock.scroll.viewport()
    top = following.mapTo(viewport, following.rect().topLeft()).y()
    assert 0 <= top and top + following.button.height() <= viewport.height()
    assert not panel.error.isVisible()
    wait_snapshot(w, qtbot, lambda s: s.step > 0)  # then="train": it trains the changed network
    assert w.modified and w.windowTitle().endswith("* - nnstudio")
    w.view.setFocus()
    QTest.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)
    assert not w.project.graph.nodes_of_kind("Activation")  # Ctrl+Z took the lesson's edit back
    # a step that cannot be made now says why in the panel and changes nothing
    press(qtbot, panel, "Switch the activation to ReLU")
    assert panel.error.isVisible() and "no longer in the network" in panel.error.text()
    assert not w.project.graph.nodes_of_kind("Activation")
    # with another network open the steps refuse, saying how to get the lesson's example back
    w.new_project()
    press(qtbot, panel, "Put tanh after Layer 1")
    assert "choose the lesson again" in panel.error.text() and not w.project.graph.nodes


def test_next_and_previous_go_through_the_lessons(start_window, qtbot):
    w = start_window
    ids = [lesson.id for lesson in all_lessons()]
    panel = open_from_start_page(w, qtbot, ids[0])
    assert not panel.prev_button.isEnabled() and panel.next_button.isEnabled()
    qtbot.mouseClick(panel.next_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.lesson.id == ids[1], timeout=5000)
    assert w.copy_of == ns.load_project(examples_dir() / f"{panel.lesson.example}.nnstudio").meta["title"]
    qtbot.mouseClick(panel.prev_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.lesson.id == ids[0], timeout=5000)


def test_lessons_menu_opens_a_lesson(start_window, qtbot):
    w = start_window
    bar = w.menuBar()
    menu_action = next(a for a in bar.actions() if a.text().replace("&", "") == "Lessons")
    titles = [a.text().replace("&", "") for a in menu_action.menu().actions() if a.text()]
    assert titles[:len(all_lessons())] == [f"{x.number}. {x.title}" for x in all_lessons()]
    entry = next(a for a in menu_action.menu().actions() if a.text().replace("&", "").endswith("The size of a step"))
    entry.trigger()
    assert w.lesson_dock.panel.lesson.id == "learning-rate" and not w.on_start_page()


def test_raising_the_learning_rate_goes_through_the_toolbar_and_the_banner_explains(start_window, qtbot):
    w = start_window
    panel = open_from_start_page(w, qtbot, "learning-rate")
    press(qtbot, panel, "Raise the learning rate to 3")
    assert w.trainer.lr.value() == 3.0 and w.project.training["lr"] == 3.0
    snap = wait_snapshot(w, qtbot, lambda s: s.state in FINAL)
    assert snap.state == "diverged"
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=5000)
    shown = " ".join(lab.text() for lab in w.banner.findChildren(type(panel.title)))
    assert "learning rate 3 is probably too high" in shown
    press(qtbot, panel, "Set it to 0.05")
    assert w.trainer.lr.value() == pytest.approx(0.05)
    snap = wait_snapshot(w, qtbot, lambda s: s.state in FINAL and s.lr == pytest.approx(0.05))
    assert snap.state == "finished" and not w.banner.isVisible()


def _table_column(dock, header: str) -> list[str]:
    t = dock.table
    col = next(c for c in range(t.columnCount()) if t.horizontalHeaderItem(c).text() == header)
    return [t.item(r, col).text() for r in range(t.rowCount())]


def _engine_forward(graph, params, x, nid):
    plan = ns.compile(graph, 1)
    plan.load_params(params)
    return plan.activations(np.asarray(x, np.float32)[None])[nid][0, 0]


def test_neuron_numbers_show_the_plans_forward_values(start_window, qtbot):
    w = start_window
    panel = open_from_start_page(w, qtbot, "neuron")
    nid = click_node(w, qtbot, "Hidden")
    press(qtbot, panel, "Take one step")
    dock = w.neuron_dock
    assert dock.isVisible()
    snap = wait_snapshot(w, qtbot, lambda s: s.step == 1 and s.params is not None)
    qtbot.waitUntil(lambda: dock.table.isVisible() and dock.table.rowCount() == 3 and "step 1" in dock.heading.text(),
                    timeout=10_000)
    X = w.trainer.session.dataset.X_train
    for point in (0, 7):
        dock.sample.setValue(point)
        qtbot.waitUntil(lambda: f"point #{point}" in dock.heading.text(), timeout=5000)
        weights = snap.params[nid]
        xs = [float(v) for v in _table_column(dock, "x")[:2]]
        np.testing.assert_allclose(xs, X[point], rtol=1e-3)
        ws = [float(v) for v in _table_column(dock, "w")]
        np.testing.assert_allclose(ws, [*weights["weight"][0], weights["bias"][0]], rtol=1e-3, atol=1e-6)
        z = float(np.dot(weights["weight"][0], X[point]) + weights["bias"][0])
        y = _engine_forward(w.scene.graph, snap.params, X[point], nid)
        assert f"{z:+.4g}" in dock.heading.text() and f"{y:+.4g}" in dock.heading.text()
        assert np.tanh(z) == pytest.approx(y, abs=1e-5)
    # trained on, the numbers follow the weights
    press(qtbot, panel, "Train and watch the weights")
    snap = wait_snapshot(w, qtbot, lambda s: s.state in FINAL)
    assert dock.isVisible()  # named first in the step's views: it keeps its slot
    qtbot.waitUntil(lambda: f"step {snap.step:,}" in dock.heading.text(), timeout=10_000)
    ws = [float(v) for v in _table_column(dock, "w")]
    np.testing.assert_allclose(ws[:2], snap.params[nid]["weight"][0], rtol=1e-3)


def test_backprop_single_steps_show_minus_lr_times_the_gradient_and_the_chain_rule(start_window, qtbot):
    w = start_window
    panel = open_from_start_page(w, qtbot, "backprop")
    nid = click_node(w, qtbot, "Hidden 1")
    press(qtbot, panel, "Take one step")
    dock = w.neuron_dock
    snap1 = wait_snapshot(w, qtbot, lambda s: s.step == 1 and s.params is not None)
    qtbot.waitUntil(lambda: "step 1" in dock.heading.text() and not dock.table.isColumnHidden(5), timeout=10_000)
    listed = [float(v) for v in _table_column(dock, "next \u0394w")]
    grads = [float(v) for v in _table_column(dock, "dL/dw")]
    lr = w.trainer.lr.value()
    # the listed gradient is the engine's, for the whole training set at these weights
    plan = ns.compile(w.scene.graph, len(w.trainer.session.dataset.X_train))
    plan.load_params(snap1.params)
    ds = w.trainer.session.dataset
    _loss, engine = plan.gradients(ds.X_train, ds.y_train.astype(np.float32).reshape(-1, 1))
    np.testing.assert_allclose(grads, [*engine[nid]["weight"][0], engine[nid]["bias"][0]], rtol=2e-2, atol=1e-6)
    np.testing.assert_allclose(listed, -lr * np.array(grads), rtol=2e-2, atol=1e-7)

    press(qtbot, panel, "Step again and compare")
    snap2 = wait_snapshot(w, qtbot, lambda s: s.step == 2)
    qtbot.waitUntil(lambda: "step 2" in dock.heading.text(), timeout=10_000)
    moved = np.r_[snap2.params[nid]["weight"][0] - snap1.params[nid]["weight"][0],
                  snap2.params[nid]["bias"][0] - snap1.params[nid]["bias"][0]]
    np.testing.assert_allclose(moved, listed, rtol=2e-2, atol=1e-7)  # the update it listed is the one made
    assert "Last step: every weight moved by the next \u0394w listed before it" in dock.step_check.text()

    # a click on a weight's row spells out its chain rule
    t = dock.table
    QTest.mouseClick(t.viewport(), Qt.LeftButton, Qt.NoModifier, t.visualItemRect(t.item(0, 2)).center())
    qtbot.waitUntil(lambda: "w[x1 \u2192 Hidden 1]" in dock.story.text(), timeout=5000)
    text = dock.story.text()
    assert "dL/d\u0177" in text and "w[Hidden 1 \u2192 Answer]" in text and "dz/dw = x1" in text
    assert "The last step listed" in text
    story = dock.stories[0]
    assert f"{story.gradient:+.4g}" in text and story.gradient == pytest.approx(
        float(_table_column(dock, "dL/dw")[0]), rel=1e-2)

    # a click on a wire into a neuron tells the story of the weight it carries
    answer = next(n.id for n in w.project.graph.nodes.values() if n.name == "Answer")
    wire = next(e for e in w.project.graph.in_edges(answer) if e.src == nid)
    item = w.scene.edge_items[wire.id]
    w.view.centerOn(item)
    point = w.view.mapFromScene(item.mapToScene(item.path().pointAtPercent(0.5)))
    QTest.mouseClick(w.view.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    qtbot.waitUntil(lambda: "w[Hidden 1 \u2192 Answer]</b>" in dock.story.text(), timeout=5000)
    assert "Answer</b> at step 2" in dock.heading.text()


def test_reusing_the_trained_filters_carries_them_frozen_into_the_new_question(start_window, qtbot):
    w = start_window
    panel = open_from_start_page(w, qtbot, "architectures")
    convs = [nid for nid in w.project.graph.topological_order() if w.project.graph.nodes[nid].kind == "Conv2D"]
    reuse = "Reuse the trained filters for odd or even"
    press(qtbot, panel, reuse)  # nothing trained yet: the panel says what to do first, nothing changes
    assert panel.error.isVisible() and "train the CNN on digits placed anywhere first" in panel.error.text()
    assert not any(w.project.graph.nodes[nid].params["frozen"] for nid in convs)
    assert w.data_panel.dataset.n_classes == 10

    press(qtbot, panel, "Train the CNN on digits placed anywhere")
    wait_snapshot(w, qtbot, lambda s: s.state in FINAL and s.step > 0)
    assert w.data_panel.dataset.X_train.shape[1:] == (1, 16, 16) and w.data_panel.dataset.n_classes == 10
    teacher = w.trainer.session.weights()
    press(qtbot, panel, reuse)
    assert not panel.error.isVisible()
    assert all(w.project.graph.nodes[nid].params["frozen"] for nid in convs)
    ds = w.data_panel.dataset
    assert ds.class_names == ["even", "odd"] and ds.spec["part"] == "second half" and len(ds.X_train) == 50
    assert w.trainer.batch.value() == 10
    snap = wait_snapshot(w, qtbot, lambda s: s.state in FINAL and s.step > 0)
    assert snap.state == "finished"
    student = w.trainer.session.weights()
    for nid in convs:  # the teacher's filters, untouched by ten epochs of training
        for name, tensor in teacher[nid].items():
            np.testing.assert_array_equal(student[nid][name], tensor)
    head = [nid for nid in w.project.graph.topological_order() if w.project.graph.nodes[nid].kind == "Dense"][-1]
    assert student[head]["weight"].shape == (2, teacher[head]["weight"].shape[1])  # a new two-unit head
    assert len(w.trainer.runs()) == 2  # the teacher's run stays in the curves view, beside this one

    press(qtbot, panel, "Same, with random filters")
    wait_snapshot(w, qtbot, lambda s: s.state in FINAL and s.step > 0)
    fresh = w.trainer.session.weights()
    assert all(w.project.graph.nodes[nid].params["frozen"] for nid in convs)
    assert not np.array_equal(fresh[convs[0]]["weight"], teacher[convs[0]]["weight"])
    # the reused filters' run is in grey beside the new one, its validation accuracy in the accuracy plot
    reused_run = w.trainer.runs()[1]
    assert reused_run.data.get("labels") == "odd or even" and reused_run.epochs == 10
    assert w.runs_panel.selected_runs() == [reused_run]
    grey = [item.yData for plot, item in w.curves_dock.overlays if plot is w.curves_dock.acc_plot]
    assert len(grey) == 2 and np.allclose(grey[1], reused_run.curves["val_accuracy"])


def test_training_word_vectors_shows_king_minus_man_plus_woman_near_queen(start_window, qtbot):
    w = start_window
    panel = open_from_start_page(w, qtbot, "representations")
    spiral = w.project.graph.copy()
    press(qtbot, panel, "Train word vectors")
    assert not panel.error.isVisible()
    assert w.data_panel.dataset.spec["source"] == "words" and w.data_panel.dataset.n_classes == len(vocabulary())
    assert [n.kind for n in w.project.graph.nodes.values()].count("Embedding") == 1
    snap = wait_snapshot(w, qtbot, lambda s: s.state in FINAL and s.step > 0)
    assert snap.state == "finished"
    dock = w.word_vectors_dock
    qtbot.waitUntil(lambda: dock.isVisible() and bool(dock.ranked), timeout=10_000)
    assert dock in w.view_picker.views and dock.names[:2] == ["king", "queen"]  # the data's words label the rows
    assert dock.ranked[0][0] == "queen" and "queen" in dock.readout.text()
    assert w.curves_dock.isVisible()
    QTest.keyClick(w.view.viewport(), Qt.Key_Z, Qt.ControlModifier)  # the spiral network comes back
    qtbot.waitUntil(lambda: w.project.graph == spiral, timeout=5000)
