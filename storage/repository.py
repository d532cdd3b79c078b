"""The SQL store behind the core's ports, and the unit of work that opens it."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, Row, bindparam, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import (
    ChannelRef,
    ChannelSettings,
    MemberRef,
    Platform,
    ReviewState,
    Round,
    RoundKind,
    RoundStatus,
    StoredAnswer,
    ThreadRef,
    Visibility,
)
from bot.ports import DailyRoundState, MemberSummary
from storage.tables import (
    AnswerRow,
    Base,
    ChannelRow,
    MemberRow,
    PointRow,
    ProcessedEventRow,
    ReviewCardRow,
    RoundRow,
    VoteRow,
)

T = TypeVar("T")

_CHANNEL_FIELDS = [
    "active",
    "schedule_enabled",
    "post_time",
    "days",
    "timezone",
    "reveal_after_minutes",
    "reveal_at_time",
    "paused",
    "skip_dates",
    "categories",
    "difficulties",
    "packs",
    "answer_mode",
    "reminder_minutes",
]


class SqlStore:
    """Queries and writes for one transaction. Constraint races resolve in savepoints, never by luck."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- channels and members ---------------------------------------------------------------------------

    def _channel_row(self, ref: ChannelRef, defaults: ChannelSettings | None = None) -> ChannelRow:
        query = select(ChannelRow).where(
            ChannelRow.platform == ref.platform.value,
            ChannelRow.workspace_id == ref.workspace_id,
            ChannelRow.channel_id == ref.channel_id,
        )
        row = self.session.scalars(query).first()
        if row is not None:
            if ref.name and row.name != ref.name:
                row.name = ref.name
            return row
        base = defaults or ChannelSettings(channel=ref)
        values = _settings_to_columns(base)
        row = ChannelRow(
            platform=ref.platform.value,
            workspace_id=ref.workspace_id,
            channel_id=ref.channel_id,
            name=ref.name,
            created_at=dt.datetime.now(dt.UTC),
            **values,
        )
        if not self._add_once(row):  # another replica created it first
            return self.session.scalars(query).one()
        return row

    def channel(self, ref: ChannelRef, defaults: ChannelSettings | None = None) -> ChannelSettings:
        return _channel_settings(self._channel_row(ref, defaults))

    def update_channel(
        self, ref: ChannelRef, defaults: ChannelSettings | None = None, **changes: Any
    ) -> ChannelSettings:
        row = self._channel_row(ref, defaults)
        merged = _channel_settings(row).model_copy(update=changes)
        for key, value in _settings_to_columns(merged).items():
            setattr(row, key, value)
        self.session.flush()
        return _channel_settings(row)

    def channels(self) -> list[ChannelSettings]:
        return [
            _channel_settings(r) for r in self.session.scalars(select(ChannelRow).order_by(ChannelRow.id))
        ]

    def member_id(self, ref: MemberRef) -> int:
        query = select(MemberRow).where(
            MemberRow.platform == ref.platform.value,
            MemberRow.workspace_id == ref.workspace_id,
            MemberRow.user_id == ref.user_id,
        )
        row = self.session.scalars(query).first()
        if row is None:
            row = MemberRow(
                platform=ref.platform.value,
                workspace_id=ref.workspace_id,
                user_id=ref.user_id,
                display_name=ref.display_name,
            )
            if not self._add_once(row):
                row = self.session.scalars(query).one()
        if ref.display_name and row.display_name != ref.display_name:
            row.display_name = ref.display_name
        self.session.flush()
        return row.id

    def find_member(self, platform: Platform, workspace_id: str, text: str) -> MemberRef | None:
        """Resolve what a user typed (`@name`, a user id, a display name) to a known member."""
        key = text.strip().lstrip("@").strip("<>").lstrip("@")
        rows = self.session.scalars(
            select(MemberRow)
            .where(MemberRow.platform == platform.value, MemberRow.workspace_id == workspace_id)
            .where((MemberRow.user_id == key) | (func.lower(MemberRow.display_name) == key.lower()))
        ).all()
        return _member(rows[0]) if rows else None

    # --- rounds -----------------------------------------------------------------------------------------

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
            requested_by_id=self.member_id(requested_by) if requested_by else None,
            daily_date=daily_date,
            created_at=now,
            claimed_at=now,
            reveal_due_at=reveal_due_at,
            posted_at=now if status is RoundStatus.OPEN else None,
        )
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
        channel_id = self._channel_id(thread.channel)
        if channel_id is None:
            return None
        row = self.session.scalars(
            select(RoundRow).where(
                RoundRow.channel_id == channel_id, RoundRow.message_id == thread.message_id
            )
        ).first()
        return self._round(row) if row else None

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
            query = query.where(RoundRow.requested_by_id == self.member_id(requested_by))
        row = self.session.scalars(query.order_by(RoundRow.created_at.desc(), RoundRow.id.desc())).first()
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

    def history_by_channel(self, channel_row_ids: Sequence[int]) -> dict[int, tuple[list[str], int]]:
        """For many channels at once: question ids asked (newest first) and the number of daily rounds."""
        out: dict[int, tuple[list[str], int]] = {cid: ([], 0) for cid in channel_row_ids}
        is_daily = func.sum(case((RoundRow.kind == RoundKind.DAILY.value, 1), else_=0))
        last_asked = func.max(RoundRow.id)
        for start in range(0, len(channel_row_ids), 1000):
            chunk = channel_row_ids[start : start + 1000]
            # One row per (channel, question): bounded by the bank's size, however old the channels are.
            rows = self.session.execute(
                select(RoundRow.channel_id, RoundRow.question_id, is_daily, last_asked)
                .where(RoundRow.channel_id.in_(chunk))
                .group_by(RoundRow.channel_id, RoundRow.question_id)
                .order_by(RoundRow.channel_id, last_asked.desc())
            ).all()
            for channel_id, question_id, dailies, _ in rows:
                asked, total = out[channel_id]
                asked.append(question_id)
                out[channel_id] = (asked, total + int(dailies or 0))
        return out

    def claim_daily_rounds(self, claims: Sequence[dict[str, Any]], now: dt.datetime) -> dict[int, int]:
        """Insert many daily rounds in one statement; a (channel, date) another process already claimed is
        skipped by the unique key. Returns {channel row id: new round id} for the claims this call won."""
        if not claims:
            return {}
        rows = [
            {
                **claim,
                "kind": RoundKind.DAILY.value,
                "status": RoundStatus.POSTING.value,
                "visibility": Visibility.PUBLIC.value,
                "created_at": now,
                "claimed_at": now,
            }
            for claim in claims
        ]
        dialect = self.session.get_bind().dialect.name
        insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
        won: dict[int, int] = {}
        for start in range(0, len(rows), 500):
            statement = (
                insert_(RoundRow)
                .on_conflict_do_nothing(index_elements=["channel_id", "daily_date"])
                .returning(RoundRow.channel_id, RoundRow.id)
            )
            for channel_id, round_id in self.session.execute(statement, rows[start : start + 500]):
                won[channel_id] = round_id
        return won

    def mark_posted_many(self, posted: Sequence[tuple[int, str]], now: dt.datetime) -> None:
        if not posted:
            return
        table = RoundRow.__table__
        # Core executemany: one round trip for the batch (an ORM UPDATE would want one statement per row).
        self.session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("round_id"))
            .values(message_id=bindparam("message"), posted_at=now, status=RoundStatus.OPEN.value),
            [{"round_id": rid, "message": mid} for rid, mid in posted],
        )

    def reclaim_post(self, round_id: int, now: dt.datetime, stale_before: dt.datetime) -> bool:
        """Take over a post that was claimed before `stale_before` and never confirmed sent."""
        result = self.session.execute(
            update(RoundRow)
            .where(
                RoundRow.id == round_id,
                RoundRow.status == RoundStatus.POSTING.value,
                RoundRow.claimed_at < stale_before,
            )
            .values(claimed_at=now)
        )
        return result.rowcount == 1

    def daily_round_states(
        self, channel_row_ids: Sequence[int], first_date: dt.date
    ) -> dict[tuple[int, dt.date], DailyRoundState]:
        """The daily rounds of these channels on or after a date, by (channel row id, local date)."""
        rows = self.session.execute(
            select(RoundRow.id, RoundRow.channel_id, RoundRow.daily_date, RoundRow.status)
            .add_columns(RoundRow.claimed_at)
            .where(RoundRow.channel_id.in_(channel_row_ids), RoundRow.daily_date >= first_date)
        ).all()
        return {
            (r.channel_id, r.daily_date): DailyRoundState(r.id, r.status, r.claimed_at)
            for r in rows
            if r.daily_date is not None
        }

    def schedule_shapes(self) -> set[tuple[str, tuple[str, ...], str, tuple[dt.date, ...]]]:
        """The distinct (post time, days, timezone, skip dates) of active schedules: all the scheduler needs
        to know when the next posts are, however many channels share them."""
        rows = self.session.execute(
            select(ChannelRow.post_time, ChannelRow.days, ChannelRow.timezone, ChannelRow.skip_dates).where(
                ChannelRow.schedule_enabled.is_(True),
                ChannelRow.active.is_(True),
                ChannelRow.paused.is_(False),
            )
        )
        return {
            (
                post_time,
                tuple(days.split(",")) if days else (),
                timezone,
                tuple(dt.date.fromisoformat(d) for d in skip_dates or ()),
            )
            for post_time, days, timezone, skip_dates in rows
        }

    def scheduled_channels(
        self, *, after_row_id: int = 0, limit: int | None = None
    ) -> list[tuple[int, ChannelSettings]]:
        """Channels with an active schedule, by row id; a page of them with `after_row_id` and `limit`."""
        # Plain rows, not ORM objects: a sweep reads every scheduled channel, and building ten thousand
        # tracked instances cost more than the query (bench/fanout.py).
        query = (
            select(ChannelRow.__table__)
            .where(
                ChannelRow.schedule_enabled.is_(True),
                ChannelRow.active.is_(True),
                ChannelRow.paused.is_(False),
                ChannelRow.id > after_row_id,
            )
            .order_by(ChannelRow.id)
            .limit(limit)
        )
        return [(r.id, _channel_settings(r)) for r in self.session.execute(query)]

    def rounds_to_reveal(self, now: dt.datetime, stale_before: dt.datetime) -> list[int]:
        """Rounds whose reveal is due, and reveals claimed long ago that never finished."""
        return list(
            self.session.scalars(
                select(RoundRow.id)
                .where(
                    ((RoundRow.status == RoundStatus.OPEN.value) & (RoundRow.reveal_due_at <= now))
                    | (
                        (RoundRow.status == RoundStatus.REVEALING.value)
                        & (RoundRow.claimed_at < stale_before)
                    )
                )
                .order_by(RoundRow.reveal_due_at, RoundRow.id)
            )
        )

    def rounds_to_remind(self, now: dt.datetime) -> list[tuple[int, int]]:
        """Open daily rounds whose channel wants a reminder that is due: (round id, minutes left)."""
        rows = self.session.execute(
            select(RoundRow.id, RoundRow.reveal_due_at, ChannelRow.reminder_minutes)
            .join(ChannelRow, RoundRow.channel_id == ChannelRow.id)
            .where(
                RoundRow.status == RoundStatus.OPEN.value,
                RoundRow.reminded_at.is_(None),
                RoundRow.reveal_due_at.is_not(None),
                RoundRow.kind == RoundKind.DAILY.value,
                ChannelRow.reminder_minutes.is_not(None),
            )
        ).all()
        out = []
        for round_id, due_at, minutes in rows:
            left = due_at - now
            if dt.timedelta(0) < left <= dt.timedelta(minutes=minutes):
                out.append((round_id, max(1, round(left.total_seconds() / 60))))
        return out

    def claim_reminder(self, round_id: int, now: dt.datetime) -> bool:
        result = self.session.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id, RoundRow.reminded_at.is_(None))
            .values(reminded_at=now)
        )
        return result.rowcount == 1

    def round_for_date(self, channel: ChannelRef, day: dt.date) -> Round | None:
        channel_id = self._channel_id(channel)
        if channel_id is None:
            return None
        row = self.session.scalars(
            select(RoundRow).where(RoundRow.channel_id == channel_id, RoundRow.daily_date == day)
        ).first()
        return self._round(row) if row else None

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
        return result.rowcount == 1

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
        return result.rowcount == 1

    def mark_revealed(self, round_id: int, now: dt.datetime) -> None:
        self.session.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id)
            .values(status=RoundStatus.REVEALED.value, revealed_at=now)
        )

    # --- answers ----------------------------------------------------------------------------------------

    def mark_event(self, platform: Platform, event_id: str, now: dt.datetime) -> bool:
        """Remember an inbound event; False when it was already processed (a platform retry)."""
        return self._add_once(ProcessedEventRow(platform=platform.value, event_id=event_id, processed_at=now))

    def _answer_row(self, round_id: int, member_id: int) -> AnswerRow | None:
        return self.session.scalars(
            select(AnswerRow).where(AnswerRow.round_id == round_id, AnswerRow.member_id == member_id)
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
    ) -> bool:
        """Add or edit one message of a member's answer. Returns True when the answer is new."""
        member_id = self.member_id(member)
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
        self.session.flush()
        return created

    def withdraw_answer_part(
        self, round_id: int, member: MemberRef, message_id: str, now: dt.datetime
    ) -> bool:
        row = self._answer_row(round_id, self.member_id(member))
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
        return [
            (
                StoredAnswer(
                    id=a.id,
                    round_id=a.round_id,
                    member=_member(m),
                    text=a.text,
                    late=a.late,
                    truncated=a.truncated,
                    created_at=a.created_at,
                    coverage=a.coverage,
                    covered_points=tuple(a.covered_points or ()),
                ),
                list(a.parts),
            )
            for a, m in rows
            if a.parts
        ]

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
        row = VoteRow(answer_id=answer_id, voter_id=self.member_id(voter), created_at=now)
        return self._add_once(row)

    def remove_vote(self, answer_id: int, voter: MemberRef) -> bool:
        result = self.session.execute(
            delete(VoteRow).where(VoteRow.answer_id == answer_id, VoteRow.voter_id == self.member_id(voter))
        )
        return result.rowcount == 1

    def vote_counts(self, round_id: int) -> dict[int, int]:
        rows = self.session.execute(
            select(VoteRow.answer_id, func.count(VoteRow.id))
            .join(AnswerRow, VoteRow.answer_id == AnswerRow.id)
            .where(AnswerRow.round_id == round_id)
            .group_by(VoteRow.answer_id)
        ).all()
        return {answer_id: int(n) for answer_id, n in rows}

    def save_feedback(self, answer_id: int, coverage: float, covered_points: Sequence[str]) -> None:
        self.session.execute(
            update(AnswerRow)
            .where(AnswerRow.id == answer_id)
            .values(coverage=coverage, covered_points=list(covered_points))
        )

    # --- spaced repetition ------------------------------------------------------------------------------

    def review_card(self, member: MemberRef, question_id: str) -> ReviewState | None:
        row = self._review_row(member, question_id)
        return _review_state(row) if row else None

    def _review_row(self, member: MemberRef, question_id: str) -> ReviewCardRow | None:
        return self.session.scalars(
            select(ReviewCardRow).where(
                ReviewCardRow.member_id == self.member_id(member), ReviewCardRow.question_id == question_id
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
                member_id=self.member_id(member),
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
            .where(ReviewCardRow.member_id == self.member_id(member), ReviewCardRow.due_at <= now)
            .order_by(ReviewCardRow.due_at, ReviewCardRow.id)
        )
        return [_review_state(r) for r in rows]

    def next_review_at(self, member: MemberRef) -> dt.datetime | None:
        return self.session.scalar(
            select(func.min(ReviewCardRow.due_at)).where(ReviewCardRow.member_id == self.member_id(member))
        )

    def seen_question_ids(self, member: MemberRef) -> set[str]:
        """Questions the member answered in any round, or has a review card for."""
        member_id = self.member_id(member)
        answered = self.session.scalars(
            select(RoundRow.question_id)
            .join(AnswerRow, AnswerRow.round_id == RoundRow.id)
            .where(AnswerRow.member_id == member_id)
        )
        carded = self.session.scalars(
            select(ReviewCardRow.question_id).where(ReviewCardRow.member_id == member_id)
        )
        return set(answered) | set(carded)

    # --- points -----------------------------------------------------------------------------------------

    def award(self, round_: Round, member: MemberRef, reason: str, points: int, now: dt.datetime) -> bool:
        """Add a ledger line; False when this member already got points for this reason in this round."""
        if points <= 0:
            return False
        row = PointRow(
            member_id=self.member_id(member),
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
        return [(_member(m), int(t)) for m, t in self.session.execute(query).all()]

    def member_summary(self, member: MemberRef) -> MemberSummary:
        member_id = self.member_id(member)
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
            .where(AnswerRow.member_id == self.member_id(member), AnswerRow.coverage.is_not(None))
        ).all()
        return [(qid, float(cov)) for qid, cov in rows]

    def daily_participation(self, channel: ChannelRef, member: MemberRef) -> list[tuple[dt.date, bool, bool]]:
        """The channel's daily rounds, newest first: (local date, member answered before the reveal,
        round revealed). Only days that had a round appear, so weekends, skips and pauses never count."""
        channel_id = self._channel_id(channel)
        if channel_id is None:
            return []
        member_id = self.member_id(member)
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
        return [(day, bool(done), status == RoundStatus.REVEALED.value) for day, done, status in rows]

    # --- helpers ----------------------------------------------------------------------------------------

    def _add_once(self, row: Base) -> bool:
        """Insert a row whose unique key may already exist (another replica, a retry): False if it did.
        The savepoint keeps the transaction usable after the conflict, on SQLite and PostgreSQL."""
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return False
        return True

    def _channel_id(self, ref: ChannelRef) -> int | None:
        return self.session.scalar(
            select(ChannelRow.id).where(
                ChannelRow.platform == ref.platform.value,
                ChannelRow.workspace_id == ref.workspace_id,
                ChannelRow.channel_id == ref.channel_id,
            )
        )

    def _round(self, row: RoundRow) -> Round:
        channel = self.session.get(ChannelRow, row.channel_id)
        assert channel is not None
        requester = self.session.get(MemberRow, row.requested_by_id) if row.requested_by_id else None
        return Round(
            id=row.id,
            channel=_channel_ref(channel),
            question_id=row.question_id,
            category=row.category,
            kind=RoundKind(row.kind),
            status=RoundStatus(row.status),
            visibility=Visibility(row.visibility),
            created_at=row.created_at,
            message_id=row.message_id,
            reveal_due_at=row.reveal_due_at,
            revealed_at=row.revealed_at,
            claimed_at=row.claimed_at,
            daily_date=row.daily_date,
            requested_by=_member(requester) if requester else None,
        )


def _review_state(row: ReviewCardRow) -> ReviewState:
    return ReviewState(
        question_id=row.question_id,
        card=dict(row.card),
        due_at=row.due_at,
        reason=row.reason,
        last_round_id=row.last_round_id,
    )


def _channel_ref(row: ChannelRow | Row[Any]) -> ChannelRef:
    return ChannelRef(
        platform=Platform(row.platform),
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        name=row.name,
    )


def _member(row: MemberRow) -> MemberRef:
    return MemberRef(
        platform=Platform(row.platform),
        workspace_id=row.workspace_id,
        user_id=row.user_id,
        display_name=row.display_name,
    )


def _channel_settings(row: ChannelRow | Row[Any]) -> ChannelSettings:
    return ChannelSettings(
        channel=_channel_ref(row),
        active=row.active,
        schedule_enabled=row.schedule_enabled,
        post_time=row.post_time,
        days=tuple(row.days.split(",")) if row.days else (),
        timezone=row.timezone,
        reveal_after_minutes=row.reveal_after_minutes,
        reveal_at_time=row.reveal_at_time,
        paused=row.paused,
        skip_dates=tuple(dt.date.fromisoformat(d) for d in row.skip_dates or ()),
        categories=tuple(row.categories or ()),
        difficulties=tuple(row.difficulties or ()),
        packs=tuple(row.packs or ()),
        answer_mode=row.answer_mode,
        reminder_minutes=row.reminder_minutes,
    )


def _settings_to_columns(settings: ChannelSettings) -> dict[str, Any]:
    values = {name: getattr(settings, name) for name in _CHANNEL_FIELDS}
    values["days"] = ",".join(settings.days)
    values["skip_dates"] = sorted(d.isoformat() for d in settings.skip_dates)
    for key in ("categories", "difficulties", "packs"):
        values[key] = list(values[key])
    return values


def channel_row_values(settings: ChannelSettings, created_at: dt.datetime) -> dict[str, Any]:
    """Everything an INSERT into channels needs, for bulk loads (benchmarks, imports)."""
    ref = settings.channel
    return {
        "platform": ref.platform.value,
        "workspace_id": ref.workspace_id,
        "channel_id": ref.channel_id,
        "name": ref.name,
        "created_at": created_at,
        **_settings_to_columns(settings),
    }


class SqlUnitOfWork:
    """The core's UnitOfWork. `await uow.run(work)`: `work(store)` in one transaction on a database thread,
    so the event loop never waits on SQL. `with uow() as store:` is the same transaction, inline, for the
    CLI and tests that have no loop to protect.

    The threads are sized for the backend: SQLite takes its write lock at BEGIN (see database.py), so
    transactions run one at a time anyway and a single thread avoids lock waits; PostgreSQL gets as many
    threads as the connection pool holds connections."""

    def __init__(self, engine: Engine, *, threads: int | None = None) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        if threads is None:
            threads = 1 if engine.dialect.name == "sqlite" else max(1, engine.pool.size())  # type: ignore[attr-defined]
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="practicebot-db")

    @contextmanager
    def __call__(self) -> Iterator[SqlStore]:
        with self._sessions() as session, session.begin():
            yield SqlStore(session)

    def _run(self, work: Callable[[SqlStore], T]) -> T:
        with self() as store:
            return work(store)

    async def run(self, work: Callable[[SqlStore], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, self._run, work)

    def close(self) -> None:
        self._threads.shutdown(wait=True)
