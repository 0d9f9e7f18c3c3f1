"""Asking before a project reads data from outside its folder.

A project file received from someone else may point its data at any file on
this computer. Before such a file is read, the user sees the paths and decides;
an approval is remembered (per project file and data path) so one's own
projects that use a shared dataset folder ask only once.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QWidget

from nnstudio.data import paths_outside

SETTINGS_KEY = "trusted_data_paths"
MAX_REMEMBERED = 200


def _remembered(settings: QSettings) -> list[str]:
    value = settings.value(SETTINGS_KEY, [])
    if isinstance(value, str):  # QSettings gives a one-element list back as a string
        return [value]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def _key(project_path: Path, data_path: Path) -> str:
    return f"{project_path.resolve()}|{data_path.resolve()}"


def confirm_outside_data(parent: QWidget, settings: QSettings, spec: Any, project_path: Path | None) -> bool:
    """Whether the data of ``spec`` may be read: yes inside the project folder, else the user decides."""
    if project_path is None:
        return True
    outside = paths_outside(spec, project_path.parent)
    if not outside:
        return True
    known = _remembered(settings)
    keys = [_key(project_path, p) for p in outside]
    if all(k in known for k in keys):
        return True
    listing = "\n".join(str(p) for p in outside[:5])
    answer = QMessageBox.question(
        parent, "Read data from outside the project folder?",
        f"{project_path.name} reads its data from outside its own folder:\n\n{listing}\n\n"
        "Load it only if you trust where this project comes from. Load this data?",
        QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
    if answer != QMessageBox.Yes:
        return False
    settings.setValue(SETTINGS_KEY, (known + [k for k in keys if k not in known])[-MAX_REMEMBERED:])
    return True


def _breakable(path: Path) -> str:
    """The path with zero-width spaces after its separators, so a word-wrapped label can break it."""
    return str(path).replace("/", "/\u200b").replace("\\", "\\\u200b")


def refusal_text(spec: Any, project_path: Path) -> str:
    """What the data panel shows when the user said no."""
    listing = "\n".join(_breakable(p) for p in paths_outside(spec, project_path.parent)[:3])
    return (f"The data was not loaded: it lies outside the project folder:\n{listing}\n"
            "Choose a data file in this panel, or open the project again to allow it.")
