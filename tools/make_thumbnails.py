"""Render the start page's example pictures into ``nnstudio/resources/thumbnails/``.

Run: ``QT_QPA_PLATFORM=offscreen python tools/make_thumbnails.py [--epochs-scale 1.0]``

Each example is opened in the real main window (as a copy), trained with its own settings and
then pictured by the view that shows its idea best: the decision surface for the 2-D problems
(and the fitted plane for the regression), the first-layer weights for the digits MLP and the
first convolution's filters for the digits CNN. Re-run after changing an example or a view.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from screenshots import fresh_window, open_example, pump, train_until  # noqa: E402

from nnstudio.ui.examples import example_infos  # noqa: E402

OUT = ROOT / "nnstudio" / "resources" / "thumbnails"
SIZE = QSize(600, 360)  # twice the card's picture: crisp on high-DPI screens
#: the view pictured per example: (dock attribute, widget attribute inside it)
PICTURE = {"digits-mlp": ("weights_dock", "view"), "digits-cnn": ("weights_dock", "view"),
           "copy-transformer": ("confusion_dock", "view")}
PICTURE.update({"lesson-hierarchy": ("weights_dock", "view"), "lesson-architectures": ("weights_dock", "view"),
                "lesson-representations": ("projection_dock", "plot"),
                "lesson-vanishing-gradients": ("grad_dock", "plot"), "lesson-overfitting": ("curves_dock", "loss_plot"),
                "adding-lstm": ("curves_dock", "loss_plot")})
DEFAULT = ("decision_dock", "plot")


def render(name: str, folder: Path, epochs_scale: float) -> Path:
    window = fresh_window()
    window.resize(1440, 900)
    open_example(window, name, folder)
    dock_name, widget_name = PICTURE.get(name, DEFAULT)
    dock = getattr(window, dock_name)
    window.view_picker.show_view(dock)
    pump(200)
    epochs = max(1, int(round(window.trainer.epochs.value() * epochs_scale)))
    window.trainer.epochs.setValue(epochs)
    train_until(window, epochs, timeout=300)
    widget = getattr(dock, widget_name)
    widget.resize(SIZE)
    pump(400)
    out = OUT / f"{name}.png"
    widget.grab().scaled(SIZE, Qt.KeepAspectRatio, Qt.SmoothTransformation).save(str(out))
    window.trainer.close_session(store=False)
    window.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs-scale", type=float, default=1.0, help="train each example this share of its epochs")
    parser.add_argument("names", nargs="*", help="only these examples (default: all)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    qInstallMessageHandler(lambda *a: None)
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-thumbs-"))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder / "settings"))
    OUT.mkdir(parents=True, exist_ok=True)
    for info in example_infos(lessons=True):
        if args.names and info.path.stem not in args.names:
            continue
        print("wrote", render(info.path.stem, folder, args.epochs_scale), flush=True)
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
