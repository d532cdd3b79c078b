"""Points: every award has a reason and a round, so the ledger explains each total."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from pydantic import BaseModel, Field

from bot.grading import Assessment


class ScoringRules(BaseModel):
    """Default weights; configurable per deployment."""

    answered: int = Field(default=2, ge=0, description="for answering before the reveal")
    coverage_max: int = Field(default=5, ge=0, description="for covering every key point (pro rata)")
    per_vote: int = Field(default=1, ge=0, description="for each peer vote an answer received")
    votes_cap: int = Field(default=3, ge=0, description="most vote points one answer can earn")
    streak_bonus: int = Field(default=5, ge=0, description="when a daily streak reaches a milestone")
    streak_milestones: tuple[int, ...] = Field(default=(3, 7, 14, 30, 60, 100), description="streak lengths")


def award_lines(
    coverage: Assessment, *, late: bool, votes: int = 0, rules: ScoringRules
) -> list[tuple[str, int]]:
    """(reason, points) for one answer. Late answers get feedback, not points."""
    if late:
        return []
    lines = [
        ("answered", rules.answered),
        # Half up, as people expect (Python's round() sends 2.5 to 2).
        ("coverage", math.floor(coverage.score * rules.coverage_max + 0.5)),
        ("votes", min(votes * rules.per_vote, rules.votes_cap)),
    ]
    return [(reason, pts) for reason, pts in lines if pts > 0]


def competition_ranks(points: list[int]) -> list[int]:
    """Ties share a rank and the next rank skips: 10, 10, 7 -> 1, 1, 3."""
    ranks: list[int] = []
    for i, value in enumerate(points):
        ranks.append(ranks[-1] if i and value == points[i - 1] else i + 1)
    return ranks


def streaks(history: Sequence[tuple[dt.date, bool, bool]]) -> tuple[int, int]:
    """(current, best) daily streak from a channel's daily rounds, newest first: (date, answered on time,
    revealed). Today's round, still open and not yet answered, does not break the current streak."""
    current, counting = 0, True
    best = run = 0
    for index, (_day, answered, revealed) in enumerate(history):
        if not answered and not revealed and index == 0:
            continue  # in progress
        if answered:
            run += 1
            best = max(best, run)
            if counting:
                current += 1
        else:
            run = 0
            counting = False
    return current, best
