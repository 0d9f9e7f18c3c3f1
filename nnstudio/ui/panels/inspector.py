"""The inspector: the selected node's parameters, with editors made from the kind registry."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
)

from nnstudio.errors import NNStudioError
from nnstudio.graph import fmt_shape, kinds
from nnstudio.graph.params import ParamSpec

INT_LIMIT = 2_000_000_000


def _shape_text(value: Any) -> str:
    return ", ".join(str(v) for v in value) if value is not None else ""


class InspectorPanel(QWidget):
    """Edits go through ``scene.set_param`` so each one can be undone."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.scene: Any = None
        self.node_id: str | None = None
        self.editors: dict[str, QWidget] = {}
        self.title = QLabel("Select a node on the canvas to see and change its settings.")
        self.title.setWordWrap(True)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.explanation = QLabel("")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.RichText)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #e53935")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        for w in (self.title, self.info, self.form_host, self.error, self.explanation):
            lay.addWidget(w)
        lay.addStretch(1)

    def set_scene(self, scene: Any) -> None:
        self.scene = scene
        scene.nodeSelectionChanged.connect(self._selection)
        scene.analysisChanged.connect(lambda _a: self.refresh())
        self.show_node(None)

    def _selection(self, ids: list[str]) -> None:
        self.show_node(ids[0] if len(ids) == 1 else None)

    def show_node(self, nid: str | None) -> None:
        self.node_id = nid if (nid and self.scene and nid in self.scene.graph.nodes) else None
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors.clear()
        self.error.setText("")
        if self.node_id is None:
            self.title.setText("Select a node on the canvas to see and change its settings.")
            self.info.setText("")
            self.explanation.setText("")
            return
        node = self.scene.graph.nodes[self.node_id]
        spec = kinds.get(node.kind)
        for p in spec.params:
            editor = self._editor(p)
            editor.setToolTip(p.help)
            label = QLabel(p.label or p.name.replace("_", " "))
            label.setToolTip(p.help)
            self.form.addRow(label, editor)
            self.editors[p.name] = editor
        self.explanation.setText(f"<p><b>{spec.summary}.</b></p><p>{spec.explanation}</p>")
        self.refresh()

    def _editor(self, p: ParamSpec) -> QWidget:
        name = p.name
        if p.type == "choice":
            w = QComboBox()
            w.addItems(list(p.choices))
            w.activated.connect(lambda _i, w=w: self._set(name, w.currentText()))
        elif p.type == "bool":
            w = QCheckBox()
            w.toggled.connect(lambda v: self._set(name, bool(v)))
        elif p.type == "int" and not p.optional:
            w = QSpinBox()
            w.setRange(int(p.minimum if p.minimum is not None else -INT_LIMIT),
                       int(p.maximum if p.maximum is not None else INT_LIMIT))
            w.setKeyboardTracking(False)
            w.valueChanged.connect(lambda v: self._set(name, int(v)))
        elif p.type == "float":
            w = QDoubleSpinBox()
            w.setDecimals(4 if (p.maximum or 10) <= 1 else 6)
            hi = p.maximum if p.maximum is not None else 1e9
            w.setRange(p.minimum if p.minimum is not None else -1e9, hi - (1e-4 if p.exclusive_max else 0))
            w.setSingleStep(0.05 if hi <= 1 else 0.1)
            w.setKeyboardTracking(False)
            w.valueChanged.connect(lambda v: self._set(name, float(v)))
        else:  # shapes and optional ints: typed as text, checked by the model
            w = QLineEdit()
            w.setPlaceholderText("empty = default" if p.optional else "e.g. 1, 28, 28")
            w.editingFinished.connect(lambda w=w: self._set_text(name, p, w.text()))
        return w

    def _set_text(self, name: str, p: ParamSpec, text: str) -> None:
        t = text.strip().strip("[]()")
        try:
            if p.type == "shape":
                value: Any = [int(v) for v in t.replace("x", ",").split(",") if v.strip()]
            else:
                value = int(t) if t else None
        except ValueError:
            self.error.setText(f"{name}: write whole numbers separated by commas")
            return
        self._set(name, value)

    def _set(self, name: str, value: Any) -> None:
        if self.node_id is None or self.scene is None:
            return
        if self.scene.graph.nodes[self.node_id].params.get(name) == value:
            return
        self.error.setText("")
        before = self.scene.last_message
        try:
            self.scene.set_param(self.node_id, name, value)
        except NNStudioError as exc:
            self.error.setText(str(exc))
        if self.scene.last_message != before:
            self.error.setText(self.scene.last_message)
        self.refresh()

    def refresh(self) -> None:
        """Show the model's current values (after an edit, undo or redo)."""
        if self.node_id is None or self.scene is None:
            return
        if self.node_id not in self.scene.graph.nodes:
            self.show_node(None)
            return
        node = self.scene.graph.nodes[self.node_id]
        self.title.setText(f"<b>{node.name}</b> &nbsp;<span style='color:gray'>{node.kind}</span>")
        a = self.scene.analysis
        shape = a.shapes.get(node.id) if a else None
        count = a.param_counts.get(node.id, 0) if a else 0
        problems = [p.message for p in (a.problems if a else []) if p.node_id == node.id]
        text = f"Output {fmt_shape(shape) if shape is not None else '?'} · {count:,} parameters"
        self.info.setText(text + ("".join(f"<br><span style='color:#e53935'>{m}</span>" for m in problems)))
        for name, w in self.editors.items():
            value = node.params.get(name)
            w.blockSignals(True)
            if isinstance(w, QComboBox):
                w.setCurrentText(str(value))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
                w.setValue(value)
            elif isinstance(w, QLineEdit) and not w.hasFocus():
                w.setText(_shape_text(value) if isinstance(value, list) else ("" if value is None else str(value)))
            w.blockSignals(False)
