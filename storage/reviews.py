"""Spaced-repetition cards per member and question."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from bot.domain import (
    MemberRef,
    ReviewState,
)
from storage.rows import (
    StoreBase,
    review_state_of,
)
from storage.tables import (
    AnswerRow,
    ReviewCardRow,
    RoundRow,
)


class ReviewStore(StoreBase):
    def review_card(self, member: MemberRef, question_id: str) -> ReviewState | None:
        row = self._review_row(member, question_id)
        return review_state_of(row) if row else None

    def _review_row(self, member: MemberRef, question_id: str) -> ReviewCardRow | None:
        return self.session.scalars(
            select(ReviewCardRow).where(
                ReviewCardRow.member_id == self._known_member_id(member),
                ReviewCardRow.question_id == question_id,
            )
        ).first()

    def save_review_card(
        self,
        member: MemberRef,
        question_id: str,
        *,
        card: dict[str, Any],
        due_at: dt.datetime,
        now: dt.datetime,
        reason: str = "review",
        graded_round: int | None = None,
    ) -> bool:
        """Create or update a card. False when `graded_round` was graded already (a double click)."""
        row = self._review_row(member, question_id)
        if row is None:
            row = ReviewCardRow(
                member_id=self._member_row_id(member),
                question_id=question_id,
                card=card,
                due_at=due_at,
                reason=reason,
                last_round_id=graded_round,
                updated_at=now,
            )
            return self._add_once(row)
        if graded_round is not None and row.last_round_id == graded_round:
            return False
        row.card, row.due_at, row.updated_at = card, due_at, now
        if graded_round is not None:
            row.last_round_id = graded_round
        self.session.flush()
        return True

    def due_reviews(self, member: MemberRef, now: dt.datetime) -> list[ReviewState]:
        """Cards due by `now`, most overdue first."""
        rows = self.session.scalars(
            select(ReviewCardRow)
            .where(ReviewCardRow.member_id == self._known_member_id(member), ReviewCardRow.due_at <= now)
            .order_by(ReviewCardRow.due_at, ReviewCardRow.id)
        )
        return [review_state_of(r) for r in rows]

    def next_review_at(self, member: MemberRef, after: dt.datetime | None = None) -> dt.datetime | None:
        query = select(func.min(ReviewCardRow.due_at)).where(
            ReviewCardRow.member_id == self._known_member_id(member)
        )
        if after is not None:
            query = query.where(ReviewCardRow.due_at > after)
        return self.session.scalar(query)

    def seen_question_ids(self, member: MemberRef) -> set[str]:
        """Questions the member answered in any round, or has a review card for."""
        member_id = self._known_member_id(member)
        if member_id is None:
            return set()
        answered = self.session.scalars(
            select(RoundRow.question_id)
            .join(AnswerRow, AnswerRow.round_id == RoundRow.id)
            .where(AnswerRow.member_id == member_id)
        )
        carded = self.session.scalars(
            select(ReviewCardRow.question_id).where(ReviewCardRow.member_id == member_id)
        )
        return set(answered) | set(carded)
