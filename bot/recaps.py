"""The weekly recap (opt in: `/practice config recap weekly`): on Monday at the channel's post time, last
week's most upvoted answers, the week's leaderboard with its movers, and the topics the group found hardest.

Posted once per channel and week through the same kind of claim as the daily round: a row keyed by
(channel, ISO week) is the claim, renewed while its holder posts, taken over only when its holder stopped
renewing it (a crash). A bot down on Monday posts the recap when it is back, the same week.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from bot import cards
from bot.domain import ChannelSettings, RecapData
from bot.ports import Store
from bot.timing import hh_mm, local_instant

if TYPE_CHECKING:
    from bot.core import EngineCore

log = logging.getLogger("practicebot.daily")
T = TypeVar("T")

RecapDue = tuple[ChannelSettings, str, dt.datetime, dt.datetime]  # settings, ISO week, its start and end


def recap_window(settings: ChannelSettings, now: dt.datetime) -> tuple[str, dt.datetime, dt.datetime] | None:
    """(ISO week summarised, its start, its end) when this channel's recap is due at `now`: from Monday at
    its post time until the end of that week, local time. None otherwise."""
    zone = ZoneInfo(settings.timezone)
    monday = now.astimezone(zone).date()
    monday -= dt.timedelta(days=monday.weekday())
    if now < local_instant(monday, hh_mm(settings.post_time), zone):
        return None
    last_monday = monday - dt.timedelta(days=7)
    year, week, _ = last_monday.isocalendar()
    midnight = dt.time(0, 0)
    return (
        f"{year}-W{week:02d}",
        local_instant(last_monday, midnight, zone),
        local_instant(monday, midnight, zone),
    )


def due_recaps(store: Store, now: dt.datetime) -> list[RecapDue]:
    """Channels whose recap of last week is due and not done (ISO week keys sort as text)."""
    return [
        (settings, *window)
        for settings, last in store.recap_channels()
        if (window := recap_window(settings, now)) is not None and (last is None or last < window[0])
    ]


async def _renewing(work: Awaitable[T], renew: Callable[[], Awaitable[None]], every: float) -> T:
    """Await `work`, renewing the claim every `every` seconds meanwhile (a platform answering slowly)."""

    async def keep() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await renew()
            except Exception as exc:  # the next renewal tries again, well before the claim runs out
                log.warning("recap claim not renewed", extra={"error": type(exc).__name__})

    keeper = asyncio.create_task(keep())
    try:
        return await work
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper


async def post_recap(
    engine: EngineCore, due: RecapDue, *, claim_timeout: dt.timedelta, renew_every: float
) -> bool:
    """Claim, gather and post one channel's recap; False when another process has it (or had it)."""
    settings, week, start, end = due
    channel, now = settings.channel, engine.clock.now()

    def claim(store: Store) -> RecapData | None:
        if not store.claim_recap(channel, week, now, now - claim_timeout):
            return None
        return store.recap_data(channel, week, start, end)

    data = await engine.tx(claim)
    if data is None:
        return False
    message_id = ""
    if data.answers:  # a quiet week is not worth a post (and leaves nothing to retry)

        async def renew() -> None:
            await engine.tx(lambda store: store.renew_recap_claim(channel, week, engine.clock.now()))

        port = engine.chat_for(channel)
        message_id = await _renewing(port.post_notice(channel, cards.recap_card(data)), renew, renew_every)
    await engine.tx(lambda store: store.mark_recap_posted(channel, week, message_id, engine.clock.now()))
    log.info(
        "weekly recap done", extra={"channel": channel.channel_id, "week": week, "posted": bool(message_id)}
    )
    return True
