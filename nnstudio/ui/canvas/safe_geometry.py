"""Geometry handed to Qt is always finite.

The graph model refuses NaN/inf positions in its edits, but a position can still come from
elsewhere (an old file, a script writing ``node.pos``); Qt given a NaN position crashes while
painting. Items take their position through :func:`canvas_pos`.
"""
from __future__ import annotations

import math
from typing import Any

from nnstudio.graph.edits import MAX_COORDINATE


def canvas_pos(pos: Any) -> tuple[float, float]:
    """``pos`` as two finite floats within the canvas: NaN becomes 0, infinities the canvas edge."""
    out = []
    for v in tuple(pos)[:2]:
        try:
            v = float(v)
        except (TypeError, ValueError, OverflowError):
            v = 0.0
        if math.isnan(v):
            v = 0.0
        out.append(max(-MAX_COORDINATE, min(MAX_COORDINATE, v)))
    while len(out) < 2:
        out.append(0.0)
    return out[0], out[1]


def is_canvas_pos(pos: Any) -> bool:
    """Whether ``pos`` is already what :func:`canvas_pos` would return."""
    try:
        return canvas_pos(pos) == (float(pos[0]), float(pos[1]))
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
