"""What a question is (DESIGN §6): the core asks, grades and schedules these. Packs (content/) load them."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,79}$"

# Longest texts that still fit one chat block: Slack allows 3,000 chars per section, Discord 4,096 per
# embed description and 1,024 per field. Limits sit a little under those so headings and markup fit too.
MAX_QUESTION_CHARS = 600
MAX_MODEL_ANSWER_CHARS = 2_900
MAX_ITEM_CHARS = 900
MAX_LABEL_CHARS = 120
MAX_KEY_POINTS = 8

# One entry of pitfalls / follow_ups: errors then name the item ("pitfalls.2"), not the whole list.
Item = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ITEM_CHARS)]
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LABEL_CHARS)]


def unwrap_paragraphs(text: str) -> str:
    """Join hard-wrapped lines of YAML block text: chat clients would show every line break.
    Blank lines, bullets ("- ", "* ", "1. ") and indented continuation of bullets are kept apart."""
    out: list[str] = []
    for line in text.strip().splitlines():
        stripped = line.strip()
        starts_item = bool(re.match(r"^([-*] |\d+[.)] )", stripped))
        if out and stripped and out[-1].strip() and not starts_item:
            out[-1] = f"{out[-1].rstrip()} {stripped}"
        else:
            out.append(stripped)
    return "\n".join(out)


class Category(StrEnum):
    FUNDAMENTALS = "fundamentals"
    TECHNICAL = "technical"
    SITUATIONAL = "situational"
    BEHAVIORAL = "behavioral"
    PROBLEM_SOLVING = "problem-solving"
    CLOUD_INFRASTRUCTURE = "cloud-infrastructure"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"
    # Scope beyond one system: strategy over quarters, fleets of models, many teams. Above hard.
    STAFF = "staff"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class KeyPoint(_Strict):
    """A short label, plus the terms whose presence in an answer shows the point was covered."""

    label: str = Field(min_length=1, max_length=MAX_LABEL_CHARS)
    terms: tuple[Term, ...] = Field(min_length=1)
    # In a question that contrasts several things (shadow vs canary, data vs concept drift), the names of
    # the thing this point describes. A statement that gives this point's idea under another point's name
    # is a swapped definition, not evidence (bot/subjects.py).
    subject: tuple[Term, ...] = ()
    # Phrases that state this point wrongly: the reversed claim or the practice it exists to prevent ("run
    # as root", "randomise per request"). A statement that says one, not negated, is evidence for no point
    # and is quoted back as a likely misconception (bot/coverage.py).
    wrong: tuple[Term, ...] = ()


class Question(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    question: str = Field(min_length=10, max_length=MAX_QUESTION_CHARS)
    category: Category
    difficulty: Difficulty
    topics: tuple[str, ...] = Field(min_length=1)
    what_it_tests: str = Field(min_length=1, max_length=MAX_ITEM_CHARS)
    model_answer: str = Field(min_length=1, max_length=MAX_MODEL_ANSWER_CHARS)
    key_points: tuple[KeyPoint, ...] = Field(min_length=1, max_length=MAX_KEY_POINTS)
    pitfalls: tuple[Item, ...] = Field(min_length=1)
    follow_ups: tuple[Item, ...] = Field(min_length=1)
    example: str | None = Field(default=None, max_length=MAX_MODEL_ANSWER_CHARS)
    # Set by the loader, not by pack authors.
    pack: str = Field(default="", exclude=True)

    @field_validator("topics")
    @classmethod
    def _topics_are_slugs(cls, topics: tuple[str, ...]) -> tuple[str, ...]:
        for topic in topics:
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", topic):
                raise ValueError(
                    f"topic {topic!r} must be lowercase words joined by '-', e.g. model-monitoring"
                )
        return topics

    @field_validator("model_answer", "example")
    @classmethod
    def _unwrap(cls, text: str | None) -> str | None:
        return unwrap_paragraphs(text) if text else text

    @property
    def model_answer_words(self) -> int:
        return len(self.model_answer.split())
