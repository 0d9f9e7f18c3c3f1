"""Generated sequence tasks, the grammar text and CSV time-series windows."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnstudio.data import grammar, load_from_spec, sequence
from nnstudio.data.csv_windows import chronological_split, load_csv_windows, windows
from nnstudio.data.sequences import DEFAULT_LENGTH, TASKS
from nnstudio.errors import DataError

SHAPES = {  # task: (input shape, target shape per sample, target dtype, kind)
    "sine": ((20, 1), (1,), np.float32, "regression"),
    "sum": ((30, 1), (1,), np.float32, "regression"),
    "adding": ((50, 2), (1,), np.float32, "regression"),
    "parity": ((8, 1), (), np.int64, "classification"),
    "copy": ((10,), (10,), np.int64, "classification"),
    "reverse": ((10,), (10,), np.int64, "classification"),
    "text": ((32,), (), np.int64, "classification"),
}


def both(ds):
    return np.concatenate([ds.X_train, ds.X_val]), np.concatenate([ds.y_train, ds.y_val])


@pytest.mark.parametrize("task", TASKS)
def test_shapes_dtypes_and_split(task):
    ds = sequence(task, n=200, seed=3)
    x_shape, y_shape, y_dtype, kind = SHAPES[task]
    n_train = len(ds.X_train)  # stratified per class for one class per sample: about 160
    assert ds.input_shape == x_shape and ds.X_train.shape == (n_train, *x_shape)
    assert ds.X_val.shape == (200 - n_train, *x_shape) and abs(n_train - 160) <= len(ds.class_names) // 2 + 1
    assert ds.X_train.dtype == np.float32 and ds.X_train.flags.c_contiguous
    assert ds.y_train.shape == (n_train, *y_shape) and ds.y_train.dtype == y_dtype
    assert ds.task == kind and ds.spec["source"] == "sequence" and ds.spec["task"] == task
    assert np.isfinite(ds.X_train).all()


@pytest.mark.parametrize("task", TASKS)
def test_seeded_and_rebuilt_from_its_spec(task):
    a, b, c = sequence(task, n=60, seed=5), sequence(task, n=60, seed=5), sequence(task, n=60, seed=6)
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.X_train, c.X_train)
    again = load_from_spec(a.spec)
    assert np.array_equal(again.X_train, a.X_train) and np.array_equal(again.y_train, a.y_train)
    assert again.spec == a.spec


def test_lengths_default_per_task_and_can_be_chosen():
    assert DEFAULT_LENGTH["adding"] == 50
    assert sequence("adding", n=10, length=12).input_shape == (12, 2)
    assert sequence("copy", n=10, length=7, vocab=3).y_train.shape[1] == 7


def test_adding_target_is_the_sum_of_the_two_marked_values():
    X, y = both(sequence("adding", n=300, seed=2))
    markers = X[:, :, 1]
    assert set(np.unique(markers)) == {0.0, 1.0} and (markers.sum(axis=1) == 2).all()
    first, second = (np.argsort(-markers, axis=1, kind="stable")[:, :2]).T
    # one marker in each half of the sequence, as in Hochreiter & Schmidhuber
    assert (np.minimum(first, second) < 25).all() and (np.maximum(first, second) >= 25).all()
    expected = (X[:, :, 0] * markers).sum(axis=1)
    np.testing.assert_allclose(y[:, 0], expected, rtol=1e-6)
    assert 0 <= X[:, :, 0].min() and X[:, :, 0].max() <= 1
    # predicting the mean gives about 1/6: the baseline the recurrent example must beat
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.03


def test_adding_noise_disturbs_values_not_markers_or_targets():
    clean, noisy = sequence("adding", n=50, seed=1), sequence("adding", n=50, seed=1, noise=0.1)
    assert np.array_equal(clean.X_train[:, :, 1], noisy.X_train[:, :, 1])
    assert np.array_equal(clean.y_train, noisy.y_train)
    assert 0.05 < np.std(noisy.X_train[:, :, 0] - clean.X_train[:, :, 0]) < 0.15


def test_parity_label_is_the_parity_of_the_bits():
    X, y = both(sequence("parity", n=400, length=9, seed=4))
    bits = X[:, :, 0]
    assert set(np.unique(bits)) == {0.0, 1.0}
    assert np.array_equal(y, bits.sum(axis=1).astype(np.int64) % 2)
    assert 0.35 < y.mean() < 0.65


@pytest.mark.parametrize("task", ["copy", "reverse"])
def test_copy_and_reverse_targets(task):
    ds = sequence(task, n=100, length=6, vocab=5, seed=2)
    X, y = both(ds)
    tokens = X.astype(np.int64)
    assert np.array_equal(tokens, X) and tokens.min() >= 0 and tokens.max() == 4
    assert np.array_equal(y, tokens if task == "copy" else tokens[:, ::-1])
    assert ds.class_names == [f"token {i}" for i in range(5)] and ds.per_position
    assert "at each of 6 positions" in ds.describe()


def test_symbol_noise_replaces_inputs_but_keeps_targets():
    clean, noisy = sequence("copy", n=400, seed=1), sequence("copy", n=400, seed=1, noise=0.5)
    assert np.array_equal(clean.y_train, noisy.y_train)
    changed = np.mean(clean.X_train != noisy.X_train)
    assert 0.35 < changed < 0.5  # half replaced, 1/8 of those by the same token


def parses(words: list[str], symbol: str = grammar.START) -> bool:
    """A recogniser for the grammar written independently of the generator: can ``symbol`` derive ``words``?"""
    def derive(sym: str, pos: int) -> set[int]:
        if sym not in grammar.GRAMMAR:
            return {pos + 1} if pos < len(words) and words[pos] == sym else set()
        ends: set[int] = set()
        for option in grammar.GRAMMAR[sym]:
            frontier = {pos}
            for part in option:
                frontier = {e for p in frontier for e in derive(part, p)}
            ends |= frontier
        return ends
    return len(words) in derive(symbol, 0)


def test_grammar_sentences_parse_under_the_grammar():
    text = grammar.corpus(3000, seed=7)
    sentences = [s.strip() for s in text.split(".") if s.strip()]
    assert len(sentences) > 50
    for s in sentences:
        assert parses(s.split(" ") + ["."]), s
    assert not parses("the cat the dog .".split())  # the recogniser can say no
    assert grammar.corpus(500, seed=7) == text[:len(grammar.corpus(500, seed=7))]


def test_text_windows_are_the_corpus_and_predict_the_next_character():
    ds = sequence("text", n=50, length=16, seed=0)
    chars = ds.class_names
    assert chars == grammar.alphabet() and " " in chars and "." in chars
    X, y = both(ds)
    for row, nxt in zip(X, y):
        piece = "".join(chars[int(i)] for i in row) + chars[int(nxt)]
        # every window is grammatical text: its inner sentences parse
        for s in piece.split(".")[1:-1]:
            assert parses(s.strip().split(" ") + ["."]), piece


def test_sine_targets_continue_the_wave():
    ds = sequence("sine", n=100, length=30, seed=0)
    X = ds.X_train[:, :, 0]
    assert np.abs(X).max() <= 1.0 + 1e-6
    # a pure sine obeys x[t+1] = 2cos(w) x[t] - x[t-1]: fit 2cos(w) from the window, extrapolate one step
    k = np.array([np.linalg.lstsq(x[1:-1, None], x[2:] + x[:-2], rcond=None)[0][0] for x in X])
    predicted = k * X[:, -1] - X[:, -2]
    np.testing.assert_allclose(predicted, ds.y_train[:, 0], atol=1e-3)


@pytest.mark.parametrize("kwargs, words", [
    ({"task": "nope"}, "unknown sequence task"), ({"task": "sine", "n": 2}, "number of sequences"),
    ({"task": "sine", "length": 1}, "length"), ({"task": "copy", "vocab": 1}, "number of tokens"),
    ({"task": "copy", "noise": 1.5}, "noise"), ({"task": "sine", "n": 10 ** 6, "length": 1000}, "MB"),
    ({"task": "sine", "seed": -1}, "seed"),
])
def test_bad_settings_are_data_errors(kwargs, words):
    with pytest.raises(DataError, match=words):
        sequence(**kwargs)


# --- CSV time series -------------------------------------------------------------------------
def write(path, rows, header="t,a,b"):
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path


def test_csv_windows_match_a_hand_made_series(tmp_path):
    rows = [(t, 10 * t, 100 + t) for t in range(10)]
    f = write(tmp_path / "s.csv", rows)
    ds = load_csv_windows(f, target="b", inputs=["t", "a"], window=3, horizon=2, standardize=False, val_ratio=0.0)
    # window i holds rows i..i+2, its target is b at row i+3+2-1 = i+4
    assert ds.X_train.shape == (6, 3, 2) and ds.y_train.shape == (6, 1)
    assert ds.X_train[0].tolist() == [[0, 0], [1, 10], [2, 20]]
    assert ds.X_train[5].tolist() == [[5, 50], [6, 60], [7, 70]]
    assert ds.y_train[:, 0].tolist() == [104, 105, 106, 107, 108, 109]
    again = load_from_spec(ds.spec, tmp_path)
    assert np.array_equal(again.X_train, ds.X_train) and not again.warnings


def test_csv_windows_split_in_time_with_a_gap(tmp_path):
    f = write(tmp_path / "s.csv", [(t, t, t) for t in range(40)])
    ds = load_csv_windows(f, target="a", inputs=["a"], window=4, horizon=1, standardize=False, val_ratio=0.25)
    last_train_target = ds.y_train[-1, 0]
    assert ds.X_val[:, :, 0].min() > last_train_target  # nothing the network trained on comes back
    assert ds.y_val[-1, 0] == 39 and len(ds.X_val) == 9  # 36 windows, a quarter for validation
    assert ds.task == "regression" and ds.spec["source"] == "csv_windows"


def test_csv_windows_standardize_with_the_training_rows(tmp_path):
    f = write(tmp_path / "s.csv", [(t, t * t, 1) for t in range(30)])
    ds = load_csv_windows(f, target="a", inputs=["a", "b"], window=5, val_ratio=0.2)
    mean, std = np.array(ds.scaler["mean"]), np.array(ds.scaler["std"])
    assert std[1] == 1.0 and mean[1] == 1.0  # a constant column is only centred
    first_window = ds.X_train[0, :, 0] * std[0] + mean[0]
    np.testing.assert_allclose(first_window, [0, 1, 4, 9, 16], atol=1e-4)


def test_csv_windows_bad_rows_name_the_line_and_column(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("t,a\n1,2\n2,oops\n3,4\n")
    with pytest.raises(DataError, match=r"bad.csv, line 3, column 'a': 'oops' is not a number"):
        load_csv_windows(f, window=1)
    rows = "\n".join(f"{t},{t}" for t in range(20))
    f.write_text(f"t,a\n{rows}\n5,\n")
    ds = load_csv_windows(f, window=2, bad_rows="drop", val_ratio=0)
    assert len(ds.X_train) == 18 and ds.skipped and "dropped 1" in ds.warnings[0]


@pytest.mark.parametrize("kwargs, words", [
    ({"window": 9}, "shorter window"), ({"window": 0}, "window length"), ({"horizon": 1.5}, "horizon"),
    ({"target": "zz"}, "no column named 'zz'"), ({"window": 3, "val_ratio": 0.5}, "too few"),
])
def test_csv_windows_refuse_bad_settings(tmp_path, kwargs, words):
    f = write(tmp_path / "s.csv", [(t, t, t) for t in range(8)])
    with pytest.raises(DataError, match=words):
        load_csv_windows(f, **kwargs)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 4), st.integers(1, 8), st.integers(1, 5))
def test_windows_agree_with_a_plain_loop(T, C, window, horizon):
    rng = np.random.default_rng(T * 100 + C)
    series, target = rng.normal(size=(T, C)), rng.normal(size=T)
    X, y = windows(series, target, window, horizon)
    expected = [(series[i:i + window], target[i + window + horizon - 1]) for i in range(T)
                if i + window + horizon - 1 < T]
    assert len(X) == len(y) == len(expected) and X.shape[1:] == (window, C) and y.shape[1:] == (1,)
    for (xe, ye), xa, ya in zip(expected, X, y):
        assert np.array_equal(xe, xa) and ye == ya[0]


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 500), st.floats(0, 0.9), st.integers(0, 20))
def test_chronological_split_keeps_the_gap(count, ratio, gap):
    try:
        tr, va = chronological_split(count, ratio, gap)
    except DataError:
        assert count - int(round(count * ratio)) - gap < 1
        return
    assert len(va) == int(round(count * ratio)) and len(tr) >= 1
    if len(va):
        assert va[-1] == count - 1 and va[0] - tr[-1] == gap + 1
