"""The "Neuron numbers" view: inside the selected Neuron for one training point, live (lessons 1, 5).

Forward: each input x, its weight w, the products, the bias, the sum z = w.x + b and the
activation's output y = f(z). Gradient descent (when one batch is the whole training set, so the
step's gradient is the mean over the set this view can compute): each weight's gradient, the
update -lr x gradient the next sgd step makes, and how far the last step really moved it. A click
on a weight's row spells out its chain rule for the chosen point. The numbers come from
:mod:`nnstudio.lessons.neuron_story` on the snapshot's copy of the weights.
"""
from __future__ import annotations

import html
from typing import Any

import numpy as np

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QFrame, QHeaderView, QLabel, QScrollArea, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget,
)

from nnstudio.errors import NNStudioError
from nnstudio.lessons.neuron_story import neuron_numbers, weight_change, weight_story
from nnstudio.ui.plots.base import PlotDock

MAX_GRADIENT_SAMPLES = 5000  # above this the per-weight stories would cost the GUI thread too much


def fmt(v: float, digits: int = 4) -> str:
    """Signed, ``digits`` significant digits (an exponent only for very small or large numbers)."""
    return f"{v:+.{digits}g}"


def _table(columns: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setHorizontalHeaderLabels(columns)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.setSelectionMode(QAbstractItemView.SingleSelection)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
    t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
    t.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    t.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    return t


def _fit_height(t: QTableWidget) -> None:
    """As tall as its rows: the dock scrolls, not the table (a table in a scroll hid its last rows)."""
    t.setFixedHeight(t.horizontalHeader().height() + t.verticalHeader().length() + 2 * t.frameWidth() + 2)


FORWARD = ["input", "x", "w", "w \u00d7 x"]
GRADIENT = ["dL/dw", "next \u0394w"]


class NeuronDock(PlotDock):
    """Lists the selected Neuron's numbers; ``story_index`` is the weight whose chain rule is shown."""

    title = "Neuron numbers"
    help_text = ("Inside the selected Neuron, for one training point: each input x times its weight w, "
                 "plus the bias b, gives the sum z; the activation turns z into the output y. When one batch "
                 "is the whole training set, each weight's gradient dL/dw and the change -lr \u00d7 dL/dw the "
                 "next sgd step makes (next \u0394w) are listed too. Click a weight for its chain rule.")
    cheap = True

    def __init__(self, window: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.window = window
        self.node_id: str | None = None
        self.story_index: int | None = None
        self.last: dict[str, Any] | None = None  # the drawn step: its number, weights, lr and stories
        self.moved: dict[int, float] = {}  # weight index -> how far the last single step moved it
        self.predicted: dict[int, float] = {}  # weight index -> what the step before predicted
        self.stories: dict[int, Any] = {}
        self.n_points = 0
        self.numbers: Any = None
        self.sample = QSpinBox(minimum=0, maximum=0)
        self.sample.setPrefix("point #")
        self.sample.setToolTip("Which training point's numbers are shown")
        self.sample.valueChanged.connect(self._redraw_now)
        self.controls.addWidget(self.sample)
        host = QWidget()
        lay = QVBoxLayout(host)
        lay.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel("Select a Neuron on the canvas to see its numbers.")
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        self.table = _table(FORWARD + GRADIENT)
        lay.addWidget(self.table)
        self.step_check = QLabel("")
        self.step_check.setWordWrap(True)
        lay.addWidget(self.step_check)
        self.story = QLabel("")
        self.story.setWordWrap(True)
        self.story.setTextFormat(Qt.RichText)
        self.story.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.story)
        lay.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(host)
        self.body.addWidget(scroll)
        self.table.cellClicked.connect(lambda row, _c: self._choose(row))
        window.scene.nodeSelectionChanged.connect(self._selected)
        window.scene.selectionChanged.connect(self._edge_selected)
        self._show_tables(False)

    # --- choosing ----------------------------------------------------------------------------
    def _selected(self, ids: list) -> None:
        graph = self.window.scene.graph
        nid = ids[0] if len(ids) == 1 else None
        if nid is not None and graph.nodes[nid].kind == "Neuron" and nid != self.node_id:
            self.node_id, self.story_index, self.last = nid, None, None
            self.moved, self.predicted = {}, {}
            self._redraw_now()

    def _edge_selected(self) -> None:
        """A wire into a Neuron clicked on the canvas: that neuron, and the weight the wire carries."""
        scene = self.window.scene
        try:
            items = scene.selectedItems()
        except RuntimeError:  # the scene emits while the window tears it down
            return
        edges = [i for i in items if hasattr(i, "edge_id")]
        if len(edges) != 1 or len(items) != 1:
            return
        graph = scene.graph
        edge = graph.edges.get(edges[0].edge_id)
        if edge is None or graph.nodes[edge.dst].kind != "Neuron":
            return
        shapes = graph.infer_shapes()
        col = 0
        for e in graph.in_edges(edge.dst):  # the wire's first column among the neuron's inputs
            if e.id == edge.id:
                break
            col += int(np.prod(shapes.get(e.src) or (1,)))
        if edge.dst != self.node_id:
            self.node_id, self.last, self.moved, self.predicted = edge.dst, None, {}, {}
        self.story_index = col
        self._redraw_now()

    def _choose(self, row: int) -> None:
        """A click on a weight's row (the bias is the row after the inputs): its chain rule."""
        n_inputs = len(self.numbers.inputs) if self.numbers is not None else 0
        if row > n_inputs:
            return
        self.story_index = row if row < n_inputs else -1
        self._show_story()

    def _redraw_now(self, *_args: Any) -> None:
        if self.snapshot is not None:
            self.stale = True
            self.redraw()
        elif self.isVisible():
            self.draw(None)

    def needs(self) -> dict[str, Any]:
        return {"params": True}

    def clear(self) -> None:
        super().clear()
        self.last, self.moved, self.predicted, self.stories = None, {}, {}, {}
        self._show_tables(False)
        if self.node_id is not None:
            self.heading.setText("Press Step or Train to see the numbers of the selected neuron.")

    def _show_tables(self, on: bool, gradients: bool = False) -> None:
        self.table.setVisible(on)
        for c in range(len(FORWARD), len(FORWARD) + len(GRADIENT)):
            self.table.setColumnHidden(c, not gradients)
        self.story.setVisible(on and gradients)
        self.step_check.setVisible(on and gradients)

    # --- drawing -----------------------------------------------------------------------------
    def draw(self, snapshot: Any) -> None:
        w = self.window
        graph = w.scene.graph
        if self.node_id is None or self.node_id not in graph.nodes:
            self.node_id = None
            self.heading.setText("Select a Neuron on the canvas to see its numbers (a Dense layer can be "
                                 "expanded into its neurons: Network > Expand).")
            self._show_tables(False)
            return
        name = graph.nodes[self.node_id].name
        session = w.trainer.session
        params = getattr(snapshot, "params", None)
        if snapshot is None or params is None or session is None or w.trainer.stale \
                or self.node_id not in params:
            self.heading.setText(f"Press Step or Train to see the numbers inside {name}.")
            self._show_tables(False)
            return
        ds = session.dataset
        X, y = ds.X_train, ds.y_train
        self.sample.blockSignals(True)
        self.sample.setMaximum(len(X) - 1)
        self.sample.blockSignals(False)
        i = self.sample.value()
        try:
            nums = neuron_numbers(graph, params, X[i], self.node_id)
        except (NNStudioError, KeyError, ValueError) as exc:
            self.heading.setText(str(exc))
            self._show_tables(False)
            return
        self.numbers = nums
        self.heading.setText(f"<b>{html.escape(name)}</b> at step {snapshot.step:,}, training point #{i}:<br>"
                             f"z = w\u00b7x + b = <b>{fmt(nums.z)}</b>, &nbsp; y = {nums.activation}(z) = "
                             f"<b>{fmt(nums.output)}</b>")
        rows = [[inp.label, fmt(inp.x), fmt(inp.w), fmt(inp.x * inp.w)] for inp in nums.inputs]
        rows.append(["bias b", "1", fmt(nums.bias), fmt(nums.bias)])
        full_batch = w.trainer.batch.value() >= len(X) and len(X) <= MAX_GRADIENT_SAMPLES
        if full_batch:
            stories = self._gradients(snapshot, params, X, y, i)
            for row, j in zip(rows, [*range(len(nums.inputs)), -1]):
                row += [fmt(stories[j].gradient, 3), fmt(stories[j].update(snapshot.lr), 3)]
        else:
            self.stories = {}
            self.heading.setText(self.heading.text() + "<br><span style='color:gray'>Set batch to "
                                 f"{len(X)} (the whole training set) to see each weight's gradient here.</span>")
        self._fill(self.table, rows)
        _fit_height(self.table)
        self._show_tables(True, full_batch)
        self._show_story()

    def _gradients(self, snapshot: Any, params: Any, X: Any, y: Any, i: int) -> dict[int, Any]:
        graph = self.window.scene.graph
        k = len(self.numbers.inputs)
        stories = {j: weight_story(graph, params, X, y, self.node_id, j, sample=i) for j in [*range(k), -1]}
        last = self.last
        if last is not None and snapshot.step != last["step"]:
            self.moved = {j: weight_change(last["params"], params, self.node_id, j) for j in stories}
            one = snapshot.step == last["step"] + 1
            self.predicted = {j: s.update(last["lr"]) for j, s in last["stories"].items()} if one else {}
            self._check_text(snapshot.step - last["step"])
        if last is None or snapshot.step != last["step"]:
            self.last = {"step": snapshot.step, "params": params, "lr": snapshot.lr, "stories": stories}
        self.stories = stories
        self.n_points = len(X)
        return stories

    def _check_text(self, steps: int) -> None:
        """Under the table: did the last step move every weight by the update it listed?"""
        if steps != 1 or not self.predicted:
            self.step_check.setText(f"The last {steps:,} steps moved the weights; take a single Step to "
                                    "compare one update with its prediction.")
            return
        worst = max(abs(self.moved[j] - self.predicted[j]) for j in self.moved)
        self.step_check.setText(f"Last step: every weight moved by the next \u0394w listed before it "
                                f"(largest difference {worst:.1e}): \u0394w = -lr \u00d7 dL/dw.")

    def _fill(self, table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignLeft | Qt.AlignVCenter if c == 0 else Qt.AlignRight | Qt.AlignVCenter)
                    table.setItem(r, c, item)
                item.setText(text)
                if c >= len(FORWARD) or c == 2:
                    item.setToolTip("Click for this weight's chain rule")

    def _show_story(self) -> None:
        s = self.stories.get(self.story_index) if self.story_index is not None else None
        if s is None:
            self.story.setText("<span style='color:gray'>Click a weight's row for its chain rule.</span>"
                               if self.stories else "")
            return
        parts = [f"<b>{html.escape(s.weight)}</b> = {fmt(s.value)}. Chain rule for point #{s.sample}, "
                 "from the loss back to this weight:"]
        for path in s.paths:
            parts.append(" \u00d7 ".join(f"{html.escape(f.label)} <b>{fmt(f.value)}</b>" for f in path))
        lr = self.last["lr"] if self.last else 0.0
        parts.append(f"= {fmt(s.sample_gradient)} for this point. The mean over all {self.n_points} points is "
                     f"dL/dw = <b>{fmt(s.gradient)}</b>; the next sgd step moves the weight by -lr \u00d7 dL/dw "
                     f"= -{lr:g} \u00d7 {fmt(s.gradient)} = <b>{fmt(s.update(lr))}</b>.")
        moved, predicted = self.moved.get(s.index), self.predicted.get(s.index)
        if moved is not None and predicted is not None:
            parts.append(f"The last step listed {fmt(predicted)} for it and moved it by {fmt(moved)}.")
        self.story.setText("<br>".join(parts))
