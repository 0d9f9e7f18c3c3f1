"""Importing trained parts: weights from an ``.npz`` file or another project, matched by node name.

>>> report = ns.import_weights(graph, "digits-cnn.nnstudio")
>>> print(report.text())          # what was loaded, what did not fit, what was not found
>>> trainer.load_weights(report.weights)

Sources:

- another ``.nnstudio`` project with saved weights: nodes match by name (then by the
  same name in lower case with other characters as ``_``), must be of the same kind,
  and each tensor must have the same shape;
- an ``.npz`` archive with keys ``"<node name>.<tensor>"`` (as a PyTorch ``state_dict``
  and nnstudio's npz export spell them, e.g. ``"Conv 1.weight"`` or ``"conv_1.weight"``)
  or this file format's own ``"NODE_ID/TENSOR"`` keys (matched by node id); shapes must match.

Nothing is applied here: the report carries the matched tensors for the caller.
Together with a layer's ``frozen`` parameter this is transfer learning.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnstudio.errors import ProjectFileError
from nnstudio.graph import Graph, kinds
from nnstudio.graph.shapes import no_params
from nnstudio.io.weights import read_npz


@dataclass
class ImportReport:
    """What :func:`import_weights` found; ``weights`` are the tensors to apply.

    Attributes
    ----------
    source : Path
    weights : dict
        ``{node_id: {tensor: array}}`` of the target graph: every tensor that matched.
    loaded, mismatched, missing, unused : list of str
        One plain sentence each: a node's tensors loaded; a tensor whose shape (or a node whose
        kind) differs, with both; a node with tensors the source has nothing for; something in
        the source that matched no node here.
    """

    source: Path
    weights: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    loaded: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    @property
    def n_tensors(self) -> int:
        return sum(len(t) for t in self.weights.values())

    def summary(self) -> str:
        """One line: how many tensors of how many nodes were imported."""
        n_nodes = len(self.weights)
        if not n_nodes:
            return f"Nothing could be imported from {self.source.name}."
        return (f"Imported {self.n_tensors} tensor{'s' * (self.n_tensors != 1)} into {n_nodes} "
                f"node{'s' * (n_nodes != 1)} from {self.source.name}.")

    def text(self) -> str:
        """The whole report, a heading per part and a sentence per line."""
        parts = [self.summary()]
        for title, lines in (("Loaded", self.loaded), ("Shape mismatch (not loaded)", self.mismatched),
                             ("Not found in the source (left as they are)", self.missing),
                             ("In the source but not used", self.unused)):
            if lines:
                parts.append(f"\n{title}:\n" + "\n".join(f"  - {line}" for line in lines))
        return "\n".join(parts)


def import_weights(graph: Graph, source_path: str | os.PathLike[str]) -> ImportReport:
    """Match the tensors in ``source_path`` (``.npz`` or ``.nnstudio``) to ``graph``'s nodes.

    Raises ProjectFileError when the source cannot be read or holds no weights.
    """
    path = Path(source_path)
    report = ImportReport(source=path)
    targets = _tensor_shapes(graph, report)
    if path.suffix.lower() == ".nnstudio":
        from nnstudio.io.project import load_project

        project = load_project(path)
        if not project.weights:
            raise ProjectFileError(f"{path} holds no trained weights - train it and save it first")
        entries = {node.name: (node.kind, dict(project.weights.get(nid, {})))
                   for nid, node in project.graph.nodes.items()}
        _match_by_name(graph, targets, entries, report)
    else:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ProjectFileError(f"{path} does not exist") from None
        except OSError as exc:
            raise ProjectFileError(f"cannot read {path}: {exc.strerror or exc}") from None
        try:
            arrays = read_npz(raw)
        except ValueError as exc:
            raise ProjectFileError(f"{path} cannot be imported: {exc}") from None
        by_name: dict[str, tuple[str | None, dict[str, np.ndarray]]] = {}
        by_id: dict[str, dict[str, np.ndarray]] = {}
        for key, value in arrays.items():
            nid, slash, tensor = key.partition("/")
            if slash and nid in graph.nodes and "/" not in tensor:
                by_id.setdefault(nid, {})[tensor] = value
                continue
            name, dot, tensor = key.rpartition(".")
            if not dot or not name or not tensor:
                report.unused.append(f"{key!r} is neither \"<node name>.<tensor>\" nor \"NODE_ID/TENSOR\"")
                continue
            by_name.setdefault(name, (None, {}))[1][tensor] = value
        for nid, tensors in by_id.items():  # the project format's keys: ids name the nodes
            node = graph.nodes[nid]
            by_name.setdefault(node.name, (None, {}))[1].update(tensors)
        _match_by_name(graph, targets, by_name, report)
    return report


def _tensor_shapes(graph: Graph, report: ImportReport) -> dict[str, dict[str, tuple[int, ...]]]:
    """``{node_id: {tensor: shape}}`` for every node that owns tensors (PyTorch layouts)."""
    shapes = graph.infer_shapes()
    out: dict[str, dict[str, tuple[int, ...]]] = {}
    for nid, node in graph.nodes.items():
        spec = kinds.get(node.kind)
        ins = [shapes.get(e.src) for e in graph.in_edges(nid)]
        if not ins or any(s is None for s in ins):
            if spec.param_rule is not no_params:
                report.missing.append(f"{_label(node)}: its input shape is not known yet (see the Problems "
                                      "list), so nothing could be loaded into it")
            continue
        try:
            tensors = spec.param_shapes(node.params, ins)
        except Exception:  # a shape problem the Problems list already explains
            continue
        if tensors:
            out[nid] = {k: tuple(int(d) for d in v) for k, v in tensors.items()}
    return out


def _normal(name: str) -> str:
    """Names as code spells them: ``"Conv 1"`` and ``"conv_1"`` are the same node."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def _match_by_name(graph: Graph, targets: dict[str, dict[str, tuple[int, ...]]],
                   entries: dict[str, tuple[str | None, dict[str, Any]]], report: ImportReport) -> None:
    src = report.source.name
    normal: dict[str, list[str]] = {}
    for name in entries:
        normal.setdefault(_normal(name), []).append(name)
    used: set[str] = set()
    for nid, wanted in targets.items():
        node = graph.nodes[nid]
        name = node.name if node.name in entries else None
        if name is None:
            candidates = [n for n in normal.get(_normal(node.name), []) if n not in used]
            name = candidates[0] if len(candidates) == 1 else None
        if name is None:
            report.missing.append(f"{_label(node)}: {src} has no node of that name")
            continue
        used.add(name)
        kind, tensors = entries[name]
        if kind is not None and kind != node.kind:
            report.mismatched.append(f"{_label(node)} is {_a(node.kind)} here but {_a(kind)} in {src}")
            continue
        got = []
        for tensor, shape in wanted.items():
            if tensor not in tensors:
                report.missing.append(f"{_label(node)}: {src} has no {tensor} for it")
                continue
            value = np.asarray(tensors[tensor])
            if value.shape != shape:
                report.mismatched.append(f"{_label(node)} {tensor}: {_shape(shape)} here, {_shape(value.shape)} "
                                         f"in {src}")
                continue
            if not np.issubdtype(value.dtype, np.floating) or not np.isfinite(value).all():
                report.mismatched.append(f"{_label(node)} {tensor}: {src} holds "
                                         f"{'non-finite values' if np.issubdtype(value.dtype, np.floating) else value.dtype} "
                                         "there, not trained numbers")
                continue
            report.weights.setdefault(nid, {})[tensor] = value
            got.append(f"{tensor} {_shape(shape)}")
        for tensor in tensors:
            if tensor not in wanted:
                report.unused.append(f"{name}.{tensor}: {node.name} has no tensor called {tensor}")
        if got:
            frozen = " - frozen, so training keeps them" if node.params.get("frozen") else ""
            report.loaded.append(f"{_label(node)}: {', '.join(got)}{frozen}")
    for name in entries:
        if name not in used and entries[name][1]:
            report.unused.append(f"{name} ({', '.join(entries[name][1])}): no node of that name here")


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind}"


def _label(node: Any) -> str:
    return f"{node.name} ({node.kind})"


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "a scalar"
