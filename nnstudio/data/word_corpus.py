"""A tiny generated corpus where royalty, gender and age are separate factors (lesson 9's embeddings).

Sentences come from a small grammar: a person word (``king``, ``girl``, ...) followed by words that
depend on one factor of that person each - a pronoun on gender (``he``/``she``), a place or a
thing on royalty (``palace``/``market``), an activity on age (``works``/``plays``) - plus filler
words every sentence may use. A skip-gram model (the person word predicts each of the other words
of its sentence) has to place the person words so that each factor is one direction in the
embedding space; then ``king - man + woman`` lands next to ``queen``.
"""
from __future__ import annotations

import numpy as np

from nnstudio.data.dataset import Dataset, check_split, make_dataset
from nnstudio.errors import DataError

# word -> (royal, female, child)
PEOPLE: dict[str, tuple[int, int, int]] = {
    "king": (1, 0, 0), "queen": (1, 1, 0), "prince": (1, 0, 1), "princess": (1, 1, 1),
    "man": (0, 0, 0), "woman": (0, 1, 0), "boy": (0, 0, 1), "girl": (0, 1, 1),
}
# per factor: the words that go with value 0 and with value 1
FACTOR_WORDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("market", "village", "farm", "cottage"), ("palace", "crown", "throne", "castle")),  # royal
    (("he", "his", "him"), ("she", "her", "hers")),  # female
    (("works", "drives", "cooks"), ("plays", "learns", "sleeps")),  # child
)
FILLER = ("the", "a", "and", "in", "with", "today")
#: the most sentences the data source generates (five pairs each)
MAX_SENTENCES = 100_000


def vocabulary() -> list[str]:
    """Every word, the person words first (their ids are 0..7)."""
    words = list(PEOPLE)
    for pair in FACTOR_WORDS:
        for group in pair:
            words += [w for w in group if w not in words]
    return words + [w for w in FILLER if w not in words]


def sentences(n: int, seed: int = 0) -> list[list[str]]:
    """``n`` sentences such as ``['queen', 'the', 'she', 'palace', 'learns']``, words after the
    first shuffled (word order carries nothing here)."""
    rng = np.random.default_rng(seed)
    people = list(PEOPLE)
    out = []
    for _ in range(n):
        person = people[rng.integers(len(people))]
        words = [group[rng.integers(len(group))] for group in
                 (pair[value] for pair, value in zip(FACTOR_WORDS, PEOPLE[person]))]
        words += [FILLER[i] for i in rng.choice(len(FILLER), size=2, replace=False)]
        rng.shuffle(words)
        out.append([person] + words)
    return out


def skipgram_pairs(corpus: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(person word id, context word id) for every other word of every sentence: X (N, 1), y (N,)."""
    ids = {w: i for i, w in enumerate(vocabulary())}
    xs, ys = [], []
    for sentence in corpus:
        for word in sentence[1:]:
            xs.append(ids[sentence[0]])
            ys.append(ids[word])
    return np.asarray(xs, dtype=np.float32).reshape(-1, 1), np.asarray(ys, dtype=np.int64)


def nearest(vectors: np.ndarray, query: np.ndarray, exclude: set[int]) -> list[tuple[int, float]]:
    """Row ids of ``vectors`` by cosine similarity to ``query``, most similar first, without ``exclude``."""
    v = np.asarray(vectors, dtype=np.float64)
    q = np.asarray(query, dtype=np.float64)
    cos = v @ q / (np.linalg.norm(v, axis=1) * np.linalg.norm(q) + 1e-12)
    order = [int(i) for i in np.argsort(-cos) if int(i) not in exclude]
    return [(i, float(cos[i])) for i in order]


def analogy(vectors: np.ndarray, a: str, b: str, c: str,
            names: list[str] | None = None) -> list[tuple[str, float]]:
    """Words ranked by cosine to ``vec(a) - vec(b) + vec(c)`` without a, b, c; ``names`` are the words of
    the rows of ``vectors`` (default: the person words, the rows of lesson 9's Embedding)."""
    words = list(PEOPLE) if names is None else list(names)
    ids = {w: i for i, w in enumerate(words)}
    v = np.asarray(vectors)[: len(words)]
    query = v[ids[a]] - v[ids[b]] + v[ids[c]]
    return [(words[i], cos) for i, cos in nearest(v, query, {ids[a], ids[b], ids[c]})]


def words(n: int = 400, seed: int = 0, val_ratio: float = 0.2) -> Dataset:
    """``n`` generated sentences as skip-gram pairs (five per sentence): X = the person word's id (N, 1),
    y = the id of a word of its sentence; the class names are the vocabulary, the person words first.

    ``seed`` chooses the corpus and the training/validation split, like the other generated sources."""
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= int(n) <= MAX_SENTENCES:
        raise DataError(f"the corpus needs a whole number of sentences from 1 to {MAX_SENTENCES:,}; got {n!r}")
    val_ratio, seed = check_split(val_ratio, seed)
    X, y = skipgram_pairs(sentences(int(n), seed))
    spec = {"source": "words", "n": int(n), "seed": seed, "val_ratio": val_ratio}
    return make_dataset(X, y, "classification", vocabulary(), spec, val_ratio, seed, token_names=list(PEOPLE))
