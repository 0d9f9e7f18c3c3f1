"""Min/max decimation of the loss curves: every column's extremes kept, at most ~two points a column."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nnstudio.ui.plots.decimate import minmax_decimate

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def curves(draw):
    n = draw(st.integers(min_value=1, max_value=400))
    y = np.asarray(draw(st.lists(finite, min_size=n, max_size=n)), dtype=float)
    steps = np.asarray(draw(st.lists(st.floats(0.0, 10.0), min_size=n, max_size=n)), dtype=float)
    x = np.cumsum(steps)  # ascending, repeats allowed (steps of 0)
    return x, y, draw(st.integers(min_value=1, max_value=120))


@settings(max_examples=300, deadline=None)
@given(curves())
def test_each_column_keeps_its_min_and_max_and_the_ends(curve):
    x, y, columns = curve
    xd, yd = minmax_decimate(x, y, float(x[0]), float(x[-1]), columns)
    # a subsequence of the curve, in order, with its first and last point
    assert xd[0] == x[0] and yd[0] == y[0] and xd[-1] == x[-1] and yd[-1] == y[-1]
    assert np.all(np.diff(xd) >= 0)
    pairs = set(zip(x.tolist(), y.tolist()))
    assert all(p in pairs for p in zip(xd.tolist(), yd.tolist()))
    if len(x) <= 2 * columns or x[-1] == x[0]:
        np.testing.assert_array_equal(xd, x)
        np.testing.assert_array_equal(yd, y)
        return
    # every column that holds points keeps its lowest and highest value, and no more than those two
    # (plus the curve's ends)
    col = np.floor((x - x[0]) / (x[-1] - x[0]) * columns).astype(int)
    cold = np.floor((xd - x[0]) / (x[-1] - x[0]) * columns).astype(int)
    for c in np.unique(col):
        kept = yd[cold == c]
        assert kept.min() == y[col == c].min() and kept.max() == y[col == c].max()
    assert len(xd) <= 2 * len(np.unique(col)) + 2
    assert yd.min() == y.min() and yd.max() == y.max()  # the auto range is the history's


def test_a_spike_of_one_epoch_in_ten_thousand_survives():
    x = np.arange(1.0, 10_001.0)
    y = np.exp(-x / 2000)
    y[6543] = 5.0
    xd, yd = minmax_decimate(x, y, 1.0, 10_000.0, 400)
    assert len(xd) <= 802
    assert 5.0 in yd and xd[list(yd).index(5.0)] == 6544.0


def test_points_outside_a_zoomed_span_get_columns_of_the_same_width():
    x = np.arange(0.0, 1000.0)
    y = np.sin(x)
    xd, _ = minmax_decimate(x, y, 100.0, 200.0, 100)  # one epoch a column: nothing to drop
    np.testing.assert_array_equal(xd, x)
    xd, _ = minmax_decimate(x, y, 100.0, 200.0, 25)  # four epochs a column: two kept of each four
    assert len(xd) <= 2 * 250 + 2


def test_clipping_to_the_view_keeps_one_point_beyond_each_edge():
    from nnstudio.ui.plots.decimate import clip_to_span

    x = np.arange(10.0)
    xc, yc = clip_to_span(x, x * 2, 3.5, 6.0)
    np.testing.assert_array_equal(xc, [3, 4, 5, 6, 7])
    np.testing.assert_array_equal(yc, [6, 8, 10, 12, 14])
    assert len(clip_to_span(x, x, -5.0, 100.0)[0]) == 10


@given(st.floats(min_value=1e-6, max_value=1e9))
def test_nice_ceiling_is_a_round_number_at_most_a_quarter_ahead(value):
    from nnstudio.ui.plots.decimate import NICE_STEPS, nice_ceiling

    top = nice_ceiling(value)
    assert value <= top * (1 + 1e-9) and top <= 1.25 * value * (1 + 1e-9)
    mantissa = top / 10.0 ** np.floor(np.log10(top) + 1e-12)
    assert any(np.isclose(mantissa, step) for step in NICE_STEPS)
