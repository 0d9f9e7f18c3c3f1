"""The default layout at 1280x800 and 1440x900: nothing elided, canvas text >= 9 pt, docks remembered."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QTabBar

from nnstudio.ui import layout as dock_layout
from nnstudio.ui.canvas import style
from nnstudio.ui.examples import example_infos
from tests.ui.conftest import close_window

SIZES = [(1280, 800), (1440, 900)]


def settle(qtbot, ms: int = 150) -> None:
    qtbot.wait(ms)
    QApplication.processEvents()


def elided_titles(window) -> list[str]:
    """Titles of visible docks and tabs drawn narrower than their text."""
    out = []
    for dock in window.findChildren(QDockWidget):
        if not dock.isVisible():
            continue
        bar = dock.titleBarWidget()
        if bar is not None:  # a view picker: its button must have the room it asks for
            button = bar.button
            if button.width() < button.sizeHint().width():
                out.append(f"{dock.windowTitle()} {button.width()} < {button.sizeHint().width()}")
        else:  # Qt's own title bar: the text plus the float and close buttons
            if dock.fontMetrics().horizontalAdvance(dock.windowTitle()) + 60 > dock.width():
                out.append(dock.windowTitle())
    for bar in window.findChildren(QTabBar):
        # QMainWindow parks the tab bars it does not use (none, or one tab) outside the window
        on_screen = window.rect().intersects(QRect(bar.mapTo(window, QPoint(0, 0)), bar.size()))
        if bar.isVisible() and on_screen:
            for i in range(bar.count()):
                if bar.tabRect(i).width() < bar.fontMetrics().horizontalAdvance(bar.tabText(i)) + 8:
                    out.append(bar.tabText(i))
    return out


def on_screen_points(window, node_item, pt: float) -> float:
    """The size in points a font of ``pt`` has on screen, from the view and item transforms."""
    t = node_item.deviceTransform(window.view.viewportTransform())
    return pt * t.m11()


def visible_in_canvas(window, item) -> bool:
    rect = window.view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    return QRectF(window.view.viewport().rect()).contains(QRectF(rect))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_examples_fit_readably_with_nothing_elided(window, qtbot, size):
    window.resize(*size)
    window.reset_layout()
    settle(qtbot, 300)
    assert window.width() == size[0] and window.height() == size[1]
    # problems fold into the status bar while there are none
    assert not window.problems_dock.isVisible()
    for info in example_infos():
        assert window.open_example(info.path, ask=False)
        settle(qtbot)
        assert not elided_titles(window), (info.path.stem, elided_titles(window))
        assert window.status_valid.isVisible() and window.status_valid.text().endswith("No problems")
        items = list(window.scene.node_items.values())
        shown = [i for i in items if visible_in_canvas(window, i)]
        assert shown, info.path.stem
        for item in items:
            assert on_screen_points(window, item, style.BODY_PT) >= 9.0 - 1e-6
            assert on_screen_points(window, item, style.TITLE_PT) >= 9.0 - 1e-6
        first = window.scene.node_items[next(iter(window.project.graph.nodes))]
        assert visible_in_canvas(window, first), f"{info.path.stem}: the input is off screen"
        if info.path.stem == "lesson-vanishing-gradients":
            continue  # ten layers deep on purpose (lesson 4): at 9 pt it scrolls, the input is in view
        if info.path.stem != "digits-cnn" or size == (1440, 900):
            assert len(shown) == len(items), f"{info.path.stem} at {size}: {len(shown)} of {len(items)} shown"
    # the data form and its preview are not below the fold
    scroll = window.data_dock.widget()
    panel = window.data_panel
    bottom = panel.preview.mapTo(panel, QPoint(0, panel.preview.height())).y()
    assert bottom <= scroll.viewport().height() + scroll.verticalScrollBar().value() + 1
    assert scroll.verticalScrollBar().value() == 0 and bottom <= scroll.viewport().height() + 1


def test_view_picker_lists_every_view_by_full_name_and_shows_the_chosen(window, qtbot):
    button = window.decision_dock.titleBarWidget().button
    assert button.text().startswith("Decision surface")
    menu = button.menu()
    menu.aboutToShow.emit()
    names = [a.text() for a in menu.actions()]
    # every view that applies to this data and network (xor, an MLP: no sequence views)
    assert names == [d.windowTitle() for d in window.view_picker.applicable()] and "Confusion matrix" in names
    sequence_views = {"Hidden state over time", "Gradient size per time step", "Attention weights"}
    assert not sequence_views & set(names)
    network_views = {"Neuron numbers", "Word vectors"}  # for Neuron and Embedding nodes
    assert not network_views & set(names)
    assert len(names) == len(window.view_picker.views) - len(sequence_views) - len(network_views)
    assert all(not a.icon().isNull() for a in menu.actions())
    clicked = []

    def choose() -> None:  # the menu runs its own event loop: click in it from a timer
        if not menu.isVisible():
            QTimer.singleShot(50, choose)
            return
        action = next(a for a in menu.actions() if a.text() == "Confusion matrix")
        QTest.mouseClick(menu, Qt.LeftButton, Qt.NoModifier, menu.actionGeometry(action).center())
        clicked.append(action)

    QTimer.singleShot(50, choose)
    qtbot.mouseClick(button, Qt.LeftButton)  # opens the menu (instant popup)
    qtbot.waitUntil(lambda: bool(clicked), timeout=5000)
    qtbot.waitUntil(lambda: window.confusion_dock.isVisible(), timeout=2000)
    assert not window.decision_dock.isVisible()  # it replaced the decision surface in its slot
    assert window.curves_dock.isVisible()  # the other slot keeps its view
    assert window.dockWidgetArea(window.confusion_dock) == Qt.RightDockWidgetArea


def default_arrangement(window):
    return {d.objectName(): (window.dockWidgetArea(d), d.isFloating(), d.isVisible())
            for d in dock_layout.all_docks(window)}


def click_menu_entry(window, qtbot, menu_title: str, entry: str) -> None:
    """Open a menu of the menu bar with the mouse and click one of its entries."""
    bar = window.menuBar()
    top = next(a for a in bar.actions() if a.text().replace("&", "") == menu_title)
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.actionGeometry(top).center())
    menu = top.menu()
    qtbot.waitUntil(lambda: menu.isVisible(), timeout=2000)
    action = next(a for a in menu.actions() if a.text().replace("&", "") == entry)
    QTest.mouseClick(menu, Qt.LeftButton, Qt.NoModifier, menu.actionGeometry(action).center())


def test_view_menu_entry_shows_the_view_in_its_slot(window, qtbot):
    settle(qtbot)
    click_menu_entry(window, qtbot, "View", "Feature maps")
    qtbot.waitUntil(lambda: window.maps_dock.isVisible(), timeout=2000)
    assert not window.decision_dock.isVisible() and not window.maps_dock.isFloating()
    assert not elided_titles(window)


def test_reset_layout_restores_the_default_arrangement(window, qtbot):
    settle(qtbot)
    default = default_arrangement(window)
    assert default["DataDock"] == (Qt.RightDockWidgetArea, False, True)
    assert default["CurvesDock"] == (Qt.LeftDockWidgetArea, False, True)
    assert default["ProblemsDock"][2] is False
    window.data_dock.setFloating(True)
    window.removeDockWidget(window.curves_dock)
    window.addDockWidget(Qt.LeftDockWidgetArea, window.curves_dock)
    window.curves_dock.show()
    window.palette_dock.hide()
    window.problems_dock.show()
    settle(qtbot)
    assert default_arrangement(window) != default
    click_menu_entry(window, qtbot, "View", "Reset layout")
    settle(qtbot, 300)
    assert default_arrangement(window) == default
    assert window.data_dock.width() >= dock_layout.right_width(window.width()) - 30


def test_layout_is_remembered_but_not_across_layout_versions(window, qtbot, monkeypatch):
    from nnstudio.ui.main_window import MainWindow

    window.removeDockWidget(window.data_dock)
    window.addDockWidget(Qt.LeftDockWidgetArea, window.data_dock)
    window.data_dock.show()
    settle(qtbot)
    window.close()  # saves the layout
    again = MainWindow()
    again._ask_save = lambda: "discard"
    assert again.dockWidgetArea(again.data_dock) == Qt.LeftDockWidgetArea
    close_window(again)
    monkeypatch.setattr(dock_layout, "LAYOUT_VERSION", dock_layout.LAYOUT_VERSION + 1)
    newer = MainWindow()
    newer._ask_save = lambda: "discard"
    assert newer.dockWidgetArea(newer.data_dock) == Qt.RightDockWidgetArea  # the new default, not the old layout
    close_window(newer)


def test_views_follow_the_data_they_apply_to(window, qtbot):
    """The view list is catalog.VIEWS; a view that stops applying gives way to one that applies."""
    from nnstudio.ui.plots import catalog

    assert [type(d) for d in window.plot_docks] == [v.cls for v in catalog.VIEWS if v.plot]
    upper, lower = dock_layout.slots(window)
    assert lower[0] is window.decision_dock and upper[0] is window.curves_dock
    window.view_picker.show_view(window.confusion_dock)  # the user's choice, for classes
    assert window.data_panel.load_spec({"source": "toy", "name": "plane"})  # regression: no classes
    assert window.decision_dock.isVisible() and not window.confusion_dock.isVisible()
    assert window.confusion_dock not in window.view_picker.applicable()
    window.view_picker.show_view(window.projection_dock)  # applies to any data: it stays
    assert window.data_panel.load_spec({"source": "digits"})
    assert window.projection_dock.isVisible()
    window.view_picker.show_view(window.decision_dock)
    assert window.data_panel.load_spec({"source": "sequence", "task": "copy"})  # no plane, per-position classes
    assert window.weights_dock.isVisible() and window.curves_dock.isVisible()
    assert window.confusion_dock not in window.view_picker.applicable()
