"""The data panel: choose a data source (the registry in nnstudio/data/sources.py), its settings, and preview it.

The source list and each source's form rows come from the registry: a new source needs no code here.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout, QLabel,
    QSpinBox, QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from nnstudio.data import load_from_spec, sources
from nnstudio.data.csv_loader import preview_csv
from nnstudio.errors import NNStudioError
from nnstudio.ui.panels.csv_dialog import ask_csv_options
from nnstudio.ui.panels.sequence_preview import SequencePreview

CLASS_COLORS = ["#1e88e5", "#fb8c00", "#43a047", "#8e24aa", "#e53935", "#00acc1", "#6d4c41", "#c0ca33",
                "#d81b60", "#5e35b1"]


def source_entries() -> list[tuple[str, tuple[str, str | None]]]:
    """The source list's (label, (source, problem)) entries, in registry order."""
    out: list[tuple[str, tuple[str, str | None]]] = []
    for src in sources.SOURCES.values():
        if src.variants:
            tag = "" if src.name == "toy" else f" ({src.name})"
            out += [(f"{v.value.replace('_', ' ')}{tag} - {v.description}", (src.name, v.value)) for v in src.variants]
        elif src.reads_files:
            out.append((src.menu_label or f"{src.name} file...", (src.name, None)))
        else:
            out.append((f"{src.name} - {src.description}", (src.name, None)))
    return out


