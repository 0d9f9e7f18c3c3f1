"""The start page: example cards open a copy; the installed examples are never written to."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from nnstudio.io import load_project
from nnstudio.ui.examples import example_infos, examples_dir


def fake_save_dialog(monkeypatch, answer: Path) -> list[str]:
    """Answer Save As with ``answer``; returns the folders/names the dialog proposed."""
    asked: list[str] = []

    def dialog(_parent, _title, suggested, _filter):
        asked.append(suggested)
        return str(answer), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return asked


def test_window_opens_on_a_start_page_with_a_card_per_example(start_window):
    w = start_window
    assert w.on_start_page()
    infos = example_infos()
    assert [c.info.path for c in w.start_page.cards] == [i.path for i in infos] and len(infos) >= 6
    for card in w.start_page.cards:
        assert card.isVisible() and card.title.text() and card.description.text()
        assert not card._pixmap.isNull(), f"{card.info.path.stem} has no thumbnail"
        # the picture is shown, not left for later
        assert card.image.pixmap() is not None and not card.image.pixmap().isNull()
    assert w.start_page.new_button.isVisible() and w.start_page.open_button.isVisible()


def test_card_opens_an_untitled_copy_and_ctrl_s_saves_elsewhere(start_window, qtbot, monkeypatch, tmp_path):
    w = start_window
    card = w.start_page.card("xor")
    example = card.info.path
    before = example.read_bytes()
    qtbot.mouseClick(card, Qt.LeftButton)
    assert not w.on_start_page()
    assert w.path is None and w.windowTitle() == "XOR (copy) - nnstudio"
    assert len(w.project.graph.nodes) == 5
    w.scene.add_node_at("Dropout", QPointF(600, 300))
    assert w.windowTitle() == "XOR (copy)* - nnstudio"
    mine = tmp_path / "mine.nnstudio"
    asked = fake_save_dialog(monkeypatch, mine)
    w.view.setFocus()
    QTest.keyClick(w, Qt.Key_S, Qt.ControlModifier)
    assert asked and Path(asked[0]).name == "xor.nnstudio" and Path(asked[0]).parent != examples_dir()
    assert example.read_bytes() == before
    assert mine.exists() and len(load_project(mine).graph.nodes) == 6
    assert w.windowTitle() == "mine.nnstudio - nnstudio"


def test_example_from_open_recent_is_a_copy_too(start_window, qtbot, monkeypatch, tmp_path):
    w = start_window
    example = examples_dir() / "circle.nnstudio"
    before = example.read_bytes()
    w.settings.setValue("recent", [str(example.resolve())])  # left there by an older version
    w._fill_recent()
    QTest.keyClick(w, Qt.Key_O, Qt.ControlModifier | Qt.ShiftModifier)  # File > New from example
    assert w.on_start_page()
    button = w.start_page.recent_buttons[0]
    assert button.text() == "circle.nnstudio"
    qtbot.mouseClick(button, Qt.LeftButton)
    assert w.path is None and w.windowTitle().startswith("Circle (copy)")
    w.scene.add_node_at("Dropout", QPointF(600, 300))
    # Save As pointed at the example itself is refused: the example stays as installed
    fake_save_dialog(monkeypatch, example)
    QTest.keyClick(w, Qt.Key_S, Qt.ControlModifier)
    assert example.read_bytes() == before
    assert w.messages and "installed example" in w.messages[-1]
    assert w.modified


def test_new_from_example_offers_a_way_back_and_new_empty_network(start_window, qtbot):
    w = start_window
    qtbot.mouseClick(w.start_page.card("spiral"), Qt.LeftButton)
    QTest.keyClick(w, Qt.Key_O, Qt.ControlModifier | Qt.ShiftModifier)
    assert w.on_start_page() and w.start_page.back_button.isVisible()
    qtbot.mouseClick(w.start_page.back_button, Qt.LeftButton)
    assert not w.on_start_page() and w.windowTitle().startswith("Spiral (copy)")
    QTest.keyClick(w, Qt.Key_O, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.mouseClick(w.start_page.new_button, Qt.LeftButton)
    assert not w.on_start_page() and not w.project.graph.nodes
    assert w.windowTitle() == "untitled.nnstudio - nnstudio"


def test_a_project_opened_before_the_window_shows_skips_the_start_page(qtbot, tmp_path):
    """``nnstudio PROJECT`` opens the project before the window is on screen."""
    from nnstudio.ui.main_window import MainWindow
    from tests.ui.conftest import close_window, use_settings_in

    use_settings_in(tmp_path / "settings")
    w = MainWindow()
    w._ask_save = lambda: "discard"
    assert w.open_path(tmp_path / "new.nnstudio", ask=False)
    w.show()
    qtbot.waitExposed(w)
    assert not w.on_start_page() and not w.start_page.isVisible() and w.view.isVisible()
    close_window(w)


def test_start_page_and_view_titles_follow_the_dark_theme(start_window, qtbot):
    w = start_window
    w.set_theme("dark")
    qtbot.wait(50)
    page = w.start_page.grab().toImage()
    assert page.pixelColor(5, 5).lightness() < 80  # the page's background
    card = w.start_page.cards[0]
    assert card.grab().toImage().pixelColor(card.width() // 2, card.height() - 4).lightness() < 80
    button = w.decision_dock.titleBarWidget().button
    assert button.palette().color(button.foregroundRole()).lightness() > 150  # light text on the dark bar
    w.set_theme("light")
    qtbot.wait(50)
    assert w.start_page.grab().toImage().pixelColor(5, 5).lightness() > 200
