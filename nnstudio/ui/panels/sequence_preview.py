"""The data panel's preview of sequence data: a few sequences as curves, or a few samples as text."""
from __future__ import annotations

import html
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QStackedWidget, QTextEdit, QVBoxLayout, QWidget

SAMPLE_COLORS = ["#1e88e5", "#fb8c00", "#43a047", "#8e24aa"]
#: how many sequences the curves show, and how many samples the text lists
CURVES, TEXT_ROWS = 3, 8


def render_tokens(ids: np.ndarray, class_names: list[str]) -> str:
    """Token ids as text: characters joined when every class is one character, else numbers spaced."""
    ids = np.asarray(ids).reshape(-1).astype(np.int64)
    if class_names and all(len(c) == 1 for c in class_names) and ids.min(initial=0) >= 0 \
            and ids.max(initial=0) < len(class_names):
        return "".join(class_names[i] for i in ids)
    return " ".join(str(int(i)) for i in ids)


class SequencePreview(QWidget):
    """Regression sequences as curves (the target as a star after the window); symbol tasks as text lines."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(180)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        self.plot.setLabel("bottom", "step")
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.text = QTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QTextEdit.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        font.setStyleHint(QFont.Monospace)
        self.text.setFont(font)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot)
        self.stack.addWidget(self.text)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.caption)
        lay.addWidget(self.stack, 1)

    def show_dataset(self, ds: Any) -> None:
        """Show the first training samples of ``ds`` (X of shape (N, L) or (N, L, F))."""
        if ds.task == "regression" and len(ds.input_shape) == 2:
            self._curves(ds)
        else:
            self._samples(ds)

    def _curves(self, ds: Any) -> None:
        self.plot.clear()
        X, y = ds.X_train[:CURVES], ds.y_train[:CURVES]
        length = X.shape[1]
        ahead = int(ds.spec.get("horizon", 1))
        t = np.arange(length)
        for i, (seq, target) in enumerate(zip(X, y)):
            color = SAMPLE_COLORS[i % len(SAMPLE_COLORS)]
            self.plot.plot(t, seq[:, 0], pen=pg.mkPen(color, width=2))
            for ch in range(1, seq.shape[1]):
                col = seq[:, ch]
                if np.isin(col, (0.0, 1.0)).all():  # a 0/1 marker channel (the adding problem): dots on the values
                    marked = np.flatnonzero(col)
                    self.plot.plot(marked, seq[marked, 0], pen=None, symbol="o", symbolSize=11,
                                   symbolBrush=color, symbolPen=pg.mkPen("w", width=1.5))
                else:
                    self.plot.plot(t, col, pen=pg.mkPen(color, width=1, style=pg.QtCore.Qt.DashLine))
            self.plot.plot([length - 1 + ahead], [float(target[0])], pen=None, symbol="star", symbolSize=16,
                           symbolBrush=color, symbolPen=pg.mkPen("k", width=1))
        marker = " Dots mark the two values to add." if X.shape[2] > 1 and np.isin(X[:, :, 1], (0.0, 1.0)).all() \
            else ""
        self.caption.setText(f"{len(X)} training sequences of {length} steps; the star is the target.{marker}")
        self.stack.setCurrentWidget(self.plot)

    def _samples(self, ds: Any) -> None:
        names = list(ds.class_names)
        lines = []
        for x, y in zip(ds.X_train[:TEXT_ROWS], ds.y_train[:TEXT_ROWS]):
            seq = render_tokens(x, names)
            if np.ndim(y) == 0:
                target = names[int(y)] if 0 <= int(y) < len(names) else str(int(y))
                target = repr(target) if len(target) == 1 else target
            else:
                target = render_tokens(y, names)
            lines.append(f"{html.escape(seq)} <span style='color:#fb8c00'>&rarr; {html.escape(target)}</span>")
        chars = bool(names) and all(len(c) == 1 for c in names)
        what = "text windows and the next character" if chars and ds.y_train.ndim == 1 else \
            "token sequences and their targets" if ds.y_train.ndim == 2 else "sequences and their classes"
        self.caption.setText(f"The first {len(lines)} training samples: {what}")
        self.text.setHtml("<pre style='margin:0'>" + "\n".join(lines) + "</pre>")
        self.stack.setCurrentWidget(self.text)


__all__ = ["SequencePreview", "render_tokens"]
