"""The points ledger and what is read from it: leaderboards, stats, streak history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.domain import (
    ChannelRef,
    MemberRef,
    Platform,
    Round,
    RoundStatus,
)
from bot.ports import MemberSummary
from storage.rows import (
    StoreBase,
    member_of,
)
from storage.tables import (
    AnswerRow,
    ChannelRow,
    MemberRow,
    PointRow,
    RoundRow,
)


class LedgerStore(StoreBase):
    def award(self, round_: Round, member: MemberRef, reason: str, points: int, now: dt.datetime) -> bool:
        """Add a ledger line; False when this member already got points for this reason in this round."""
        if points <= 0:
            return False
        row = PointRow(
            member_id=self._member_row_id(member),
            channel_id=self._channel_row(round_.channel).id,
            round_id=round_.id,
            reason=reason,
            points=points,
            awarded_at=now,
        )
        return self._add_once(row)

    def points_by_member(
        self,
        *,
        channel: ChannelRef | None = None,
        platform: Platform | None = None,
        workspace_id: str | None = None,
        since: dt.datetime | None = None,
    ) -> list[tuple[MemberRef, int]]:
        """Points per member, highest first, for one channel or a whole workspace."""
        total = func.sum(PointRow.points).label("total")
        query = select(MemberRow, total).join(PointRow, PointRow.member_id == MemberRow.id)
        if channel is not None:
            channel_id = self._channel_id(channel)
            if channel_id is None:
                return []
            query = query.where(PointRow.channel_id == channel_id)
        else:
            query = query.join(ChannelRow, PointRow.channel_id == ChannelRow.id).where(
                ChannelRow.platform == (platform.value if platform else None),
                ChannelRow.workspace_id == workspace_id,
            )
        if since is not None:
            query = query.where(PointRow.awarded_at >= since)
        query = query.group_by(MemberRow.id).order_by(total.desc(), MemberRow.display_name, MemberRow.id)
        return [(member_of(m), int(t)) for m, t in self.session.execute(query).all()]

    def member_summary(self, member: MemberRef) -> MemberSummary:
        member_id = self._known_member_id(member)
        if member_id is None:
            return {"points": 0, "rounds_answered": 0, "average_coverage": None, "by_category": {}}
        points = self.session.scalar(
            select(func.coalesce(func.sum(PointRow.points), 0)).where(PointRow.member_id == member_id)
        )
        answered = self.session.execute(
            select(RoundRow.category, func.count(AnswerRow.id), func.avg(AnswerRow.coverage))
            .join(RoundRow, AnswerRow.round_id == RoundRow.id)
            .where(AnswerRow.member_id == member_id, AnswerRow.text != "")
            .group_by(RoundRow.category)
        ).all()
        overall = self.session.scalar(
            select(func.avg(AnswerRow.coverage)).where(AnswerRow.member_id == member_id, AnswerRow.text != "")
        )
        return {
            "points": int(points or 0),
            "rounds_answered": sum(int(n) for _, n, _ in answered),
            "average_coverage": float(overall) if overall is not None else None,
            "by_category": {c: float(avg) for c, _, avg in answered if avg is not None},
        }

    def answered_questions(self, member: MemberRef) -> list[tuple[str, float]]:
        """(question id, coverage) of the member's scored answers, for per-topic strengths."""
        rows = self.session.execute(
            select(RoundRow.question_id, AnswerRow.coverage)
            .join(RoundRow, AnswerRow.round_id == RoundRow.id)
            .where(AnswerRow.member_id == self._known_member_id(member), AnswerRow.coverage.is_not(None))
        ).all()
        return [(qid, float(cov)) for qid, cov in rows if cov is not None]

    def daily_participation(self, channel: ChannelRef, member: MemberRef) -> list[tuple[dt.date, bool, bool]]:
        """The channel's daily rounds, newest first: (local date, member answered before the reveal,
        round revealed). Only days that had a round appear, so weekends, skips and pauses never count."""
        channel_id = self._channel_id(channel)
        if channel_id is None:
            return []
        member_id = self._known_member_id(member)
        if member_id is None:
            return []
        answered = (
            select(AnswerRow.round_id)
            .where(AnswerRow.member_id == member_id, AnswerRow.late.is_(False), AnswerRow.text != "")
            .scalar_subquery()
        )
        rows = self.session.execute(
            select(RoundRow.daily_date, RoundRow.id.in_(answered), RoundRow.status)
            .where(RoundRow.channel_id == channel_id, RoundRow.daily_date.is_not(None))
            .order_by(RoundRow.daily_date.desc())
        ).all()
        return [
            (day, bool(done), status == RoundStatus.REVEALED.value)
            for day, done, status in rows
            if day is not None
        ]
