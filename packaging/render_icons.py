"""Render nnstudio/resources/icons/nnstudio.svg into the PNG sizes desktops look for (and .ico for Windows).

    python packaging/render_icons.py

Uses Qt's SVG renderer (PySide6, a dependency of the app). The PNGs are committed; run this
again after the SVG changes.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "nnstudio" / "resources" / "icons" / "nnstudio.svg"  # the app shows it as its window icon too
ICONS = ROOT / "resources" / "icons"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (Qt needs it)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"cannot read {SVG}", file=sys.stderr)
        return 1
    out = ICONS / "png"
    out.mkdir(exist_ok=True)
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(out / f"nnstudio-{size}.png"))
    # Windows: one .ico with the usual sizes (Pillow, a dependency of the app)
    from PIL import Image

    big = Image.open(out / "nnstudio-256.png")
    big.save(ICONS.parent / "nnstudio.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    print(f"wrote {len(SIZES)} PNGs to {out} and {ICONS.parent / 'nnstudio.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
