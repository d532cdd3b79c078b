"""Personal spaced repetition with fsrs. Interview questions are reviewed on days, not minutes, so the
learning steps are one day; fuzzing is off so schedules are reproducible."""

from __future__ import annotations

import datetime as dt
import zlib
from enum import StrEnum
from typing import Any

from fsrs import Card, Rating, Scheduler


class Grade(StrEnum):
    AGAIN = "again"
    HARD = "hard"
    GOOD = "good"
    EASY = "easy"


_RATINGS = {
    Grade.AGAIN: Rating.Again,
    Grade.HARD: Rating.Hard,
    Grade.GOOD: Rating.Good,
    Grade.EASY: Rating.Easy,
}

_scheduler = Scheduler(
    learning_steps=(dt.timedelta(days=1),),
    relearning_steps=(dt.timedelta(days=1),),
    enable_fuzzing=False,
)


def new_card(card_id: int, now: dt.datetime) -> tuple[dict[str, Any], dt.datetime]:
    """A card due now. `card_id` is ours (fsrs would derive one from the clock)."""
    card = Card(card_id=card_id, due=now)
    return dict(card.to_dict()), now


def grade(card_state: dict[str, Any], how: Grade, now: dt.datetime) -> tuple[dict[str, Any], dt.datetime]:
    """Apply a self-grade; returns the new card state and when the question is due again."""
    state: Any = card_state  # fsrs types it as its CardDict; we store it as plain JSON
    card, _log = _scheduler.review_card(Card.from_dict(state), _RATINGS[how], review_datetime=now)
    return dict(card.to_dict()), card.due


def first_card(user_id: str, question_id: str, now: dt.datetime) -> dict[str, Any]:
    """A member's first card for a question; its id is stable for that pair."""
    card, _ = new_card(zlib.crc32(f"{user_id}:{question_id}".encode()), now)
    return card
