"""Light and dark themes: a Fusion palette plus matching plot colours."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

THEMES = ("light", "dark")


def palette(name: str) -> QPalette:
    p = QPalette()
    if name == "dark":
        colors = {QPalette.Window: "#263238", QPalette.WindowText: "#eceff1", QPalette.Base: "#1e272c",
                  QPalette.AlternateBase: "#2b363c", QPalette.Text: "#eceff1", QPalette.Button: "#37474f",
                  QPalette.ButtonText: "#eceff1", QPalette.Highlight: "#ffb300", QPalette.HighlightedText: "#000000",
                  QPalette.ToolTipBase: "#37474f", QPalette.ToolTipText: "#eceff1", QPalette.Mid: "#78909c",
                  QPalette.PlaceholderText: "#90a4ae"}
    else:
        colors = {QPalette.Window: "#f5f7f8", QPalette.WindowText: "#212121", QPalette.Base: "#ffffff",
                  QPalette.AlternateBase: "#eef2f4", QPalette.Text: "#212121", QPalette.Button: "#e8ecee",
                  QPalette.ButtonText: "#212121", QPalette.Highlight: "#1e88e5", QPalette.HighlightedText: "#ffffff",
                  QPalette.ToolTipBase: "#ffffff", QPalette.ToolTipText: "#212121", QPalette.Mid: "#9e9e9e",
                  QPalette.PlaceholderText: "#757575"}
    for role, c in colors.items():
        p.setColor(role, QColor(c))
    return p


def apply_theme(app: QApplication, name: str, root: QWidget | None = None) -> None:
    """Switch the palette and future plots to the theme, and the plots already inside ``root``.

    Only ``root``'s own children are walked, never ``app.allWidgets()``: that list can hold widgets another
    owner is tearing down, and touching one of those crashes the process.
    """
    if name not in THEMES:
        name = "light"
    app.setStyle("Fusion")
    app.setPalette(palette(name))
    bg, fg = ("#1e272c", "#cfd8dc") if name == "dark" else ("#ffffff", "#37474f")
    pg.setConfigOption("background", bg)
    pg.setConfigOption("foreground", fg)
    if root is None:
        return
    for w in root.findChildren(pg.GraphicsView):  # plots, layouts and the views inside image viewers alike
        w.setBackground(bg)
        if isinstance(w, pg.PlotWidget):
            for axis in ("left", "bottom"):
                w.getAxis(axis).setPen(fg)
                w.getAxis(axis).setTextPen(fg)
            legend = w.getPlotItem().legend
            if legend is not None:
                legend.setLabelTextColor(fg)
                for _sample, label in legend.items:  # setLabelTextColor alone leaves drawn labels as they were
                    label.setText(label.text, color=fg)
