"""Grades: the cache of assessments by answer text, and the assessment each revealed answer got."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from bot.domain import ChannelRef, Contest, ContestStatus, MemberRef, StoredAnswer
from bot.grading import Assessment
from storage.rows import StoreBase, changed_one, channel_ref_of, member_of, stored_answer_of
from storage.tables import AnswerRow, AssessmentRow, ChannelRow, ContestRow, MemberRow, RoundRow

_CONTESTS = (
    select(ContestRow, AnswerRow, RoundRow, MemberRow, ChannelRow)
    .join(AnswerRow, ContestRow.answer_id == AnswerRow.id)
    .join(RoundRow, AnswerRow.round_id == RoundRow.id)
    .join(MemberRow, AnswerRow.member_id == MemberRow.id)
    .join(ChannelRow, RoundRow.channel_id == ChannelRow.id)
)


def _contest(row: Any) -> Contest:
    contest, answer, round_, member, channel = row
    return Contest(
        id=contest.id,
        answer_id=answer.id,
        round_id=round_.id,
        channel=channel_ref_of(channel),
        member=member_of(member),
        question_id=round_.question_id,
        point=contest.point,
        status=ContestStatus(contest.status),
        reason=contest.reason,
        answer_text=answer.text,
    )


class GradingStore(StoreBase):
    def cached_assessment(
        self, question_id: str, answer_hash: str, grader: str, model: str
    ) -> Assessment | None:
        body = self.session.scalar(
            select(AssessmentRow.body).where(
                AssessmentRow.question_id == question_id,
                AssessmentRow.answer_hash == answer_hash,
                AssessmentRow.grader == grader,
                AssessmentRow.model == model,
            )
        )
        return Assessment.model_validate(body) if body is not None else None

    def save_assessment(
        self, question_id: str, answer_hash: str, assessment: Assessment, now: dt.datetime
    ) -> bool:
        """Cache a grade; False when another replica cached the same one first."""
        row = AssessmentRow(
            question_id=question_id,
            answer_hash=answer_hash,
            grader=assessment.grader,
            model=assessment.model,
            body=assessment.model_dump(mode="json"),
            created_at=now,
        )
        return self._add_once(row)

    def save_feedback(self, answer_id: int, assessment: Assessment) -> None:
        self.session.execute(
            update(AnswerRow)
            .where(AnswerRow.id == answer_id)
            .values(
                coverage=assessment.score,
                covered_points=list(assessment.covered),
                assessment=assessment.model_dump(mode="json"),
            )
        )

    def answer_assessment(self, answer_id: int) -> Assessment | None:
        body = self.session.scalar(select(AnswerRow.assessment).where(AnswerRow.id == answer_id))
        return Assessment.model_validate(body) if body is not None else None

    def answer(self, answer_id: int) -> StoredAnswer | None:
        row = self.session.execute(
            select(AnswerRow, MemberRow)
            .join(MemberRow, AnswerRow.member_id == MemberRow.id)
            .where(AnswerRow.id == answer_id)
        ).first()
        if row is None:
            return None
        return stored_answer_of(*row)

    def latest_graded_answer(self, channel: ChannelRef, member: MemberRef) -> StoredAnswer | None:
        """The member's newest answer in this channel that a reveal graded."""
        channel_id, member_id = self._channel_id(channel), self._known_member_id(member)
        if channel_id is None or member_id is None:
            return None
        answer_id = self.session.scalar(
            select(AnswerRow.id)
            .join(RoundRow, AnswerRow.round_id == RoundRow.id)
            .where(
                RoundRow.channel_id == channel_id,
                AnswerRow.member_id == member_id,
                AnswerRow.assessment.is_not(None),
            )
            .order_by(AnswerRow.updated_at.desc(), AnswerRow.id.desc())
            .limit(1)
        )
        return self.answer(answer_id) if answer_id is not None else None

    def open_contest(self, answer_id: int, point: str, now: dt.datetime) -> tuple[Contest, bool]:
        """Record a contest of one point of an answer; (the contest, whether it is new). Contesting the same
        point twice finds the first contest."""
        created = self._add_once(ContestRow(answer_id=answer_id, point=point, status="open", created_at=now))
        row = self.session.execute(
            _CONTESTS.where(ContestRow.answer_id == answer_id, ContestRow.point == point)
        ).one()
        return _contest(row), created

    def contest(self, contest_id: int) -> Contest | None:
        row = self.session.execute(_CONTESTS.where(ContestRow.id == contest_id)).first()
        return _contest(row) if row else None

    def contests(self, channel: ChannelRef | None, status: ContestStatus | None = None) -> list[Contest]:
        """A channel's contests (every channel's with None), oldest first."""
        query = _CONTESTS.order_by(ContestRow.id)
        if channel is not None:
            channel_id = self._channel_id(channel)
            if channel_id is None:
                return []
            query = query.where(RoundRow.channel_id == channel_id)
        if status is not None:
            query = query.where(ContestRow.status == status.value)
        return [_contest(row) for row in self.session.execute(query).all()]

    def decide_contest(
        self, contest_id: int, status: ContestStatus, reason: str, by: str, now: dt.datetime
    ) -> bool:
        """Accept or reject an open contest; False when it was decided already (another admin, a retry)."""
        result = self.session.execute(
            update(ContestRow)
            .where(ContestRow.id == contest_id, ContestRow.status == ContestStatus.OPEN.value)
            .values(status=status.value, reason=reason, decided_by=by, decided_at=now)
        )
        return changed_one(result)
