"""Render the README's screenshots of the real main window into ``docs/screenshots/``.

Run: ``QT_QPA_PLATFORM=offscreen python tools/screenshots.py [--out DIR]``

* ``editor-light.png`` / ``editor-dark.png`` - the editor with the digits-cnn example, a layer
  selected so the inspector explains it;
* ``spiral-training.png`` - spiral mid-training: the first hidden layer (cut to 10 units) expanded
  into its neurons, each with its response thumbnail, and the decision surface;
* ``digits-cnn-training.png`` - digits-cnn after a few epochs: first-layer filters and the
  feature maps of one sample;
* ``start-1280x800.png``, ``start-1440x900.png`` - the start page at both laptop sizes;
* ``spiral-1280x800.png``, ``spiral-1440x900.png``, ``digits-cnn-1280x800.png`` - the default layout
  at those sizes, mid-training.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnstudio.io import load_project, save_project  # noqa: E402
from nnstudio.ui.main_window import MainWindow  # noqa: E402
from nnstudio.ui.panels.gallery import example_paths  # noqa: E402


def pump(ms: int) -> None:
    """Run the event loop for a while so timers fire and views redraw."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def open_example(window: MainWindow, name: str, folder: Path, units: dict[str, int] | None = None) -> None:
    path = next(p for p in example_paths() if p.stem == name)
    project = load_project(path)
    for node_id, n in (units or {}).items():  # fewer neurons read better at screenshot size
        project.graph.nodes[node_id].params["units"] = n
    copy = folder / path.name
    save_project(project, copy)
    window.open_path(copy, ask=False)
    pump(300)


def fresh_window(theme: str = "light") -> MainWindow:
    window = MainWindow()
    window._ask_save = lambda: "discard"  # screenshots keep nothing
    window.set_theme(theme)
    window.resize(1800, 1000)
    window.show()
    pump(200)
    return window


def train_until(window: MainWindow, epoch: int, timeout: float = 120) -> None:
    tc = window.trainer
    tc.train_action.trigger()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pump(50)
        snap = tc.session.latest_snapshot() if tc.session else None
        if snap is not None and (snap.epoch >= epoch or snap.state in ("finished", "diverged", "error")):
            break
    if tc.session.state == "running":
        tc.toggle()  # pause: the screenshot shows a run the user can continue
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and tc.session.state == "running":
        pump(50)
    pump(800)  # every visible view catches up with the last snapshot


def select(window: MainWindow, node_id: str) -> None:
    window.scene.set_selection([node_id])
    pump(200)


def editor(out: Path, folder: Path, theme: str) -> None:
    window = fresh_window(theme)
    open_example(window, "digits-cnn", folder)
    select(window, "n2")
    window.view.fit()
    pump(300)
    window.grab().save(str(out / f"editor-{theme}.png"))
    window.close()


def spiral(out: Path, folder: Path) -> None:
    window = fresh_window()
    open_example(window, "spiral", folder, units={"n2": 10})
    select(window, "n2")
    window.scene.expand_selected()
    window.scene.clearSelection()
    window.view_picker.show_view(window.decision_dock)
    window.view_picker.show_view(window.curves_dock)
    window.resizeDocks([window.data_dock], [620], Qt.Horizontal)
    pump(200)
    window.resizeDocks([window.data_dock, window.decision_dock], [330, 480], Qt.Vertical)
    window.view.fit()
    train_until(window, 60)
    window.view.fit()
    pump(300)
    window.grab().save(str(out / "spiral-training.png"))
    window.trainer.close_session(store=False)
    window.close()


def digits_cnn(out: Path, folder: Path) -> None:
    window = fresh_window()
    open_example(window, "digits-cnn", folder)
    # loss curves on top, then the first-layer filters, then the feature maps of one example
    window.removeDockWidget(window.maps_dock)
    window.addDockWidget(Qt.RightDockWidgetArea, window.maps_dock, Qt.Vertical)
    window.maps_dock.show()
    window.view_picker.show_view(window.weights_dock)
    window.view_picker.show_view(window.curves_dock)
    select(window, "n2")
    window.resizeDocks([window.data_dock], [620], Qt.Horizontal)
    pump(200)  # resizeDocks only holds once the new layout has been laid out
    window.resizeDocks([window.data_dock, window.weights_dock, window.maps_dock], [310, 200, 260], Qt.Vertical)
    train_until(window, 4)
    window.view.fit()
    pump(300)
    window.grab().save(str(out / "digits-cnn-training.png"))
    window.trainer.close_session(store=False)
    window.close()


WINDOW_SIZES = ((1280, 800), (1440, 900))


def at_size(width: int, height: int) -> MainWindow:
    """A fresh window of exactly this size in its default layout."""
    window = fresh_window()
    window.resize(width, height)
    window.reset_layout()
    pump(400)
    return window


def window_sizes(out: Path, folder: Path) -> None:
    for width, height in WINDOW_SIZES:
        tag = f"{width}x{height}"
        window = at_size(width, height)
        window.show_start_page()
        pump(300)
        window.grab().save(str(out / f"start-{tag}.png"))
        open_example(window, "spiral", folder)
        train_until(window, 60)
        pump(300)
        window.grab().save(str(out / f"spiral-{tag}.png"))
        window.trainer.close_session(store=False)
        window.close()
    window = at_size(1280, 800)
    open_example(window, "digits-cnn", folder)
    window.view_picker.show_view(window.weights_dock)
    train_until(window, 4)
    pump(300)
    window.grab().save(str(out / "digits-cnn-1280x800.png"))
    window.trainer.close_session(store=False)
    window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--sizes-only", action="store_true", help="only the start page and layouts at laptop sizes")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    qInstallMessageHandler(lambda *a: None)  # offscreen platform chatter
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-shots-"))
    # a clean settings folder: the default layout, no recent files of whoever runs this
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder / "settings"))
    window_sizes(args.out, folder)
    if not args.sizes_only:
        editor(args.out, folder, "light")
        editor(args.out, folder, "dark")
        spiral(args.out, folder)
        digits_cnn(args.out, folder)
    app.processEvents()
    print(f"screenshots written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
