"""The weights-over-time image: each snapshot's histogram re-binned onto the common edges."""
from __future__ import annotations

from collections import deque

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nnstudio.ui.plots.layers import BINS, HistogramsDock


def per_column(hists: deque) -> np.ndarray:
    """The plain way: one np.histogram a snapshot."""
    lo = min(float(e[0]) for _, e in hists)
    hi = max(float(e[-1]) for _, e in hists)
    hi = hi if hi > lo else lo + 1e-6
    edges = np.linspace(lo, hi, BINS + 1)
    img = np.zeros((BINS, len(hists)))
    for t, (counts, e) in enumerate(hists):
        img[:, t] = np.histogram((e[:-1] + e[1:]) / 2, bins=edges, weights=counts)[0]
    return np.log1p(img)


@st.composite
def histories(draw):
    entries = deque()
    for _ in range(draw(st.integers(1, 12))):
        bins = draw(st.integers(1, 50))
        lo = draw(st.floats(-5, 5))
        width = draw(st.sampled_from([0.0, 1e-9, 0.01, 1.0, 7.0]))
        counts = np.asarray(draw(st.lists(st.integers(0, 1000), min_size=bins, max_size=bins)), dtype=float)
        entries.append((counts, np.linspace(lo, lo + width, bins + 1)))
    return entries


@settings(max_examples=200, deadline=None)
@given(histories())
def test_the_image_is_each_snapshots_histogram_on_common_bins(hists):
    img, lo, hi = HistogramsDock._image(hists)
    np.testing.assert_allclose(img, per_column(hists), rtol=1e-12, atol=1e-12)
    assert img.shape == (BINS, len(hists))
    # nothing lost: every column holds its snapshot's count
    np.testing.assert_allclose(np.expm1(img).sum(axis=0), [c.sum() for c, _ in hists], rtol=1e-9)
