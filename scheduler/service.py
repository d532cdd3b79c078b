"""One APScheduler 3 AsyncIOScheduler on the bot's event loop: a sweep every 30 s plus one date job per
channel at its next post time, so posts are on the minute. Jobs only *trigger* `DailyRounds.deliver_due`;
the database decides what is due and who sends it, so restarts and replicas are safe."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.daily import DailyRounds
from scheduler.timing import next_slots

log = logging.getLogger("practicebot.scheduler")

SWEEP_JOB = "sweep"
# A trigger missed by up to this long (event loop busy, laptop asleep) still runs; later sweeps catch up
# anything older, so nothing is dropped silently (APScheduler's default grace is 1 s).
MISFIRE_GRACE_SECONDS = 15 * 60


class SchedulerService:
    def __init__(self, daily: DailyRounds, *, sweep_seconds: int = 30) -> None:
        self.daily = daily
        self.sweep_seconds = sweep_seconds
        self.scheduler = AsyncIOScheduler(
            timezone=dt.UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        )
        self._channel_jobs: dict[str, dt.datetime] = {}
        self._sweeps: set[asyncio.Task[None]] = set()
        self._stopping = False

    def start(self) -> None:
        # The first sweep runs at once: it is the catch-up after downtime.
        self.scheduler.add_job(
            self.sweep,
            IntervalTrigger(seconds=self.sweep_seconds, timezone=dt.UTC),
            id=SWEEP_JOB,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        self.daily.engine.schedule_listeners.append(self.sync_channel_jobs)
        self.scheduler.start()
        log.info("scheduler started", extra={"sweep_seconds": self.sweep_seconds})

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Stop triggering, then let a delivery in flight finish (a post is never cut between its send
        and its record), up to `timeout` seconds."""
        if self.sync_channel_jobs in self.daily.engine.schedule_listeners:
            self.daily.engine.schedule_listeners.remove(self.sync_channel_jobs)
        self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        # A job APScheduler has just submitted starts on the next loop turns: let it start (it returns at
        # once, seeing `_stopping`) or register, rather than be cancelled mid-way by the loop's teardown.
        for _ in range(3):
            await asyncio.sleep(0)
        in_flight = [t for t in self._sweeps if not t.done()]
        if in_flight:
            await asyncio.wait(in_flight, timeout=timeout)
        await asyncio.sleep(0)  # AsyncIOScheduler finishes its shutdown on the next loop turn

    async def sweep(self) -> None:
        if self._stopping:
            return
        task = asyncio.current_task()
        if task is not None:
            self._sweeps.add(task)
        try:
            await self.daily.deliver_due()
            self.sync_channel_jobs()
        except asyncio.CancelledError:
            # The loop is closing under a sweep that started too late to be waited for. Whatever it sent
            # but did not record stays claimed and is found again by the next sweep (see CLAIM_TIMEOUT).
            log.info("sweep interrupted by shutdown")
        except Exception:  # a database hiccup must not kill the sweep job
            log.exception("sweep failed")
        finally:
            if task is not None:
                self._sweeps.discard(task)

    def sync_channel_jobs(self) -> None:
        """One date job per scheduled channel at its next post time; rebuilt whenever a schedule changes
        (here, or in another replica: the sweep calls this too)."""
        now = self.daily.engine.clock.now()
        with self.daily.engine.uow() as store:
            channels = store.scheduled_channels()
        wanted: dict[str, dt.datetime] = {}
        for _row_id, settings in channels:
            upcoming = next_slots(settings, now, count=1)
            if upcoming:
                ref = settings.channel
                wanted[f"post:{ref.platform}:{ref.workspace_id}:{ref.channel_id}"] = upcoming[0].post_at
        for job_id in set(self._channel_jobs) - set(wanted):
            if self.scheduler.get_job(job_id):
                self.scheduler.remove_job(job_id)
            del self._channel_jobs[job_id]
        for job_id, run_at in wanted.items():
            if self._channel_jobs.get(job_id) == run_at and self.scheduler.get_job(job_id):
                continue
            self.scheduler.add_job(
                self.sweep, DateTrigger(run_date=run_at, timezone=dt.UTC), id=job_id, replace_existing=True
            )
            self._channel_jobs[job_id] = run_at
