"""What the views show always belongs to the project shown: New, Open, a data switch and Reset clear them."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from nnstudio.io import save_project
from tests.training.conftest import toy_project


def stepped(window, qtbot) -> None:
    """Press Step (F6) and wait until the decision surface and the status line show the result."""
    QTest.keyClick(window, Qt.Key_F6)
    qtbot.waitUntil(lambda: window.decision_dock.image.image is not None
                    and "epoch" in window.trainer.status.text(), timeout=120_000)


def surface_shown(window) -> bool:
    return window.decision_dock.image.image is not None


def test_new_clears_the_decision_surface_and_status_line(window, qtbot, tmp_path):
    path = tmp_path / "xor.nnstudio"
    save_project(toy_project("xor", n=200, hidden=4, epochs=5, lr=0.03), path)
    assert window.open_path(path)
    stepped(window, qtbot)
    assert len(window.decision_dock.train_pts.data) > 0
    QTest.keyClick(window, Qt.Key_N, Qt.ControlModifier)  # File > New
    assert not surface_shown(window)
    assert window.trainer.status.text().strip() == "not trained yet"
    assert window.trainer.session is None and window.statusBar().currentMessage() == ""
    # nothing comes back later either: no session is left to publish the old picture
    qtbot.wait(300)
    assert not surface_shown(window)


def test_data_switch_shows_the_new_points_and_no_old_surface(window, qtbot, tmp_path):
    path = tmp_path / "xor.nnstudio"
    save_project(toy_project("xor", n=200, hidden=4, epochs=5, lr=0.03), path)
    assert window.open_path(path)
    stepped(window, qtbot)
    old_points = window.decision_dock.train_pts.data["x"].copy()
    combo = window.data_panel.source
    combo.setFocus()
    names = [combo.itemData(i) for i in range(combo.count())]
    QTest.keyClick(combo, Qt.Key_Down)  # the next data set, with the keyboard
    assert combo.itemData(combo.currentIndex()) != ("toy", "xor") and combo.currentIndex() == names.index(
        ("toy", "xor")) + 1
    assert window.project.data["name"] != "xor"
    assert not surface_shown(window)
    assert window.trainer.status.text().strip() == "not trained yet"
    new_points = window.decision_dock.train_pts.data["x"]
    ds = window.data_panel.dataset
    assert len(new_points) == len(ds.y_train)
    assert len(new_points) != len(old_points) or not (new_points == old_points).all()
    qtbot.wait(300)
    assert not surface_shown(window)


def test_reset_clears_the_views_of_the_run(window, qtbot, tmp_path):
    path = tmp_path / "xor.nnstudio"
    save_project(toy_project("xor", n=200, hidden=4, epochs=5, lr=0.03), path)
    assert window.open_path(path)
    QTest.keyClick(window, Qt.Key_F7)  # one epoch
    qtbot.waitUntil(lambda: "epoch 1" in window.trainer.status.text(), timeout=120_000)

    def points() -> int:  # the curve's getData is (None, None) before its first point
        x, _ = window.curves_dock.train_loss.getData()
        return 0 if x is None else len(x)

    qtbot.waitUntil(lambda: points() > 0, timeout=10_000)
    button = window.training_toolbar.widgetForAction(window.trainer.reset_action)
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.wait(300)  # the fresh run may publish its first snapshot: it has no epochs yet
    x, _ = window.curves_dock.train_loss.getData()
    assert x is None or len(x) == 0
    assert "epoch 1" not in window.trainer.status.text()



def test_the_decision_surface_region_is_the_whole_view_after_the_same_data_come_again(qtbot):
    """The locked aspect widens one axis beyond the data; when the data are set again (a reset, a new
    session) the view ends at the range it already shows, no range signal comes, and the surface asked
    for must still be the view's, not the data's."""
    import numpy as np

    from nnstudio.ui.plots import DecisionDock

    dock = DecisionDock()
    qtbot.addWidget(dock)
    dock.resize(700, 300)  # much wider than high
    dock.show()
    rng = np.random.default_rng(0)
    pts, y = rng.normal(size=(50, 2)).astype(np.float32), rng.integers(0, 2, 50)
    for _ in range(2):
        dock.set_points(pts, y, pts, y, "classification")
        qtbot.wait(400)
    (x0, x1), (y0, y1) = dock.plot.getViewBox().viewRange()
    r = dock.region()
    assert np.allclose(r, (x0, x1, y0, y1), rtol=0, atol=1e-6 * max(x1 - x0, y1 - y0)), (r, (x0, x1, y0, y1))
