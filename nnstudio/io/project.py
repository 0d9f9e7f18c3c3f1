"""Project files: one versioned JSON document holding a whole project.

Loading parses the text into plain records first, checks the format name and
version, migrates older versions, and only then builds the graph; every
failure becomes one :class:`~nnstudio.errors.ProjectFileError` naming the
file and the problem. Saving is atomic and keeps the previous file as
``NAME.nnstudio.bak``. The format is documented in ``docs/project-format.md``.
"""
from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from nnstudio._version import __version__
from nnstudio.errors import GraphError, ProjectFileError
from nnstudio.graph import Graph
from nnstudio.io import checks
from nnstudio.io.atomic import atomic_write_bytes
from nnstudio.io.weights import decode_arrays, encode_arrays

FORMAT_NAME = "nnstudio-project"
FORMAT_VERSION = 2
EXTENSION = ".nnstudio"

Weights = dict[str, dict[str, np.ndarray]]

# format_version N -> function turning a version-N document into version N+1
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: lambda doc: {**doc, "optimizer": None},  # version 2 added the optimizer state
}


@dataclass
class Project:
    """Everything a project file holds.

    Parameters
    ----------
    graph : Graph
        The network, with node positions.
    data : dict
        Dataset description (see :mod:`nnstudio.data`), e.g.
        ``{"source": "toy", "name": "spiral", "n": 400, "noise": 0.1, "seed": 1}``.
    training : dict
        Training settings (optimizer, learning rate, batch size, epochs...).
    weights : dict or None
        Trained parameters ``{node_id: {"weight": array, ...}}``, if saved.
    optimizer : dict or None
        Optimizer state and training progress saved with the weights, so training
        resumes exactly: ``{name: array}`` as ``Trainer.training_state()`` returns it.
    runs : list of dict
        Past training runs (settings, curves, final metrics).
    meta : dict
        ``title`` and ``description`` shown in the examples gallery.
    warnings : list of str
        Problems found while loading that did not stop the project opening.
    """

    graph: Graph = field(default_factory=Graph)
    data: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    weights: Weights | None = None
    optimizer: dict[str, np.ndarray] | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_document(self) -> dict[str, Any]:
        """The JSON-ready document :func:`save_project` writes."""
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "app_version": __version__,
            "meta": copy.deepcopy(self.meta),
            "graph": self.graph.to_records(),
            "data": copy.deepcopy(self.data),
            "training": copy.deepcopy(self.training),
            "weights": encode_weights(self.weights) if self.weights else None,
            "optimizer": encode_arrays(self.optimizer) if self.weights and self.optimizer else None,
            "runs": copy.deepcopy(self.runs),
        }


def encode_weights(weights: Weights) -> dict[str, str]:
    """Weights as an npz-base64 object, each tensor under ``"<node id>/<tensor>"``."""
    return encode_arrays({f"{nid}/{name}": a for nid, tensors in weights.items() for name, a in tensors.items()})


def decode_weights(doc: Any) -> Weights:
    """Weights from their stored form; raises ValueError on any damage."""
    out: Weights = {}
    for key, array in decode_arrays(doc).items():
        nid, _, name = key.partition("/")
        out.setdefault(nid, {})[name] = array
    return out


def save_project(project: Project, path: str | os.PathLike[str]) -> Path:
    """Write ``project`` to ``path`` atomically, keeping the old file as ``.bak``."""
    path = Path(path)
    text = checks.dumps_document(project.to_document(), str(path))  # never fails on what loading accepted
    try:
        atomic_write_bytes(path, (text + "\n").encode("utf-8"), backup=True)
    except OSError as exc:
        raise ProjectFileError(f"could not save {path}: {exc.strerror or exc}") from None
    return path


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read a project file; raises ProjectFileError with one clear message."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProjectFileError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise ProjectFileError(f"{path} is a folder, not a project file") from None
    except OSError as exc:
        raise ProjectFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_project(raw, str(path))


def parse_project(raw: bytes, name: str = "the project") -> Project:
    """Build a Project from a file's bytes (see :func:`load_project`)."""
    doc = _parse_json(raw, name)
    doc = _check_format(doc, name)
    load_warnings = checks.check_document(doc, name)
    try:
        graph = Graph.from_records(doc.get("graph", {}))
    except GraphError as exc:
        raise ProjectFileError(f"{name} cannot be opened: {exc}") from None
    sections = {}
    for key, typ, default in (("data", dict, {}), ("training", dict, {}), ("meta", dict, {}), ("runs", list, [])):
        value = doc.get(key, default)
        if value is None:
            value = default
        if not isinstance(value, typ):
            raise ProjectFileError(f"{name} is damaged: {key!r} must be {'an object' if typ is dict else 'a list'}")
        sections[key] = value
    project = Project(graph=graph, **sections, warnings=load_warnings)
    if doc.get("weights") is not None:
        try:
            checks.check_weights_container(doc["weights"])
            project.weights = decode_weights(doc["weights"])
        except checks.WEIGHTS_DAMAGE as exc:
            project.warnings.append(
                f"the saved weights in {name} are damaged ({exc}); the project opened without them")
    if doc.get("optimizer") is not None and project.weights is not None:
        try:
            project.optimizer = decode_arrays(doc["optimizer"])
        except (ValueError, TypeError) as exc:
            project.warnings.append(
                f"the saved optimizer state in {name} is damaged ({exc}); the project opened without it "
                "(training continues from the saved weights with a fresh optimizer)")
    return project


def _parse_json(raw: bytes, name: str) -> Any:
    if not raw.strip():
        raise ProjectFileError(f"{name} is empty - it is not an nnstudio project")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProjectFileError(f"{name} is not an nnstudio project (it is not a text file)") from None
    try:
        return json.loads(text, parse_int=checks.parse_int)
    except checks.HugeNumber as exc:
        raise checks.huge_number_error(exc, text, name) from None
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or not text.rstrip().endswith(("}", "]")):
            raise ProjectFileError(
                f"{name} is truncated: it ends unexpectedly at line {exc.lineno} - "
                "the file was cut off; a .bak copy next to it may hold the previous version") from None
        raise ProjectFileError(
            f"{name} is damaged: {exc.msg.lower()} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise ProjectFileError(f"{name} is damaged: it is nested too deeply") from None


def _check_format(doc: Any, name: str) -> dict[str, Any]:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise ProjectFileError(f"{name} is not an nnstudio project (it has no \"format\": \"{FORMAT_NAME}\")")
    version = doc.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ProjectFileError(f"{name} is damaged: format_version must be a whole number from 1, got {version!r}")
    if version > FORMAT_VERSION:
        saved_by = doc.get("app_version")
        by = f" (nnstudio {saved_by})" if isinstance(saved_by, str) else ""
        raise ProjectFileError(
            f"{name} was saved by a newer nnstudio{by} in format version {version}; this nnstudio "
            f"{__version__} reads up to version {FORMAT_VERSION} - update nnstudio to open it")
    while version < FORMAT_VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
        doc["format_version"] = version
    return doc
