"""Autosave files and crash recovery, without Qt.

Each running app owns one *slot* in ``<data dir>/autosave``: ``<slot>.nnstudio`` (the project with its
unsaved edits and the latest trained weights) and ``<slot>.json`` (where the project came from, when it
was written, which process wrote it). Both are written atomically. A clean save or close removes the
slot; a slot whose process is gone is what a crash or a kill left behind, and the next start offers it
for restoring (as Qt Creator and LibreOffice do).

The data dir is ``$NNSTUDIO_DATA_DIR`` if set (tests use a temporary folder), else the platform's
user data dir (``platformdirs.user_data_dir("nnstudio")``).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnstudio.io.atomic import atomic_write_bytes, pid_alive
from nnstudio.io.project import Project, load_project, save_project

SUFFIX = ".nnstudio"


def data_dir() -> Path:
    """Where nnstudio keeps per-user data (autosaves): ``$NNSTUDIO_DATA_DIR`` or the platform's place."""
    root = os.environ.get("NNSTUDIO_DATA_DIR")
    if root:
        return Path(root)
    from platformdirs import user_data_dir

    return Path(user_data_dir("nnstudio", appauthor=False))


def autosave_dir() -> Path:
    return data_dir() / "autosave"


@dataclass(frozen=True)
class Recovered:
    """An autosave left behind by an app that did not close cleanly."""

    slot: str
    project_file: Path
    original_path: Path | None
    saved_at: float
    pid: int
    title: str

    def describe(self) -> str:
        """Two lines for the recovery dialog: what and when, then where it came from."""
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.saved_at))
        where = str(self.original_path) if self.original_path else "(never saved)"
        return f"{self.title} - autosaved {when}\n{where}"

    def load(self) -> Project:
        """The autosaved project (raises our error if the file is unreadable)."""
        return load_project(self.project_file)


class AutosaveSlot:
    """The autosave of one running app."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else autosave_dir()
        self.slot = f"{os.getpid()}-{int(time.time() * 1000)}"
        self.written = False

    @property
    def project_file(self) -> Path:
        return self.folder / f"{self.slot}{SUFFIX}"

    @property
    def meta_file(self) -> Path:
        return self.folder / f"{self.slot}.json"

    def write(self, project: Project, original_path: Path | None, title: str) -> None:
        """Write the project and its description atomically (project first: the description points at it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        save_project(project, self.project_file)
        bak = self.project_file.with_name(self.project_file.name + ".bak")
        if bak.exists():  # the project saver keeps a backup; an autosave needs none
            bak.unlink()
        meta = {"format": "nnstudio-autosave", "format_version": 1, "pid": os.getpid(), "saved_at": time.time(),
                "original_path": str(original_path) if original_path else None, "title": title}
        atomic_write_bytes(self.meta_file, json.dumps(meta, indent=1).encode("utf-8"))
        self.written = True

    def remove(self) -> None:
        """Forget this app's autosave (after a clean save or close)."""
        for f in (self.meta_file, self.project_file, self.project_file.with_name(self.project_file.name + ".bak")):
            try:
                f.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass  # a read-only data dir: the next start offers it once more, nothing is lost
        self.written = False


def find_recoverable(folder: Path | None = None) -> list[Recovered]:
    """Autosaves whose app is no longer running, newest first (unreadable descriptions are skipped)."""
    folder = Path(folder) if folder is not None else autosave_dir()
    found = []
    for meta_file in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            meta: dict[str, Any] = json.loads(meta_file.read_text(encoding="utf-8"))
            pid = int(meta["pid"])
            saved_at = float(meta["saved_at"])
            original = meta.get("original_path")
            title = str(meta.get("title") or "untitled")
        except (OSError, ValueError, KeyError, TypeError):
            continue
        project_file = meta_file.with_suffix(SUFFIX)
        if pid_alive(pid) or not project_file.is_file():
            continue
        found.append(Recovered(meta_file.stem, project_file, Path(original) if original else None, saved_at,
                               pid, title))
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


def discard(entry: Recovered) -> None:
    """Delete a left-behind autosave."""
    for f in (entry.project_file.with_suffix(".json"), entry.project_file,
              entry.project_file.with_name(entry.project_file.name + ".bak")):
        try:
            f.unlink()
        except OSError:
            pass

