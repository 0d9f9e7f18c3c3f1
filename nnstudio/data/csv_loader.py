"""CSV files: delimiter and header detection, lines to skip, column roles and types, bad rows.

All-numeric files take a fast path (NumPy's C parser); only when it fails do
we walk the rows in Python, to name the line and column at fault or to handle
categorical columns. Every size that depends on the file (one-hot widths, the
input matrix) is checked before it is allocated.
"""
from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from nnstudio.data.dataset import Dataset, make_dataset
from nnstudio.data.files import fingerprint, read_bytes
from nnstudio.errors import DataError

MAX_CLASSES_FROM_NUMBERS = 20
SAMPLE_ROWS = 1000
MISSING = {"", "na", "n/a", "nan", "null", "none", "?"}
DELIMITERS = (",", ";", "\t", "|")
COLUMN_TYPES = ("number", "category", "ignore")
BAD_ROWS = ("error", "drop")
#: a category column becomes one input per distinct value; more than this is almost always an ID or free text
MAX_CATEGORIES = 256
#: the float32 input matrix may not exceed this many bytes (checked before it is built)
MAX_INPUT_BYTES = 1 << 30
#: a classification target with more classes than this is refused (an ID or a measurement, not a class)
MAX_CLASSES = 1000


@dataclass
class CsvPreview:
    """What a CSV file looks like with given options: for the import dialog's table."""

    delimiter: str
    header: bool
    skip_rows: int
    names: list[str]
    rows: list[list[str]]  # the first data rows, as text
    lines: list[int]  # the 1-based line of each of those rows
    types: list[str]  # guessed type per column: "number" or "category"
    suggested_skip: int = 0  # leading lines that look like a count line (scikit-learn's CSVs)
    warnings: list[str] = field(default_factory=list)


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


def _reader(text: str, delim: str) -> Any:
    # newline="": the csv module itself splits \n, \r\n and a lone \r (old Mac files, or one stray CR);
    # StringIO's default would leave a lone CR inside a "line" and csv would raise on it
    return csv.reader(io.StringIO(text, newline=""), delimiter=delim)


def _skip_lines(text: str, n: int) -> str:
    """The text after its first ``n`` physical lines (any line ending)."""
    if n <= 0:
        return text
    lines = io.StringIO(text, newline="")
    for _ in range(n):
        if not lines.readline():
            return ""
    return text[lines.tell():]


