"""The daily question: what is due now, claimed in the database so that one process sends it, once.

The scheduler (APScheduler) only decides *when* to call `deliver_due`; every durable fact is a row here.
Claims are made for all due channels in one statement, posts go out concurrently (bounded per platform),
and sent message ids are recorded in batches: database work stays small next to the platform calls even
when thousands of channels share a post time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from bot import cards
from bot.domain import ChannelSettings, Round, RoundKind, RoundStatus, Visibility
from bot.engine import Engine
from bot.leases import RENEW_EVERY_SECONDS, Leases
from bot.ports import Store
from bot.questions import Question
from bot.recaps import RecapDue, due_recaps, post_recap
from bot.selection import choose_daily, filter_pool
from bot.timing import Slot, current_slot

log = logging.getLogger("practicebot.daily")

_Job = tuple[str, Callable[..., Awaitable[None]], tuple[object, ...]]

# A post or reveal claimed this long ago and never confirmed was interrupted (a crash mid-send): retry it.
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
# How many deliveries run at once per platform unless the composition root says otherwise (settings
# PRACTICEBOT_SLACK_DELIVERY_CONCURRENCY, ..._DISCORD_...); each adapter also paces per channel.
DEFAULT_CONCURRENCY: Mapping[str, int] = {"slack": 20, "discord": 10, "console": 1}
# Sent posts are recorded in batches of this size, or RECORD_WITHIN seconds after the first of a batch was
# sent, whichever comes first (and at the end of a sweep): a reply to a fresh round waits at most that long
# for its thread to be known (see bot/answers.py).
RECORD_BATCH = 200
RECORD_WITHIN = 0.1
# Channels read and claimed per transaction before their posts start going out (the first page is small).
CLAIM_CHUNK = 500
FIRST_CLAIM_CHUNK = 50


@dataclass(frozen=True)
class DuePost:
    channel_row_id: int
    settings: ChannelSettings
    slot: Slot
    retry_round_id: int | None = None  # a stale claim to take over instead of a new round


@dataclass
class DeliveryReport:
    posted: int = 0
    revealed: int = 0
    reminded: int = 0
    recapped: int = 0
    skipped: int = 0  # another process had claimed it
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"posted={self.posted} revealed={self.revealed} reminded={self.reminded} "
            f"recapped={self.recapped} skipped={self.skipped} failed={len(self.failed)}"
        )


class _PostedRecorder:
    """Buffers (round id, message id) of sent posts and writes them in batches, off the event loop."""

    def __init__(self, engine: Engine, leases: Leases) -> None:
        self.engine = engine
        self.leases = leases
        self.pending: list[tuple[int, str]] = []
        self._writes: list[asyncio.Task[None]] = []

    def add(self, round_id: int, message_id: str) -> None:
        self.pending.append((round_id, message_id))
        if len(self.pending) >= RECORD_BATCH:
            self._write_pending()
        elif len(self.pending) == 1:
            asyncio.get_running_loop().call_later(RECORD_WITHIN, self._write_pending)

    def _write_pending(self) -> None:
        if self.pending:
            batch, self.pending = self.pending, []
            self._writes.append(asyncio.create_task(self._write(batch)))

    async def _write(self, batch: list[tuple[int, str]]) -> None:
        now = self.engine.clock.now()
        await self.engine.tx(lambda store: store.mark_posted_many(batch, now))
        self.leases.release(round_id for round_id, _ in batch)  # posted and recorded: nothing left to hold

    async def flush(self) -> None:
        batch, self.pending = self.pending, []
        if batch:
            self._writes.append(asyncio.create_task(self._write(batch)))
        results = await asyncio.gather(*self._writes, return_exceptions=True)
        self._writes = []
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:  # the posts went out; their rounds stay 'posting' and a later sweep finds the messages
            raise errors[0]


class _WorkerPool:
    """A fixed number of workers per platform pulling jobs from a queue.

    Jobs wait as plain tuples, not as tasks or coroutines: ten thousand pending coroutine frames would
    make every garbage collection walk them, which measurably slowed a large fan-out (bench/fanout.py).
    """

    def __init__(self, concurrency: Mapping[str, int], report: DeliveryReport) -> None:
        self.concurrency = concurrency
        self.report = report
        self.queues: dict[str, tuple[asyncio.Queue[_Job | None], int]] = {}
        self.workers: list[asyncio.Task[None]] = []

    def submit(
        self, platform: str, label: str, run: Callable[..., Awaitable[None]], args: tuple[object, ...]
    ) -> None:
        if platform not in self.queues:
            queue: asyncio.Queue[_Job | None] = asyncio.Queue()
            workers = max(1, self.concurrency.get(platform, 1))
            self.queues[platform] = (queue, workers)
            self.workers.extend(asyncio.create_task(self._work(queue)) for _ in range(workers))
        self.queues[platform][0].put_nowait((label, run, args))

    async def _work(self, queue: asyncio.Queue[_Job | None]) -> None:
        while (job := await queue.get()) is not None:
            label, run, args = job
            try:
                await run(*args)
            except Exception as exc:
                self.report.failed.append(label)
                log.warning("delivery failed", extra={"job": label, "error": type(exc).__name__})

    async def drain(self) -> None:
        """Wait until every submitted job has run."""
        for queue, workers in self.queues.values():
            for _ in range(workers):
                queue.put_nowait(None)  # one stop sign per worker, behind every job
        await asyncio.gather(*self.workers)

    async def close(self) -> None:
        """Stop workers left running by an error in the caller (their jobs are abandoned, not lost: a
        claimed round that was never sent is retried by a later sweep)."""
        for worker in self.workers:
            worker.cancel()
        await asyncio.gather(*self.workers, return_exceptions=True)


class DailyRounds:
    def __init__(
        self,
        engine: Engine,
        *,
        concurrency: Mapping[str, int] | None = None,
        lease_renew_every: float | None = None,
    ) -> None:
        self.engine = engine
        self.concurrency = dict(DEFAULT_CONCURRENCY) | dict(concurrency or {})
        self.lease_renew_every = lease_renew_every

    @staticmethod
    def due_posts(
        store: Store, now: dt.datetime, *, after_row_id: int = 0, limit: int | None = None
    ) -> tuple[list[DuePost], int | None]:
        """Posts due at `now` (today's question, or a missed one whose reveal has not passed, or a claim
        abandoned by a crashed process) among a page of scheduled channels, and the row id to read on from
        (None when this page was the last)."""
        stale_before = now - CLAIM_TIMEOUT
        channels = store.scheduled_channels(after_row_id=after_row_id, limit=limit)
        wanted = [(row_id, s, slot) for row_id, s in channels if (slot := current_slot(s, now))]
        first_date = min((slot.local_date for _, _, slot in wanted), default=None)
        ids = [row_id for row_id, _, _ in wanted]
        existing = store.daily_round_states(ids, first_date) if first_date else {}
        posts = []
        for row_id, settings, slot in wanted:
            row = existing.get((row_id, slot.local_date))
            if row is None:
                posts.append(DuePost(row_id, settings, slot))
            elif row.status == RoundStatus.POSTING.value and row.claimed_at and row.claimed_at < stale_before:
                posts.append(DuePost(row_id, settings, slot, retry_round_id=row.round_id))
        full_page = limit is not None and len(channels) == limit
        return posts, (channels[-1][0] if full_page else None)

    @staticmethod
    def _due_follow_ups(store: Store, now: dt.datetime) -> tuple[list[Round], list[tuple[int, int]]]:
        """Reveals due at `now` (including reveals abandoned by a crashed process) and reminders."""
        reveals = [store.round(i) for i in store.rounds_to_reveal(now, now - CLAIM_TIMEOUT)]
        return [r for r in reveals if r is not None], store.rounds_to_remind(now)

    async def deliver_due(self) -> DeliveryReport:
        """Run everything due now (by the engine's clock, the same one every claim is stamped with), with
        bounded concurrency per platform. One failing channel never blocks the others: its error is logged
        and a later sweep retries it."""
        now = self.engine.clock.now()
        report = DeliveryReport()
        async with Leases(self.engine, every=self.lease_renew_every) as leases:
            await self._deliver(now, report, leases)
        return report

    async def _deliver(self, now: dt.datetime, report: DeliveryReport, leases: Leases) -> None:
        recorder = _PostedRecorder(self.engine, leases)
        pool = _WorkerPool(self.concurrency, report)
        due = 0
        try:
            # Channels are read, claimed and queued a page at a time, in threads so the sends already
            # under way keep flowing: the first posts leave while later pages are still being read, and
            # a sweep over many channels never holds them all in memory. The first page is small so
            # sending starts within milliseconds; later ones are large so claims stay a few statements.
            after: int | None = 0
            size = FIRST_CLAIM_CHUNK
            while after is not None:
                posts, after = await self.engine.tx(
                    partial(self.due_posts, now=now, after_row_id=after, limit=size)
                )
                size, due = CLAIM_CHUNK, due + len(posts)
                fresh = [p for p in posts if p.retry_round_id is None]
                modes = {p.settings.channel: p.settings.answer_mode for p in fresh}
                claim = partial(self._claim, due=fresh, now=now, report=report)
                claimed = await self.engine.tx(claim) if fresh else []
                leases.hold(r.id for r, _ in claimed)
                for r, q in claimed:
                    pool.submit(
                        r.channel.platform.value,
                        f"post:{r.channel.channel_id}",
                        self._send,
                        (r, q, modes[r.channel], recorder, report),
                    )
                for p in posts:
                    if p.retry_round_id is not None:
                        channel = p.settings.channel
                        label = f"post:{channel.channel_id}"
                        pool.submit(channel.platform.value, label, self._retry_post, (p, now, report, leases))
            reveals, reminders = await self.engine.tx(lambda store: self._due_follow_ups(store, now))
            due += len(reveals) + len(reminders)
            leases.hold(r.id for r in reveals)  # renewing a claim another process won is harmless
            for r in reveals:
                pool.submit(r.channel.platform.value, f"reveal:{r.id}", self._reveal, (r, now, report))
            for round_id, minutes_left in reminders:
                pool.submit(
                    "reminder", f"remind:{round_id}", self._remind, (round_id, minutes_left, now, report)
                )
            recaps = await self.engine.tx(lambda store: due_recaps(store, now))
            due += len(recaps)
            for recap in recaps:
                channel = recap[0].channel
                pool.submit(
                    channel.platform.value, f"recap:{channel.channel_id}", self._recap, (recap, report)
                )
            await pool.drain()
        finally:
            await pool.close()
            await recorder.flush()
        if due:
            log.info("due work delivered", extra={"report": str(report)})

    def _claim(
        self, store: Store, due: list[DuePost], now: dt.datetime, report: DeliveryReport
    ) -> list[tuple[Round, Question]]:
        """Pick each channel's question and claim all the rounds in one transaction."""
        if not due:
            return []
        engine = self.engine
        picks: dict[int, tuple[DuePost, Question]] = {}
        pools: dict[tuple[tuple[str, ...], ...], list[Question]] = {}  # most channels share their filters
        history = store.history_by_channel([p.channel_row_id for p in due])
        for post in due:
            settings, channel = post.settings, post.settings.channel
            asked, dailies = history.get(post.channel_row_id, ([], 0))
            key = (settings.categories, settings.difficulties, settings.packs)
            if key not in pools:
                pools[key] = filter_pool(
                    engine.questions.all(),
                    categories=settings.categories,
                    difficulties=settings.difficulties,
                    packs=settings.packs,
                )
            pool = pools[key]
            seed = f"{channel.platform}:{channel.workspace_id}:{channel.channel_id}:{post.slot.local_date}"
            question = choose_daily(pool, asked_newest_first=asked, seed=seed, position=dailies)
            if question is None:
                log.warning(
                    "no question matches the channel's filters", extra={"channel": channel.channel_id}
                )
                report.failed.append(f"post:{channel.channel_id}")
                continue
            picks[post.channel_row_id] = (post, question)
        won = store.claim_daily_rounds(
            [
                {
                    "channel_id": row_id,
                    "question_id": question.id,
                    "category": question.category.value,
                    "daily_date": post.slot.local_date,
                    "reveal_due_at": post.slot.reveal_at,
                }
                for row_id, (post, question) in picks.items()
            ],
            now,
        )
        report.skipped += len(picks) - len(won)
        claimed = []
        for row_id, round_id in won.items():
            post, question = picks[row_id]
            round_ = Round(
                id=round_id,
                channel=post.settings.channel,
                question_id=question.id,
                category=question.category.value,
                kind=RoundKind.DAILY,
                status=RoundStatus.POSTING,
                visibility=Visibility.PUBLIC,
                created_at=now,
                claimed_at=now,
                daily_date=post.slot.local_date,
                reveal_due_at=post.slot.reveal_at,
            )
            claimed.append((round_, question))
        return claimed

    async def _send(
        self,
        round_: Round,
        question: Question,
        answer_mode: str,
        recorder: _PostedRecorder,
        report: DeliveryReport,
    ) -> None:
        card = cards.daily_question_card(round_, question, answer_mode)
        message_id = await self.engine.chat_for(round_.channel).post_round(round_.channel, card)
        recorder.add(round_.id, message_id)
        report.posted += 1
        log.debug("daily round posted", extra={"round": round_.id, "channel": round_.channel.channel_id})

    async def _retry_post(
        self, due: DuePost, now: dt.datetime, report: DeliveryReport, leases: Leases
    ) -> None:
        """Take over a post claimed by a process that died: check the platform for the message first."""
        engine, channel = self.engine, due.settings.channel
        assert due.retry_round_id is not None
        round_id = due.retry_round_id

        def reclaim(store: Store) -> Round | bool | None:
            if not store.reclaim_post(round_id, now, now - CLAIM_TIMEOUT):
                return False
            return store.round(round_id)

        round_ = await engine.tx(reclaim)
        if round_ is False:
            report.skipped += 1
            return
        assert round_ is not True
        if round_ is not None:
            leases.hold([round_.id])
        question = engine.questions.get(round_.question_id) if round_ else None
        if round_ is None or question is None:
            report.failed.append(f"post:{channel.channel_id}")
            return
        card = cards.daily_question_card(round_, question, due.settings.answer_mode)
        port = engine.chat_for(channel)
        message_id = await engine.already_posted(port, channel, card, round_.created_at)
        if message_id is None:
            message_id = await port.post_round(channel, card)
        await engine.record_posted(round_.id, message_id)
        report.posted += 1

    async def _remind(
        self, round_id: int, minutes_left: int, now: dt.datetime, report: DeliveryReport
    ) -> None:
        def claim(store: Store) -> tuple[Round | None, int] | None:
            if not store.claim_reminder(round_id, now):
                return None
            return store.round(round_id), len(store.answers(round_id))

        claimed = await self.engine.tx(claim)
        if claimed is None:
            report.skipped += 1
            return
        round_, answers = claimed
        if round_ is None or round_.thread is None:
            return
        port = self.engine.chat_for(round_.channel)
        await port.post_in_thread(round_.thread, cards.reminder_card(minutes_left, answers))
        report.reminded += 1

    async def _recap(self, recap: RecapDue, report: DeliveryReport) -> None:
        renew_every = self.lease_renew_every if self.lease_renew_every is not None else RENEW_EVERY_SECONDS
        if await post_recap(self.engine, recap, claim_timeout=CLAIM_TIMEOUT, renew_every=renew_every):
            report.recapped += 1
        else:
            report.skipped += 1

    async def _reveal(self, round_: Round, now: dt.datetime, report: DeliveryReport) -> None:
        replies = await self.engine.reveal(round_.id, by=None, stale_before=now - CLAIM_TIMEOUT)
        if replies:  # a notice means somebody else revealed it first
            report.skipped += 1
        else:
            report.revealed += 1
