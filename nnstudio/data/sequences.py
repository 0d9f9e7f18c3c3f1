"""Generated sequence tasks for recurrent and attention networks; seeded like the toy problems.

Inputs are batch-first, one sample per row: ``(N, length, features)`` for real-valued steps and
``(N, length)`` token ids (float32, for an Embedding) for symbol tasks.

======== ================================= ================================== ==================
task     X                                 y                                  kind
======== ================================= ================================== ==================
sine     (N, L, 1) a noisy sine window     (N, 1) its next (clean) value      regression
sum      (N, L, 1) a sum of three sines    (N, 1) its next (clean) value      regression
adding   (N, L, 2) values, 0/1 markers     (N, 1) sum of the 2 marked values  regression
parity   (N, L, 1) bits                    (N,) 1 when the number of ones     classification
                                           is odd
copy     (N, L) token ids                  (N, L) the same tokens             per-position classes
reverse  (N, L) token ids                  (N, L) the tokens reversed         per-position classes
text     (N, L) character ids              (N,) the next character            classification
======== ================================= ================================== ==================

``sum`` is forecasting (the next value of a sum of sines), not a running sum. ``noise`` is the
standard deviation of gaussian noise on the observed values for sine, sum and adding (the target
stays the clean value, so noise sets a floor under the error), and for the symbol tasks the share
of input symbols replaced by random ones after the target was made (a ceiling on the accuracy).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from nnstudio.data import grammar
from nnstudio.data.dataset import Dataset, check_split, make_dataset
from nnstudio.errors import DataError

#: Default sequence length per task (the adding problem's classic length is 50).
DEFAULT_LENGTH = {"sine": 20, "sum": 30, "adding": 50, "parity": 8, "copy": 10, "reverse": 10, "text": 32}
TASKS = tuple(DEFAULT_LENGTH)
DESCRIPTIONS = {
    "sine": "forecast the next value of a noisy sine wave",
    "sum": "forecast the next value of a sum of three sines",
    "adding": "add the two marked numbers of a long sequence (needs memory)",
    "parity": "is the number of ones odd? (one class per sequence)",
    "copy": "repeat each token at its position (tokens for an Embedding)",
    "reverse": "output the tokens in reverse order (needs attention or memory)",
    "text": "predict the next character of sentences from a tiny grammar",
}
REGRESSION_TASKS = ("sine", "sum", "adding")
MIN_LENGTH, MAX_LENGTH = 2, 1000
MAX_SEQUENCES = 1_000_000
#: Most numbers the generated inputs may hold (float32: 200 MB).
MAX_VALUES = 50_000_000
MIN_VOCAB, MAX_VOCAB = 2, 1000


def _whole(value: Any, what: str, lo: int, hi: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= int(value) <= hi:
        raise DataError(f"the sequence task's {what} must be a whole number from {lo:,} to {hi:,}; got {value!r}")
    return int(value)


def _sines(n: int, length: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """(n, length + 1) clean signals: a sum of ``k`` sines of random frequency, phase and amplitude."""
    t = np.arange(length + 1, dtype=np.float64)
    freq = rng.uniform(0.02, 0.2, (n, k, 1))  # cycles per step: 5 to 50 steps per period
    phase = rng.uniform(0, 2 * np.pi, (n, k, 1))
    amp = np.ones((n, k, 1)) if k == 1 else rng.uniform(0.2, 1.0, (n, k, 1)) / k ** 0.5
    return (amp * np.sin(2 * np.pi * freq * t + phase)).sum(axis=1)


def _forecast(k: int) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    def make(n: int, length: int, noise: float, vocab: int, rng: np.random.Generator):
        clean = _sines(n, length, k, rng)
        x = clean[:, :length] + rng.normal(0, noise, (n, length)) if noise else clean[:, :length]
        return x[:, :, None], clean[:, length:]
    return make


def adding_problem(n: int, length: int, noise: float, vocab: int, rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Hochreiter & Schmidhuber's adding problem: one marker in each half of the sequence.

    Channel 0 holds uniform values in [0, 1], channel 1 is 1 at exactly two steps and 0 elsewhere;
    the target is the sum of the two marked values (predicting its mean 1.0 gives MSE 1/6 = 0.167).
    """
    values = rng.uniform(0, 1, (n, length))
    half = length // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, length, n)
    rows = np.arange(n)
    markers = np.zeros((n, length))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    seen = values + rng.normal(0, noise, values.shape) if noise else values
    return np.stack([seen, markers], axis=2), y[:, None]


def _corrupt(tokens: np.ndarray, noise: float, vocab: int, rng: np.random.Generator) -> np.ndarray:
    """Replace a share ``noise`` of the symbols by random ones (some land on the same symbol)."""
    if not noise:
        return tokens
    hit = rng.random(tokens.shape) < noise
    return np.where(hit, rng.integers(0, vocab, tokens.shape), tokens)


