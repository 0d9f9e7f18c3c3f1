"""Min/max decimation of a long curve to the pixel columns it is drawn on (numpy only, no Qt).

Thousands of epochs on a few hundred pixels: each column keeps its lowest and its highest point
(in their order along the curve), so every spike still shows, and the first and the last point
stay where they are. Done here once per redraw, from the whole history, rather than by pyqtgraph
from the view range (that made the view and the curve feed each other: see curves.py).
"""
from __future__ import annotations

import numpy as np


def minmax_decimate(x: np.ndarray, y: np.ndarray, x0: float, x1: float,
                    columns: int) -> tuple[np.ndarray, np.ndarray]:
    """The points of ``(x, y)`` (``x`` ascending, ``y`` finite) worth drawing on ``columns`` columns
    spanning ``x0..x1``: per column its minimum and maximum, plus the first and the last point.

    Points outside ``x0..x1`` fall into columns of the same width beyond it. A curve with at most
    two points a column comes back unchanged.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    columns = max(1, int(columns))
    if n <= 2 * columns or not x1 > x0:
        return x, y
    column = np.floor((x - x0) / (x1 - x0) * columns).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])  # x ascending: columns are runs
    counts = np.diff(np.r_[starts, n])
    index = np.arange(n)
    lo = np.minimum.reduceat(y, starts)
    hi = np.maximum.reduceat(y, starts)
    # the first index of each run that holds its minimum (resp. maximum)
    arg_lo = np.minimum.reduceat(np.where(y == np.repeat(lo, counts), index, n), starts)
    arg_hi = np.minimum.reduceat(np.where(y == np.repeat(hi, counts), index, n), starts)
    keep = np.unique(np.concatenate([[0, n - 1], arg_lo, arg_hi]))
    return x[keep], y[keep]


def clip_to_span(x: np.ndarray, y: np.ndarray, x0: float, x1: float) -> tuple[np.ndarray, np.ndarray]:
    """The points of ``(x, y)`` (``x`` ascending) within ``x0..x1`` and the one next to it on each side,
    so that the line still runs to the edges of the view."""
    lo = max(0, int(np.searchsorted(x, x0, side="left")) - 1)
    hi = min(len(x), int(np.searchsorted(x, x1, side="right")) + 1)
    return x[lo:hi], y[lo:hi]


NICE_STEPS = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0)


def nice_ceiling(value: float) -> float:
    """The first of NICE_STEPS times a power of ten at or above ``value`` (> 0):
    an axis end that a growing curve reaches only now and then (at most 25 % beyond it)."""
    if value <= 0:
        return 1.0
    scale = 10.0 ** np.floor(np.log10(value))
    return next(step * scale for step in NICE_STEPS if step * scale >= value * (1 - 1e-12))
