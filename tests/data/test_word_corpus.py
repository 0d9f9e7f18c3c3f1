"""The generated word corpus (lesson 9's embedding) as a data source: pairs that keep each person's
factors, a spec that rebuilds the same data, and settings checked like the other generated sources."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nnstudio.data import load_from_spec, sources
from nnstudio.data import word_corpus as wc
from nnstudio.errors import DataError

VOCAB = wc.vocabulary()
PEOPLE = list(wc.PEOPLE)


def factor_of(word: str) -> tuple[int, int] | None:
    """(factor index, value) a context word stands for, None for a filler word."""
    for f, pair in enumerate(wc.FACTOR_WORDS):
        for value, group in enumerate(pair):
            if word in group:
                return f, value
    assert word in wc.FILLER, word
    return None


def test_the_vocabulary_starts_with_the_people_and_has_each_word_once():
    assert VOCAB[:8] == PEOPLE and len(set(VOCAB)) == len(VOCAB)
    assert set(VOCAB) == set(PEOPLE) | {w for pair in wc.FACTOR_WORDS for g in pair for w in g} | set(wc.FILLER)


def test_the_loader_gives_person_ids_and_the_words_of_their_sentences():
    ds = wc.words(n=50, seed=3, val_ratio=0.2)
    assert ds.task == "classification" and ds.class_names == VOCAB and ds.input_shape == (1,)
    X = np.concatenate([ds.X_train, ds.X_val])[:, 0]
    y = np.concatenate([ds.y_train, ds.y_val])
    assert len(X) == 5 * 50 and len(ds.X_val) == pytest.approx(0.2 * 250, abs=len(VOCAB))
    assert set(np.unique(X)) <= set(range(len(PEOPLE)))  # only person words are inputs
    assert set(np.unique(y)) <= set(range(len(PEOPLE), len(VOCAB)))  # and never targets
    # the pairs are exactly those of the sentences the same seed generates
    expected_X, expected_y = wc.skipgram_pairs(wc.sentences(50, 3))
    got = sorted(zip(X.astype(int).tolist(), y.tolist()))
    assert got == sorted(zip(expected_X[:, 0].astype(int).tolist(), expected_y.tolist()))


def test_the_spec_rebuilds_the_same_data_through_the_registry():
    ds = load_from_spec({"source": "words", "n": 120, "seed": 7, "val_ratio": 0.25})
    again = load_from_spec(dict(ds.spec))
    assert ds.spec == {"source": "words", "n": 120, "seed": 7, "val_ratio": 0.25}
    for a, b in [(ds.X_train, again.X_train), (ds.y_train, again.y_train), (ds.X_val, again.X_val)]:
        np.testing.assert_array_equal(a, b)
    other = load_from_spec({**ds.spec, "seed": 8})  # another seed, another corpus
    assert sorted(map(tuple, wc.sentences(120, 8))) != sorted(map(tuple, wc.sentences(120, 7)))
    assert not np.array_equal(other.X_train, ds.X_train)
    src = sources.get("words")
    assert [p.key for p in src.params] == ["n"] and src.preview == "words" and not src.reads_files
    form = {p.key: p.default for p in src.form_params()}
    assert load_from_spec({"source": "words", **form}).n == 5 * form["n"]


@pytest.mark.parametrize("n", [0, -3, wc.MAX_SENTENCES + 1, 2.5, "many", True])
def test_bad_sentence_counts_are_data_errors(n):
    with pytest.raises(DataError, match="sentences"):
        load_from_spec({"source": "words", "n": n})


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 300), seed=st.integers(0, 2**31 - 1))
def test_every_sentence_keeps_its_factors(n, seed):
    corpus = wc.sentences(n, seed)
    assert len(corpus) == n
    for sentence in corpus:
        person, rest = sentence[0], sentence[1:]
        assert person in wc.PEOPLE and len(rest) == 5 and not set(rest) & set(wc.PEOPLE)
        # one word per factor, each agreeing with the person; the other two are distinct fillers
        factors = [factor_of(w) for w in rest]
        said = sorted(f for f in factors if f is not None)
        assert said == [(i, v) for i, v in enumerate(wc.PEOPLE[person])], sentence
        fillers = [w for w, f in zip(rest, factors) if f is None]
        assert len(fillers) == 2 and len(set(fillers)) == 2
    # the data set's pairs say the same: a context word never contradicts its person word
    ds = wc.words(n, seed, val_ratio=0.0 if n < 4 else 0.2)
    for x, y in zip(np.concatenate([ds.X_train, ds.X_val])[:, 0], np.concatenate([ds.y_train, ds.y_val])):
        f = factor_of(VOCAB[int(y)])
        assert f is None or wc.PEOPLE[PEOPLE[int(x)]][f[0]] == f[1]
