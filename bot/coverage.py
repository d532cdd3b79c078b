"""Which key points an answer covered: stemmed, typo-tolerant matching of each key point's terms."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from rapidfuzz.distance import OSA

from content.schema import KeyPoint, Question

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
# An answer with this share of its words in bare lists of names is name-dropping: it shows it knows the
# words, not what to do with them, so it covers no key point. Measured on the labelled sets: name-drop
# answers 0.24-0.48, every other answer and every model answer of the bank at most 0.18.
NAME_DROP_SHARE = 0.21
# Buzzword prose names ideas without stating any ("we leveraged a holistic observability posture"): an
# answer with this many different stock phrases of corporate filler is name-dropping too. Only phrases
# that carry no MLOps meaning are listed ("embed", "robust", "culture" do).
_FILLER = re.compile(
    r"\b(?:leverag\w*|holistic\w*|synerg\w*|paradigm\w*|empower\w*|posture|best[- ]practices?|"
    r"industry[- ]standard|world[- ]class|cutting[- ]edge|state[- ]of[- ]the[- ]art|game[- ]chang\w*|"
    r"seamless\w*|realign\w*|landscape|journey|mindset|next[- ]level|future[- ]proof\w*|the usual|"
    r"mature teams?|partner(?:ed|ing)? with)\b"
)
FILLER_MIN_PHRASES = 3
# A multi-word term may be split by a few words ("version the data" still covers "data versioning").
_WINDOW_SLACK = 3

_stemmer = snowballstemmer.stemmer("english")


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
    return _stemmer.stemWord(word)


Token = tuple[str, str]  # (stem, word as written): stems match inflections, words match typos

# A run of this many comma-separated bare names is a list of names ("Git, DVC, MLflow and Docker").
_LIST_MIN_ITEMS = 3
_LIST_ITEM_MAX_WORDS = 2
_CLAUSE = re.compile(r"[.;:!?()\[\]\n]|\s[-\u2013\u2014]\s")
_LIST_JOINER = re.compile(r"\b(?:and|or|etc)\b")
# Verbs that open an instruction in answers ("compare metrics", "pin versions"); words that more often
# start a name ("log", "test", "load", "stream", "cache") are left out. Kept as text: easier to read.
_ACTION_VERBS = frozenset(
    """add alert analyse analyze automate avoid backfill block build cap check clean compare compute
    containerize debug define delete deploy detect document drop enforce ensure estimate evaluate
    export fix freeze investigate isolate keep limit lock measure migrate mirror move notify page pin
    promote prune quantize reduce refactor register reject remove replay reproduce require restrict
    retrain retry revert roll rotate route schedule send ship shift sign start stop store switch
    throttle tie trigger tune use validate verify warm watch write""".split()  # noqa: SIM905
)
_NOT_COUNTED = frozenset(["a", "an", "the", "and", "or"])  # words that do not make a name longer
# Other ways chat writes a list of names: "Kafka -> Flink -> Redis", "Airflow/MLflow/K8s", "DVC + MLflow",
# "A | B", and hashtags.
# Three or more names joined by a separator are a list whatever follows the last one; a pair ("a/b test",
# "CI/CD") is one thing.
_ITEM = r"[a-z0-9][\w.-]*(?: [a-z0-9][\w.-]*)?"
_SEPARATED = re.compile(rf"{_ITEM}(?:(?:\s*(?:->|\u2192|=>|\|)\s*|\s\+\s|/){_ITEM}){{2,}}")
_SEPARATOR = re.compile(r"\s*(?:->|\u2192|=>|\|)\s*|\s\+\s|/")
_HASHTAG = re.compile(r"(?<![\w#])#([a-z][\w-]*)")
# Line breaks, bullets (also as they survive in one line: " - ", " * ", " \u2022 ") and sentence ends.
_LINE = re.compile(r"(\n+|(?:^|\s)[-*\u2022](?=\s)|(?<=[.!?])\s+)")
_BULLETS = ("-", "*", "\u2022")
_BULLET_ITEM_MAX_WORDS = 4
_BARE_MARK = "\x00"


def tokens(text: str) -> list[Token]:
    """Lowercase, split into words, drop stopwords, stem: the form both answers and terms are compared in."""
    return [(_stem(w), w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


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
        toks: list[Token] = []
        listed: set[int] = set()
        for clause in _CLAUSE.split(_join_bare_lines(_HASHTAG.sub(r", \1,", text.lower()))):
            run: list[int] = []  # token positions of consecutive comma-separated bare names
            names = 0
            clause = _SEPARATED.sub(lambda chain: _SEPARATOR.sub(", ", chain[0]) + ",", clause)
            for part in clause.split(","):
                pieces = [tokens(piece) for piece in _LIST_JOINER.split(part)]
                part_tokens = [token for piece in pieces for token in piece]
                bare = [_is_bare_name(piece) for piece in _LIST_JOINER.split(part)]
                if all(bare):
                    run.extend(range(len(toks), len(toks) + len(part_tokens)))
                    names += sum(1 for piece in pieces if piece)
                else:
                    if names >= _LIST_MIN_ITEMS:
                        listed.update(run)
                    # The last word before a list's first comma is usually its first item ("use Git, ...");
                    # it joins the list without counting towards its length.
                    run, names = [len(toks) + len(part_tokens) - 1] if part_tokens else [], 0
                    listed.update(_and_chains(pieces, bare, len(toks)))
                toks.extend(part_tokens)
            if names >= _LIST_MIN_ITEMS:
                listed.update(run)
        usable = tuple(i for i in range(len(toks)) if i not in listed)
        filler = len({phrase.replace("-", " ") for phrase in _FILLER.findall(text.lower())})
        pairs = (i for i in usable if i + 1 < len(toks) and i + 1 not in listed)
        return cls(
            tuple(toks),
            frozenset(listed),
            known_words,
            usable,
            filler,
            stems=frozenset(toks[i][0] for i in usable),
            compounds=frozenset(_compound(toks[i], toks[i + 1]) for i in pairs),
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


def _and_chains(pieces: Sequence[Sequence[Token]], bare: Sequence[bool], start: int) -> set[int]:
    """Token positions of names chained by "and" alone ("with Datadog and Grafana and Evidently and ..."):
    two or more bare names in a row, with the last word before them and the first word after them."""
    offsets = [start]
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))
    chained: set[int] = set()
    i = 1
    while i < len(pieces):
        j = i
        while j < len(pieces) and bare[j] and pieces[j]:
            j += 1
        if j - i >= 2:
            first = offsets[i] - 1 if pieces[i - 1] else offsets[i]
            last = offsets[j] + 1 if j < len(pieces) and pieces[j] else offsets[j]
            chained.update(range(first, last))
        i = j + 1
    return chained


def _is_bare_name(piece: str, max_words: int = _LIST_ITEM_MAX_WORDS) -> bool:
    """Whether a list item only names a thing ("remote state", "the registry"), in at most two words; a
    hyphenated compound is one word ("position-bias models"). An item led by a verb says what to do
    ("compare metrics", "- roll back fast") and is not a name."""
    words = [w for w in piece.split() if _WORD.search(w) and w not in _NOT_COUNTED]
    if len(words) > 1 and words[0].strip("*_`'\"") in _ACTION_VERBS:
        return False
    return len(words) <= max_words


def _join_bare_lines(text: str) -> str:
    """One name per line or per bullet is a list too: consecutive lines that only name something are
    joined with commas, so the comma rule reads them ("- Kafka\n- Flink\n- Redis"). A bullet may name a
    thing in up to four words ("- AWS Cost Explorer and Kubecost"); its words are bound into one name."""
    segments = _LINE.split(text)
    out: list[str] = []
    for index in range(0, len(segments), 2):
        raw = segments[index].strip()
        bullet = (index > 0 and segments[index - 1].strip() in _BULLETS) or raw[:1] in _BULLETS
        line = raw.lstrip("".join(_BULLETS)).strip()
        bare = line.rstrip(".;!")
        limit = _BULLET_ITEM_MAX_WORDS if bullet else _LIST_ITEM_MAX_WORDS
        named = bool(_WORD.search(bare)) and _is_bare_name(bare, limit) and not _CLAUSE.search(bare)
        if named:
            line = "-".join(bare.split()) if bullet else bare
        if named and out and out[-1].endswith(_BARE_MARK):
            out[-1] = f"{out[-1][: -len(_BARE_MARK)]}, {line}{_BARE_MARK}"
        else:
            out.append(f"{line}{_BARE_MARK}" if named else line)
    return "\n".join(line.removesuffix(_BARE_MARK) for line in out)


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


def _compound(first: Token, second: Token) -> str:
    """The stem of two words written as one: "rolled back" and "roll back" both give "rollback"."""
    return _stem(first[0] + second[1])


def term_in(term_tokens: Sequence[Token], answer: Answer) -> bool:
    """Whether the answer states the term: its words close together in any order, none of them only an
    item of a bare list. A compound matches its two-word spelling both ways ("rollback", "rolled back")."""
    if not term_tokens:
        return False
    toks, known, listed, usable = answer.tokens, answer.known_words, answer.listed, answer.usable
    if len(term_tokens) == 1 and term_tokens[0][0] in answer.compounds:
        return True
    if len(term_tokens) == 2 and _compound(*term_tokens) in answer.stems:
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
            words.update(_WORD.findall(text.lower()))
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
    covered, missed = [], []
    for point in key_points:
        hit = any(term_in(tokens(term), parsed) for term in point.terms)
        (covered if hit else missed).append(point.label)
    return Coverage(tuple(covered), tuple(missed))