class DataPanel(QWidget):
    """Emits ``datasetChanged(dataset)`` whenever a dataset loads; errors are shown in the panel."""

    datasetChanged = Signal(object)
    #: shows the CSV import dialog: (path, options, parent) -> load_csv options, or None when cancelled
    ask_csv_options = staticmethod(ask_csv_options)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.dataset: Any = None
        self.base_dir: Path | None = None
        self.source = QComboBox()
        for label, data in source_entries():
            self.source.addItem(label, data)
        self.source.setToolTip("Which data the network learns from")
        self.val = QDoubleSpinBox(minimum=0.0, maximum=0.9, value=0.2, singleStep=0.05, decimals=2)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=0)
        for w, tip in ((self.val, "Share of the data kept aside to check the network on examples it never trains on"),
                       (self.seed, "Same seed, same data")):
            w.setToolTip(tip)
            w.setKeyboardTracking(False)
        form = QFormLayout()
        form.addRow("Data", self.source)
        #: (source, param key) -> the widget of that form row; rows show for their own source only
        self.param_widgets: dict[tuple[str, str], QWidget] = {}
        self.features: dict[str, QCheckBox] = {}
        for src in sources.SOURCES.values():
            for param in src.params:
                widget = self._param_widget(param)
                self.param_widgets[(src.name, param.key)] = widget
                form.addRow(param.label, widget)
        form.addRow("Validation", self.val)
        form.addRow("Seed", self.seed)
        # the toy problems' rows under their old names (scripts and tests use them)
        self.n = self.param_widgets[("toy", "n")]
        self.noise = self.param_widgets[("toy", "noise")]
        self.form = form
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #e53935")
        self.error.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(True)
        self.plot.setMinimumHeight(180)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen(None))
        self.plot.addItem(self.scatter)
        self.images = pg.ImageView()
        # arrays are (rows, columns) whatever the global pyqtgraph option says when this panel is built
        self.images.getImageItem().setOpts(axisOrder="row-major")
        self.images.ui.histogram.hide()
        self.images.ui.roiBtn.hide()
        self.images.ui.menuBtn.hide()
        self.table = QTableWidget()
        self.sequences = SequencePreview()
        self.preview = QStackedWidget()
        for w in (self.plot, self.images, self.table, self.sequences):
            self.preview.addWidget(w)
        self.preview.setMinimumHeight(180)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(form)
        lay.addWidget(self.summary)
        lay.addWidget(self.error)
        lay.addWidget(self.preview, 1)
        self.source.activated.connect(self._source_chosen)
        for w in (self.val, self.seed):
            w.valueChanged.connect(lambda _v: self.reload())
        self._file_spec: dict[str, Any] | None = None
        self._show_rows(*self.source.currentData())

    def _param_widget(self, param: sources.Param) -> QWidget:
        """A form widget for a registry parameter; any change reloads the data."""
        if param.kind == "features":
            box = QWidget()
            grid = QGridLayout(box)
            grid.setContentsMargins(0, 0, 0, 0)
            for i, f in enumerate(param.choices):
                check = QCheckBox(f)
                check.setChecked(f in param.default)
                check.setToolTip(param.tip)
                check.toggled.connect(lambda _v: self.reload())
                grid.addWidget(check, i // 4, i % 4)
                self.features[f] = check
            return box
        if param.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(param.choices))
            combo.setCurrentText(str(param.default))
            combo.setToolTip(param.tip)
            combo.currentTextChanged.connect(lambda _v: self.reload())
            return combo
        if param.kind == "int":
            w: QSpinBox | QDoubleSpinBox = QSpinBox(minimum=int(param.minimum), maximum=int(param.maximum),
                                                    value=int(param.default), singleStep=int(param.step))
        else:
            w = QDoubleSpinBox(minimum=param.minimum, maximum=param.maximum, value=param.default,
                               singleStep=param.step, decimals=param.decimals)
        w.setToolTip(param.tip)
        w.setKeyboardTracking(False)
        w.valueChanged.connect(lambda _v: self.reload())
        return w

    def _param_value(self, source: str, param: sources.Param) -> Any:
        w = self.param_widgets[(source, param.key)]
        if param.kind == "features":
            return [f for f in param.choices if self.features[f].isChecked()] or list(param.default)
        if param.kind == "choice":
            return w.currentText()
        return w.value()

    def _set_param(self, source: str, param: sources.Param, value: Any) -> None:
        w = self.param_widgets[(source, param.key)]
        if param.kind == "features":
            for f in param.choices:
                self.features[f].setChecked(f in value)
        elif param.kind == "choice":
            # a damaged file's unknown value shows the default; the loader says what was wrong
            w.setCurrentText(str(value) if value in param.choices else str(param.default))
        else:
            try:
                w.setValue(int(value) if param.kind == "int" else float(value))
            except (TypeError, ValueError, OverflowError):  # a damaged file: the default, the loader complains
                w.setValue(param.default)

    def _show_rows(self, source: str, variant: str | None) -> None:
        """Only the current source's rows (and of those, the ones the problem uses) are visible."""
        shown = {p.key for p in sources.get(source).form_params(variant)}
        for (src, key), w in self.param_widgets.items():
            self.form.setRowVisible(w, src == source and key in shown)

    # --- choosing ----------------------------------------------------------------------------
    def _source_chosen(self, index: int) -> None:
        kind, variant = self.source.itemData(index)
        src = sources.get(kind)
        if src.reads_files:
            path = self._ask_path(src)
            same = self._file_spec if self._file_spec and self._file_spec.get("path") == str(path) else None
            options: dict[str, Any] | None = {}
            if path and src.options_dialog == "csv":  # same: the options as before, for the same file
                options = self.ask_csv_options(path, same, self)
                options = None if options is None else self._csv_options_for(src, path, options)
            if path and options is not None:  # None: the CSV import dialog was cancelled
                self.load_file(kind, path, **options)
            return
        self._file_spec = None
        self._block(True)
        for param in src.form_params(variant):  # a problem's own defaults (the adding problem's length 50...)
            if variant is not None and param.key in src.variant(variant).defaults:
                self._set_param(kind, param, param.default)
        self._block(False)
        self.reload()

    @staticmethod
    def _csv_options_for(src: sources.Source, path: str, options: dict[str, Any]) -> dict[str, Any]:
        """The CSV dialog's options as ``src``'s loader takes them (windows keep the columns not ignored)."""
        if src.name == "csv":
            return options
        import inspect
        accepted = inspect.signature(src.loader).parameters
        out = {k: v for k, v in options.items() if k in accepted}
        ignored = {c for c, kind in options.get("columns", {}).items() if kind == "ignore"}
        if ignored and "inputs" in accepted:
            try:
                names = preview_csv(path, options.get("delimiter"), options.get("header"),
                                    int(options.get("skip_rows", 0)), 1).names
                out["inputs"] = [n for n in names if n not in ignored]
            except NNStudioError:
                pass  # the loader reports the file's problem
        return out

    def _ask_path(self, src: sources.Source) -> str:
        if not src.file_filter:
            return QFileDialog.getExistingDirectory(self, "Choose a folder with one sub-folder per class")
        path, _ = QFileDialog.getOpenFileName(self, "Choose a data file", str(self.base_dir or Path.home()),
                                              src.file_filter)
        return path

    def load_file(self, kind: str, path: str, **options: Any) -> bool:
        """Load a user file (options as the loader takes); errors appear in the panel."""
        src = sources.get(kind)
        spec: dict[str, Any] = {"source": kind, "val_ratio": self.val.value(), "seed": self.seed.value()}
        spec.update({p.key: self._param_value(kind, p) for p in src.form_params()})
        spec.update(options)
        spec.update(src.spec_paths(path, options))
        return self.load_spec(spec)

    def reload(self) -> None:
        kind, variant = self.source.currentData()
        src = sources.get(kind)
        if src.reads_files:
            if self._file_spec and self._file_spec.get("source") == kind:
                params = {p.key: self._param_value(kind, p) for p in src.form_params()}
                self.load_spec({**self._file_spec, **params, "val_ratio": self.val.value(),
                                "seed": self.seed.value()})
            return
        spec: dict[str, Any] = {"source": kind}
        if src.variant_key:
            spec[src.variant_key] = variant
        spec.update({p.key: self._param_value(kind, p) for p in src.form_params(variant)})
        spec.update({"seed": self.seed.value(), "val_ratio": self.val.value()})
        self.load_spec(spec)

    def load_spec(self, spec: dict[str, Any]) -> bool:
        """Load a dataset description (as stored in a project); show it or show why it failed."""
        try:
            ds = load_from_spec(spec, self.base_dir)
        except NNStudioError as exc:
            self.error.setText(str(exc))
            return False
        except Exception as exc:  # a loader bug must not take the app down
            self.error.setText(f"The data could not be loaded: {exc}")
            return False
        self.error.setText("\n".join(ds.warnings))
        if sources.get(spec["source"]).reads_files:
            self._file_spec = dict(spec)
        self._show_controls(spec)
        self.dataset = ds
        self._preview(ds)
        self.datasetChanged.emit(ds)
        return True

    def _block(self, on: bool) -> None:
        for w in (self.source, self.val, self.seed, *self.param_widgets.values(), *self.features.values()):
            w.blockSignals(on)

    def _show_controls(self, spec: dict[str, Any]) -> None:
        """The form as ``spec`` says: its source selected, its values in the rows, other sources' rows hidden."""
        kind = spec["source"]
        src = sources.get(kind)
        variant = spec.get(src.variant_key) if src.variant_key else None
        self._block(True)
        for i in range(self.source.count()):
            if self.source.itemData(i) == (kind, variant):
                self.source.setCurrentIndex(i)
        for param in src.form_params(variant):
            self._set_param(kind, param, spec.get(param.key, param.default))
        self.val.setValue(float(spec.get("val_ratio", 0.2)))
        self.seed.setValue(int(spec.get("seed", 0)))
        self._block(False)
        self._show_rows(kind, variant)

    # --- preview ------------------------------------------------------------------------------
    def _preview(self, ds: Any) -> None:
        self.summary.setText(ds.describe() + f" ({len(ds.X_train)} for training, {len(ds.X_val)} for validation)")
        entry = sources.SOURCES.get(ds.spec.get("source"))
        if entry is not None and entry.preview == "sequence":
            self.sequences.show_dataset(ds)
            self.preview.setCurrentWidget(self.sequences)
        elif ds.points_train is not None:
            pts = np.concatenate([ds.points_train, ds.points_val])
            y = np.concatenate([ds.y_train, ds.y_val])
            if ds.task == "classification":
                brushes = [pg.mkBrush(CLASS_COLORS[int(c) % len(CLASS_COLORS)]) for c in y]
            else:
                v = y.ravel()
                t = (v - v.min()) / (np.ptp(v) or 1.0)
                brushes = [pg.mkBrush(int(255 * a), 140, int(255 * (1 - a))) for a in t]
            self.scatter.setData(pos=pts, brush=brushes)
            self.preview.setCurrentWidget(self.plot)
        elif len(ds.input_shape) == 3:
            n = min(16, len(ds.X_train))  # a square 4x4 grid fits the panel best
            c, h, w = ds.input_shape
            tiles = ds.X_train[:n, 0] if c != 3 else ds.X_train[:n].mean(axis=1)
            cols = 4
            rows = (n + cols - 1) // cols
            lo, hi = float(tiles.min()), float(tiles.max())
            # thin dark-grey gaps between the tiles: visible, but quieter than the strokes
            mont = np.full((rows * (h + 1), cols * (w + 1)), lo + 0.2 * (hi - lo), np.float32)
            for i in range(n):
                r, q = divmod(i, cols)
                mont[r * (h + 1):r * (h + 1) + h, q * (w + 1):q * (w + 1) + w] = tiles[i]
            self.images.setImage(mont, autoLevels=True)
            self.preview.setCurrentWidget(self.images)
        else:
            self._table(ds)
            self.preview.setCurrentWidget(self.table)

    def _table(self, ds: Any) -> None:
        spec = ds.spec
        rows: list[list[str]] = []
        if spec.get("source") == "csv":
            path = Path(spec["path"]) if Path(spec["path"]).is_absolute() or self.base_dir is None \
                else self.base_dir / spec["path"]
            try:  # read as it was loaded: the same delimiter, header and skipped lines
                pre = preview_csv(path, spec.get("delimiter"), spec.get("header"), int(spec.get("skip_rows", 0)), 10)
                rows = [pre.names] + pre.rows
            except NNStudioError:
                rows = []
        entry = sources.SOURCES.get(spec.get("source"))
        if not rows and entry is not None and entry.preview == "words":
            # skip-gram pairs read as the words they stand for, not as token numbers
            names = ds.class_names
            rows = [["word", "appears with"]] + [[names[int(x)], names[int(y)]]
                                                 for x, y in zip(ds.X_train[:10, 0], ds.y_train[:10])]
        if not rows:
            # a sequence or image sample shows its first values, flattened (one row per sample)
            flat = ds.X_train[:10].reshape(min(10, len(ds.X_train)), -1)[:, :20]
            rows = [[f"x{j + 1}" for j in range(flat.shape[1])]] + [[f"{v:.3g}" for v in r] for r in flat]
        self.table.setRowCount(len(rows) - 1)
        self.table.setColumnCount(len(rows[0]))
        self.table.setHorizontalHeaderLabels(rows[0])
        for i, r in enumerate(rows[1:]):
            for j, v in enumerate(r[: len(rows[0])]):
                self.table.setItem(i, j, QTableWidgetItem(v))


__all__ = ["DataPanel"]
