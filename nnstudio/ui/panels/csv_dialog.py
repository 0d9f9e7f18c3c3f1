"""The CSV import dialog: delimiter, header, lines to skip, column roles and types, bad rows - with a live preview.

Every change re-reads the file with the chosen options (the same call as
``ns.data.load_csv``), so what the table and the summary show is what loads.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QListWidget, QSpinBox,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from nnstudio.data.csv_loader import load_csv, preview_csv
from nnstudio.errors import NNStudioError

DELIMITERS = [("comma  ,", ","), ("semicolon  ;", ";"), ("tab", "\t"), ("pipe  |", "|"), ("space", " ")]
ROLES = ("input", "target", "ignore")
TYPES = ("number", "category")
ROLE_ROW, TYPE_ROW = 0, 1  # the two rows of choices above the data rows
PREVIEW_ROWS = 50


def _shown(delim: str) -> str:
    return next((label.split()[0] for label, d in DELIMITERS if d == delim), repr(delim))


class CsvImportDialog(QDialog):
    """Choose how a CSV file is read; :meth:`options` gives the keyword arguments of ``load_csv``."""

    def __init__(self, path: str | Path, options: dict[str, Any] | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.setWindowTitle(f"Import {self.path.name}")
        self.dataset: Any = None
        self.error_text = ""
        self.names: list[str] = []
        self.guessed: list[str] = []
        self.roles: dict[str, str] = {}
        self.types: dict[str, str] = {}
        self.detected: str | None = None
        opts = dict(options or {})

        self.delimiter = QComboBox()
        self.delimiter.addItem("detect", None)
        for label, d in DELIMITERS:
            self.delimiter.addItem(label, d)
        self.delimiter.setToolTip("The character between the values of a row")
        self.header = QCheckBox("the first line names the columns")
        self.skip = QSpinBox(minimum=0, maximum=1000)
        self.skip.setToolTip("Lines before the header or the data that are not part of the table "
                             "(scikit-learn's CSVs start with a count line: skip 1)")
        self.bad_rows = QComboBox()
        self.bad_rows.addItem("stop with an error", "error")
        self.bad_rows.addItem("drop bad rows (listed below)", "drop")
        self.bad_rows.setToolTip("A row with a missing or wrong value, or the wrong number of values")
        form = QFormLayout()
        form.addRow("Delimiter", self.delimiter)
        form.addRow("Header", self.header)
        form.addRow("Lines to skip", self.skip)
        form.addRow("Bad rows", self.bad_rows)

        self.table = QTableWidget()
        self.table.setMinimumSize(560, 260)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.bad_list = QListWidget()
        self.bad_list.setMaximumHeight(110)
        self.bad_label = QLabel("Bad rows")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Load")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addLayout(form)
        top.addStretch(1)
        lay.addLayout(top)
        lay.addWidget(QLabel("Preview - choose each column's role and type in the first two rows:"))
        lay.addWidget(self.table, 1)
        lay.addWidget(self.summary)
        lay.addWidget(self.bad_label)
        lay.addWidget(self.bad_list)
        lay.addWidget(self.buttons)
        self.resize(760, 600)

        # first look: what the loader detects, then what the caller asked for
        try:
            first = preview_csv(self.path)
            if first.suggested_skip:  # is there a header below the lines to skip?
                first = preview_csv(self.path, skip_rows=first.suggested_skip)
            self.header.setChecked(first.header)
            self.skip.setValue(first.suggested_skip)
        except NNStudioError:
            pass
        if opts.get("delimiter") is not None:
            i = self.delimiter.findData(opts["delimiter"])
            if i >= 0:
                self.delimiter.setCurrentIndex(i)
        if opts.get("header") is not None:
            self.header.setChecked(bool(opts["header"]))
        if "skip_rows" in opts:
            self.skip.setValue(int(opts["skip_rows"]))
        bad = opts.get("bad_rows", opts.get("on_bad_rows", "error"))
        bad = {"stop": "error"}.get(bad, bad)  # older projects' spelling
        self.bad_rows.setCurrentIndex(max(0, self.bad_rows.findData(bad)))
        for col, kind in (opts.get("columns") or {}).items():
            if kind == "ignore":
                self.roles[str(col)] = "ignore"
            else:
                self.types[str(col)] = kind
        if opts.get("target") is not None:
            self.roles[str(opts["target"])] = "target"

        self.delimiter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.header.toggled.connect(lambda _v: self.refresh())
        self.skip.valueChanged.connect(lambda _v: self.refresh())
        self.bad_rows.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    # --- the chosen options --------------------------------------------------------------------------------
    def target(self) -> str | None:
        return next((n for n in self.names if self.roles.get(n) == "target"), None)

    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``ns.data.load_csv`` (and the project's data spec)."""
        columns: dict[str, str] = {}
        for j, n in enumerate(self.names):
            if self.roles.get(n) == "ignore":
                columns[n] = "ignore"
            elif self.types.get(n, self.guessed[j]) != self.guessed[j]:
                columns[n] = self.types[n]
        # the detected delimiter is stored, not "detect": reopening the project reads the file the same way
        out: dict[str, Any] = {"delimiter": self.delimiter.currentData() or self.detected,
                               "header": self.header.isChecked(),
                               "skip_rows": self.skip.value(), "bad_rows": self.bad_rows.currentData(),
                               "target": self.target()}
        if columns:
            out["columns"] = columns
        return out

    # --- redrawing ----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the file with the current options: table, summary and bad rows follow."""
        try:
            pre = preview_csv(self.path, self.delimiter.currentData(), self.header.isChecked(), self.skip.value(),
                              PREVIEW_ROWS)
        except NNStudioError as exc:
            self.names, self.guessed = [], []
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self._result(None, str(exc))
            return
        self.detected = pre.delimiter
        if self.delimiter.currentData() is None:
            self.delimiter.setItemText(0, f"detect (found: {_shown(pre.delimiter)})")
        self.names, self.guessed = pre.names, pre.types
        if self.target() is None and self.names:  # the last column not ignored is the default target
            rest = [n for n in self.names if self.roles.get(n) != "ignore"]
            if rest:
                self.roles[rest[-1]] = "target"
        self._fill_table(pre)
        opts = self.options()
        try:
            ds = load_csv(self.path, **opts)
        except NNStudioError as exc:
            self._result(None, str(exc))
            return
        self._result(ds, "")

    def _fill_table(self, pre: Any) -> None:
        t = self.table
        t.blockSignals(True)
        t.clear()
        t.setColumnCount(len(pre.names))
        t.setRowCount(2 + len(pre.rows))
        t.setHorizontalHeaderLabels(pre.names)
        t.setVerticalHeaderLabels(["role", "type"] + [f"line {n}" for n in pre.lines])
        for j, n in enumerate(pre.names):
            role = QComboBox()
            role.addItems(ROLES)
            role.setCurrentText(self.roles.get(n, "input"))
            role.setToolTip(f"What column {n!r} is: an input of the network, the target it learns to predict, "
                            "or ignored (an ID, a free-text note...)")
            role.currentTextChanged.connect(lambda r, name=n: self._set_role(name, r))
            kind = QComboBox()
            kind.addItems(TYPES)
            kind.setCurrentText(self.types.get(n, pre.types[j]))
            kind.setToolTip("number: used as it is; category: one input per distinct value (or classes, "
                            "for the target)")
            kind.currentTextChanged.connect(lambda k, name=n: self._set_type(name, k))
            kind.setEnabled(self.roles.get(n) != "ignore")
            t.setCellWidget(ROLE_ROW, j, role)
            t.setCellWidget(TYPE_ROW, j, kind)
        grey = self.palette().color(self.palette().ColorRole.PlaceholderText)
        for i, row in enumerate(pre.rows):
            for j in range(len(pre.names)):
                item = QTableWidgetItem(row[j] if j < len(row) else "")
                if self.roles.get(pre.names[j]) == "ignore":
                    item.setForeground(grey)
                t.setItem(2 + i, j, item)
        t.resizeColumnsToContents()
        t.blockSignals(False)

    def _set_role(self, name: str, role: str) -> None:
        if role == "target":  # one target: the previous one becomes an input
            for n, r in list(self.roles.items()):
                if r == "target" and n != name:
                    self.roles[n] = "input"
        self.roles[name] = role
        self.refresh()

    def _set_type(self, name: str, kind: str) -> None:
        self.types[name] = kind
        self.refresh()

    def _result(self, ds: Any, error: str) -> None:
        self.dataset, self.error_text = ds, error
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ds is not None)
        self.bad_list.clear()
        if ds is None:
            self.summary.setStyleSheet("color: #e53935")
            self.summary.setText(error)
            self.bad_label.setText("Bad rows")
            return
        self.summary.setStyleSheet("")
        what = f"{len(ds.class_names)} classes" if ds.task == "classification" else "regression"
        inputs = ds.spec["inputs"]
        text = (f"Loads {ds.n:,} rows: {len(inputs)} input column(s) making {ds.input_shape[0]} inputs, "
                f"target {ds.spec['target']!r} ({what}).")
        extra = [w for w in ds.warnings if "dropped" not in w]
        if extra:
            text += "\n" + "\n".join(extra)
        self.summary.setText(text)
        self.bad_list.addItems(ds.skipped)
        more = sum(int(w.split("dropped ")[1].split()[0]) for w in ds.warnings if "dropped " in w)
        self.bad_label.setText(f"Bad rows dropped: {more}" + (" (the first 100 listed)" if more > 100 else "")
                               if more else "Bad rows: none")
        if more:
            self.bad_list.setStyleSheet(f"color: {QColor('#e65100').name()}")


def ask_csv_options(path: str | Path, options: dict[str, Any] | None = None, parent: QWidget | None = None
                    ) -> dict[str, Any] | None:
    """Show the dialog; the chosen options, or None when cancelled."""
    dlg = CsvImportDialog(path, options, parent)
    return dlg.options() if dlg.exec() == QDialog.Accepted else None


__all__ = ["CsvImportDialog", "ask_csv_options"]
