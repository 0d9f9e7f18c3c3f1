"""Word vectors: an Embedding's rows drawn as labelled points, and a - b + c worked out on them."""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QLabel

from nnstudio.data.word_corpus import analogy
from nnstudio.ui.plots.base import CLASS_COLORS, PlotDock, background_is_dark, fill_combo, readable_on

#: the slanted third axis of the cube-like drawing: x and y gain this much per unit along it
SLANT = (0.42, 0.28)
#: the most rows drawn (a labelled point each): a big vocabulary shows its first ones
MAX_WORDS = 60
#: a word's label anchor: its text centred above the point, or (the answer, with the ring above it)
#: far enough below to clear the ring's 16 pixels
ABOVE, BELOW = (0.5, 1.3), (0.5, -0.6)
#: the analogy the view starts with, when those words are there
DEFAULT_ANALOGY = ("king", "man", "woman")
NO_VECTORS = ("Word vectors appear here once a network with an Embedding layer trains: each row of the "
              "Embedding (one word) becomes a point. Lesson 9's step 'Train word vectors' builds one.")
ARROW_COLOR = CLASS_COLORS[1]
ANSWER_COLOR = CLASS_COLORS[0]


def _unit(v: np.ndarray) -> np.ndarray | None:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 else None


def analogy_plane(vectors: np.ndarray, a: int, b: int, c: int) -> np.ndarray:
    """A linear map (d, 2) that draws the rows of ``vectors`` like a cube: across along b -> c, up
    along b -> a (the part of it not along b -> c), slanted along the direction in which the rows
    differ most besides those two.

    Being linear, it keeps every equal step equal: if king - man = queen - woman in the vectors, the
    arrows man -> woman and king -> queen are the same arrow in the picture as well.
    """
    v = np.asarray(vectors, dtype=np.float64)
    d = v.shape[1]
    p = v - v.mean(axis=0)
    axes = []
    for direction in (v[c] - v[b], v[a] - v[b]):
        for prior in axes:
            direction = direction - (direction @ prior) * prior
        u = _unit(direction)
        if u is not None:
            axes.append(u)
    rest = p - (p @ np.array(axes).T) @ np.array(axes) if axes else p
    _, s, vt = np.linalg.svd(rest, full_matrices=False)
    for k in range(len(s)):  # fill missing axes (the words coincide) and the slant from what is left
        if len(axes) >= 3 or s[k] < 1e-9:
            break
        axes.append(vt[k])
    while len(axes) < 3:
        axes.append(np.zeros(d))
    across, up, slant = axes[:3]
    return np.stack([across + SLANT[0] * slant, up + SLANT[1] * slant], axis=1)


