"""Checks on a project document between parsing the JSON and building the project.

A project file may be damaged or hand-edited. What cannot be trusted is checked
here, so that loading ends in a :class:`~nnstudio.errors.ProjectFileError`
naming the file, the field and the value - or opens with a warning when the
rest of the project is fine - and never in a traceback:

- whole numbers are limited to :data:`MAX_INT_DIGITS` digits while parsing
  (Python refuses to convert more than 4,300 and big ones overflow later);
- nesting is limited to :data:`MAX_DEPTH` (copying deep values recurses);
- NaN and infinities (JSON extensions Python accepts, or ``1e400``) in the
  free-form sections are read as ``null`` with a warning, so what loaded can
  always be saved again;
- node positions that are not finite numbers are repaired with a warning (the
  canvas cannot paint them);
- run entries that are not run records are dropped with a warning;
- the stored weights are size-checked before they are decoded.

Saving goes through :func:`dumps_document`, which never fails on values
loading accepted.
"""
from __future__ import annotations

import base64
import binascii
import io
import json
import math
import struct
import zipfile
import zlib
from typing import Any

import numpy as np

from nnstudio.errors import ProjectFileError
from nnstudio.safe_read import UnsafeInput, npy_header

MAX_INT_DIGITS = 40
MAX_DEPTH = 64
#: Decoded weights larger than this are refused (a project's weights are a few MB).
MAX_WEIGHT_BYTES = 1024 ** 3
#: Positions further out than this are treated as damaged (the canvas works in float32-ish ranges).
MAX_COORD = 1e7

#: What damaged weights can raise while being decoded; they then open as a warning.
WEIGHTS_DAMAGE: tuple[type[BaseException], ...] = (
    ValueError, TypeError, KeyError, OSError, EOFError, zipfile.BadZipFile, zlib.error, binascii.Error,
    struct.error, OverflowError, NotImplementedError, RuntimeError, MemoryError,
)

# free-form sections: what a run record's fields must be (see nnstudio.training.runs.Run)
_RUN_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,), "started": (str,), "status": (str,), "settings": (dict,), "data": (dict,),
    "curves": (dict,), "final": (dict,), "epochs": (int,), "steps": (int,), "seconds": (int, float),
    "note": (str,), "extra": (dict,),
}
_RUN_REQUIRED = ("id", "started", "status", "settings", "data", "curves", "final", "epochs", "steps", "seconds")


class HugeNumber(ValueError):
    """A whole number in the JSON text with more digits than :data:`MAX_INT_DIGITS`."""

    def __init__(self, digits: str) -> None:
        super().__init__(digits[:20])
        self.digits = digits


def parse_int(text: str) -> int:
    """``json.loads`` hook for whole numbers: refuses absurd lengths before converting."""
    if len(text) > MAX_INT_DIGITS + 1:
        raise HugeNumber(text)
    return int(text)


def huge_number_error(exc: HugeNumber, text: str, name: str) -> ProjectFileError:
    """The message for a :class:`HugeNumber` found in ``text``."""
    at = text.find(exc.digits)
    line = text.count("\n", 0, at) + 1 if at >= 0 else 0
    where = f" at line {line}" if line else ""
    n = len(exc.digits.lstrip("-"))
    return ProjectFileError(f"{name} is damaged: it holds a whole number with {n:,} digits{where} "
                            f"({exc.digits[:12]}...); no setting takes numbers longer than {MAX_INT_DIGITS} digits")


