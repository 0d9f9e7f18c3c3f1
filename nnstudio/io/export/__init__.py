"""Exporters: a network leaves nnstudio as PyTorch code, an ONNX model or an .npz of weights.

>>> export_project("onnx", "model.onnx", graph, params)
[PosixPath('model.onnx')]

``params`` is ``{node_id: {tensor: array}}`` in PyTorch layouts (a plan's
``params``, or a project's saved ``weights``). Every exporter writes its files
atomically and returns the paths written; a network that cannot be exported
raises :class:`~nnstudio.errors.ExportError` with a message for the user.
No engine, training or Qt here: the caller hands over arrays.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from nnstudio._version import __version__
from nnstudio.errors import ExportError
from nnstudio.graph import Graph
from nnstudio.io.export.network import DATA_KEYS, ExportNetwork, Weights, prepare


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its file extension, a one-line description and its writer."""

    extension: str
    description: str
    write: Callable[..., list[Path]]


def _npz(net: ExportNetwork, path: Path, **_: Any) -> list[Path]:
    from nnstudio.io.export.npz_weights import write_npz

    return write_npz(net, path)


def _pytorch(net: ExportNetwork, path: Path, training: Mapping[str, Any] | None = None,
             data: Mapping[str, np.ndarray] | None = None, title: str = "model") -> list[Path]:
    from nnstudio.io.export.pytorch_code import write_pytorch

    return write_pytorch(net, path, training, data, title, __version__)


def _onnx(net: ExportNetwork, path: Path, title: str = "model", **_: Any) -> list[Path]:
    from nnstudio.io.export.onnx_model import write_onnx

    return write_onnx(net, path, title, __version__)


FORMATS: dict[str, ExportFormat] = {
    "pytorch": ExportFormat(".py", "PyTorch training script (+ weights and data .npz)", _pytorch),
    "onnx": ExportFormat(".onnx", "ONNX model (opset 17) for inference", _onnx),
    "npz": ExportFormat(".npz", "weights only, keyed \"<node name>.<tensor>\"", _npz),
}


def output_path(fmt: str, out: str | os.PathLike[str], name: str = "model") -> Path:
    """Where a format's main file goes: ``out`` itself (its extension added when missing), or
    ``out/<name><ext>`` when ``out`` is an existing folder."""
    spec = _format(fmt)
    p = Path(out)
    if p.is_dir():
        p = p / f"{name}{spec.extension}"
    elif p.suffix.lower() != spec.extension:
        p = p.with_name(p.name + spec.extension)
    return p


def _format(fmt: str) -> ExportFormat:
    try:
        return FORMATS[fmt]
    except (KeyError, TypeError):
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}") from None


def export_project(fmt: str, out: str | os.PathLike[str], graph: Graph, params: Weights, *,
                   training: Mapping[str, Any] | None = None, data: Mapping[str, np.ndarray] | None = None,
                   name: str = "model") -> list[Path]:
    """Export a network; returns the files written.

    Parameters
    ----------
    fmt : str
        ``pytorch``, ``onnx`` or ``npz`` (see :data:`FORMATS`).
    out : path
        The main output file (extension added if missing) or an existing folder.
    graph, params
        The network and its parameters ``{node_id: {tensor: array}}``.
    training : dict, optional
        The project's training settings (the PyTorch script trains with them).
    data : dict, optional
        ``X_train``, ``y_train``, ``X_val``, ``y_val`` arrays (the PyTorch script's dataset).
    name : str
        The project's name (file names inside a folder, titles).
    """
    spec = _format(fmt)
    net = prepare(graph, params)
    path = output_path(fmt, out, name)
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        return spec.write(net, path, training=training, data=data, title=name)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None


__all__ = ["export_project", "DATA_KEYS", "FORMATS", "ExportFormat", "output_path", "ExportError", "prepare",
           "ExportNetwork"]
