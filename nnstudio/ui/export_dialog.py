"""File > Export...: choose a format and a file; the network leaves as PyTorch code, ONNX or npz."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QVBoxLayout, QWidget,
)

from nnstudio.errors import NNStudioError
from nnstudio.io.export import FORMATS, output_path

FILTERS = {"pytorch": "Python script (*.py)", "onnx": "ONNX model (*.onnx)", "npz": "NumPy weights (*.npz)"}


class ExportDialog(QDialog):
    """Exports ``project`` with the weights ``weights()`` returns (None: saved or initial ones).

    The outcome stays in the dialog (``result_label``): the files written, or what went wrong.
    """

    def __init__(self, parent: QWidget | None, project: Any, name: str, base_dir: Path | None,
                 weights: Callable[[], Any], dataset: Any = None, trained: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export network")
        self.project, self.name, self.base_dir = project, name, base_dir
        self._weights, self.dataset = weights, dataset
        self.written: list[Path] = []
        folder = base_dir or Path.home()
        self.format_box = QComboBox()
        for key, spec in FORMATS.items():
            self.format_box.addItem(f"{key} - {spec.description}", key)
        self.path_edit = QLineEdit(str(output_path("pytorch", folder / name)))
        self.browse_button = QPushButton("Browse...")
        self.browse_button.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        source = ("the weights trained in this session" if trained else
                  "the weights saved in the project" if project.weights else
                  "the initial weights (the network has not been trained yet)")
        self.source_label = QLabel(f"Exports {source}.")
        self.source_label.setWordWrap(True)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("Format", self.format_box)
        form.addRow("File", row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.source_label)
        lay.addWidget(self.result_label)
        lay.addWidget(self.buttons)
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.resize(560, self.sizeHint().height())

    @property
    def fmt(self) -> str:
        return str(self.format_box.currentData())

    def _format_changed(self) -> None:
        # keep the chosen folder and name, switch the extension
        current = Path(self.path_edit.text() or self.name)
        self.path_edit.setText(str(output_path(self.fmt, current.with_suffix(""))))

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(), FILTERS[self.fmt])
        if path:
            self.path_edit.setText(str(output_path(self.fmt, path)))

    def export(self) -> None:
        from nnstudio.training.export import export_from_project

        text = self.path_edit.text().strip()
        if not text:
            self._show("Choose a file to export to.", error=True)
            return
        try:
            result = export_from_project(self.fmt, text, self.project, self.base_dir, weights=self._weights(),
                                         dataset=self.dataset, name=self.name)
        except NNStudioError as exc:
            self._show(f"Nothing was exported: {exc}", error=True)
            return
        self.written = result.files
        lines = ["Wrote:"] + [str(f) for f in result.files] + [f"Warning: {w}" for w in result.warnings]
        if self.fmt == "pytorch":
            lines.append(f"Run it with: python {result.files[0].name}  (or torchrun --nproc_per_node=N ...)")
        self._show("\n".join(lines), error=False)

    def _show(self, text: str, error: bool) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet("color: #e53935" if error else "")
        self.layout().activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))  # room for every line