def detect_delimiter(text: str) -> str:
    """The candidate that splits the first lines into the same number (> 1) of fields most often."""
    head = text[:65536]
    best, best_score = ",", (0, 0)
    for d in DELIMITERS:
        try:
            counts = [len(r) for _, r in zip(range(30), _reader(head, d)) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        score = (freq, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = d, score
    return best


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


def _count_line(rows: list[list[str]]) -> bool:
    """scikit-learn's dataset CSVs start with ``n_samples,n_features,class names...``."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return False
    a, b = _number(rows[0][0]), _number(rows[0][1])
    width = Counter(len(r) for r in rows[1:]).most_common(1)[0][0]
    if a is None or b is None or a != int(a) or a < 1 or b != width - 1:
        return False
    # the class names after the two counts are text; or the line is shorter or longer than the rows
    return len(rows[0]) != width or any(_number(c) is None for c in rows[0][2:])


def _guess_numeric(body: list[list[str]], ncols: int) -> list[bool]:
    """A column is numeric when most of its sampled values are numbers; the rest are then bad values."""
    numeric = []
    for j in range(ncols):
        present = [r[j] for r in body if j < len(r) and r[j].strip().lower() not in MISSING]
        numeric.append(bool(present) and sum(_number(c) is not None for c in present) > 0.5 * len(present))
    return numeric


def _head(text: str, delim: str, name: str, limit: int = SAMPLE_ROWS) -> tuple[list[list[str]], list[int]]:
    rows, lines = [], []
    try:
        reader = _reader(text, delim)
        for row in reader:
            if row:
                rows.append(row)
                lines.append(reader.line_num)
            if len(rows) > limit:
                break
    except csv.Error as exc:
        raise DataError(f"{name}: cannot be read as CSV ({exc})") from None
    return rows, lines


def _read_text(path: Path, warnings: list[str]) -> str:
    text = _decode(read_bytes(path, "CSV file"), path.name, warnings)
    if not text or text.isspace():
        raise DataError(f"{path.name}: the file is empty")
    return text


def _layout(text: str, name: str, delimiter: str | None, header: bool | None, skip_rows: int
            ) -> tuple[str, str, list[list[str]], list[int], bool, list[str]]:
    """Delimiter, body text, sampled rows with their lines, header flag and column names."""
    if not isinstance(skip_rows, int) or isinstance(skip_rows, bool) or skip_rows < 0:
        raise DataError(f"{name}: lines to skip must be a whole number >= 0, not {skip_rows!r}")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\r\n\"'"):
        raise DataError(f"{name}: the delimiter must be one character such as ',' ';' or a tab, not {delimiter!r}")
    body_text = _skip_lines(text, skip_rows)
    delim = delimiter or detect_delimiter(body_text)
    rows, lines = _head(body_text, delim, name)
    if not rows:
        raise DataError(f"{name}: the file has no rows" + (f" after the {skip_rows} skipped line(s)" if skip_rows
                                                            else ""))
    lines = [n + skip_rows for n in lines]
    has_header = _has_header(rows) if header is None else bool(header)
    # without a header the most common row width is the table's (a ragged first row must not decide it)
    ncols = len(rows[0]) if has_header else Counter(len(r) for r in rows).most_common(1)[0][0]
    names = _names(rows[0], ncols) if has_header else [f"column {j + 1}" for j in range(ncols)]
    return delim, body_text, rows, lines, has_header, names


def _names(cells: list[str], ncols: int) -> list[str]:
    names: list[str] = []
    for j in range(ncols):
        n = cells[j].strip() if j < len(cells) else ""
        n = n or f"column {j + 1}"
        while n in names:  # duplicate names would make a column impossible to choose
            n += "'"
        names.append(n)
    return names


def preview_csv(path: str | Path, delimiter: str | None = None, header: bool | None = None, skip_rows: int = 0,
                max_rows: int = 100) -> CsvPreview:
    """How the file reads with these options (``None`` = detect): names, first rows, guessed types."""
    p = Path(path)
    warnings: list[str] = []
    text = _read_text(p, warnings)
    delim, _body, rows, lines, has_header, names = _layout(text, p.name, delimiter, header, skip_rows)
    first_rows, first_lines = _head(text, delim, p.name, 60)
    body, body_lines = (rows[1:], lines[1:]) if has_header else (rows, lines)
    numeric = _guess_numeric(body, len(names))
    return CsvPreview(delim, has_header, skip_rows, names, body[:max_rows], body_lines[:max_rows],
                      ["number" if k else "category" for k in numeric], _suggest_skip(first_rows, first_lines),
                      warnings)


def _suggest_skip(rows: list[list[str]], lines: list[int]) -> int:
    """Leading lines that are not part of the table: a count line, or lines of another width (a title...)."""
    if len(rows) < 2:
        return 0
    width = Counter(len(r) for r in rows).most_common(1)[0][0]
    lead = 0
    while lead < min(10, len(rows) - 1) and len(rows[lead]) != width:
        lead += 1
    if lead:
        return lines[lead] - 1
    return 1 if _count_line(rows) else 0


def _resolve(col: str | int, names: list[str], name: str) -> int:
    if isinstance(col, (int, np.integer)) and not isinstance(col, bool):
        if -len(names) <= col < len(names):
            return int(col) % len(names)
        raise DataError(f"{name}: there is no column {col}; the file has {len(names)} columns")
    if col in names:
        return names.index(col)
    raise DataError(f"{name}: there is no column named {col!r}; columns are {', '.join(names)}")


def _column_types(columns: Mapping[Any, str] | None, names: list[str], name: str) -> dict[int, str]:
    out: dict[int, str] = {}
    if columns is None:
        return out
    if not isinstance(columns, Mapping):
        raise DataError(f"{name}: columns must map column names to 'number', 'category' or 'ignore'")
    for col, kind in columns.items():
        if kind not in COLUMN_TYPES:
            raise DataError(f"{name}: column {col!r} has type {kind!r}; choose 'number', 'category' or 'ignore'")
        out[_resolve(col, names, name)] = kind
    return out


def load_csv(path: str | Path, target: str | int | None = None, inputs: Sequence[str | int] | None = None,
             delimiter: str | None = None, header: bool | None = None, skip_rows: int = 0,
             bad_rows: str = "error", columns: Mapping[str, str] | None = None, standardize: bool = True,
             task: str = "auto", val_ratio: float = 0.2, seed: int = 0, on_bad_rows: str | None = None) -> Dataset:
    """Load a CSV file as a :class:`Dataset`.

    Parameters
    ----------
    target : column name or index
        The column to predict (default: the last column not ignored).
    inputs : column names or indices
        Input columns (default: every other column not ignored). Category columns become one-hot inputs.
    delimiter : str, optional
        One character; ``None`` detects it from the first lines.
    header : bool, optional
        Whether the first line (after ``skip_rows``) names the columns; ``None`` detects it.
    skip_rows : int
        Lines to skip before the header or the data, e.g. 1 for scikit-learn's CSVs whose first
        line counts the samples (``150,4,setosa,versicolor,virginica``).
    bad_rows : {"error", "drop"}
        What to do with a row that has a missing or non-numeric value, or the wrong number of
        values: stop with an error naming the file, line and column, or drop it and list it in
        ``Dataset.skipped``.
    columns : dict
        Per-column type: ``"number"``, ``"category"`` (one-hot input, or class target) or ``"ignore"``;
        unlisted columns are guessed. A category column with more than 256 distinct values is refused.
    task : {"auto", "classification", "regression"}
        "auto": text targets, or whole-number targets with at most 20 distinct values, are classes.
    on_bad_rows : {"stop", "drop"}
        The older name of ``bad_rows`` (still read from older project files).
    """
    if on_bad_rows is not None:
        bad_rows = {"stop": "error"}.get(on_bad_rows, on_bad_rows)
    if bad_rows not in BAD_ROWS:
        raise DataError(f"bad_rows must be 'error' or 'drop', not {bad_rows!r}")
    if task not in ("auto", "classification", "regression"):
        raise DataError("task must be auto, classification or regression")
    p = Path(path)
    name = p.name
    warnings: list[str] = []
    text = _read_text(p, warnings)
    delim, body_text, head_rows, head_lines, has_header, names = _layout(text, name, delimiter, header, skip_rows)
    ncols = len(names)
    if skip_rows == 0 and _count_line(head_rows[:60]):
        hint = (f"{name}: line 1 looks like a count line ({head_rows[0][0]} rows, {head_rows[0][1]} inputs)"
                " - skip it (skip_rows=1, 'Lines to skip' in the import dialog)")
        if len(head_rows[0]) != Counter(len(r) for r in head_rows[1:]).most_common(1)[0][0]:
            raise DataError(hint)
        warnings.append(hint)
    body_sample = head_rows[1:] if has_header else head_rows
    if not body_sample:
        raise DataError(f"{name}: the file has a header but no data rows")
    if ncols < 2:
        raise DataError(f"{name}: found only one column (delimiter {delim!r}) - a dataset needs inputs and a target")
    types = _column_types(columns, names, name)
    ignored = {j for j, k in types.items() if k == "ignore"}
    if target is not None:
        t_idx = _resolve(target, names, name)
    else:
        left = [j for j in range(ncols) if j not in ignored]
        if not left:
            raise DataError(f"{name}: every column is ignored - keep at least one input and the target")
        t_idx = left[-1]
    if t_idx in ignored:
        raise DataError(f"{name}: the target {names[t_idx]!r} is marked as ignored - choose another target "
                        "or give the column a type")
    in_idx = [_resolve(c, names, name) for c in inputs] if inputs is not None else \
        [j for j in range(ncols) if j != t_idx and j not in ignored]
    in_idx = [j for j in in_idx if j not in ignored]
    if not in_idx or t_idx in in_idx:
        raise DataError(f"{name}: choose at least one input column other than the target {names[t_idx]!r}")
    guessed = _guess_numeric(body_sample, ncols)
    numeric = [types.get(j, "number" if guessed[j] else "category") == "number" for j in range(ncols)]
    used = in_idx + [t_idx]
    table = None
    if all(numeric[j] for j in used):
        latin1 = any("Latin-1" in w for w in warnings)
        # NumPy reads the file itself in chunks: far less memory than parsing our decoded copy
        source = io.StringIO(body_text, newline="") if latin1 or skip_rows else p
        table = _fast_numeric(source, delim, int(has_header), ncols)
    skipped: list[str] = []
    if table is not None:
        values = table[:, in_idx]
        raw_target: np.ndarray = table[:, t_idx]
        cat_values: dict[int, list[str]] = {}
    else:
        values, raw_target, cat_values = _slow(body_text, skip_rows, delim, has_header, ncols, names, in_idx, t_idx,
                                               numeric, name, bad_rows, skipped)
    if len(raw_target) == 0:
        raise DataError(f"{name}: no usable rows" + (f" ({len(skipped)} dropped)" if skipped else ""))
    if skipped:
        warnings.append(f"{name}: dropped {len(skipped)} bad row(s)")
    _check_width(values, in_idx, names, cat_values, name)
    X, input_names = _inputs(values, in_idx, names, cat_values, name)
    _refuse_huge(X, input_names, name)
    is_text_target = raw_target.dtype.kind in "UO"
    if types.get(t_idx) == "category":
        task = "classification"
    if task == "auto":
        if is_text_target:
            task = "classification"
        else:
            distinct = np.unique(raw_target)
            task = "classification" if (np.all(distinct == np.round(distinct))
                                        and len(distinct) <= MAX_CLASSES_FROM_NUMBERS) else "regression"
    if task == "classification":
        classes, y = np.unique(raw_target.astype(str) if is_text_target else raw_target, return_inverse=True)
        if len(classes) > MAX_CLASSES:
            raise DataError(f"{name}: the target {names[t_idx]!r} has {len(classes):,} distinct values - too many "
                            f"classes (limit {MAX_CLASSES:,}); choose another target, or make it a number "
                            "(regression)")
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
    spec: dict[str, Any] = {
        "source": "csv", "path": str(path), "target": names[t_idx], "inputs": [names[j] for j in in_idx],
        "delimiter": delim, "header": has_header, "skip_rows": int(skip_rows), "bad_rows": bad_rows,
        "standardize": standardize, "task": task, "val_ratio": float(val_ratio), "seed": int(seed),
        "fingerprint": fingerprint(p)}
    if types:
        spec["columns"] = {names[j]: k for j, k in sorted(types.items())}
    return make_dataset(X.astype(np.float32), y, task, class_names, spec, val_ratio, seed,
                        skipped=skipped[:100], warnings=warnings, scaler=scaler)


def _check_width(values: np.ndarray, in_idx: list[int], names: list[str], cat_values: dict[int, list[str]],
                 name: str) -> None:
    """Refuse one-hot widths and input matrices too large, before they are allocated."""
    for pos, cats in cat_values.items():
        if len(cats) > MAX_CATEGORIES:
            col = names[in_idx[pos]]
            raise DataError(f"{name}: column {col!r} has {len(cats):,} distinct values; as a category it would "
                            f"become {len(cats):,} inputs (limit {MAX_CATEGORIES}) - it is probably an ID or free "
                            f"text: mark it as ignored (columns={{{col!r}: 'ignore'}}), or as a number if it "
                            "holds numbers")
    width = len(in_idx) - len(cat_values) + sum(len(c) for c in cat_values.values())
    need = len(values) * width * 4
    if need > MAX_INPUT_BYTES:
        widest = max(cat_values, key=lambda pos: len(cat_values[pos]), default=None)
        advice = (f"; column {names[in_idx[widest]]!r} alone makes {len(cat_values[widest]):,} inputs - mark it "
                  "as ignored" if widest is not None else " - use fewer columns or rows")
        raise DataError(f"{name}: {len(values):,} rows x {width:,} inputs would need {need / 2**30:.1f} GB "
                        f"(limit {MAX_INPUT_BYTES / 2**30:.0f} GB){advice}")


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


def _slow(text: str, line_offset: int, delim: str, has_header: bool, ncols: int, names: list[str],
          in_idx: list[int], t_idx: int, numeric: list[bool], name: str, on_bad: str, skipped: list[str]):
    reader = _reader(text, delim)
    rows: list[list[Any]] = []
    first = True
    used = in_idx + [t_idx]
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(f"{name}, line {reader.line_num + line_offset}: cannot be read as CSV ({exc})") from None
        if not row:
            continue
        if first and has_header:
            first = False
            continue
        first = False
        line = reader.line_num + line_offset
        problem = None
        if len(row) != ncols:
            problem = f"line {line} has {len(row)} values but the {'header has' if has_header else 'file has'} {ncols}"
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
            if on_bad == "error":
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


def _inputs(values: np.ndarray, in_idx: list[int], names: list[str], cat_values: dict[int, list[str]],
            name: str) -> tuple[np.ndarray, list[str]]:
    """Numeric columns as they are, category columns one-hot (one input per category)."""
    if not cat_values:
        return np.asarray(values, dtype=np.float64), [names[j] for j in in_idx]
    width = len(in_idx) - len(cat_values) + sum(len(c) for c in cat_values.values())
    X = np.zeros((len(values), width), dtype=np.float32)  # float32 from the start: half the memory
    out_names: list[str] = []
    col = 0
    for pos, j in enumerate(in_idx):
        if pos in cat_values:
            index = {c: i for i, c in enumerate(cat_values[pos])}
            codes = np.fromiter((index[str(v)] for v in values[:, pos]), dtype=np.int64, count=len(values))
            X[np.arange(len(values)), col + codes] = 1.0
            out_names += [f"{names[j]}={c}" for c in cat_values[pos]]
            col += len(cat_values[pos])
        else:
            v = values[:, pos].astype(np.float64)
            _refuse_huge(v.reshape(-1, 1), [names[j]], name)  # before the cast to float32 turns it into inf
            X[:, col] = v
            out_names.append(names[j])
            col += 1
    return X, out_names
