"""Grading as a port: what a grader says about one answer, and the default grader that runs on this machine.

An `Assessment` gives every key point a verdict with evidence quoted from the answer, the misconceptions
found, one tip, and who graded it (and, when the configured grader failed, why the default one stepped in).
Reveal feedback, points, stats, the review queue, `practicebot grade` and the benches all read it.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from bot.coverage import EMPTY_BANK, Bank, assess
from bot.questions import Question
from bot.statements import dismissals, statements
from bot.topics import fits_another_question


class Verdict(StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    MISSED = "missed"


class PointVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    verdict: Verdict
    evidence: str = ""  # a quote from the answer; empty when missed


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    points: tuple[PointVerdict, ...]
    misconceptions: tuple[str, ...] = ()
    tip: str = ""
    grader: str
    model: str = ""
    fallback: str | None = None  # why the configured grader was not used for this answer
    name_dropping: bool = False

    def _labels(self, verdict: Verdict) -> tuple[str, ...]:
        return tuple(p.label for p in self.points if p.verdict is verdict)

    @property
    def covered(self) -> tuple[str, ...]:
        return self._labels(Verdict.COVERED)

    @property
    def partial(self) -> tuple[str, ...]:
        return self._labels(Verdict.PARTIAL)

    @property
    def missed(self) -> tuple[str, ...]:
        return self._labels(Verdict.MISSED)

    @property
    def score(self) -> float:
        """Share of key points covered; a partial point counts half."""
        if not self.points:
            return 0.0
        return (len(self.covered) + 0.5 * len(self.partial)) / len(self.points)

    def with_points_accepted(self, labels: Sequence[str]) -> Assessment:
        """The assessment after a channel admin accepted contests of these points."""
        points = tuple(
            p.model_copy(update={"verdict": Verdict.COVERED}) if p.label in labels else p for p in self.points
        )
        return self.model_copy(update={"points": points})


class Grader(Protocol):
    """Grades one answer to one question. Implementations never raise for a bad answer: a grader that
    cannot do its job (a model endpoint down) returns the fallback's assessment and says why."""

    name: str
    model: str
    slow: bool  # graded as answers arrive and cached, rather than at the reveal
    timeout: float  # the longest one grade may take

    async def grade(self, question: Question, answer: str) -> Assessment: ...


def answer_hash(answer: str) -> str:
    """The cache key of an answer's text: an answer edited since it was graded is graded again."""
    return hashlib.sha256(answer.encode("utf-8")).hexdigest()


# Quotes as models and people write them: curly, straight, backticks. Evidence is compared without them.
_QUOTES = re.compile(r"[\"'`\u2018\u2019\u201c\u201d\u00ab\u00bb]")
_SPACE = re.compile(r"\s+")


def normalise_quote(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _QUOTES.sub("", text)
    # Ellipses join two quoted pieces; the rule below then needs each piece to be in the answer.
    return _SPACE.sub(" ", text).strip()


def quote_in(evidence: str, answer: str) -> bool:
    """Whether a quoted piece of evidence is really in the answer (whitespace, case and quote marks
    normalised; '...' may join pieces that each appear). A model's verdict without such evidence is not
    trusted."""
    haystack = normalise_quote(answer)
    pieces = [normalise_quote(p) for p in re.split(r"\.\.\.|\u2026", evidence)]
    pieces = [p.strip(" .,;:") for p in pieces]
    pieces = [p for p in pieces if p]
    return bool(pieces) and all(p in haystack for p in pieces)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


MIN_QUOTE_PIECE = 12  # characters


def goes_against(said: str, label: str) -> str:
    """The feedback line for a statement that states a key point wrongly (any grader)."""
    return f"\u201c{_clip(said, 160)}\u201d goes against \u201c{label}\u201d."


def contradicting_statement(
    quote: str, answer: str, question: Question, label: str, bank: Bank = EMPTY_BANK
) -> str | None:
    """The statement of the answer around a quoted piece of evidence that states the point `label` wrongly
    (one of its wrong phrases, judged as the default grader judges it: not negated, not called a mistake,
    not said of another subject), if any: a grader's evidence that states the point wrongly is no evidence
    for it."""
    pieces = [normalise_quote(p).strip(" .,;:") for p in re.split(r"\.\.\.|\u2026", quote)]
    # A piece of a few letters ("we", "so") would find statements the quote is not about.
    pieces = [p for p in pieces if len(p) >= MIN_QUOTE_PIECE]
    around = [s for s in statements(answer) if any(p in normalise_quote(s) for p in pieces)]
    found = assess("\n".join(around) or quote, question.key_points, bank).contradicted
    return next((said for said, wrong in found if wrong == label), None)


class LexicalGrader:
    """The default grader: no network, no model. Key-point terms found in the answer's own statements."""

    name = "lexical"
    model = ""
    slow = False
    timeout = 60.0

    def __init__(self, bank: Bank = EMPTY_BANK) -> None:
        self.bank = bank

    def grade_now(self, question: Question, answer: str) -> Assessment:
        # An answer to a neighbouring question is held to the standard of an answer with a mistake.
        elsewhere = fits_another_question(answer, question.id, self.bank)
        result = assess(answer, question.key_points, self.bank, strict=elsewhere)
        points = tuple(
            PointVerdict(
                label=point.label,
                verdict=Verdict.COVERED if point.label in result.evidence else Verdict.MISSED,
                evidence=result.evidence.get(point.label, ""),
            )
            for point in question.key_points
        )
        missed = [p.label for p in points if p.verdict is Verdict.MISSED]
        tip = f"Next time, say what you would do about \u201c{missed[0]}\u201d, and why." if missed else ""
        # A point stated wrongly, a swapped definition, then a practice waved away (often the wrong call in
        # an interview): quoted back for a second look, one line per statement though two clauses may err.
        lines: dict[str, str] = {}
        for said, label in result.contradicted:
            lines.setdefault(said, goes_against(said, label))
        for said, label, name in result.swapped:
            idea = f"gives the idea of \u201c{label}\u201d, but says it of {name}"
            lines.setdefault(said, f"\u201c{_clip(said, 160)}\u201d {idea}.")
        flagged = tuple(_clip(s, 300) for s in [*lines.values(), *dismissals(answer)])[:3]
        return Assessment(
            points=points,
            misconceptions=flagged,
            tip="" if result.name_dropping else tip,
            grader=self.name,
            name_dropping=result.name_dropping,
        )

    async def grade(self, question: Question, answer: str) -> Assessment:
        # Matching is CPU work (milliseconds per answer): off the event loop, like charts.
        return await asyncio.to_thread(self.grade_now, question, answer)
