"""CSV files: header and delimiter detection, numeric and categorical columns, bad rows.

All-numeric files take a fast path (NumPy's C parser); only when it fails do
we walk the rows in Python, to name the line and column at fault or to handle
categorical columns.
"""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nnstudio.data.dataset import Dataset, make_dataset
from nnstudio.data.files import fingerprint, read_bytes
from nnstudio.errors import DataError

MAX_CLASSES_FROM_NUMBERS = 20
SAMPLE_ROWS = 1000
MISSING = {"", "na", "n/a", "nan", "null", "none", "?"}


def _decode(data: bytes, name: str, warnings: list[str]) -> str:
    if b"\x00" in data[:8192]:
        raise DataError(f"{name}: does not look like a CSV text file (it contains binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(f"{name}: not UTF-8 text; read as Latin-1 - check accented labels")
        return data.decode("latin-1")


def _number(s: str) -> float | None:
    """A finite float, or None for anything else (text, missing, inf, NaN)."""
    t = s.strip()
    if t.lower() in MISSING:
        return None
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _sniff(text: str) -> str:
    sample = "\n".join(text[:65536].splitlines()[:30])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _has_header(rows: list[list[str]]) -> bool:
    first = rows[0]
    if not any(_number(c) is None and c.strip() for c in first):
        return False  # every cell is a number
    if len(rows) == 1:
        return True
    # a header cell is text where the rest of its column holds numbers, or repeats nowhere below
    body = rows[1:50]
    for j, cell in enumerate(first):
        column = [r[j] for r in body if j < len(r)]
        if column and _number(cell) is None and all(_number(c) is not None for c in column):
            return True
    return all(cell not in [r[j] for r in body if j < len(r)] for j, cell in enumerate(first))


def _resolve(col: str | int, names: list[str], name: str) -> int:
    if isinstance(col, (int, np.integer)) and not isinstance(col, bool):
        if -len(names) <= col < len(names):
            return int(col) % len(names)
        raise DataError(f"{name}: there is no column {col}; the file has {len(names)} columns")
    if col in names:
        return names.index(col)
    raise DataError(f"{name}: there is no column named {col!r}; columns are {', '.join(names)}")


def load_csv(path: str | Path, target: str | int | None = None, inputs: Sequence[str | int] | None = None,
             delimiter: str | None = None, header: bool | None = None, on_bad_rows: str = "stop",
             standardize: bool = True, task: str = "auto", val_ratio: float = 0.2, seed: int = 0) -> Dataset:
    """Load a CSV file as a :class:`Dataset`.

    Parameters
    ----------
    target : column name or index
        The column to predict (default: the last one).
    inputs : column names or indices
        Input columns (default: every other column). Text columns become one-hot inputs.
    on_bad_rows : {"stop", "drop"}
        What to do with a row that has a missing or non-numeric value, or the wrong number
        of values: stop with an error naming the line and column, or drop it and list it.
    task : {"auto", "classification", "regression"}
        "auto": text targets, or whole-number targets with at most 20 distinct values, are classes.
    """
    if on_bad_rows not in ("stop", "drop"):
        raise DataError("on_bad_rows must be 'stop' or 'drop'")
    if task not in ("auto", "classification", "regression"):
        raise DataError("task must be auto, classification or regression")
    p = Path(path)
    name = p.name
    warnings: list[str] = []
    text = _decode(read_bytes(p, "CSV file"), name, warnings)
    if not text or text.isspace():
        raise DataError(f"{name}: the file is empty")
    delim = delimiter or _sniff(text)
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delim)
        head_rows = []
        for row in reader:
            if row:
                head_rows.append(row)
            if len(head_rows) > SAMPLE_ROWS:
                break
    except csv.Error as exc:
        raise DataError(f"{name}: cannot be read as CSV ({exc})") from None
    if not head_rows:
        raise DataError(f"{name}: the file has no rows")
    has_header = _has_header(head_rows) if header is None else bool(header)
    ncols = len(head_rows[0])
    names = [c.strip() or f"column {j + 1}" for j, c in enumerate(head_rows[0])] if has_header else \
        [f"column {j + 1}" for j in range(ncols)]
    body_sample = head_rows[1:] if has_header else head_rows
    if not body_sample:
        raise DataError(f"{name}: the file has a header but no data rows")
    if ncols < 2:
        raise DataError(f"{name}: found only one column (delimiter {delim!r}) - a dataset needs inputs and a target")
    t_idx = _resolve(target if target is not None else ncols - 1, names, name)
    in_idx = [_resolve(c, names, name) for c in inputs] if inputs is not None else \
        [j for j in range(ncols) if j != t_idx]
    if not in_idx or t_idx in in_idx:
        raise DataError(f"{name}: choose at least one input column other than the target {names[t_idx]!r}")
    # a column is numeric when most of its sampled values are numbers; the rest are then bad values
    numeric = []
    for j in range(ncols):
        present = [r[j] for r in body_sample if j < len(r) and r[j].strip().lower() not in MISSING]
        numeric.append(bool(present) and sum(_number(c) is not None for c in present) > 0.5 * len(present))
    used = in_idx + [t_idx]
    table = None
    if all(numeric[j] for j in used):
        latin1 = any("Latin-1" in w for w in warnings)
        # NumPy reads the file itself in chunks: far less memory than parsing our decoded copy
        table = _fast_numeric(io.StringIO(text) if latin1 else p, delim, int(has_header), ncols)
    skipped: list[str] = []
    if table is not None:
        values = table[:, in_idx]
        raw_target: np.ndarray = table[:, t_idx]
        cat_values: dict[int, list[str]] = {}
    else:
        values, raw_target, cat_values = _slow(text, delim, has_header, ncols, names, in_idx, t_idx, numeric, name,
                                               on_bad_rows, skipped)
    if len(raw_target) == 0:
        raise DataError(f"{name}: no usable rows" + (f" ({len(skipped)} dropped)" if skipped else ""))
    if skipped:
        warnings.append(f"{name}: dropped {len(skipped)} bad row(s)")
    X, input_names = _inputs(values, in_idx, names, cat_values)
    _refuse_huge(X, input_names, name)
    is_text_target = raw_target.dtype.kind in "UO"
    if task == "auto":
        if is_text_target:
            task = "classification"
        else:
            distinct = np.unique(raw_target)
            task = "classification" if (np.all(distinct == np.round(distinct))
                                        and len(distinct) <= MAX_CLASSES_FROM_NUMBERS) else "regression"
    if task == "classification":
        classes, y = np.unique(raw_target.astype(str) if is_text_target else raw_target, return_inverse=True)
        class_names = [str(c) if is_text_target else f"{c:g}" for c in classes]
        if len(class_names) < 2:
            raise DataError(f"{name}: the target {names[t_idx]!r} has only one class - nothing to learn")
    else:
        if is_text_target:
            raise DataError(f"{name}: the target {names[t_idx]!r} holds text, so it cannot be a regression target")
        _refuse_huge(raw_target.reshape(-1, 1), [names[t_idx]], name)
        y, class_names = raw_target.astype(np.float32).reshape(-1, 1), []
    scaler = None
    if standardize:
        mean = X.mean(axis=0)
        std = X.std(axis=0)
        std[std == 0] = 1.0
        X = (X - mean) / std
        scaler = {"mean": mean.tolist(), "std": std.tolist(), "columns": input_names}
    spec = {"source": "csv", "path": str(path), "target": names[t_idx], "inputs": [names[j] for j in in_idx],
            "delimiter": delim, "header": has_header, "on_bad_rows": on_bad_rows, "standardize": standardize,
            "task": task, "val_ratio": float(val_ratio), "seed": int(seed), "fingerprint": fingerprint(p)}
    return make_dataset(X.astype(np.float32), y, task, class_names, spec, val_ratio, seed,
                        skipped=skipped[:100], warnings=warnings, scaler=scaler)


