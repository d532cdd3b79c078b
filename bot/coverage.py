"""Which key points an answer covered: stemmed, typo-tolerant matching of each key point's terms."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from bot.answer_words import WORD, Token, compound, tokens
from bot.name_lists import FILLER_MIN_PHRASES, NAME_DROP_SHARE, filler_phrases, split_listed
from bot.questions import KeyPoint, Question

# Short tokens must match exactly: "ci" fuzzily matching "cd" would be a false positive. Longer ones allow
# one edit (a typo or a swapped pair of letters), and very long ones two.
_FUZZY_MIN_LEN = 5
_TWO_EDITS_MIN_LEN = 9
# A multi-word term may be split by a few words ("version the data" still covers "data versioning").
_WINDOW_SLACK = 3


def term_can_match(term: str) -> bool:
    return bool(tokens(term))


@dataclass(frozen=True)
class Answer:
    """An answer prepared for matching: its tokens, which of them sit in a bare list of names, and the
    words the caller knows to be real (so they are never read as typos of something else)."""

    tokens: tuple[Token, ...]
    listed: frozenset[int]
    known_words: frozenset[str]
    usable: tuple[int, ...] = ()  # positions not in a list, where a match may start
    filler: int = 0  # how many different stock filler phrases the answer uses
    # For a quick "cannot match" before the window scan: stems of usable words, stems of usable adjacent
    # pairs written as one word, usable words that may be typos, and which term words were found.
    stems: frozenset[str] = frozenset()
    compounds: frozenset[str] = frozenset()
    maybe_typos: tuple[Token, ...] = ()
    _found: dict[Token, bool] = field(default_factory=dict, compare=False, repr=False)

    @property
    def listed_share(self) -> float:
        return len(self.listed) / len(self.tokens) if self.tokens else 0.0

    @property
    def name_dropping(self) -> bool:
        return self.listed_share >= NAME_DROP_SHARE or self.filler >= FILLER_MIN_PHRASES

    @classmethod
    def parse(cls, text: str, known_words: frozenset[str] = frozenset()) -> Answer:
        toks, listed = split_listed(text)
        usable = tuple(i for i in range(len(toks)) if i not in listed)
        filler = filler_phrases(text)
        pairs = (i for i in usable if i + 1 < len(toks) and i + 1 not in listed)
        return cls(
            tuple(toks),
            frozenset(listed),
            known_words,
            usable,
            filler,
            stems=frozenset(toks[i][0] for i in usable),
            compounds=frozenset(compound(toks[i], toks[i + 1]) for i in pairs),
            maybe_typos=tuple(toks[i] for i in usable if toks[i][1] not in known_words),
        )

    def has(self, term_token: Token) -> bool:
        """Whether some usable word of the answer matches this term word (a necessary condition)."""
        found = self._found.get(term_token)
        if found is None:
            found = term_token[0] in self.stems or any(
                _close(term_token[1], actual[1]) or _close(term_token[0], actual[0])
                for actual in self.maybe_typos
            )
            self._found[term_token] = found
        return found


def _close(expected: str, actual: str) -> bool:
    shortest = min(len(expected), len(actual))
    if shortest < _FUZZY_MIN_LEN:
        return False
    allowed = 2 if shortest >= _TWO_EDITS_MIN_LEN else 1
    return OSA.distance(expected, actual, score_cutoff=allowed) <= allowed


def _token_matches(expected: Token, actual: Token, known_words: frozenset[str]) -> bool:
    if expected[0] == actual[0]:
        return True
    # A real word is what the writer meant ("modules" is not a typo of "model"); only unknown words are
    # judged as typos, on the words as written, since a misspelt word often stems differently.
    if actual[1] in known_words:
        return False
    return _close(expected[1], actual[1]) or _close(expected[0], actual[0])


def term_in(term_tokens: Sequence[Token], answer: Answer) -> bool:
    """Whether the answer states the term: its words close together in any order, none of them only an
    item of a bare list. A compound matches its two-word spelling both ways ("rollback", "rolled back")."""
    if not term_tokens:
        return False
    toks, known, listed, usable = answer.tokens, answer.known_words, answer.listed, answer.usable
    if len(term_tokens) == 1 and term_tokens[0][0] in answer.compounds:
        return True
    if len(term_tokens) == 2 and compound(*term_tokens) in answer.stems:
        return True
    if not all(answer.has(t) for t in term_tokens):
        return False
    window = len(term_tokens) + _WINDOW_SLACK
    for i in usable:
        span = [toks[j] for j in range(i, min(i + window, len(toks))) if j not in listed]
        if all(any(_token_matches(t, a, known) for a in span) for t in term_tokens):
            return True
    return False


@dataclass(frozen=True)
class Coverage:
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    name_dropping: bool = False  # mostly names or buzzwords: nothing covered, and the feedback says why

    @property
    def score(self) -> float:
        total = len(self.covered) + len(self.missed)
        return len(self.covered) / total if total else 0.0


def vocabulary(questions: Iterable[Question]) -> frozenset[str]:
    """Every word the question bank uses: words an answer shares with it are read as written, not as typos."""
    words: set[str] = set()
    for q in questions:
        texts = [q.question, q.model_answer, q.what_it_tests, *q.pitfalls, *q.follow_ups]
        texts += [text for point in q.key_points for text in (point.label, *point.terms)]
        for text in texts:
            words.update(WORD.findall(text.lower()))
    return frozenset(words)


def assess(
    answer: str, key_points: Sequence[KeyPoint], known_words: frozenset[str] = frozenset()
) -> Coverage:
    """Which key points the answer covers. `known_words` (the question bank's vocabulary) are taken as
    written, never as typos of a term. An answer that is mostly bare lists of names, or buzzword prose,
    covers none."""
    parsed = Answer.parse(answer, known_words)
    if parsed.name_dropping:
        return Coverage((), tuple(point.label for point in key_points), name_dropping=True)
    covered: list[str] = []
    missed: list[str] = []
    for point in key_points:
        hit = any(term_in(tokens(term), parsed) for term in point.terms)
        (covered if hit else missed).append(point.label)
    return Coverage(tuple(covered), tuple(missed))


# Where one statement of an answer ends: evidence quoted for a key point is the statement that made it.
_STATEMENT_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def statements(answer: str) -> list[str]:
    return [s.strip() for s in _STATEMENT_END.split(answer) if s.strip()]


@dataclass(frozen=True)
class Evidence:
    """Which key points an answer covers, each with the statement of the answer that shows it."""

    evidence: dict[str, str]
    name_dropping: bool = False


def assess_with_evidence(
    answer: str, key_points: Sequence[KeyPoint], known_words: frozenset[str] = frozenset()
) -> Evidence:
    coverage = assess(answer, key_points, known_words)
    if not coverage.covered:
        return Evidence({}, coverage.name_dropping)
    parts = [(text, Answer.parse(text, known_words)) for text in statements(answer)]
    evidence: dict[str, str] = {}
    for point in key_points:
        if point.label not in coverage.covered:
            continue
        terms = [tokens(term) for term in point.terms]
        quote = next((text for text, parsed in parts if any(term_in(t, parsed) for t in terms)), "")
        # A term spread over two statements still counts; its evidence is then the answer's start.
        evidence[point.label] = quote or answer.strip()[:200]
    return Evidence(evidence)
