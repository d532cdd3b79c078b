"""Rounds: created, posted, published, revealed; each step claimed by one conditional UPDATE."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update

from bot.domain import (
    ChannelRef,
    MemberRef,
    Round,
    RoundKind,
    RoundStatus,
    ThreadRef,
    Visibility,
)
from bot.ports import RevealTrouble
from storage.rows import StoreBase, changed_one, channel_ref_of
from storage.tables import AnswerRow, ChannelRow, RoundRow


class RoundStore(StoreBase):
    def create_round(
        self,
        channel: ChannelRef,
        *,
        question_id: str,
        category: str,
        kind: RoundKind,
        visibility: Visibility,
        now: dt.datetime,
        requested_by: MemberRef | None = None,
        daily_date: dt.date | None = None,
        reveal_due_at: dt.datetime | None = None,
    ) -> Round | None:
        """Claim a new round. Returns None when the channel already has its daily round for that date."""
        channel_row = self._channel_row(channel)
        status = RoundStatus.POSTING if visibility is Visibility.PUBLIC else RoundStatus.OPEN
        row = RoundRow(
            channel_id=channel_row.id,
            question_id=question_id,
            category=category,
            kind=kind.value,
            status=status.value,
            visibility=visibility.value,
            requested_by_id=self._member_row_id(requested_by) if requested_by else None,
            daily_date=daily_date,
            created_at=now,
            claimed_at=now,
            reveal_due_at=reveal_due_at,
            posted_at=now if status is RoundStatus.OPEN else None,
        )
        if daily_date is None:  # only a daily round can meet another process's claim on its date
            self.session.add(row)
            self.session.flush()
            return self._round(row)
        return self._round(row) if self._add_once(row) else None

    def mark_posted(self, round_id: int, message_id: str, now: dt.datetime) -> None:
        self.session.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id)
            .values(message_id=message_id, posted_at=now, status=RoundStatus.OPEN.value)
        )

    def round(self, round_id: int) -> Round | None:
        row = self.session.get(RoundRow, round_id)
        return self._round(row) if row else None

    def round_by_thread(self, thread: ThreadRef) -> Round | None:
        key = (*thread.channel.key, thread.message_id)
        if key in self._rounds_by_thread:
            return self._rounds_by_thread[key]
        channel_id = self._channel_id(thread.channel)
        if channel_id is None:
            return None
        row = self.session.scalars(
            select(RoundRow).where(
                RoundRow.channel_id == channel_id, RoundRow.message_id == thread.message_id
            )
        ).first()
        if row is None:
            return None
        round_ = self._round(row)
        self._rounds_by_thread[key] = round_
        return round_

    def latest_round(
        self,
        channel: ChannelRef,
        *,
        statuses: Sequence[RoundStatus],
        visibility: Visibility | None = None,
        requested_by: MemberRef | None = None,
        kinds: Sequence[RoundKind] | None = None,
    ) -> Round | None:
        channel_id = self._channel_id(channel)
        if channel_id is None:
            return None
        query = select(RoundRow).where(
            RoundRow.channel_id == channel_id, RoundRow.status.in_([s.value for s in statuses])
        )
        if kinds is not None:
            query = query.where(RoundRow.kind.in_([k.value for k in kinds]))
        if visibility is not None:
            query = query.where(RoundRow.visibility == visibility.value)
        if requested_by is not None:
            requester = self._known_member_id(requested_by)
            if requester is None:
                return None
            query = query.where(RoundRow.requested_by_id == requester)
        row = self.session.scalars(query.order_by(RoundRow.created_at.desc(), RoundRow.id.desc())).first()
        return self._round(row) if row else None

    def round_for_date(self, channel: ChannelRef, day: dt.date) -> Round | None:
        channel_id = self._channel_id(channel)
        if channel_id is None:
            return None
        row = self.session.scalars(
            select(RoundRow).where(RoundRow.channel_id == channel_id, RoundRow.daily_date == day)
        ).first()
        return self._round(row) if row else None

    def question_history(self, channel: ChannelRef) -> tuple[list[str], int]:
        """The distinct questions this channel was asked, most recently asked first, and how many rounds it
        had. Grouped in SQL, so the cost follows the size of the question bank, not the channel's age."""
        channel_id = self._channel_id(channel)
        if channel_id is None:
            return [], 0
        last_asked = func.max(RoundRow.id)
        rows = self.session.execute(
            select(RoundRow.question_id, func.count(RoundRow.id), last_asked)
            .where(RoundRow.channel_id == channel_id)
            .group_by(RoundRow.question_id)
            .order_by(last_asked.desc())
        ).all()
        return [qid for qid, _, _ in rows], sum(int(n) for _, n, _ in rows)

    def rounds_being_posted(self, channel: ChannelRef) -> bool:
        channel_id = self._channel_id(channel)
        if channel_id is None:
            return False
        found = self.session.scalar(
            select(RoundRow.id)
            .where(RoundRow.channel_id == channel_id, RoundRow.status == RoundStatus.POSTING.value)
            .limit(1)
        )
        return found is not None

    def claim_publish(self, round_id: int) -> bool:
        """A private round becomes public once, however many times 'Post to channel' is clicked."""
        result = self.session.execute(
            update(RoundRow)
            .where(
                RoundRow.id == round_id,
                RoundRow.visibility == Visibility.PRIVATE.value,
                RoundRow.status == RoundStatus.OPEN.value,
            )
            .values(visibility=Visibility.PUBLIC.value, status=RoundStatus.POSTING.value)
        )
        return changed_one(result)

    def skip_round(self, round_id: int) -> bool:
        """Close an open round nobody answered; False if it was answered, revealed or skipped meanwhile.
        One conditional UPDATE, like every claim."""
        answered = select(AnswerRow.id).where(AnswerRow.round_id == round_id).exists()
        result = self.session.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id, RoundRow.status == RoundStatus.OPEN.value, ~answered)
            .values(status=RoundStatus.SKIPPED.value)
        )
        return changed_one(result)

    def unpublish(self, round_id: int) -> None:
        """Undo `claim_publish` after a failed post."""
        self.session.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id, RoundRow.status == RoundStatus.POSTING.value)
            .values(visibility=Visibility.PRIVATE.value, status=RoundStatus.OPEN.value)
        )

    def claim_reveal(self, round_id: int, now: dt.datetime, stale_before: dt.datetime | None = None) -> bool:
        """Exactly one caller wins the reveal: a conditional UPDATE, atomic on SQLite and PostgreSQL.
        With `stale_before`, a reveal claimed before then and never finished (a crash) can be taken over."""
        claimable = RoundRow.status == RoundStatus.OPEN.value
        if stale_before is not None:
            claimable = claimable | (
                (RoundRow.status == RoundStatus.REVEALING.value) & (RoundRow.claimed_at < stale_before)
            )
        result = self.session.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id, claimable)
            .values(status=RoundStatus.REVEALING.value, claimed_at=now)
        )
        return changed_one(result)

    def release_reveal(self, round_id: int, retry_at: dt.datetime, error: str) -> None:
        """A reveal that failed gives its claim back: open again, tried at `retry_at`."""
        self.session.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id, RoundRow.status == RoundStatus.REVEALING.value)
            .values(
                status=RoundStatus.OPEN.value,
                reveal_failures=RoundRow.reveal_failures + 1,
                reveal_retry_at=retry_at,
                reveal_error=error[:200],
            )
        )

    def failing_reveals(self) -> list[RevealTrouble]:
        """Rounds whose reveal failed and that are not revealed yet, most failures first."""
        rows = self.session.execute(
            select(RoundRow.id, RoundRow.channel_id, RoundRow.reveal_failures, RoundRow.reveal_retry_at)
            .add_columns(RoundRow.reveal_error)
            .where(RoundRow.reveal_failures > 0, RoundRow.status != RoundStatus.REVEALED.value)
            .order_by(RoundRow.reveal_failures.desc(), RoundRow.id)
        ).all()
        out = []
        for row in rows:
            channel = self.session.get(ChannelRow, row.channel_id)
            assert channel is not None
            out.append(
                RevealTrouble(
                    row.id,
                    channel_ref_of(channel),
                    row.reveal_failures,
                    row.reveal_retry_at,
                    row.reveal_error or "",
                )
            )
        return out

    def mark_revealed(self, round_id: int, now: dt.datetime) -> None:
        self.session.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id)
            .values(status=RoundStatus.REVEALED.value, revealed_at=now)
        )
