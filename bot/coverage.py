"""Which key points an answer covered: stemmed, typo-tolerant matching of each key point's terms."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from rapidfuzz.distance import OSA

from bot.answer_words import STOPWORDS, WORD, Token, compound, tokens
from bot.name_lists import FILLER_MIN_PHRASES, NAME_DROP_SHARE, filler_phrases, only_names, split_listed
from bot.questions import KeyPoint, Question
from bot.statements import INJECTION, says_nothing, statements
from bot.subjects import Subjects, segments, subjects_of
from bot.topics import question_topics

# Short tokens must match exactly: "ci" fuzzily matching "cd" would be a false positive. Longer ones allow
# one edit (a typo or a swapped pair of letters), and very long ones two.
_FUZZY_MIN_LEN = 5
_TWO_EDITS_MIN_LEN = 9
# A multi-word term may be split by a few words ("version the data" still covers "data versioning").
# Two, not three, since the bank has more terms (stop 20): precision +0.3 points, recall -0.2.
_WINDOW_SLACK = 2


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
        return cls.from_tokens(tuple(toks), frozenset(listed), known_words, filler=filler_phrases(text))

    @classmethod
    def from_tokens(
        cls,
        toks: tuple[Token, ...],
        listed: frozenset[int],
        known_words: frozenset[str],
        *,
        filler: int = 0,
    ) -> Answer:
        usable = tuple(i for i in range(len(toks)) if i not in listed)
        pairs = (i for i in usable if i + 1 < len(toks) and i + 1 not in listed)
        return cls(
            toks,
            listed,
            known_words,
            usable,
            filler,
            stems=frozenset(toks[i][0] for i in usable),
            compounds=frozenset(compound(toks[i], toks[i + 1]) for i in pairs),
            maybe_typos=tuple(toks[i] for i in usable if toks[i][1] not in known_words),
        )

    def affirmed(self, text: str, *, strict: bool = False) -> Answer:
        """The answer (parsed from `text`) without the words a negation governs: what it says is done,
        not what it says is not."""
        negated = negated_positions(text, strict=strict)
        if not negated or len(tokens(text)) != len(self.tokens):
            return self
        return Answer.from_tokens(self.tokens, self.listed | negated, self.known_words, filler=self.filler)

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


# Words that negate what follows them ("don't" is written "don" "t"), how many content words after them
# they govern, and what ends that reach earlier: punctuation, or a word that turns the sentence.
_NEGATORS = frozenset({"not", "no", "never", "without", "cannot", "neither", "nor"})
# Read as negations only when judging a wrong phrase: "nobody", "stop"/"avoid" ("stop reprocessing the full
# history every night"), and contractions typed without their apostrophe ("dont drain everything at once").
# For terms they cost recall (measured, stop 21).
_STRICT_NEGATORS = frozenset(
    {
        "nobody",
        "stop",
        "avoid",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "cant",
        "wont",
        "shouldnt",
        "wouldnt",
        "couldnt",
        "hasnt",
        "havent",
        "neednt",
    }
)
_NEGATING_CONTRACTIONS = frozenset(
    {"don", "doesn", "didn", "isn", "aren", "wasn", "weren", "can", "won", "shouldn", "wouldn", "couldn"}
)
_NEGATING_PAIRS = {"rather": "than", "instead": "of"}
_NOT_A_NEGATION = frozenset({"just", "only", "simply", "merely", "necessarily", "always", "too", "much"})
_SCOPE_ENDS = frozenset({"but", "so", "because", "since", "which", "then", "while", "whereas", "instead"})
_SCOPE_BREAK = re.compile(r"[,.;:!?()\n\u2014\u2013]|\s-\s")
NEGATION_SCOPE = 3


def negated_positions(text: str, *, strict: bool = False) -> frozenset[int]:
    """Positions, in `tokens(text)`, of the words a negation governs ("not per user", "don't pin the
    versions", "without any labels"). "Not just X but Y" negates nothing, unless `strict`: it does deny
    that X alone is enough, which is what a wrong phrase ("version just the template") claims."""
    lowered = text.lower()
    words = list(WORD.finditer(lowered))
    plain = [m.group() for m in words]
    token_at: list[int | None] = []
    count = 0
    for word in plain:
        token_at.append(None if word in STOPWORDS else count)
        count += word not in STOPWORDS
    negated: set[int] = set()
    for i, word in enumerate(plain):
        nxt = plain[i + 1] if i + 1 < len(plain) else ""
        if word == "non" and i + 1 < len(plain):  # "non-root": the next word only
            following = token_at[i + 1]
            if following is not None:
                negated.add(following)
            continue
        if word in _NEGATORS or (strict and word in _STRICT_NEGATORS):
            start = i + 1
        elif (word in _NEGATING_CONTRACTIONS and nxt == "t") or _NEGATING_PAIRS.get(word) == nxt:
            start = i + 2
        else:
            continue
        if start < len(plain) and plain[start] in _NOT_A_NEGATION:
            if not strict:
                continue
            start += 1
        if word == "not" and i >= 2 and plain[i - 2 : i] == ["whether", "or"]:  # "whether or not X"
            continue
        governed = 0
        for j in range(start, len(plain)):
            gap = lowered[words[j - 1].end() : words[j].start()]
            if _SCOPE_BREAK.search(gap) or plain[j] in _SCOPE_ENDS or governed == NEGATION_SCOPE:
                break
            position = token_at[j]
            if position is not None:
                negated.add(position)
                governed += 1
    return frozenset(negated)


def _stems_of(toks: Sequence[Token]) -> tuple[str, ...]:
    return tuple(stem for stem, _ in toks)


def _negates(text: str) -> bool:
    return bool(negated_positions(text)) or any(word in _NEGATORS for word in WORD.findall(text.lower()))


# Labels that say what to avoid are stated with negations too ("no shared credentials").
AVOIDING = frozenset({"avoid", "prevent"})


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


def phrase_in(phrase: Sequence[Token], answer: Answer) -> bool:
    """Whether the answer says the phrase's words in its order, close together (the same window as a term),
    none of them only an item of a bare list. Order matters here, unlike for terms: a wrong claim is often
    a right one read backwards ("grid search beats random search")."""
    if not phrase:
        return False
    toks, known, listed = answer.tokens, answer.known_words, answer.listed
    if len(phrase) == 2 and compound(*phrase) in answer.stems:
        return True
    if not all(answer.has(t) for t in phrase):
        return False
    window = len(phrase) + _WINDOW_SLACK
    for i in answer.usable:
        if not _token_matches(phrase[0], toks[i], known):
            continue
        want = 1
        for j in range(i + 1, min(i + window, len(toks))):
            if want == len(phrase):
                break
            if j not in listed and _token_matches(phrase[want], toks[j], known):
                want += 1
        if want == len(phrase):
            return True
    return False


# A statement that calls what it describes a mistake is rejecting it, not claiming it ("a common mistake is
# to randomise per request").
_REJECTING = re.compile(
    r"\b(?:mistakes?|myths?|misconceptions?|wrong|anti-?patterns?|traps?|pitfalls?|bad idea|naive|"
    r"tempting|fallac\w*|"
    r"(?:people|teams|folks|juniors) (?:often |usually |sometimes )?(?:think|assume|believe))\b",
    re.IGNORECASE,
)


def _claims_nothing(statement: str) -> bool:
    """A statement that calls what it describes a mistake, or asks a question, claims nothing a wrong
    phrase could catch."""
    return bool(_REJECTING.search(statement)) or statement.rstrip().endswith("?")


def _says(phrase: Sequence[Token], negating: bool, words: Answer, affirmed: Answer) -> bool:
    return phrase_in(phrase, words if negating else affirmed)


@lru_cache(maxsize=4096)
def _claims(text: str, known: frozenset[str]) -> tuple[tuple[str, Answer, Answer], ...]:
    """Each statement of `text` that claims something, with its words and what it affirms: parsed once,
    since lint checks every point's phrases against the same texts."""
    out = []
    for statement in statements(text):
        if not _claims_nothing(statement):
            words = Answer.parse(statement, known)
            out.append((statement, words, words.affirmed(statement, strict=True)))
    return tuple(out)


def wrong_phrases_in(text: str, point: KeyPoint, bank: Bank | None = None) -> list[tuple[str, str]]:
    """(phrase, statement) for each of the point's wrong phrases a statement of `text` says: for authors,
    since a wrong phrase that a right answer says would take that answer's credit."""
    known = bank.words if bank is not None else frozenset()
    return [
        (phrase, statement)
        for statement, words, affirmed in _claims(text, known)
        for _, phrase, toks, negating in _prepared((point,)).wrong
        if _says(toks, negating, words, affirmed)
    ]


@dataclass(frozen=True)
class Coverage:
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    name_dropping: bool = False  # mostly names or buzzwords: nothing covered, and the feedback says why
    evidence: dict[str, str] = field(default_factory=dict)  # covered label -> the statement that shows it
    # Swapped definitions: (what the answer said, the label whose idea it gives, the name it gave it under).
    swapped: tuple[tuple[str, str, str], ...] = ()
    # Statements that say a point's idea wrongly: (what the answer said, the label it contradicts).
    contradicted: tuple[tuple[str, str], ...] = ()

    @property
    def score(self) -> float:
        total = len(self.covered) + len(self.missed)
        return len(self.covered) / total if total else 0.0


# A single word that many questions' texts use ("data", "model", "pipeline", "drift") is no evidence of
# one key point alone: with another of the point's terms in the same statement it is. "Many" is 5% of the
# bank (at least 5 questions), so the rule keeps its meaning as packs grow. Measured on the development
# sets (stop 19): 5% vs a flat 5 questions, recall +0.3 points, precision -0.1.
GENERIC_MIN_SHARE = 0.05
GENERIC_MIN_QUESTIONS = 5
# A word the bank writes capitalised nearly every time it appears mid-sentence is a name (a tool, a
# product, a company): a bare name is never evidence alone either.
NAME_CAPITALISED_SHARE = 0.8
_MID_SENTENCE_WORD = re.compile(r"(?<![.!?:]\s)(?<=\s)([A-Za-z][A-Za-z0-9]*)\b")


@dataclass(frozen=True)
class Bank:
    """What the question bank tells the matcher: the words it uses (an answer word among them is read as
    written, never as a typo), and the stems too common or too name-like to be evidence on their own."""

    words: frozenset[str] = frozenset()
    generic: frozenset[str] = frozenset()
    # question id -> the stems of its question, model answer, labels and terms that few questions share
    # (bot/topics.py), and all of them together
    topics: dict[str, frozenset[str]] = field(default_factory=dict, hash=False, compare=False)
    telling: frozenset[str] = frozenset()


def vocabulary(questions: Iterable[Question]) -> Bank:
    questions = list(questions)
    words: set[str] = set()
    in_questions: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    count = 0
    for q in questions:
        count += 1
        texts = [q.question, q.model_answer, q.what_it_tests, *q.pitfalls, *q.follow_ups]
        texts += [text for point in q.key_points for text in (point.label, *point.terms)]
        for text in texts:
            words.update(WORD.findall(text.lower()))
        prose = f"{q.question} {q.model_answer}"
        in_questions.update({stem for stem, _ in tokens(prose)})
        for match in _MID_SENTENCE_WORD.finditer(prose):
            word = match.group(1)
            for stem, _ in tokens(word)[:1]:
                seen[stem] += 1
                capitalised[stem] += any(c.isupper() for c in word)
    threshold = max(GENERIC_MIN_QUESTIONS, int(GENERIC_MIN_SHARE * count))
    generic = {stem for stem, n in in_questions.items() if n >= threshold}
    generic |= {stem for stem, n in seen.items() if capitalised[stem] >= NAME_CAPITALISED_SHARE * n}
    topics = question_topics(questions)
    return Bank(frozenset(words), frozenset(generic), topics, frozenset().union(*topics.values()))


EMPTY_BANK = Bank()


def _statement_parts(answer: str, whole: Answer, bank: Bank) -> list[tuple[str, Answer]]:
    """Each statement with its words as parsed in the whole answer, so a name in a list that runs over
    several lines ("- Kafka\n- Flink\n- Redis") is still a listed name inside its own line."""
    texts = statements(answer)
    counts = [len(tokens(text)) for text in texts]
    if sum(counts) != len(whole.tokens):  # tokenised differently as a whole: judge each on its own
        return [(text, Answer.parse(text, bank.words)) for text in texts]
    parts = []
    start = 0
    for text, count in zip(texts, counts, strict=True):
        end = start + count
        listed = frozenset(i - start for i in whole.listed if start <= i < end)
        parts.append((text, Answer.from_tokens(whole.tokens[start:end], listed, bank.words)))
        start = end
    return parts


# A statement that uses this many different words of a key point's label states the point in its own
# sentence ("each worker process loads its own copy of the model" for "Model copies per worker process").
# Measured on the development sets (stop 19): recall +1.9 points, precision -0.3. Four since the rule on
# words only one point uses (below) took over most of its work (stop 20): precision +0.4, recall -0.7.
LABEL_WORDS_STATED = 4


# A statement with this many of the words only one key point uses (its terms and label, no other point's),
# at least one of them not common in the bank, states that point. Measured on the development sets (stop
# 20): on the three sets whose questions had not been tuned on, recall +5 to +10 points, precision -0.3
# to +0.5 (3 words); 4 words gave about half the recall.
OWN_WORDS_STATED = 3
OWN_SPECIFIC_WORDS = 1


# An answer that states a point wrongly or swaps two definitions has given the benefit of the doubt away,
# as it would in an interview: each of its other points needs this many of its terms in one statement.
# So does an answer that is mostly filler, and one that seems to answer another question (bot/topics.py).
# Measured on the development sets: two terms (stop 21), precision +1.2 points, recall -0.1; three (stop
# 22, with the filler rule), 57 false positives fewer for 16 true positives (5 of them in sound answers).
TERMS_AFTER_A_MISTAKE = 3
# Half or more of an answer's statements saying nothing (hype, hedges, slogans, a practice waved away;
# lines to the grader aside, they are judged apart) make it mostly filler. Measured on the development sets
# (stop 22): 16 false positives fewer (buzzword prose and vague answers), 1 true positive fewer.
FILLER_ANSWER_SHARE = 0.5


def _restates_label(label_stems: frozenset[str], statement: Answer) -> bool:
    return len(label_stems) >= LABEL_WORDS_STATED and len(label_stems & statement.stems) >= LABEL_WORDS_STATED


def _is_evidence(
    hits: Sequence[Sequence[Token]], bank: Bank, label_stems: frozenset[str], statement: Answer
) -> bool:
    """A statement shows a key point's idea when it states one of its multi-word terms, or a specific
    single-word term, or two different words of the point (its terms or its label)."""
    if any(len(hit) >= 2 for hit in hits):
        return True
    if any(hit[0][0] not in bank.generic for hit in hits):
        return True
    found = {hit[0][0] for hit in hits}
    return len(found) >= 2 or bool((label_stems - found) & statement.stems)


@dataclass(frozen=True)
class _Unit:
    """A statement, or in a question that contrasts subjects one segment of it, with the subject it
    speaks of (None when it names none)."""

    text: str  # the whole statement: what evidence quotes
    words: Answer
    subject: int | None
    said: str  # the words parsed: the statement, or its segment

    @cached_property
    def affirmed(self) -> Answer:
        return self.words.affirmed(self.said)

    @cached_property
    def claimed(self) -> Answer:
        """What the unit claims, for wrong phrases: "not just X" denies X alone."""
        return self.words.affirmed(self.said, strict=True)


def _units(parts: Sequence[tuple[str, Answer]], subjects: Subjects, bank: Bank) -> list[_Unit]:
    units = []
    for text, parsed in parts:
        cut = segments(text, subjects)
        if len(cut) == 1 and cut[0].subject is None:
            units.append(_Unit(text, parsed, None, text))
        else:
            units.extend(
                _Unit(text, Answer.parse(seg.text, bank.words), seg.subject, seg.text) for seg in cut
            )
    return units


@dataclass(frozen=True)
class _Points:
    """What matching needs of a question's key points, prepared once per question."""

    subjects: Subjects
    terms: dict[str, list[tuple[Token, ...]]]  # label -> its terms as tokens, subject names left out
    label_stems: dict[str, frozenset[str]]  # label -> the stems of its own words, subject names left out
    own_words: dict[str, frozenset[str]]  # label -> the stems only this point uses
    avoids: frozenset[str]  # labels that say what to avoid: a negation may state them
    negating: frozenset[tuple[Token, ...]]  # terms that are negations themselves
    # (label, wrong phrase, its tokens, whether it is a negation)
    wrong: tuple[tuple[str, str, tuple[Token, ...], bool], ...] = ()

    def contradicted(self, unit: _Unit) -> str | None:
        """The label whose idea this unit states wrongly, if it says one of its wrong phrases. A question
        ("are two runs writing to the same folder?") asks and claims nothing; a point about one subject is
        not contradicted by what is said of another ("canary: real users get the new model's answers")."""
        if not self.wrong or _claims_nothing(unit.text) or _claims_nothing(unit.said):
            return None
        for label, _, phrase, negating in self.wrong:
            subject = self.subjects.of_label.get(label)
            if subject is not None and unit.subject not in (None, subject):
                continue
            if _says(phrase, negating, unit.words, unit.claimed):
                return label
        return None


@lru_cache(maxsize=1024)
def _prepared(key_points: tuple[KeyPoint, ...]) -> _Points:
    labels = [point.label for point in key_points]
    subjects = subjects_of(key_points)
    # A subject's name is no evidence ("Shadow is when a small slice of real users..." does not show the
    # shadow point): what tells a swapped definition from a right one is what the statement says of it.
    names = {stem for name in subjects.name_terms for stem in name}
    terms = {
        point.label: [tuple(t) for t in map(tokens, point.terms) if _stems_of(t) not in subjects.name_terms]
        for point in key_points
    }
    # The label's own words are the point's idea too: "roll back" beside "automatically" states
    # "Automatic rollback" where "roll back" alone does not.
    label_stems = {
        point.label: frozenset(stem for stem, _ in tokens(point.label)) - names for point in key_points
    }
    # The words only this point uses, among all the question's points: several of them in one statement
    # state its idea even when no single term is there ("people lose access all the time, so the change
    # must flow through in minutes" for "Permission changes and revocations propagate quickly").
    vocabulary_of = {
        label: {stem for term in terms[label] for stem, _ in term} | label_stems[label] for label in labels
    }
    own_words = {
        label: frozenset(
            vocabulary_of[label].difference(*(v for other, v in vocabulary_of.items() if other != label))
        )
        for label in labels
    }
    return _Points(
        subjects=subjects,
        terms=terms,
        label_stems=label_stems,
        own_words=own_words,
        avoids=frozenset(label for label in labels if _negates(label) or AVOIDING & label_stems[label]),
        negating=frozenset(
            tuple(tokens(term)) for point in key_points for term in point.terms if _negates(term)
        ),
        wrong=tuple(
            (point.label, phrase, tuple(tokens(phrase)), _negates(phrase))
            for point in key_points
            for phrase in point.wrong
            if tokens(phrase)
        ),
    )


def assess(
    answer: str, key_points: Sequence[KeyPoint], bank: Bank = EMPTY_BANK, *, strict: bool = False
) -> Coverage:
    """Which key points the answer covers, each with the statement that shows it. A term counts only
    inside one statement that says something (see bot/statements.py), and a generic word or a bare name
    only with another of the point's terms beside it. An answer that is mostly bare lists of names, or
    buzzword prose, covers none. In a question that contrasts subjects (bot/subjects.py), a point counts
    only where its own subject is spoken of, and a statement that gives one subject's idea under
    another's name counts for none. A statement that says one of a point's wrong phrases counts for none
    either, and after either mistake every other point needs TERMS_AFTER_A_MISTAKE of its terms in one
    statement, as in an answer that is mostly filler; `strict` asks that of the whole answer from the start
    (an answer to another question, bot/topics.py)."""
    labels = tuple(point.label for point in key_points)
    whole = Answer.parse(answer, bank.words)
    if whole.name_dropping or only_names(answer):
        return Coverage((), labels, name_dropping=True)
    said = _statement_parts(answer, whole, bank)
    empty = {text for text, _ in said if says_nothing(text)}
    parts = [(text, part) for text, part in said if text not in empty]
    # An answer that is mostly filler (hype, hedges, slogans; lines to the grader aside, all of which say
    # nothing) has not earned the benefit of the doubt for its few content words either.
    to_grader = {text for text in empty if INJECTION.search(text)}
    claims = [text for text, _ in said if text not in to_grader]
    filler = bool(claims) and sum(text in empty for text in claims) / len(claims) >= FILLER_ANSWER_SHARE
    points = _prepared(tuple(key_points))
    subjects, terms, label_stems = points.subjects, points.terms, points.label_stems
    units = _units(parts, subjects, bank)

    def strength(label: str, unit: _Unit) -> int:
        """How many of a point's terms show its idea in this unit: 0 when it is no evidence."""
        stems = label_stems[label]
        # A point that says what to avoid ("not a security boundary", "instead of overwriting") may be
        # stated with a negation; any other is not stated by one ("randomise per request, not per user").
        words = unit.words if label in points.avoids else unit.affirmed
        hits = [t for t in terms[label] if term_in(t, unit.words if t in points.negating else words)]
        if hits and _is_evidence(hits, bank, stems, words):
            return len(hits)
        if _restates_label(stems, words):
            return 1
        shared = points.own_words[label] & words.stems
        return int(len(shared) >= OWN_WORDS_STATED and len(shared - bank.generic) >= OWN_SPECIFIC_WORDS)

    swapped: list[tuple[str, str, str]] = []
    contradicted: list[tuple[str, str]] = []
    usable: list[_Unit] = []
    for unit in units:
        # A point stated wrongly ("run it as root", "randomise per request"): the statement shows no idea
        # it could be trusted on.
        wrong_label = points.contradicted(unit)
        if wrong_label is not None:
            contradicted.append((unit.text, wrong_label))
            continue
        if unit.subject is not None:
            own = [label for label, n in subjects.of_label.items() if n == unit.subject]
            others = [label for label, n in subjects.of_label.items() if n != unit.subject]
            # The idea of another subject's point, stated more fully than any of its own: swapped ("Blue-green
            # is the gradual one: 1 percent of traffic to the green environment, then 5, 25, 100").
            wrong = {label: strength(label, unit) for label in others}
            mine = max((strength(label, unit) for label in own), default=0)
            worst = max(wrong, key=lambda label: wrong[label], default=None)
            if worst is not None and wrong[worst] > mine:
                swapped.append((unit.text, worst, subjects.display[unit.subject]))
                continue
        usable.append(unit)
    # Once an answer has stated something wrongly, its other points need a fuller statement.
    need = TERMS_AFTER_A_MISTAKE if strict or filler or contradicted or swapped else 1
    evidence: dict[str, str] = {}
    for point in key_points:
        subject = subjects.of_label.get(point.label)
        for unit in usable:
            if subject is not None and unit.subject not in (None, subject):
                continue
            if strength(point.label, unit) >= need:
                evidence[point.label] = unit.text
                break
    covered = tuple(label for label in labels if label in evidence)
    missed = tuple(label for label in labels if label not in evidence)
    return Coverage(
        covered, missed, evidence=evidence, swapped=tuple(swapped), contradicted=tuple(contradicted)
    )
