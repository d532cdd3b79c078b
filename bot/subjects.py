"""Who a statement is about, in a question that contrasts several things (shadow vs canary, data vs
concept drift, CI vs CD vs CT).

A key point may name its subject (`KeyPoint.subject`). When a question's points name two or more
different subjects, each statement is cut into segments, one per subject it talks about: a segment starts
where a subject is named in the position of a sentence's subject ("Shadow is when...", "..., and concept
drift means...", "- Canary: ...") and ends at the next such name, or at a turn of the sentence ("but",
"while", "then", a semicolon) whose clause names another subject. A name in any other position ("unlike
shadow", "switch to blue-green", "run in shadow first") names an object, not the subject, and leaves the
segment as it is.

A segment that gives one subject's idea under another's name ("Shadow is when a small slice of real
users gets the new model's answers") is a swapped definition: evidence for neither (bot/coverage.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer_words import WORD, stem, tokens
from bot.questions import KeyPoint

_WORDS_SEP = re.compile(r"\s+")
# Words that may stand between the start of a clause and the subject it names ("so basically the canary
# is...", "and in shadow mode..."). A word of contrast or comparison ("unlike", "than", "to") is not among
# them: after it, a name is an object.
_LEAD_WORDS = frozenset(
    _WORDS_SEP.split(
        "a an the so basically honestly well ok okay um yeah yes right and but while whilst whereas then "
        "also now i think say however though although in with for on using during my our this these"
    )
)
# A new clause that may have a new subject, or none: the segment before it ends there.
_TURN_WORDS = frozenset(
    _WORDS_SEP.split("but while whilst whereas however though although then afterwards later next otherwise")
)
# Punctuation that starts a clause (a hyphen inside a word, as in "blue-green", does not).
_CLAUSE_START = re.compile(r"[.!?,;:()\n\u2014\u2013\u2022*]|(?:^|\s)-\s|\s-$")
_TURN_PUNCTUATION = re.compile(r";")


@dataclass(frozen=True)
class Subjects:
    """The subjects a question contrasts: for each key point that names one, its subject's number (points
    whose names overlap share a subject), and every name as a sequence of stems."""

    of_label: dict[str, int]
    names: tuple[tuple[tuple[str, ...], int], ...]  # (name stems, subject number), longest names first
    display: tuple[str, ...]  # a name to show for each subject number
    name_terms: frozenset[tuple[str, ...]]  # names as `tokens` stems (stopwords dropped), to drop from hits

    @property
    def active(self) -> bool:
        return len(set(self.of_label.values())) >= 2


NO_SUBJECTS = Subjects({}, (), (), frozenset())


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in WORD.findall(text.lower()))


def subjects_of(key_points: Sequence[KeyPoint]) -> Subjects:
    groups: list[set[tuple[str, ...]]] = []
    shown: list[str] = []
    of_label: dict[str, int] = {}
    for point in key_points:
        names = {_stems(name) for name in point.subject} - {()}
        if not names:
            continue
        number = next((i for i, group in enumerate(groups) if group & names), None)
        if number is None:
            number = len(groups)
            groups.append(set())
            shown.append(point.subject[0])
        groups[number] |= names
        of_label[point.label] = number
    if len(groups) < 2:
        return NO_SUBJECTS
    names_list = sorted(
        ((name, number) for number, group in enumerate(groups) for name in group), key=lambda n: -len(n[0])
    )
    name_terms = frozenset(
        tuple(s for s, _ in tokens(name)) for point in key_points for name in point.subject
    )
    return Subjects(of_label, tuple(names_list), tuple(shown), name_terms)


@dataclass(frozen=True)
class Segment:
    text: str
    subject: int | None  # None: the segment names no subject in a subject's position


def _mention_at(stems: Sequence[str], i: int, subjects: Subjects) -> tuple[int, int] | None:
    """(subject number, words the name spans) when a subject's name starts at word i."""
    for name, number in subjects.names:
        if tuple(stems[i : i + len(name)]) == name:
            return number, len(name)
    return None


def segments(statement: str, subjects: Subjects) -> list[Segment]:
    if not subjects.active:
        return [Segment(statement, None)]
    lowered = statement.lower()
    words = list(WORD.finditer(lowered))
    stems = [stem(m.group()) for m in words]

    def gap_before(i: int) -> str:
        return lowered[words[i - 1].end() if i else 0 : words[i].start()]

    def in_subject_position(i: int) -> bool:
        j = i
        while True:
            if j == 0 or _CLAUSE_START.search(gap_before(j)):
                return True
            if words[j - 1].group() not in _LEAD_WORDS:
                return False
            j -= 1

    # (word index where a segment starts, its subject, whether a turn of the sentence started it)
    cuts: list[tuple[int, int | None, bool]] = [(0, None, False)]
    mentioned: list[int] = []  # word indexes where any subject is named
    i = 0
    while i < len(words):
        if _TURN_PUNCTUATION.search(gap_before(i)) or words[i].group() in _TURN_WORDS:
            cuts.append((i, None, True))
        mention = _mention_at(stems, i, subjects)
        if mention is None:
            i += 1
            continue
        mentioned.append(i)
        number, span = mention
        end = i + span
        # "CI/CD ...", "canary and blue-green both ...": two subjects at once are no single subject.
        after = end + 1 if end < len(words) and words[end].group() in ("and", "or") else end
        other = _mention_at(stems, after, subjects) if after < len(words) else None
        if in_subject_position(i):
            cuts.append((i, None if other is not None and other[0] != number else number, False))
        i = end
    segments_: list[Segment] = []
    previous: int | None = None
    for k, (start, subject, turn) in enumerate(cuts):
        stop = cuts[k + 1][0] if k + 1 < len(cuts) else len(words)
        if stop <= start and k + 1 < len(cuts):
            continue
        # After "but", "then", a semicolon, the sentence still speaks of its subject ("Canary gets a copy
        # of the traffic but only logs its outputs"), unless the new clause names another one.
        if turn and not any(start <= m < stop for m in mentioned):
            subject = previous
        begin = words[start].start() if start < len(words) else len(statement)
        finish = words[stop].start() if stop < len(words) else len(statement)
        text = statement[begin:finish].strip()
        if text:
            segments_.append(Segment(text, subject))
            previous = subject
    return segments_ or [Segment(statement, None)]