def arrow_path(start: np.ndarray, end: np.ndarray, head: float) -> tuple[np.ndarray, np.ndarray]:
    """x and y of a line from ``start`` to ``end`` with a two-stroke head of length ``head`` at ``end``."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    d = end - start
    n = float(np.linalg.norm(d))
    if n < 1e-12:
        return np.array([start[0]]), np.array([start[1]])
    d /= n
    side = np.array([-d[1], d[0]])
    left = end - head * (0.9 * d + 0.5 * side)
    right = end - head * (0.9 * d - 0.5 * side)
    pts = np.array([start, end, left, end, right])
    return pts[:, 0], pts[:, 1]


class WordVectorsDock(PlotDock):
    title = "Word vectors"
    help_text = ("Each point is one word's vector in the chosen Embedding, drawn like a cube: across in the "
                 "direction from the second word to the third, up from the second to the first, slanted "
                 "the direction the words differ in most besides. The orange arrow goes from the second "
                 "word to the third; the same arrow, dashed, starts at the first word and ends where "
                 "first - second + third lands (the hollow ring). The word nearest to that spot, by the "
                 "angle between vectors, is the answer. After training, equal steps in meaning "
                 "(man to woman, king to queen) are equal arrows.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.layer = QComboBox()
        self.layer.setToolTip("Which Embedding layer's vectors to show")
        self.words = [QComboBox() for _ in range(3)]
        self.controls.addWidget(QLabel("layer"))
        self.controls.addWidget(self.layer)
        for word, sign in zip(self.words, ("", "\u2212", "+")):
            if sign:
                self.controls.addWidget(QLabel(sign))
            word.setToolTip("first - second + third: which word lands there?")
            word.currentIndexChanged.connect(self._redraw_now)
            self.controls.addWidget(word)
        self.layer.currentIndexChanged.connect(self._redraw_now)
        self.note = QLabel(NO_VECTORS)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignCenter)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(True)
        self.plot.hide()
        self.readout = QLabel("")
        self.readout.setWordWrap(True)
        self.readout.setTextFormat(Qt.RichText)
        self.body.addWidget(self.note)
        self.body.addWidget(self.plot, 1)
        self.body.addWidget(self.readout)
        self.points = pg.ScatterPlotItem(size=9, pen=pg.mkPen(None))
        self.ring = pg.ScatterPlotItem(size=16, brush=pg.mkBrush(None))
        self.step_arrow = pg.PlotDataItem()
        self.moved_arrow = pg.PlotDataItem()
        for item in (self.step_arrow, self.moved_arrow, self.points, self.ring):
            self.plot.addItem(item)
        self.labels: list[pg.TextItem] = []
        self.token_names: list[str] | None = None
        #: what the picture shows now: the words, their 2-D places, the analogy and its ranked answers
        self.names: list[str] = []
        self.xy = np.zeros((0, 2))
        self.question: tuple[str, str, str] | None = None
        self.ranked: list[tuple[str, float]] = []
        self.shown_of = (0, 0)  # rows drawn, rows the Embedding has

    def set_token_names(self, names: list[str] | None) -> None:
        """The words of the Embedding's rows (the data's token names); None: numbered tokens."""
        self.token_names = list(names) if names else None

    def needs(self) -> dict[str, Any]:
        return {"params": True}

    def _redraw_now(self, *_args: Any) -> None:
        if self.snapshot is not None:
            self.draw(self.snapshot)

    def draw(self, s: Any) -> None:
        embeddings = [(layer.name, layer.node_id) for layer in s.layers if layer.kind == "Embedding"]
        vectors = None
        if s.params is not None and embeddings:
            fill_combo(self.layer, embeddings)
            tensors = s.params.get(self.layer.currentData()) or {}
            vectors = tensors.get("weight")
        if vectors is None or len(vectors) < 3:
            self.note.show()
            self.plot.hide()
            self.readout.setText("")
            return
        self.note.hide()
        self.plot.show()
        total = len(vectors)
        vectors = np.asarray(vectors[:MAX_WORDS], dtype=np.float64)
        n = len(vectors)
        names = (self.token_names[:n] if self.token_names and len(self.token_names) >= n
                 else [f"token {i}" for i in range(n)])
        self.shown_of = (n, total)
        for i, combo in enumerate(self.words):
            default = names.index(DEFAULT_ANALOGY[i]) if DEFAULT_ANALOGY[i] in names else i
            fill_combo(combo, [(w, w) for w in names], default)
        a, b, c = (names.index(combo.currentData()) for combo in self.words)
        self.names, self.question = names, (names[a], names[b], names[c])
        self.xy = (vectors - vectors.mean(axis=0)) @ analogy_plane(vectors, a, b, c)
        self._draw_points(vectors, names, a, b, c)

    def _draw_points(self, vectors: np.ndarray, names: list[str], a: int, b: int, c: int) -> None:
        xy = self.xy
        if len({a, b, c}) < 3:
            self.ranked = []
            self.readout.setText("Pick three different words: the first minus the second plus the third.")
            answer = None
        else:
            self.ranked = analogy(vectors, names[a], names[b], names[c], names)
            answer = names.index(self.ranked[0][0])
            self.readout.setText(self._readout_html(self.colours()[2]))
        if self.shown_of[1] > self.shown_of[0]:
            self.readout.setText(self.readout.text() + f"<br>(the first {self.shown_of[0]:,} of "
                                 f"{self.shown_of[1]:,} tokens)")
        dark = background_is_dark()
        plain, arrow, best = self.colours()
        chosen = {a, b, c}
        brushes = [pg.mkBrush(best if i == answer else arrow if i in chosen else plain) for i in range(len(xy))]
        self.points.setData(pos=xy, brush=brushes)
        target = xy[a] - xy[b] + xy[c]
        extent = float(np.ptp(np.vstack([xy, target]), axis=0).max()) or 1.0
        self.step_arrow.setData(*arrow_path(xy[b], xy[c], 0.06 * extent), pen=pg.mkPen(arrow, width=2))
        self.moved_arrow.setData(*arrow_path(xy[a], target, 0.06 * extent),
                                 pen=pg.mkPen(arrow, width=2, style=Qt.DashLine))
        self.ring.setData(pos=[target], pen=pg.mkPen(arrow, width=2))
        while len(self.labels) < len(xy):
            label = pg.TextItem("", anchor=ABOVE)
            self.plot.addItem(label)
            self.labels.append(label)
        for i, label in enumerate(self.labels):
            label.setVisible(i < len(xy))
            if i < len(xy):
                # the answer's name goes on the side of its point away from the ring, which lands close by
                anchor = BELOW if i == answer and target[1] >= xy[i][1] else ABOVE
                look = (names[i], i == answer or i in chosen, best if i == answer else ("#eceff1" if dark else "#263238"),
                        anchor)
                if getattr(label, "look", None) != look:  # a TextItem lays itself out again on every change
                    label.look = look
                    font = QFont()
                    font.setBold(look[1])
                    label.setFont(font)
                    label.setColor(look[2])
                    label.setAnchor(anchor)
                    label.setText(look[0])
                label.setPos(*xy[i])
        pi = self.plot.getPlotItem()
        pi.setLabel("bottom", f"{names[b]} \u2192 {names[c]}")
        pi.setLabel("left", f"{names[b]} \u2192 {names[a]}")
        pi.showAxis("left", True)
        pi.showAxis("bottom", True)
        self.plot.autoRange(padding=0.15)

    def colours(self) -> tuple[str, str, str]:
        """Other words, the three chosen words and their arrows, the answer: readable on the background."""
        bg = pg.getConfigOption("background")
        return tuple(readable_on(col, bg) for col in ("#78909c", ARROW_COLOR, ANSWER_COLOR))  # type: ignore[return-value]

    def _readout_html(self, colour: str) -> str:
        a, b, c = self.question or ("", "", "")
        (best, cos), rest = self.ranked[0], self.ranked[1:]
        text = (f"{a} \u2212 {b} + {c} is nearest to <b style='color:{colour}'>{best}</b> "
                f"(cosine {cos:.2f})")
        if rest:
            text += f"; next: {rest[0][0]} ({rest[0][1]:.2f})"
        return text
