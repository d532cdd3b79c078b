"""Channels and members: settings, schedules, and who is who."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from bot.domain import (
    ChannelRef,
    ChannelSettings,
    MemberRef,
    Platform,
)
from storage.rows import (
    StoreBase,
    changed_one,
    member_of,
    settings_of,
    settings_to_columns,
)
from storage.tables import (
    ChannelRow,
    MemberRow,
)


class ChannelStore(StoreBase):
    def channel(self, ref: ChannelRef, defaults: ChannelSettings | None = None) -> ChannelSettings:
        """The stored settings, or `defaults` for a channel never registered (nothing is written)."""
        row = self.session.scalars(
            select(ChannelRow).where(
                ChannelRow.platform == ref.platform.value,
                ChannelRow.workspace_id == ref.workspace_id,
                ChannelRow.channel_id == ref.channel_id,
            )
        ).first()
        if row is None:
            return defaults or ChannelSettings(channel=ref)
        return settings_of(row)

    def register_channel(self, ref: ChannelRef, defaults: ChannelSettings | None = None) -> ChannelSettings:
        """The channel's settings, storing it with `defaults` the first time (and its current name)."""
        return settings_of(self._channel_row(ref, defaults))

    def update_channel(
        self, ref: ChannelRef, defaults: ChannelSettings | None = None, **changes: Any
    ) -> ChannelSettings:
        row = self._channel_row(ref, defaults)
        merged = settings_of(row).model_copy(update=changes)
        for key, value in settings_to_columns(merged).items():
            setattr(row, key, value)
        self.session.flush()
        return settings_of(row)

    def deactivate_workspace(self, platform: Platform, workspace_id: str) -> int:
        result = self.session.execute(
            update(ChannelRow)
            .where(
                ChannelRow.platform == platform.value,
                ChannelRow.workspace_id == workspace_id,
                ChannelRow.active.is_(True),
            )
            .values(active=False)
        )
        return int(cast(CursorResult[Any], result).rowcount or 0)

    def reactivate_channel(self, ref: ChannelRef) -> bool:
        result = self.session.execute(
            update(ChannelRow)
            .where(
                ChannelRow.platform == ref.platform.value,
                ChannelRow.workspace_id == ref.workspace_id,
                ChannelRow.channel_id == ref.channel_id,
                ChannelRow.active.is_(False),
            )
            .values(active=True)
        )
        return changed_one(result)

    def channels(self) -> list[ChannelSettings]:
        return [settings_of(r) for r in self.session.scalars(select(ChannelRow).order_by(ChannelRow.id))]

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
        return [(r.id, settings_of(r)) for r in self.session.execute(query)]

    def find_member(self, platform: Platform, workspace_id: str, text: str) -> MemberRef | None:
        """Resolve what a user typed (`@name`, a user id, a display name) to a known member."""
        key = text.strip().lstrip("@").strip("<>").lstrip("@")
        rows = self.session.scalars(
            select(MemberRow)
            .where(MemberRow.platform == platform.value, MemberRow.workspace_id == workspace_id)
            .where((MemberRow.user_id == key) | (func.lower(MemberRow.display_name) == key.lower()))
        ).all()
        return member_of(rows[0]) if rows else None
