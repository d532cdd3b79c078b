"""Which key points an answer covered: stemmed, typo-tolerant matching of each key point's terms."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz.distance import OSA

from content.schema import KeyPoint

_WORD = re.compile(r"[a-z0-9]+(?:[+#][a-z0-9+#]*)?")
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
# Short tokens must match exactly: "ci" fuzzily matching "cd" would be a false positive. Longer ones allow
# one edit (a typo or a swapped pair of letters), and very long ones two.
_FUZZY_MIN_LEN = 5
_TWO_EDITS_MIN_LEN = 9
# A multi-word term may be split by a few words ("version the data" still covers "data versioning").
_WINDOW_SLACK = 3

_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


Token = tuple[str, str]  # (stem, word as written): stems match inflections, words match typos


def tokens(text: str) -> list[Token]:
    """Lowercase, split into words, drop stopwords, stem: the form both answers and terms are compared in."""
    return [(_stem(w), w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def term_can_match(term: str) -> bool:
    return bool(tokens(term))


def _close(expected: str, actual: str) -> bool:
    shortest = min(len(expected), len(actual))
    if shortest < _FUZZY_MIN_LEN:
        return False
    allowed = 2 if shortest >= _TWO_EDITS_MIN_LEN else 1
    return OSA.distance(expected, actual, score_cutoff=allowed) <= allowed


def _token_matches(expected: Token, actual: Token) -> bool:
    # A misspelt word often does not stem like the correct one ("populaton" vs "popul"), so typos are
    # judged on the words as written.
    return expected[0] == actual[0] or _close(expected[1], actual[1]) or _close(expected[0], actual[0])


def term_in(term_tokens: Sequence[Token], answer_tokens: Sequence[Token]) -> bool:
    if not term_tokens:
        return False
    first, rest = term_tokens[0], term_tokens[1:]
    window = len(term_tokens) + _WINDOW_SLACK
    for i, tok in enumerate(answer_tokens):
        if not _token_matches(first, tok):
            continue
        span = answer_tokens[i + 1 : i + window]
        if all(any(_token_matches(t, a) for a in span) for t in rest):
            return True
    # Word order is free in speech: "drift in the data" covers "data drift".
    if len(term_tokens) > 1:
        for i in range(len(answer_tokens)):
            span = answer_tokens[i : i + window]
            if all(any(_token_matches(t, a) for a in span) for t in term_tokens):
                return True
    return False


@dataclass(frozen=True)
class Coverage:
    covered: tuple[str, ...]
    missed: tuple[str, ...]

    @property
    def score(self) -> float:
        total = len(self.covered) + len(self.missed)
        return len(self.covered) / total if total else 0.0


def assess(answer: str, key_points: Sequence[KeyPoint]) -> Coverage:
    answer_tokens = tokens(answer)
    covered, missed = [], []
    for point in key_points:
        hit = any(term_in(tokens(term), answer_tokens) for term in point.terms)
        (covered if hit else missed).append(point.label)
    return Coverage(tuple(covered), tuple(missed))
