"""Schedule arithmetic as pure functions of `now`: weekdays, skips, reveal policies and DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from conftest import CHANNEL

from bot.domain import ChannelSettings
from bot.timing import current_slot, next_slots

UTC = dt.UTC


def schedule(**changes: object) -> ChannelSettings:
    base = ChannelSettings(
        channel=CHANNEL, schedule_enabled=True, post_time="09:30", timezone="Europe/Berlin"
    )
    return base.model_copy(update=changes)


def local(slot_time: dt.datetime, zone: str) -> str:
    return slot_time.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M %z")


def test_weekdays_and_skips() -> None:
    s = schedule(skip_dates=(dt.date(2026, 11, 27),))
    slots = next_slots(s, dt.datetime(2026, 11, 25, 12, tzinfo=UTC), count=4)  # a Wednesday, after 09:30
    assert [local(x.post_at, "Europe/Berlin") for x in slots] == [
        "Thu 2026-11-26 09:30 +0100",
        "Mon 2026-11-30 09:30 +0100",  # Friday skipped, weekend not scheduled
        "Tue 2026-12-01 09:30 +0100",
        "Wed 2026-12-02 09:30 +0100",
    ]
    assert [x.reveal_at - x.post_at for x in slots] == [dt.timedelta(hours=24)] * 4


@pytest.mark.parametrize(
    ("zone", "now", "expected_posts"),
    [
        # Berlin springs forward on 2026-03-29 (02:00 -> 03:00) and falls back on 2026-10-25.
        (
            "Europe/Berlin",
            dt.datetime(2026, 3, 27, 12, tzinfo=UTC),
            ["Sat 2026-03-28 09:30 +0100", "Sun 2026-03-29 09:30 +0200", "Mon 2026-03-30 09:30 +0200"],
        ),
        (
            "Europe/Berlin",
            dt.datetime(2026, 10, 23, 12, tzinfo=UTC),
            ["Sat 2026-10-24 09:30 +0200", "Sun 2026-10-25 09:30 +0100", "Mon 2026-10-26 09:30 +0100"],
        ),
        # New York: 2026-03-08 and 2026-11-01.
        (
            "America/New_York",
            dt.datetime(2026, 3, 6, 20, tzinfo=UTC),
            ["Sat 2026-03-07 09:30 -0500", "Sun 2026-03-08 09:30 -0400", "Mon 2026-03-09 09:30 -0400"],
        ),
        (
            "America/New_York",
            dt.datetime(2026, 10, 30, 20, tzinfo=UTC),
            ["Sat 2026-10-31 09:30 -0400", "Sun 2026-11-01 09:30 -0500", "Mon 2026-11-02 09:30 -0500"],
        ),
        # Sydney: daylight time ends 2026-04-05 and starts 2026-10-04 (southern hemisphere).
        (
            "Australia/Sydney",
            dt.datetime(2026, 4, 3, 12, tzinfo=UTC),
            ["Sat 2026-04-04 09:30 +1100", "Sun 2026-04-05 09:30 +1000", "Mon 2026-04-06 09:30 +1000"],
        ),
        (
            "Australia/Sydney",
            dt.datetime(2026, 10, 2, 12, tzinfo=UTC),
            ["Sat 2026-10-03 09:30 +1000", "Sun 2026-10-04 09:30 +1100", "Mon 2026-10-05 09:30 +1100"],
        ),
        # Kolkata has no DST and a half-hour offset.
        (
            "Asia/Kolkata",
            dt.datetime(2026, 3, 27, 12, tzinfo=UTC),
            ["Sat 2026-03-28 09:30 +0530", "Sun 2026-03-29 09:30 +0530", "Mon 2026-03-30 09:30 +0530"],
        ),
    ],
)
def test_local_time_holds_across_dst(zone: str, now: dt.datetime, expected_posts: list[str]) -> None:
    s = schedule(timezone=zone, days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    slots = next_slots(s, now, count=3)
    assert [local(x.post_at, zone) for x in slots] == expected_posts
    # "reveal after 24h" is elapsed time: across a DST change the local reveal hour moves by the shift
    assert all(x.reveal_at - x.post_at == dt.timedelta(hours=24) for x in slots)


def test_reveal_at_a_local_time_follows_the_wall_clock_across_dst() -> None:
    s = schedule(days=("sat", "sun"), reveal_at_time="17:00", reveal_after_minutes=None)
    slots = next_slots(s, dt.datetime(2026, 3, 27, tzinfo=UTC), count=2)
    assert [local(x.reveal_at, "Europe/Berlin") for x in slots] == [
        "Sat 2026-03-28 17:00 +0100",
        "Sun 2026-03-29 17:00 +0200",
    ]
    early = schedule(post_time="18:00", reveal_at_time="08:00", reveal_after_minutes=None)
    [slot] = next_slots(early, dt.datetime(2026, 11, 25, tzinfo=UTC), count=1)
    assert local(slot.reveal_at, "Europe/Berlin") == "Thu 2026-11-26 08:00 +0100"  # next morning


def test_post_time_inside_the_spring_gap_and_the_repeated_hour_posts_once() -> None:
    s = schedule(post_time="02:30", days=("sun",))
    [spring] = next_slots(s, dt.datetime(2026, 3, 28, tzinfo=UTC), count=1)
    assert spring.post_at == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST: the gap's end
    [autumn, following] = next_slots(s, dt.datetime(2026, 10, 24, tzinfo=UTC), count=2)
    assert autumn.post_at == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # first 02:30, once
    assert following.local_date == dt.date(2026, 11, 1)


def test_current_slot_catches_up_until_the_reveal() -> None:
    s = schedule(reveal_after_minutes=6 * 60)
    morning = dt.datetime(2026, 11, 25, 8, 29, tzinfo=UTC)  # 09:29 Berlin
    assert current_slot(s, morning) is None  # yesterday's reveal passed, today's post not yet due
    long_reveal = current_slot(schedule(), morning)  # reveal after 24 h: yesterday's round still open
    assert long_reveal is not None and long_reveal.local_date == dt.date(2026, 11, 24)
    due = current_slot(s, dt.datetime(2026, 11, 25, 11, tzinfo=UTC))  # 12:00 Berlin, bot was down at 09:30
    assert due is not None and due.local_date == dt.date(2026, 11, 25)
    assert current_slot(s, dt.datetime(2026, 11, 25, 15, tzinfo=UTC)) is None  # reveal (15:30) passed
    assert (
        current_slot(s.model_copy(update={"paused": True}), dt.datetime(2026, 11, 25, 11, tzinfo=UTC)) is None
    )
    assert current_slot(s, dt.datetime(2026, 11, 28, 11, tzinfo=UTC)) is None  # Saturday
