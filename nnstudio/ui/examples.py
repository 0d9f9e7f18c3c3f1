"""The installed example projects: where they are, what they are about, and their pictures.

Installed examples are read-only for the app: opening one gives an untitled copy (see
``MainWindow.open_example``), and saving never writes into this folder.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nnstudio.ui.panels.gallery import example_paths


@dataclass(frozen=True)
class ExampleInfo:
    path: Path
    title: str
    description: str
    thumbnail: Path | None  # a picture of the trained result (tools/make_thumbnails.py renders them)


def examples_dir() -> Path:
    return Path(str(resources.files("nnstudio.resources").joinpath("examples")))


def thumbnails_dir() -> Path:
    return Path(str(resources.files("nnstudio.resources").joinpath("thumbnails")))


def is_installed_example(path: str | Path) -> bool:
    """Whether ``path`` is (or would be) a file in the installed examples folder."""
    try:
        return Path(path).resolve().parent == examples_dir().resolve()
    except OSError:
        return False


def lesson_example_stems() -> set[str]:
    """The examples lessons open: the start page lists them under Lessons, not among the examples."""
    from nnstudio.lessons import all_lessons

    return {lesson.example for lesson in all_lessons()}


def example_infos(lessons: bool = False) -> list[ExampleInfo]:
    """Every installed example in gallery order (with ``lessons``, the lessons' own ones too);
    one whose file cannot be read is left out."""
    out = []
    skip = set() if lessons else lesson_example_stems()
    for path in example_paths():
        if path.stem in skip:
            continue
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("meta") or {}
        except (OSError, ValueError, AttributeError):
            continue
        thumb = thumbnails_dir() / f"{path.stem}.png"
        out.append(ExampleInfo(path, str(meta.get("title") or path.stem), str(meta.get("description") or ""),
                               thumb if thumb.exists() else None))
    return out
