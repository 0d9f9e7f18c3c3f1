"""Weights as ``.npz``: one array per tensor, keyed ``"<node name>.<tensor>"`` like a PyTorch state_dict.

``"Dense 1.weight"`` holds the (out, in) matrix of the node named *Dense 1*;
BatchNorm nodes add ``running_mean`` and ``running_var``. Importing weights
back into a project reads the same keys.
"""
from __future__ import annotations

import io as _io
from pathlib import Path

import numpy as np

from nnstudio.io.atomic import atomic_write_bytes
from nnstudio.io.export.network import ExportNetwork


def state_dict(net: ExportNetwork) -> dict[str, np.ndarray]:
    """``{"<node name>.<tensor>": float32 array}`` in topological order."""
    return {f"{n.name}.{t}": a for n in net.nodes for t, a in n.tensors.items()}


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = _io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def write_npz(net: ExportNetwork, path: Path) -> list[Path]:
    """Write the weights file atomically; returns ``[path]``."""
    atomic_write_bytes(path, npz_bytes(state_dict(net)))
    return [path]