def _path(parts: list[str | int]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _clean(value: Any, parts: list[str | int], bad: list[str] | None, name: str) -> Any:
    """``value`` with non-finite floats replaced by None (their paths go to ``bad``), depth-limited.

    With ``bad`` None only the depth is checked and the value is returned as is.
    """
    if len(parts) > MAX_DEPTH:
        raise ProjectFileError(f"{name} is damaged: {_path(parts[:3])}... is nested more than {MAX_DEPTH} "
                               "levels deep")
    if isinstance(value, float):
        if bad is None or math.isfinite(value):
            return value
        bad.append(f"{_path(parts)} = {value!r}")
        return None
    if isinstance(value, dict):
        return {k: _clean(v, parts + [k], bad, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, parts + [i], bad, name) for i, v in enumerate(value)]
    return value


def _bad_values_warning(name: str, bad: list[str]) -> str:
    shown = ", ".join(bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
    return (f"{name}: {len(bad)} value(s) that are not finite numbers were read as empty: {shown}")


def _check_runs(runs: list[Any], name: str, warnings: list[str]) -> list[Any]:
    kept = []
    for i, run in enumerate(runs):
        problem = _run_problem(run)
        if problem:
            warnings.append(f"{name}: run #{i + 1} was dropped because {problem}")
        else:
            kept.append(run)
    return kept


def _run_problem(run: Any) -> str | None:
    if not isinstance(run, dict):
        return f"it is {type(run).__name__}, not a run record"
    for key in _RUN_REQUIRED:
        if key not in run:
            return f"it has no {key!r}"
    for key, types in _RUN_FIELDS.items():
        if key in run and (not isinstance(run[key], types) or isinstance(run[key], bool)):
            return f"its {key!r} is {type(run[key]).__name__} ({_short(run[key])})"
    for key, curve in run["curves"].items():
        if not isinstance(curve, list) or not all(_is_number_or_none(v) for v in curve):
            return f"its curve {key!r} is not a list of numbers ({_short(curve)})"
    for key, v in run["final"].items():
        if not _is_number_or_none(v):
            return f"its final {key!r} is not a number ({_short(v)})"
    return None


def _is_number_or_none(v: Any) -> bool:
    return v is None or isinstance(v, (int, float)) and not isinstance(v, bool)


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def _repair_positions(graph: Any, name: str, warnings: list[str]) -> None:
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        return
    repaired = []
    for i, rec in enumerate(graph["nodes"]):
        if not isinstance(rec, dict) or "pos" not in rec:
            continue
        pos = rec["pos"]
        if not isinstance(pos, list) or len(pos) != 2:
            continue  # wrong shape: the graph reader refuses it with its own message
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               and abs(v) <= MAX_COORD for v in pos):
            continue
        if not all(v is None or isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos):
            continue
        rec["pos"] = [40.0 * len(repaired), 0.0]
        repaired.append(f"{rec.get('id', f'node #{i + 1}')!s} ({_short(pos)})")
    if repaired:
        warnings.append(f"{name}: {len(repaired)} node position(s) were not usable numbers and were moved to the "
                        f"top left: {', '.join(repaired[:3])}{' ...' if len(repaired) > 3 else ''}")


def _finite_number(v: Any, low: float = -MAX_COORD, high: float = MAX_COORD) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and low <= v <= high


def _expansion_problem(info: Any) -> str | None:
    """Why an expanded layer's record (group meta ``expanded_from``) cannot be used to collapse it."""
    if not isinstance(info, dict):
        return "it is not an object"
    for key, typ in (("id", str), ("name", str), ("params", dict), ("pos", list), ("sources", list),
                     ("consumers", list)):
        if not isinstance(info.get(key), typ):
            return f"its {key!r} is missing or of the wrong type"
    if len(info["pos"]) != 2 or not all(_finite_number(v) for v in info["pos"]):
        return "its 'pos' is not two usable numbers"
    if not all(isinstance(v, str) for v in info["sources"] + info["consumers"]):
        return "its wires are not node ids"
    if info.get("concat") is not None and not isinstance(info["concat"], str):
        return "its 'concat' is not a node id"
    if "shift" in info and not _finite_number(info["shift"], 0.0):
        return "its 'shift' is not a usable number"
    return None


def _check_groups(graph: Any, name: str, warnings: list[str]) -> None:
    groups = graph.get("groups") if isinstance(graph, dict) else None
    if not isinstance(groups, list):
        return
    for rec in groups:
        meta = rec.get("meta") if isinstance(rec, dict) else None
        if isinstance(meta, dict) and "expanded_from" in meta:
            problem = _expansion_problem(meta["expanded_from"])
            if problem:
                del meta["expanded_from"]  # the neurons stay; only collapsing them back is lost
                warnings.append(f"{name}: group {str(rec.get('id'))[:40]!r} lost its record of the expanded layer "
                                f"({problem}); its neurons stay but cannot be collapsed back")


def check_document(doc: dict[str, Any], name: str) -> list[str]:
    """Check and repair ``doc`` in place; return the warnings; raise ProjectFileError on what cannot open."""
    warnings: list[str] = []
    for key in ("graph", "data", "training", "meta", "runs"):
        if key not in doc:
            continue
        if key == "graph":
            # parameters are checked (and refused) by the graph reader; positions are repaired
            doc[key] = _clean(doc[key], [key], None, name)
            _repair_positions(doc[key], name, warnings)
            _check_groups(doc[key], name, warnings)
            continue
        bad: list[str] = []
        doc[key] = _clean(doc[key], [key], bad, name)
        if bad:
            warnings.append(_bad_values_warning(name, bad))
    graph = doc.get("graph")
    if isinstance(graph, dict):
        for key in ("nodes", "edges", "groups"):
            if key in graph and graph[key] is None:
                graph[key] = []
                warnings.append(f"{name}: the graph's {key!r} was null; read as none")
    runs = doc.get("runs")
    if isinstance(runs, list):
        doc["runs"] = _check_runs(runs, name, warnings)
    return warnings


def check_weights_container(stored: Any) -> None:
    """Refuse stored weights whose arrays would be too large, before they are decoded (raises ValueError)."""
    if not isinstance(stored, dict) or not isinstance(stored.get("data"), str):
        return  # the decoder refuses the shape of it with its own message
    try:
        raw = base64.b64decode(stored["data"].encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"not base64 ({exc})") from None
    try:
        _check_npz_sizes(raw)
    except UnsafeInput as exc:
        raise ValueError(f"the weights archive {exc}") from None


def _check_npz_sizes(raw: bytes) -> None:
    if not raw.startswith(b"PK"):
        raise UnsafeInput("is not a zip archive")
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            for info in zf.infolist():
                with zf.open(info) as fh:
                    shape, dtype = npy_header(fh)
                nbytes = math.prod(shape) * dtype.itemsize
                total += nbytes
                if nbytes > info.file_size or total > MAX_WEIGHT_BYTES:
                    raise UnsafeInput(f"array {info.filename!r} claims shape {shape} - it is damaged or too large")
    except UnsafeInput:
        raise
    except WEIGHTS_DAMAGE as exc:
        raise UnsafeInput(f"is damaged ({str(exc)[:120]})") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"{type(value).__name__} cannot be stored in a project file")


def _finite_everywhere(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy: non-finite floats become None (positions 0.0), numpy values plain Python."""
    if depth > MAX_DEPTH * 4:
        raise ProjectFileError("the project holds values nested too deeply to save")
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return _finite_everywhere(value.tolist(), depth + 1)
    if isinstance(value, dict):
        return {str(k): _finite_everywhere(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_everywhere(v, depth + 1) for v in value]
    return value


def dumps_document(doc: dict[str, Any], name: str) -> str:
    """The JSON text of a project document; values JSON cannot hold (NaN, numpy scalars) are converted."""
    try:
        return json.dumps(doc, indent=1, allow_nan=False, ensure_ascii=False, default=_json_default)
    except (ValueError, TypeError, RecursionError):
        pass
    safe = _finite_everywhere(doc)
    for node in safe.get("graph", {}).get("nodes", []):
        pos = node.get("pos")
        if isinstance(pos, list):
            node["pos"] = [0.0 if v is None else v for v in pos]
    try:
        return json.dumps(safe, indent=1, allow_nan=False, ensure_ascii=False, default=_json_default)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ProjectFileError(f"could not save {name}: a value cannot be stored ({exc})") from None
