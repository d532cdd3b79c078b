"""Pure schedule arithmetic: when a channel's daily question is posted and revealed, from its settings and
an injected `now`. No clocks, no sleeps, no I/O.

Local wall-clock times are turned into instants with `fold=0`: a time that does not exist on a spring-forward
day (02:30 in Berlin on the last Sunday of March) is posted at the same instant as the gap's end would show
it (03:30 local), and a time that exists twice on a fall-back day is posted at its first occurrence, once.
(APScheduler 3's CronTrigger fires twice in the repeated hour, which is why the times are computed here.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.commands import WEEKDAYS
from bot.domain import ChannelSettings

# Far enough to find the next slot of any valid schedule (one weekday a week, many skip dates).
_MAX_DAYS_AHEAD = 400


@dataclass(frozen=True)
class Slot:
    """One daily question: its local date, and when it is posted and revealed (UTC)."""

    local_date: dt.date
    post_at: dt.datetime
    reveal_at: dt.datetime


def hh_mm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def local_instant(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of a local wall-clock time (see the module note on DST)."""
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)


def local_date(instant: dt.datetime, timezone: str) -> dt.date:
    return instant.astimezone(ZoneInfo(timezone)).date()


def reveal_time(settings: ChannelSettings, post_at: dt.datetime) -> dt.datetime:
    zone = ZoneInfo(settings.timezone)
    if settings.reveal_at_time:
        at = hh_mm(settings.reveal_at_time)
        day = post_at.astimezone(zone).date()
        candidate = local_instant(day, at, zone)
        return candidate if candidate > post_at else local_instant(day + dt.timedelta(days=1), at, zone)
    return post_at + dt.timedelta(minutes=settings.reveal_after_minutes or 24 * 60)


def is_scheduled_day(settings: ChannelSettings, day: dt.date) -> bool:
    return WEEKDAYS[day.weekday()] in settings.days and day not in settings.skip_dates


def slot_for(settings: ChannelSettings, day: dt.date) -> Slot:
    post_at = local_instant(day, hh_mm(settings.post_time), ZoneInfo(settings.timezone))
    return Slot(local_date=day, post_at=post_at, reveal_at=reveal_time(settings, post_at))


def slots_from(settings: ChannelSettings, start_day: dt.date) -> Iterator[Slot]:
    """Scheduled slots on or after a local date, in order (pause is not considered here)."""
    for offset in range(_MAX_DAYS_AHEAD):
        day = start_day + dt.timedelta(days=offset)
        if is_scheduled_day(settings, day):
            yield slot_for(settings, day)


def next_slots(settings: ChannelSettings, now: dt.datetime, count: int = 5) -> list[Slot]:
    """The next `count` posts strictly after `now`: what `/practice schedule preview` lists."""
    if not settings.schedule_enabled or not settings.days:
        return []
    start = local_date(now, settings.timezone) - dt.timedelta(days=1)
    out: list[Slot] = []
    for slot in slots_from(settings, start):
        if slot.post_at > now:
            out.append(slot)
            if len(out) == count:
                break
    return out


def current_slot(settings: ChannelSettings, now: dt.datetime) -> Slot | None:
    """The latest slot already due at `now` whose reveal has not passed: the one to post (or catch up on).
    None when nothing should be posted now (not scheduled, paused, or the reveal time already passed)."""
    if not settings.schedule_enabled or settings.paused or not settings.active or not settings.days:
        return None
    today = local_date(now, settings.timezone)
    # A reveal can be up to a week after its post, so look back that far for a slot still open.
    for back in range(0, 8):
        day = today - dt.timedelta(days=back)
        if not is_scheduled_day(settings, day):
            continue
        slot = slot_for(settings, day)
        if slot.post_at > now:
            continue
        if settings.schedule_since is not None and slot.post_at < settings.schedule_since:
            return None  # the schedule in force did not exist yet at that post time
        return slot if slot.reveal_at > now else None
    return None
