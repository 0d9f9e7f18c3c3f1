"""CSV time series cut into windows: the last ``window`` rows predict a column ``horizon`` rows ahead.

The file is read by the CSV loader's own machinery (delimiter and header detection, lines to skip,
bad rows named by line and column), so it fails in the same words as :func:`load_csv`.
The split is chronological: the last ``val_ratio`` share of the windows is the validation set,
and a gap of ``window + horizon - 1`` windows between the two keeps every validation target out
of the training inputs (random splits of overlapping windows would leak the answers).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nnstudio.data import csv_loader as C
from nnstudio.data.dataset import Dataset, check_split
from nnstudio.data.files import check_allocation, fingerprint
from nnstudio.errors import DataError

MAX_WINDOW = 10_000


def windows(series: np.ndarray, target: np.ndarray, window: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``series`` (T, C) with the value of ``target`` (T,) ``horizon`` steps after it.

    Sample i is ``series[i:i + window]`` and ``target[i + window + horizon - 1]``: with horizon 1
    the value right after the window. Returns X (T - window - horizon + 1, window, C) and y (same, 1);
    empty arrays when the series is too short.
    """
    series = np.asarray(series)
    if series.ndim == 1:
        series = series[:, None]
    target = np.asarray(target).reshape(-1)
    if window < 1 or horizon < 1:
        raise DataError(f"the window ({window}) and the horizon ({horizon}) must be at least 1")
    if len(target) != len(series):
        raise DataError(f"the series has {len(series)} rows but the target {len(target)}")
    count = max(0, len(series) - window - horizon + 1)
    if count == 0:
        return np.empty((0, window, series.shape[1]), series.dtype), np.empty((0, 1), target.dtype)
    view = np.lib.stride_tricks.sliding_window_view(series, window, axis=0)[:count]  # (count, C, window)
    X = np.ascontiguousarray(view.transpose(0, 2, 1))
    y = target[window + horizon - 1: window + horizon - 1 + count].reshape(-1, 1).copy()
    return X, y


def chronological_split(count: int, val_ratio: float, gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Train windows first, validation windows last, ``gap`` windows dropped between them."""
    n_val = int(round(count * val_ratio))
    if n_val == 0:
        return np.arange(count), np.arange(0)
    n_train = count - n_val - gap
    if n_train < 1:
        raise DataError(f"only {count} windows: too few to keep {n_val} for validation and {gap} apart - use a "
                        "longer series, a shorter window or a smaller validation share")
    return np.arange(n_train), np.arange(count - n_val, count)


def _whole(value: Any, what: str, lo: int, hi: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= int(value) <= hi:
        raise DataError(f"{name}: the {what} must be a whole number from {lo} to {hi:,}; got {value!r}")
    return int(value)


def load_csv_windows(path: str | Path, target: str | int | None = None, inputs: Sequence[str | int] | None = None,
                     window: int = 20, horizon: int = 1, delimiter: str | None = None, header: bool | None = None,
                     skip_rows: int = 0, bad_rows: str = "error", standardize: bool = True,
                     val_ratio: float = 0.2, seed: int = 0) -> Dataset:
    """A CSV time series (one row per time step, oldest first) as windows for a sequence model.

    Parameters
    ----------
    target : column name or index
        The column to forecast (default: the last column).
    inputs : column names or indices
        The columns each window holds (default: every column, the target's own past included).
    window : int
        Rows per window (the sequence length).
    horizon : int
        How many rows after the window the forecast value lies (1 = the next row).
    bad_rows : {"error", "drop"}
        A row with a missing or non-numeric value stops the load with its line and column, or is
        dropped (the series then closes the gap: a warning says how many rows went).
    standardize : bool
        Scale each input column to mean 0 and standard deviation 1 (the training part's statistics).
    seed : int
        Kept for the project file; the split is chronological and does not use it.
    """
    p = Path(path)
    name = p.name
    if bad_rows not in C.BAD_ROWS:
        raise DataError(f"bad_rows must be 'error' or 'drop', not {bad_rows!r}")
    window = _whole(window, "window length", 1, MAX_WINDOW, name)
    horizon = _whole(horizon, "horizon", 1, MAX_WINDOW, name)
    val_ratio, seed = check_split(val_ratio, seed)
    warnings: list[str] = []
    text = C._read_text(p, warnings)
    delim, body_text, head_rows, _lines, has_header, names = C._layout(text, name, delimiter, header, skip_rows)
    if not (head_rows[1:] if has_header else head_rows):
        raise DataError(f"{name}: the file has a header but no data rows")
    ncols = len(names)
    t_idx = C._resolve(target, names, name) if target is not None else ncols - 1
    in_idx = [C._resolve(c, names, name) for c in inputs] if inputs is not None else list(range(ncols))
    if not in_idx:
        raise DataError(f"{name}: choose at least one input column")
    # NumPy reads the file itself when it can (as load_csv does): far less memory than our decoded copy
    source = p if not skip_rows and not warnings else io.StringIO(body_text, newline="")
    table = C._fast_numeric(source, delim, int(has_header), ncols)
    skipped: list[str] = []
    if table is not None:
        values, raw_target = table[:, in_idx], table[:, t_idx]
    else:
        values, raw_target, _cats = C._slow(body_text, skip_rows, delim, has_header, ncols, names, in_idx, t_idx,
                                            [True] * ncols, name, bad_rows, skipped)
        values = values.astype(np.float64)
    if skipped:
        warnings.append(f"{name}: dropped {len(skipped)} bad row(s); the series closes over the gaps")
    count = len(values) - window - horizon + 1
    if count < 2:
        raise DataError(f"{name}: {len(values)} usable rows make {max(count, 0)} windows of {window} rows with "
                        f"horizon {horizon} - use a shorter window or a longer series")
    C._refuse_huge(values, [names[j] for j in in_idx], name)
    C._refuse_huge(raw_target.reshape(-1, 1), [names[t_idx]], name)
    check_allocation(count * window * len(in_idx) * 4, name, "the windows")
    gap = window + horizon - 1
    tr, va = chronological_split(count, val_ratio, gap)
    scaler = None
    series = values.astype(np.float64)
    if standardize:  # statistics of the rows the training windows see, so validation stays unseen
        seen = series[: tr[-1] + window]
        mean, std = seen.mean(axis=0), seen.std(axis=0)
        std[std == 0] = 1.0
        series = (series - mean) / std
        scaler = {"mean": mean.tolist(), "std": std.tolist(), "columns": [names[j] for j in in_idx]}
    X, y = windows(series.astype(np.float32), raw_target.astype(np.float32), window, horizon)
    spec: dict[str, Any] = {
        "source": "csv_windows", "path": str(path), "target": names[t_idx], "inputs": [names[j] for j in in_idx],
        "window": window, "horizon": horizon, "delimiter": delim, "header": has_header, "skip_rows": int(skip_rows),
        "bad_rows": bad_rows, "standardize": bool(standardize), "val_ratio": val_ratio, "seed": seed,
        "fingerprint": fingerprint(p)}
    return Dataset(
        X_train=np.ascontiguousarray(X[tr]), y_train=np.ascontiguousarray(y[tr]),
        X_val=np.ascontiguousarray(X[va]), y_val=np.ascontiguousarray(y[va]),
        input_shape=tuple(X.shape[1:]), task="regression", class_names=[], spec=spec,
        skipped=skipped[:100], warnings=warnings, scaler=scaler)


__all__ = ["load_csv_windows", "windows", "chronological_split"]