def _refuse_huge(values: np.ndarray, labels: list[str], name: str) -> None:
    """Numbers beyond float32's range become inf in training (and overflow the scaling)."""
    big = np.abs(values) > np.finfo(np.float32).max
    if big.any():
        row, col = np.argwhere(big)[0]
        raise DataError(f"{name}: column {labels[col]!r} holds a number too large to train on "
                        f"({values[row, col]:.3g}); rescale the column or leave it out")


def _fast_numeric(source: Any, delim: str, skip: int, ncols: int) -> np.ndarray | None:
    try:
        table = np.loadtxt(source, delimiter=delim, skiprows=skip, dtype=np.float64, ndmin=2, comments=None,
                           quotechar='"', encoding="utf-8-sig")
    except (ValueError, IndexError):
        return None
    if table.shape[1] != ncols or not np.isfinite(table).all():
        return None
    return table


def _slow(text: str, delim: str, has_header: bool, ncols: int, names: list[str], in_idx: list[int], t_idx: int,
          numeric: list[bool], name: str, on_bad: str, skipped: list[str]):
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows: list[list[Any]] = []
    first = True
    used = in_idx + [t_idx]
    for row in reader:
        if not row:
            continue
        if first and has_header:
            first = False
            continue
        first = False
        line = reader.line_num
        problem = None
        if len(row) != ncols:
            problem = f"line {line} has {len(row)} values but the header has {ncols}"
        else:
            parsed: list[Any] = []
            for j in used:
                cell = row[j]
                if numeric[j]:
                    v = _number(cell)
                    if v is None:
                        shown = cell.strip()
                        what = "is missing" if shown.lower() in MISSING else f"{shown[:40]!r} is not a number"
                        problem = f"line {line}, column {names[j]!r}: {what}"
                        break
                    parsed.append(v)
                else:
                    if cell.strip().lower() in MISSING:
                        problem = f"line {line}, column {names[j]!r}: the value is missing"
                        break
                    parsed.append(cell.strip())
        if problem:
            if on_bad == "stop":
                raise DataError(f"{name}, {problem} - fix the file or choose 'drop bad rows'")
            skipped.append(problem)
            continue
        rows.append(parsed)
    cat_values: dict[int, list[str]] = {}
    k = len(in_idx)
    values = np.empty((len(rows), k), dtype=object)
    for i, r in enumerate(rows):
        values[i] = r[:k]
    for pos, j in enumerate(in_idx):
        if not numeric[j]:
            cat_values[pos] = sorted({str(v) for v in values[:, pos]})
    target = np.array([r[k] for r in rows], dtype=(np.float64 if numeric[t_idx] else object))
    if not numeric[t_idx]:
        target = target.astype(str)
    return values, target, cat_values


def _inputs(values: np.ndarray, in_idx: list[int], names: list[str], cat_values: dict[int, list[str]]
            ) -> tuple[np.ndarray, list[str]]:
    """Numeric columns as they are, text columns one-hot (one input per category)."""
    if not cat_values:
        return np.asarray(values, dtype=np.float64), [names[j] for j in in_idx]
    cols, out_names = [], []
    for pos, j in enumerate(in_idx):
        if pos in cat_values:
            column = values[:, pos].astype(str)
            for c in cat_values[pos]:
                cols.append((column == c).astype(np.float64))
                out_names.append(f"{names[j]}={c}")
        else:
            cols.append(values[:, pos].astype(np.float64))
            out_names.append(names[j])
    return np.stack(cols, axis=1), out_names
