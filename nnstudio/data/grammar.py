"""A tiny English-like grammar of our own, and seeded text generated from it (for character-level models).

Every sentence is ``NP VP .`` with lower-case words separated by single spaces, so the character
set stays small (letters, space, full stop). The grammar is a context-free grammar written as data:
each non-terminal (upper case) maps to its alternatives, each alternative a tuple of symbols;
anything not in :data:`GRAMMAR` is a word.
"""
from __future__ import annotations

import numpy as np

GRAMMAR: dict[str, tuple[tuple[str, ...], ...]] = {
    "S": (("NP", "VP", "."),),
    "NP": (("DET", "N"), ("DET", "ADJ", "N"), ("DET", "ADJ", "ADJ", "N")),
    "VP": (("V", "NP"), ("V", "NP", "PP"), ("IV",), ("IV", "ADV")),
    "PP": (("P", "NP"),),
    "DET": (("the",), ("a",), ("every",)),
    "ADJ": (("small",), ("big",), ("red",), ("happy",), ("old",)),
    "N": (("cat",), ("dog",), ("bird",), ("child",), ("farmer",), ("tree",)),
    "V": (("sees",), ("chases",), ("likes",), ("finds",)),
    "IV": (("sleeps",), ("runs",), ("sings",)),
    "ADV": (("quickly",), ("slowly",), ("again",)),
    "P": (("near",), ("under",), ("with",)),
}
START = "S"


def sentence(rng: np.random.Generator, symbol: str = START) -> list[str]:
    """The words (and the final ".") of one random derivation of ``symbol``."""
    if symbol not in GRAMMAR:
        return [symbol]
    options = GRAMMAR[symbol]
    words: list[str] = []
    for part in options[int(rng.integers(len(options)))]:
        words.extend(sentence(rng, part))
    return words


def render(words: list[str]) -> str:
    """``["the", "cat", "sleeps", "."]`` -> ``"the cat sleeps."`` (no space before the full stop)."""
    return " ".join(words).replace(" .", ".")


def corpus(n_chars: int, seed: int = 0) -> str:
    """At least ``n_chars`` characters of grammatical sentences separated by single spaces; seeded."""
    rng = np.random.default_rng(seed)
    parts: list[str] = []
    size = -1  # the joined text has one space fewer than its sentences
    while size < n_chars:
        s = render(sentence(rng))
        parts.append(s)
        size += len(s) + 1
    return " ".join(parts)


def alphabet() -> list[str]:
    """Every character the grammar can produce, sorted: the class names of the text task."""
    chars = {" ", "."}
    for options in GRAMMAR.values():
        for option in options:
            for sym in option:
                if sym not in GRAMMAR:
                    chars.update(sym)
    return sorted(chars)


__all__ = ["GRAMMAR", "START", "sentence", "render", "corpus", "alphabet"]
