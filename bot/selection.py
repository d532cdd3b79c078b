"""Which question a channel gets next: never a repeat until its pool is used up, reproducible per seed."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from content.schema import Question


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


def choose(pool: Sequence[Question], *, asked_newest_first: Sequence[str], seed: str) -> Question | None:
    """Pick from the questions this channel has not been asked; once all were asked, start a new cycle
    that still avoids the most recent half, so a question never comes straight back."""
    if not pool:
        return None
    asked = set(asked_newest_first)
    fresh = [q for q in pool if q.id not in asked]
    if not fresh:
        recent = set(asked_newest_first[: len(pool) // 2])
        fresh = [q for q in pool if q.id not in recent] or list(pool)
    # Prefer a category other than the last question's, so a channel does not get three in a row.
    last_categories = {q.category for q in pool if asked_newest_first and q.id == asked_newest_first[0]}
    varied = [q for q in fresh if q.category not in last_categories] or fresh
    return random.Random(seed).choice(sorted(varied, key=lambda q: q.id))
