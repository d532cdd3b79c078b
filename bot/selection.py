"""Which question a channel gets next: no repeat until its pool is used up, categories rotating,
difficulties mixed, and reproducible for a given seed (a retry of the same day picks the same question)."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from bot.questions import Question

# The daily round cycles through difficulties so a week has easy and hard days, not five medium ones.
DIFFICULTY_ROTATION = ("easy", "medium", "hard", "medium", "easy", "medium", "hard")


def filter_pool(
    questions: Sequence[Question],
    *,
    categories: Collection[str] = (),
    difficulties: Collection[str] = (),
    packs: Collection[str] = (),
) -> list[Question]:
    return [
        q
        for q in questions
        if (not categories or q.category.value in categories)
        and (not difficulties or q.difficulty.value in difficulties)
        and (not packs or q.pack in packs)
    ]


def _fresh(pool: Sequence[Question], asked_newest_first: Sequence[str]) -> list[Question]:
    """Questions not asked yet; once all were asked, a new cycle that still avoids the most recent half,
    so a question never comes straight back."""
    asked = set(asked_newest_first)
    fresh = [q for q in pool if q.id not in asked]
    if not fresh:
        recent = set(asked_newest_first[: len(pool) // 2])
        fresh = [q for q in pool if q.id not in recent] or list(pool)
    return fresh


def choose(
    pool: Sequence[Question], *, asked_newest_first: Sequence[str], seed: str, difficulty: str | None = None
) -> Question | None:
    if not pool:
        return None
    fresh = _fresh(pool, asked_newest_first)
    if difficulty is not None:
        fresh = [q for q in fresh if q.difficulty.value == difficulty] or fresh
    # Prefer a category other than the last question's, so a channel does not get the same kind twice.
    last = next((q.category for q in pool if asked_newest_first and q.id == asked_newest_first[0]), None)
    varied = [q for q in fresh if q.category != last] or fresh
    return random.Random(seed).choice(sorted(varied, key=lambda q: q.id))


def choose_daily(
    pool: Sequence[Question], *, asked_newest_first: Sequence[str], seed: str, position: int
) -> Question | None:
    """The daily pick: the rotation's next difficulty when the unasked pool still has one."""
    wanted = DIFFICULTY_ROTATION[position % len(DIFFICULTY_ROTATION)]
    return choose(pool, asked_newest_first=asked_newest_first, seed=seed, difficulty=wanted)
