"""The weekly recap: which channels want one, the claim row per channel and week, and last week's figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update

from bot.domain import ChannelRef, ChannelSettings, MemberRef, RecapData, TopAnswer
from storage.rows import StoreBase, changed_one, member_of, settings_of
from storage.tables import AnswerRow, ChannelRow, MemberRow, PointRow, RecapRow, RoundRow, VoteRow

# A topic counts among the weakest only with this many answers in the week: one bad answer is no pattern.
WEAK_TOPIC_MIN_ANSWERS = 3


class RecapStore(StoreBase):
    def recap_channels(self) -> list[tuple[ChannelSettings, str | None]]:
        last = (
            select(func.max(RecapRow.week))
            .where(RecapRow.channel_id == ChannelRow.id, RecapRow.status == "posted")
            .scalar_subquery()
            .label("last_recap")
        )
        query = select(ChannelRow.__table__, last).where(
            ChannelRow.recap_weekly.is_(True), ChannelRow.active.is_(True)
        )
        return [(settings_of(r), r.last_recap) for r in self.session.execute(query)]

    def claim_recap(
        self, channel: ChannelRef, week: str, now: dt.datetime, stale_before: dt.datetime
    ) -> bool:
        """The one process that posts this channel's recap of `week`: a new claim row, or a claim whose
        holder stopped renewing it (it crashed mid-post)."""
        channel_id = self._channel_row(channel).id
        if self._add_once(RecapRow(channel_id=channel_id, week=week, status="posting", claimed_at=now)):
            return True
        result = self.session.execute(
            update(RecapRow)
            .where(
                RecapRow.channel_id == channel_id,
                RecapRow.week == week,
                RecapRow.status == "posting",
                RecapRow.claimed_at < stale_before,
            )
            .values(claimed_at=now)
        )
        return changed_one(result)

    def renew_recap_claim(self, channel: ChannelRef, week: str, now: dt.datetime) -> None:
        self.session.execute(
            update(RecapRow)
            .where(
                RecapRow.channel_id == self._channel_row(channel).id,
                RecapRow.week == week,
                RecapRow.status == "posting",
            )
            .values(claimed_at=now)
        )

    def mark_recap_posted(self, channel: ChannelRef, week: str, message_id: str, now: dt.datetime) -> None:
        self.session.execute(
            update(RecapRow)
            .where(RecapRow.channel_id == self._channel_row(channel).id, RecapRow.week == week)
            .values(status="posted", posted_at=now, message_id=message_id)
        )

    def recap_data(
        self, channel: ChannelRef, week: str, start: dt.datetime, end: dt.datetime, top: int = 3
    ) -> RecapData:
        """Answers, the most upvoted ones, rank changes and the weakest topics of [start, end)."""
        channel_id = self._channel_row(channel).id
        in_week = (
            RoundRow.channel_id == channel_id,
            AnswerRow.created_at >= start,
            AnswerRow.created_at < end,
        )
        answers = self.session.scalar(
            select(func.count(AnswerRow.id)).join(RoundRow, AnswerRow.round_id == RoundRow.id).where(*in_week)
        )
        votes = func.count(VoteRow.id).label("votes")
        voted = self.session.execute(
            select(MemberRow, RoundRow.question_id, votes)
            .select_from(AnswerRow)
            .join(RoundRow, AnswerRow.round_id == RoundRow.id)
            .join(MemberRow, AnswerRow.member_id == MemberRow.id)
            .join(VoteRow, VoteRow.answer_id == AnswerRow.id)
            .where(*in_week)
            .group_by(AnswerRow.id, MemberRow.id, RoundRow.question_id)
            .order_by(votes.desc(), AnswerRow.id)
            .limit(top)
        ).all()
        weak = self.session.execute(
            select(RoundRow.category, func.avg(AnswerRow.coverage), func.count(AnswerRow.id))
            .join(RoundRow, AnswerRow.round_id == RoundRow.id)
            .where(*in_week, AnswerRow.coverage.is_not(None))
            .group_by(RoundRow.category)
            .having(func.count(AnswerRow.id) >= WEAK_TOPIC_MIN_ANSWERS)
            .order_by(func.avg(AnswerRow.coverage), RoundRow.category)
            .limit(top)
        ).all()
        return RecapData(
            week=week,
            answers=int(answers or 0),
            top_answers=tuple(
                TopAnswer(member=member_of(m), question_id=q, votes=int(v)) for m, q, v in voted
            ),
            movers=self._movers(channel_id, start, end, top),
            weakest=tuple((str(c), float(avg), int(n)) for c, avg, n in weak),
        )

    def _movers(
        self, channel_id: int, start: dt.datetime, end: dt.datetime, top: int
    ) -> tuple[tuple[MemberRef, int, int | None], ...]:
        """The week's top members by points, with their rank in the week before (None: new)."""
        this_week = self._ranks(channel_id, start, end)
        week_before = {m.key: rank for m, rank in self._ranks(channel_id, start - (end - start), start)}
        return tuple((m, rank, week_before.get(m.key)) for m, rank in this_week[:top])

    def _ranks(
        self, channel_id: int, start: dt.datetime, end: dt.datetime
    ) -> Sequence[tuple[MemberRef, int]]:
        total = func.sum(PointRow.points).label("total")
        rows = self.session.execute(
            select(MemberRow, total)
            .join(PointRow, PointRow.member_id == MemberRow.id)
            .where(PointRow.channel_id == channel_id, PointRow.awarded_at >= start, PointRow.awarded_at < end)
            .group_by(MemberRow.id)
            .order_by(total.desc(), MemberRow.display_name, MemberRow.id)
        ).all()
        return [(member_of(m), i) for i, (m, _t) in enumerate(rows, start=1)]
