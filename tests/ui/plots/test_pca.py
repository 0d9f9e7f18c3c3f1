"""pca_2d on wide activations (a conv layer: more features than examples) and its sign convention."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nnstudio.ui.plots.classes import pca_2d


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 30), st.integers(1, 80), st.integers(0, 10_000))
def test_pca_2d_is_the_svd_projection_for_tall_and_wide_activations(n, d, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, d)) * np.linspace(3, 0.2, d)
    xy = pca_2d(a)
    assert xy.shape == (n, 2)
    centred = a - a.mean(axis=0)
    u, sv, vt = np.linalg.svd(centred, full_matrices=False)
    ref = centred @ vt[:2].T
    for k in range(min(2, len(sv))):
        gap = sv[k] ** 2 - (sv[k + 1] ** 2 if k + 1 < len(sv) else 0)
        if gap > 1e-6 * sv[0] ** 2 and d > 1:
            assert np.allclose(np.abs(xy[:, k]), np.abs(ref[:, k]), atol=1e-8)
            assert np.allclose(xy[:, k], ref[:, k], atol=1e-8) or np.allclose(xy[:, k], -ref[:, k], atol=1e-8)
    # each component's largest coordinate is positive: the same data never comes out mirrored
    for k in range(2):
        col = xy[:, k]
        if np.abs(col).max() > 1e-9:
            assert col[np.argmax(np.abs(col))] > 0


def test_the_picture_does_not_flip_when_the_examples_come_in_another_order():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(300, 512)) * np.linspace(4, 0.1, 512)
    order = rng.permutation(300)
    np.testing.assert_allclose(pca_2d(a)[order], pca_2d(a[order]), atol=1e-8)
