"""Answers and terms as words: lowercased, stopwords dropped, British spellings read as American,
stemmed. Both sides of every comparison go through `tokens`."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

import snowballstemmer

WORD = re.compile(r"[a-z0-9]+(?:[+#][a-z0-9+#]*)?")
# Words that carry no evidence of knowledge; dropping them keeps "the registry" matching "registry".
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "we",
        "i",
        "you",
        "they",
        "our",
        "your",
        "their",
    ]
)
# A stemmer keeps its word in its own fields while it works: one per thread (graders run off the event loop,
# several at once).
_local = threading.local()


def _stemmer() -> Any:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


# British spellings, in the American form the stemmer reads as one word ("optimise"/"optimize" stem to
# "optimis"/"optim"). Applied to terms and answers alike, so a word it bends that has no -ize form ("noise")
# still matches itself.
_BRITISH = (
    (re.compile(r"is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=...)our(s|ed|ing|ite|able)?$"), r"or\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
    (re.compile(r"ys(e|es|ed|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"^(licen|defen|offen)ce(s)?$"), r"\1se\2"),
)


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    for pattern, american in _BRITISH:
        word = pattern.sub(american, word)
    stem: str = _stemmer().stemWord(word)
    return stem


def stem(word: str) -> str:
    """One lowercase word as `tokens` stems it (British spellings read as American)."""
    return _stem(word)


Token = tuple[str, str]  # (stem, word as written): stems match inflections, words match typos


def tokens(text: str) -> list[Token]:
    """Lowercase, split into words, drop stopwords, stem: the form both answers and terms are compared in."""
    return [(_stem(w), w) for w in WORD.findall(text.lower()) if w not in STOPWORDS]


def compound(first: Token, second: Token) -> str:
    """The stem of two words written as one: "rolled back" and "roll back" both give "rollback"."""
    return _stem(first[0] + second[1])
