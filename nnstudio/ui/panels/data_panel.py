"""The data panel: choose a toy problem, the bundled digits or a file, and preview it."""
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

from nnstudio import data as D
from nnstudio.data.csv_loader import preview_csv
from nnstudio.errors import NNStudioError
from nnstudio.ui.panels.csv_dialog import ask_csv_options

CLASS_COLORS = ["#1e88e5", "#fb8c00", "#43a047", "#8e24aa", "#e53935", "#00acc1", "#6d4c41", "#c0ca33",
                "#d81b60", "#5e35b1"]
FILE_SOURCES = {"csv": "CSV file...", "npz": "NumPy .npz file...", "idx": "MNIST IDX files...",
                "images": "Image folder..."}


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
        for name in D.NAMES:
            self.source.addItem(f"{name.replace('_', ' ')} - {D.DESCRIPTIONS[name]}", ("toy", name))
        self.source.addItem("digits - 1,797 handwritten 8x8 digits (bundled)", ("digits", None))
        for key, label in FILE_SOURCES.items():
            self.source.addItem(label, (key, None))
        self.source.setToolTip("Which data the network learns from")
        self.n = QSpinBox(minimum=4, maximum=100_000, value=400, singleStep=50)
        self.noise = QDoubleSpinBox(minimum=0.0, maximum=2.0, value=0.1, singleStep=0.05, decimals=2)
        self.val = QDoubleSpinBox(minimum=0.0, maximum=0.9, value=0.2, singleStep=0.05, decimals=2)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=0)
        for w, tip in ((self.n, "Number of points (training + validation)"),
                       (self.noise, "How much the points scatter - more noise is harder and invites overfitting"),
                       (self.val, "Share of the data kept aside to check the network on examples it never trains on"),
                       (self.seed, "Same seed, same data")):
            w.setToolTip(tip)
            w.setKeyboardTracking(False)
        self.features: dict[str, QCheckBox] = {}
        feats = QWidget()
        grid = QGridLayout(feats)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, f in enumerate(D.FEATURES):
            box = QCheckBox(f)
            box.setChecked(f in ("x1", "x2"))
            box.setToolTip("Feed this value to the network as an extra input")
            box.toggled.connect(lambda _v: self.reload())
            grid.addWidget(box, i // 4, i % 4)
            self.features[f] = box
        form = QFormLayout()
        form.addRow("Data", self.source)
        form.addRow("Points", self.n)
        form.addRow("Noise", self.noise)
        form.addRow("Validation", self.val)
        form.addRow("Seed", self.seed)
        form.addRow("Inputs", feats)
        self._toy_rows = [self.n, self.noise, feats]
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
        self.preview = QStackedWidget()
        for w in (self.plot, self.images, self.table):
            self.preview.addWidget(w)
        self.preview.setMinimumHeight(180)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(form)
        lay.addWidget(self.summary)
        lay.addWidget(self.error)
        lay.addWidget(self.preview, 1)
        self.source.activated.connect(self._source_chosen)
        for w in (self.n, self.seed):
            w.valueChanged.connect(lambda _v: self.reload())
        for w in (self.noise, self.val):
            w.valueChanged.connect(lambda _v: self.reload())
        self._file_spec: dict[str, Any] | None = None

    # --- choosing ----------------------------------------------------------------------------
    def _source_chosen(self, index: int) -> None:
        kind, _ = self.source.itemData(index)
        if kind in FILE_SOURCES:
            path = self._ask_path(kind)
            same = self._file_spec if self._file_spec and self._file_spec.get("path") == str(path) else None
            options = self.ask_csv_options(path, same, self) if path and kind == "csv" else {}  # same: as before
            if path and options is not None:  # None: the CSV import dialog was cancelled
                self.load_file(kind, path, **options)
            return
        self._file_spec = None
        self.reload()

    def _ask_path(self, kind: str) -> str:
        if kind == "images":
            return QFileDialog.getExistingDirectory(self, "Choose a folder with one sub-folder per class")
        filters = {"csv": "CSV files (*.csv *.tsv *.txt);;All files (*)", "npz": "NumPy files (*.npz)",
                   "idx": "IDX image files (*.idx *ubyte *.gz);;All files (*)"}
        path, _ = QFileDialog.getOpenFileName(self, "Choose a data file", str(self.base_dir or Path.home()),
                                              filters[kind])
        return path

    def load_file(self, kind: str, path: str, **options: Any) -> bool:
        """Load a user file (options as the loader takes); errors appear in the panel."""
        spec: dict[str, Any] = {"source": kind, "val_ratio": self.val.value(), "seed": self.seed.value(), **options}
        if kind == "idx":
            labels = options.get("labels") or str(path).replace("images", "labels").replace("idx3", "idx1")
            spec.update({"images": str(path), "labels": labels})
        else:
            spec["path"] = str(path)
        return self.load_spec(spec)

    def reload(self) -> None:
        kind, name = self.source.currentData()
        if kind == "toy":
            feats = [f for f, b in self.features.items() if b.isChecked()] or ["x1", "x2"]
            self.load_spec({"source": "toy", "name": name, "n": self.n.value(), "noise": self.noise.value(),
                            "seed": self.seed.value(), "val_ratio": self.val.value(), "features": feats})
        elif kind == "digits":
            self.load_spec({"source": "digits", "val_ratio": self.val.value(), "seed": self.seed.value()})
        elif self._file_spec:
            self.load_spec({**self._file_spec, "val_ratio": self.val.value(), "seed": self.seed.value()})

    def load_spec(self, spec: dict[str, Any]) -> bool:
        """Load a dataset description (as stored in a project); show it or show why it failed."""
        try:
            ds = D.load_from_spec(spec, self.base_dir)
        except NNStudioError as exc:
            self.error.setText(str(exc))
            return False
        except Exception as exc:  # a loader bug must not take the app down
            self.error.setText(f"The data could not be loaded: {exc}")
            return False
        self.error.setText("\n".join(ds.warnings))
        if spec["source"] not in ("toy", "digits"):
            self._file_spec = dict(spec)
        self._show_controls(spec)
        self.dataset = ds
        self._preview(ds)
        self.datasetChanged.emit(ds)
        return True

    def _show_controls(self, spec: dict[str, Any]) -> None:
        src = spec["source"]
        widgets = (self.source, self.n, self.noise, self.val, self.seed, *self.features.values())
        for w in widgets:
            w.blockSignals(True)
        for i in range(self.source.count()):
            kind, name = self.source.itemData(i)
            if kind == src and (src != "toy" or name == spec.get("name")):
                self.source.setCurrentIndex(i)
        if src == "toy":
            self.n.setValue(int(spec.get("n", 400)))
            self.noise.setValue(float(spec.get("noise", 0.1)))
            feats = spec.get("features", ["x1", "x2"])
            for f, b in self.features.items():
                b.setChecked(f in feats)
        self.val.setValue(float(spec.get("val_ratio", 0.2)))
        self.seed.setValue(int(spec.get("seed", 0)))
        for w in widgets:
            w.blockSignals(False)
        for w in self._toy_rows:  # points, noise and derived inputs only mean something for generated data
            self.form.setRowVisible(w, src == "toy")

    # --- preview ------------------------------------------------------------------------------
    def _preview(self, ds: Any) -> None:
        self.summary.setText(ds.describe() + f" ({len(ds.X_train)} for training, {len(ds.X_val)} for validation)")
        if ds.points_train is not None:
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
