"""The daily question: what is due now, claimed in the database so that one process sends it, once.

The scheduler (APScheduler) only decides *when* to call `deliver_due`; every durable fact is a row here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot import cards
from bot.domain import ChannelSettings, Round, RoundKind, RoundStatus, Visibility
from bot.engine import Engine
from bot.selection import choose_daily, filter_pool
from scheduler.timing import Slot, current_slot

log = logging.getLogger("practicebot.daily")

# A post or reveal claimed this long ago and never confirmed was interrupted (a crash mid-send): retry it.
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
# How many deliveries run at once per platform; each adapter also paces per channel.
DEFAULT_CONCURRENCY: Mapping[str, int] = {"slack": 20, "discord": 10, "console": 1}


@dataclass(frozen=True)
class DuePost:
    channel_row_id: int
    settings: ChannelSettings
    slot: Slot
    retry_round_id: int | None = None  # a stale claim to take over instead of a new round


@dataclass(frozen=True)
class DueWork:
    posts: list[DuePost]
    reveals: list[int]


@dataclass
class DeliveryReport:
    posted: int = 0
    revealed: int = 0
    skipped: int = 0  # another process had claimed it
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"posted={self.posted} revealed={self.revealed} skipped={self.skipped} failed={len(self.failed)}"
        )


class DailyRounds:
    def __init__(self, engine: Engine, *, concurrency: Mapping[str, int] | None = None) -> None:
        self.engine = engine
        self.concurrency = dict(DEFAULT_CONCURRENCY | dict(concurrency or {}))

    def due_work(self, now: dt.datetime) -> DueWork:
        """Posts due at `now` (today's question, or a missed one whose reveal has not passed) and reveals
        due at `now`, including claims abandoned by a crashed process."""
        stale_before = now - CLAIM_TIMEOUT
        with self.engine.uow() as store:
            channels = store.scheduled_channels()
            slots = [(row_id, s, current_slot(s, now)) for row_id, s in channels]
            wanted = [(row_id, s, slot) for row_id, s, slot in slots if slot is not None]
            existing = (
                store.daily_rounds_since(min(slot.local_date for _, _, slot in wanted)) if wanted else {}
            )
            reveals = store.rounds_to_reveal(now, stale_before)
        posts = []
        for row_id, settings, slot in wanted:
            row = existing.get((row_id, slot.local_date))
            if row is None:
                posts.append(DuePost(row_id, settings, slot))
            elif row.status == RoundStatus.POSTING.value and row.claimed_at and row.claimed_at < stale_before:
                posts.append(DuePost(row_id, settings, slot, retry_round_id=row.id))
        return DueWork(posts=posts, reveals=reveals)

    async def deliver_due(self) -> DeliveryReport:
        """Run everything due now (by the engine's clock, the same one every claim is stamped with), with
        bounded concurrency per platform. One failing channel never blocks the others: its error is logged
        and a later sweep retries it."""
        now = self.engine.clock.now()
        work = self.due_work(now)
        report = DeliveryReport()
        limits = {name: asyncio.Semaphore(n) for name, n in self.concurrency.items()}

        async def guarded(platform: str, label: str, job) -> None:
            async with limits.setdefault(platform, asyncio.Semaphore(1)):
                try:
                    await job
                except Exception as exc:
                    report.failed.append(label)
                    log.warning("delivery failed", extra={"job": label, "error": type(exc).__name__})

        jobs = [
            guarded(
                p.settings.channel.platform.value,
                f"post:{p.settings.channel.channel_id}",
                self._post(p, now, report),
            )
            for p in work.posts
        ]
        with self.engine.uow() as store:
            reveal_rounds = [r for r in (store.round(i) for i in work.reveals) if r is not None]
        jobs += [
            guarded(r.channel.platform.value, f"reveal:{r.id}", self._reveal(r, now, report))
            for r in reveal_rounds
        ]
        await asyncio.gather(*jobs)
        if work.posts or work.reveals:
            log.info("due work delivered", extra={"report": str(report)})
        return report

    async def _post(self, due: DuePost, now: dt.datetime, report: DeliveryReport) -> None:
        engine, settings, slot = self.engine, due.settings, due.slot
        channel = settings.channel
        retaking = due.retry_round_id is not None
        with engine.uow() as store:
            if retaking:
                assert due.retry_round_id is not None
                if not store.reclaim_post(due.retry_round_id, now, now - CLAIM_TIMEOUT):
                    report.skipped += 1
                    return
                round_ = store.round(due.retry_round_id)
            else:
                pool = filter_pool(
                    engine.questions.all(),
                    categories=settings.categories,
                    difficulties=settings.difficulties,
                    packs=settings.packs,
                )
                question = choose_daily(
                    pool,
                    asked_newest_first=store.asked_question_ids(channel),
                    seed=f"{channel.platform}:{channel.workspace_id}:{channel.channel_id}:{slot.local_date}",
                    position=store.daily_round_count(channel),
                )
                if question is None:
                    log.warning(
                        "no question matches the channel's filters", extra={"channel": channel.channel_id}
                    )
                    report.failed.append(f"post:{channel.channel_id}")
                    return
                round_ = store.create_round(
                    channel,
                    question_id=question.id,
                    category=question.category.value,
                    kind=RoundKind.DAILY,
                    visibility=Visibility.PUBLIC,
                    now=now,
                    daily_date=slot.local_date,
                    reveal_due_at=slot.reveal_at,
                )
        if round_ is None:  # another process claimed this channel's day first
            report.skipped += 1
            return
        question = engine.questions.get(round_.question_id)
        if question is None:
            report.failed.append(f"post:{channel.channel_id}")
            return
        card = cards.question_card(round_, question, private=False, answer_button=True)
        port = engine._chat(channel)
        message_id = None
        if retaking:
            message_id = await engine._already_posted(port, channel, card, round_.claimed_at)
        if message_id is None:
            message_id = await port.post_round(channel, card)
        with engine.uow() as store:
            store.mark_posted(round_.id, message_id, engine.clock.now())
        report.posted += 1
        log.info(
            "daily round posted",
            extra={"round": round_.id, "channel": channel.channel_id, "date": slot.local_date.isoformat()},
        )

    async def _reveal(self, round_: Round, now: dt.datetime, report: DeliveryReport) -> None:
        replies = await self.engine.reveal(round_.id, stale_before=now - CLAIM_TIMEOUT)
        if replies:  # a notice means somebody else revealed it first
            report.skipped += 1
        else:
            report.revealed += 1
