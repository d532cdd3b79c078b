"""Answers (one per member and round, kept as message parts), votes, and processed event ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.domain import (
    ChannelRef,
    MemberRef,
    Platform,
    RoundStatus,
    StoredAnswer,
)
from bot.ports import SavedPart
from storage.rows import (
    StoreBase,
    changed_one,
    stored_answer_of,
)
from storage.tables import (
    AnswerRow,
    MemberRow,
    ProcessedEventRow,
    RoundRow,
    VoteRow,
)


class AnswerStore(StoreBase):
    def mark_event(self, platform: Platform, event_id: str, now: dt.datetime) -> bool:
        """Remember an inbound event; False when it was already processed (a platform retry)."""
        # One INSERT ... ON CONFLICT DO NOTHING: no savepoint round trips, and a retry racing the first
        # delivery on another replica waits for it and then finds its id taken.
        dialect = self.session.get_bind().dialect.name
        insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert_(ProcessedEventRow)
            .values(platform=platform.value, event_id=event_id, processed_at=now)
            .on_conflict_do_nothing()
            .returning(ProcessedEventRow.event_id)
        )
        # No autoflush: the answer part changed just before is written once, at commit, not per event.
        with self.session.no_autoflush:
            return self.session.execute(statement).first() is not None

    def _answer_row(self, round_id: int, member_id: int) -> AnswerRow | None:
        locked = self._locked_answers.get((round_id, member_id))
        if locked is not None:  # locked earlier in this transaction: nobody else can have changed it
            return locked
        row = self._lock_answer_row(round_id, member_id)
        if row is not None:
            self._locked_answers[(round_id, member_id)] = row
        return row

    def _lock_answer_row(self, round_id: int, member_id: int) -> AnswerRow | None:
        """The answer row, locked until the transaction ends: its parts are read, changed and written back,
        and two replicas doing that at once would lose one's part (PostgreSQL's FOR UPDATE makes the second
        wait and read the first's parts; SQLite takes its write lock at BEGIN, see database.py)."""
        return self.session.scalars(
            select(AnswerRow)
            .where(AnswerRow.round_id == round_id, AnswerRow.member_id == member_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()

    def save_answer_part(
        self,
        round_id: int,
        member: MemberRef,
        *,
        message_id: str | None,
        text: str,
        now: dt.datetime,
        late: bool,
        truncated: bool,
    ) -> SavedPart:
        """Add or edit one message of a member's answer: whether the answer is new, and its length now."""
        member_id = self._member_row_id(member)
        row = self._answer_row(round_id, member_id)
        created = row is None or not row.parts
        if row is None:
            row = AnswerRow(
                round_id=round_id,
                member_id=member_id,
                text="",
                parts=[],
                created_at=now,
                updated_at=now,
                late=late,
                truncated=False,
            )
            if not self._add_once(row):
                row = self._answer_row(round_id, member_id)
                assert row is not None
                created = False
        parts = [dict(p) for p in row.parts]
        for part in parts:
            if message_id is not None and part.get("message_id") == message_id:
                part["text"] = text
                break
        else:
            parts.append({"message_id": message_id, "text": text})
        if created:
            row.late = late
            row.created_at = now
        row.parts = parts
        row.text = "\n\n".join(p["text"] for p in parts)
        row.truncated = row.truncated or truncated
        row.updated_at = now
        return SavedPart(created, len(row.text))

    def withdraw_answer_part(
        self, round_id: int, member: MemberRef, message_id: str, now: dt.datetime
    ) -> bool:
        member_id = self._known_member_id(member)
        row = self._answer_row(round_id, member_id) if member_id is not None else None
        if row is None:
            return False
        parts = [dict(p) for p in row.parts if p.get("message_id") != message_id]
        if len(parts) == len(row.parts):
            return False
        row.parts = parts
        row.text = "\n\n".join(p["text"] for p in parts)
        row.updated_at = now
        self.session.flush()
        return True

    def answers(self, round_id: int) -> list[StoredAnswer]:
        """Answers with at least one message left (a fully withdrawn answer is no answer)."""
        return [answer for answer, _parts in self._answers_with_parts(round_id)]

    def _answers_with_parts(self, round_id: int) -> list[tuple[StoredAnswer, list[dict[str, Any]]]]:
        rows = self.session.execute(
            select(AnswerRow, MemberRow)
            .join(MemberRow, AnswerRow.member_id == MemberRow.id)
            .where(AnswerRow.round_id == round_id)
            .order_by(AnswerRow.created_at, AnswerRow.id)
        ).all()
        return [(stored_answer_of(a, m), list(a.parts)) for a, m in rows if a.parts]

    def answer_by_message(self, channel: ChannelRef, message_id: str) -> StoredAnswer | None:
        channel_id = self._channel_id(channel)
        if channel_id is None:
            return None
        open_rounds = self.session.scalars(
            select(RoundRow.id).where(
                RoundRow.channel_id == channel_id,
                RoundRow.status.in_([RoundStatus.OPEN.value, RoundStatus.POSTING.value]),
            )
        ).all()
        for round_id in open_rounds:
            for answer, parts in self._answers_with_parts(round_id):
                if any(p.get("message_id") == message_id for p in parts):
                    return answer
        return None

    def add_vote(self, answer_id: int, voter: MemberRef, now: dt.datetime) -> bool:
        row = VoteRow(answer_id=answer_id, voter_id=self._member_row_id(voter), created_at=now)
        return self._add_once(row)

    def remove_vote(self, answer_id: int, voter: MemberRef) -> bool:
        result = self.session.execute(
            delete(VoteRow).where(
                VoteRow.answer_id == answer_id, VoteRow.voter_id == self._known_member_id(voter)
            )
        )
        return changed_one(result)

    def vote_counts(self, round_id: int) -> dict[int, int]:
        rows = self.session.execute(
            select(VoteRow.answer_id, func.count(VoteRow.id))
            .join(AnswerRow, VoteRow.answer_id == AnswerRow.id)
            .where(AnswerRow.round_id == round_id)
            .group_by(VoteRow.answer_id)
        ).all()
        return {answer_id: int(n) for answer_id, n in rows}