def parity(n: int, length: int, noise: float, vocab: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random bits; class 1 when the number of ones is odd."""
    bits = rng.integers(0, 2, (n, length))
    y = bits.sum(axis=1) % 2
    return _corrupt(bits, noise, 2, rng)[:, :, None].astype(np.float64), y


def copy_task(n: int, length: int, noise: float, vocab: int, rng: np.random.Generator
              ) -> tuple[np.ndarray, np.ndarray]:
    """Random tokens; the target at each position is the token there."""
    tokens = rng.integers(0, vocab, (n, length))
    return _corrupt(tokens, noise, vocab, rng).astype(np.float64), tokens.copy()


def reverse_task(n: int, length: int, noise: float, vocab: int, rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Random tokens; the target at position t is the token at position length-1-t."""
    tokens = rng.integers(0, vocab, (n, length))
    return _corrupt(tokens, noise, vocab, rng).astype(np.float64), tokens[:, ::-1].copy()


def text_windows(n: int, length: int, noise: float, vocab: int, rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Windows of grammar-generated text as character ids, each followed by the character to predict.

    The windows do not overlap (the text is cut into pieces of ``length + 1`` characters), so a
    validation window never repeats text the network trained on.
    """
    chars = grammar.alphabet()
    text = grammar.corpus(n * (length + 1), int(rng.integers(2 ** 62)))
    index = {c: i for i, c in enumerate(chars)}
    ids = np.fromiter((index[c] for c in text[: n * (length + 1)]), dtype=np.int64, count=n * (length + 1))
    pieces = ids.reshape(n, length + 1)
    return _corrupt(pieces[:, :length], noise, len(chars), rng).astype(np.float64), pieces[:, length]


GENERATORS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "sine": _forecast(1), "sum": _forecast(3), "adding": adding_problem, "parity": parity,
    "copy": copy_task, "reverse": reverse_task, "text": text_windows,
}


def class_names(task: str, vocab: int = 8) -> list[str]:
    """The classes of a classification task: parity's two, the tokens, or the grammar's characters."""
    if task == "parity":
        return ["even", "odd"]
    if task in ("copy", "reverse"):
        return [f"token {i}" for i in range(vocab)]
    if task == "text":
        return grammar.alphabet()
    return []


def sequence(task: str, n: int = 1000, length: int | None = None, noise: float = 0.0, seed: int = 0,
             val_ratio: float = 0.2, vocab: int = 8) -> Dataset:
    """A generated sequence task; the same settings and seed always give the same data.

    Parameters
    ----------
    task : str
        One of :data:`TASKS` (see the module docstring for the shapes).
    n : int
        Number of sequences (training + validation).
    length : int, optional
        Steps per sequence; ``None`` uses the task's default (:data:`DEFAULT_LENGTH`, 50 for adding).
    noise : float
        Gaussian noise on the values (sine, sum, adding) or share of symbols replaced (the others).
    vocab : int
        Number of distinct tokens for copy and reverse (ignored by the other tasks).

    >>> ds = sequence("adding", n=200, seed=1)
    >>> ds.X_train.shape[1:], ds.y_train.shape[1:]
    ((50, 2), (1,))
    """
    if not isinstance(task, str) or task not in GENERATORS:
        raise DataError(f"unknown sequence task {task!r}; choose one of {', '.join(TASKS)}")
    n = _whole(n, "number of sequences", 4, MAX_SEQUENCES)
    length = DEFAULT_LENGTH[task] if length is None else _whole(length, "length", MIN_LENGTH, MAX_LENGTH)
    vocab = _whole(vocab, "number of tokens", MIN_VOCAB, MAX_VOCAB)
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)) \
            or not 0 <= float(noise) <= (5 if task in REGRESSION_TASKS else 1):
        top = 5 if task in REGRESSION_TASKS else 1
        raise DataError(f"the {task} task's noise must be a number from 0 to {top}; got {noise!r}")
    val_ratio, seed = check_split(val_ratio, seed)
    width = 2 if task == "adding" else 1
    if n * length * width > MAX_VALUES:
        raise DataError(f"{n:,} sequences of {length:,} steps would need {n * length * width * 4 / 2**20:,.0f} MB; "
                        f"the limit is {MAX_VALUES * 4 / 2**20:,.0f} MB - use fewer or shorter sequences")
    rng = np.random.default_rng([seed, TASKS.index(task)])
    X, y = GENERATORS[task](n, length, float(noise), vocab, rng)
    kind = "regression" if task in REGRESSION_TASKS else "classification"
    spec = {"source": "sequence", "task": task, "n": n, "length": length, "noise": float(noise), "seed": seed,
            "val_ratio": val_ratio, "vocab": vocab}
    return make_dataset(X, y, kind, class_names(task, vocab), spec, val_ratio, seed)


__all__ = ["sequence", "TASKS", "DESCRIPTIONS", "DEFAULT_LENGTH", "GENERATORS", "class_names",
           "adding_problem", "parity", "copy_task", "reverse_task", "text_windows"]
