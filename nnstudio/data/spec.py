"""Dataset descriptions stored in project files, and loading them back."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nnstudio.data import sources
from nnstudio.data.dataset import Dataset
from nnstudio.data.files import fingerprint
from nnstudio.errors import DataError
from nnstudio.safe_read import is_inside

#: every spec key that holds a file or folder, over all registered sources
PATH_KEYS = sources.all_path_keys()


def _path_keys(spec: dict[str, Any]) -> tuple[str, ...]:
    """The path keys of the spec's source; all known ones when the source is unknown (to be safe)."""
    source = sources.SOURCES.get(spec.get("source")) if isinstance(spec.get("source"), str) else None
    return source.path_keys if source is not None else PATH_KEYS


def _resolve(value: Any, base_dir: str | Path | None, key: str = "path") -> Path:
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise DataError(f"the project's data description has a bad {key!r}: {value!r} - choose the file again "
                        "in the data panel")
    p = Path(value).expanduser()
    if not p.is_absolute() and base_dir is not None:
        p = Path(base_dir) / p
    return p


def data_paths(spec: Any, base_dir: str | Path | None = None) -> list[Path]:
    """The files or folders a data description reads, resolved against ``base_dir`` (none for toy/digits)."""
    if not isinstance(spec, dict):
        return []
    return [_resolve(spec[key], base_dir, key) for key in _path_keys(spec) if key in spec]


def paths_outside(spec: Any, project_dir: str | Path) -> list[Path]:
    """The paths of ``spec`` that lie outside ``project_dir`` (symlinks resolved).

    A project received from someone else may point its data at any file on this computer
    (``/etc/passwd``, ``~/.ssh/...``); the UI shows these paths and asks before reading them.
    Paths that are not valid text count as outside.
    """
    try:
        paths = data_paths(spec, project_dir)
    except DataError:
        return [Path(str(spec.get(k))) for k in _path_keys(spec) if k in spec]
    return [p for p in paths if not is_inside(p, project_dir)]


def reads_outside(spec: Any, project_dir: str | Path) -> bool:
    """Whether loading ``spec`` would read anything outside the project folder ``project_dir``."""
    return bool(paths_outside(spec, project_dir))


def load_from_spec(spec: dict[str, Any], base_dir: str | Path | None = None) -> Dataset:
    """Rebuild the dataset a project describes; relative paths are relative to ``base_dir``.

    A missing file raises DataError with advice; a file that changed since the project
    was saved loads with a warning in ``Dataset.warnings``.
    """
    if not isinstance(spec, dict) or "source" not in spec:
        raise DataError("the project's data description is missing its source")
    s = dict(spec)
    source = s.pop("source")
    fp = s.pop("fingerprint", None)
    entry = sources.get(source)
    for key in entry.path_keys:
        if key in s:
            full = _resolve(s[key], base_dir, key)
            if not full.exists():
                raise DataError(f"{Path(s[key]).name}: the data file was not found at {full} - the project still "
                                "opens; choose the file again in the data panel")
            s[key] = str(full)
    try:
        ds = entry.load(s)
    except (TypeError, ValueError) as exc:  # e.g. an unknown setting name or a setting of the wrong type
        raise DataError(f"the project's data description has a bad setting ({exc})") from None
    ds.spec = dict(spec)
    key = entry.fingerprint_key
    if fp and key and key in spec:
        now = fingerprint(_resolve(spec[key], base_dir, key))
        if now and now != fp:
            ds.warnings.append(f"{Path(spec[key]).name} changed since the project was saved - results may differ")
    return ds


def relative_spec(spec: dict[str, Any], project_dir: str | Path) -> dict[str, Any]:
    """The same description with file paths relative to the project folder where possible."""
    out = dict(spec)
    for key in PATH_KEYS:
        if key in out:
            p = Path(out[key])
            if p.is_absolute():
                try:
                    out[key] = os.path.relpath(p, project_dir)
                except ValueError:  # another drive on Windows
                    pass
    return out
