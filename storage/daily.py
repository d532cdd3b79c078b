"""The daily question's claims: many channels at once, in few statements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, case, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.domain import (
    RoundKind,
    RoundStatus,
    Visibility,
)
from bot.ports import DailyClaim, DailyRoundState
from storage.rows import (
    StoreBase,
    changed_one,
)
from storage.tables import (
    ChannelRow,
    RoundRow,
)


class DailyStore(StoreBase):
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

    def claim_daily_rounds(self, claims: Sequence[DailyClaim], now: dt.datetime) -> dict[int, int]:
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
        assert isinstance(table, Table)
        # Core executemany: one round trip for the batch (an ORM UPDATE would want one statement per row).
        self.session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("round_id"))
            .values(message_id=bindparam("message"), posted_at=now, status=RoundStatus.OPEN.value),
            [{"round_id": rid, "message": mid} for rid, mid in posted],
        )

    def renew_claims(self, round_ids: Sequence[int], now: dt.datetime) -> int:
        renewed = 0
        for start in range(0, len(round_ids), 1000):
            result = self.session.execute(
                update(RoundRow)
                .where(
                    RoundRow.id.in_(round_ids[start : start + 1000]),
                    RoundRow.status.in_([RoundStatus.POSTING.value, RoundStatus.REVEALING.value]),
                )
                .values(claimed_at=now)
            )
            renewed += int(cast(CursorResult[Any], result).rowcount or 0)
        return renewed

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
        return changed_one(result)

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

    def rounds_to_reveal(self, now: dt.datetime, stale_before: dt.datetime) -> list[int]:
        """Rounds whose reveal is due, and reveals claimed long ago that never finished."""
        return list(
            self.session.scalars(
                select(RoundRow.id)
                .where(
                    (
                        (RoundRow.status == RoundStatus.OPEN.value)
                        & (RoundRow.reveal_due_at <= now)
                        & (RoundRow.reveal_retry_at.is_(None) | (RoundRow.reveal_retry_at <= now))
                    )
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
            if due_at is None or minutes is None:  # excluded by the query; here for the type checker
                continue
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
        return changed_one(result)
