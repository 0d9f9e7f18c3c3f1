"""Named arrays inside the project's JSON: a NumPy ``.npz`` archive as base64 text.

The project file keeps its trained weights and the optimizer state this way
(``"weights"`` and ``"optimizer"``): compact, bit-exact for every dtype, and
loaded with ``allow_pickle=False`` so a file can never run code.
"""
from __future__ import annotations

import base64
import binascii
import io as _io
from typing import Any, Mapping

import numpy as np

from nnstudio import safe_read

ARRAYS_ENCODING = "npz-base64"


def encode_arrays(arrays: Mapping[str, Any]) -> dict[str, str]:
    """``{"encoding": "npz-base64", "data": "..."}`` holding ``arrays`` under their keys."""
    buf = _io.BytesIO()
    np.savez_compressed(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    return {"encoding": ARRAYS_ENCODING, "data": base64.b64encode(buf.getvalue()).decode("ascii")}


def decode_arrays(doc: Any) -> dict[str, np.ndarray]:
    """The arrays :func:`encode_arrays` stored; raises ValueError saying what is damaged."""
    if not isinstance(doc, dict) or doc.get("encoding") != ARRAYS_ENCODING or not isinstance(doc.get("data"), str):
        raise ValueError(f"it must be an object with \"encoding\": \"{ARRAYS_ENCODING}\" and base64 \"data\"")
    try:
        raw = base64.b64decode(doc["data"].encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("its data is not valid base64 text") from None
    return read_npz(raw)


def read_npz(raw: bytes) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` archive's bytes (numbers only, sizes checked before anything is
    expanded: see :func:`nnstudio.safe_read.read_npz`); ValueError saying what is wrong."""
    if raw.startswith(b"\x93NUMPY"):
        raise ValueError("it holds a single array (.npy), not a named set of arrays (.npz)")
    try:
        return safe_read.read_npz(raw)
    except safe_read.UnsafeInput as exc:
        raise ValueError(f"it {exc}") from None
