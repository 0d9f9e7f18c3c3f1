"""Lesson 3: the digits CNN's first-layer filters turn from random speckle into smooth, oriented
stroke detectors.

Two measures, each a mean over the first convolution's filters (each filter's mean removed):
- smoothness: the correlation of horizontally and vertically neighbouring taps (0 for independent
  random taps, 1 for a constant gradient; a stroke's bright band next to a dark one is in between);
- orientation (stroke-likeness): the coherence of the filter's structure tensor,
  sqrt((Jxx - Jyy)^2 + 4 Jxy^2) / (Jxx + Jyy) from its spatial differences: 1 when all the
  filter's change runs along one direction (a bar or an edge), near 0 when it has no direction.
"""
from __future__ import annotations

import numpy as np

from nnstudio.lessons import get_lesson
from nnstudio.lessons.graph_recipes import in_order
from nnstudio.training import trainer_for_project

from tests.lessons.lesson_helpers import example_of, trained

LESSON = get_lesson("hierarchy")


def _centred(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=np.float64)
    w = w.reshape(-1, w.shape[-2], w.shape[-1])  # (out * in, kh, kw)
    return w - w.mean(axis=(1, 2), keepdims=True)


def neighbour_correlation(w: np.ndarray) -> float:
    w = _centred(w)
    w = w / np.sqrt((w ** 2).mean(axis=(1, 2), keepdims=True))
    horizontal = (w[:, :, 1:] * w[:, :, :-1]).mean(axis=(1, 2))
    vertical = (w[:, 1:, :] * w[:, :-1, :]).mean(axis=(1, 2))
    return float(np.mean((horizontal + vertical) / 2))


def orientation_coherence(w: np.ndarray) -> float:
    w = _centred(w)
    gx = np.diff(w, axis=2)
    gy = np.diff(w, axis=1)
    gx = (gx[:, 1:, :] + gx[:, :-1, :]) / 2  # both on the grid between the taps
    gy = (gy[:, :, 1:] + gy[:, :, :-1]) / 2
    jxx, jyy, jxy = (gx * gx).sum((1, 2)), (gy * gy).sum((1, 2)), (gx * gy).sum((1, 2))
    return float(np.mean(np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (jxx + jyy)))


def test_measures_tell_strokes_from_speckle():
    rng = np.random.default_rng(0)
    speckle = rng.normal(size=(64, 1, 5, 5))
    yy, xx = np.mgrid[-2:3, -2:3]
    angles = rng.uniform(0, np.pi, 64)
    bars = np.stack([np.exp(-((np.cos(a) * xx + np.sin(a) * yy) ** 2)) for a in angles])[:, None]
    assert abs(neighbour_correlation(speckle)) < 0.1 and neighbour_correlation(bars) > 0.4
    assert orientation_coherence(speckle) < 0.35 and orientation_coherence(bars) > 0.9


def test_first_layer_filters_become_smooth_oriented_stroke_detectors():
    project = example_of(LESSON)
    first = in_order(project.graph, "Conv2D")[0]
    assert project.graph.nodes[first].params["kernel_size"] == 5
    init = trainer_for_project(project, threads=1).plan.params[first]["weight"].copy()
    t = trained(project)
    assert t.history.val_accuracy[-1] > 0.93  # it does read digits
    w = t.plan.params[first]["weight"]
    smooth0, smooth1 = neighbour_correlation(init), neighbour_correlation(w)
    coherent0, coherent1 = orientation_coherence(init), orientation_coherence(w)
    # seeds 0-2: smoothness -0.09..0.03 -> 0.37..0.39; coherence 0.19..0.30 -> 0.41..0.55
    assert smooth0 < 0.1 and smooth1 > 0.25 and smooth1 > smooth0 + 0.2, (smooth0, smooth1)
    assert coherent1 > 0.35 and coherent1 > 1.3 * coherent0, (coherent0, coherent1)
