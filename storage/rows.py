"""Row <-> value conversions and what every repository shares: the session and its helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Row, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
    Visibility,
)
from storage.tables import (
    AnswerRow,
    Base,
    ChannelRow,
    MemberRow,
    ReviewCardRow,
    RoundRow,
)

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
    "schedule_since",
    "recap_weekly",
]


# The lookups every use case makes, built once (building a statement costs more than running it on SQLite).
_CHANNEL_KEY = (
    (ChannelRow.platform == bindparam("p"))
    & (ChannelRow.workspace_id == bindparam("w"))
    & (ChannelRow.channel_id == bindparam("c"))
)
_CHANNEL_ID = select(ChannelRow.id).where(_CHANNEL_KEY)
_CHANNEL_ROW = select(ChannelRow).where(_CHANNEL_KEY)
_MEMBER_KEY = (
    (MemberRow.platform == bindparam("p"))
    & (MemberRow.workspace_id == bindparam("w"))
    & (MemberRow.user_id == bindparam("u"))
)
_MEMBER_ID = select(MemberRow.id).where(_MEMBER_KEY)
_MEMBER_ROW = select(MemberRow).where(_MEMBER_KEY)


def _member_params(ref: MemberRef) -> dict[str, str]:
    return {"p": ref.platform.value, "w": ref.workspace_id, "u": ref.user_id}


def _channel_params(ref: ChannelRef) -> dict[str, str]:
    return {"p": ref.platform.value, "w": ref.workspace_id, "c": ref.channel_id}


def changed_one(result: Result[Any]) -> bool:
    """A conditional UPDATE or DELETE hit exactly one row: the caller won the claim."""
    return cast(CursorResult[Any], result).rowcount == 1


class StoreBase:
    """Queries and writes for one transaction. Constraint races resolve in savepoints, never by luck."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # Row ids looked up in this transaction: a use case names the same channel and member several times.
        self._channel_ids: dict[tuple[str, str, str], int] = {}
        self._member_ids: dict[tuple[str, str, str], int] = {}
        # Rows this transaction loaded, held so the session's (weak) identity map keeps them: no reloads.
        self._channel_rows: dict[tuple[str, str, str], ChannelRow] = {}
        self._member_rows: dict[tuple[str, str, str], MemberRow] = {}
        # Answer rows this transaction locked (FOR UPDATE) and may change again without reading them back.
        self._locked_answers: dict[tuple[int, int], AnswerRow] = {}
        # Rounds found by their thread in this transaction (a burst of replies names the same one).
        self._rounds_by_thread: dict[tuple[str, str, str, str], Round] = {}

    def _add_once(self, row: Base) -> bool:
        """Insert a row whose unique key may already exist (another replica, a retry): False if it did.
        The savepoint keeps the transaction usable after the conflict, on SQLite and PostgreSQL."""
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return False
        return True

    def ping(self) -> None:
        self.session.execute(select(1))

    def _known_member_id(self, ref: MemberRef) -> int | None:
        """The member's row id if they were ever seen: reads never create rows."""
        if ref.key in self._member_ids:
            return self._member_ids[ref.key]
        found = self.session.scalar(_MEMBER_ID, _member_params(ref))
        if found is not None:
            self._member_ids[ref.key] = found
        return found

    def _channel_id(self, ref: ChannelRef) -> int | None:
        key = ref.key
        if key in self._channel_ids:
            return self._channel_ids[key]
        found = self.session.scalar(_CHANNEL_ID, _channel_params(ref))
        if found is not None:
            self._channel_ids[key] = found
        return found

    def _channel_row(self, ref: ChannelRef, defaults: ChannelSettings | None = None) -> ChannelRow:
        """The channel's row, registered with `defaults` the first time: for writes only."""
        key, params = ref.key, _channel_params(ref)
        row = self._channel_rows.get(key) or self.session.scalars(_CHANNEL_ROW, params).first()
        if row is None:
            base = defaults or ChannelSettings(channel=ref)
            row = ChannelRow(
                platform=ref.platform.value,
                workspace_id=ref.workspace_id,
                channel_id=ref.channel_id,
                name=ref.name,
                created_at=dt.datetime.now(dt.UTC),
                **settings_to_columns(base),
            )
            if not self._add_once(row):  # another replica created it first
                row = self.session.scalars(_CHANNEL_ROW, params).one()
        elif ref.name and row.name != ref.name:
            row.name = ref.name
        self._channel_ids[key] = row.id
        self._channel_rows[key] = row
        return row

    def _member_row_id(self, ref: MemberRef) -> int:
        """The member's row id, registering them (and their current display name): for writes only."""
        row = self._member_rows.get(ref.key) or self.session.scalars(_MEMBER_ROW, _member_params(ref)).first()
        if row is None:
            row = MemberRow(
                platform=ref.platform.value,
                workspace_id=ref.workspace_id,
                user_id=ref.user_id,
                display_name=ref.display_name,
            )
            if not self._add_once(row):
                row = self.session.scalars(_MEMBER_ROW, _member_params(ref)).one()
        if ref.display_name and row.display_name != ref.display_name:
            row.display_name = ref.display_name
            self.session.flush()
        self._member_ids[ref.key] = row.id
        self._member_rows[ref.key] = row
        return row.id

    def _round(self, row: RoundRow) -> Round:
        channel = self.session.get(ChannelRow, row.channel_id)
        assert channel is not None
        requester = self.session.get(MemberRow, row.requested_by_id) if row.requested_by_id else None
        return Round(
            id=row.id,
            channel=channel_ref_of(channel),
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
            requested_by=member_of(requester) if requester else None,
            reveal_failures=row.reveal_failures or 0,
        )


def review_state_of(row: ReviewCardRow) -> ReviewState:
    return ReviewState(
        question_id=row.question_id,
        card=dict(row.card),
        due_at=row.due_at,
        reason=row.reason,
        last_round_id=row.last_round_id,
    )


def channel_ref_of(row: ChannelRow | Row[Any]) -> ChannelRef:
    return ChannelRef(
        platform=Platform(row.platform),
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        name=row.name,
    )


def member_of(row: MemberRow) -> MemberRef:
    return MemberRef(
        platform=Platform(row.platform),
        workspace_id=row.workspace_id,
        user_id=row.user_id,
        display_name=row.display_name,
    )


def stored_answer_of(a: AnswerRow, m: MemberRow) -> StoredAnswer:
    return StoredAnswer(
        id=a.id,
        round_id=a.round_id,
        member=member_of(m),
        text=a.text,
        late=a.late,
        truncated=a.truncated,
        created_at=a.created_at,
        coverage=a.coverage,
        covered_points=tuple(a.covered_points or ()),
    )


def settings_of(row: ChannelRow | Row[Any]) -> ChannelSettings:
    return ChannelSettings(
        channel=channel_ref_of(row),
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
        schedule_since=row.schedule_since,
        recap_weekly=bool(row.recap_weekly),
    )


def settings_to_columns(settings: ChannelSettings) -> dict[str, Any]:
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
        **settings_to_columns(settings),
    }
