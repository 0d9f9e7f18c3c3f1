"""The main window through real mouse and key events: palette, inspector, problems, files, data, theme."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QSpinBox

from nnstudio.io import load_project, save_project
from tests.conftest import build_mlp
from tests.training.conftest import toy_project
from tests.ui.canvas.test_canvas import drop_kind


def palette_drop(window, kind: str, at: QPoint) -> None:
    """Deliver the palette's own drag data (mimeData of its item) to the canvas viewport."""
    tree = window.palette_panel.tree
    item = window.palette_panel.items[kind]
    mime = tree.mimeData([item])
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    w = window.view.viewport()
    for cls in (QDragEnterEvent, QDragMoveEvent):
        QApplication.sendEvent(w, cls(at, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    QApplication.sendEvent(w, QDropEvent(QPointF(at), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))


def test_palette_drag_and_double_click_add_nodes(window, qtbot):
    palette_drop(window, "Conv2D", QPoint(300, 200))
    kinds = [n.kind for n in window.project.graph.nodes.values()]
    assert kinds == ["Conv2D"]
    tree = window.palette_panel.tree
    item = window.palette_panel.items["Dropout"]
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    QTest.mouseClick(tree.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    QTest.mouseDClick(tree.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    assert sorted(n.kind for n in window.project.graph.nodes.values()) == ["Conv2D", "Dropout"]
    assert window.windowTitle() == "untitled.nnstudio* - nnstudio"


def test_palette_search_filters(window, qtbot):
    qtbot.keyClicks(window.palette_panel.search, "pool")
    assert sorted(window.palette_panel.visible_kinds()) == ["AvgPool2D", "MaxPool2D"]
    window.palette_panel.search.clear()
    from nnstudio.graph.kinds import REGISTRY  # every kind again, however many the registry has

    assert sorted(window.palette_panel.visible_kinds()) == sorted(REGISTRY)


def test_inspector_edit_then_undo(window, qtbot):
    nid = window.scene.add_node_at("Dense", QPointF(0, 0))
    window.scene.select_nodes([nid])
    spin = window.inspector.editors["units"]
    assert isinstance(spin, QSpinBox) and spin.value() == 8
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "24")
    QTest.keyClick(spin.lineEdit(), Qt.Key_Return)
    assert window.project.graph.nodes[nid].params["units"] == 24
    assert "units 24" in window.scene.node_items[nid].lines()
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key_Z, Qt.ControlModifier)
    assert window.project.graph.nodes[nid].params["units"] == 8
    qtbot.waitUntil(lambda: spin.value() == 8, timeout=2000)  # the inspector follows the (debounced) analysis


def test_inspector_shape_editor_and_refused_value(window, qtbot):
    nid = window.scene.add_node_at("Input", QPointF(0, 0))
    window.scene.select_nodes([nid])
    edit = window.inspector.editors["shape"]
    assert isinstance(edit, QLineEdit)
    edit.selectAll()
    qtbot.keyClicks(edit, "1, 8, 8")
    QTest.keyClick(edit, Qt.Key_Return)
    assert window.project.graph.nodes[nid].params["shape"] == [1, 8, 8]
    edit.selectAll()
    qtbot.keyClicks(edit, "a, b")
    QTest.keyClick(edit, Qt.Key_Return)
    assert window.project.graph.nodes[nid].params["shape"] == [1, 8, 8]
    assert window.inspector.error.text()


def test_problem_click_selects_node(window, qtbot):
    g, ids = build_mlp((2, 4, 1))
    g.remove(ids["output"])
    window._set_project(type(window.project)(graph=g, data=window.project.data), None)
    QApplication.processEvents()
    # problems are folded into the status bar: its indicator counts them and opens the list
    assert "problem" in window.status_valid.text() and not window.problems_dock.isVisible()
    qtbot.mouseClick(window.status_valid, Qt.LeftButton)
    assert window.problems_dock.isVisible()
    lst = window.problems
    rows = [lst.item(i) for i in range(lst.count())]
    target = [r for r in rows if r.data(Qt.UserRole + 1)]
    assert target, [r.text() for r in rows]
    rect = lst.visualItemRect(target[0])
    QTest.mouseClick(lst.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    assert window.scene.selected_node_ids() == [target[0].data(Qt.UserRole + 1)]
    assert "problem" in window.status_valid.text()


def test_title_save_open_round_trip_and_corrupt_file(window, qtbot, tmp_path):
    path = tmp_path / "net.nnstudio"
    g, _ = build_mlp((2, 3, 2), loss="cross_entropy")
    save_project(toy_project(), path)
    assert window.open_path(path)
    assert window.windowTitle() == "net.nnstudio - nnstudio"
    nid = window.scene.add_node_at("Dropout", QPointF(400, 300))
    assert window.windowTitle() == "net.nnstudio* - nnstudio"
    window.view.setFocus()
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier)
    assert window.windowTitle() == "net.nnstudio - nnstudio"
    saved = load_project(path)
    assert nid in saved.graph.nodes and saved.graph.nodes[nid].pos == (400.0, 300.0)
    positions = {k: n.pos for k, n in window.project.graph.nodes.items()}
    window.open_path(path)
    assert {k: n.pos for k, n in window.project.graph.nodes.items()} == positions
    bad = tmp_path / "bad.nnstudio"
    bad.write_text('{"format": "nnstudio-project", "format_version": 99}')
    before = window.project.graph.to_records()
    assert not window.open_path(bad)
    assert window.messages and "newer" in window.messages[-1].lower()
    assert window.project.graph.to_records() == before
    assert str(path.resolve()) in window.recent_files()
    assert window.recent_menu.actions()[0].text() == "net.nnstudio"


def test_close_with_unsaved_changes_asks_and_cancel_keeps_window(window, qtbot):
    window.scene.add_node_at("Dense", QPointF(0, 0))
    asked = []
    window._ask_save = lambda: asked.append(1) or "cancel"
    assert not window.close()
    assert asked and window.isVisible()
    window._ask_save = lambda: "discard"


def test_new_path_opens_empty_project_saved_there(window, tmp_path):
    target = tmp_path / "fresh.nnstudio"
    window.open_path(target, ask=False)
    assert window.windowTitle() == "fresh.nnstudio - nnstudio"
    window.scene.add_node_at("Input", QPointF(0, 0))
    assert window.save()
    assert target.exists() and len(load_project(target).graph.nodes) == 1


def test_theme_switch_changes_palette_and_every_plot_background(window):
    def backgrounds():  # the data preview's image view too, not only plot widgets
        views = [window.data_panel.plot, window.data_panel.images.ui.graphicsView]
        return [v.backgroundBrush().color().lightness() for v in views]

    window.set_theme("dark")
    dark = QApplication.palette().color(QPalette.Window).lightness()
    dark_views = backgrounds()
    window.set_theme("light")
    light = QApplication.palette().color(QPalette.Window).lightness()
    assert dark < 80 < light
    assert max(dark_views) < 80 < min(backgrounds())


def test_digits_preview_shows_upright_tiles_four_to_a_row(window):
    panel = window.data_panel
    assert panel.load_spec({"source": "digits", "val_ratio": 0.2, "seed": 0})
    assert panel.preview.currentWidget() is panel.images
    item = panel.images.getImageItem()
    rect = item.boundingRect()
    assert (rect.width(), rect.height()) == (4 * 9, 4 * 9)  # 16 tiles of 8x8, 4 per row, 1-px gaps
    digit = panel.dataset.X_train[0, 0]
    assert not np.array_equal(digit, digit.T)
    np.testing.assert_array_equal(item.image[0:8, 0:8], digit)  # the first tile, upright, not transposed


def test_data_panel_spiral_preview_and_target(window, qtbot):
    panel = window.data_panel
    idx = [i for i in range(panel.source.count()) if panel.source.itemData(i) == ("toy", "spiral")][0]
    panel.source.setCurrentIndex(idx)
    panel.source.activated.emit(idx)
    panel.n.setValue(200)
    x, _ = panel.scatter.getData()
    assert len(x) == 200
    assert window.scene.target.task == "classification" and window.scene.target.size == 2
    assert window.project.data["name"] == "spiral" and window.project.data["n"] == 200


def test_data_panel_bad_csv_shows_error(window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,0\n3,x,1\n4,5,0\n")
    assert not window.data_panel.load_file("csv", str(bad))
    assert "line 3" in window.data_panel.error.text() and "bad.csv" in window.data_panel.error.text()
    good = tmp_path / "good.csv"
    good.write_text("a,b,label\n" + "\n".join(f"{i},{i % 3},{i % 2}" for i in range(20)))
    assert window.data_panel.load_file("csv", str(good))
    assert window.data_panel.table.rowCount() == 10 and window.data_panel.table.item(0, 0).text() == "0"
    # points, noise and derived inputs belong to generated data: a file has none of them
    assert window.data_panel.n.isHidden() and window.data_panel.noise.isHidden()
    assert not window.data_panel.val.isHidden()


def test_shortcut_list_comes_from_the_actions(window):
    rows = dict(window.shortcut_rows())
    assert rows["Save"] == "Ctrl+S" and rows["Delete"] == "Del, Backspace" and rows["Fit to view"] == "F"
    assert np.all([isinstance(v, str) and v for v in rows.values()])
