"""Zoom, pan and fit, and the view's actions."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QKeySequence, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnstudio.graph import MoveNodes
from nnstudio.ui.canvas import style
from tests.conftest import build_mlp
from tests.ui.canvas.conftest import add, centre_of, drag, settle


def wheel(view, at: QPoint, dy: int) -> None:
    pos = QPointF(at)
    ev = QWheelEvent(pos, QPointF(view.viewport().mapToGlobal(at)), QPoint(0, 0), QPoint(0, dy), Qt.NoButton,
                     Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), ev)


def test_wheel_zooms_around_the_cursor(scene_view):
    scene, view, stack = scene_view
    add(scene, "Dense", 0, 0)
    at = QPoint(300, 250)
    under = view.mapToScene(at)
    z0 = view.zoom_level()
    wheel(view, at, 240)
    assert view.zoom_level() > z0
    after = view.mapToScene(at)
    assert abs(after.x() - under.x()) < 3 and abs(after.y() - under.y()) < 3
    wheel(view, at, -480)
    assert view.zoom_level() < z0


def test_ctrl_plus_and_minus_zoom(scene_view):
    scene, view, stack = scene_view
    z0 = view.zoom_level()
    QTest.keyClick(view.viewport(), Qt.Key_Plus, Qt.ControlModifier)
    z1 = view.zoom_level()
    QTest.keyClick(view.viewport(), Qt.Key_Minus, Qt.ControlModifier)
    QTest.keyClick(view.viewport(), Qt.Key_Minus, Qt.ControlModifier)
    assert z1 > z0 > view.zoom_level()


def test_f_fits_every_node_into_the_viewport(scene_view):
    scene, view, stack = scene_view
    ids = [add(scene, "Dense", -900, -500), add(scene, "Dense", 1500, 900), add(scene, "Neuron", 300, 2000)]
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert not all(visible.contains(scene.node_item(n).sceneBoundingRect()) for n in ids)
    QTest.keyClick(view.viewport(), Qt.Key_F)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for nid in ids:
        assert visible.contains(scene.node_item(nid).sceneBoundingRect())


def test_middle_button_and_space_drag_pan_without_editing(scene_view):
    scene, view, stack = scene_view
    nid = add(scene, "Dense", 300, 150)
    n = stack.count()
    c0 = view.mapToScene(view.viewport().rect().center())
    start = centre_of(view, scene.node_item(nid))
    drag(view, start, start + QPoint(-200, -100), button=Qt.MiddleButton)
    c1 = view.mapToScene(view.viewport().rect().center())
    assert c1.x() - c0.x() > 150 and c1.y() - c0.y() > 70
    QTest.keyPress(view.viewport(), Qt.Key_Space)
    start = centre_of(view, scene.node_item(nid))
    drag(view, start, start + QPoint(200, 0))
    QTest.keyRelease(view.viewport(), Qt.Key_Space)
    c2 = view.mapToScene(view.viewport().rect().center())
    assert c1.x() - c2.x() > 150
    assert scene.graph.nodes[nid].pos == (300.0, 160.0) and stack.count() == n  # nothing moved, no band
    assert scene.selected_node_ids() == [nid]


def test_actions_have_standard_shortcuts_and_tooltips(scene_view):
    scene, view, stack = scene_view
    a = view.actions_by_name
    assert set(a) == {"delete", "cut", "copy", "paste", "duplicate", "select_all", "zoom_in", "zoom_out", "fit",
                      "layout", "expand", "collapse"}
    expected = {"delete": QKeySequence(QKeySequence.Delete), "copy": QKeySequence(QKeySequence.Copy),
                "duplicate": QKeySequence("Ctrl+D"), "fit": QKeySequence("F"), "layout": QKeySequence("Ctrl+L"),
                "zoom_in": QKeySequence("Ctrl++"), "zoom_out": QKeySequence("Ctrl+-")}
    for name, keys in expected.items():
        assert keys in a[name].shortcuts()
    for action in a.values():
        assert action.toolTip() and action.shortcutContext() == Qt.WidgetWithChildrenShortcut
        assert action in view.actions()


def test_ctrl_l_lays_the_graph_out_in_one_undo_step(scene_view):
    scene, view, stack = scene_view
    ids = [add(scene, k, x, y, **p) for k, x, y, p in [("Input", 600, 400, {"shape": [2]}), ("Dense", 0, 0, {}),
                                                       ("Output", 300, 600, {"loss": "mse"})]]
    scene.graph.connect(ids[0], ids[1])
    scene.graph.connect(ids[1], ids[2])
    before = {n: scene.graph.nodes[n].pos for n in ids}
    n = stack.count()
    QTest.keyClick(view.viewport(), Qt.Key_L, Qt.ControlModifier)
    xs = [scene.graph.nodes[i].pos[0] for i in ids]
    assert xs == sorted(xs) and len(set(xs)) == 3 and stack.count() == n + 1
    assert [scene.node_item(i).pos().x() for i in ids] == xs
    stack.undo()
    assert {i: scene.graph.nodes[i].pos for i in ids} == before


def test_corner_note_counts_parameters_and_problems(scene_view):
    from tests.ui.canvas.conftest import chain, settle

    scene, view, stack = scene_view
    assert "palette" in view.overlay_text()
    chain(scene, ("Input", {"shape": [2]}), ("Dense", {"units": 3}), ("Output", {"loss": "mse"}))
    settle()
    assert view.overlay_text() == "3 nodes · 9 trainable parameters"
    scene.set_param(next(n for n, v in scene.graph.nodes.items() if v.kind == "Dense"), "units", 1)
    settle()
    assert view.overlay_text() == "3 nodes · 3 trainable parameters"
    dense = next(n for n, v in scene.graph.nodes.items() if v.kind == "Dense")
    scene.set_param(dense, "frozen", True)  # frozen weights take part but do not learn: counted apart
    settle()
    assert view.overlay_text() == "3 nodes · 0 trainable parameters (3 frozen)"
    assert scene.node_item(dense).params_text == "3 parameters, frozen"
    scene.set_param(dense, "frozen", False)
    settle()
    assert scene.node_item(dense).params_text == "3 parameters"
    scene.add_node_at("Dense", view.mapToScene(50, 50))
    settle()
    assert view.overlay_text().endswith("1 problem")


def test_zoomed_far_out_the_canvas_draws_an_overview_and_zooming_in_restores_detail(scene_view):
    scene, view, stack = scene_view
    g, ids = build_mlp((2, 4, 3, 1))
    scene.set_graph(g)
    settle()
    edges = list(scene.edge_items.values())
    assert all(e.isVisible() for e in edges) and not scene.wire_overview.isVisible()
    while view.zoom_level() >= style.OVERVIEW_ZOOM:
        QTest.keyClick(view.viewport(), Qt.Key_Minus, Qt.ControlModifier)
    view.viewport().repaint()
    ports = [p for item in scene.node_items.values() for p in (item.in_port, item.out_port) if p is not None]
    assert scene.overview and not any(p.isVisible() for p in ports) and not any(e.isVisible() for e in edges)
    # the one overview path covers every wire; a wire added now joins it
    overview = scene.wire_overview
    assert overview.isVisible()
    assert all(overview.boundingRect().contains(e.path().boundingRect()) for e in edges)
    extra = g.add("Dense", units=2)
    eid = g.connect(ids["input"], extra)
    scene.push(MoveNodes({extra: (2000.0, 1500.0)}))
    settle()
    assert overview.boundingRect().contains(scene.node_item(extra).in_port.scenePos())
    assert not scene.edge_items[eid].isVisible() and not scene.node_item(extra).in_port.isVisible()
    while view.zoom_level() < style.OVERVIEW_ZOOM:
        QTest.keyClick(view.viewport(), Qt.Key_Plus, Qt.ControlModifier)
    view.viewport().repaint()
    assert not scene.overview and all(p.isVisible() for p in ports) and not overview.isVisible()
    assert all(e.isVisible() for e in scene.edge_items.values())
